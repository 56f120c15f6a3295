// Printing what the capture must not record: the retrieval module's output. Bundled into
// that module (retrieve.ts), not into the resident .boot0: it works on the resident
// capture's state (console.ts `cap`), which the call passes in. Device code.

/** Character codes of the markers written to LoopbackA, recognised (and removed) only while some are outstanding. */
export const RUN = 0;
/** Stops recording, until LOUD. */
export const QUIET = 14;
export const LOUD = 15;

/** The resident capture's state that printing needs. */
export interface Capture {
  /** The real console device, when the capture holds the console. */
  real: Serial | undefined;
  /** Markers written and not yet seen. */
  marks: number;
}

/**
 * Prints one line that must not be recorded (retrieval output), straight to the real
 * console device when the capture holds the console: it never enters the loopback, and it
 * blocks on the device's transmit buffer instead of overflowing the 1 KB input FIFO as a
 * large print through the loopback would.
 */
export function out(cap: Capture, line: string): void {
  if (cap.real && E.getConsole() === "LoopbackA") cap.real.write(line + "\r\n");
  else print(line);
}

/**
 * Prints lines in order with the REPL's own output (mtdoops.list() after its echo), without
 * recording them: between a QUIET and a LOUD marker. `onData` is the capture's handler.
 */
export function quiet(cap: Capture, onData: (d: string) => void, lines: string[]): void {
  const has = typeof LoopbackA !== "undefined";
  if (has) {
    cap.marks += 2;
    LoopbackA.write(String.fromCharCode(QUIET));
  }
  for (let i = 0; i < lines.length; i++) print(lines[i] as string);
  if (has) {
    LoopbackA.write(String.fromCharCode(LOUD));
    // If FIFO_FULL swallowed the LOUD marker, record again anyway.
    setTimeout(onData, 2000, String.fromCharCode(LOUD));
  }
}
