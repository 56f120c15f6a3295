// What a CLI command may touch of its process: two output streams, the environment, the
// working directory, and a signal that asks a long-running command (sim) to stop. Tests
// pass their own; the real entry passes the process's.

export interface OutStream {
  write(text: string): void;
  /** True on a terminal: progress bars are drawn; plain lines otherwise. */
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  signal?: AbortSignal | undefined;
}

/** Usage mistakes (unknown command or option, a missing or malformed argument): exit status 2. */
export class UsageError extends Error {
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/** A failure with a message meant for the user: exit status 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** Collects output in memory (tests, the demo's nested runs). */
export class BufferStream implements OutStream {
  text = "";
  isTTY: boolean | undefined;
  columns: number | undefined;

  constructor(isTTY = false) {
    this.isTTY = isTTY;
    this.columns = isTTY ? 80 : undefined;
  }

  write(text: string): void {
    this.text += text;
  }
}
