import { strict as assert } from 'node:assert';
import { boundedEventStream, pulledThrough, streamEndOf } from '../../../../src/core/providers/boundedBody';

const limits = { maxBodyBytes: 1_000_000, maxStreamBytes: 10_000_000, maxErrorBytes: 1_000 };
const encoder = new TextEncoder();

/** The stream's bytes after boundedEventStream, fed in the given chunks, and whether it saw [DONE]. */
async function through(
  chunks: Uint8Array[],
  caps = limits,
): Promise<{ bytes: number[]; done: boolean | undefined } | { error: string }> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  const response = boundedEventStream(
    new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    caps,
    (what) => new Error(`too large: ${what}`),
  );
  try {
    const bytes = [...new Uint8Array(await response.arrayBuffer())];
    return { bytes, done: streamEndOf(response)?.sawDone };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** `bytes` cut every `size` bytes. */
function cut(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.slice(at, at + size));
  return chunks;
}

describe('boundedEventStream', () => {
  it('passes whole lines on unchanged, however the bytes are cut (characters split across chunks included)', async () => {
    const stream = encoder.encode('data: {"text":"é€😀 naïve"}\n\ndata: {"more":1}\r\n\r\n: keep-alive\n\n');
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const out = await through(cut(stream, size));
      assert.deepEqual(out, { bytes: [...stream], done: false }, `cut every ${size}`);
    }
  });

  it('drops event lines and notes [DONE], also when they arrive cut in pieces', async () => {
    const stream = encoder.encode('event: thread.message\ndata: {"a":1}\n\nevent:x\ndata: [DONE]\n\n');
    const expected = [...encoder.encode('data: {"a":1}\n\ndata: [DONE]\n\n')];
    for (const size of [1, 4, 9, 100])
      assert.deepEqual(await through(cut(stream, size)), { bytes: expected, done: true });
    // "event:" inside a data line is data, and [DONE] inside one is no end.
    const inside = encoder.encode('data: {"t":"event: [DONE]"}\n\n');
    assert.deepEqual(await through(cut(inside, 3)), { bytes: [...inside], done: false });
  });

  it('drops a byte order mark at the start of the stream only, and replaces bytes that are not UTF-8 as a decoder does', async () => {
    const bom = [0xef, 0xbb, 0xbf];
    const line = [...encoder.encode('data: x\n')];
    assert.deepEqual(await through([new Uint8Array([...bom, ...line, ...bom, ...line])]), {
      bytes: [...line, ...bom, ...line],
      done: false,
    });
    // An invalid byte, and a last line cut inside a character: each becomes U+FFFD (EF BF BD).
    const out = await through([
      new Uint8Array([0xff, ...line]),
      new Uint8Array([...encoder.encode('data: '), 0xe2, 0x82]),
    ]);
    assert.deepEqual(out, {
      bytes: [0xef, 0xbf, 0xbd, ...line, ...encoder.encode('data: '), 0xef, 0xbf, 0xbd],
      done: false,
    });
  });

  it('fails an open line over the cap, counted in characters, and a stream over its total', async () => {
    const caps = { ...limits, maxBodyBytes: 10 };
    // Ten two-byte characters are ten characters: under the cap; eleven are over it.
    assert.deepEqual(await through(cut(encoder.encode('é'.repeat(10)), 3), caps), {
      bytes: [...encoder.encode('é'.repeat(10))],
      done: false,
    });
    assert.deepEqual(await through(cut(encoder.encode('é'.repeat(11)), 3), caps), { error: 'too large: line' });
    // A line break resets the count.
    assert.deepEqual(await through(cut(encoder.encode('abcdefgh\nabcdefgh\n'), 4), caps), {
      bytes: [...encoder.encode('abcdefgh\nabcdefgh\n')],
      done: false,
    });
    assert.deepEqual(
      await through(cut(encoder.encode('data: x\n'.repeat(20)), 8), { ...limits, maxStreamBytes: 100 }),
      {
        error: 'too large: stream',
      },
    );
  });
});

