import { strict as assert } from 'node:assert';
import { boundedEventStream, streamEndOf } from '../../../../src/core/providers/boundedBody';

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
