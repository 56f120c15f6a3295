// Loading the firmware's on-demand Storage modules (the mount at boot, the retrieval per
// host command: docs/FIRMWARE.md, "Files"). Resident. Device code (docs/DIALECT.md).

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
    const code = g.require("Storage").read(file);
    if (code === undefined) throw new Error(file + " missing");
    return g.eval(code)(log, a, b, c, d);
  } catch (x) {
    print("MTDOOPS:ERROR " + ((x as Error).message || x));
    return false;
  }
}
