// Checking an output folder (--out) before a command starts: where it would be created
// must be a writable folder on a real file system. /proc and /sys are not (Node's
// recursive mkdir even loops for ever under /proc), and a file in the path is no folder.

import { accessSync, constants, statSync, statfsSync } from "node:fs";
import path from "node:path";
import { CliError } from "./io.js";

/** Kernel pseudo file systems (statfs f_type, linux/magic.h): nothing is saved there. */
const PSEUDO_FS = new Map<number, string>([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x64626720, "debugfs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
]);

/** Throws a CliError unless `dir` is, or can be created as, a folder to save files in. */
export function checkOutputDir(option: string, dir: string, cwd: string): string {
  const abs = path.resolve(cwd, dir);
  let probe = abs;
  for (;;) {
    let st;
    try {
      st = statSync(probe);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        const up = path.dirname(probe);
        if (up === probe) break;
        probe = up;
        continue;
      }
      if (code === "ENOTDIR")
        throw new CliError(`${option} ${dir}: a part of the path is a file, not a folder`);
      throw new CliError(`${option} ${dir}: ${(e as Error).message}`);
    }
    if (!st.isDirectory()) {
      throw new CliError(
        probe === abs
          ? `${option} ${dir} is not a folder: give a folder (it is created when missing)`
          : `${option} ${dir}: ${probe} is a file, not a folder`,
      );
    }
    try {
      const fsType = statfsSync(probe).type;
      const pseudo = PSEUDO_FS.get(fsType);
      if (pseudo)
        throw new CliError(
          `${option} ${dir} is on the kernel's ${pseudo} file system, where no file can be saved: give another folder`,
        );
    } catch (e) {
      if (e instanceof CliError) throw e;
      // statfs is not available everywhere: the access check below still holds.
    }
    try {
      accessSync(probe, constants.W_OK);
    } catch {
      throw new CliError(`${option} ${dir}: ${probe} is not writable (permission denied)`);
    }
    break;
  }
  return abs;
}
