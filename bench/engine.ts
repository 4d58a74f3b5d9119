// Rows 1-4 of `npm run bench`: what the review engine costs beside the model call, the tokens a
// small change sends, re-reviews from the cache, and fan-out under latency and rate limits.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import pLimit from 'p-limit';
import type { Mode } from '../src/core/findings';
import {
  bundledSkillsDir,
  loadPersonaCatalog,
  personaForMode,
  personaRenderContext,
  renderPersona,
} from '../src/core/personas';
import type { RenderedPersona } from '../src/core/personas/types';
import { OpenAICompatibleProvider } from '../src/core/providers/openaiCompatible';
import { FileReviewCache } from '../src/core/review/cache';
import { redactSecrets } from '../src/core/review/redact';
import { runConvergentReview } from '../src/core/review/convergent';
import { GATE_DEFAULTS } from '../src/core/review/gate';
import { planReview, runReview } from '../src/core/review/engine';
import { FINDINGS_JSON_SCHEMA, FINDINGS_SCHEMA_NAME } from '../src/core/review/outputContract';
import type { ReviewUnit } from '../src/core/review/types';
import {
  findingsAnswer,
  modelFinding,
  startModelServer,
  type ModelServer,
  type ReplyHandler,
} from '../test/support/modelServer';
import { backendSource } from './generate';
import type { BenchRow } from './types';

const MODE: Mode = 'pragmatic';
const MODEL = 'bench-model';
/** Paired repetitions of the engine and the bare call (after WARMUP of each). */
const PAIRS = 21;
const WARMUP = 3;
const SLOW_MODEL_MS = 300;
const SLOW_PAIRS = 5;

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The bundled persona of the mode, rendered for TypeScript: what the CLI and extension send. */
async function benchPersona(mode: Mode = MODE): Promise<RenderedPersona> {
  const catalog = await loadPersonaCatalog({ bundledDir: bundledSkillsDir(), includeWorkspace: false });
  return renderPersona(personaForMode(catalog, mode), personaRenderContext({ language: 'typescript' }));
}

/**
 * Titles of distinct problems (no two share a word), so that the noise gate's grouping of repeats
 * (gate.ts groupRepeats) keeps each finding on its own.
 */
const DISTINCT_TITLES = [
  'Unbounded retry loop',
  'Missing request deadline',
  'Connection pool exhaustion',
  'Silently swallowed error',
  'Unvalidated redirect target',
  'Stale cache invalidation',
  'Blocking file read',
  'Leaked database cursor',
  'Duplicate payment capture',
  'Unsafe integer parsing',
  'Racy counter update',
  'Hardcoded region endpoint',
  'Verbose stack traces',
  'Unpaginated list query',
  'Orphaned background job',
  'Weak idempotency key',
  'Misleading log level',
  'Oversized response payload',
  'Clock skew assumption',
  'Forgotten feature flag',
];

/**
 * What the noise gate keeps of `sent` distinct findings in one part (the most severe, at most
 * maxPerPart of the bench's mode): every run checks that exactly these come back.
 */
function keptPerPart(sent: number): number {
  return Math.min(sent, GATE_DEFAULTS[MODE].maxPerPart);
}

/**
 * `count` findings (at most 20) spread evenly over the file, each quoting its line as a model
 * would, on lines far enough apart that none merges with another, each about a different problem.
 */
function findingsFor(text: string, count: number): Record<string, unknown>[] {
  if (count > DISTINCT_TITLES.length) throw new Error(`bench: at most ${DISTINCT_TITLES.length} distinct findings`);
  const lines = text.split('\n');
  const findings: Record<string, unknown>[] = [];
  const step = Math.floor(lines.length / count);
  for (let slot = 0; slot < count; slot += 1) {
    // The first line in this slot with real code on it.
    let line = slot * step;
    while (line < (slot + 1) * step - 1 && lines[line].trim().length < 12) line += 1;
    findings.push(
      modelFinding({
        title: DISTINCT_TITLES[slot],
        startLine: line + 1,
        endLine: line + 1,
        quote: lines[line].trim(),
      }),
    );
  }
  return findings;
}

function provider(server: ModelServer): OpenAICompatibleProvider {
  return new OpenAICompatibleProvider({ baseUrl: server.url, model: MODEL, retryBaseDelayMs: 50 });
}

