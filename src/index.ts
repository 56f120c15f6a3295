// Package root: the one implementation that the firmware, the CLI, the web page and the
// virtual board share.

export * from "./core/flash.js";
export * from "./core/crc32.js";
export * from "./core/seq.js";
export * from "./core/record.js";
export * from "./core/ring.js";
export * from "./core/scheduler.js";
export * from "./core/log.js";
export * from "./core/protocol.js";
export * from "./host/protocol-parser.js";
export * from "./sim/nor-flash.js";
export * from "./boards/parts.js";
export * from "./sim/prng.js";
export * from "./sim/virtual-scheduler.js";
export * from "./host/decoded-record.js";
export * from "./host/linux-mtdoops.js";
export * from "./host/seq-order.js";
export * from "./codec/heatshrink.js";
export type * from "./boards/schema.js";
