// The shim's streaming calls (native/stream.cpp): a query's output chunk by chunk, and a
// streaming INSERT. Pointers in, Results out, ChdbErrors thrown.
import { ResultFlag, ResultInfo } from "./abi.ts";
import { native } from "./native.ts";
import type { Lane, Pointer } from "./native.ts";
import { ErrorSlot, ResultSlots, takeResult } from "./native_result.ts";
import type { Result } from "./result.ts";

/** A statement and its output (or input) format as UTF-8, and its parameters as a string list. */
export interface EncodedRequest {
  readonly sql: Uint8Array;
  readonly format: Uint8Array;
  readonly params: Uint8Array;
}

const outPointer = new BigUint64Array(1);

/** A chunk of a stream's output, and whether the stream has ended with it (no call is left to make). */
export interface Chunk {
  readonly result: Result;
  readonly last: boolean;
}

function chunkOf(status: number, slots: ResultSlots, format: string): Chunk {
  const last = (slots.info[ResultInfo.FLAGS] & BigInt(ResultFlag.LAST_CHUNK)) !== 0n;
  return { result: takeResult(status, slots, format), last };
}

/** A stream just opened and its first chunk; `stream` is null when that chunk is its last (the shim freed it). */
export interface OpenedStream extends Chunk {
  readonly stream: Pointer | null;
}

function opened(status: number, slots: ResultSlots, out: BigUint64Array, format: string): OpenedStream {
  return { ...chunkOf(status, slots, format), stream: native().pointer(out[0]) };
}

// A request as the shim's calls take it: each buffer followed by its length.
function requestArguments(r: EncodedRequest) {
  return [r.sql, r.sql.length, r.format, r.format.length, r.params, r.params.length] as const;
}

// chffi_stream_open's arguments, with `out` and `slots` for its out-params.
function openArguments(connection: Pointer | null, r: EncodedRequest, out: BigUint64Array, slots: ResultSlots) {
  return [connection, ...requestArguments(r), out, slots.out, slots.info, slots.error] as const;
}

/**
 * Starts a streaming query on the connection and fetches its first chunk (in `format`, the
 * request's); free the stream with freeStream.
 */
export function openStream(connection: Pointer, r: EncodedRequest, format: string): OpenedStream {
  const slots = new ResultSlots();
  const out = new BigUint64Array(1);
  return opened(native().fn.chffi_stream_open(...openArguments(connection, r, out, slots)), slots, out, format);
}

/** openStream() off the JS thread. */
export async function openStreamOnLane(
  lane: Lane,
  connection: Pointer | null,
  r: EncodedRequest,
  format: string,
): Promise<OpenedStream> {
  const slots = new ResultSlots();
  const out = new BigUint64Array(1);
  return opened(await lane.fn.chffi_stream_open(...openArguments(connection, r, out, slots)), slots, out, format);
}

/** The next chunk of a stream (empty at its end), `format` being the stream's output format. */
export function nextChunk(stream: Pointer, format: string): Chunk {
  const slots = new ResultSlots();
  return chunkOf(native().fn.chffi_stream_next(stream, slots.out, slots.info, slots.error), slots, format);
}

/** nextChunk() off the JS thread. */
export async function nextChunkOnLane(lane: Lane, stream: Pointer, format: string): Promise<Chunk> {
  const slots = new ResultSlots();
  return chunkOf(await lane.fn.chffi_stream_next(stream, slots.out, slots.info, slots.error), slots, format);
}

/** Cancels the query if it has not ended and frees the stream. */
export function freeStream(stream: Pointer): void {
  native().fn.chffi_stream_free(stream);
}

/** Starts a streaming INSERT (`sql` without FORMAT clause or data); the insert (free it with freeInsert). */
export function openInsert(connection: Pointer, r: EncodedRequest): Pointer {
  const slot = new ErrorSlot();
  const lib = native();
  slot.check(
    lib.fn.chffi_insert_open(connection, ...requestArguments(r), outPointer, slot.error),
  );
  return lib.pointer(outPointer[0])!;
}

/** Appends a chunk of input (copied by the shim). */
export function appendToInsert(insert: Pointer, chunk: Uint8Array): void {
  const slot = new ErrorSlot();
  slot.check(native().fn.chffi_insert_append(insert, chunk, chunk.length, slot.error));
}

/** appendToInsert() off the JS thread. */
export async function appendToInsertOnLane(lane: Lane, insert: Pointer | null, chunk: Uint8Array): Promise<void> {
  const slot = new ErrorSlot();
  slot.check(await lane.fn.chffi_insert_append(insert, chunk, chunk.length, slot.error));
}

/** Ends the input and commits; the Result carries the write metrics. */
export function finishInsert(insert: Pointer, format: string): Result {
  const slots = new ResultSlots();
  return takeResult(native().fn.chffi_insert_done(insert, slots.out, slots.info, slots.error), slots, format);
}

/** finishInsert() off the JS thread. */
export async function finishInsertOnLane(lane: Lane, insert: Pointer | null, format: string): Promise<Result> {
  const slots = new ResultSlots();
  return takeResult(await lane.fn.chffi_insert_done(insert, slots.out, slots.info, slots.error), slots, format);
}

/** Cancels the INSERT if it was not done and frees it. */
export function freeInsert(insert: Pointer): void {
  native().fn.chffi_insert_free(insert);
}
