// A query's output as the Node Readable the client's ResultSet reads: chunks come from the engine
// as it produces them (one block in memory at a time), pulled when the reader wants more.
import { Buffer } from "node:buffer";
import { Readable } from "node:stream";
import type { Result } from "../core/result.ts";
import type { QueryStream } from "../stream/query_stream.ts";
import { headerOf, withoutHeader } from "./block_formats.ts";

function bufferOf(chunk: Result | Uint8Array): Buffer {
  const bytes = chunk instanceof Uint8Array ? chunk : chunk.bytes();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// A result dropped unread (a reader that neither reads it to the end nor destroys it: a handler's
// error path that ignores its ResultSet) ends as a destroyed one does once it is collected: its
// query is cancelled and `finished` gives its engine connection back (a session's next request
// would otherwise wait for it forever, and the pool would keep a connection per dropped result).
const dropped = new FinalizationRegistry<Ending>(({ stream, finished }) => {
  stream.close();
  finished(undefined);
});

interface Ending {
  stream: QueryStream;
  finished: (settled: Promise<unknown> | undefined) => void;
}

/**
 * `first` is the chunk already fetched (null: the output was empty); `headerLines` header lines
 * that each later block repeats are dropped (block_formats.ts). `mapError` turns an engine error
 * into the client's; `finished` runs once, when the stream ends, fails, is destroyed or is collected unread (so
 * nothing it holds may hold the Readable).
 */
export function engineReadable(
  stream: QueryStream,
  first: Result | null,
  headerLines: number,
  mapError: (e: unknown) => Error,
  finished: (settled: Promise<unknown> | undefined) => void,
): Readable {
  let pending: Result | null | undefined = first;
  let inFlight: Promise<unknown> | undefined;
  const header = first === null || headerLines === 0 ? new Uint8Array(0) : headerOf(first.bytes(), headerLines);
  const token = {};
  const readable = new Readable({
    read() {
      if (pending !== undefined) {
        const chunk = pending;
        pending = undefined;
        this.push(chunk === null ? null : bufferOf(chunk));
        if (chunk !== null && stream.closed) this.push(null); // the stream ended with it
        return;
      }
      const next = stream.nextAsync();
      inFlight = next;
      next.then(
        (chunk) => {
          inFlight = undefined;
          if (chunk === null) this.push(null);
          else this.push(bufferOf(withoutHeader(chunk.bytes(), header)));
        },
        (e) => {
          inFlight = undefined;
          this.destroy(mapError(e));
        },
      );
    },
    destroy(err, callback) {
      dropped.unregister(token);
      stream.close(); // cancels the query when it has not ended; deferred while a call runs
      finished(inFlight);
      callback(quietError(this, err));
    },
  });
  // Once it is collected no read is in flight (a pending read's callbacks hold it).
  dropped.register(readable, { stream, finished }, token);
  return readable;
}

/**
 * As an HTTP response does: an error passed to destroy() is emitted only to a listener (the
 * ResultSet's close() destroys unread streams with one, which must not become uncaught).
 */
function quietError(stream: Readable, err: Error | null): Error | null {
  return stream.listenerCount("error") > 0 ? err : null;
}

/** A finished result's output as a Readable. */
export function bufferedReadable(result: Result | null): Readable {
  let chunk: Buffer | null = result === null || result.length === 0 ? null : bufferOf(result);
  return new Readable({
    read() {
      this.push(chunk);
      if (chunk !== null) this.push(null);
      chunk = null;
    },
    destroy(err, callback) {
      callback(quietError(this, err));
    },
  });
}
