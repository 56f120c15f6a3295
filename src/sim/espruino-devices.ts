// The interpreter's serial devices and console routing: the host link (USB, or Bluetooth
// on nRF52 boards), Serial1, LoopbackA and LoopbackB; the IO event queue they feed (bytes
// written to one Loopback arrive asynchronously as the other's 'data' events, through a
// bounded FIFO that raises FIFO_FULL when it overflows, as Espruino 2v29's src/jsdevices.c);
// which device is the console (E.setConsole / Serial.setConsole, jsiSetConsoleDevice in
// src/jsinteractive.c) and the console following a Bluetooth connection. Host-only.

import { asBytes, latin1 } from "./espruino-values.js";
import { Emitter } from "./espruino-emitter.js";
import type { CallbackRunner } from "./espruino-emitter.js";
import type { ShimHost } from "./shim-host.js";

/** What the devices need from the interpreter around them (EspruinoShim). */
export interface DeviceOwner extends CallbackRunner {
  /** Throws (stops the caller) when the board has no power. */
  live(): void;
  raiseErrorFlag(name: string): void;
  /** Whether the REPL echoes: a console switch is announced only then. */
  echo(): boolean;
}

/** Bytes that arrived for a device ("#NRF": an NRF 'connect' or 'disconnect' event). */
interface IoEvent {
  device: string;
  data: string;
}

/** A serial-like device. */
export class SerialDevice extends Emitter {
  readonly obj: Record<string, unknown>;
  constructor(
    devices: ConsoleDevices,
    owner: DeviceOwner,
    readonly name: string,
  ) {
    super(owner);
    this.obj = this.api({
      write: (...data: unknown[]) => {
        owner.live();
        devices.write(this.name, latin1(asBytes(data)));
      },
      print: (s: unknown) => {
        owner.live();
        devices.write(this.name, String(s));
      },
      println: (s: unknown) => {
        owner.live();
        devices.write(this.name, String(s) + "\r\n");
      },
      setConsole: (force?: boolean) => devices.setConsole(this.name, force === true),
      setup: () => undefined,
      toString: () => "[object Serial]",
    });
  }
}

export class ConsoleDevices {
  private readonly devices = new Map<string, SerialDevice>();
  private readonly events: IoEvent[] = [];
  /** Bytes of Loopback traffic waiting in the IO FIFO. */
  private fifoBytes = 0;
  private consoleDevice: string | null;
  private consoleForced = false;
  private bleConnected = true;

  constructor(
    private readonly host: ShimHost,
    private readonly owner: DeviceOwner,
  ) {
    this.consoleDevice = host.hostDevice;
    const names = [host.hostDevice, "Serial1", "LoopbackA", "LoopbackB"];
    if (host.board.resetReason === "nrf52" && host.hostDevice !== "Bluetooth")
      names.push("Bluetooth");
    for (const n of names) this.devices.set(n, new SerialDevice(this, owner, n));
  }

  /** The console device's name (E.getConsole()), or null. */
  get console(): string | null {
    return this.consoleDevice;
  }

  /** Whether a Bluetooth central is connected (NRF.getSecurityStatus().connected). */
  get connected(): boolean {
    return this.bleConnected;
  }

  get(name: string): SerialDevice | undefined {
    return this.devices.get(name);
  }

  all(): Iterable<SerialDevice> {
    return this.devices.values();
  }

  /** Bytes written to a device: where they go. */
  write(name: string, data: string): void {
    if (!data) return;
    if (name === "LoopbackA" || name === "LoopbackB") {
      const to = name === "LoopbackA" ? "LoopbackB" : "LoopbackA";
      const room = Math.max(0, this.host.ioBufferBytes - this.fifoBytes);
      let d = data;
      if (d.length > room) {
        d = d.slice(0, room);
        this.owner.raiseErrorFlag("FIFO_FULL");
      }
      if (!d) return;
      this.fifoBytes += d.length;
      this.events.push({ device: to, data: d });
      return;
    }
    if (name === this.host.hostDevice) {
      if (name === "Bluetooth" && !this.bleConnected) return;
      this.host.output(data);
    }
    // Serial1 and others: nobody listens.
  }

  /** What the interpreter prints (jsiConsolePrintString: "\n" becomes "\r\n"). */
  printRaw(text: string): void {
    if (this.consoleDevice === null) return;
    this.write(this.consoleDevice, text.replace(/\n/g, "\r\n"));
  }

  setConsole(device: string | null, force: boolean): void {
    this.consoleForced = force;
    if (device === this.consoleDevice) return;
    if (device !== null && !this.devices.has(device)) throw new Error("Unknown device " + device);
    const echo = this.owner.echo();
    if (echo) this.printRaw("-> " + (device ?? "null") + "\n");
    const old = this.consoleDevice;
    this.consoleDevice = device;
    if (echo) this.printRaw("<- " + (old ?? "null") + "\n");
  }

  /** Bytes from the host link: queued as an IO event. */
  hostInput(text: string): void {
    this.events.push({ device: this.host.hostDevice, data: text });
  }

  /** A Bluetooth central connects; `nrfEvents`: queue NRF's 'connect' event. */
  bleConnect(nrfEvents: boolean): void {
    this.bleConnected = true;
    if (!this.consoleForced && this.host.hostDevice === "Bluetooth")
      this.setConsole("Bluetooth", false);
    if (nrfEvents) this.events.push({ device: "#NRF", data: "connect" });
  }

  bleDisconnect(nrfEvents: boolean): void {
    this.bleConnected = false;
    if (!this.consoleForced && this.consoleDevice === "Bluetooth")
      this.setConsole("Serial1", false);
    if (nrfEvents) this.events.push({ device: "#NRF", data: "disconnect" });
  }

  /** How many IO events wait. */
  get queued(): number {
    return this.events.length;
  }

  /** The oldest IO event, out of the queue (its Loopback bytes leave the FIFO). */
  nextEvent(): IoEvent | undefined {
    const ev = this.events.shift();
    if (ev && (ev.device === "LoopbackA" || ev.device === "LoopbackB"))
      this.fifoBytes -= ev.data.length;
    return ev;
  }
}
