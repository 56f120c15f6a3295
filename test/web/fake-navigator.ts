// The init script the harness puts in the page before its own code runs: navigator.serial
// and navigator.bluetooth replaced by objects with the Web Serial / Web Bluetooth shapes
// the page uses (requestPort, open, readable, writable, close; requestDevice, gatt.connect,
// getPrimaryService, getCharacteristic, startNotifications, writeValue), whose bytes go
// through the binding window.__mtdBridge to a device on the Node side. The errors are
// Chromium's (DOMException names and messages). Runs in the browser: self-contained.

export interface FakeOptions {
  /** false: no replacement at all (the browser's own APIs, e.g. in an insecure context). */
  fake?: boolean;
  /** false: the browser has no Web Serial (as Firefox and Safari). */
  serial?: boolean;
  /** false: the browser has no Web Bluetooth. */
  bluetooth?: boolean;
  /** The Bluetooth device's advertised name. */
  bleName?: string;
}

export function installFakeNavigator(given: FakeOptions): void {
  // Browsers give these APIs to secure contexts only; so does the harness.
  if (given.fake === false || !window.isSecureContext) return;
  // ?harness=noserial,nobluetooth in the page's address: one browser plays several.
  const asked = new URLSearchParams(location.search).get("harness") ?? "";
  const opts: FakeOptions = {
    ...given,
    ...(asked.includes("noserial") ? { serial: false } : {}),
    ...(asked.includes("nobluetooth") ? { bluetooth: false } : {}),
  };
  type Answer = { ok?: boolean; error?: string; message?: string };
  const w = window as unknown as {
    __mtdBridge(op: string, arg: string): Promise<Answer>;
    __mtdPush(s: string): void;
    __mtdLost(): void;
  };
  const bridge = (op: string, arg = ""): Promise<Answer> => w.__mtdBridge(op, arg);
  const fail = (a: Answer): void => {
    if (a.error) throw new DOMException(a.message ?? a.error, a.error);
  };
  const toBytes = (s: string): Uint8Array => {
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 255;
    return b;
  };
  const toText = (b: Uint8Array): string => {
    let s = "";
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i] as number);
    return s;
  };
  let push: ((s: string) => void) | null = null;
  let lost: (() => void) | null = null;
  w.__mtdPush = (s) => push?.(s);
  w.__mtdLost = () => lost?.();

  class FakePort extends EventTarget {
    readable: ReadableStream<Uint8Array> | null = null;
    writable: WritableStream<Uint8Array> | null = null;
    getInfo(): { usbVendorId: number; usbProductId: number } {
      return { usbVendorId: 0x0483, usbProductId: 0x5740 };
    }
    async open(o: { baudRate: number }): Promise<void> {
      if (this.readable) throw new DOMException("The port is already open.", "InvalidStateError");
      if (!(o && o.baudRate > 0))
        throw new TypeError(
          "Failed to execute 'open' on 'SerialPort': Requested baud rate must be greater than zero.",
        );
      fail(await bridge("open", String(o.baudRate)));
      let ctl: ReadableStreamDefaultController<Uint8Array> | null = null;
      this.readable = new ReadableStream<Uint8Array>({
        start: (c) => {
          ctl = c;
        },
        cancel: () => {
          ctl = null;
        },
      });
      push = (s) => ctl?.enqueue(toBytes(s));
      lost = () => {
        ctl?.error(new DOMException("The device has been lost.", "NetworkError"));
        ctl = null;
        this.dispatchEvent(new Event("disconnect"));
      };
      this.writable = new WritableStream<Uint8Array>({
        write: async (chunk) => fail(await bridge("write", toText(chunk))),
      });
    }
    async close(): Promise<void> {
      if (this.readable?.locked || this.writable?.locked)
        throw new TypeError(
          "Failed to execute 'close' on 'SerialPort': Cannot cancel a locked stream",
        );
      this.readable = null;
      this.writable = null;
      push = null;
      await bridge("close");
    }
  }

  const NUS_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e";
  const NUS_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e";
  const NUS = "6e400001-b5a3-f393-e0a9-e50e24dcca9e";

  class FakeCharacteristic extends EventTarget {
    value: DataView | null = null;
    constructor(readonly uuid: string) {
      super();
    }
    async startNotifications(): Promise<this> {
      return this;
    }
    async writeValue(v: BufferSource): Promise<void> {
      const b =
        v instanceof ArrayBuffer
          ? new Uint8Array(v)
          : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      if (b.length > 20)
        throw new DOMException("GATT operation failed for unknown reason.", "NotSupportedError");
      fail(await bridge("blewrite", toText(b)));
    }
  }

  function makeDevice(name: string): EventTarget {
    const device = new EventTarget() as EventTarget & Record<string, unknown>;
    const tx = new FakeCharacteristic(NUS_TX);
    const rx = new FakeCharacteristic(NUS_RX);
    const service = {
      uuid: NUS,
      async getCharacteristic(u: string) {
        if (u === NUS_RX) return rx;
        if (u === NUS_TX) return tx;
        throw new DOMException(
          "No Characteristics matching UUID " + u + " found in Service with UUID " + NUS + ".",
          "NotFoundError",
        );
      },
    };
    const gatt = {
      connected: false,
      device,
      async connect() {
        fail(await bridge("open", "ble"));
        gatt.connected = true;
        push = (s) => {
          for (let i = 0; i < s.length; i += 20) {
            const b = toBytes(s.slice(i, i + 20));
            tx.value = new DataView(b.buffer);
            tx.dispatchEvent(new Event("characteristicvaluechanged"));
          }
        };
        lost = () => {
          gatt.connected = false;
          push = null;
          device.dispatchEvent(new Event("gattserverdisconnected"));
        };
        return server;
      },
      disconnect() {
        if (!gatt.connected) return;
        gatt.connected = false;
        push = null;
        void bridge("close");
        device.dispatchEvent(new Event("gattserverdisconnected"));
      },
    };
    const server = {
      device,
      get connected() {
        return gatt.connected;
      },
      async getPrimaryService(u: string) {
        if (u !== NUS)
          throw new DOMException(
            "No Services matching UUID " + u + " found in Device.",
            "NotFoundError",
          );
        return service;
      },
    };
    device["name"] = name;
    device["id"] = "fake-ble-1";
    device["gatt"] = gatt;
    return device;
  }

  let port: FakePort | null = null;
  const serial = {
    async requestPort() {
      const a = await bridge("choose");
      if (a.error) throw new DOMException(a.message ?? "", a.error);
      port ??= new FakePort();
      return port;
    },
    async getPorts() {
      return port ? [port] : [];
    },
    addEventListener() {},
    removeEventListener() {},
  };
  let device: EventTarget | null = null;
  const bluetooth = {
    async requestDevice(o: { filters?: unknown[]; acceptAllDevices?: boolean }) {
      if (!o || (!o.filters && !o.acceptAllDevices))
        throw new TypeError(
          "Failed to execute 'requestDevice' on 'Bluetooth': Either 'filters' should be present or 'acceptAllDevices' should be true, but not both.",
        );
      const a = await bridge("choose");
      if (a.error)
        throw new DOMException("User cancelled the requestDevice() chooser.", "NotFoundError");
      device ??= makeDevice(opts.bleName ?? "Puck.js 1a2b");
      return device;
    },
    async getAvailability() {
      return true;
    },
    addEventListener() {},
    removeEventListener() {},
  };
  const define = (name: string, value: unknown): void => {
    const present = opts[name as "serial" | "bluetooth"] !== false;
    try {
      delete (Navigator.prototype as unknown as Record<string, unknown>)[name];
    } catch {
      // not configurable: shadowed below
    }
    Object.defineProperty(Navigator.prototype, name, {
      get: () => (present ? value : undefined),
      configurable: true,
    });
  };
  define("serial", serial);
  define("bluetooth", bluetooth);
}
