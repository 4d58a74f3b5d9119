/**
 * Fault probe (issue 14): runs the built CLI (`dist/cli.js`, one process per case, as CI runs it)
 * against bad model answers, network faults, bad inputs and bad flags, and checks the targets:
 * - no crash: exit code 0-3, no stack trace on stderr;
 * - no hang: a review ends by its deadline + 1 s (plus the process start, measured once);
 * - no valid finding lost, no fail-open exit (exit 0 with --fail-on while a part was not reviewed);
 * - every message names the file, flag or endpoint concerned;
 * - peak memory (max RSS, `/usr/bin/time`) at most 400 MB.
 * Not part of the unit suite (it takes minutes): `npm run build && npx tsx test/probe/faultProbe.ts`
 * (`--only TEXT` runs the cases whose name contains TEXT). Prints one line per case and the totals,
 * and exits 1 when any case breaks a target.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createGzip } from 'node:zlib';
import { modelFinding, startModelServer, type ScriptedReply } from '../support/modelServer';
import {
  completionBody as completion,
  httpHead as head,
  respondWith as respond,
  sseChunk as sse,
  httpChunk,
  startRawHttpServer,
  streamThen,
  writeForever,
  type RawPlay,
} from '../support/rawHttpServer';

const CLI = resolve(__dirname, '../../dist/cli.js');
const MAX_RSS_KB = 400 * 1024;
const DEADLINE_MS = 3000;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

const VALID = modelFinding({ title: 'Probe finding', severity: 'high', quote: 'export const' });
const VALID_JSON = JSON.stringify({ summary: 's', findings: [VALID] });

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
  rssKb: number;
  killed: boolean;
  /** Date.now() when the process ended. */
  endedAt: number;
}

/** Runs `node dist/cli.js ARGS` under /usr/bin/time; killed after `killAfterMs`. */
function cli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; killAfterMs?: number; stdin?: string },
): Promise<Run> {
  const timeFile = join(mkdtempSync(join(tmpdir(), 'fault-probe-time-')), 'rss');
  if (options.uid !== undefined) chmodSync(dirname(timeFile), 0o777);
  const started = Date.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: options.cwd, NO_COLOR: '1', ...options.env },
    uid: options.uid,
    gid: options.uid,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.stdin ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    if (stdout.length < 32 * 1024 * 1024) stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 1024 * 1024) stderr += chunk.toString('utf8');
  });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.killAfterMs ?? 60_000);
  return new Promise((done) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const rssKb = existsSync(timeFile) ? Number(/(\d+)\s*$/.exec(readFileSync(timeFile, 'utf8'))?.[1] ?? 0) : 0;
      // /usr/bin/time exits with the child's code, or 128+signal when it was killed.
      done({ code, signal, stdout, stderr, ms: Date.now() - started, rssKb, killed, endedAt: Date.now() });
    });
  });
}

function workspace(files: Record<string, string | Buffer>, git = false): string {
  const root = mkdtempSync(join(tmpdir(), 'fault-probe-'));
  chmodSync(root, 0o755);
  if (git) spawnSync('git', ['init', '-q', root]);
  else mkdirSync(join(root, '.git'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', ['-c', 'user.email=p@example.com', '-c', 'user.name=p', ...args], { cwd });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr.toString()}`);
}

interface Tally {
  cases: number;
  crashes: string[];
  hangs: string[];
  lost: string[];
  failOpen: string[];
  unnamed: string[];
  memory: string[];
  other: string[];
  maxRssKb: number;
  maxRssCase: string;
  maxAfterRequestMs: number;
  maxAfterRequestCase: string;
}
const tally: Tally = {
  cases: 0,
  crashes: [],
  hangs: [],
  lost: [],
  failOpen: [],
  unnamed: [],
  memory: [],
  other: [],
  maxRssKb: 0,
  maxRssCase: '',
  maxAfterRequestMs: 0,
  maxAfterRequestCase: '',
};
let startupMs = 0;

/** The checks every run gets. */
/**
 * `firstRequestAt`: when the model server got the run's first request. The review's deadline is armed
 * about then (after the process started and the offline checks ran), so a hang is measured from there
 * to the process's end: on a loaded machine the start alone varies by seconds. Without a request the
 * whole run is bounded, with the measured start on top.
 */
function common(name: string, run: Run, hangBoundMs: number, firstRequestAt?: number): void {
  tally.cases++;
  const afterRequest = firstRequestAt === undefined ? undefined : run.endedAt - firstRequestAt;
  if (run.killed || (afterRequest !== undefined ? afterRequest > hangBoundMs : run.ms > hangBoundMs + startupMs))
    tally.hangs.push(
      `${name}: ${run.ms} ms${afterRequest !== undefined ? ` (${afterRequest} ms after the first request)` : ''}`,
    );
  if (afterRequest !== undefined && afterRequest > tally.maxAfterRequestMs) {
    tally.maxAfterRequestMs = afterRequest;
    tally.maxAfterRequestCase = name;
  }
  if (run.code === null || run.code > 3 || /\n\s+at .+:\d+:\d+\)?\n/.test(run.stderr))
    tally.crashes.push(`${name}: exit ${run.code ?? run.signal} ${run.stderr.slice(-600)}`);
  if (run.rssKb > MAX_RSS_KB) tally.memory.push(`${name}: ${Math.round(run.rssKb / 1024)} MB`);
  if (run.rssKb > tally.maxRssKb) {
    tally.maxRssKb = run.rssKb;
    tally.maxRssCase = name;
  }
  console.log(
    `${name.slice(0, 44).padEnd(44)} exit ${String(run.code ?? run.signal).padEnd(2)} ${String(run.ms).padStart(6)} ms ${String(Math.round(run.rssKb / 1024)).padStart(4)} MB  ${firstMessage(run.stderr)}`,
  );
}

function firstMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/guidance: persona|^backend-review: reviewing/.test(l));
  return (lines.find((l) => /error|fail|skipp|incomplete|refus|invalid|deadline/i.test(l)) ?? lines[0] ?? '')
    .replace(/^backend-review: /, '')
    .slice(0, 110);
}

