// Board definitions (boards/*.json) and their loader/validator (src/boards/load.ts).

import { boardGeometry } from "../src/boards/geometry.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  BOARD_SCHEMA_FILE,
  boardsDir,
  isBoardError,
  listBoards,
  loadAllBoards,
  loadBoard,
  validateBoard,
} from "../src/boards/load.js";
import type { BoardDefinition } from "../src/boards/schema.js";
import { checkSchema } from "../src/boards/json-schema.js";
import type { JsonSchema } from "../src/boards/json-schema.js";
import { checkGeometry } from "../src/core/flash.js";
import { Reason } from "../src/core/record.js";
import { SimulatedNorFlash } from "../src/sim/nor-flash.js";
import { bootBoard } from "./helpers/model.js";

const IDS = ["banglejs2", "esp32", "espruinowifi", "linux", "mdbt42q", "pico", "pixljs", "puckjs"];

/** The raw JSON of a board file (hex strings as written). */
function raw(id: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(boardsDir(), id + ".json"), "utf8")) as Record<
    string,
    unknown
  >;
}

/** validateBoard on a modified copy of a board file; returns the error message. */
function errorOf(id: string, change: (o: Record<string, unknown>) => void): string {
  const o = raw(id);
  change(o);
  try {
    validateBoard(o, "boards/" + id + ".json");
  } catch (e) {
    expect(isBoardError(e)).toBe(true);
    expect((e as { code?: string }).code).toBe("EBOARD");
    return (e as Error).message;
  }
  throw new Error("validateBoard accepted the change");
}

describe("board files", () => {
  it("lists the eight boards", () => {
    expect(listBoards()).toEqual(IDS);
  });

  it("every board file validates, with hex strings turned into numbers", () => {
    const boards = loadAllBoards();
    expect(boards.map((b) => b.id)).toEqual(IDS);
    for (const b of boards) {
      expect(typeof b.start).toBe("number");
      for (const r of b.reserved ?? []) expect(typeof r.start).toBe("number");
      expect(checkGeometry({ ...b, erasedValue: 0xff })).toBe("");
      expect(b.size / b.eraseSize).toBeGreaterThanOrEqual(2);
      expect(Object.keys(b.sources).length).toBeGreaterThanOrEqual(7);
    }
  });

  it("board table: backends and partitions as decided", () => {
    const t = Object.fromEntries(
      loadAllBoards().map((b) => [
        b.id,
        [b.backend, b.start, b.size, b.eraseSize, b.recordSize, b.ringSize, b.part],
      ]),
    );
    expect(t).toEqual({
      puckjs: ["flash", 0x69000, 0x3000, 4096, 1024, 1024, "nrf52832"],
      mdbt42q: ["flash", 0x69000, 0x3000, 4096, 1024, 1024, "nrf52832"],
      pixljs: ["flash", 0x6a000, 0x3000, 4096, 1024, 1024, "nrf52832"],
      banglejs2: ["storage", 0, 32768, 4096, 2048, 4096, "w25q128jv"],
      pico: ["storage", 0, 8192, 4096, 1024, 2048, "stm32f4"],
      espruinowifi: ["flash", 0x08004000, 0xc000, 16384, 2048, 2048, "stm32f4"],
      esp32: ["flash", 0x310000, 0x10000, 4096, 2048, 4096, "esp32"],
      linux: ["storage", 0, 16384, 4096, 1024, 2048, "linux-file"],
    });
  });

  it("nRF52 partitions end where Storage starts, clear of softdevice and bootloader", () => {
    for (const id of ["puckjs", "pixljs", "mdbt42q"]) {
      const b = loadBoard(id);
      const storage = b.reserved?.find((r) => r.name === "Storage");
      expect(storage).toBeDefined();
      expect(b.start + b.size).toBe(storage?.start);
      expect(b.start).toBeGreaterThanOrEqual(0x1f000);
      expect(b.start + b.size).toBeLessThanOrEqual(0x78000);
      expect(b.resetReason).toBe("nrf52");
      expect(b.progUnit).toBe(4);
    }
  });

  it("esp32 uses the 0x310000 'flash' partition, not the 0x360000 area inside Storage", () => {
    const b = loadBoard("esp32");
    expect(b.start).toBe(0x310000);
    expect(b.start + b.size).toBeLessThanOrEqual(0x320000);
    expect(b.sources["start"]).toMatch(/NOT 0x360000/);
  });

  it("storage boards have a file prefix and no address", () => {
    for (const id of ["banglejs2", "pico", "linux"]) {
      const b = loadBoard(id);
      expect(b.backend).toBe("storage");
      expect(b.start).toBe(0);
      expect(b.storagePrefix).toBe("mtdoops");
    }
  });

  it("the firmware's CrashLog mounts on every board's geometry and keeps a panic", () => {
    for (const b of loadAllBoards()) {
      const flash = new SimulatedNorFlash({
        geometry: boardGeometry(b),
        part: b.part,
        strict: true,
      });
      const { ring, log } = bootBoard(flash, b.recordSize, {}, b.ringSize);
      ring.write("x".repeat(b.ringSize));
      expect(log.panic('{"board":"' + b.id + '"}')).toBe(true);
      const seen: number[] = [];
      log.forEach((r) => seen.push(r.record.reason));
      expect(seen).toEqual([Reason.PANIC]);
    }
  });
});

