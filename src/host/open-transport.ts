// Picks the transport for a --port value: tcp://host:port over TCP, anything else a serial
// device path.

import { openSerial, DEFAULT_BAUD } from "./transport-serial.js";
import { openTcp, parseTcpAddress } from "./transport-tcp.js";
import type { Connect, Transport } from "./transport.js";

export interface OpenOptions {
  baud?: number | undefined;
  /** TCP connect timeout. */
  timeoutMs?: number | undefined;
}

export function openPort(port: string, options: OpenOptions = {}): Promise<Transport> {
  if (parseTcpAddress(port)) return openTcp(port, options.timeoutMs ?? 5000);
  return openSerial(port, options.baud ?? DEFAULT_BAUD);
}

/** A Connect for retrieval: each call opens the port again. */
export function portConnector(port: string, options: OpenOptions = {}): Connect {
  return () => openPort(port, options);
}
