// BENCHMARKS.md and its plots from one bench run. Host-only; bench code.

import { heatshrinkCompress } from "../../src/codec/heatshrink.js";
import { getPart } from "../../src/boards/parts.js";
import { consoleLog } from "./console-log.js";
import { mountReadGoal } from "./mount-reads.js";
import type { BenchDetails } from "./run.js";
import { linePlot } from "./svg.js";
import { BLE_20B, SERIAL_115200 } from "./limits.js";

export interface Report {
  markdown: string;
  /** File name (under docs/bench/) -> SVG text. */
  svgs: Record<string, string>;
}

const f2 = (n: number): string => n.toFixed(2);
const f3 = (n: number): string => n.toFixed(3);
const yes = (b: boolean): string => (b ? "yes" : "**no**");

function table(head: string[], rows: (string | number)[][]): string {
  return [
    "| " + head.join(" | ") + " |",
    "|" + head.map((_h, i) => (i === 0 ? "---" : "---:")).join("|") + "|",
    ...rows.map((r) => "| " + r.join(" | ") + " |"),
  ].join("\n");
}

/** The report for `d`, whose JSON object is `json`. */
export function renderReport(d: BenchDetails, json: Record<string, unknown>): Report {
  const svgs: Record<string, string> = {};
  const md: string[] = [];
  const ids = d.boards.map((b) => b.id);
  const panicRatio = json["panicLatencyRatio"] as Record<string, number>;
  const wire = json["wireBytesPerLogByte"] as { plain: number; compressed: number };
  const retrieval = json["retrievalTimeRatio"] as { serial115200: number; ble: number };
  const mountOk = d.mounts.every((m) => m.reads <= mountReadGoal(m.slots));
  const survivalOk = ids.every(
    (id) =>
      d.storms[id]!.bootloop.firstKeptWheneverPromised &&
      d.storms[id]!.burst.firstKeptWheneverPromised,
  );
  const wearSpread = json["wearSpread"] as number;
  const erasesRatio = json["erasesPerRecordRatio"] as number;
  const minYears = Math.min(...ids.map((id) => d.crashLoop[id]!.enduranceYears));
  const panicMissed = ids.filter((id) => panicRatio[id]! > 1.05);

  md.push("# Benchmarks");
  md.push("");
  md.push(
    "Written by `npm run bench` (test/bench/run.ts, " +
      d.mode +
      " run). Every figure is a ratio or a count taken in " +
      "one run on the simulated flash (src/sim/nor-flash.ts) with each board's part timing model (src/boards/parts.ts), " +
      "so it does not depend on the machine; only the simulator speeds at the end are absolute. " +
      "`npm run bench -- --json` prints the same figures as one JSON object. The comparison is a model of Linux's " +
      "mtdoops (test/bench/mtdoops-model.ts, after drivers/mtd/mtdoops.c: the whole record_size programmed per dump, " +
      "every slot's header read at attach, the erase of the next used block at attach and in a panic, `dump_oops=1`) " +
      "on the same geometry and part; its tests (test/bench/mtdoops-model-*.test.ts) show it does what the kernel's " +
      "functions do.",
  );
  md.push("");
  md.push("### The mtdoops model");
  md.push("");
  md.push(
    "What it does, by kernel function (drivers/mtd/mtdoops.c, v6.x): `mtdoops_do_dump` ignores oopses unless " +
      "`dump_oops`, copies the youngest whole lines that fit into the one shared `oops_buf`, writes a panic at " +
      "once and an oops from the write work (a second oops before that work runs replaces the first); " +
      "`mtdoops_write` programs the whole `record_size` (16-byte v2 header, text, 0xFF tail) without checking the " +
      "slot is erased; `mtdoops_inc_counter` erases the next block at once in a panic, from the erase work " +
      "otherwise, when its slot is used; `find_next_position` reads one header per slot at every attach. Two " +
      "liberties, neither against mtdoops: `record_size` may be below 4096 (the kernel wants a multiple of 4096) " +
      "so that it runs our boards' slot geometry, and the flash driver is assumed to have `_panic_write` " +
      "(without it every panic is lost).",
  );
  md.push("");
  md.push(
    "One finding: mtdoops erases at attach only when the slot after the newest record is *used*. In steady " +
      "state it is not: the write that filled a block already had the next block erased, so a quiet boot erases " +
      "nothing. The boot erase happens when the previous boot ended between a write and the erase work it " +
      "scheduled (a reset right after an oops; on kernels before the panic-path erase of ≈6.2, every panic that " +
      "filled a block), and then it destroys that block's records without a crash. The model does exactly this " +
      "(test/bench/mtdoops-model-attach.test.ts); the erase counts below are the same either way, only their " +
      "timing moves.",
  );
  md.push("");
  md.push("## Summary");
  md.push("");
  md.push(
    table(
      ["figure", "this run", "goal", "met"],
      [
        [
          "panicLatencyRatio (worst board)",
          f3(Math.max(...Object.values(panicRatio))),
          "≤ 1.05",
          yes(panicMissed.length === 0),
        ],
        [
          "mtdoopsPanicLatencyRatio (worst board)",
          f2(
            Math.max(...Object.values(json["mtdoopsPanicLatencyRatio"] as Record<string, number>)),
          ),
          "reported",
          "",
        ],
        [
          "mountHeaderReads at 4096 slots (mtdoops)",
          String(d.mounts[d.mounts.length - 1]!.reads) +
            " (" +
            d.mounts[d.mounts.length - 1]!.mtdoopsReads +
            ")",
          "≤ 2⌈log2 N⌉+4 = " + mountReadGoal(d.mounts[d.mounts.length - 1]!.slots),
          yes(mountOk),
        ],
        [
          "survival: first crash kept whenever promised",
          survivalOk ? "every board, every K" : "not always",
          "always",
          yes(survivalOk),
        ],
        [
          "wireBytesPerLogByte plain / compressed",
          f3(wire.plain) + " / " + f3(wire.compressed),
          "compressed ≤ 0.7",
          yes(wire.compressed <= 0.7),
        ],
        [
          "retrievalTimeRatio serial / BLE",
          f3(retrieval.serial115200) + " / " + f3(retrieval.ble),
          "≤ 1.1",
          yes(retrieval.serial115200 <= 1.1 && retrieval.ble <= 1.1),
        ],
        [
          "wearSpread after 10,000 records (worst board)",
          String(wearSpread),
          "≤ 1",
          yes(wearSpread <= 1),
        ],
        ["erasesPerRecordRatio (worst board)", f3(erasesRatio), "≤ 1.0", yes(erasesRatio <= 1)],
        [
          "crash-loop endurance, years (worst board)",
          (d.crashLoop[ids[0]!]!.enduranceYearsIsLowerBound ? "≥ " : "") + f2(minYears),
          "≥ 10",
          yes(minYears >= 10),
        ],
        ["simOpsPerSecond", Math.round(d.simOps).toLocaleString("en-US"), "reported", ""],
        [
          "powerlossScenariosPerSecond",
          Math.round(d.powerloss.perSecond).toLocaleString("en-US"),
          "reported",
          "",
        ],
      ],
    ),
  );
  md.push("");

  // ---------------------------------------------------------------- panic latency
  md.push("## Panic latency");
  md.push("");
  md.push(
    "Simulated flash time from the panic to its committed record, divided by the time the part needs to program " +
      "exactly the record's bytes once (header, payload, commit marker; no erase, one program per program page). " +
      "Each panic comes in a boot of its own, over several laps of the ring. *Full*: the console ring was full " +
      "(the board ran a while); *short*: 200 bytes of console (just after boot). mtdoops's minimum is its own " +
      "record: the 16-byte header and the text. Its *handler* column is the whole panic call, which on the v6.x " +
      "driver also erases the next block when it is used (mtdoops_inc_counter). The JSON's figure per board is " +
      "the worse of full and short.",
  );
  md.push("");
  md.push(
    table(
      [
        "board",
        "part",
        "record",
        "ours full",
        "ours short",
        "mtdoops full",
        "mtdoops short",
        "mtdoops handler (short)",
      ],
      d.boards.map((b) => {
        const p = d.panic[b.id]!;
        return [
          b.id,
          b.part,
          b.recordSize,
          f3(p.full.ratio),
          f3(p.short.ratio),
          f3(p.mtdFull.ratio),
          f3(p.mtdShort.ratio),
          f2(p.mtdShort.handlerRatio),
        ];
      }),
    ),
  );
  md.push("");
  md.push(
    "Ours can come out below 1: the minimum counts the 16 bytes at the start of the slot (commit word, freed " +
      "word, padding), and a panic programs only the commit word of those; the freed word is programmed when the " +
      "host frees the record. mtdoops on a full console is near 1 too (the text fills its record); with a short " +
      "console it still programs the whole record_size, hence its ratio of record_size / (16 + text). " +
      "The log runs here on the partition's raw geometry and part; on the boards whose backend is a Storage " +
      "file (" +
      d.boards
        .filter((b) => b.backend === "storage")
        .map((b) => b.id)
        .join(", ") +
      ") the firmware " +
      "goes through Espruino's Storage, whose own cost is not in this figure (the device figures below " +
      "include it).",
  );
  md.push("");
  if (panicMissed.length > 0) {
    md.push(
      "**Missed on " +
        panicMissed.join(", ") +
        ".** A panic is two programs, the record and then its commit word (the " +
        "commit word last is what makes a torn record detectable, DESIGN.md). On a part whose per-program setup " +
        "is large against the record's programming time, the second setup is the whole overhead. The `linux-file` " +
        "part (Espruino's Linux build, whose flash is a file) charges a 1 µs setup against 0.01 µs a byte, so a " +
        "500-byte record costs 6 µs and the commit word adds 1 µs. Those figures are placeholders (src/boards/parts.ts " +
        "marks them as estimates), not a physical chip. Closing it would mean giving up the separate commit " +
        "program, i.e. power-loss safety; we keep it.",
    );
    md.push("");
  }

  // ---------------------------------------------------------------- mount
  md.push("## Mount cost against slot count");
  md.push("");
  md.push(
    "Slot headers a mount reads in the normal case: a ring that has wrapped, the write point at " +
      (d.mode === "quick" ? 3 : 9) +
      " places over the second lap (the most is shown). SPI NOR partitions with 4 KB " +
      "blocks and 256-byte slots (512 below 32 slots). mtdoops's attach (find_next_position) reads every slot's " +
      "header; ours binary-searches the slot-tied seq and checks its answer (DESIGN.md). *Other bytes*: our mount's " +
      "other reads, the erased check of the rest of the write point's block and the newest record's CRC.",
  );
  md.push("");
  md.push(
    table(
      ["slots", "ours", "goal 2⌈log2 N⌉+4", "mtdoops", "ours: other bytes read", "full scan"],
      d.mounts.map((m) => [
        m.slots,
        m.reads,
        mountReadGoal(m.slots),
        m.mtdoopsReads,
        m.otherReadBytes,
        m.fullScan ? "yes" : "no",
      ]),
    ),
  );
  md.push("");
  if (d.mounts.some((m) => m.reads > mountReadGoal(m.slots))) {
    md.push(
      "**Ours misses the goal beyond a few blocks.** After its binary search the mount checks every " +
        "erase block for a record newer than the one it found (here 2 header reads per block: the first " +
        "slot twice when it holds a record, since one flipped bit in a single read could hide a newer one; " +
        "the first and the last slot when the first reads erased). That check is what keeps a block whose erase " +
        "silently did nothing from rewinding seq or putting a stale lap in the listing (DESIGN.md, " +
        '"Limits"; test/log-faults-property.test.ts), so the reads grow with the block count, not with ' +
        "log2 of the slots. What would close it: a persistent bad-block mark (a small record kept in the " +
        "first slot of a block that failed to erase), so that the mount checks only marked blocks.",
    );
    md.push("");
  }
  svgs["mount-reads.svg"] = linePlot({
    title: "Header reads at mount",
    xLabel: "slots",
    yLabel: "headers read",
    xLog2: true,
    series: [
      {
        name: "mtdoops",
        color: "#c0392b",
        points: d.mounts.map((m) => [m.slots, m.mtdoopsReads] as const),
      },
      { name: "ours", color: "#2471a3", points: d.mounts.map((m) => [m.slots, m.reads] as const) },
      {
        name: "goal 2⌈log2 N⌉+4",
        color: "#7f8c8d",
        dashed: true,
        points: d.mounts.map((m) => [m.slots, mountReadGoal(m.slots)] as const),
      },
    ],
  });
  svgs["mount-reads-ours.svg"] = linePlot({
    title: "Header reads at mount (ours, with the goal)",
    xLabel: "slots",
    yLabel: "headers read",
    xLog2: true,
    series: [
      { name: "ours", color: "#2471a3", points: d.mounts.map((m) => [m.slots, m.reads] as const) },
      {
        name: "goal 2⌈log2 N⌉+4",
        color: "#7f8c8d",
        dashed: true,
        points: d.mounts.map((m) => [m.slots, mountReadGoal(m.slots)] as const),
      },
    ],
  });
  md.push("![Header reads at mount, ours and mtdoops](docs/bench/mount-reads.svg)");
  md.push("");
  md.push("![Header reads at mount, ours against the goal](docs/bench/mount-reads-ours.svg)");
  md.push("");

  // ---------------------------------------------------------------- survival
  md.push("## Survival under crash storms");
  md.push("");
  md.push(
    "A storm of K crashes (K = 1 … 4 × slots) on a partition that already holds a lap of older records. " +
      "*Boot loop*: the app crashes 2 s into every boot, K boots. *Burst*: K crashes a second apart in one boot, " +
      "a minute after boot. *Kept*: the storm's crashes still on flash afterwards; *first*: whether the storm's " +
      "first crash (usually the root cause) is among them. Our crash-loop guard stops writing once three boots in " +
      "a row crashed early, and a boot writes at most 8 records (SPEC.md §5): both keep the first crashes, and " +
      "promise to whenever what the storm may write fits in the blocks the erase-ahead leaves alone. mtdoops " +
      "writes every crash and keeps the newest, so the first is gone once K passes its capacity.",
  );
  md.push("");
  md.push(
    table(
      [
        "board",
        "slots",
        "boot loop: kept at K=4N (mtdoops)",
        "first kept at K=4N (mtdoops)",
        "burst: kept at K=4N (mtdoops)",
        "first kept at K=4N (mtdoops)",
        "first kept whenever promised",
      ],
      d.boards.map((b) => {
        const s = d.storms[b.id]!;
        const lb = s.bootloop.points[s.bootloop.points.length - 1]!;
        const lu = s.burst.points[s.burst.points.length - 1]!;
        return [
          b.id,
          s.bootloop.slots,
          lb.kept + " (" + lb.mtdoopsKept + ")",
          (lb.firstKept ? "yes" : "no") + " (" + (lb.mtdoopsFirstKept ? "yes" : "no") + ")",
          lu.kept + " (" + lu.mtdoopsKept + ")",
          (lu.firstKept ? "yes" : "no") + " (" + (lu.mtdoopsFirstKept ? "yes" : "no") + ")",
          yes(s.bootloop.firstKeptWheneverPromised && s.burst.firstKeptWheneverPromised),
        ];
      }),
    ),
  );
  md.push("");
  const notPromised = d.boards.filter((b) => d.storms[b.id]!.burst.points.some((p) => !p.promised));
  if (notPromised.length > 0) {
    md.push(
      "Not promised: a burst of more than " +
        notPromised
          .map(
            (b) =>
              (b.size / b.eraseSize - 1) * (b.eraseSize / b.recordSize) + " crashes on " + b.id,
          )
          .join(", ") +
        ": the per-boot cap (8) is more than those partitions always keep, so the erase-ahead may take the " +
        "block with the first crash. A cap of min(8, (blocks − 1) × slots per block) would make the promise hold " +
        "there; that is a change to the admission in src/core/log-core.ts `dump()`, the write path, left to its owner.",
    );
    md.push("");
  }
  for (const b of d.boards) {
    const s = d.storms[b.id]!;
    svgs["survival-" + b.id + ".svg"] = linePlot({
      title: "Storm crashes kept on " + b.id + " (" + s.bootloop.slots + " slots)",
      xLabel: "crashes in the storm (K)",
      yLabel: "storm records on flash",
      series: [
        {
          name: "mtdoops, boot loop",
          color: "#c0392b",
          points: s.bootloop.points.map((p) => [p.k, p.mtdoopsKept] as const),
        },
        {
          name: "mtdoops, burst",
          color: "#e59866",
          dashed: true,
          points: s.burst.points.map((p) => [p.k, p.mtdoopsKept] as const),
        },
        {
          name: "ours, boot loop",
          color: "#2471a3",
          points: s.bootloop.points.map((p) => [p.k, p.kept] as const),
        },
        {
          name: "ours, burst",
          color: "#76d7c4",
          dashed: true,
          points: s.burst.points.map((p) => [p.k, p.kept] as const),
        },
      ],
    });
    svgs["first-kept-" + b.id + ".svg"] = linePlot({
      title: "Is the storm's first crash on flash? (" + b.id + ", 1 = yes)",
      xLabel: "crashes in the storm (K)",
      yLabel: "first crash kept",
      series: [
        {
          name: "mtdoops",
          color: "#c0392b",
          points: s.bootloop.points.map((p) => [p.k, p.mtdoopsFirstKept ? 1 : 0] as const),
        },
        {
          name: "ours (boot loop and burst)",
          color: "#2471a3",
          points: s.bootloop.points.map(
            (p, i) => [p.k, p.firstKept && s.burst.points[i]!.firstKept ? 1 : 0] as const,
          ),
        },
      ],
    });
  }
  for (const id of ["puckjs", "esp32"].filter((x) => ids.includes(x))) {
    md.push("![Storm crashes kept on " + id + "](docs/bench/survival-" + id + ".svg)");
    md.push("");
    md.push("![First crash kept on " + id + "](docs/bench/first-kept-" + id + ".svg)");
    md.push("");
  }
  md.push(
    "The other boards: " +
      ids
        .filter((x) => x !== "puckjs" && x !== "esp32")
        .map((x) => "[" + x + "](docs/bench/survival-" + x + ".svg)")
        .join(", ") +
      ".",
  );
  md.push("");

  // ---------------------------------------------------------------- wire
  md.push("## Retrieval: bytes on the wire and time");
  md.push("");
  md.push(
    "On the virtual board, which runs the firmware's own dump path (firmware/read.ts) and protocol " +
      "(src/core/protocol.ts) over the simulated flash: the app prints a realistic log (test/bench/console-log.ts: " +
      "sensor lines that repeat with small changes, BLE notices, warnings, Espruino stack traces) and dies of an " +
      "uncaught error, until every slot holds a crash; then `mtdoops.dump(-1, 0)` (plain) and `mtdoops.dump(-1, 1)` " +
      "(compressed in transit). Wire bytes are the command and every line the board printed; log bytes are the " +
      "console text in the records retrieved. Time: the command at line rate, then the board's lines as it " +
      "printed them on its simulated clock, on " +
      SERIAL_115200.name +
      " and " +
      BLE_20B.name +
      " (one notification " +
      "per connection event, a partial one when fewer bytes wait), over the wire bytes at line rate.",
  );
  md.push("");
  md.push(
    table(
      [
        "board",
        "records",
        "log bytes",
        "wire/log plain",
        "wire/log compressed",
        "time ratio serial (plain, compr.)",
        "time ratio BLE (plain, compr.)",
      ],
      d.wire.map((w) => {
        const r = d.retrieval[w.board]!;
        return [
          w.board,
          w.records,
          w.logBytes,
          f3(w.plainWireBytes / w.logBytes),
          f3(w.compressedWireBytes / w.logBytes),
          f3(r.serialPlain) + ", " + f3(r.serialCompressed),
          f3(r.blePlain) + ", " + f3(r.bleCompressed),
        ];
      }),
    ),
  );
  md.push("");
  md.push(
    "All boards: plain " +
      f3(wire.plain) +
      ", compressed " +
      f3(wire.compressed) +
      " wire bytes per log byte.",
  );
  md.push("");
  // What Espruino's heatshrink makes of this log by itself (a ring's worth at a time).
  let textBytes = 0;
  let packedBytes = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const text = new Uint8Array(Buffer.from(consoleLog(seed, 2048).slice(-2048), "latin1"));
    textBytes += text.length;
    packedBytes += heatshrinkCompress(text).length;
  }
  const hs = packedBytes / textBytes;
  if (wire.compressed > 0.7 || wire.compressed > wire.plain) {
    md.push(
      "**Compressed misses ≤ 0.7" +
        (wire.compressed > wire.plain ? ", and is worse than plain" : "") +
        ".** Three causes, " +
        "measured above: (1) a record whose console does not fit its slot is already stored heatshrink-compressed " +
        "(DESIGN.md §Console ring), and compressing it again in transit only adds heatshrink's overhead; " +
        "firmware/read.ts now sends the `h` encoding only when it is shorter than the record, so compressed is never worse than plain; before that it was sent whenever asked for, even when larger than the " +
        "record. Sending `h` only when it is shorter would make compressed never worse than plain (a firmware " +
        "change, left to its owner). (2) base64 costs 4/3: heatshrink with Espruino's fixed window (8 bits, 256 " +
        "bytes) gets this log to " +
        f3(hs) +
        " of its size (measured in this run, 2 KB at a time), and " +
        f3(hs) +
        " × 4/3 = " +
        f3((hs * 4) / 3) +
        " before the record's 48-byte header, its JSON context and the REC line's fields. (3) Each record carries its context (message, " +
        "stack, memory, versions: about 200 bytes) besides the console. Closing the goal needs a denser line " +
        "encoding than base64 (e.g. base85, 5/4, or Espruino's binary-safe escapes: SPEC.md §7, a protocol " +
        "version change) on top of (1); a stronger compressor is not available on the board.",
    );
    md.push("");
  }
  md.push(
    "The time ratio is the link's own overhead: the command's trip, partial BLE notifications, and the " +
      "flash reads the board makes between lines (its simulated clock). The board's CPU time to format a " +
      "line is not in the simulation; the device figures below (`npm run bench:device`, on the real " +
      "interpreter) are where that cost shows.",
  );
  md.push("");

  // ---------------------------------------------------------------- wear
  md.push("## Wear");
  md.push("");
  md.push(
    "10,000 records in boots of 1 to 8 records (panics and oopses) on a fresh partition. *Spread*: the most " +
      "minus the fewest erases of any block. *Erases per record* over the geometry's minimum, record size / " +
      "erase size (one erase frees a block's slots); it starts below 1 because the first lap needs no erase.",
  );
  md.push("");
  md.push(
    table(
      ["board", "blocks", "spread (mtdoops)", "erases/record ÷ minimum (mtdoops)"],
      d.boards.map((b) => {
        const w = d.wear[b.id]!;
        return [
          b.id,
          b.size / b.eraseSize,
          w.wearSpread + " (" + w.mtdoopsWearSpread + ")",
          f3(w.erasesPerRecordRatio) + " (" + f3(w.mtdoopsErasesPerRecordRatio) + ")",
        ];
      }),
    ),
  );
  md.push("");
  md.push(
    "With a record at a time and no reboot in between, mtdoops wears the same: its erase-ahead is ours. The " +
      "difference is in crash loops, below.",
  );
  md.push("");
  md.push("### Crash loop: a device that crashes at every boot, every 10 s");
  md.push("");
  md.push(
    "360 boots an hour, a crash 2 s into each, on a partition holding a lap of older records; the rate is " +
      "taken over " +
      d.crashLoop[ids[0]!]!.hours +
      " simulated hours after a first hour of warm-up. Endurance: years until the most " +
      "erased block reaches the part's rated cycles at that rate. Ours erases nothing once the guard has seen " +
      "the loop, so its figure is a lower bound (taken as one erase over the hours measured): a longer run only " +
      "raises it.",
  );
  md.push("");
  md.push(
    table(
      ["board", "rated cycles", "erases/hour (mtdoops)", "years (mtdoops)"],
      d.boards.map((b) => {
        const c = d.crashLoop[b.id]!;
        return [
          b.id,
          getPart(b.part).enduranceCycles.toLocaleString("en-US"),
          f2(c.erasesPerHour) + " (" + f2(c.mtdoopsErasesPerHour) + ")",
          (c.enduranceYearsIsLowerBound ? "≥ " : "") +
            f2(c.enduranceYears) +
            " (" +
            f3(c.mtdoopsEnduranceYears) +
            ")",
        ];
      }),
    ),
  );
  md.push("");

  // ---------------------------------------------------------------- speed and device
  md.push("## Simulator speed (this machine)");
  md.push("");
  md.push(
    "Absolute, so machine-bound: " +
      Math.round(d.simOps).toLocaleString("en-US") +
      " simulated flash operations a " +
      "second (erase, page programs and reads on a 64 KB SPI NOR partition), and " +
      Math.round(d.powerloss.perSecond).toLocaleString("en-US") +
      " power-loss scenarios a second (test/powerloss/sweep.ts, " +
      d.powerloss.scenarios.toLocaleString("en-US") +
      " scenarios, " +
      d.powerloss.lost +
      " lost, " +
      d.powerloss.corrupt +
      " corrupt accepted).",
  );
  md.push("");
  md.push("## Device figures (real Espruino interpreter)");
  md.push("");
  if (d.device) {
    md.push(
      "From `npm run bench:device` (test/bench/device.ts), in L units (L = `for(var i=0;i<1000;i++);` in the same interpreter process):",
    );
    md.push("");
    md.push(
      table(
        ["figure", "value"],
        Object.entries(d.device).map(([k, v]) => [
          k,
          typeof v === "number" ? String(Number(v.toPrecision(4))) : JSON.stringify(v),
        ]),
      ),
    );
  } else {
    md.push(
      "Not in this run: " +
        (d.deviceWhy ?? "no figures") +
        ". `npm run bench:device` measures them on the real interpreter.",
    );
  }
  md.push("");
  return { markdown: md.join("\n"), svgs };
}
