// The firmware's on-demand modules (docs/FIRMWARE.md, "Files") on the virtual board: the
// mount at boot and the retrieval per host command. A missing module is one error line,
// never an exception; the write path is resident, so dumps go on being recorded.

import { describe, expect, it } from "vitest";
import { loadBoard } from "../src/boards/load.js";
import { FirmwareFile } from "../src/boards/firmware-files.js";
import { VirtualBoard } from "../src/sim/virtual-board.js";
import { buildFirmwareBundle } from "./helpers/firmware.js";

const linux = loadBoard("linux");
const LINUX = await buildFirmwareBundle(linux);

function bootWithout(file: FirmwareFile): { vb: VirtualBoard; out: string } {
  const files = { ...LINUX };
  delete files[file];
  const vb = new VirtualBoard({ board: linux, firmware: files });
  vb.boot();
  vb.advance(100);
  return { vb, out: vb.takeOutput() };
}

describe("a missing module", () => {
  it(".mtdmount: one error line, nothing starts", () => {
    const { vb, out } = bootWithout(FirmwareFile.Mount);
    expect(out).toContain("MTDOOPS:ERROR .mtdmount missing");
    expect(out).toContain("mtdoops: not started");
    expect(out).not.toContain("Uncaught");
    expect(vb.eval("typeof mtdoops")).toBe("undefined");
  });

  it(".mtdread: dumps are still recorded (the write path is resident)", () => {
    const { vb } = bootWithout(FirmwareFile.Read);
    expect(vb.eval('mtdoops.panic("p")')).toBe(true);
    vb.eval("setTimeout(function(){ throw new Error('boom'); }, 10)");
    vb.advance(100);
    const out = vb.takeOutput();
    expect(out.match(/Uncaught/g)).toHaveLength(1);
    expect(out).not.toContain("MTDOOPS:ERROR");
  });

  it(".mtdread: the retrieval answers MTDOOPS:ERROR; the host reports it", () => {
    const { vb } = bootWithout(FirmwareFile.Read);
    vb.eval("mtdoops.dump(-1, 0)");
    expect(vb.takeOutput()).toContain("MTDOOPS:ERROR .mtdread missing");
    const r = vb.retrieve();
    expect(r.records).toEqual([]);
    expect(String(r.error)).toContain(".mtdread missing");
  });
});
