/**
 * Response bodies read with bounded memory, whatever the server sends: a body (after any gzip is
 * undone) over its byte cap stops being read and the read fails with the error `tooLarge` makes, so
 * a 400 MB answer, a gzip bomb or an endless error page costs at most the cap, not the answer.
 */

import { Buffer, isUtf8 } from 'node:buffer';

export interface BodyLimits {
  /** A whole answer that is not a stream (JSON), and one line of a stream. */
  maxBodyBytes: number;
  /** A whole event stream, all its chunks together. */
  maxStreamBytes: number;
  /** An error body: only its start is shown to the user. */
  maxErrorBytes: number;
}

/** What an event stream said about its own end, seen on the raw lines (the SDK hides `[DONE]`). */
export interface StreamEnd {
  sawDone: boolean;
}

const streamEnds = new WeakMap<Response, StreamEnd>();

/** How the stream behind `response` ended so far; undefined for a response that was no event stream. */
export function streamEndOf(response: Response): StreamEnd | undefined {
  return streamEnds.get(response);
}

/** `body` passed through unchanged until `maxBytes` have gone by; then it errors with `tooLarge()`. */
export function cappedBody(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: () => Error,
): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) {
          controller.error(tooLarge());
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * An event stream with its `event:` lines dropped, its size and its line length bounded, and its
 * `data: [DONE]` noted (see streamEndOf).
 *
 * Chat completion streams carry no SSE event names, but the SDK prints any malformed chunk of an
 * event named `thread.*` with console.error, unscrubbed: a hostile or broken server could write
 * escape sequences (or the key it was sent) to the terminal that way. Dropping `event:` lines
 * leaves every chunk on the SDK's path that reports through the provider's logger.
 */
export function boundedEventStream(
  response: Response,
  limits: BodyLimits,
  tooLarge: (what: 'stream' | 'line') => Error,
): Response {
  const end: StreamEnd = { sawDone: false };
  const strip = (text: string): string => {
    if (/^data:\s*\[DONE\]/m.test(text)) end.sawDone = true;
    return text.replace(/^event:[^\n]*\n/gm, '');
  };
  // The bytes after the last line break seen, and how many characters they decode to (the cap on
  // one open line counts characters, as the text the SDK holds).
  let pending: Uint8Array[] = [];
  let pendingChars = 0;
  // A decoder drops a byte order mark at the start of the stream only (as one decoder over the
  // whole stream did), never one at the start of a later piece.
  let atStart = true;
  const textDecoder = (): InstanceType<typeof TextDecoder> => new TextDecoder('utf-8', { ignoreBOM: !atStart });
  let pendingDecoder = textDecoder();
  let total = 0;
  // Whole lines go on as they came: only text that may hold an `event:` line or `[DONE]` is decoded,
  // stripped and encoded again (decoding and encoding every chunk cost more than the SDK's own read).
  const emit = (bytes: Uint8Array, controller: ChunkSink): void => {
    const start = atStart;
    atStart = false;
    // Bytes that are not UTF-8 take the decoder's path, which replaces them as it always did.
    if (!holds(bytes, EVENT_BYTES) && !holds(bytes, DONE_BYTES) && isUtf8(bytes)) {
      const bom = start && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
      if (bytes.byteLength > (bom ? 3 : 0)) controller.enqueue(bom ? bytes.subarray(3) : bytes);
      return;
    }
    const text = new TextDecoder('utf-8', { ignoreBOM: !start }).decode(bytes);
    if (text !== '') controller.enqueue(encoder.encode(strip(text)));
  };
  const transform = (chunk: Uint8Array, controller: ChunkSink): void => {
    total += chunk.byteLength;
    if (total > limits.maxStreamBytes) {
      controller.error(tooLarge('stream'));
      return;
    }
    // Only the new bytes are searched for a line end: a long open line costs its length once.
    const cut = chunk.lastIndexOf(NEWLINE);
    if (cut < 0) {
      pending.push(chunk);
      pendingChars += pendingDecoder.decode(chunk, { stream: true }).length;
      // One line, still open: the SDK would hold it whole too.
      if (pendingChars > limits.maxBodyBytes) controller.error(tooLarge('line'));
      return;
    }
    const lines = pending.length === 0 ? chunk.subarray(0, cut + 1) : concat([...pending, chunk.subarray(0, cut + 1)]);
    emit(lines, controller);
    const rest = chunk.subarray(cut + 1);
    pending = rest.byteLength > 0 ? [rest] : [];
    pendingDecoder = textDecoder();
    pendingChars = rest.byteLength > 0 ? pendingDecoder.decode(rest, { stream: true }).length : 0;
  };
  const flush = (controller: ChunkSink): void => {
    if (pending.length > 0) emit(concat(pending), controller);
  };
  const body = pulledThrough(response.body as ReadableStream<Uint8Array>, transform, flush);
  const bounded = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  streamEnds.set(bounded, end);
  return bounded;
}

/** What a transform step writes to: the enqueue and error of a stream controller. */
interface ChunkSink {
  enqueue(chunk: Uint8Array): void;
  error(reason: unknown): void;
}

/**
 * `source` read through `transform` (then `flush` at its end), as `source.pipeThrough(new
 * TransformStream({ transform, flush }))` would, by a stream that reads the source when its reader
 * asks. A pipe through a TransformStream costs a writable stream, a readable stream and the pipe's
 * promises per chunk: ~3 µs a chunk, ~1.2 ms CPU for the ~480 chunks of a streamed 2,000-line
 * review's answer, against ~0.3 ms this way (the largest part of the provider's cost over the bare
 * SDK). As with the pipe, an error the transform raises on its controller cancels the source, and
 * cancelling the result cancels the source.
 */
export function pulledThrough(
  source: ReadableStream<Uint8Array>,
  transform: (chunk: Uint8Array, sink: ChunkSink) => void,
  flush: (sink: ChunkSink) => void,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  // Set once the result has errored or been cancelled: nothing more is written to it.
  let over = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let wrote = false;
        const sink: ChunkSink = {
          enqueue(chunk) {
            wrote = true;
            controller.enqueue(chunk);
          },
          error(reason) {
            over = true;
            controller.error(reason);
            void reader.cancel(reason).catch(() => undefined);
          },
        };
        // A pull that writes nothing is not called again: read on until a chunk goes out or the
        // source ends (a chunk without a line end only adds to the open line).
        while (!wrote && !over) {
          const { value, done } = await reader.read();
          if (over) return;
          if (done) {
            flush(sink);
            if (!over) controller.close();
            over = true;
            return;
          }
          transform(value, sink);
        }
      },
      cancel(reason) {
        over = true;
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

const NEWLINE = 0x0a;
const encoder = new TextEncoder();
const EVENT_BYTES = Buffer.from('event:');
const DONE_BYTES = Buffer.from('[DONE]');

/**
 * Whether `bytes` holds `part` anywhere, by Buffer's native search: a loop stopping at every byte
 * equal to the first of `part` (`e` of `event:`, common in JSON) cost ~0.2 ms per 85 KB answer,
 * against ~0.05 ms.
 */
function holds(bytes: Uint8Array, part: Buffer): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(part) !== -1;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/**
 * The start of a body as text, at most `maxBytes` of it; the rest is not read (the connection is
 * let go). `cut` says whether there was more.
 */
export async function readStart(response: Response, maxBytes: number): Promise<{ text: string; cut: boolean }> {
  if (!response.body) return { text: '', cut: false };
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  let cut = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      length += value.byteLength;
      if (length > maxBytes) {
        cut = true;
        break;
      }
    }
  } finally {
    if (cut) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const bytes = new Uint8Array(Math.min(length, maxBytes));
  let at = 0;
  for (const part of parts) {
    if (at >= bytes.length) break;
    const take = part.subarray(0, bytes.length - at);
    bytes.set(take, at);
    at += take.length;
  }
  return { text: new TextDecoder().decode(bytes), cut };
}
