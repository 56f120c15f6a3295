import { Reason } from "./src/core/record.js";
import { SimulatedNorFlash } from "./src/sim/nor-flash.js";
import { bootBoard, peekRecord } from "./test/helpers/model.js";
const g = { size: 4 * 4096, eraseSize: 4096, progUnit: 1, pageSize: 256, erasedValue: 0xff };
const flash = new SimulatedNorFlash({ geometry: g, strict: true });
const opts = { loopThreshold: 0, maxRecordsPerBoot: 1000 };
let b = bootBoard(flash, 1024, opts);
const script = "q r q p p d d q d p q r F2 p q d p F0 q q r q d p q r";
let id = 0;
const show = (w: string) => { const s=[]; for (let i=0;i<16;i++){ const r=peekRecord(flash,1024,i); s.push(r? r.seq : "."); } console.log(w, s.join(" "), "next", b.log.nextSlot, b.log.nextSeq); };
for (const a of script.split(" ")) {
  if (a === "p") b.log.panic('{"id":' + id++ + "}");
  else if (a === "d" || a === "q") { b.log.dump(Reason.OOPS, '{"id":' + id++ + "}"); if (a === "d") b.sched.runAll(); }
  else if (a === "r") b.sched.runAll();
  else flash.failBlock(Number(a.slice(1)), { erase: true, mode: "noop" });
  show(a);
}
b = bootBoard(flash, 1024, opts);
show("mount"); console.log(b.info);
