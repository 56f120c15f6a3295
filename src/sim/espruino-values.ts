// Values as the Espruino interpreter passes them to native functions (strings of bytes,
// typed arrays, ArrayBuffers, arrays of numbers), as the virtual board's shim reads them.
// Host-only.

/** Bytes as an 8-bit string (Espruino strings are bytes). */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 255;
  return out;
}

function isArrayBuffer(v: unknown): v is ArrayBuffer {
  return Object.prototype.toString.call(v) === "[object ArrayBuffer]";
}

/** Espruino's "as char array": strings, numbers, arrays, typed arrays, ArrayBuffers, {data,count}. */
export function asBytes(v: unknown): Uint8Array {
  if (typeof v === "string") return fromLatin1(v);
  if (typeof v === "number") return Uint8Array.of(v & 255);
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView || Object.prototype.toString.call(v) === "[object DataView]")
      return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
    const arr = v as unknown as ArrayLike<number>;
    const out = new Uint8Array(arr.length);
    for (let i = 0; i < arr.length; i++) out[i] = (arr[i] as number) & 255;
    return out;
  }
  if (isArrayBuffer(v)) return new Uint8Array(v).slice();
  if (Array.isArray(v)) {
    const parts = v.map((x) => asBytes(x));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  if (typeof v === "object" && v !== null && "data" in v && "count" in v) {
    const one = asBytes((v as { data: unknown }).data);
    const n = Number((v as { count: unknown }).count) || 0;
    const out = new Uint8Array(one.length * n);
    for (let i = 0; i < n; i++) out.set(one, i * one.length);
    return out;
  }
  if (v === undefined || v === null) return new Uint8Array(0);
  return fromLatin1(String(v));
}
