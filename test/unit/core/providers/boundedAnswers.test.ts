import * as assert from 'node:assert/strict';
import { rejection } from '../../../support/providerRejection';
import {
  OpenAICompatibleProvider,
  type OpenAICompatibleOptions,
} from '../../../../src/core/providers/openaiCompatible';
import type { ChatRequest } from '../../../../src/core/providers/provider';
import {
  LAST_CHUNK,
  completionBody,
  httpChunk,
  httpHead,
  respondWith,
  sseChunk,
  startRawHttpServer,
  streamThen,
  writeForever,
  type RawHttpServer,
} from '../../../support/rawHttpServer';

/**
 * Issue 14: what the provider reads from a server is bounded (a huge or endless body is refused
 * once past its cap, naming the endpoint), and a stream that stops without saying it is complete is
 * a failure, never an answer. A raw TCP server plays what a well-behaved HTTP server cannot.
 */
const request = (): ChatRequest => ({
  messages: [
    { role: 'system', content: 'Review.' },
    { role: 'user', content: '1 | export const a = 1;' },
  ],
});

/** 64 KiB answers: body cap 4 × 64 KiB + 1 MiB = 1.25 MiB, stream cap 16 × 64 KiB + 1 MiB = 2 MiB. */
const SMALL = 64 * 1024;

let server: RawHttpServer;
function provider(options: Partial<OpenAICompatibleOptions> = {}): OpenAICompatibleProvider {
  return new OpenAICompatibleProvider({
    baseUrl: server.url,
    model: 'm',
    maxRetries: 0,
    timeoutMs: 20_000,
    maxAnswerChars: SMALL,
    ...options,
  });
}

