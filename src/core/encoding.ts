// UTF-8 and the shim's "string list" encoding (uint32 little-endian length + bytes, repeated).

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Decodes a NUL-terminated string written by the shim into a caller buffer. */
export function fromCBuffer(buffer: Uint8Array): string {
  const end = buffer.indexOf(0);
  return decoder.decode(end < 0 ? buffer : buffer.subarray(0, end));
}

export function encodeStringList(items: readonly string[]): Uint8Array {
  const encoded = items.map(utf8);
  const out = new Uint8Array(encoded.reduce((n, e) => n + 4 + e.length, 0));
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const e of encoded) {
    view.setUint32(pos, e.length, true);
    out.set(e, pos + 4);
    pos += 4 + e.length;
  }
  return out;
}
