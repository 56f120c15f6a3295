// Loading the firmware's on-demand Storage modules (the mount at boot, the retrieval per
// host command: docs/FIRMWARE.md, "Files"). Resident. Device code (docs/DIALECT.md).

import { MIN_FREE } from "./env.js";

/** A module's entry: the log's state, then the call's own arguments. */
type Module = (log: unknown, a: unknown, b: unknown, c: unknown, d: unknown) => unknown;

/**
 * Loads the Storage module `file`, calls it with `log` and the arguments, and drops it:
 * what it made is freed when it returns. A module that is missing, or that cannot load or
 * run (out of memory), prints MTDOOPS:ERROR and gives false: a caller that is a hook must
 * not throw, or its own failure would be the next uncaught exception.
 */
export function runModule(
  file: string,
  log: unknown,
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
): unknown {
  // require and eval through `global`, so that the bundler leaves them alone.
  const g = global as unknown as {
    require: (n: string) => StorageModule;
    eval: (code: string) => Module;
  };
  try {
    let code = g.require("Storage").read(file);
    if (code === undefined) throw new Error(file + " missing");
    // The code is copied into RAM when there is plenty of room. Where Storage is not
    // memory-mapped (SPI flash, as on Bangle.js 2, and the Linux build), code run from it
    // is read from flash 16 bytes at a time (src/jsvariterator.h,
    // ESPR_JSVAR_FLASH_BUFFER_SIZE) every time it is parsed: when the module is evaluated,
    // and again at each call and each pass of a loop. Measured on the Linux build, a boot
    // made 6121 flash reads with the mount module run from Storage and 2499 with it copied
    // first (the copy is one pass, about 0.6 L per KB). A module runs once and is dropped,
    // so the copy is freed with it. Memory-mapped Storage (internal flash on nRF52 and
    // STM32) is already as fast as RAM.
    //
    // Running out of memory interrupts the whole script in Espruino (it is not an
    // exception to catch), so the copy is tried only with room to spare: it takes about
    // n/13 JsVars for n bytes on the smallest boards (measured on a 2630-JsVar build), and
    // the module's functions copy their own code again while it is loaded. A board with
    // less runs the module from Storage. Appending copies it into ordinary string blocks,
    // which need not be contiguous: a flat copy (E.toString of a Uint8Array) can fail on a
    // fragmented heap even with room to spare, and that failure would stop the boot.
    // Written here, not as a helper: a resident function holds RAM for good.
    // Free memory as record() in api.ts counts it: collected first only when short.
    const need = (code.length >> 2) + MIN_FREE;
    if (
      !E.getAddressOf(code, true) &&
      (process.memory(false).free >= need || process.memory().free >= need)
    )
      try {
        code = "" + code;
      } catch (e) {
        // run it from Storage
      }
    return g.eval(code)(log, a, b, c, d);
  } catch (x) {
    print("MTDOOPS:ERROR " + ((x as Error).message || x));
    return false;
  }
}