describe('pulledThrough (the bounded stream without a TransformStream pipe)', () => {
  /** A source of these chunks that records whether and why it was cancelled. */
  function source(chunks: Uint8Array[], failAt?: number): { stream: ReadableStream<Uint8Array>; cancelled: unknown[] } {
    const cancelled: unknown[] = [];
    let next = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (next === failAt) controller.error(new Error('connection reset'));
        else if (next < chunks.length) controller.enqueue(chunks[next]);
        else controller.close();
        next++;
      },
      cancel(reason) {
        cancelled.push(reason);
      },
    });
    return { stream, cancelled };
  }

  /** Lines that start with `#` dropped; a line over 8 bytes errors (a stand-in for the bounds). */
  function lineFilter(): {
    transform: (chunk: Uint8Array, sink: { enqueue(c: Uint8Array): void; error(e: unknown): void }) => void;
    flush: (sink: { enqueue(c: Uint8Array): void; error(e: unknown): void }) => void;
  } {
    let open = '';
    const out = (text: string, sink: { enqueue(c: Uint8Array): void }): void => {
      const kept = text
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .join('\n');
      if (kept !== '') sink.enqueue(encoder.encode(kept));
    };
    return {
      transform(chunk, sink) {
        open += new TextDecoder().decode(chunk);
        const cut = open.lastIndexOf('\n');
        if (open.length - cut - 1 > 8) {
          sink.error(new Error('line too long'));
          return;
        }
        if (cut < 0) return;
        out(open.slice(0, cut + 1), sink);
        open = open.slice(cut + 1);
      },
      flush(sink) {
        if (open !== '') out(open, sink);
      },
    };
  }

  async function read(stream: ReadableStream<Uint8Array>): Promise<string> {
    try {
      return new TextDecoder().decode(await new Response(stream).arrayBuffer());
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
  }

  it('gives what a pipe through a TransformStream gives, however the bytes are cut, errors included', async () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pieces = ['a', 'bc', '\n', '#x\n', 'defg', '\n\n', '#', '123456789', 'é'];
    for (let round = 0; round < 300; round++) {
      const text = Array.from(
        { length: Math.floor(random() * 12) },
        () => pieces[Math.floor(random() * pieces.length)],
      ).join('');
      const bytes = encoder.encode(text);
      const sizes = [1, 2, 3, 5, 64];
      const chunks = cut(bytes, sizes[round % sizes.length]);
      const failAt = round % 7 === 0 && chunks.length > 0 ? Math.floor(random() * chunks.length) : undefined;
      const piped = lineFilter();
      const expected = await read(source(chunks, failAt).stream.pipeThrough(new TransformStream(piped)));
      const pulled = lineFilter();
      const actual = await read(pulledThrough(source(chunks, failAt).stream, pulled.transform, pulled.flush));
      assert.equal(actual, expected, JSON.stringify({ text, size: sizes[round % sizes.length], failAt }));
    }
  });

  it('reads on through chunks that write nothing (an open line) instead of waiting for ever', async () => {
    const { transform, flush } = lineFilter();
    const chunks = ['ab', 'cd', 'ef', '\n', 'gh'].map((part) => encoder.encode(part));
    assert.equal(await read(pulledThrough(source(chunks).stream, transform, flush)), 'abcdef\ngh');
  });

  it('cancels the source when the transform fails, and when the reader cancels', async () => {
    // More chunks behind the failing one: the source is still open when the transform fails.
    const failing = source(['123456789', 'ab\n', 'cd\n', 'ef\n'].map((part) => encoder.encode(part)));
    const filter = lineFilter();
    assert.equal(await read(pulledThrough(failing.stream, filter.transform, filter.flush)), 'error: line too long');
    assert.equal(failing.cancelled.length, 1);
    assert.equal((failing.cancelled[0] as Error).message, 'line too long');

    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode('x\n'));
      },
      cancel(reason) {
        cancelledBy.push(reason);
      },
    });
    const cancelledBy: unknown[] = [];
    const other = lineFilter();
    const reader = pulledThrough(endless, other.transform, other.flush).getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'x\n');
    await reader.cancel('enough');
    assert.deepEqual(cancelledBy, ['enough']);
  });

  it("fails with the source's error when the connection breaks", async () => {
    const { transform, flush } = lineFilter();
    const broken = source([encoder.encode('ab\n'), encoder.encode('cd\n')], 1);
    assert.equal(await read(pulledThrough(broken.stream, transform, flush)), 'error: connection reset');
  });
});
