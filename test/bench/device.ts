// npm run bench:device [-- --json]: what the logger costs the board, on the real Espruino
// interpreter (the Linux builds named by ESPRUINO_BIN, and ESPRUINO_SMALL_BIN for the
// Puck.js-sized 2630-JsVar pool), each scenario with and without the logger in one run.
// Times are ratios to L (docs/FOOTPRINT.md says what they mean on a 64 MHz board). Prints
// one JSON object (the last line with --json) and one summary line (deviceSummary in
// device-measure.ts).
// Without ESPRUINO_BIN it prints `null` (with --json) and says why. --quick times each
// boot once and leaves out the memory scenarios (the bench's quick mode, in CI).

import { deviceSummary, measureDevice } from "./device-measure.js";
import { interpreters } from "../espruino/espruino-process.js";
import { nothingMeasured, runScript, scriptFlags } from "./script-cli.js";

async function main(): Promise<void> {
  const { json, quick } = scriptFlags(
    "bench:device",
    "npm run bench:device [-- --json] [--quick]",
    ["json", "quick"] as const,
  );
  const bins = interpreters();
  if (!bins.stock)
    nothingMeasured("bench:device", "ESPRUINO_BIN is not set: no interpreter to measure on", json);
  // --quick (the bench's quick mode in CI): one boot timing each, no memory scenarios.
  const d = await measureDevice(bins.stock, quick ? undefined : bins.small, quick ? 1 : 3);
  const line = deviceSummary(d);
  if (json) {
    process.stderr.write(line + "\n");
    process.stdout.write(JSON.stringify(d) + "\n");
  } else {
    process.stdout.write(JSON.stringify(d, null, 2) + "\n" + line + "\n");
  }
}

runScript("bench:device", main);
