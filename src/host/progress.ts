// Typed progress events of the host operations (retrieval, upload). The engines report
// them through a callback; the CLI draws them (a bar on a terminal, plain lines otherwise),
// the web page draws its own. No Node, no DOM here.

export type RetrieveEvent =
  /** Opening the port (again, after a drop: attempt > 1). */
  | { type: "connecting"; port: string; attempt: number }
  /** Connected; nudging the console and waiting for the prompt before the command. */
  | { type: "waiting-for-prompt" }
  /** The board answered BEGIN: its log's geometry. */
  | {
      type: "begin";
      board: string;
      recordSize: number;
      slots: number;
      boot: number;
      nextSeq: number;
    }
  /** Bytes arriving. */
  | { type: "receiving"; records: number; bytes: number; bytesPerSecond: number }
  /** A fault (corrupt line, timeout, drop) and the resume from the newest verified record. */
  | { type: "resumed"; fromSeq: number; why: string; attempt: number }
  /** A record passed every check (transport CRC, record CRC, seq). */
  | { type: "verified"; seq: number }
  /** A record and its files are on disk (synced). */
  | { type: "saved"; seq: number; path: string }
  | { type: "clearing"; upto: number }
  | { type: "cleared"; count: number }
  | {
      type: "done";
      records: number;
      folder: string | null;
      newestSeq: number | null;
      cleared: number | null;
    };

export type UploadEvent =
  | { type: "building"; board: string }
  | { type: "built"; file: string; bytes: number }
  | { type: "connecting"; port: string }
  /** `sent` of `total` bytes of the upload went to the board. */
  | {
      type: "uploading";
      sent: number;
      total: number;
      bytesPerSecond: number;
      secondsLeft: number | null;
    }
  | { type: "uploaded"; bytes: number; seconds: number }
  | { type: "done" };

/** A rate over a sliding window, for bytes/s and time-left figures. */
export class RateMeter {
  private samples: Array<{ t: number; n: number }> = [];
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(windowMs = 3000, now: () => number = () => Date.now()) {
    this.windowMs = windowMs;
    this.now = now;
  }

  /** Records the running total `n` (bytes so far). */
  update(n: number): void {
    const t = this.now();
    this.samples.push({ t, n });
    while (this.samples.length > 2 && t - (this.samples[0]?.t ?? t) > this.windowMs)
      this.samples.shift();
  }

  /** Units per second over the window; 0 until two samples. */
  get rate(): number {
    const a = this.samples[0];
    const b = this.samples[this.samples.length - 1];
    if (!a || !b || b.t <= a.t) return 0;
    return ((b.n - a.n) * 1000) / (b.t - a.t);
  }
}