interface JsonReport {
  findings: { title: string; origin: string; file: string }[];
  skipped: { file: string; reason: string; failed?: boolean }[];
  complete?: boolean;
}
function report(run: Run): JsonReport | undefined {
  try {
    return JSON.parse(run.stdout) as JsonReport;
  } catch {
    return undefined;
  }
}
function modelFindings(r: JsonReport | undefined): number {
  return r?.findings.filter((f) => f.origin === 'model').length ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Model answers: the scripted server answers each request with one bad (or odd) answer.

interface AnswerCase {
  name: string;
  reply: ScriptedReply;
  /** The answer holds the valid finding: it must be reported (or the run must say it is incomplete). */
  holdsFinding: boolean;
  args?: string[];
}

const bigProse = 'The code reads fine. '.repeat(150_000);
const answers: AnswerCase[] = [
  { name: 'plain JSON', reply: { text: VALID_JSON }, holdsFinding: true },
  { name: 'not streamed (server ignores stream)', reply: { text: VALID_JSON, ignoreStream: true }, holdsFinding: true },
  { name: 'fenced JSON', reply: { text: '```json\n' + VALID_JSON + '\n```' }, holdsFinding: true },
  { name: 'fenced js with comments', reply: { text: '```js\n// answer\n' + VALID_JSON + '\n```' }, holdsFinding: true },
  {
    name: 'think block with braces first',
    reply: { text: '<think>if (a) { b(); } {"x":</think>' + VALID_JSON },
    holdsFinding: true,
  },
  { name: '1000 braces of prose first', reply: { text: '{ '.repeat(1000) + VALID_JSON }, holdsFinding: true },
  {
    name: 'closed braces of code first',
    reply: { text: 'f() { x(); } '.repeat(2000) + VALID_JSON },
    holdsFinding: true,
  },
  { name: '3 MB of prose first', reply: { text: bigProse + VALID_JSON, chunkSize: 1 << 20 }, holdsFinding: true },
  { name: 'quotes in prose first', reply: { text: 'He said "look {at" this: ' + VALID_JSON }, holdsFinding: true },
  { name: 'double-encoded', reply: { text: JSON.stringify(VALID_JSON) }, holdsFinding: true },
  { name: 'triple-encoded', reply: { text: JSON.stringify(JSON.stringify(VALID_JSON)) }, holdsFinding: true },
  { name: 'double-encoded after prose', reply: { text: 'Answer: ' + JSON.stringify(VALID_JSON) }, holdsFinding: true },
  {
    name: 'wrapped in {"response": …}',
    reply: { text: JSON.stringify({ response: JSON.parse(VALID_JSON) }) },
    holdsFinding: true,
  },
  { name: 'bare array', reply: { text: JSON.stringify([VALID]) }, holdsFinding: true },
  { name: 'trailing comma', reply: { text: VALID_JSON.replace(/}]}$/, '},]}') }, holdsFinding: true },
  {
    name: 'single quotes, unquoted keys',
    reply: { text: "{summary: 's', findings: [" + JSON.stringify(VALID) + ']}' },
    holdsFinding: true,
  },
  {
    name: 'numbers as strings, severity HIGH',
    reply: { findings: [{ ...VALID, startLine: '1', endLine: '1', severity: 'HIGH' }] },
    holdsFinding: true,
  },
  {
    name: 'extra keys everywhere',
    reply: { text: JSON.stringify({ summary: 's', x: [1], findings: [{ ...VALID, extra: { a: 1 } }] }) },
    holdsFinding: true,
  },
  {
    name: 'duplicate findings key',
    reply: { text: '{"findings":[],"summary":"s","findings":[' + JSON.stringify(VALID) + ']}' },
    holdsFinding: true,
  },
  { name: 'summary null', reply: { text: JSON.stringify({ summary: null, findings: [VALID] }) }, holdsFinding: true },
  {
    name: 'cut off after the finding',
    reply: { text: VALID_JSON.slice(0, -2) + ',{"title":"half', finishReason: 'length' },
    holdsFinding: true,
  },
  {
    name: 'cut off inside the only finding',
    reply: { text: VALID_JSON.slice(0, 60), finishReason: 'length' },
    holdsFinding: false,
  },
  {
    name: 'example JSON before the answer',
    reply: { text: 'Format: {"example": 1}. ' + VALID_JSON },
    holdsFinding: true,
  },
  { name: 'two answers', reply: { text: VALID_JSON + '\n' + VALID_JSON }, holdsFinding: true },
  { name: 'BOM and NUL around', reply: { text: '\ufeff' + VALID_JSON + '\u0000' }, holdsFinding: true },
  { name: 'streamed one char at a time', reply: { text: VALID_JSON, chunkSize: 1 }, holdsFinding: true },
  {
    name: 'title 10 KB, message 1 MB',
    reply: {
      findings: [{ ...VALID, title: 'Probe finding ' + 'T'.repeat(10_000), message: 'm'.repeat(1 << 20) }],
      chunkSize: 1 << 20,
    },
    holdsFinding: true,
  },
  {
    name: 'ANSI escapes in the title',
    reply: { findings: [{ ...VALID, title: 'Probe finding \u001b[2J\u001b]0;pwned\u0007' }] },
    holdsFinding: true,
  },
  {
    name: 'NaN confidence',
    reply: { text: VALID_JSON.replace('0.8', 'NaN') },
    holdsFinding: true,
    args: ['--min-confidence', '0'],
  },
  {
    name: 'confidence "high"',
    reply: { findings: [{ ...VALID, confidence: 'high' }] },
    holdsFinding: true,
    args: ['--min-confidence', '0'],
  },
  {
    name: 'untitled beside a titled one',
    reply: { findings: [VALID, modelFinding({ title: '' })] },
    holdsFinding: true,
  },
  { name: 'unicode escapes', reply: { text: VALID_JSON.replace('Probe', '\\u0050robe') }, holdsFinding: true },
  {
    name: 'lone surrogate',
    reply: { text: VALID_JSON.replace('Probe finding', 'Probe finding \\ud800') },
    holdsFinding: true,
  },
  { name: 'empty answer', reply: { text: '' }, holdsFinding: false },
  { name: 'whitespace answer', reply: { text: ' \n\t ' }, holdsFinding: false },
  { name: 'prose only', reply: { text: 'Looks fine to me.' }, holdsFinding: false },
  { name: 'summary only (a clean review)', reply: { text: '{"summary":"Nothing to raise."}' }, holdsFinding: false },
  { name: '4 MB of {', reply: { text: '{'.repeat(4 * 1024 * 1024 - 10), chunkSize: 1 << 20 }, holdsFinding: false },
  { name: '5 MB of {', reply: { text: '{'.repeat(5 * 1024 * 1024), chunkSize: 1 << 20 }, holdsFinding: false },
  {
    name: '5 MB of spaces then the answer',
    reply: { text: ' '.repeat(5 << 20) + VALID_JSON, chunkSize: 1 << 20 },
    holdsFinding: false,
  },
  { name: '3 MB of [{', reply: { text: '[{'.repeat(1536 * 1024), chunkSize: 1 << 20 }, holdsFinding: false },
  { name: '2 MB of "{', reply: { text: '"{'.repeat(1 << 20), chunkSize: 1 << 20 }, holdsFinding: false },
  { name: '2 MB of "{x}', reply: { text: '"{x}'.repeat(1 << 19), chunkSize: 1 << 20 }, holdsFinding: false },
  { name: '2 MB of [{x}]', reply: { text: '[{x}]'.repeat(400_000), chunkSize: 1 << 20 }, holdsFinding: false },
  {
    name: '2 MB of {"findings":',
    reply: { text: '{"findings":'.repeat(170_000), chunkSize: 1 << 20 },
    holdsFinding: false,
  },
  {
    name: '1 MB of escaped encoded titles',
    reply: { text: '"{\\"title\\"}"'.repeat(80_000), chunkSize: 1 << 20 },
    holdsFinding: false,
  },
  {
    name: 'deeply nested arrays',
    reply: { text: '{"findings":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}' },
    holdsFinding: false,
  },
  {
    name: 'deeply nested objects',
    reply: { text: '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) },
    holdsFinding: false,
  },
  {
    name: 'findings nested in a finding 10k deep',
    reply: { text: '{"summary":"s","findings":[' + '{"findings":['.repeat(10_000) + ']}'.repeat(10_000) + ']}' },
    holdsFinding: false,
  },
  {
    name: '20k invented findings',
    reply: {
      findings: Array.from({ length: 20_000 }, (_, i) => modelFinding({ title: `x${i}`, quote: '' })),
      chunkSize: 1 << 20,
    },
    holdsFinding: false,
  },
  {
    name: '10k valid findings',
    reply: {
      findings: Array.from({ length: 10_000 }, (_, i) => ({ ...VALID, title: `Probe finding ${i}` })),
      chunkSize: 1 << 20,
    },
    holdsFinding: true,
  },
  { name: 'findings is a string', reply: { text: '{"summary":"s","findings":"none"}' }, holdsFinding: false },
  {
    name: 'findings is an object',
    reply: { text: '{"summary":"s","findings":{"0":' + JSON.stringify(VALID) + '}}' },
    holdsFinding: false,
  },
  { name: 'findings are nulls', reply: { text: '{"summary":"s","findings":[null,null]}' }, holdsFinding: false },
  {
    name: 'only finding has an unknown severity',
    reply: { findings: [{ ...VALID, severity: 'dire' }] },
    holdsFinding: false,
  },
  { name: 'null', reply: { text: 'null' }, holdsFinding: false },
  { name: 'number', reply: { text: '42' }, holdsFinding: false },
  { name: 'string', reply: { text: '"fine"' }, holdsFinding: false },
  {
    name: 'huge line numbers',
    reply: { findings: [modelFinding({ startLine: 1e15, endLine: 1e16, quote: '' })] },
    holdsFinding: false,
  },
  {
    name: 'negative lines',
    reply: { findings: [modelFinding({ startLine: -5, endLine: -1, quote: '' })] },
    holdsFinding: false,
  },
  {
    name: 'fix with 1 MB replacement',
    reply: {
      findings: [{ ...VALID, fix: { startLine: 1, endLine: 1, replacement: 'x'.repeat(1 << 20) } }],
      chunkSize: 1 << 20,
    },
    holdsFinding: true,
  },
  {
    name: 'fix with lines past the file',
    reply: { findings: [{ ...VALID, fix: { startLine: 9e9, endLine: 9e9, replacement: 'x' } }] },
    holdsFinding: true,
  },
];

