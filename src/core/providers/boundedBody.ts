/**
 * Response bodies read with bounded memory, whatever the server sends: a body (after any gzip is
 * undone) over its byte cap stops being read and the read fails with the error `tooLarge` makes, so
 * a 400 MB answer, a gzip bomb or an endless error page costs at most the cap, not the answer.
 */

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
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const strip = (text: string): string => {
    if (/^data:\s*\[DONE\]/m.test(text)) end.sawDone = true;
    return text.replace(/^event:[^\n]*\n/gm, '');
  };
  let pending = '';
  let total = 0;
  const body = (response.body as ReadableStream<Uint8Array>).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > limits.maxStreamBytes) {
          controller.error(tooLarge('stream'));
          return;
        }
        // Only the new text is searched for a line end: a long open line costs its length once.
        const text = decoder.decode(chunk, { stream: true });
        const cut = text.lastIndexOf('\n');
        if (cut < 0) {
          pending += text;
          // One line, still open: the SDK would hold it whole too.
          if (pending.length > limits.maxBodyBytes) controller.error(tooLarge('line'));
          return;
        }
        controller.enqueue(encoder.encode(strip(pending + text.slice(0, cut + 1))));
        pending = text.slice(cut + 1);
      },
      flush(controller) {
        pending += decoder.decode();
        if (pending !== '') controller.enqueue(encoder.encode(strip(pending)));
      },
    }),
  );
  const bounded = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  streamEnds.set(bounded, end);
  return bounded;
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
