// mtdoops decode <image> [--board <id>] [--record-size <n>] [--json]
// mtdoops decode <image> --format linux --record-size <n> [--endian le|be] [--json]

import { loadBoard } from "../boards/load.js";
import {
  DecodeImageError,
  MAX_RECORD_SIZE,
  MIN_RECORD_SIZE,
  decodeImageDetailed,
  isPowerOfTwoSize,
  noRecordsError,
} from "../host/decode-image.js";
import type { DecodeImageOptions } from "../host/decode-image.js";
import { LINUX_RECORD_SIZE_STEP, decodeLinuxMtdoopsImage } from "../host/linux-mtdoops.js";
import type { LinuxEndian } from "../host/linux-mtdoops.js";
import { boardArg, flag, intOpt, parse, str } from "./args.js";
import type { OptionSpec } from "./args.js";
import { CliError, UsageError } from "./io.js";
import type { CliIo } from "./io.js";
import { readInputFile } from "./input-file.js";
import { formatRecordBlocks } from "./render.js";

export const DECODE_HELP = `Usage:
  mtdoops decode <image> [--board <id>] [--record-size <n>] [--json]
  mtdoops decode <image> --format linux --record-size <n> [--endian le|be] [--json]

Decodes the crash records in a partition image: a dump of the raw partition, the
simulator's --image file, or the Linux build's espruino.flash (with --board linux).

Options:
  --board <id>        the board the image comes from (gives the record size; "linux"
                      finds the records inside espruino.flash's Storage files)
  --record-size <n>   slot size in bytes (a power of two, 64..65536); found from the
                      image when left out
  --format <f>        espruino (default) or linux: an image written by the Linux
                      kernel's own mtdoops driver (then --record-size is required)
  --endian le|be      --format linux: byte order of the CPU that wrote the image
                      (detected when left out)
  --json              print a JSON array of records instead of text
  -h, --help          this help

Human output: one block per record (seq, reason, time, boot, uptime, context, then
the console text). Exit status: 0 ok, 1 a bad or foreign image, 2 bad usage.
`;

/** The options `mtdoops decode` takes (besides -h, --help); its help lists each. */
export const DECODE_OPTIONS: OptionSpec = {
  board: { type: "string" },
  "record-size": { type: "string" },
  format: { type: "string" },
  endian: { type: "string" },
  json: { type: "boolean" },
};

export async function decodeCommand(argv: string[], io: CliIo): Promise<number> {
  const p = parse("decode", argv, DECODE_OPTIONS, 1);
  if (flag(p, "help")) {
    io.stdout.write(DECODE_HELP);
    return 0;
  }
  const file = p.positionals[0];
  if (!file)
    throw new UsageError(
      "missing <image>: the file to decode (see: mtdoops decode --help)",
      "decode",
    );
  const format = str(p, "format") ?? "espruino";
  if (format !== "espruino" && format !== "linux") {
    throw new CliError(`--format must be espruino or linux, got ${JSON.stringify(format)}`);
  }
  const json = flag(p, "json");
  // The range our format accepts, or Linux's (a multiple of 16; mainline needs 4096).
  let recordSize: number | undefined;
  if (format === "linux") {
    recordSize = intOpt(p, "record-size", "decode", LINUX_RECORD_SIZE_STEP, 1 << 30);
  } else {
    try {
      recordSize = intOpt(p, "record-size", "decode", MIN_RECORD_SIZE, MAX_RECORD_SIZE);
    } catch {
      recordSize = NaN;
    }
    if (recordSize !== undefined && !isPowerOfTwoSize(recordSize)) {
      throw new CliError(
        `--record-size must be a power of two from ${MIN_RECORD_SIZE} to ${MAX_RECORD_SIZE} (64, 128, ... 4096 ...), got ${JSON.stringify(str(p, "record-size"))}`,
      );
    }
  }

  if (format === "linux") {
    if (str(p, "board") !== undefined)
      throw new UsageError("--board does not apply to --format linux", "decode");
    if (recordSize === undefined) {
      throw new UsageError(
        "--format linux needs --record-size <n> (the mtdoops record_size module parameter, 4096 by default)",
        "decode",
      );
    }
    const endian = str(p, "endian");
    if (endian !== undefined && endian !== "le" && endian !== "be") {
      throw new CliError(`--endian must be le or be, got ${JSON.stringify(endian)}`);
    }
    const image = await readInputFile(file, io.cwd, io.signal);
    let res;
    try {
      res = decodeLinuxMtdoopsImage(image, {
        recordSize,
        endian: endian as LinuxEndian | undefined,
      });
    } catch (e) {
      throw new CliError(`${file}: ${(e as Error).message}`);
    }
    for (const w of res.warnings) io.stderr.write(`warning: ${w}\n`);
    if (json) io.stdout.write(JSON.stringify(res.records, null, 2) + "\n");
    else if (res.records.length === 0) io.stdout.write(`no mtdoops records in ${file}\n`);
    else io.stdout.write(formatRecordBlocks(res.records));
    if (res.records.length === 0 && res.emptySlots.length < res.slots) {
      throw new CliError(
        `${file}: no Linux mtdoops record found with --record-size ${recordSize}: not an mtdoops partition, or a wrong --record-size`,
      );
    }
    return 0;
  }

  if (str(p, "endian") !== undefined)
    throw new UsageError("--endian applies to --format linux only", "decode");
  const opts: DecodeImageOptions = {};
  const boardId = str(p, "board");
  if (boardId !== undefined) {
    const b = loadBoard(boardArg(boardId, io.cwd));
    opts.board = b;
  }
  if (recordSize !== undefined) {
    opts.recordSize = recordSize;
  }
  const image = await readInputFile(file, io.cwd, io.signal);
  const res = (() => {
    try {
      return decodeImageDetailed(image, opts);
    } catch (e) {
      if (e instanceof DecodeImageError && e.code === "EBADARG") throw new CliError(e.message);
      throw new CliError(`${file}: ${(e as Error).message}`);
    }
  })();
  for (const w of res.warnings) io.stderr.write(`warning: ${w}\n`);
  if (res.records.length === 0 && !res.erased) {
    throw new CliError(`${file}: ${noRecordsError(res, opts).message}`);
  }
  if (json) {
    io.stdout.write(JSON.stringify(res.records, null, 2) + "\n");
  } else if (res.records.length === 0) {
    io.stdout.write(`no records: ${file} is erased\n`);
  } else {
    io.stdout.write(formatRecordBlocks(res.records));
    const size = res.recordSize ? `${res.recordSize}-byte slots` : "found by scanning";
    io.stderr.write(
      `${res.records.length} record(s) in ${file} (${size}${res.recordSizeSource === "detected" ? ", size detected" : ""})\n`,
    );
  }
  return 0;
}
