import { runFaults } from "/work/wt-hardening/test/hardening/faults.js";
const r = runFaults(Number(process.argv[2]), 25);
console.log(process.argv[2], r.runs, r.hangs, r.lost, r.messages.join("\n").slice(0, 2000));