// ---------------------------------------------------------------------------------------------
// Network faults: a raw TCP server plays each one (the scripted server only speaks good HTTP).

const htmlPage =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>' +
  '<p>nginx</p>'.repeat(50) +
  '</body></html>';

let gzipBomb: Buffer | undefined;
async function makeGzipBomb(): Promise<Buffer> {
  if (gzipBomb) return gzipBomb;
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on('data', (c: Buffer) => parts.push(c));
  const block = Buffer.alloc(1 << 20, 0x20);
  for (let i = 0; i < 1024; i++) if (!gzip.write(block)) await new Promise((r) => gzip.once('drain', r));
  await new Promise((r) => gzip.end(r));
  gzipBomb = Buffer.concat(parts);
  return gzipBomb;
}

interface FaultCase {
  name: string;
  play: RawPlay | 'refused' | 'unknown host';
  /** Exit codes that are right for this fault (default: 3, the review is incomplete). */
  codes?: number[];
}

function faultCases(bomb: Buffer): FaultCase[] {
  const slowWrite = (socket: net.Socket, text: string, everyMs: number): void => {
    let at = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || at >= text.length) return clearInterval(timer);
      socket.write(text[at++]);
    }, everyMs);
    socket.on('close', () => clearInterval(timer));
  };
  return [
    { name: 'connection refused', play: 'refused' },
    { name: 'unknown host', play: 'unknown host' },
    { name: 'accepts, never answers', play: () => undefined },
    { name: 'closes at once (no answer)', play: (s) => s.end() },
    { name: 'reset at once', play: (s) => s.resetAndDestroy() },
    { name: 'garbage instead of HTTP', play: (s) => s.end('HELLO THERE\r\n\r\n') },
    {
      name: 'slow headers (a byte every 300 ms)',
      play: (s) => slowWrite(s, head('200 OK', { 'content-type': 'application/json', 'content-length': 10 }), 300),
    },
    {
      name: 'headers then silence',
      play: (s) => s.write(head('200 OK', { 'content-type': 'application/json', 'content-length': 1000 })),
    },
    {
      name: 'content-length longer than the body',
      play: (s) => s.end(head('200 OK', { 'content-type': 'application/json', 'content-length': 1000 }) + '{"id":'),
    },
    {
      name: 'bad chunked encoding',
      play: (s) =>
        s.end(head('200 OK', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }) + 'zz\r\nxx\r\n'),
    },
    {
      name: 'reset mid-stream',
      play: streamThen([sse('{"summary":'), sse('"s", "findings": [')], (s) => s.resetAndDestroy()),
    },
    { name: 'half-open mid-stream (FIN, no end)', play: streamThen([sse('{"summary":')], (s) => s.end()) },
    { name: 'stream stalls mid-answer', play: streamThen([sse('{"summary":')], () => undefined) },
    {
      name: 'stream drips forever (empty events)',
      play: (s) => {
        streamThen([], () => undefined)(s, '');
        const t = setInterval(
          () => (s.destroyed ? clearInterval(t) : s.write(`${(5).toString(16)}\r\n: x\n\n\r\n`)),
          100,
        );
      },
    },
    {
      name: 'stream: one 64 MB line',
      play: streamThen([], (s) => {
        const line = 'data: ' + 'x'.repeat(64 << 20);
        s.end(`${Buffer.byteLength(line).toString(16)}\r\n${line}\r\n0\r\n\r\n`);
      }),
    },
    {
      name: 'stream: garbage events',
      play: streamThen(['data: {not json\n\n', 'data: [1,2\n\n', 'data: [DONE]\n\n'], (s) => s.end('0\r\n\r\n')),
    },
    {
      name: 'stream: error event',
      play: streamThen(['data: {"error":{"message":"overloaded","type":"server_error"}}\n\n'], (s) =>
        s.end('0\r\n\r\n'),
      ),
    },
    {
      name: 'stream: no finish, no [DONE]',
      play: streamThen([sse('{"summary":"s","findings":[]}')], (s) => s.end('0\r\n\r\n')),
    },
    { name: '200 with an empty body', play: respond('200 OK', '') },
    { name: '200 JSON without choices', play: respond('200 OK', '{"id":"x","object":"chat.completion"}') },
    { name: '200 JSON with choices []', play: respond('200 OK', '{"id":"x","choices":[]}') },
    {
      name: '200 JSON with content null',
      play: respond(
        '200 OK',
        '{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"stop"}]}',
      ),
    },
    { name: '200 text/html (captive portal)', play: respond('200 OK', htmlPage, { 'content-type': 'text/html' }) },
    { name: '200 JSON of 64 MB', play: respond('200 OK', completion('x'.repeat(64 << 20))) },
    {
      name: '200 JSON of 400 MB (length given)',
      play: (s) => {
        s.write(
          head('200 OK', { 'content-type': 'application/json', 'content-length': 400 << 20, connection: 'close' }),
        );
        writeForever(s, Buffer.alloc(1 << 20, 0x20));
      },
    },
    {
      name: '200 JSON without end (chunked)',
      play: (s) => {
        s.write(head('200 OK', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
        writeForever(s, httpChunk(Buffer.alloc(1 << 20, 0x20)));
      },
    },
    {
      name: 'stream: endless content events',
      play: streamThen([], (s) => writeForever(s, httpChunk(sse('x'.repeat(1 << 16)).repeat(16)))),
    },
    {
      name: 'stream: endless empty events',
      play: streamThen([], (s) => writeForever(s, httpChunk(`: ${'k'.repeat(1 << 16)}\n\n`.repeat(16)))),
    },
    { name: '200 gzip bomb (1 GiB of spaces)', play: respond('200 OK', bomb, { 'content-encoding': 'gzip' }) },
    {
      name: '500 gzip bomb',
      play: respond('500 Internal Server Error', bomb, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }),
    },
    {
      name: '500 with a 64 MB body',
      play: respond('500 Internal Server Error', 'e'.repeat(64 << 20), { 'content-type': 'text/plain' }),
    },
    { name: 'huge headers (1 MB)', play: respond('200 OK', completion(VALID_JSON), { 'x-big': 'h'.repeat(1 << 20) }) },
    {
      name: '10,000 headers',
      play: (s) =>
        s.end(
          'HTTP/1.1 200 OK\r\n' +
            Array.from({ length: 10_000 }, (_, i) => `x-h${i}: v\r\n`).join('') +
            'content-length: 0\r\n\r\n',
        ),
    },
    { name: '429 without retry-after', play: respond('429 Too Many Requests', '{"error":{"message":"slow down"}}') },
    {
      name: '429 retry-after 1',
      play: respond('429 Too Many Requests', '{"error":{"message":"slow down"}}', { 'retry-after': '1' }),
    },
    {
      name: '429 retry-after 3600',
      play: respond('429 Too Many Requests', '{"error":{"message":"slow down"}}', { 'retry-after': '3600' }),
    },
    {
      name: '429 retry-after HTTP date',
      play: respond('429 Too Many Requests', '{}', { 'retry-after': new Date(Date.now() + 86_400_000).toUTCString() }),
    },
    { name: '429 retry-after garbage', play: respond('429 Too Many Requests', '{}', { 'retry-after': 'soon-ish' }) },
    { name: '429 retry-after-ms -5', play: respond('429 Too Many Requests', '{}', { 'retry-after-ms': '-5' }) },
    { name: '500 JSON', play: respond('500 Internal Server Error', '{"error":{"message":"boom"}}') },
    {
      name: '503 retry-after 2',
      play: respond('503 Service Unavailable', '{"detail":"loading"}', { 'retry-after': '2' }),
    },
    { name: '503 HTML page', play: respond('503 Service Unavailable', htmlPage, { 'content-type': 'text/html' }) },
    { name: '502 HTML page', play: respond('502 Bad Gateway', htmlPage, { 'content-type': 'text/html' }) },
    { name: '401', play: respond('401 Unauthorized', '{"error":{"message":"bad key"}}') },
    { name: '403 HTML', play: respond('403 Forbidden', htmlPage, { 'content-type': 'text/html' }) },
    { name: '404 plain text', play: respond('404 Not Found', 'no such route', { 'content-type': 'text/plain' }) },
    {
      name: '400 context too long',
      play: respond('400 Bad Request', '{"error":{"message":"maximum context length is 10 tokens"}}'),
    },
    {
      name: '301 redirect to itself',
      play: (s) => s.end(head('301 Moved Permanently', { location: '/v1/chat/completions', 'content-length': 0 })),
    },
    { name: '413 payload too large', play: respond('413 Payload Too Large', '') },
  ];
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const selected = (name: string): boolean => only === undefined || name.includes(only);
  const cache = mkdtempSync(join(tmpdir(), 'fault-probe-cache-'));
  chmodSync(cache, 0o777);
  const root = workspace({ 'a.ts': 'export const a = 1;\n' });
  const reviewArgs = (failOn: string): string[] => [
    'review',
    'a.ts',
    '--format',
    'json',
    '--fail-on',
    failOn,
    '--timeout-ms',
    '1500',
    '--deadline-ms',
    String(DEADLINE_MS),
  ];

  startupMs = (await cli(['review', 'a.ts', '--offline'], { cwd: root })).ms;
  console.log(`process start and an offline review of one line: ${startupMs} ms (allowed on top of every bound)\n`);

  // Answers.
  const server = await startModelServer();
  const env = { BACKEND_REVIEW_MODEL: 'm', OPENAI_BASE_URL: server.url, XDG_CACHE_HOME: cache };
  for (const c of answers) {
    if (!selected(c.name)) continue;
    server.setHandler(() => c.reply);
    const asked = server.chatRequests().length;
    const run = await cli([...reviewArgs('info'), '--no-cache', ...(c.args ?? [])], { cwd: root, env });
    common(`answer: ${c.name}`, run, DEADLINE_MS + 1000, server.chatRequests()[asked]?.receivedAt);
    const r = report(run);
    const found = r?.findings.some((f) => f.title.startsWith('Probe finding')) ?? false;
    if (c.holdsFinding && !found && run.code !== 3) tally.lost.push(`answer: ${c.name} (exit ${run.code})`);
    if (run.code === 0 && modelFindings(r) === 0 && r?.complete !== true) tally.failOpen.push(`answer: ${c.name}`);
    if (modelFindings(r) > 500) tally.other.push(`answer: ${c.name}: ${modelFindings(r)} findings kept`);
    if (run.code === 3 && !/a\.ts/.test(run.stderr))
      tally.unnamed.push(`answer: ${c.name}: ${firstMessage(run.stderr)}`);
    if (/\u001b/.test(run.stdout + run.stderr))
      tally.other.push(`answer: ${c.name}: an escape character reached the output`);
  }
  await server.close();

  // Network faults.
  const raw = await startRawHttpServer();
  const bomb = await makeGzipBomb();
  for (const f of faultCases(bomb)) {
    if (!selected(f.name)) continue;
    const url =
      f.play === 'refused'
        ? 'http://127.0.0.1:9/v1'
        : f.play === 'unknown host'
          ? 'http://model.invalid:8000/v1'
          : `http://127.0.0.1:${raw.port}/v1`;
    if (typeof f.play === 'function') raw.setPlay(f.play);
    const asked = raw.requestTimes.length;
    const run = await cli([...reviewArgs('high'), '--no-cache'], {
      cwd: root,
      env: { BACKEND_REVIEW_MODEL: 'm', OPENAI_BASE_URL: url, XDG_CACHE_HOME: cache },
    });
    common(`fault: ${f.name}`, run, DEADLINE_MS + 1000, raw.requestTimes[asked]);
    if (!(f.codes ?? [3]).includes(run.code ?? -1)) tally.failOpen.push(`fault: ${f.name}: exit ${run.code}`);
    const endpoint = new URL(url).host;
    // A failure names the endpoint, or the file whose answer it was (an answer read but unusable).
    if (run.code !== 0 && !run.stderr.includes(endpoint) && !/a\.ts[:\d-]*: the model's answer/.test(run.stderr))
      tally.unnamed.push(`fault: ${f.name}: ${firstMessage(run.stderr)}`);
  }
  raw.close();

  await inputs(selected, cache);
  await flags(selected, root, cache);

  const lines = [
    `cases ${tally.cases}, crashes ${tally.crashes.length}, hangs ${tally.hangs.length}, lost ${tally.lost.length}, fail-open ${tally.failOpen.length}, unnamed ${tally.unnamed.length}, over 400 MB ${tally.memory.length}, other ${tally.other.length}`,
    `peak RSS ${Math.round(tally.maxRssKb / 1024)} MB (${tally.maxRssCase})`,
    `longest from the first request to the end (deadline ${DEADLINE_MS} ms): ${tally.maxAfterRequestMs} ms (${tally.maxAfterRequestCase})`,
  ];
  for (const [label, list] of Object.entries({
    crashes: tally.crashes,
    hangs: tally.hangs,
    lost: tally.lost,
    'fail-open': tally.failOpen,
    unnamed: tally.unnamed,
    memory: tally.memory,
    other: tally.other,
  }))
    for (const item of list) lines.push(`  ${label}: ${item}`);
  console.log('\n' + lines.join('\n'));
  const broken =
    tally.crashes.length +
    tally.hangs.length +
    tally.lost.length +
    tally.failOpen.length +
    tally.unnamed.length +
    tally.memory.length +
    tally.other.length;
  process.exitCode = broken > 0 ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Inputs: files and repositories no one should have to review, offline and with a model.

async function inputs(selected: (name: string) => boolean, cache: string): Promise<void> {
  const server = await startModelServer({ handler: () => ({ text: VALID_JSON }) });
  const env = { BACKEND_REVIEW_MODEL: 'm', OPENAI_BASE_URL: server.url, XDG_CACHE_HOME: cache };
  const expectSkipped = (name: string, run: Run, files: string[]): void => {
    const r = report(run);
    for (const file of files)
      if (!r?.skipped.some((s) => s.file === file))
        tally.unnamed.push(
          `${name}: ${file} not listed as skipped (${JSON.stringify(r?.skipped ?? run.stderr.slice(0, 300))})`,
        );
  };

  if (selected('folder of bad files')) {
    const dir = workspace({
      'crlf.ts': 'const a = 1;\r\nconst b = 2;\r\n',
      'mixed.ts': 'a\r\nb\rc\nd\r',
      'cr-only.ts': 'export const a = 1;\rexport const b = 2;\r',
      'utf16le.ts': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('export const u = 1;\n', 'utf16le')]),
      'utf16be.ts': Buffer.concat([
        Buffer.from([0xfe, 0xff]),
        Buffer.from('export const u = 1;\n', 'utf16le').swap16(),
      ]),
      'utf32.ts': Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]),
      'latin1.ts': Buffer.from([0x63, 0x3d, 0x27, 0xe9, 0x27, 0x0a]),
      'empty.ts': '',
      'nul.ts': 'a\u0000b',
      'big.ts': 'x'.repeat(600 * 1024),
      'one-line-500k.ts': 'export const s = "' + 'a'.repeat(500 * 1024) + '";',
      'nested.ts': 'export const x = ' + '('.repeat(50_000) + '1' + ')'.repeat(50_000) + ';\n',
      'nested-braces.js': 'function f() ' + '{'.repeat(50_000) + '}'.repeat(50_000) + '\n',
      'deep.py': 'x = ' + '['.repeat(50_000) + ']'.repeat(50_000) + '\n',
      'deep.go': 'package p\nvar x = ' + '('.repeat(50_000) + '1' + ')'.repeat(50_000) + '\n',
      'sub/ok.ts': 'export const ok = 1;\n',
      '-rf.ts': 'export const dash = 1;\n',
      'space and "quote".ts': 'export const q = 1;\n',
    });
    symlinkSync('/etc/hostname', join(dir, 'outside.ts'));
    symlinkSync(join(dir, 'loop.ts'), join(dir, 'loop.ts'));
    symlinkSync(dir, join(dir, 'self'));
    symlinkSync(join(dir, 'missing.ts'), join(dir, 'broken.ts'));
    symlinkSync('/dev/zero', join(dir, 'zero.ts'));
    symlinkSync(join(dir, 'sub/ok.ts'), join(dir, 'link-inside.ts'));
    spawnSync('mkfifo', [join(dir, 'pipe.ts')]);
    const socketServer = net.createServer().listen(join(dir, 'sock.ts'));
    writeFileSync(Buffer.concat([Buffer.from(join(dir, 'bad')), Buffer.from([0xc3, 0x28]), Buffer.from('.ts')]), 'x');
    for (const offline of [true, false]) {
      const name = `input: folder of bad files${offline ? ' (offline)' : ''}`;
      const run = await cli(
        [
          'review',
          '.',
          '--format',
          'json',
          '--fail-on',
          'info',
          '--no-cache',
          ...(offline ? ['--offline'] : ['--deadline-ms', '20000']),
        ],
        { cwd: dir, env: offline ? {} : env, killAfterMs: 60_000 },
      );
      common(name, run, offline ? 30_000 : 21_000);
      expectSkipped(name, run, [
        'utf32.ts',
        'nul.ts',
        'big.ts',
        'outside.ts',
        'loop.ts',
        'self',
        'broken.ts',
        'zero.ts',
        'pipe.ts',
        'sock.ts',
        'bad\\xc3(.ts',
      ]);
      if (!offline) {
        const r = report(run);
        const reviewed = new Set(r?.findings.filter((f) => f.origin === 'model').map((f) => f.file));
        for (const file of ['cr-only.ts', 'utf16le.ts', 'utf16be.ts', 'sub/ok.ts', '-rf.ts', 'space and "quote".ts'])
          if (!reviewed.has(file) && !r?.skipped.some((s) => s.file === file))
            tally.lost.push(`${name}: ${file} neither reviewed nor skipped`);
      }
    }
    socketServer.close();
  }

  if (selected('permission denied')) {
    const dir = workspace({
      'ok.ts': 'export const ok = 1;\n',
      'secret.ts': 'export const s = 1;\n',
      'locked/in.ts': 'export const i = 1;\n',
    });
    chmodSync(join(dir, 'secret.ts'), 0o000);
    chmodSync(join(dir, 'locked'), 0o000);
    const run = await cli(
      ['review', '.', '--format', 'json', '--fail-on', 'info', '--no-cache', '--deadline-ms', '20000'],
      { cwd: dir, env, uid: 65534 },
    );
    common('input: permission denied (file and folder)', run, 21_000);
    expectSkipped('input: permission denied', run, ['secret.ts', 'locked']);
    if (run.code !== 3) tally.failOpen.push(`input: permission denied: exit ${run.code}`);
    const single = await cli(['review', 'secret.ts', '--offline', '--fail-on', 'info'], { cwd: dir, uid: 65534 });
    common('input: permission denied (the one file given)', single, 30_000);
    if (single.code === 0 || !single.stderr.includes('secret.ts'))
      tally.unnamed.push(`input: permission denied (one file): exit ${single.code} ${firstMessage(single.stderr)}`);
  }

  if (selected('100k-line folder')) {
    const files: Record<string, string> = {};
    for (let i = 0; i < 100; i++)
      files[`src/m${i}.ts`] =
        Array.from({ length: 1000 }, (_, j) => `export function f${j}(a: number): number { return a + ${j}; }`).join(
          '\n',
        ) + '\n';
    const dir = workspace(files);
    const run = await cli(['review', '.', '--offline', '--format', 'json', '--fail-on', 'info'], {
      cwd: dir,
      killAfterMs: 300_000,
    });
    common('input: 100k-line folder (offline)', run, 300_000);
  }

  if (selected('git diffs')) await diffs(env);
  await server.close();
}

