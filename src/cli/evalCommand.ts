import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { MODES, type Mode, type ReviewFinding, type ReviewResult } from '../core/findings';
import {
  lineAccuracy,
  offlineDuplicates,
  scoreContext,
  scoreFindings,
  ungatedFindings,
  unusableFixes,
  type ContextScore,
  type EvalExchange,
  type QualityScore,
} from '../core/eval/score';
import { bundledEvalSetDir, loadLabeledSet, type LabeledSet } from '../core/eval/labeledSet';
import { bundledSkillsDir, loadPersonaCatalog } from '../core/personas';
import type { ChatProvider, ChatRequest } from '../core/providers/provider';
import { FINDINGS_SCHEMA_NAME } from '../core/review/outputContract';
import { errorMessage } from '../core/errorMessage';
import { argumentError, EXIT, UsageError } from './errors';
import type { CliCommand, CliIo } from './main';
import { reviewWithHooks } from './reviewCommand';

const run = promisify(execFile);

/**
 * `backend-review eval`: the review pipeline, exactly as `review` runs it, over a labeled set of
 * backend code with seeded bugs (eval/set), against a model; reports what a user would get
 * (precision, recall, line accuracy), what the gate cost (recall lost against the ungated answers)
 * and what context reached the model. `npm run eval` runs it against scripted model behaviours.
 */
export interface EvalRun {
  /** Column heading. */
  label: string;
  persona?: string;
  mode?: Mode;
  verify?: boolean;
  /** More `review` flags for this run (e.g. --min-confidence). */
  reviewArgs?: string[];
}

export interface EvalRunResult {
  run: EvalRun;
  quality: QualityScore;
  lineAccuracy: number | null;
  ungated: QualityScore;
  /** Bugs the ungated answers found that the delivered review did not, ÷ bugs the ungated answers found. */
  recallLoss: number | null;
  unusableFixes: number;
  offlineDuplicates: number;
  context: ContextScore;
  requests: number;
  verifyRequests: number;
  promptTokens: number;
  completionTokens: number;
  /** High/critical findings the verification pass dropped and re-rated. */
  verifyRejected: number;
  verifyReRated: number;
  /** Model findings withheld because the code shown has what they say is missing. */
  contradicted: number;
  /** Model findings withheld because the quoted code cannot have the race, injection or N+1 they claim. */
  ungrounded: number;
  /** Model findings withheld as resting on nothing the code shows (generic advice, unseen callers, Pragmatic style). */
  unfounded: number;
  /** Verifier rejections whose evidence is not in the code shown (the findings kept). */
  verifyUnsupported: number;
}

export interface EvalOptions {
  set: LabeledSet;
  model: string;
  baseUrl: string;
  env: NodeJS.ProcessEnv;
  runs: EvalRun[];
  /** `review` flags for every run (--max-concurrency, --timeout-ms, ...). */
  reviewArgs?: string[];
  onProgress?: (message: string) => void;
}

/** Thrown when a review of the set could not complete: the review's exit code and its stderr. */
export class EvalReviewError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'EvalReviewError';
  }
}

