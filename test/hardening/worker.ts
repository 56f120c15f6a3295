// One CPU-bound piece of the campaign in its own process (the campaign runs two fuzz
// workers and the fault workloads side by side on CI's two cores): prints its result as
// JSON on the last line of stdout.
//   node --import tsx test/hardening/worker.ts fuzz <seed> <count> <start>
//   node --import tsx test/hardening/worker.ts faults <seed> <runsPerBoard>

import { runFaults } from "./faults.js";
import { runFuzz } from "./fuzz.js";

const [kind, seed, a, b] = process.argv.slice(2);
if (kind === "fuzz") {
  // The scaling probe runs once in the campaign process, alone (run.ts).
  process.stdout.write(
    JSON.stringify(runFuzz(Number(seed), Number(a), Number(b ?? 0), false)) + "\n",
  );
} else if (kind === "faults") {
  process.stdout.write(JSON.stringify(runFaults(Number(seed), Number(a))) + "\n");
} else {
  process.stderr.write(
    "usage: worker.ts fuzz <seed> <count> <start> | faults <seed> <runsPerBoard>\n",
  );
  process.exit(2);
}