describe("loadBoard errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "mtdoops-boards-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("an unknown id lists the known boards", () => {
    expect(() => loadBoard("puck")).toThrow(
      'unknown board "puck"; known boards: ' + IDS.join(", "),
    );
  });

  it("loads by path, and names the path in errors", () => {
    const p = join(dir, "puckjs.json");
    writeFileSync(p, JSON.stringify(raw("puckjs")));
    expect(loadBoard(p).id).toBe("puckjs");
    const bad = join(dir, "other.json");
    writeFileSync(bad, JSON.stringify(raw("puckjs")));
    expect(() => loadBoard(bad)).toThrow(
      bad + ': field "id" must match the file name "other", got "puckjs"',
    );
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{");
    expect(() => loadBoard(broken)).toThrow(broken + ": not valid JSON");
    expect(() => loadBoard(join(dir, "missing.json"))).toThrow("no such board file");
  });

  it("lists boards of another directory", () => {
    expect(listBoards(dir)).toContain("puckjs");
  });
});

describe("boards/board.schema.json", () => {
  const schema = JSON.parse(
    readFileSync(join(boardsDir(), BOARD_SCHEMA_FILE), "utf8"),
  ) as JsonSchema & { required: string[] };

  it("is not listed as a board, and every board file names it for editors", () => {
    expect(listBoards()).not.toContain("board.schema");
    for (const id of IDS) expect(raw(id)["$schema"]).toBe("./" + BOARD_SCHEMA_FILE);
  });

  it("every board file conforms to it", () => {
    for (const id of IDS) expect(checkSchema(schema, raw(id))).toBeNull();
  });

  it("describes exactly the fields of BoardDefinition, and its unknown-field message lists them", () => {
    // Every key of BoardDefinition, no more (the compiler checks this list).
    const keys: Record<keyof BoardDefinition, true> = {
      id: true,
      name: true,
      backend: true,
      start: true,
      size: true,
      eraseSize: true,
      progUnit: true,
      pageSize: true,
      recordSize: true,
      ringSize: true,
      part: true,
      jsvars: true,
      resetReason: true,
      storagePrefix: true,
      spi: true,
      reserved: true,
      chip: true,
      sources: true,
    };
    const fields = Object.keys(schema.properties ?? {}).filter((k) => k !== "$schema");
    expect([...fields].sort()).toEqual(Object.keys(keys).sort());
    const message = (schema.errorMessage as Record<string, string>)["additionalProperties"];
    expect(message).toBe("is not a board field (known fields: " + fields.join(", ") + ")");
  });

  it("gives its own message for a shape it refuses: path, message and the value found", () => {
    const o = raw("puckjs");
    o["reserved"] = [{ name: "a", start: 0, end: 1 }, "Storage"];
    expect(checkSchema(schema, o)).toEqual({
      path: "reserved[1]",
      message: "must be an object {name, start, end}",
      showValue: true,
      value: "Storage",
    });
    const p = raw("puckjs");
    p["start"] = "0x123456789";
    expect(checkSchema(schema, p)?.message).toBe(
      'must be a whole number from 0 to 0xFFFFFFFF (or a hex string such as "0x6C000")',
    );
    const q = raw("puckjs");
    (q["chip"] as Record<string, unknown>)["start"] = -1;
    expect(checkSchema(schema, q)?.path).toBe("chip.start");
  });

  it("the loader reports a schema problem as one line naming the file and the field", () => {
    expect(errorOf("puckjs", (o) => (o["reserved"] = ["x"]))).toBe(
      'boards/puckjs.json: field "reserved[0]" must be an object {name, start, end}, got "x"',
    );
    expect(errorOf("puckjs", (o) => (o["$schema"] = 1))).toBe(
      'boards/puckjs.json: field "$schema" must be of type string, got 1',
    );
  });
});

