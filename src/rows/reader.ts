// Reader: a cursor over RowBinary bytes (varints, strings, bounds checks) for the decoders.
import { ChdbError } from "../core/errors.ts";

const utf8 = new TextDecoder();
const latin1 = new TextDecoder("latin1");

/** A position in RowBinary bytes; every read checks that the bytes hold the value. */
export class Reader {
  pos = 0;
  readonly view: DataView;
  #latin: string | undefined;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }
  need(n: number): number {
    const at = this.pos;
    if (at + n > this.bytes.length) throw truncated();
    this.pos = at + n;
    return at;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.bytes[this.need(1)];
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  }
  string(): string {
    const n = this.varint();
    return this.text(this.need(n), n);
  }
  /** A string decoded on its own: for the few of the header, which must not cost text() its whole-buffer decode. */
  lone(): string {
    const n = this.varint();
    const at = this.need(n);
    return utf8.decode(this.bytes.subarray(at, at + n));
  }
  /**
   * UTF-8 text at [at, at + n). ASCII text, the common case, is cut out of the whole buffer
   * decoded once as single-byte text: much cheaper than one TextDecoder call per value.
   */
  text(at: number, n: number): string {
    const bytes = this.bytes;
    for (let i = at; i < at + n; i++) {
      if (bytes[i] >= 0x80) return utf8.decode(bytes.subarray(at, at + n));
    }
    this.#latin ??= latin1.decode(bytes);
    return this.#latin.substring(at, at + n);
  }
}

/** The error of row data cut in the middle of a value. */
export function truncated(): ChdbError {
  return new ChdbError("row data ends in the middle of a value");
}