/** Row 1: the engine reviewing a 2,000-line file vs the `openai` SDK sending the same prompt. */
async function overheadRows(persona: RenderedPersona): Promise<BenchRow[]> {
  const lineCount = 2_000;
  const unit: ReviewUnit = { path: 'src/orders/service.ts', text: backendSource('typescript', lineCount) };
  const findings = findingsFor(unit.text, 20);
  const server = await startModelServer({ handler: () => findingsAnswer(findings) });
  try {
    const reviewer = provider(server);
    const plan = planReview({
      units: [unit],
      persona,
      mode: MODE,
      maxInputTokens: reviewer.maxInputTokens,
      countTokens: (text) => reviewer.countTokens(text),
    });
    if (plan.chunks.length !== 1)
      throw new Error(`overhead: expected the 2,000-line file in one request, the plan has ${plan.chunks.length}`);
    const messages = plan.chunks[0].messages.map((m) => ({ role: m.role, content: m.content }));
    const client = new OpenAI({ baseURL: server.url, apiKey: 'no-key', maxRetries: 0 });

    // The bare call: same messages, same structured-output request, streamed like the engine's provider.
    const bare = async (): Promise<void> => {
      const stream = await client.chat.completions.create({
        model: MODEL,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        response_format: {
          type: 'json_schema',
          json_schema: { name: FINDINGS_SCHEMA_NAME, strict: true, schema: FINDINGS_JSON_SCHEMA },
        },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      const answer = JSON.parse(text) as { findings: unknown[] };
      if (answer.findings.length !== findings.length)
        throw new Error(`overhead: the bare call got ${answer.findings.length} findings`);
    };
    // The engine parses and anchors all 20; the noise gate then keeps the most severe per part.
    // Each review gets its own unit object, as every CLI and editor review does: the engine keeps
    // per-object work (the file's redaction) for the objects of one review, not across reviews.
    const kept = keptPerPart(findings.length);
    const engine = async (): Promise<void> => {
      const result = await runReview({ units: [{ ...unit }], persona, mode: MODE, provider: reviewer });
      if (result.findings.length !== kept) {
        throw new Error(
          `overhead: the engine kept ${result.findings.length} of ${findings.length} findings, expected ${kept} (skipped: ${JSON.stringify(result.skipped)})`,
        );
      }
    };
    const timed = async (run: () => Promise<void>): Promise<number> => {
      const start = performance.now();
      await run();
      return performance.now() - start;
    };
    // CPU time of the process during one run: the loopback server's share is in both sides alike,
    // and time spent waiting for a core on a loaded machine is in neither.
    const timedCpu = async (run: () => Promise<void>): Promise<{ wall: number; cpu: number }> => {
      const cpuStart = process.cpuUsage();
      const wall = await timed(run);
      const used = process.cpuUsage(cpuStart);
      return { wall, cpu: (used.user + used.system) / 1000 };
    };

    for (let warm = 0; warm < WARMUP; warm += 1) {
      await bare();
      await engine();
    }
    const bareTimes: number[] = [];
    const engineTimes: number[] = [];
    const bareCpu: number[] = [];
    const engineCpu: number[] = [];
    const differences: number[] = [];
    for (let pair = 0; pair < PAIRS; pair += 1) {
      // Alternate which goes first so drift (GC, CPU frequency) hits both alike.
      const engineFirst = pair % 2 === 0;
      const first = await timedCpu(engineFirst ? engine : bare);
      const second = await timedCpu(engineFirst ? bare : engine);
      const [engineRun, bareRun] = engineFirst ? [first, second] : [second, first];
      engineTimes.push(engineRun.wall);
      bareTimes.push(bareRun.wall);
      engineCpu.push(engineRun.cpu);
      bareCpu.push(bareRun.cpu);
      differences.push(engineRun.cpu - bareRun.cpu);
    }
    const bareMedian = median(bareTimes);
    const engineMedian = median(engineTimes);
    const ownPerThousand = median(differences) / (lineCount / 1000);

    // Context, not a target: the same comparison when the model takes 300 ms to answer (a fast real model).
    server.setHandler(() => ({ ...findingsAnswer(findings), delayMs: SLOW_MODEL_MS }));
    const slowBare: number[] = [];
    const slowEngine: number[] = [];
    for (let pair = 0; pair < SLOW_PAIRS; pair += 1) {
      slowBare.push(await timed(bare));
      slowEngine.push(await timed(engine));
    }
    return [
      {
        name: 'engine: 2,000-line review, bare openai call',
        value: round(median(bareCpu)),
        unit: 'ms CPU',
        note: `median of ${PAIRS}; loopback server, 20 findings answered (the noise gate keeps ${keptPerPart(20)}), streamed; wall ${round(bareMedian)} ms`,
      },
      {
        name: 'engine: 2,000-line review, runReview',
        value: round(median(engineCpu)),
        unit: 'ms CPU',
        note: `median of ${PAIRS}, alternated with the bare call; wall ${round(engineMedian)} ms`,
      },
      {
        name: 'engine: runReview ÷ bare call',
        value: round(median(engineCpu) / median(bareCpu)),
        unit: '×',
        target: 1.15,
        targetKind: 'max',
        note: 'CPU time of the process (server included on both sides): a loaded machine makes both wait, not work',
      },
      {
        name: 'engine: runReview ÷ bare call, wall time',
        value: round(engineMedian / bareMedian),
        unit: '×',
        note: 'context: the same pairs by the clock (judged until session 9; moves with the load)',
      },
      {
        name: `engine: runReview ÷ bare call, model answering in ${SLOW_MODEL_MS} ms`,
        value: round(median(slowEngine) / median(slowBare)),
        unit: '×',
        note: `context for the row above: ${round(median(slowEngine))} vs ${round(median(slowBare))} ms, median of ${SLOW_PAIRS}`,
      },
      {
        name: 'engine: own time per 1,000 lines',
        value: round(ownPerThousand),
        unit: 'ms CPU',
        note: 'median of paired (runReview − bare) CPU differences (context: absolute)',
      },
    ];
  } finally {
    await server.close();
  }
}

/**
 * Row 2: prompt tokens of a 5-line change in a 3,000-line file vs reviewing the whole file. The diff
 * review carries its context as the CLI sends it (enclosing function, callees, imports: context.ts).
 */
async function smallChangeRows(persona: RenderedPersona): Promise<BenchRow[]> {
  const lines = backendSource('typescript', 3_000).split('\n');
  const changedLines = [1500, 1501, 1502, 1503, 1504];
  for (const line of changedLines) lines[line - 1] = `${lines[line - 1]} // changed`;
  const text = lines.join('\n');
  const server = await startModelServer({ handler: () => findingsAnswer([]) });
  try {
    const reviewer = provider(server);
    const whole = await runReview({
      units: [{ path: 'src/orders/service.ts', text }],
      persona,
      mode: MODE,
      provider: reviewer,
    });
    const diff = await runReview({
      units: [{ path: 'src/orders/service.ts', text, changedLines }],
      persona,
      mode: MODE,
      provider: reviewer,
    });
    const systemTokens = reviewer.countTokens(
      planReview({
        units: [{ path: 'x.ts', text: 'x' }],
        persona,
        mode: MODE,
        maxInputTokens: reviewer.maxInputTokens,
        countTokens: (t) => reviewer.countTokens(t),
      }).chunks[0].system,
    );
    return [
      {
        name: 'tokens: 5-line change ÷ whole 3,000-line file',
        value: round(diff.stats.promptTokens / whole.stats.promptTokens, 4),
        unit: '×',
        target: 0.08,
        targetKind: 'max',
        note: `${diff.stats.promptTokens} vs ${whole.stats.promptTokens} prompt tokens (${whole.stats.requests} request(s)); context ${diff.stats.context?.tokens ?? 0} of them; system prompt with persona ≈ ${systemTokens}`,
      },
    ];
  } finally {
    await server.close();
  }
}

/** Row 3: reviewing an unchanged 2,000-line file again: answered from the on-disk cache. */
async function reReviewRows(persona: RenderedPersona): Promise<BenchRow[]> {
  const unit: ReviewUnit = { path: 'src/orders/service.ts', text: backendSource('typescript', 2_000) };
  const findings = findingsFor(unit.text, 20);
  const server = await startModelServer({ handler: () => findingsAnswer(findings) });
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brv-bench-cache-'));
  try {
    const reviewer = provider(server);
    const cache = new FileReviewCache(cacheDir);
    const first = await runReview({ units: [unit], persona, mode: MODE, provider: reviewer, cache });
    if (first.stats.requests !== 1)
      throw new Error(`re-review: the first review made ${first.stats.requests} requests, expected 1`);
    const before = server.chatRequests().length;
    const times: number[] = [];
    for (let run = 0; run < 11; run += 1) {
      const start = performance.now();
      const again = await runReview({ units: [unit], persona, mode: MODE, provider: reviewer, cache });
      times.push(performance.now() - start);
      if (again.findings.length !== first.findings.length)
        throw new Error(
          `re-review: ${again.findings.length} findings from the cache, ${first.findings.length} the first time`,
        );
    }
    const requests = server.chatRequests().length - before;
    return [
      {
        name: 're-review unchanged: requests made',
        value: requests,
        unit: 'requests',
        target: 0,
        targetKind: 'max',
        note: '11 re-reviews of a 2,000-line file, FileReviewCache',
      },
      {
        name: 're-review unchanged: time',
        value: round(median(times)),
        unit: 'ms',
        note: 'median of 11 (context: absolute); redaction, chunking, cache read, re-anchoring 20 findings',
      },
    ];
  } finally {
    await server.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

/**
 * Convergent re-review (issue 17): a 1,000-line file reviewed, then one function edited (a line
 * changed, a line added) and the file reviewed again with the first review remembered, as the
 * editor does. The model answers what each request shows (six findings spread over the file, at the
 * line numbers the prompt gives). Tokens are the server's prompt tokens of each review, same run.
 */
async function convergentRows(persona: RenderedPersona): Promise<BenchRow[]> {
  const file = 'src/orders/service.ts';
  const text = backendSource('typescript', 1_000);
  const lines = text.split('\n');
  // Six findings of different kinds (so the noise gate neither caps nor groups them), on lines that
  // hold no secret (redaction would change what the model is shown).
  const redacted = redactSecrets(text, { path: file }).text.split('\n');
  const categories = ['reliability', 'security', 'performance', 'correctness', 'maintainability', 'api-design'];
  const titles = [
    'Retries without backoff',
    'Input reaches the query unchecked',
    'Work repeated for every item',
    'Off-by-one at the page boundary',
    'Magic number in the pricing path',
    'Error shape differs from the other endpoints',
  ];
  const planted = categories.map((category, slot) => {
    let line = Math.floor((slot * lines.length) / categories.length) + 3;
    while (lines[line].trim().length < 12 || redacted[line] !== lines[line]) line += 1;
    return modelFinding({
      title: titles[slot],
      category,
      severity: 'medium',
      startLine: line + 1,
      endLine: line + 1,
      quote: lines[line].trim(),
    });
  });
  const quotes = planted.map((f) => String(f.quote));
  const handler: ReplyHandler = (request) => {
    const shown = new Map<string, number>();
    for (const line of request.user.split('\n')) {
      const match = /^\s*(\d+) \| (.*)$/.exec(line);
      if (match) shown.set(match[2].trim(), Number(match[1]));
    }
    return findingsAnswer(
      planted
        .filter((f) => shown.has(String(f.quote)))
        .map((f) => ({ ...f, startLine: shown.get(String(f.quote)), endLine: shown.get(String(f.quote)) })),
    );
  };
  const server = await startModelServer({ handler });
  try {
    const reviewer = provider(server);
    const options = (body: string) => ({
      units: [{ path: file, text: body }],
      persona,
      mode: MODE,
      provider: reviewer,
    });
    const first = await runConvergentReview(options(text), () => undefined, runReview);
    if (first.result.stats.requests !== 1 || first.result.findings.length !== planted.length)
      throw new Error(
        `convergent: the first review made ${first.result.stats.requests} request(s) and kept ${first.result.findings.length} of ${planted.length} findings (${first.result.notes.join('; ')})`,
      );
    // The function around the middle of the file: its first body line with code is changed and a line added after it.
    const start = lines.findIndex((line, index) => index >= 500 && /^export (async )?function /.test(line));
    let body = start + 1;
    while (lines[body].trim().length < 12 || quotes.includes(lines[body].trim())) body += 1;
    const edited = [...lines];
    edited.splice(body, 1, `${lines[body]} // reviewed`, '  void 0;');
    const editedText = edited.join('\n');
    const remembered = first.reviewed[0];
    const second = await runConvergentReview(options(editedText), () => remembered, runReview);
    const ratio = second.result.stats.promptTokens / first.result.stats.promptTokens;
    // Context for the ratio: the system message (task, persona, mode rubric, contract) goes with every request.
    const systemTokens = reviewer.countTokens(
      planReview({
        units: [{ path: file, text: 'x' }],
        persona,
        mode: MODE,
        maxInputTokens: reviewer.maxInputTokens,
        countTokens: (t) => reviewer.countTokens(t),
      }).chunks[0].system,
    );
    // Every finding outside the edited function is still reported, on its (moved) line.
    const end = lines.findIndex((line, index) => index > start && /^}/.test(line));
    const moved = (line: number): number => (line > body + 1 ? line + 1 : line);
    const elsewhere = first.result.findings.filter((f) => f.startLine - 1 < start || f.startLine - 1 > end);
    const kept = elsewhere.filter((f) =>
      second.result.findings.some((g) => g.title === f.title && g.startLine === moved(f.startLine)),
    );
    return [
      {
        name: 'convergent: re-review after editing one function ÷ first review, prompt tokens',
        value: round(ratio, 4),
        unit: '×',
        target: 0.15,
        targetKind: 'max',
        note: `${second.result.stats.promptTokens} vs ${first.result.stats.promptTokens} prompt tokens (system message ≈ ${systemTokens} of each, ${round((100 * systemTokens) / first.result.stats.promptTokens, 1)}% of the first review); 1,000-line file, lines ${start + 1}-${end + 1} edited at ${body + 1}; sent ${second.files[0]?.sentLines.map((r) => `${r.startLine}-${r.endLine}`).join(', ')}`,
      },
      {
        name: 'convergent: findings outside the edited function lost or moved wrongly',
        value: elsewhere.length - kept.length,
        unit: 'findings',
        target: 0,
        targetKind: 'max',
        note: `${kept.length} of ${elsewhere.length} kept on their lines; ${second.files[0]?.resolved.length ?? 0} resolved`,
      },
    ];
  } finally {
    await server.close();
  }
}

/** The convergent re-review rows alone (`npm run bench -- convergent`). */
export async function benchConvergent(): Promise<BenchRow[]> {
  return convergentRows(await benchPersona());
}

/** Row 4: 20 files against a server with 50 ms latency at concurrency 4; then with 429s. */
async function fanOutRows(persona: RenderedPersona): Promise<BenchRow[]> {
  const files = 20;
  const latencyMs = 50;
  const concurrency = 4;
  const units: ReviewUnit[] = Array.from({ length: files }, (_, index) => ({
    path: `src/service${index}/handler.ts`,
    text: backendSource('typescript', 150, index),
  }));
  const perFile = new Map(units.map((unit) => [unit.path, findingsFor(unit.text, 3)]));
  // What the noise gate keeps: 3 per file (under the per-part cap), at most maxPerReview in all.
  const expected = Math.min(files * keptPerPart(3), GATE_DEFAULTS[MODE].maxPerReview);
  const answerFor = (user: string): Record<string, unknown>[] => {
    const file = /^File: (.+)$/m.exec(user)?.[1];
    const found = file ? perFile.get(file) : undefined;
    if (!found) throw new Error(`fan-out: the request names no known file (${file ?? 'no File: line'})`);
    return found;
  };
  const slow: ReplyHandler = (request) => ({ ...findingsAnswer(answerFor(request.user)), delayMs: latencyMs });
  const server = await startModelServer({ handler: slow });
  try {
    const reviewer = provider(server);
    const ideal = (files * latencyMs) / concurrency;
    // The floor: the same 20 prompts sent with the bare `openai` SDK, 4 at a time (HTTP and the
    // SDK cost a few ms per request on top of the server's 50 ms, more on a loaded machine).
    const plan = planReview({
      units,
      persona,
      mode: MODE,
      maxInputTokens: reviewer.maxInputTokens,
      countTokens: (text) => reviewer.countTokens(text),
    });
    const client = new OpenAI({ baseURL: server.url, apiKey: 'no-key', maxRetries: 0 });
    const bareFanOut = async (): Promise<void> => {
      const limit = pLimit(concurrency);
      await Promise.all(
        plan.chunks.map((chunk) =>
          limit(async () => {
            // The same structured-output request the provider sends (as row 1's bare call does).
            const stream = await client.chat.completions.create({
              model: MODEL,
              messages: chunk.messages.map((m) => ({ role: m.role, content: m.content })),
              stream: true,
              stream_options: { include_usage: true },
              response_format: {
                type: 'json_schema',
                json_schema: { name: FINDINGS_SCHEMA_NAME, strict: true, schema: FINDINGS_JSON_SCHEMA },
              },
            });
            let text = '';
            for await (const part of stream) text += part.choices[0]?.delta?.content ?? '';
            JSON.parse(text);
          }),
        ),
      );
    };
    const times: number[] = [];
    const bareTimes: number[] = [];
    const timeBare = async (): Promise<number> => {
      const start = performance.now();
      await bareFanOut();
      return performance.now() - start;
    };
    const timeOurs = async (): Promise<number> => {
      const start = performance.now();
      const result = await runReview({
        units: units.map((unit) => ({ ...unit })),
        persona,
        mode: MODE,
        provider: reviewer,
        maxConcurrency: concurrency,
      });
      const elapsed = performance.now() - start;
      if (result.findings.length !== expected)
        throw new Error(`fan-out: ${result.findings.length} of ${expected} findings`);
      return elapsed;
    };
    for (let run = 0; run < 8; run += 1) {
      // Alternate which goes first, as row 1 does: the second of a pair ran on sockets, timers and
      // heap the first left behind (until session 10 the bare fan-out always went first).
      const oursFirst = run % 2 === 1;
      const first = await (oursFirst ? timeOurs() : timeBare());
      const second = await (oursFirst ? timeBare() : timeOurs());
      const [elapsed, bareElapsed] = oursFirst ? [first, second] : [second, first];
      if (run > 0) {
        // run 0 warms up
        times.push(elapsed);
        bareTimes.push(bareElapsed);
      }
    }
    const total = median(times);
    const bareTotal = median(bareTimes);

    // Every third request is refused with 429 and retry-after: 0.2; the provider waits and retries.
    server.setHandler((request, index) =>
      index % 3 === 2 ? { status: 429, headers: { 'retry-after': '0.2' } } : slow(request, index),
    );
    const before = server.chatRequests().length;
    const start = performance.now();
    const limited = await runReview({ units, persona, mode: MODE, provider: reviewer, maxConcurrency: concurrency });
    const limitedMs = performance.now() - start;
    const requests = server.chatRequests().length - before;
    return [
      {
        name: 'fan-out: 20 files, 50 ms latency, concurrency 4 ÷ ideal',
        value: round(total / ideal),
        unit: '×',
        // Context, not a target: the ideal is a constant, so this moves with the machine's load; the
        // judged row is ours ÷ the bare SDK's fan-out measured beside it (issue 18).
        note: `${round(total)} ms vs ideal ${ideal} ms (context; was judged ≤ 1.3 before issue 18), median of 7; bare openai SDK, same prompts, 4 at a time: ${round(bareTotal)} ms = ${round(bareTotal / ideal)}×`,
      },
      {
        name: 'fan-out: ours ÷ the bare SDK fan-out',
        value: round(total / bareTotal),
        unit: '×',
        target: 1.05,
        targetKind: 'max',
        note: `${round(total)} vs ${round(bareTotal)} ms, same prompts, same server, 4 at a time, median of 7`,
      },
      {
        name: 'fan-out: findings with 429 on every third request',
        value: limited.findings.length,
        unit: 'findings',
        target: expected,
        targetKind: 'min',
        note: `${requests} requests for ${files} files, ${limited.skipped.length} parts skipped, ${round(limitedMs)} ms`,
      },
    ];
  } finally {
    await server.close();
  }
}

export async function benchEngine(): Promise<BenchRow[]> {
  const persona = await benchPersona();
  return [
    ...(await overheadRows(persona)),
    ...(await smallChangeRows(persona)),
    ...(await reReviewRows(persona)),
    ...(await fanOutRows(persona)),
  ];
}
