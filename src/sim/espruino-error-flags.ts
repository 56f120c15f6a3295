// The interpreter's error flags, as Espruino 2v29 keeps them (the JsErrorFlags enum of
// src/jsutils.h; names as E.getErrorFlags() returns them, jswrap_espruino.c) and reports
// the new ones at the next idle (jsiCheckErrors, src/jsinteractive.c). Host-only.

/** The flags by bit, lowest first (JSERR_RX_FIFO_FULL = 1 ...). */
const ERROR_FLAGS = [
  "FIFO_FULL",
  "BUFFER_FULL",
  "CALLBACK",
  "LOW_MEMORY",
  "MEMORY",
  "MEMORY_BUSY",
  "UART_OVERFLOW",
];
/** JSERR_WARNINGS_MASK: flags that raise no 'errorFlag' event and print nothing. */
const WARNINGS = 1 << ERROR_FLAGS.indexOf("LOW_MEMORY");

export class ErrorFlags {
  /** The flags raised and not cleared by E.getErrorFlags(). */
  private raised = 0;
  /** `raised` as it was at the last check. */
  private checked = 0;

  raise(name: string): void {
    const i = ERROR_FLAGS.indexOf(name);
    if (i < 0)
      throw new Error("unknown error flag " + name + " (known: " + ERROR_FLAGS.join(", ") + ")");
    this.raised |= 1 << i;
  }

  /** E.getErrorFlags(): the names of the flags raised; clears them. */
  take(): string[] {
    const names = ERROR_FLAGS.filter((_n, i) => this.raised & (1 << i));
    this.raised = 0;
    return names;
  }

  /** Whether the flags changed since the last check. */
  get changed(): boolean {
    return this.raised !== this.checked;
  }

  /**
   * Starts a check: the names of the flags raised since the last one when an error (not
   * only a warning) is among them, else []. The caller reports them, then calls
   * endCheck() (a handler may clear the flags in between, with E.getErrorFlags()).
   */
  beginCheck(): string[] {
    const fresh = this.raised & ~this.checked;
    this.checked = this.raised;
    return fresh & ~WARNINGS ? ERROR_FLAGS.filter((_n, i) => fresh & (1 << i)) : [];
  }

  endCheck(): void {
    this.checked = this.raised;
  }
}
