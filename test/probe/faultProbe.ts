/**
 * Fault probe (issue 14): runs the CLI in-process against the scripted model server with many bad
 * answers, network faults and bad inputs, and checks the targets: no crash (runCli never rejects),
 * no hang past the deadline + 1 s, no valid finding lost, no fail-open exit with --fail-on, and every
 * message on stderr naming a file, flag or endpoint. Not part of the unit suite (it takes a minute):
 *   npx tsx test/probe/faultProbe.ts
 * Prints one line per case and exits 1 when any case breaks a target.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCliCaptured } from '../support/runCliCaptured';
import { modelFinding, startModelServer, type ScriptedReply } from '../support/modelServer';

const VALID = modelFinding({ title: 'Probe finding', severity: 'high', quote: '' });
const VALID_JSON = JSON.stringify({ summary: 's', findings: [VALID] });

interface AnswerCase {
  name: string;
  reply: ScriptedReply;
  /** The answer holds the valid finding: it must be reported (or the run must say it is incomplete). */
  holdsFinding: boolean;
}

const answers: AnswerCase[] = [
  { name: 'plain JSON', reply: { text: VALID_JSON }, holdsFinding: true },
  { name: 'fenced JSON', reply: { text: '```json\n' + VALID_JSON + '\n```' }, holdsFinding: true },
  { name: '1000 braces of prose first', reply: { text: '{ '.repeat(1000) + VALID_JSON }, holdsFinding: true },
  {
    name: 'closed braces of code first',
    reply: { text: 'f() { x(); } '.repeat(2000) + VALID_JSON },
    holdsFinding: true,
  },
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
    name: 'cut off after the finding',
    reply: { text: VALID_JSON.slice(0, -2) + ',{"title":"half', finishReason: 'length' },
    holdsFinding: true,
  },
  {
    name: 'example JSON before the answer',
    reply: { text: 'Format: {"example": 1}. ' + VALID_JSON },
    holdsFinding: true,
  },
  { name: 'two answers', reply: { text: VALID_JSON + '\n' + VALID_JSON }, holdsFinding: true },
  { name: 'BOM and NUL around', reply: { text: '\ufeff' + VALID_JSON + '\u0000' }, holdsFinding: true },
  { name: 'empty answer', reply: { text: '' }, holdsFinding: false },
  { name: 'prose only', reply: { text: 'Looks fine to me.' }, holdsFinding: false },
  { name: '4 MB of {', reply: { text: '{'.repeat(4 * 1024 * 1024 - 10), chunkSize: 1 << 20 }, holdsFinding: false },
  { name: '5 MB of {', reply: { text: '{'.repeat(5 * 1024 * 1024), chunkSize: 1 << 20 }, holdsFinding: false },
  { name: '3 MB of [{', reply: { text: '[{'.repeat(1536 * 1024), chunkSize: 1 << 20 }, holdsFinding: false },
  { name: '2 MB of "{', reply: { text: '"{'.repeat(1 << 20), chunkSize: 1 << 20 }, holdsFinding: false },
  {
    name: 'deeply nested arrays',
    reply: { text: '{"findings":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}' },
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
  { name: 'findings is a string', reply: { text: '{"summary":"s","findings":"none"}' }, holdsFinding: false },
  { name: 'null', reply: { text: 'null' }, holdsFinding: false },
  { name: 'number', reply: { text: '42' }, holdsFinding: false },
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
  { name: 'NaN confidence', reply: { text: VALID_JSON.replace('0.8', 'NaN') }, holdsFinding: true },
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
];

const faults: { name: string; reply: ScriptedReply }[] = [
  { name: 'hang', reply: { hang: true } },
  { name: 'stall mid-stream', reply: { stall: true, text: '{"summary":' } },
  { name: 'reset', reply: { reset: true } },
  { name: '500 forever', reply: { status: 500 } },
  { name: '429 retry-after 3600', reply: { status: 429, headers: { 'retry-after': '3600' } } },
  { name: '401', reply: { status: 401 } },
  { name: 'slow drip', reply: { text: ' '.repeat(5000) + VALID_JSON, chunkSize: 1, chunkDelayMs: 20 } },
  { name: 'html error page', reply: { status: 502, body: '<html><body>Bad gateway</body></html>' } },
];

