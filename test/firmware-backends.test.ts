// The three flash backends (firmware/flash-*.ts), bundled as for the board and run inside
// the virtual board's interpreter, against the Flash contract (test/flash-contract.ts):
// the internal-flash backend over require("Flash"), the Storage-file backend over
// require("Storage"), the SPI NOR backend over SPI and the fake W25Q.

import { describe, expect, it } from "vitest";
import { loadBoard } from "../src/boards/load.js";
import { crc32 } from "../src/core/crc32.js";
import type { BoardDefinition } from "../src/boards/schema.js";
import type { Flash } from "../src/core/flash.js";
import { VirtualBoard } from "../src/sim/virtual-board.js";
import { describeFlashContract, expectFlashError } from "./flash-contract.js";
import { firmwareImport, SPINOR_BOARD, standInBundle } from "./helpers/firmware.js";

// The backends, handed to the test by a stand-in entry.
const BACKENDS = await standInBundle(
  loadBoard("linux"),
  "import { internalFlash } from " +
    firmwareImport("flash-internal.ts") +
    ";\n" +
    "import { repairBlockFiles, storageFlash } from " +
    firmwareImport("flash-storage.ts") +
    ";\n" +
    "import { spiNorFlash } from " +
    firmwareImport("flash-spinor.ts") +
    ";\n" +
    "import { ERASED_CRC } from " +
    firmwareImport("flash-util.ts") +
    ";\n" +
    "export function start(_board: unknown): void {\n" +
    // The block files made as the mount module makes them at boot.
    "  const opened = (b: any): any => { const f: any = storageFlash(b); repairBlockFiles(f, b.storagePrefix || 'mtdoops'); return f; };\n" +
    "  (global as unknown as Record<string, unknown>)['__b'] = { internalFlash: internalFlash, storageFlash: opened, spiNorFlash: spiNorFlash, ERASED_CRC: ERASED_CRC };\n" +
    "}\n",
);

/** Opens a backend inside a fresh virtual board; read results are copied into this realm. */
function openBackend(board: BoardDefinition, fn: string): { vb: VirtualBoard; flash: Flash } {
  const vb = new VirtualBoard({ board });
  vb.boot();
  vb.eval(BACKENDS);
  const inner = vb.eval("__b." + fn + "(" + JSON.stringify(board) + ")") as Flash | undefined;
  if (!inner) throw new Error(vb.takeOutput());
  const flash: Flash = {
    geometry: inner.geometry,
    read: (a, n) => Uint8Array.from(inner.read(a, n)),
    program: (a, d) => inner.program(a, d),
    erase: (a) => inner.erase(a),
  };
  const crc = inner.crc32;
  if (crc) flash.crc32 = (a, n) => crc.call(inner, a, n);
  return { vb, flash };
}

const puck = loadBoard("puckjs");
const linux = loadBoard("linux");
const bangle = loadBoard("banglejs2");

describeFlashContract(
  "internal flash (require('Flash'), puckjs) in the virtual board",
  () => openBackend(puck, "internalFlash").flash,
  {
    reprogram: true,
  },
);
describeFlashContract(
  "Storage files (linux) in the virtual board",
  () => openBackend(linux, "storageFlash").flash,
);
describeFlashContract(
  "Storage files (banglejs2) in the virtual board",
  () => openBackend(bangle, "storageFlash").flash,
);
describeFlashContract(
  "SPI NOR (fake W25Q128) in the virtual board",
  () => openBackend(SPINOR_BOARD, "spiNorFlash").flash,
  {
    reprogram: true,
  },
);

describe("checkLanded's erased CRC", () => {
  // A wrong constant would not fail an erase (a mismatch is checked byte by byte), only
  // make every erase check take the slow path.
  it("is the CRC-32 of 1 KB of 0xFF", () => {
    const vb = new VirtualBoard({ board: linux });
    vb.boot();
    vb.eval(BACKENDS);
    expect(vb.eval("__b.ERASED_CRC")).toBe(crc32(new Uint8Array(1024).fill(0xff)));
  });
});

describe("flash backends: failures are reported", () => {
  it("internal flash: a program or erase that does not land is EIO (read back)", () => {
    const { vb, flash } = openBackend(puck, "internalFlash");
    flash.erase(0);
    vb.flash.failBlock(1, { mode: "noop" });
    expectFlashError(() => flash.program(4096, new Uint8Array(8)), "EIO");
    flash.erase(0);
    flash.program(0, new Uint8Array(8));
    vb.flash.failBlock(0, { mode: "noop", erase: true });
    expectFlashError(() => flash.erase(0), "EIO");
  });

  it("internal flash: refuses a chip whose pages differ from the board file", () => {
    const vb = new VirtualBoard({ board: puck });
    vb.boot();
    vb.eval(BACKENDS);
    vb.eval(
      "try { __b.internalFlash(" +
        JSON.stringify({ ...puck, eraseSize: 8192, size: 16384, start: 0x68000 }) +
        ") } catch (e) { print('E:' + e.code + ' ' + e.message) }",
    );
    expect(vb.takeOutput()).toMatch(
      /E:EINVAL flash page at 0x68000 is 4096 bytes at 0x68000, the board file says 8192/,
    );
  });

  it("Storage files: a missing or foreign block file is re-created erased; the data lives in the flash", () => {
    const { vb, flash } = openBackend(linux, "storageFlash");
    expect(vb.storage.list().sort()).toEqual(["mtdoops0", "mtdoops1", "mtdoops2", "mtdoops3"]);
    flash.erase(4096);
    flash.program(4096 + 16, Uint8Array.of(1, 2, 3, 4));
    expect(Array.from(vb.flash.peek(4096 + 16, 4))).toEqual([1, 2, 3, 4]);
    expect(vb.storage.size("mtdoops1")).toBe(4096 + 8);
    // a power cut between the old file's removal and the new one's creation
    vb.storage.erase("mtdoops2");
    vb.storage.writeFile("mtdoops3", "foreign");
    const f2 = vb.eval("__b.storageFlash(" + JSON.stringify(linux) + ")") as Flash;
    expect(vb.storage.size("mtdoops2")).toBe(4096 + 8);
    expect(vb.storage.size("mtdoops3")).toBe(4096 + 8);
    expect(Array.from(f2.read(4096 + 16, 4))).toEqual([1, 2, 3, 4]);
    expect(Array.from(f2.read(8192, 4))).toEqual([255, 255, 255, 255]);
  });

  it("SPI NOR: wakes the chip from deep power-down, checks the JEDEC ID, programs with WREN and polls BUSY", () => {
    // The fake chip starts in deep power-down and ignores everything but 0xAB, and ignores
    // programs and erases without a write enable: that this works shows all three.
    const { flash } = openBackend(SPINOR_BOARD, "spiNorFlash");
    flash.erase(0);
    flash.program(0, Uint8Array.of(9, 8, 7));
    expect(Array.from(flash.read(0, 4))).toEqual([9, 8, 7, 255]);
  });

  it("SPI NOR: no chip answering is EIO at open", () => {
    const vb = new VirtualBoard({ board: SPINOR_BOARD });
    vb.boot();
    vb.eval(BACKENDS);
    const pins = { ...SPINOR_BOARD.spi, cs: "B3" };
    vb.eval(
      "try { __b.spiNorFlash(" +
        JSON.stringify({ ...SPINOR_BOARD, spi: pins }) +
        ") } catch (e) { print('E:' + e.code + ' ' + e.message) }",
    );
    expect(vb.takeOutput()).toContain("E:EIO no SPI flash answers (JEDEC ID 255)");
  });
});
