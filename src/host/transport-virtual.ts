// An in-process transport to a virtual board (src/sim/virtual-board.ts): what the host
// writes is typed at the board's console, what the board prints comes back. The demo
// retrieves through it, over the same protocol and engine as a serial port.

import { PipeTransport } from "./transport.js";
import type { Connect } from "./transport.js";

/** The part of VirtualBoard a console connection needs. */
export interface ConsoleBoard {
  input(text: string): void;
  onOutput(listener: (text: string) => void): void;
  offOutput(listener: (text: string) => void): void;
}

export function virtualConnector(board: ConsoleBoard, name: string): Connect {
  return async () => {
    const listener = (text: string): void => t.receive(text);
    const t: PipeTransport = new PipeTransport(
      name,
      (text) => board.input(text),
      () => board.offOutput(listener),
    );
    board.onOutput(listener);
    return t;
  };
}