async function diffs(env: NodeJS.ProcessEnv): Promise<void> {
  const repo = workspace(
    { 'a.ts': 'export const a = 1;\n', 'old name.ts': 'export const r = 1;\n', 'bin.dat': Buffer.from([0, 1, 2, 3]) },
    true,
  );
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'one');
  const cases: { name: string; prepare: () => void; args: string[]; codes: number[] }[] = [
    {
      name: '--staged: 50 MB file added',
      prepare: () => {
        writeFileSync(join(repo, 'huge.ts'), 'export const x = 1;\n'.repeat(2_500_000));
        git(repo, 'add', 'huge.ts');
      },
      args: ['--staged'],
      codes: [1, 3],
    },
    { name: '--diff: 50 MB file in the working tree', prepare: () => undefined, args: ['--diff'], codes: [0, 1, 3] },
    {
      name: '--staged: 50 MB single-line file',
      prepare: () => {
        git(repo, 'rm', '-q', '--cached', 'huge.ts');
        writeFileSync(join(repo, 'huge.ts'), 'x'.repeat(50 << 20));
        git(repo, 'add', 'huge.ts');
      },
      args: ['--staged'],
      codes: [0, 1, 3],
    },
    {
      name: '--staged: renames only',
      prepare: () => {
        git(repo, 'rm', '-q', '--cached', 'huge.ts');
        git(repo, 'mv', 'old name.ts', 'new name.ts');
      },
      args: ['--staged'],
      codes: [0, 1],
    },
    {
      name: '--staged: binary change',
      prepare: () => {
        writeFileSync(join(repo, 'bin.dat'), Buffer.from([0, 9, 9, 9, 0]));
        git(repo, 'add', 'bin.dat');
      },
      args: ['--staged'],
      codes: [0, 1],
    },
    {
      name: '--staged: mode change only',
      prepare: () => {
        chmodSync(join(repo, 'a.ts'), 0o755);
        git(repo, 'add', 'a.ts');
      },
      args: ['--staged'],
      codes: [0, 1],
    },
    {
      name: '--staged: UTF-16 file added',
      prepare: () => {
        writeFileSync(
          join(repo, 'u16.ts'),
          Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('export const u = 1;\n', 'utf16le')]),
        );
        git(repo, 'add', 'u16.ts');
      },
      args: ['--staged'],
      codes: [1],
    },
    {
      name: '--staged: non-UTF-8 file name',
      prepare: () => {
        writeFileSync(
          Buffer.concat([Buffer.from(join(repo, 'n')), Buffer.from([0xff]), Buffer.from('.ts')]),
          'export const n = 1;\n',
        );
        git(repo, 'add', '-A');
      },
      args: ['--staged'],
      codes: [1, 3],
    },
    {
      name: '--staged: file deleted',
      prepare: () => {
        git(repo, 'commit', '-qm', 'two');
        git(repo, 'rm', '-q', 'a.ts');
      },
      args: ['--staged'],
      codes: [0, 1],
    },
    {
      name: '--staged: nothing staged',
      prepare: () => {
        git(repo, 'commit', '-qm', 'three');
      },
      args: ['--staged'],
      codes: [0],
    },
    { name: '--diff no-such-ref', prepare: () => undefined, args: ['--diff', 'no-such-ref'], codes: [2] },
    {
      name: '--diff with an option as the base',
      prepare: () => undefined,
      args: ['--diff=--output=/tmp/x'],
      codes: [2],
    },
    {
      name: '--diff then --output (the base is HEAD)',
      prepare: () => undefined,
      args: ['--diff', `--output=${join(tmpdir(), 'fault-probe-diff-output.json')}`],
      codes: [0, 1],
    },
    {
      name: '--staged in a folder that is no repository',
      prepare: () => undefined,
      args: ['--staged', '--dir-not-repo'],
      codes: [2],
    },
  ];
  for (const c of cases) {
    try {
      c.prepare();
    } catch (error) {
      tally.other.push(`diff ${c.name}: could not prepare: ${(error as Error).message}`);
      continue;
    }
    const notRepo = c.args.includes('--dir-not-repo');
    const cwd = notRepo ? mkdtempSync(join(tmpdir(), 'fault-probe-norepo-')) : repo;
    const args = c.args.filter((a) => a !== '--dir-not-repo');
    const run = await cli(
      ['review', ...args, '--format', 'json', '--fail-on', 'info', '--no-cache', '--deadline-ms', '20000'],
      { cwd, env, killAfterMs: 120_000 },
    );
    common(`diff: ${c.name}`, run, 21_000);
    if (!c.codes.includes(run.code ?? -1))
      tally.other.push(`diff: ${c.name}: exit ${run.code} (expected ${c.codes.join('/')}) ${firstMessage(run.stderr)}`);
    if (run.code === 2 && !/--diff|--staged|git|no-such-ref|repositor/.test(run.stderr))
      tally.unnamed.push(`diff: ${c.name}: ${firstMessage(run.stderr)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Flags, settings and environment: each bad value refused with exit 2 naming what is wrong.

async function flags(selected: (name: string) => boolean, root: string, cache: string): Promise<void> {
  const bad: { args: string[]; names: RegExp; env?: NodeJS.ProcessEnv; config?: string }[] = [
    ...['--timeout-ms', '--deadline-ms', '--max-concurrency', '--max-input-tokens'].flatMap((flag) =>
      ['-1', '0', '1.5', 'NaN', 'abc', '1e309', '99999999999999999999', ''].map((value) => ({
        args: [flag, value],
        names: new RegExp(flag),
      })),
    ),
    ...['--min-confidence', '--temperature'].flatMap((flag) =>
      ['-0.1', '2.5', 'NaN', 'x', 'Infinity'].map((value) => ({ args: [flag, value], names: new RegExp(flag) })),
    ),
    { args: ['--shard', '0/0'], names: /--shard/ },
    { args: ['--shard', '5/2'], names: /--shard/ },
    { args: ['--format', 'xml'], names: /--format/ },
    { args: ['--fail-on', 'severe'], names: /--fail-on/ },
    { args: ['--mode', 'strict'], names: /--mode/ },
    { args: ['--rule', 'nope=off'], names: /--rule|nope/ },
    { args: ['--rule', 'explicit-any=loud'], names: /--rule|explicit-any/ },
    { args: ['--no-such-flag'], names: /--no-such-flag/ },
    { args: ['--timeout-ms'], names: /--timeout-ms/ },
    { args: ['--output', '/proc/nope/out.json'], names: /--output|\/proc\/nope/ },
    { args: ['--output', '.'], names: /--output/ },
    { args: ['--config', 'missing.json'], names: /missing\.json/ },
    { args: ['--baseline', 'missing.json'], names: /missing\.json|--baseline/ },
    { args: ['--base-url', 'not a url'], names: /--base-url|not a url/, env: { BACKEND_REVIEW_MODEL: 'm' } },
    { args: ['--base-url', 'ftp://127.0.0.1/v1'], names: /--base-url|ftp/, env: { BACKEND_REVIEW_MODEL: 'm' } },
    { args: [], names: /OPENAI_BASE_URL/, env: { BACKEND_REVIEW_MODEL: 'm', OPENAI_BASE_URL: 'http://[::1' } },
    { args: ['missing-file.ts'], names: /missing-file\.ts/ },
    ...[
      '{',
      '{"requestTimeoutMs": -5}',
      '{"requestTimeoutMs": 1e12}',
      '{"reviewDeadlineMs": "soon"}',
      '{"maxConcurrency": 0}',
      '{"minimumConfidence": 7}',
      '{"rules": {"explicit-any": "loud"}}',
      '[]',
      '"text"',
      '\ufeff{"maxConcurrency": 1000}',
      '{"exclude": [1, 2]}',
      '{"' + 'k'.repeat(1 << 20) + '": 1}',
    ].map((config) => ({ args: ['--config', 'bad.json'], names: /bad\.json/, config })),
  ];
  for (const [i, c] of bad.entries()) {
    const name = `flag: ${c.args.join(' ').slice(0, 40)}${c.config ? ` ${c.config.slice(0, 30)}` : ''}`;
    if (!selected(name)) continue;
    if (c.config !== undefined) writeFileSync(join(root, 'bad.json'), c.config);
    const args = ['review', ...(c.args.includes('missing-file.ts') ? [] : ['a.ts']), ...c.args];
    if (!c.env) args.push('--offline');
    const run = await cli(args, { cwd: root, env: { XDG_CACHE_HOME: cache, ...c.env }, killAfterMs: 30_000 });
    common(`${name} #${i}`, run, 30_000);
    if (run.code !== 2) tally.other.push(`${name}: exit ${run.code}, expected 2 (${firstMessage(run.stderr)})`);
    else if (!c.names.test(run.stderr)) tally.unnamed.push(`${name}: ${firstMessage(run.stderr)}`);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
