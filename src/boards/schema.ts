// The shape of a board definition (boards/<id>.json). Data only: the firmware gets the
// parsed object baked into its bundle; the host tools read the same file. Its JSON shape is
// boards/board.schema.json (which editors use too); the loader (src/boards/load.ts) checks
// that and the rest, and names the file and field on error.

/** Where the log's partition lives on a board, and how it is written. */
export type BackendKind =
  /** Internal flash through require("Flash"): a raw region outside firmware and Storage. */
  | "flash"
  /** External SPI NOR through the SPI class (JEDEC commands). */
  | "spinor"
  /** One pre-allocated Storage file per erase block, "erased" by re-creating it. */
  | "storage";

export interface SpiPins {
  cs: string;
  sck: string;
  mosi: string;
  miso: string;
  baud: number;
}

export interface BoardDefinition {
  /** File name without .json: "puckjs". */
  id: string;
  /** Human name: "Puck.js". */
  name: string;
  backend: BackendKind;
  /**
   * "flash"/"spinor": absolute address of the partition on the chip (Flash addresses or
   * SPI NOR addresses). "storage": unused (0).
   */
  start: number;
  /** Partition size in bytes: a whole number of erase blocks, at least 2. */
  size: number;
  eraseSize: number;
  progUnit: number;
  pageSize: number;
  /** Bytes per record slot: a power of two, 64..eraseSize. */
  recordSize: number;
  /** Console ring size in bytes (RAM). */
  ringSize: number;
  /** Timing part for the simulator: a name from src/boards/parts.ts. */
  part: string;
  /** JsVars the board has (process.memory().total). */
  jsvars: number;
  /** How the firmware learns the reset reason. */
  resetReason: "nrf52" | "esp8266" | "none";
  /** "storage" backend: file name prefix (the files are prefix + block number). */
  storagePrefix?: string;
  /** "spinor" backend. */
  spi?: SpiPins;
  /**
   * Areas the partition must not overlap, checked at boot against what the firmware reports
   * (Storage area, firmware image): [start, end) pairs known at build time.
   */
  reserved?: Array<{ name: string; start: number; end: number }>;
  /**
   * "flash"/"spinor": the whole chip the partition is on (internal flash at its bus address,
   * or the SPI NOR from 0). The loader checks that the partition lies inside it.
   */
  chip?: { start: number; size: number };
  /** Where each fact comes from: field name -> citation. */
  sources: Record<string, string>;
}
