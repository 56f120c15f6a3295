// The web page (src/web): `npm run web` serves it, `npm run build:web` (part of `npm run
// build`) writes a static folder, dist/web, that works from any static host (relative
// asset paths). The firmware the page installs is built here, at build time, by the
// firmware build itself (scripts/web-firmware.ts -> scripts/build-firmware.ts): the page
// gets each board's Storage files as the build produced them, names and count included.

import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import type { Plugin } from "vite";

const root = path.dirname(fileURLToPath(import.meta.url));
const VIRTUAL = "virtual:mtdoops-firmware";

function firmwareManifest(): Plugin {
  let json: string | null = null;
  return {
    name: "mtdoops-firmware",
    resolveId(id) {
      return id === VIRTUAL ? "\0" + VIRTUAL : null;
    },
    load(id) {
      if (id !== "\0" + VIRTUAL) return null;
      json ??= execFileSync(
        process.execPath,
        ["--import", "tsx", path.join(root, "scripts", "web-firmware.ts")],
        {
          cwd: root,
          encoding: "utf8",
          maxBuffer: 64 * 1024 * 1024,
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      return "export default " + json + ";";
    },
  };
}

export default defineConfig({
  root: path.join(root, "src", "web"),
  base: "./",
  publicDir: false,
  plugins: [firmwareManifest()],
  build: {
    outDir: process.env["MTDOOPS_WEB_OUT"] ?? path.join(root, "dist", "web"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    // The firmware build inside the manifest plugin takes most of the build's time, by design.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: { host: "127.0.0.1", port: 5173 },
  preview: { host: "127.0.0.1", port: 4173 },
});