describe("validateBoard: every field", () => {
  const cases: Array<[string, string, (o: Record<string, unknown>) => void, string]> = [
    [
      "puckjs",
      "recordSize not a power of two",
      (o) => (o["recordSize"] = 1000),
      'field "recordSize" must be a power of two from 64 to 4096, got 1000',
    ],
    [
      "puckjs",
      "recordSize above the erase size",
      (o) => (o["recordSize"] = 8192),
      'field "recordSize" must be a power of two from 64 to 4096, got 8192',
    ],
    [
      "puckjs",
      "recordSize below 64",
      (o) => (o["recordSize"] = 32),
      'field "recordSize" must be a power of two from 64 to 4096, got 32',
    ],
    [
      "puckjs",
      "unknown field",
      (o) => (o["recordsize"] = 1024),
      'field "recordsize" is not a board field',
    ],
    [
      "puckjs",
      "missing id",
      (o) => delete o["id"],
      'field "id" must be a non-empty string, got nothing',
    ],
    [
      "puckjs",
      "id with capitals",
      (o) => (o["id"] = "PuckJS"),
      'field "id" must be lowercase letters, digits, - or _, got "PuckJS"',
    ],
    [
      "puckjs",
      "name empty",
      (o) => (o["name"] = ""),
      'field "name" must be a non-empty string, got ""',
    ],
    [
      "puckjs",
      "bad backend",
      (o) => (o["backend"] = "fram"),
      'field "backend" must be one of "flash", "spinor", "storage", got "fram"',
    ],
    [
      "puckjs",
      "start not a number",
      (o) => (o["start"] = "6C000"),
      'field "start" must be a whole number from 0 to 0xFFFFFFFF (or a hex string such as "0x6C000"), got "6C000"',
    ],
    [
      "puckjs",
      "start unaligned",
      (o) => (o["start"] = "0x69800"),
      'field "start" must be a multiple of eraseSize (4096), got "0x69800"',
    ],
    [
      "puckjs",
      "size not whole blocks",
      (o) => (o["size"] = 10000),
      'field "size" must be a positive multiple of eraseSize (4096), got 10000',
    ],
    [
      "puckjs",
      "one block",
      (o) => (o["size"] = 4096),
      'field "size" must hold at least 2 erase blocks of 4096 bytes, got 4096',
    ],
    [
      "puckjs",
      "eraseSize not a power of two",
      (o) => (o["eraseSize"] = 3000),
      'field "eraseSize" must be a power of two from 256 to 262144, got 3000',
    ],
    [
      "puckjs",
      "eraseSize smaller than the part's",
      (o) => {
        o["eraseSize"] = 2048;
        o["pageSize"] = 2048;
      },
      'field "eraseSize" must be a multiple of part nrf52832\'s erase size 4096, got 2048',
    ],
    [
      "puckjs",
      "progUnit 3",
      (o) => (o["progUnit"] = 3),
      'field "progUnit" must be 1, 2, 4 or 8, got 3',
    ],
    [
      "puckjs",
      "progUnit below the part's",
      (o) => (o["progUnit"] = 2),
      'field "progUnit" must be a multiple of part nrf52832\'s program unit 4, got 2',
    ],
    [
      "puckjs",
      "pageSize above eraseSize",
      (o) => (o["pageSize"] = 8192),
      'field "pageSize" must be a power of two, a multiple of progUnit (4) and at most eraseSize (4096), got 8192',
    ],
    [
      "puckjs",
      "pageSize below progUnit",
      (o) => (o["pageSize"] = 2),
      'field "pageSize" must be a power of two, a multiple of progUnit (4) and at most eraseSize (4096), got 2',
    ],
    [
      "puckjs",
      "ringSize tiny",
      (o) => (o["ringSize"] = 8),
      'field "ringSize" must be from 16 to 65536 bytes, got 8',
    ],
    [
      "puckjs",
      "RAM budget",
      (o) => (o["ringSize"] = 8192),
      'field "ringSize" plus twice recordSize (10240 bytes) must be at most 1/8 of the board\'s 34190 bytes of JsVars (2630 x 13)',
    ],
    [
      "puckjs",
      "unknown part",
      (o) => (o["part"] = "at25sf"),
      'field "part" must be a known flash part (w25q128jv, nrf52832, nrf52840, stm32f4, esp32, linux-file), got "at25sf"',
    ],
    [
      "puckjs",
      "jsvars not whole",
      (o) => (o["jsvars"] = 26.5),
      'field "jsvars" must be a whole number, got 26.5',
    ],
    [
      "puckjs",
      "jsvars too few",
      (o) => (o["jsvars"] = 10),
      'field "jsvars" must be from 100 to 65535, got 10',
    ],
    [
      "puckjs",
      "bad resetReason",
      (o) => (o["resetReason"] = "stm32"),
      'field "resetReason" must be one of "nrf52", "esp8266", "none", got "stm32"',
    ],
    [
      "puckjs",
      "overlaps Storage",
      (o) => (o["start"] = "0x6B000"),
      'field "start" and size put the partition at 0x6B000-0x6E000, overlapping reserved area "Storage" (0x6C000-0x76000)',
    ],
    [
      "puckjs",
      "overlaps the softdevice",
      (o) => (o["start"] = "0x1E000"),
      'overlapping reserved area "MBR+SoftDevice" (0x0-0x1F000)',
    ],
    [
      "puckjs",
      "outside the chip",
      (o) => (o["start"] = "0x7F000"),
      'field "start" and size put the partition at 0x7F000-0x82000, outside the chip (0x0-0x80000)',
    ],
    [
      "puckjs",
      "no chip",
      (o) => delete o["chip"],
      'field "chip" is required by the "flash" backend',
    ],
    [
      "puckjs",
      "chip with an unknown field",
      (o) => (o["chip"] = { start: 0, size: 1, end: 2 }),
      'field "chip.end" is not a field of chip (start, size)',
    ],
    [
      "puckjs",
      "reserved not an array",
      (o) => (o["reserved"] = {}),
      'field "reserved" must be an array of {name, start, end}, got {}',
    ],
    [
      "puckjs",
      "reserved end before start",
      (o) => (o["reserved"] = [{ name: "x", start: "0x10", end: "0x8" }]),
      'field "reserved[0].end" must be above start (0x10), got "0x8"',
    ],
    [
      "puckjs",
      "reserved without a name",
      (o) => (o["reserved"] = [{ start: 0, end: 1 }]),
      'field "reserved[0].name" must be a non-empty string, got nothing',
    ],
    [
      "puckjs",
      "storagePrefix on a flash board",
      (o) => (o["storagePrefix"] = "x"),
      'field "storagePrefix" is only used by the "storage" backend',
    ],
    [
      "puckjs",
      "spi on a flash board",
      (o) => (o["spi"] = {}),
      'field "spi" is only used by the "spinor" backend',
    ],
    [
      "puckjs",
      "sources missing a citation",
      (o) => delete (o["sources"] as Record<string, unknown>)["jsvars"],
      'field "sources" must cite where "jsvars" comes from',
    ],
    [
      "puckjs",
      "sources citing a non-field",
      (o) => ((o["sources"] as Record<string, unknown>)["flashSize"] = "x"),
      'field "sources.flashSize" cites a field the board does not have',
    ],
    [
      "puckjs",
      "empty citation",
      (o) => ((o["sources"] as Record<string, unknown>)["part"] = " "),
      'field "sources.part" must be a non-empty citation, got " "',
    ],
    [
      "linux",
      "storage without a prefix",
      (o) => delete o["storagePrefix"],
      'field "storagePrefix" is required by the "storage" backend',
    ],
    [
      "linux",
      "storage prefix too long",
      (o) => (o["storagePrefix"] = "a".repeat(27)),
      'field "storagePrefix" must be letters, digits, _ . or -, short enough that',
    ],
    [
      "linux",
      "storage prefix with a space",
      (o) => (o["storagePrefix"] = "mt d"),
      'field "storagePrefix" must be letters, digits, _ . or -',
    ],
    [
      "linux",
      "storage with an address",
      (o) => (o["start"] = 4096),
      'field "start" must be 0 for the "storage" backend (it has no address), got 4096',
    ],
    [
      "pico",
      "storage log bigger than half of Storage",
      (o) => (o["size"] = 6 * 4096),
      'field "size" needs 24768 bytes of Storage (files and headers): at most half the Storage area (49152 bytes), got 24576',
    ],
  ];
  for (const [id, what, change, message] of cases) {
    it(id + ": " + what, () => {
      const m = errorOf(id, change);
      expect(m.startsWith("boards/" + id + ".json: ")).toBe(true);
      expect(m).toContain(message);
    });
  }

  it("a non-object", () => {
    expect(() => validateBoard([], "boards/x.json")).toThrow(
      "boards/x.json: a board file must hold a JSON object",
    );
  });

  it("spinor: spi pins and the part's program page are checked", () => {
    const spinor = (): Record<string, unknown> => {
      const o = raw("esp32");
      o["id"] = "ext";
      o["backend"] = "spinor";
      o["start"] = 0;
      o["part"] = "w25q128jv";
      o["chip"] = { start: 0, size: "0x1000000" };
      o["reserved"] = [];
      o["spi"] = { cs: "D14", sck: "D16", mosi: "D15", miso: "D13", baud: 8000000 };
      (o["sources"] as Record<string, string>)["spi"] = "test";
      return o;
    };
    const ok = validateBoard(spinor(), "ext");
    expect(ok.spi).toEqual({ cs: "D14", sck: "D16", mosi: "D15", miso: "D13", baud: 8000000 });
    const bad = (change: (o: Record<string, unknown>) => void): string => {
      const o = spinor();
      change(o);
      try {
        validateBoard(o, "ext.json");
      } catch (e) {
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(bad((o) => delete o["spi"])).toBe(
      'ext.json: field "spi" is required by the "spinor" backend',
    );
    expect(bad((o) => ((o["spi"] as Record<string, unknown>)["cs"] = "14"))).toBe(
      'ext.json: field "spi.cs" must be a pin name such as "D14", got "14"',
    );
    expect(bad((o) => ((o["spi"] as Record<string, unknown>)["miso"] = "D15"))).toBe(
      'ext.json: field "spi.miso" must differ from the other SPI pins, got "D15"',
    );
    expect(bad((o) => ((o["spi"] as Record<string, unknown>)["baud"] = 9600))).toBe(
      'ext.json: field "spi.baud" must be a whole number from 100000 to 80000000, got 9600',
    );
    expect(bad((o) => ((o["spi"] as Record<string, unknown>)["wp"] = "D31"))).toBe(
      'ext.json: field "spi.wp" is not an SPI field (cs, sck, mosi, miso, baud)',
    );
    expect(bad((o) => (o["pageSize"] = 512))).toBe(
      'ext.json: field "pageSize" must be at most part w25q128jv\'s program page 256, got 512',
    );
    expect(bad((o) => (o["storagePrefix"] = "x"))).toBe(
      'ext.json: field "storagePrefix" is only used by the "storage" backend',
    );
  });

  it("returns a BoardDefinition with exactly the fields given", () => {
    const b: BoardDefinition = loadBoard("linux");
    expect(Object.keys(b).sort()).toEqual(
      [
        "backend",
        "eraseSize",
        "id",
        "jsvars",
        "name",
        "pageSize",
        "part",
        "progUnit",
        "recordSize",
        "reserved",
        "resetReason",
        "ringSize",
        "size",
        "sources",
        "start",
        "storagePrefix",
      ].sort(),
    );
  });
});
