import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ArchiveError,
  RetrievalArchive,
  nodeArchiveFs,
  retrievalFolderName,
} from "../src/host/archive.js";
import type { ArchiveFs } from "../src/host/archive.js";
import { decodeImageDetailed } from "../src/host/decode-image.js";
import { retrieve, RetrieveError } from "../src/host/retrieve.js";
import { FakeBoard } from "./retrieve-fake-board.js";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "mtdoops-archive-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("archive layout (systemd-pstore style)", () => {
  it("names the retrieval folder by UTC time and board", () => {
    expect(retrievalFolderName(new Date("2026-11-26T17:30:00.123Z"), "puckjs")).toBe(
      "2026-11-26T17-30-00Z-puckjs",
    );
    expect(retrievalFolderName(new Date("2026-11-26T17:30:00Z"), "a/b c")).toBe(
      "2026-11-26T17-30-00Z-a_b_c",
    );
  });

  it("a retrieval writes one .txt and one .bin per record and index.json", async () => {
    const out = tmp();
    const board = new FakeBoard({ board: "puckjs" });
    board.crash(3);
    const archive = new RetrievalArchive(out, { started: new Date("2026-11-26T17:30:00Z") });
    const res = await retrieve({
      connect: board.connect,
      port: "fake://board",
      timeoutMs: 300,
      promptWaitMs: 10,
      sink: { begin: (i) => archive.setBoard(i.board), save: (r, raw) => archive.save(r, raw) },
    });
    const folder = path.join(out, "2026-11-26T17-30-00Z-puckjs");
    expect(archive.folder).toBe(folder);
    expect(readdirSync(out)).toEqual(["2026-11-26T17-30-00Z-puckjs"]);
    const seqs = res.records.map((r) => r.seq);
    const names = readdirSync(folder).sort();
    expect(names).toEqual(
      [
        "index.json",
        ...seqs.flatMap((s) => [`dmesg-mtdoops-${s}.bin`, `dmesg-mtdoops-${s}.txt`]),
      ].sort(),
    );
    // The .txt: the header block, a blank line, the console text.
    const txt = readFileSync(path.join(folder, `dmesg-mtdoops-${seqs[0]}.txt`), "utf8");
    const [head, body] = txt.split("\n\n");
    expect(head).toMatch(
      /^seq: 1\nreason: oops\ntime: 2025-11-26T00:00:01.000Z\nboot: 1\nuptime: 1.000 s\n/,
    );
    expect(head).toMatch(/\nmsg: boom 0\nboard: puckjs$/);
    expect(body).toBe("line 0: Uncaught Error: boom 0\n");
    // mtime = the record's time.
    expect(statSync(path.join(folder, `dmesg-mtdoops-${seqs[0]}.txt`)).mtime.toISOString()).toBe(
      "2025-11-26T00:00:01.000Z",
    );
    // The .bin is the record's bytes: decodable on its own.
    const bin = new Uint8Array(readFileSync(path.join(folder, `dmesg-mtdoops-${seqs[1]}.bin`)));
    const again = decodeImageDetailed(
      Uint8Array.from([...bin, ...new Uint8Array(256 - bin.length).fill(0xff)]),
      {
        recordSize: 256,
      },
    );
    expect(again.records[0]?.seq).toBe(seqs[1]);
    // index.json: DecodedRecord[] with the file names.
    const index = JSON.parse(readFileSync(path.join(folder, "index.json"), "utf8")) as Array<
      Record<string, unknown>
    >;
    expect(index.map((r) => r["seq"])).toEqual(seqs);
    expect(index[0]).toMatchObject({
      origin: "espruino-mtdoops",
      reason: "oops",
      files: { text: "dmesg-mtdoops-1.txt", raw: "dmesg-mtdoops-1.bin" },
    });
    expect(typeof index[0]?.["text"]).toBe("string");
  });

  it("a second retrieval in the same second gets its own folder", async () => {
    const out = tmp();
    const when = new Date("2026-01-01T00:00:00Z");
    const board = new FakeBoard({ board: "pico" });
    board.crash(1);
    const rec = (
      await retrieve({
        connect: board.connect,
        port: "fake",
        timeoutMs: 300,
        promptWaitMs: 10,
        sink: { save: async () => "" },
      })
    ).records[0]!;
    const a = new RetrievalArchive(out, { board: "pico", started: when });
    const b = new RetrievalArchive(out, { board: "pico", started: when });
    await a.save(rec, new Uint8Array([1]));
    await b.save(rec, new Uint8Array([1]));
    expect(readdirSync(out).sort()).toEqual([
      "2026-01-01T00-00-00Z-pico",
      "2026-01-01T00-00-00Z-pico-2",
    ]);
  });

  it("a failing disk: save rejects, the retrieval stops, nothing is cleared", async () => {
    const out = tmp();
    let writes = 0;
    const failing: ArchiveFs = {
      ...nodeArchiveFs,
      async writeFileSynced(p, data) {
        if (++writes === 4) {
          const e = new Error("ENOSPC: no space left on device") as NodeJS.ErrnoException;
          e.code = "ENOSPC";
          throw e;
        }
        return nodeArchiveFs.writeFileSynced(p, data);
      },
    };
    const board = new FakeBoard();
    board.crash(4);
    const before = board.liveSeqs();
    const archive = new RetrievalArchive(out, { fs: failing });
    const err = await retrieve({
      connect: board.connect,
      port: "fake://board",
      clear: true,
      timeoutMs: 300,
      promptWaitMs: 10,
      sink: { save: (r, raw) => archive.save(r, raw) },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetrieveError);
    expect((err as Error).message).toMatch(
      /cannot save record 2 .*no space left on the disk; nothing was cleared/,
    );
    expect(board.commands.some((c) => c.startsWith("mtdoops.clear"))).toBe(false);
    expect(board.liveSeqs()).toEqual(before);
  });

  it("ArchiveError names the folder when it cannot be created", async () => {
    const file = path.join(tmp(), "a-file");
    writeFileSync(file, "x");
    const archive = new RetrievalArchive(path.join(file, "logs"), {});
    const err = await archive.save({} as never, new Uint8Array()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as Error).message).toMatch(/cannot create the folder .*a-file.*not a directory/);
  });
});