function workspace(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'fault-probe-'));
  mkdirSync(join(root, '.git'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const problems: string[] = [];
function check(name: string, ok: boolean, why: string): void {
  if (!ok) problems.push(`${name}: ${why}`);
}

async function main(): Promise<void> {
  const server = await startModelServer();
  const env = {
    BACKEND_REVIEW_MODEL: 'm',
    OPENAI_BASE_URL: server.url,
    XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'fault-probe-cache-')),
  };
  const root = workspace({ 'a.ts': 'export const a = 1;\n' });
  const deadlineMs = 3000;

  for (const c of answers) {
    server.setHandler(() => c.reply);
    const started = Date.now();
    let run;
    try {
      run = await runCliCaptured(
        [
          'review',
          'a.ts',
          '--format',
          'json',
          '--fail-on',
          'info',
          '--no-cache',
          '--timeout-ms',
          '2000',
          '--deadline-ms',
          String(deadlineMs),
        ],
        { cwd: root, env },
      );
    } catch (error) {
      check(c.name, false, `crashed: ${(error as Error).stack}`);
      continue;
    }
    const ms = Date.now() - started;
    check(c.name, ms < deadlineMs + 1000, `took ${ms} ms`);
    check(c.name, !/\n\s+at .+:\d+:\d+/.test(run.stderr), 'stack trace on stderr');
    const report =
      run.stdout.trim() === ''
        ? undefined
        : (JSON.parse(run.stdout) as { findings: { title: string; origin: string }[]; complete: boolean });
    const found = report?.findings.some((f) => f.title === 'Probe finding') ?? false;
    if (c.holdsFinding) check(c.name, found || run.code === 3, `valid finding lost (exit ${run.code})`);
    const modelFindings = report?.findings.filter((f) => f.origin === 'model').length ?? 0;
    check(c.name, run.code !== 0 || modelFindings > 0 || report?.complete === true, `fail-open exit 0`);
    check(c.name, modelFindings <= 500, `${modelFindings} findings kept`);
    console.log(`${c.name.padEnd(36)} exit ${run.code} ${String(ms).padStart(5)} ms findings ${modelFindings}`);
  }

  for (const f of faults) {
    server.setHandler(() => f.reply);
    const started = Date.now();
    let run;
    try {
      run = await runCliCaptured(
        [
          'review',
          'a.ts',
          '--fail-on',
          'high',
          '--no-cache',
          '--timeout-ms',
          '1000',
          '--deadline-ms',
          String(deadlineMs),
        ],
        { cwd: root, env },
      );
    } catch (error) {
      check(f.name, false, `crashed: ${(error as Error).stack}`);
      continue;
    }
    const ms = Date.now() - started;
    check(f.name, ms < deadlineMs + 1000, `took ${ms} ms`);
    check(f.name, run.code === 3 || run.code === 1, `exit ${run.code} under a fault`);
    check(
      f.name,
      run.stderr.includes('127.0.0.1') || /a\.ts/.test(run.stderr),
      `message names neither endpoint nor file: ${run.stderr}`,
    );
    console.log(
      `${f.name.padEnd(36)} exit ${run.code} ${String(ms).padStart(5)} ms ${run.stderr.split('\n')[0].slice(0, 120)}`,
    );
  }

  // Inputs, offline: every case must finish with a report and name the file it skipped.
  const inputs = workspace({
    'crlf.ts': 'const a = 1;\r\nconst b = 2;\r\n',
    'mixed.ts': 'a\r\nb\rc\nd\r',
    'utf16.ts': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('const u = 1;\n', 'utf16le')]),
    'utf32.ts': Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]),
    'latin1.ts': Buffer.from([0x63, 0x6f, 0x6e, 0x73, 0x74, 0x20, 0x63, 0x3d, 0x27, 0xe9, 0x27, 0x0a]),
    'empty.ts': '',
    'nul.ts': 'a\u0000b',
    'big.ts': 'x'.repeat(600 * 1024),
  });
  symlinkSync('/etc/hostname', join(inputs, 'outside.ts'));
  symlinkSync(join(inputs, 'loop.ts'), join(inputs, 'loop.ts'));
  symlinkSync(inputs, join(inputs, 'self'));
  writeFileSync(Buffer.concat([Buffer.from(join(inputs, 'bad')), Buffer.from([0xc3, 0x28]), Buffer.from('.ts')]), 'x');
  const run = await runCliCaptured(['review', '.', '--offline', '--format', 'json', '--fail-on', 'info'], {
    cwd: inputs,
    env: {},
  });
  const report = JSON.parse(run.stdout) as { skipped: { file: string; reason: string }[] };
  for (const file of ['utf32.ts', 'nul.ts', 'big.ts', 'outside.ts', 'loop.ts', 'self', 'bad\\xc3(.ts'])
    check(
      `input ${file}`,
      report.skipped.some((s) => s.file === file),
      `not listed as skipped: ${JSON.stringify(report.skipped)}`,
    );
  console.log(`inputs: exit ${run.code}, ${report.skipped.length} skipped`);

  await server.close();
  if (problems.length > 0) {
    console.log(`\n${problems.length} problem(s):\n${problems.join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('\nall targets held');
  }
}

void main();
