// Host-side helpers of the firmware builds (scripts/build-firmware.ts, the virtual board's
// buildFirmwareBundle). Not device code, and kept out of src/boards/firmware-files.ts, which
// the firmware imports: the property-name analysis (scripts/mangle-names.ts) reads every
// file the firmware imports, and the field names listed here would then keep their spelling.

/**
 * Makes esbuild's ESM output of a module whose only export is its default into one
 * expression, `(function(){...;return f})()`, whose value eval() returns (lib() in
 * firmware/flash-util.ts). Host code (the builds).
 */
export function wrapModule(esm: string): string {
  const m = /export\s*\{\s*([\w$]+)\s+as\s+default\s*\};?\s*$/.exec(esm);
  if (!m) throw new Error("module output has no single default export");
  return "(function(){" + esm.slice(0, m.index).trimEnd() + "\nreturn " + m[1] + "})()\n";
}

/**
 * The board fields the resident firmware reads, the JSON baked into .boot0: every other
 * field would cost JsVars on the board for nothing. The reserved areas go to the mount
 * module only (mountEntrySource). Host code (the builds).
 */
export const RESIDENT_FIELDS = [
  "id",
  "backend",
  "start",
  "size",
  "eraseSize",
  "progUnit",
  "pageSize",
  "recordSize",
  "ringSize",
  "storagePrefix",
  "spi",
] as const;

/** The generated entry of the mount module: firmware/mount.ts with the board's reserved areas baked in. */
export function mountEntrySource(mountTs: string, reserved: unknown): string {
  return (
    "import m from " +
    JSON.stringify(mountTs.split("\\").join("/")) +
    ";\nconst r = " +
    JSON.stringify(reserved || []) +
    ";\nexport default function (b: any, l: any): any {\n  return m(b, l, r);\n}\n"
  );
}
