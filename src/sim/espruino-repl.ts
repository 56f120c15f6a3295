// The interpreter's REPL, after Espruino 2v29's src/jsinteractive.c: the input line
// (jsiHandleChar), echo and the ">" prompt, "=result" after a line, "\r\x1B[J" removing the
// shown line before asynchronous output (jsiConsoleRemoveInputLine), DLE (0x10) turning
// echo off for one line, Ctrl-C clearing the line, lines with open brackets continued
// with ":" prompts. Host-only.

import vm from "node:vm";

/** What the REPL needs from the interpreter around it (EspruinoShim). */
export interface ReplOwner {
  /** Whether a power cut stopped the interpreter. */
  isDead(): boolean;
  /** Prints to the console device, "\n" as "\r\n". */
  printRaw(text: string): void;
  /** Runs a line in the board's global scope: ok false when it threw (and was reported). */
  evaluate(line: string): { ok: boolean; value: unknown };
  /** Reports error flags raised since the last check. */
  checkErrors(): void;
}

/** Formats a value as the REPL prints it after "=". */
export function inspect(v: unknown): string {
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "function () { [code] }";
  if (typeof v === "string") return JSON.stringify(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const arr = v as unknown as ArrayLike<number>;
    return (
      "new " + (v.constructor?.name ?? "Uint8Array") + "([" + Array.from(arr).join(", ") + "])"
    );
  }
  try {
    const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === "function" ? undefined : x), 2);
    return s === undefined ? String(v) : s;
  } catch {
    return String(v);
  }
}

export class Repl {
  private inputLine = "";
  /** Whether the input line is off the screen (removed for output, not yet shown again). */
  private inputLineRemoved = true;
  /** echo(false): no echo until echo(true). */
  private echoOff = false;
  /** DLE at the start of a line: no echo for this line. */
  private echoOffForLine = false;
  private lastCR = false;
  /** 0: no escape sequence; 1: after ESC; 2: in a CSI sequence (ESC [). */
  private escState = 0;

  constructor(private readonly owner: ReplOwner) {}

  echo(): boolean {
    return !this.echoOff && !this.echoOffForLine;
  }

  /** The global echo(on). */
  setEcho(on: boolean): void {
    this.echoOff = !on;
  }

  /** Asynchronous output: removes the shown input line first, as jsiConsoleRemoveInputLine. */
  consolePrint(text: string): void {
    if (!this.inputLineRemoved) {
      this.inputLineRemoved = true;
      if (this.echo()) this.owner.printRaw("\r\x1b[J");
    }
    this.owner.printRaw(text);
  }

  /** Shows the prompt and the input line again, when output removed it. */
  returnInputLine(): void {
    if (this.inputLineRemoved) {
      this.inputLineRemoved = false;
      if (this.echo()) this.owner.printRaw(">" + this.inputLine.replace(/\n/g, "\n:"));
    }
  }

  /** Characters from the console device. */
  handleConsoleChars(data: string): void {
    for (const ch of data) {
      this.handleChar(ch);
      if (this.owner.isDead()) return;
    }
  }

  private handleChar(ch: string): void {
    if (this.escState === 1) {
      this.escState = ch === "[" ? 2 : 0;
      return;
    }
    if (this.escState === 2) {
      if (ch >= "@" && ch <= "~") this.escState = 0;
      return;
    }
    const wasCR = this.lastCR;
    this.lastCR = ch === "\r";
    if (ch === "\x1b") {
      this.escState = 1;
    } else if (ch === "\x10") {
      if (this.inputLine === "") this.echoOffForLine = true;
    } else if (ch === "\x03") {
      // Ctrl-C: clear the line (busy JavaScript cannot be interrupted here).
      if (this.inputLine !== "") {
        if (!this.inputLineRemoved) {
          this.inputLineRemoved = true;
          if (this.echo()) this.owner.printRaw("\r\x1b[J");
        }
        this.inputLine = "";
      }
      this.echoOffForLine = false;
    } else if (ch === "\r" || ch === "\n") {
      if (ch === "\n" && wasCR) return;
      this.newLine();
    } else if (ch === "\x08" || ch === "\x7f") {
      if (this.inputLine.length) {
        this.inputLine = this.inputLine.slice(0, -1);
        if (this.echo() && !this.inputLineRemoved) this.owner.printRaw("\x08 \x08");
      }
    } else if (ch === "\x04") {
      // Ctrl-D: ignored (the Linux build exits; a board does not).
    } else {
      this.inputLine += ch;
      if (this.echo() && !this.inputLineRemoved) this.owner.printRaw(ch);
    }
  }

  /** Whether the code stops inside open brackets or a template literal (the line continues). */
  private incomplete(code: string): boolean {
    try {
      new vm.Script(code);
      return false;
    } catch (e) {
      return (
        e instanceof SyntaxError && /Unexpected end of input|Unterminated template/.test(e.message)
      );
    }
  }

  private newLine(): void {
    if (this.incomplete(this.inputLine)) {
      if (this.echo() && !this.inputLineRemoved) this.owner.printRaw("\n:");
      this.inputLine += "\n";
      return;
    }
    if (this.echo() && !this.inputLineRemoved) this.owner.printRaw("\n");
    if (!this.echoOffForLine) this.inputLineRemoved = true;
    const line = this.inputLine.replace(/\s+$/, "");
    this.inputLine = "";
    const { ok, value } = this.owner.evaluate(line);
    if (this.echo() && ok && line !== "") this.owner.printRaw("=" + inspect(value) + "\n");
    this.owner.checkErrors();
    this.echoOffForLine = false;
  }
}
