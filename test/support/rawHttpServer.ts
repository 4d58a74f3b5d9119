/**
 * A TCP server on 127.0.0.1 that answers each HTTP request with whatever bytes a test scripts: the
 * faults a well-behaved HTTP server (modelServer.ts) cannot produce — a reset mid-stream, a body
 * that never ends, a stream closed without its end, bad framing. Used by the fault tests and the
 * fault probe (test/probe/faultProbe.ts).
 */
import * as net from 'node:net';

/** Plays one answer on the socket; `request` is the raw request (headers and body, latin1). */
export type RawPlay = (socket: net.Socket, request: string) => void;

export interface RawHttpServer {
  port: number;
  /** Base URL for an OpenAI client. */
  url: string;
  /** Date.now() when each request was played, in order. */
  requestTimes: number[];
  setPlay(play: RawPlay): void;
  close(): void;
}

export async function startRawHttpServer(play: RawPlay = (s) => s.end()): Promise<RawHttpServer> {
  let current = play;
  const requestTimes: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    let played = false;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (played || end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (buffered.length - end - 4 < length) return;
      played = true;
      requestTimes.push(Date.now());
      current(socket, buffered);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/v1`,
    requestTimes,
    setPlay: (next) => (current = next),
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** A status line and headers, ending with the blank line. */
export function httpHead(status: string, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}

/** One chat-completion stream event holding `content`. */
export function sseChunk(content: string, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
}

/** A whole non-streamed chat completion holding `content`. */
export function completionBody(content: string): string {
  return JSON.stringify({
    id: 'c',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  });
}

/** A complete answer with `status` and `body` (JSON unless the headers say otherwise), then close. */
export function respondWith(
  status: string,
  body: string | Buffer,
  headers: Record<string, string | number> = {},
): RawPlay {
  // Built once: a 64 MB answer must not cost the server seconds per request on a loaded machine.
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const start = Buffer.from(
    httpHead(status, {
      'content-type': 'application/json',
      'content-length': payload.length,
      connection: 'close',
      ...headers,
    }),
  );
  return (socket) => {
    socket.write(start);
    socket.end(payload);
  };
}

/** A chunked event stream: these events, each one HTTP chunk, then `then` (reset, end, silence…). */
export function streamThen(events: string[], then: (socket: net.Socket) => void): RawPlay {
  return (socket) => {
    socket.write(
      httpHead('200 OK', { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked', connection: 'close' }),
    );
    for (const event of events) socket.write(httpChunk(event));
    then(socket);
  };
}

/** One HTTP/1.1 chunk of chunked transfer encoding. */
export function httpChunk(data: string | Buffer): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
}

/** The last chunk of a chunked body: the body ends properly. */
export const LAST_CHUNK = '0\r\n\r\n';

/**
 * Writes `chunk` again and again, as fast as the client reads it, until the client goes away: a
 * body with no end. Each write waits for the socket to drain, so the server holds one chunk at most.
 */
export function writeForever(socket: net.Socket, chunk: Buffer): void {
  const next = (): void => {
    while (!socket.destroyed && socket.writable) {
      if (!socket.write(chunk)) {
        socket.once('drain', next);
        return;
      }
    }
  };
  next();
}