describe('OpenAICompatibleProvider: bounded bodies and cut streams (issue 14)', function () {
  this.timeout(10_000);
  beforeEach(async () => {
    server = await startRawHttpServer();
  });
  afterEach(() => server.close());

  describe('byte caps', () => {
    it('refuses unread a JSON answer whose declared length is over the cap (400 MB), naming the endpoint', async () => {
      let wrote = 0;
      server.setPlay((socket) => {
        socket.write(httpHead('200 OK', { 'content-type': 'application/json', 'content-length': 400 * 1024 * 1024 }));
        socket.write('{"id":"c","choices":[{"message":{"content":"');
        wrote++;
      });
      const error = await rejection(provider({ maxAnswerChars: undefined }).complete(request()));
      assert.equal(wrote, 1);
      assert.equal(error.kind, 'failed');
      assert.match(
        error.message,
        /^the endpoint at http:\/\/127\.0\.0\.1:\d+\/v1 sent an answer body over 17 MiB; it was not read further and not used/,
      );
    });

    it('stops reading a JSON answer with no length once past the cap', async () => {
      let sent = 0;
      server.setPlay((socket) => {
        socket.write(httpHead('200 OK', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
        const chunk = httpChunk(' '.repeat(64 * 1024));
        socket.on('drain', () => (sent += 1));
        writeForever(socket, chunk);
      });
      const error = await rejection(provider().complete(request()));
      assert.match(error.message, /sent an answer body over 1 MiB; it was not read further/);
      assert.equal(error.kind, 'failed');
    });

    it('stops reading one endless stream line once past the cap', async () => {
      server.setPlay(
        streamThen(['data: {"choices":[{"delta":{"content":"'], (socket) =>
          writeForever(socket, httpChunk('x'.repeat(64 * 1024))),
        ),
      );
      const error = await rejection(provider().complete(request()));
      assert.match(error.message, /sent one line of its answer stream over 1 MiB; it was not read further/);
    });

    it('stops reading a stream of empty events once past its total cap', async () => {
      server.setPlay(
        streamThen([], (socket) => writeForever(socket, httpChunk(`: ${'k'.repeat(4000)}\n\n`.repeat(16)))),
      );
      const error = await rejection(provider().complete(request()));
      assert.match(error.message, /sent an answer stream over 2 MiB in all; it was not read further/);
    });

    it('shows the start of an endless error body and says the rest was not read', async () => {
      server.setPlay((socket) => {
        socket.write(
          httpHead('500 Internal Server Error', { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }),
        );
        socket.write(httpChunk('upstream exploded: '));
        writeForever(socket, httpChunk('e'.repeat(64 * 1024)));
      });
      const error = await rejection(provider().complete(request()));
      assert.equal(error.status, 500);
      assert.match(error.message, /answered 500 \(upstream exploded: e+/);
      assert.match(error.message, /an error body over 64 KiB, not read further/);
    });

    it('still reads a whole answer under the cap, in one stream line', async () => {
      const text = JSON.stringify({ summary: 's', findings: [], pad: 'p'.repeat(SMALL - 100) });
      server.setPlay(streamThen([sseChunk(text, 'stop'), 'data: [DONE]\n\n'], (socket) => socket.end(LAST_CHUNK)));
      const response = await provider().complete(request());
      assert.equal(response.text, text);
      assert.equal(response.truncated, false);
    });

    it('still reads a non-streamed answer under the cap', async () => {
      server.setPlay(respondWith('200 OK', completionBody('{"summary":"s","findings":[]}')));
      const response = await provider({ stream: false }).complete(request());
      assert.equal(response.text, '{"summary":"s","findings":[]}');
    });
  });

  describe('streams that stop before the answer is complete', () => {
    it('fails a stream that ends cleanly with no finish_reason and no [DONE], naming the endpoint', async () => {
      server.setPlay(streamThen([sseChunk('{"summary":"s","findings":[]}')], (socket) => socket.end(LAST_CHUNK)));
      const error = await rejection(provider().complete(request()));
      assert.equal(error.kind, 'unreachable');
      assert.equal(error.facts.reason, 'connection-dropped');
      assert.match(
        error.message,
        /^The connection to http:\/\/127\.0\.0\.1:\d+\/v1 ended before the answer was complete \(the stream stopped with no finish_reason and no \[DONE\]\)/,
      );
    });

    it('fails a stream reset mid-answer', async () => {
      server.setPlay(
        streamThen([sseChunk('{"summary":'), sseChunk('"s","findings":[')], (socket) => socket.resetAndDestroy()),
      );
      const error = await rejection(provider().complete(request()));
      assert.match(error.message, /http:\/\/127\.0\.0\.1:\d+\/v1/);
    });

    it('fails a stream half-closed mid-answer (FIN without the last chunk)', async () => {
      server.setPlay(streamThen([sseChunk('{"summary":')], (socket) => socket.end()));
      const error = await rejection(provider().complete(request()));
      assert.match(error.message, /http:\/\/127\.0\.0\.1:\d+\/v1/);
    });

    it('retries a cut stream and uses the answer of the retry', async () => {
      let requests = 0;
      server.setPlay((socket, raw) => {
        requests++;
        if (requests === 1)
          streamThen([sseChunk('{"summary":"s","findings":[]}')], (s) => s.end(LAST_CHUNK))(socket, raw);
        else
          streamThen([sseChunk('{"summary":"second","findings":[]}', 'stop'), 'data: [DONE]\n\n'], (s) =>
            s.end(LAST_CHUNK),
          )(socket, raw);
      });
      const response = await provider({ maxRetries: 1, retryBaseDelayMs: 5 }).complete(request());
      assert.equal(requests, 2);
      assert.equal(response.text, '{"summary":"second","findings":[]}');
    });

    it('keeps a stream that said [DONE] without a finish_reason, as cut off (some servers send no finish_reason)', async () => {
      server.setPlay(
        streamThen([sseChunk('{"summary":"s","findings":[]}'), 'data: [DONE]\n\n'], (socket) => socket.end(LAST_CHUNK)),
      );
      const response = await provider().complete(request());
      assert.equal(response.text, '{"summary":"s","findings":[]}');
      assert.equal(response.truncated, true);
    });
  });

  describe('connection errors without a code', () => {
    it('says why, from the causes: a port fetch refuses (port 9) is named, not just "Connection error"', async () => {
      const error = await rejection(provider({ baseUrl: 'http://127.0.0.1:9/v1' }).complete(request()));
      assert.equal(
        error.message,
        'the endpoint at http://127.0.0.1:9/v1 failed: Connection error: fetch failed: bad port',
      );
    });
  });
});