class Collect extends Writable {
  text = '';
  isTTY = false;
  _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run(
    'git',
    [
      '-c',
      'user.name=backend-review eval',
      '-c',
      'user.email=eval@example.invalid',
      '-c',
      'commit.gpgsign=false',
      ...args,
    ],
    { cwd, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

async function writeTree(root: string, files: ReadonlyMap<string, string>): Promise<void> {
  for (const [file, text] of files) {
    const target = path.join(root, ...file.split('/'));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, text);
  }
}

/**
 * The set as a git repository: one commit with the base state, one with the change (and the set's
 * commit message), so a diff review sees a real range. Returns the folder.
 */
export async function materialiseSet(set: LabeledSet): Promise<string> {
  const root = await fs.mkdtemp(path.join(tmpdir(), 'backend-review-eval-'));
  await git(root, ['init', '--quiet']);
  await writeTree(root, new Map([...set.files, ...set.baseFiles]));
  await git(root, ['add', '-A']);
  await git(root, ['commit', '--quiet', '-m', 'Base state of the eval set']);
  await writeTree(root, set.files);
  await git(root, ['add', '-A']);
  await git(root, ['commit', '--quiet', '-m', set.commitMessage]);
  return root;
}

/** The removed lines of the change, per file (the text of each `-` line of `git diff`). */
async function removedLines(root: string, paths: string[]): Promise<Map<string, string[]>> {
  const diff = await git(root, ['diff', '--no-color', '--no-ext-diff', 'HEAD~1', 'HEAD', '--', ...paths]);
  const removed = new Map<string, string[]>();
  let file: string | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) file = undefined;
    else if (line.startsWith('--- ')) continue;
    else if (line.startsWith('+++ ')) {
      file = line.slice(4).replace(/^b\//, '');
      removed.set(file, []);
    } else if (file !== undefined && line.startsWith('-')) removed.get(file)!.push(line.slice(1));
  }
  return removed;
}

function textOf(request: ChatRequest, role: string): string {
  return request.messages
    .filter((m) => m.role === role)
    .map((m) => m.content)
    .join('\n\n');
}

/** The provider, recording each request and its answer (the provider itself is untouched). */
function recording(provider: ChatProvider, exchanges: EvalExchange[]): ChatProvider {
  return new Proxy(provider, {
    get(target, property, receiver) {
      if (property === 'complete') {
        return async (request: ChatRequest) => {
          const exchange: EvalExchange = {
            kind: request.jsonSchema?.name === FINDINGS_SCHEMA_NAME ? 'review' : 'verify',
            system: textOf(request, 'system'),
            user: textOf(request, 'user'),
            answer: '',
          };
          exchanges.push(exchange);
          const response = await target.complete(request);
          exchange.answer = response.text;
          return response;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function reviewOnce(
  root: string,
  args: string[],
  options: EvalOptions,
  exchanges: EvalExchange[],
): Promise<ReviewResult> {
  const stdout = new Collect();
  const stderr = new Collect();
  const io: CliIo = { stdout, stderr, cwd: root, env: options.env };
  let result: ReviewResult | undefined;
  let code: number;
  try {
    code = await reviewWithHooks(args, io, {
      wrapProvider: (provider) => recording(provider, exchanges),
      onResult: (r) => {
        result = r;
      },
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new EvalReviewError(`the review failed: ${errorMessage(error)}`, EXIT.usage);
  }
  const said = stderr.text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^backend-review: (guidance|note):/.test(l))
    .slice(-3)
    .map((l) => l.replace(/^backend-review review: /, ''))
    .join('\n');
  if (code === EXIT.usage) throw new UsageError(said.replace(/^backend-review review: /, ''));
  if (code !== EXIT.ok && code !== EXIT.findings) throw new EvalReviewError(said, code);
  if (!result) throw new EvalReviewError(`the review gave no result (exit ${code}): ${said}`, code);
  const incomplete = result.skipped.filter((s) => s.failed);
  if (incomplete.length > 0)
    throw new EvalReviewError(
      `the review of the eval set is incomplete (${incomplete[0].file}: ${incomplete[0].reason}); its figures would not mean anything`,
      EXIT.modelUnavailable,
    );
  return result;
}

/** Runs every run over the set and scores it. */
export async function runEval(options: EvalOptions): Promise<EvalRunResult[]> {
  const { set } = options;
  const root = await materialiseSet(set);
  try {
    const diffPaths = set.reviews.filter((r) => r.kind === 'diff').flatMap((r) => r.paths);
    const removed = diffPaths.length > 0 ? await removedLines(root, diffPaths) : new Map<string, string[]>();
    const results: EvalRunResult[] = [];
    for (const evalRun of options.runs) {
      const exchanges: EvalExchange[] = [];
      const delivered: ReviewFinding[] = [];
      let promptTokens = 0;
      let completionTokens = 0;
      let verifyRejected = 0;
      let verifyReRated = 0;
      let contradicted = 0;
      let ungrounded = 0;
      let unfounded = 0;
      let verifyUnsupported = 0;
      for (const review of set.reviews) {
        options.onProgress?.(`${evalRun.label}: reviewing the ${review.id} of the eval set`);
        const args = [
          ...(review.kind === 'diff' ? ['--diff', 'HEAD~1'] : []),
          ...review.paths,
          '--model',
          options.model,
          '--base-url',
          options.baseUrl,
          '--format',
          'json',
          '--no-cache',
          '--no-dismissals',
          ...(evalRun.persona ? ['--persona', evalRun.persona] : []),
          ...(evalRun.mode ? ['--mode', evalRun.mode] : []),
          ...(evalRun.verify ? ['--verify'] : []),
          ...(options.reviewArgs ?? []),
          ...(evalRun.reviewArgs ?? []),
        ];
        const result = await reviewOnce(root, args, options, exchanges);
        delivered.push(...result.findings);
        promptTokens += result.stats.promptTokens;
        completionTokens += result.stats.completionTokens;
        verifyRejected += result.stats.withheld?.verifyRejected ?? 0;
        verifyReRated += result.stats.withheld?.verifyReRated ?? 0;
        contradicted += result.stats.withheld?.contradicted ?? 0;
        ungrounded += result.stats.withheld?.ungrounded ?? 0;
        unfounded += result.stats.withheld?.unfounded ?? 0;
        verifyUnsupported += result.stats.withheld?.verifyUnsupported ?? 0;
      }
      const quality = scoreFindings(delivered, set.bugs);
      const ungated = scoreFindings(
        ungatedFindings(
          exchanges,
          delivered.filter((f) => f.origin === 'offline'),
          set.files,
        ),
        set.bugs,
      );
      const lost = [...ungated.detected].filter((id) => !quality.detected.has(id)).length;
      results.push({
        run: evalRun,
        quality,
        lineAccuracy: lineAccuracy(delivered, set.bugs),
        ungated,
        recallLoss: ungated.detected.size === 0 ? null : lost / ungated.detected.size,
        unusableFixes: unusableFixes(delivered, set.files),
        offlineDuplicates: offlineDuplicates(delivered, set.bugs),
        context: scoreContext(exchanges, set, removed),
        requests: exchanges.filter((e) => e.kind === 'review').length,
        verifyRequests: exchanges.filter((e) => e.kind === 'verify').length,
        promptTokens,
        completionTokens,
        verifyRejected,
        verifyReRated,
        contradicted,
        ungrounded,
        unfounded,
        verifyUnsupported,
      });
    }
    return results;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** Targets of issue 15 for scripted realistic answers (shown beside the figures). */
export const EVAL_TARGETS = {
  precision: 0.9,
  recallLoss: 0.05,
  unusableFixes: 0,
  offlineDuplicates: 0,
  removedLinesSent: 1,
  sameFileCalleesSent: 0.9,
  crossFileCalleesSent: 0.7,
};

const ratio = (value: number | null): string => (value === null ? '—' : value.toFixed(2));

/** One table: a row per measure, a column per run, the target last. */
export function formatEvalTable(results: readonly EvalRunResult[], bugs: number): string {
  const rows: [string, (r: EvalRunResult) => string, string][] = [
    ['delivered precision', (r) => ratio(r.quality.precision), `≥ ${EVAL_TARGETS.precision.toFixed(2)}`],
    ['recall', (r) => `${ratio(r.quality.recall)} (${r.quality.detected.size}/${bugs})`, ''],
    ['line accuracy', (r) => ratio(r.lineAccuracy), ''],
    ['findings delivered', (r) => `${r.quality.delivered} (${r.quality.truePositives} true)`, ''],
    ['ungated precision', (r) => ratio(r.ungated.precision), ''],
    ['ungated recall', (r) => ratio(r.ungated.recall), ''],
    ['ungated findings', (r) => `${r.ungated.delivered}`, ''],
    ['recall loss vs ungated', (r) => ratio(r.recallLoss), `≤ ${EVAL_TARGETS.recallLoss.toFixed(2)}`],
    ['prefixed/no-op fixes kept', (r) => `${r.unusableFixes}`, '0'],
    ['offline/model duplicates', (r) => `${r.offlineDuplicates}`, '0'],
    [
      'removed lines sent',
      (r) => `${ratio(r.context.removedLinesSent)} of ${r.context.removedLines}`,
      EVAL_TARGETS.removedLinesSent.toFixed(2),
    ],
    [
      'same-file callees sent',
      (r) => ratio(r.context.sameFileCalleesSent),
      `≥ ${EVAL_TARGETS.sameFileCalleesSent.toFixed(2)}`,
    ],
    [
      'cross-file callees sent',
      (r) => ratio(r.context.crossFileCalleesSent),
      `≥ ${EVAL_TARGETS.crossFileCalleesSent.toFixed(2)}`,
    ],
    ['instruction share of prompt', (r) => ratio(r.context.instructionShare), ''],
    ['requests (+ verify)', (r) => `${r.requests} (+${r.verifyRequests})`, ''],
    ['claims of absence contradicted', (r) => `${r.contradicted}`, ''],
    ['claims without grounds withheld', (r) => `${r.ungrounded}`, ''],
    ['claims on nothing shown withheld', (r) => `${r.unfounded}`, ''],
    ['verify dropped / re-rated', (r) => (r.run.verify ? `${r.verifyRejected} / ${r.verifyReRated}` : '—'), ''],
    ['verify rejections unsupported', (r) => (r.run.verify ? `${r.verifyUnsupported}` : '—'), ''],
    ['tokens in / out', (r) => `${r.promptTokens} / ${r.completionTokens}`, ''],
  ];
  const header = ['', ...results.map((r) => r.run.label), 'target'];
  const body = rows.map(([name, cell, target]) => [name, ...results.map(cell), target]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The figures as JSON (`--format json`). */
export function evalJson(results: readonly EvalRunResult[], meta: { model: string; bugs: number }): string {
  return JSON.stringify(
    {
      version: 1,
      model: meta.model,
      bugs: meta.bugs,
      targets: EVAL_TARGETS,
      runs: results.map((r) => ({
        label: r.run.label,
        persona: r.run.persona ?? null,
        mode: r.run.mode ?? null,
        verify: r.run.verify === true,
        precision: r.quality.precision,
        recall: r.quality.recall,
        lineAccuracy: r.lineAccuracy,
        delivered: r.quality.delivered,
        truePositives: r.quality.truePositives,
        detected: [...r.quality.detected].sort(),
        ungated: { precision: r.ungated.precision, recall: r.ungated.recall, findings: r.ungated.delivered },
        recallLoss: r.recallLoss,
        unusableFixes: r.unusableFixes,
        offlineDuplicates: r.offlineDuplicates,
        context: r.context,
        requests: r.requests,
        verifyRequests: r.verifyRequests,
        verifyRejected: r.verifyRejected,
        verifyReRated: r.verifyReRated,
        contradicted: r.contradicted,
        ungrounded: r.ungrounded,
        unfounded: r.unfounded,
        verifyUnsupported: r.verifyUnsupported,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
      })),
    },
    null,
    2,
  );
}

const HELP = [
  'Usage:',
  '  backend-review eval --model NAME [--base-url URL] [--persona ID]... [--mode backendpe|pragmatic]...',
  '                      [--verify] [--min-confidence X] [--set DIR] [--format text|json]',
  '                      [--max-concurrency N] [--timeout-ms N] [--max-input-tokens N] [--temperature X]',
  '',
  'Reviews a labeled set of backend code (TypeScript, Python and Go files and a diff, with seeded bugs',
  'and clean code) with your model, exactly as `review` would, once per persona and mode, and reports',
  'how well it reviews: delivered precision, recall and line accuracy; the same for the ungated answers',
  '(everything the model said, at the lines it cited) and the recall the gate cost; fixes that would',
  'write line numbers or change nothing; offline/model duplicates; and what context reached the model.',
  '',
  'Model: --model or BACKEND_REVIEW_MODEL, --base-url or OPENAI_BASE_URL, key in OPENAI_API_KEY. The set',
  'is sent to the endpoint (it is our own code, nothing of yours).',
  '',
  'Options:',
  '  --model NAME           model name (overrides BACKEND_REVIEW_MODEL)',
  '  --base-url URL         OpenAI-compatible endpoint (overrides OPENAI_BASE_URL)',
  '  --persona ID           review as this persona (repeatable; default every bundled persona)',
  '  --mode MODE            backendpe or pragmatic (repeatable; default both)',
  '  --verify               re-check high and critical findings with a second request (see review --help)',
  "  --min-confidence X     the confidence floor to measure, 0 to 1 (default: the mode's floor)",
  '  --set DIR              a labeled set of your own (labels.json, repo/, base/; see docs/engine.md)',
  '  --format FORMAT        text (a table, default) or json',
  '  --max-concurrency N, --timeout-ms N, --max-input-tokens N, --temperature X   as for review',
  '  -h, --help             this help',
  '',
  'Exit codes: 0 the eval ran; 2 usage or configuration error; 3 the model could not be reached, kept',
  'failing, or some part of the set could not be reviewed (the figures would not mean anything).',
].join('\n');

export const evalCommand: CliCommand = async (args, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        'base-url': { type: 'string' },
        persona: { type: 'string', multiple: true },
        mode: { type: 'string', multiple: true },
        verify: { type: 'boolean' },
        'min-confidence': { type: 'string' },
        set: { type: 'string' },
        format: { type: 'string' },
        'max-concurrency': { type: 'string' },
        'timeout-ms': { type: 'string' },
        'max-input-tokens': { type: 'string' },
        temperature: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw argumentError(error);
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(HELP + '\n');
    return EXIT.ok;
  }
  const model = values.model ?? io.env.BACKEND_REVIEW_MODEL;
  if (model === undefined || model.trim() === '')
    throw new UsageError('--model is required (or BACKEND_REVIEW_MODEL): the eval measures a model');
  const baseUrl = values['base-url'] ?? io.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format "${format}" is not one of text, json`);
  const modes = (values.mode ?? [...MODES]).map((mode) => {
    if (!(MODES as readonly string[]).includes(mode))
      throw new UsageError(`--mode "${mode}" is not one of ${MODES.join(', ')}`);
    return mode as Mode;
  });
  let personas = values.persona;
  if (personas === undefined) {
    const catalog = await loadPersonaCatalog({ bundledDir: bundledSkillsDir(), includeWorkspace: false });
    personas = catalog.personas.filter((p) => p.sourceKind === 'bundled').map((p) => p.id);
  }
  const setDir = values.set !== undefined ? path.resolve(io.cwd, values.set) : bundledEvalSetDir();
  let set: LabeledSet;
  try {
    set = await loadLabeledSet(setDir);
  } catch (error) {
    throw new UsageError(`--set ${values.set ?? setDir}: ${errorMessage(error)}`);
  }
  // Flags passed through to every review, checked there (errors name the flag).
  const reviewArgs: string[] = [];
  for (const flag of ['min-confidence', 'max-concurrency', 'timeout-ms', 'max-input-tokens', 'temperature'] as const) {
    const value = values[flag];
    if (value !== undefined) reviewArgs.push(`--${flag}`, value);
  }
  const runs: EvalRun[] = personas.flatMap((persona) =>
    modes.map((mode) => ({
      label: persona === mode ? persona : `${persona}/${mode}`,
      persona,
      mode,
      verify: values.verify === true,
    })),
  );
  let results: EvalRunResult[];
  try {
    results = await runEval({
      set,
      model,
      baseUrl,
      env: io.env,
      runs,
      reviewArgs,
      onProgress: io.stderr.isTTY ? (message) => io.stderr.write(`backend-review eval: ${message}\n`) : undefined,
    });
  } catch (error) {
    if (error instanceof EvalReviewError) {
      io.stderr.write(`backend-review eval: ${error.message}\n`);
      return error.exitCode === EXIT.usage ? EXIT.usage : EXIT.modelUnavailable;
    }
    throw error;
  }
  io.stdout.write(
    (format === 'json'
      ? evalJson(results, { model, bugs: set.bugs.length })
      : `Eval of ${model} on ${set.bugs.length} seeded bugs (${path.basename(path.dirname(setDir))}/${path.basename(setDir)}):\n\n${formatEvalTable(results, set.bugs.length)}`) +
      '\n',
  );
  return EXIT.ok;
};
