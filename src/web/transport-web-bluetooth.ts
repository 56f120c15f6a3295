// Transport over Web Bluetooth: the Nordic UART Service (NUS), as Puck.js, Pixl.js, MDBT42Q
// and Bangle.js expose their console over Bluetooth LE. Same Transport as the CLI's.
//
// As the Espruino Web IDE does (EspruinoTools core/serial_web_bluetooth.js): the chooser
// lists devices whose name starts with the Espruino boards' names or that advertise NUS;
// the console's output arrives as notifications of the TX characteristic, input is written
// to the RX characteristic in pieces of at most 20 bytes (the payload of one write at the
// default ATT MTU of 23), one write at a time.

import { EventedTransport, TransportError, bytesToText, textToBytes } from "../host/transport.js";
import type { Connect, Transport } from "../host/transport.js";

export const NUS_SERVICE = "6e400001-b5a3-f393-e0a9-e50e24dcca9e";
export const NUS_RX = "6e400002-b5a3-f393-e0a9-e50e24dcca9e";
export const NUS_TX = "6e400003-b5a3-f393-e0a9-e50e24dcca9e";
/** Bytes per write: ATT MTU 23 minus the 3-byte ATT header. */
export const NUS_CHUNK = 20;

export const NUS_REQUEST: RequestDeviceOptions = {
  filters: [
    { namePrefix: "Puck.js" },
    { namePrefix: "Pixl.js" },
    { namePrefix: "MDBT42Q" },
    { namePrefix: "Bangle" },
    { namePrefix: "Espruino" },
    { services: [NUS_SERVICE] },
  ],
  optionalServices: [NUS_SERVICE],
};

class NusTransport extends EventedTransport implements Transport {
  readonly name: string;
  private readonly device: BluetoothDevice;
  private readonly rx: BluetoothRemoteGATTCharacteristic;
  private readonly tx: BluetoothRemoteGATTCharacteristic;
  private queue: Promise<void> = Promise.resolve();
  private readonly onValue = (ev: Event): void => {
    const dv = (ev.target as BluetoothRemoteGATTCharacteristic).value;
    if (dv)
      this.events.emitData(bytesToText(new Uint8Array(dv.buffer, dv.byteOffset, dv.byteLength)));
  };
  private readonly onGone = (): void => {
    this.events.emitClose(new TransportError("EIO", `${this.name}: Bluetooth disconnected`));
  };

  constructor(
    name: string,
    device: BluetoothDevice,
    rx: BluetoothRemoteGATTCharacteristic,
    tx: BluetoothRemoteGATTCharacteristic,
  ) {
    super();
    this.name = name;
    this.device = device;
    this.rx = rx;
    this.tx = tx;
    tx.addEventListener("characteristicvaluechanged", this.onValue);
    device.addEventListener("gattserverdisconnected", this.onGone);
  }

  write(text: string): Promise<void> {
    if (this.events.closed)
      return Promise.reject(new TransportError("EIO", `${this.name}: the connection is closed`));
    const bytes = textToBytes(text);
    const run = this.queue.then(async () => {
      for (let i = 0; i < bytes.length; i += NUS_CHUNK) {
        if (this.events.closed)
          throw new TransportError("EIO", `${this.name}: the connection is closed`);
        try {
          await this.rx.writeValue(bytes.slice(i, i + NUS_CHUNK));
        } catch (e) {
          const err = new TransportError(
            "EIO",
            `${this.name}: Bluetooth write failed (${e instanceof Error ? e.message : String(e)})`,
          );
          this.events.emitClose(err);
          throw err;
        }
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.tx.removeEventListener("characteristicvaluechanged", this.onValue);
    this.device.removeEventListener("gattserverdisconnected", this.onGone);
    try {
      if (this.device.gatt?.connected) this.device.gatt.disconnect();
    } catch {
      // already gone
    }
    this.events.emitClose();
  }
}

export function bluetoothName(device: BluetoothDevice): string {
  return device.name ? `Bluetooth ${device.name}` : "the Bluetooth device";
}

/** Connects to `device`'s NUS; rejects with a TransportError meant for the user. */
export async function openNus(device: BluetoothDevice): Promise<Transport> {
  const name = bluetoothName(device);
  const gatt = device.gatt;
  if (!gatt) throw new TransportError("EIO", `${name} offers no GATT server`);
  try {
    const server = await gatt.connect();
    const service = await server.getPrimaryService(NUS_SERVICE);
    const rx = await service.getCharacteristic(NUS_RX);
    const tx = await service.getCharacteristic(NUS_TX);
    await tx.startNotifications();
    return new NusTransport(name, device, rx, tx);
  } catch (e) {
    try {
      gatt.disconnect();
    } catch {
      // nothing to undo
    }
    const n = e instanceof Error ? e.name : "";
    if (n === "NotFoundError")
      throw new TransportError(
        "ENOENT",
        `${name} has no Nordic UART service: it is not an Espruino console`,
      );
    if (n === "NetworkError")
      throw new TransportError(
        "EBUSY",
        `could not connect to ${name}: it is out of range, off, or connected to another app (the Web IDE?)`,
      );
    throw new TransportError(
      "EIO",
      `could not connect to ${name}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

export function nusConnector(device: BluetoothDevice): Connect {
  return () => openNus(device);
}
