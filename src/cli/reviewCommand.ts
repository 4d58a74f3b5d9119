import { promises as fs, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { MODES, SEVERITIES, severityRank, type Mode, type ReviewResult, type Severity } from '../core/findings';
import type { Logger } from '../core/log';
import { OFFLINE_RULES, parseRuleOverrides, type RuleOverride } from '../core/offline';
import type { OfflineConfig } from '../core/offline/types';
import {
  formatGithub,
  formatGitlab,
  formatJson,
  formatRdjson,
  formatSarif,
  formatText,
  type ReportMeta,
} from '../core/output';
import { bundledSkillsDir, loadGuidelines, loadPersonaCatalog } from '../core/personas';
import { createProviderFromEnv, DEFAULT_TIMEOUT_MS } from '../core/providers/openaiCompatible';
import { ProviderError, type ChatProvider } from '../core/providers/provider';
import { defaultCacheDirectory, FileReviewCache } from '../core/review/cache';
import { unitsFromDiff } from '../core/review/diff';
import { isBinaryText } from '../core/review/binary';
import { contextWasSent, describeContext, runReview } from '../core/review/engine';
import {
  describeGuidanceUsed,
  prepareReview,
  type GuidanceSource,
  type PrepareRequest,
  type ReviewNote,
} from '../core/review/prepare';
import { loadGuidanceAtRevision, type GuidanceAtRevision } from '../core/review/guidanceAtRevision';
import type { PersonaCatalog } from '../core/personas/types';
import { ReviewInputError } from '../core/review/errors';
import { collectFiles, findRepositoryRoot } from '../core/review/files';
import { commitMessages, gitDiff, readFileAtRevision } from '../core/review/git';
import { DISMISSALS_FILE, dismissalsFromText, loadDismissals, teamDecisionsFor } from '../core/review/dismissals';
import type { ReviewUnit } from '../core/review/types';
import type { SkippedPart } from '../core/findings';
import { version as TOOL_VERSION } from '../../package.json';
import { argumentError, EXIT, isClosedOutput, UsageError } from './errors';
import { counted } from '../core/counted';
import { resolvePersonaDirs } from './personaDirs';
import { spreadOfflineChecks, type SpreadChecks } from '../core/offline/spread';
import type { CliCommand, CliIo } from './main';
import { errorMessage } from '../core/errorMessage';
import {
  inShard,
  onlyNewFindings,
  parseShard,
  projectRelative,
  pruneDismissals,
  settleFindings,
  type Shard,
} from './teamFindings';
import { SETTING_DEFAULTS } from '../core/config/settings';
import {
  locateProjectConfig,
  parseProjectConfig,
  PROJECT_CONFIG_FILE,
  projectRelative as relativeToProject,
  projectScope,
  readProjectConfig,
  type ProjectConfig,
  type ProjectScope,
} from '../core/config/projectConfig';
import { browserByImporters, normalisePath } from '../core/roles';

const FORMATS = ['text', 'json', 'sarif', 'rdjson', 'gitlab', 'github'] as const;
type Format = (typeof FORMATS)[number];
const FAIL_ON = [...SEVERITIES, 'none'] as const;
type FailOn = (typeof FAIL_ON)[number];

const HELP = [
  'Usage:',
  '  backend-review review [PATH...] [--diff [BASE]] [--staged] [--mode backendpe|pragmatic] [--persona ID]',
  '                        [--dir DIR]... [--offline] [--model NAME] [--base-url URL]',
  '                        [--format text|json|sarif|rdjson|gitlab|github] [--output FILE]',
  '                        [--fail-on critical|high|medium|low|info|none] [--max-concurrency N]',
  '                        [--timeout-ms N] [--deadline-ms N] [--allow-partial] [--no-cache]',
  '                        [--rule ID=off|on|SEVERITY]...',
  '                        [--baseline FILE] [--write-baseline FILE] [--shard K/N] [--no-dismissals]',
  '                        [--prune-dismissals] [--config FILE] [--exclude GLOB]... [--include-tests]',
  '                        [--min-confidence X] [--trust-workspace-guidance]',
  '                        [--max-input-tokens N] [--temperature X] [--verify]',
  '',
  'Reviews files and folders (folders are walked honouring .gitignore), or with --diff the changes of',
  'the working tree against BASE (HEAD by default), or with --staged the index. With --diff/--staged,',
  'PATHs limit the review to those paths.',
  '',
  'Model: --model or BACKEND_REVIEW_MODEL, --base-url or OPENAI_BASE_URL (default OpenAI), key in',
  'OPENAI_API_KEY (optional for local endpoints). Without a model, or with --offline, only the offline',
  'checks run and no request is made.',
  '',
  'Options:',
  '  --diff [BASE]          review `git diff BASE` (working tree vs HEAD when BASE is left out)',
  '  --staged               review the staged changes (git diff --staged)',
  "  --mode MODE            backendpe or pragmatic (default: the persona's mode, else pragmatic)",
  "  --persona ID           persona to review as (default: the mode's persona)",
  '  --dir DIR              read personas from DIR too (repeatable)',
  '  --offline              no model: offline checks only',
  '  --model NAME           model name (overrides BACKEND_REVIEW_MODEL)',
  '  --base-url URL         OpenAI-compatible endpoint (overrides OPENAI_BASE_URL)',
  '  --format FORMAT        text (default), json, sarif, rdjson (reviewdog), gitlab (Code Quality report)',
  '                         or github (Actions workflow commands: annotations)',
  '  --output FILE          write the report to FILE instead of stdout',
  '  --fail-on SEVERITY     exit 1 when a finding is at or above SEVERITY (default none)',
  '  --max-concurrency N    model requests at once, 1 to 64 (default 4)',
  '  --timeout-ms N         wait for an answer and for each streamed chunk, 1 to 86400000 ms (default',
  '                         120000); a whole request may take 4 times that',
  '  --deadline-ms N        time for the whole review, 1 to 86400000 ms (default: the request timeout',
  '                         times the rounds of requests plus one, plus 60 s for retries)',
  '  --allow-partial        with --fail-on, a review with parts that could not be reviewed exits 0/1',
  '                         on the findings it has instead of 3',
  '  --no-cache             do not read or write the review cache',
  "  --min-confidence X     hide model findings with confidence below X, 0 to 1 (default: the mode's floor,",
  '                         0.6 pragmatic, 0.5 backendpe); what is hidden is counted in the report',
  '  --max-input-tokens N   input budget of one request, prompt included (default 32000); set it to the',
  "                         model's context (e.g. Ollama's num_ctx) so nothing is cut",
  "  --temperature X        sampling temperature, 0 to 2 (default: not sent, the endpoint's own)",
  '  --verify               re-check each high and critical model finding with a second request per part:',
  '                         findings the model cannot confirm against the code are dropped (counted), others',
  '                         may be re-rated; costs one more request per part with such findings',
  '  --note TEXT            what you want the reviewer to look at; sent to the model as context with',
  '                         every request (with --diff BASE the commit messages of BASE..HEAD are too)',
  '  --rule ID=VALUE        turn an offline rule off/on or set its severity, e.g. --rule explicit-any=off',
  '                         or --rule query-in-loop=high (repeatable; `backend-review rules` lists the ids);',
  '                         overrides the configuration file',
  '  --baseline FILE        report only findings that are not in FILE (an earlier json or sarif report)',
  "  --write-baseline FILE  also write this run's findings to FILE as a baseline (json)",
  '  --shard K/N            review only the K-th of N deterministic parts of the files (for a CI matrix;',
  '                         `backend-review merge` combines the reports)',
  '  --no-dismissals        report findings dismissed in .backend-review-dismissals.json too',
  '  --prune-dismissals     remove dismissals whose code is gone from .backend-review-dismissals.json',
  '  --config FILE          read the project configuration from FILE instead of the nearest',
  '                         .backend-review.json (from the reviewed folder up to the repository root)',
  '  --exclude GLOB         do not review files matching GLOB, relative to the project root (repeatable)',
  '  --include-tests        report production-risk rules in test and fixture code too',
  "  --trust-workspace-guidance  with --diff/--staged, read the repository's personas, guidelines",
  '                         (AGENTS.md, .github/agents..., a --dir folder git tracks) and',
  '                         .backend-review.json from the change under review instead of from BASE (HEAD',
  '                         for --staged); without it the change cannot choose its own reviewer or rules',
  '  -h, --help             this help',
  '',
  "The repository's guidelines are quoted to the model as project conventions, never as instructions;",
  'a repository persona never replaces a bundled one (it is workspace:ID). stderr names the persona and',
  'the guideline files a model review used and where each was read from.',
  '',
  'Findings dismissed in .backend-review-dismissals.json (at the repository root) are left out of the',
  'findings and of --fail-on; SARIF lists them as suppressed, JSON under "dismissed".',
  '',
  'Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage or configuration',
  'error; 3 the review is incomplete: the model could not be reached or kept failing, or (with --fail-on,',
  'unless --allow-partial) some part could not be reviewed (listed as skipped, failed). With --output, a',
  'run ending in 2 or 3 leaves no report file (an earlier one is removed).',
].join('\n');

export const MODEL_HINT =
  'backend-review: no model configured, running the offline checks only. To review with a model set --model NAME (or BACKEND_REVIEW_MODEL), --base-url URL (or OPENAI_BASE_URL) and OPENAI_API_KEY when the endpoint needs a key.';

export interface ReviewArgs {
  paths: string[];
  diff: boolean;
  base?: string;
  staged: boolean;
  mode: Mode;
  /** `--mode` was given (a persona that declares a mode brings it otherwise). */
  modeExplicit: boolean;
  persona?: string;
  dirs: string[];
  offline: boolean;
  model?: string;
  baseUrl?: string;
  format: Format;
  output?: string;
  failOn: FailOn;
  maxConcurrency?: number;
  timeoutMs?: number;
  deadlineMs?: number;
  allowPartial: boolean;
  cache: boolean;
  minimumConfidence?: number;
  maxInputTokens?: number;
  temperature?: number;
  /** --verify: a second request re-checks high/critical model findings. */
  verify: boolean;
  ruleOverrides: Record<string, RuleOverride>;
  baseline?: string;
  writeBaseline?: string;
  shard?: Shard;
  dismissals: boolean;
  pruneDismissals: boolean;
  config?: string;
  exclude: string[];
  includeTests: boolean;
  /** --trust-workspace-guidance: a diff review reads personas and guidelines from the change, not from BASE. */
  trustWorkspaceGuidance: boolean;
  /** --note: the user's own words about the review, sent as context. */
  note?: string;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} "${value}" is not one of ${allowed.join(', ')}`);
}

/** A whole number flag within its range; the message names the flag, the value and the range. */
function integerInRange(flag: string, value: string | undefined, max: number, unit = ''): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1)
    throw new UsageError(`${flag} "${value}" is not a positive whole number`);
  const n = Number(value);
  if (n > max) throw new UsageError(`${flag} "${value}" is out of range: expected 1 to ${max}${unit}`);
  return n;
}

/** One day: the longest request timeout or review deadline accepted (timers overflow past ~24.8 days). */
export const MAX_DURATION_MS = 86_400_000;
export const MAX_CONCURRENCY = 64;

function fraction(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1)
    throw new UsageError(`${flag} "${value}" is not a number from 0 to 1`);
  return number;
}

function temperature(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 2)
    throw new UsageError(`--temperature "${value}" is not a number from 0 to 2`);
  return number;
}

/** `--diff` takes an optional BASE: `--diff main` and `--diff=main` name it, `--diff` alone means HEAD. */
function normaliseDiffFlag(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--diff') {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        out.push(`--diff=${next}`);
        i++;
      } else {
        out.push('--diff=');
      }
    } else {
      out.push(arg);
    }
  }
  return out;
}

export function parseReviewArgs(args: string[]): ReviewArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: normaliseDiffFlag(args),
      strict: true,
      allowPositionals: true,
      options: {
        diff: { type: 'string' },
        staged: { type: 'boolean' },
        mode: { type: 'string' },
        persona: { type: 'string' },
        dir: { type: 'string', multiple: true },
        offline: { type: 'boolean' },
        model: { type: 'string' },
        'base-url': { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string' },
        'fail-on': { type: 'string' },
        'max-concurrency': { type: 'string' },
        'timeout-ms': { type: 'string' },
        'deadline-ms': { type: 'string' },
        'allow-partial': { type: 'boolean' },
        'no-cache': { type: 'boolean' },
        'min-confidence': { type: 'string' },
        'max-input-tokens': { type: 'string' },
        temperature: { type: 'string' },
        verify: { type: 'boolean' },
        rule: { type: 'string', multiple: true },
        baseline: { type: 'string' },
        'write-baseline': { type: 'string' },
        shard: { type: 'string' },
        'no-dismissals': { type: 'boolean' },
        'prune-dismissals': { type: 'boolean' },
        config: { type: 'string' },
        exclude: { type: 'string', multiple: true },
        'include-tests': { type: 'boolean' },
        'trust-workspace-guidance': { type: 'boolean' },
        note: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw argumentError(error);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const diff = values.diff !== undefined;
  const staged = values.staged === true;
  if (values.diff?.startsWith('-'))
    throw new UsageError(
      `--diff: "${values.diff}" looks like a flag, not a base revision (git would read it as an option): write --diff BASE with a revision such as main or HEAD~1, or --diff alone for HEAD, with other flags after a space`,
    );
  if (positionals.length === 0 && !diff && !staged && values['prune-dismissals'] !== true) {
    throw new UsageError('nothing to review: give files or folders, or --diff [BASE] / --staged (see --help)');
  }
  for (const [flag, value] of [
    ['--model', values.model],
    ['--persona', values.persona],
    ['--output', values.output],
    ['--base-url', values['base-url']],
    ['--baseline', values.baseline],
    ['--write-baseline', values['write-baseline']],
    ['--config', values.config],
    ['--note', values.note],
  ] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} needs a value`);
  }
  return {
    paths: positionals,
    diff,
    base: values.diff ? values.diff : undefined,
    staged,
    mode: oneOf('--mode', values.mode, MODES, 'pragmatic'),
    modeExplicit: values.mode !== undefined,
    persona: values.persona,
    dirs: values.dir ?? [],
    offline: values.offline === true,
    model: values.model,
    baseUrl: values['base-url'],
    format: oneOf('--format', values.format, FORMATS, 'text'),
    output: values.output,
    failOn: oneOf('--fail-on', values['fail-on'], FAIL_ON, 'none'),
    maxConcurrency: integerInRange('--max-concurrency', values['max-concurrency'], MAX_CONCURRENCY),
    timeoutMs: integerInRange('--timeout-ms', values['timeout-ms'], MAX_DURATION_MS, ' ms'),
    deadlineMs: integerInRange('--deadline-ms', values['deadline-ms'], MAX_DURATION_MS, ' ms'),
    allowPartial: values['allow-partial'] === true,
    cache: values['no-cache'] !== true,
    minimumConfidence: fraction('--min-confidence', values['min-confidence']),
    maxInputTokens: integerInRange('--max-input-tokens', values['max-input-tokens'], 10_000_000),
    temperature: temperature(values.temperature),
    verify: values.verify === true,
    ruleOverrides: ruleOverridesFromFlags(values.rule ?? []),
    baseline: values.baseline,
    writeBaseline: values['write-baseline'],
    shard: parseShard(values.shard),
    dismissals: values['no-dismissals'] !== true,
    pruneDismissals: values['prune-dismissals'] === true,
    config: values.config,
    exclude: (values.exclude ?? []).map((glob) => {
      if (glob.trim() === '') throw new UsageError('--exclude needs a glob');
      return glob.trim();
    }),
    includeTests: values['include-tests'] === true,
    trustWorkspaceGuidance: values['trust-workspace-guidance'] === true,
    ...(values.note !== undefined ? { note: values.note } : {}),
  };
}

function ruleOverridesFromFlags(specs: string[]): Record<string, RuleOverride> {
  try {
    return parseRuleOverrides(specs);
  } catch (error) {
    throw new UsageError(`--rule: ${errorMessage(error)}`);
  }
}

function stderrLogger(io: CliIo): Logger {
  return {
    debug() {},
    info() {},
    warn(message) {
      io.stderr.write(`backend-review: warning: ${message}\n`);
    },
    error(message) {
      io.stderr.write(`backend-review: ${message}\n`);
    },
  };
}

/**
 * Personas from the bundled skills, `--dir` folders and the repository; guidelines from the
 * repository. A diff review reads the repository's ones from its base revision (`base`), so that a
 * pull request cannot choose its own reviewer; `--trust-workspace-guidance` reads the working tree.
 */
export function cliGuidance(
  args: ReviewArgs,
  io: CliIo,
  projectRoot: string,
  logger: Logger,
  base?: { root: string; revision: string },
): GuidanceSource {
  const reportCatalog = (catalog: PersonaCatalog): PersonaCatalog => {
    for (const error of catalog.errors)
      io.stderr.write(`backend-review: warning: persona ${error.source}: ${error.message}\n`);
    for (const line of catalog.overrides) io.stderr.write(`backend-review: note: persona ${line}\n`);
    return catalog;
  };
  if (base && !args.trustWorkspaceGuidance) {
    let loaded: Promise<GuidanceAtRevision> | undefined;
    /** The --dir folders read from the base (repository-relative), once loaded. */
    let loadedDirs: string[] = [];
    const atBase = (): Promise<GuidanceAtRevision> =>
      (loaded ??= resolvePersonaDirs(args.dirs, io.cwd).then(async (userDirs) => {
        const guidance = await loadGuidanceAtRevision({
          repositoryRoot: base.root,
          revision: base.revision,
          bundledDir: bundledSkillsDir(),
          userDirs,
          logger,
        });
        if (!guidance.found)
          io.stderr.write(
            `backend-review: note: ${base.revision} names no commit, so the repository's personas and guidelines were not used\n`,
          );
        for (const left of guidance.left)
          io.stderr.write(`backend-review: note: ${base.revision}:${left}; not used as guidance\n`);
        loadedDirs = guidance.userDirsAtRevision;
        for (const dir of guidance.userDirsAtRevision)
          io.stderr.write(
            `backend-review: note: --dir ${dir} is the repository's: its personas are read as they are in ${base.revision} (--trust-workspace-guidance reads the working tree)\n`,
          );
        return guidance;
      }));
    return {
      workspaceOrigin: `workspace@${base.revision}`,
      originOf: (persona) =>
        persona.sourceKind === 'user' &&
        loadedDirs.some((dir) => persona.source.startsWith(path.join(base.root, ...dir.split('/')) + path.sep))
          ? `user@${base.revision}`
          : undefined,
      catalog: async () => reportCatalog((await atBase()).catalog),
      guidelines: async () => (await atBase()).guidelines,
    };
  }
  return {
    workspaceOrigin: 'workspace working tree',
    async catalog() {
      return reportCatalog(
        await loadPersonaCatalog({
          bundledDir: bundledSkillsDir(),
          userDirs: await resolvePersonaDirs(args.dirs, io.cwd),
          workspaceRoot: projectRoot,
          logger,
        }),
      );
    },
    async guidelines() {
      return (await loadGuidelines({ workspaceRoot: projectRoot, logger })).guidelines;
    },
  };
}

/** The review the flags ask for, in the terms every review is prepared from. */
export function cliPrepareRequest(
  args: ReviewArgs,
  input: {
    cwd: string;
    projectRoot: string;
    units: ReviewUnit[];
    skipped: SkippedPart[];
    model: boolean;
    guidance: GuidanceSource;
  },
): PrepareRequest {
  return {
    targets: input.units,
    skipped: input.skipped,
    persona: args.persona,
    mode: args.mode,
    modeExplicit: args.modeExplicit,
    // Trust is the editor's notion; in a terminal the user runs the tool on the repository they chose.
    trusted: true,
    projectRoot: input.projectRoot,
    targetRoot: input.cwd,
    configuration: {
      model: input.model,
      rules: args.ruleOverrides,
      maxConcurrency: args.maxConcurrency,
      // No flag for it: the same default as the editor's setting.
      diffContextSlack: SETTING_DEFAULTS.diffContextSlack,
    },
    guidance: input.guidance,
    ...(args.note !== undefined ? { note: args.note } : {}),
  };
}

/** A note as the CLI says it; an unknown persona is a usage error (exit 2), never a silent fallback. */
function reportNote(note: ReviewNote, io: CliIo): void {
  switch (note.kind) {
    case 'unknown-persona':
      throw new UsageError(
        `--persona "${note.requested}" is not a known persona (known: ${[...note.known].sort().join(', ')})`,
      );
    case 'untrusted':
      io.stderr.write(
        'backend-review: warning: the repository is not trusted, so its personas and project guidelines were not given to the model.\n',
      );
      return;
  }
}

interface LoadedUnits {
  units: ReviewUnit[];
  skipped: SkippedPart[];
  notes: string[];
  /** Absolute paths of the reviewed files, so --output cannot overwrite one of them. */
  absolutePaths: string[];
  /** Diff reviews: the team's dismissals as they are in the base revision. */
  baseDismissals?: { text: string | undefined; revision: string };
  /** Files left out by the project file or --exclude. */
  excluded?: number;
  /** Diff reviews: the repository and the revision the change is compared with (HEAD for --staged). */
  base?: { root: string; revision: string };
}

async function loadUnits(args: ReviewArgs, io: CliIo): Promise<LoadedUnits> {
  if (!args.diff && !args.staged) {
    const collected = await collectFiles(args.paths, { cwd: io.cwd });
    return { ...collected, absolutePaths: collected.units.map((u) => path.resolve(io.cwd, u.path)) };
  }
  const diff = await gitDiff(io.cwd, { base: args.base, staged: args.staged });
  const fromDiff = await unitsFromDiff(diff.diffText, diff.readNewFile);
  fromDiff.skipped.push(...diff.oversized);
  // Diff paths are repository-relative; findings use cwd-relative paths like file reviews.
  const toCwd = (p: string): string => path.relative(io.cwd, path.join(diff.root, p)).split(path.sep).join('/') || p;
  const filters = args.paths.map((p) => path.resolve(io.cwd, p));
  const wanted = (p: string): boolean =>
    filters.length === 0 ||
    filters.some((f) => {
      const abs = path.join(diff.root, p);
      return abs === f || abs.startsWith(f + path.sep);
    });
  const units = fromDiff.units.filter((u) => wanted(u.path));
  return {
    units: units.map((u) => ({ ...u, path: toCwd(u.path) })),
    skipped: fromDiff.skipped.filter((s) => wanted(s.file)).map((s) => ({ ...s, file: toCwd(s.file) })),
    notes: [],
    absolutePaths: units.map((u) => path.join(diff.root, u.path)),
    baseDismissals: { text: await diff.readBaseFile(DISMISSALS_FILE), revision: args.base ?? 'HEAD' },
    base: { root: diff.root, revision: args.base ?? 'HEAD' },
  };
}

function createProvider(args: ReviewArgs, io: CliIo, logger: Logger): ChatProvider | undefined {
  if (args.offline) {
    if (args.baseUrl !== undefined) {
      let url: URL | undefined;
      try {
        url = new URL(args.baseUrl);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
        throw new UsageError(`--base-url "${args.baseUrl}" is not a valid http(s) URL`);
    }
    return undefined;
  }
  try {
    return createProviderFromEnv(io.env, {
      model: args.model,
      baseUrl: args.baseUrl,
      timeoutMs: args.timeoutMs,
      maxInputTokens: args.maxInputTokens,
      temperature: args.temperature,
      logger,
    });
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
}

function failsOn(result: ReviewResult, failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  const threshold = severityRank(failOn as Severity);
  return result.findings.some((f) => severityRank(f.severity) >= threshold);
}

function progressReporter(io: CliIo): {
  update: (done: number, total: number, message?: string) => void;
  clear: () => void;
} {
  if (!io.stderr.isTTY) return { update() {}, clear() {} };
  let shown = false;
  return {
    update(done, total, message) {
      if (total === 0) return;
      io.stderr.write(`\r\u001b[2K[${done}/${total}] ${message ?? ''}`.slice(0, 200));
      shown = true;
    },
    clear() {
      if (shown) io.stderr.write('\r\u001b[2K');
    },
  };
}

/** The project configuration of a review, applied: which files, their roles, the offline layers it adds. */
interface LoadedProject {
  scope: ProjectScope;
  /** The configuration file read, as given or found; undefined when there is none. */
  file?: string;
  includeTests: boolean;
  /** A review of every file of the project (its root folder, no diff): importers seen are all there are. */
  wholeProject: boolean;
}

/** The folder a review is about: the first reviewed path (a file's folder), or the working folder for diffs. */
async function reviewedFolder(args: ReviewArgs, io: CliIo): Promise<string> {
  const first = args.diff || args.staged || args.paths.length === 0 ? undefined : path.resolve(io.cwd, args.paths[0]);
  if (!first) return io.cwd;
  try {
    return (await fs.stat(first)).isDirectory() ? first : path.dirname(first);
  } catch {
    return path.dirname(first);
  }
}

/**
 * A diff review's project configuration, as it is in the base revision: the nearest
 * `.backend-review.json` from the working folder up to the repository root in BASE. The change under
 * review cannot turn rules off or exclude its own files (`--trust-workspace-guidance` reads the
 * working tree). Says so when the change's own file differs.
 */
async function projectConfigAtBase(
  start: string,
  repository: string,
  revision: string,
  io: CliIo,
  workingTreeFile: string | undefined,
): Promise<{ text: string | undefined; shown: string; root: string }> {
  let dir = path.resolve(start);
  let found: { text: string; shown: string; root: string } | undefined;
  for (;;) {
    const relative = path.relative(repository, dir).split(path.sep).join('/');
    if (relative.startsWith('..') || path.isAbsolute(relative)) break;
    const inRepository = relative === '' ? PROJECT_CONFIG_FILE : `${relative}/${PROJECT_CONFIG_FILE}`;
    const text = await readFileAtRevision(repository, revision, inRepository);
    if (text !== undefined) {
      found = { text, shown: `${revision}:${inRepository}`, root: dir };
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir || relative === '') break;
    dir = parent;
  }
  const changed =
    workingTreeFile !== undefined &&
    (found === undefined ||
      path.join(found.root, PROJECT_CONFIG_FILE) !== workingTreeFile ||
      (await fs.readFile(workingTreeFile, 'utf8').catch(() => undefined)) !== found.text);
  if (changed)
    io.stderr.write(
      `backend-review: note: the project configuration is read from ${revision} (${found?.shown ?? 'none there'}); the change's ${path.relative(io.cwd, workingTreeFile) || PROJECT_CONFIG_FILE} applies once merged (--trust-workspace-guidance reads it now)\n`,
    );
  return found ?? { text: undefined, shown: `${revision}:${PROJECT_CONFIG_FILE}`, root: repository };
}

/**
 * Reads `--config FILE`, or the nearest `.backend-review.json` from the reviewed folder up to its
 * repository root. Any error in it is a usage error (exit 2): CI never runs on half a configuration.
 * Globs are relative to the file's folder (with --config, to the repository root or the working folder).
 */
async function loadProject(args: ReviewArgs, io: CliIo): Promise<LoadedProject> {
  const start = await reviewedFolder(args, io);
  const repository = findRepositoryRoot(start);
  let file: string | undefined;
  let shown: string | undefined;
  let root = repository ?? start;
  if (args.config !== undefined) {
    file = path.resolve(io.cwd, args.config);
    shown = args.config;
    root = repository ?? io.cwd;
  } else {
    file = locateProjectConfig(start, repository);
    if (file) {
      shown = path.relative(io.cwd, file) || file;
      root = path.dirname(file);
    }
  }
  let config: ProjectConfig = {};
  const atBase =
    (args.diff || args.staged) && !args.trustWorkspaceGuidance && args.config === undefined && repository
      ? await projectConfigAtBase(start, repository, args.base ?? 'HEAD', io, file)
      : undefined;
  if (atBase) {
    shown = atBase.shown;
    root = atBase.root;
    const parsed = atBase.text === undefined ? undefined : parseProjectConfig(atBase.text, atBase.shown);
    if (parsed && parsed.errors.length > 0)
      throw new UsageError(
        `the project configuration has ${counted(parsed.errors.length, 'error')}:\n  ${parsed.errors.join('\n  ')}`,
      );
    config = parsed?.config ?? {};
    if (atBase.text === undefined) shown = undefined;
  } else if (file && shown) {
    const read = await readProjectConfig(file, shown);
    if (!read) throw new UsageError(`--config ${shown}: no such file`);
    if (read.errors.length > 0)
      throw new UsageError(
        `the project configuration has ${counted(read.errors.length, 'error')}:\n  ${read.errors.join('\n  ')}`,
      );
    config = read.config;
  }
  const exclude = [...(config.exclude ?? []), ...args.exclude];
  const reviewed = args.paths.length === 0 ? [io.cwd] : args.paths.map((given) => path.resolve(io.cwd, given));
  return {
    scope: projectScope(
      { ...config, exclude: exclude.length > 0 ? exclude : undefined },
      root,
      undefined,
      reviewed.flatMap((folder) => {
        const asked = relativeToProject(root, folder);
        return asked === undefined || asked === '' ? [] : [asked];
      }),
    ),
    file: shown,
    includeTests: args.includeTests || config.includeTests === true,
    wholeProject: !args.diff && !args.staged && reviewed.every((folder) => path.resolve(folder) === path.resolve(root)),
  };
}

/** Leaves out the files the project excludes and gives the rest their role (project-relative paths). */
function applyProject<T extends { units: ReviewUnit[]; skipped: SkippedPart[] }>(
  loaded: T,
  project: LoadedProject,
  cwd: string,
): T & { excluded: number } {
  const relative = (file: string): string =>
    relativeToProject(project.scope.root, path.resolve(cwd, file)) ?? normalisePath(file);
  const units: ReviewUnit[] = [];
  const relatives: string[] = [];
  let excluded = 0;
  for (const unit of loaded.units) {
    const rel = relative(unit.path);
    if (project.scope.excludedBy(rel) !== undefined) {
      excluded += 1;
      continue;
    }
    const facts = project.scope.facts(rel, unit.text);
    units.push({ ...unit, role: project.scope.role(rel, unit.text).role, ...(facts ? { facts } : {}) });
    relatives.push(rel);
  }
  // With the whole project in the review, a module only front-end code imports is front-end code.
  if (project.wholeProject) {
    const browser = browserByImporters(
      units.map((unit, index) => ({ path: relatives[index], text: unit.text, role: unit.role ?? 'production' })),
    );
    units.forEach((unit, index) => {
      if (browser.has(relatives[index]) && !project.scope.patternedRole(relatives[index]))
        units[index] = { ...unit, role: 'browser' };
    });
  }
  const skipped = loaded.skipped.filter((part) => project.scope.excludedBy(relative(part.file)) === undefined);
  // A package.json or module file that is there and cannot be read: the files were reviewed with the
  // defaults in its place, and the review says it is incomplete rather than deciding silently.
  for (const [file, reason] of project.scope.unreadable())
    skipped.push({ file: path.relative(cwd, file) || file, reason, failed: true });
  return { ...loaded, units, skipped, excluded };
}

/** Below this many files, starting workers (each loads the grammars) costs more than it saves. */
const OFFLINE_POOL_MIN_FILES = 16;

/**
 * The offline checks of a review: for large reviews shared between the main thread and worker
 * threads (dist/offlineWorker.js, one thread per core up to 4 in all; see spreadOfflineChecks);
 * inline for small reviews and when running from source (tests), where there is no bundled worker.
 */
function offlineChecks(units: ReviewUnit[], config: OfflineConfig): SpreadChecks {
  const workerFile = path.join(__dirname, 'offlineWorker.js');
  const threads = Math.min(availableParallelism(), 4);
  const checked = units.filter((unit) => !isBinaryText(unit.text));
  const workers = checked.length < OFFLINE_POOL_MIN_FILES || !existsSync(workerFile) ? 0 : threads - 1;
  return spreadOfflineChecks(checked, config, { workerFile, workers });
}

function formatReport(format: Format, result: ReviewResult, meta: ReportMeta, color: boolean): string {
  switch (format) {
    case 'json':
      return formatJson(result, meta);
    case 'sarif':
      return formatSarif(result, meta);
    case 'rdjson':
      return formatRdjson(result, meta);
    case 'gitlab':
      return formatGitlab(result, meta);
    case 'github':
      return formatGithub(result);
    case 'text':
      return formatText(result, { color });
  }
}

async function writeReport(flag: string, file: string, report: string, io: CliIo): Promise<void> {
  await writeReportAtomically(path.resolve(io.cwd, file), report, file, flag);
}

/** The parts that should have been reviewed and were not: the review is incomplete. */
function failedParts(result: ReviewResult): SkippedPart[] {
  return result.skipped.filter((part) => part.failed === true);
}

function describeIncomplete(parts: SkippedPart[]): string {
  const first = parts[0];
  const range = first.startLine !== undefined ? `:${first.startLine}-${first.endLine ?? first.startLine}` : '';
  const more = parts.length > 1 ? ` and ${parts.length - 1} more (see the skipped parts)` : '';
  return `${counted(parts.length, 'part')} could not be reviewed: ${first.file}${range}: ${first.reason}${more}`;
}

/**
 * Where the report goes, checked before anything is reviewed: never one of the reviewed files.
 * `realpath` of the folder too, so `./x/../a.ts` or a symlinked folder is recognised.
 */
async function outputTarget(output: string, io: CliIo, reviewed: string[]): Promise<string> {
  const target = path.resolve(io.cwd, output);
  const real = async (p: string): Promise<string> => {
    try {
      return await fs.realpath(p);
    } catch {
      try {
        return path.join(await fs.realpath(path.dirname(p)), path.basename(p));
      } catch {
        return p;
      }
    }
  };
  const realTarget = await real(target);
  for (const file of reviewed) {
    if (file === target || (await real(file)) === realTarget)
      throw new UsageError(
        `--output ${output} is one of the reviewed files: writing the report there would overwrite it; choose another path`,
      );
  }
  return target;
}

/** Writes the report next to its final place and renames it there: a reader never sees half a report. */
async function writeReportAtomically(
  target: string,
  report: string,
  shownAs: string,
  flag = '--output',
): Promise<void> {
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  try {
    await fs.writeFile(temp, report, { encoding: 'utf8', flag: 'wx' });
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new UsageError(
      `${flag} ${shownAs}: cannot write the report (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`,
    );
  }
}

/** Files named in a message: the first few, then how many more. */
function namedFiles(files: string[], shown = 5): string {
  const head = files.slice(0, shown).join(', ');
  return files.length > shown ? `${head} and ${files.length - shown} more` : head;
}

/** A failed run leaves no report behind: an earlier one would be taken for this run's. */
async function removeStaleReport(target: string | undefined, io: CliIo, shownAs: string | undefined): Promise<void> {
  if (target === undefined) return;
  try {
    const info = await fs.lstat(target);
    if (!info.isFile()) return;
    await fs.rm(target, { force: true });
    io.stderr.write(`backend-review: removed the earlier report at --output ${shownAs} (this run failed)\n`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      io.stderr.write(
        `backend-review: warning: could not remove the earlier report at --output ${shownAs} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})\n`,
      );
  }
}

/**
 * Writes to stdout and waits until it is handed over. A reader that went away (`review … | head -1`:
 * EPIPE) is not an error of the review: the exit code stays the review's. Any other write error is
 * reported on stderr.
 */
async function writeOut(io: CliIo, text: string): Promise<'written' | 'closed' | 'failed'> {
  const error = await new Promise<Error | null | undefined>((resolve) => {
    try {
      io.stdout.write(text, (err) => resolve(err));
    } catch (err) {
      resolve(err as Error);
    }
  });
  if (!error) return 'written';
  if (isClosedOutput(error)) return 'closed';
  io.stderr.write(
    `backend-review: cannot write the report to stdout (${(error as NodeJS.ErrnoException).code ?? error.message})\n`,
  );
  return 'failed';
}

/** What a caller running a review in-process may observe (the eval harness): never changes the review. */
export interface ReviewHooks {
  /** Wraps the model provider, e.g. to record each request and answer. */
  wrapProvider?: (provider: ChatProvider) => ChatProvider;
  /** Called with the review's result as reported (after dismissals, before the baseline filter). */
  onResult?: (result: ReviewResult) => void;
}

export const reviewCommand: CliCommand = (args, io) => reviewWithHooks(args, io, {});

/** `review` with hooks; exactly the command otherwise. */
export async function reviewWithHooks(args: string[], io: CliIo, hooks: ReviewHooks): Promise<number> {
  const parsed = parseReviewArgs(args);
  if (parsed === 'help') {
    await writeOut(io, HELP + '\n');
    return EXIT.ok;
  }
  const logger = stderrLogger(io);
  const workspaceRoot = findRepositoryRoot(io.cwd) ?? io.cwd;
  if (parsed.pruneDismissals) {
    await pruneDismissals(workspaceRoot, io, true);
    if (parsed.paths.length === 0 && !parsed.diff && !parsed.staged) return EXIT.ok;
  }
  const created = createProvider(parsed, io, logger);
  const provider = created && hooks.wrapProvider ? hooks.wrapProvider(created) : created;

  const project = await loadProject(parsed, io);
  let loaded: LoadedUnits;
  try {
    loaded = applyProject(await loadUnits(parsed, io), project, io.cwd);
  } catch (error) {
    if (error instanceof ReviewInputError) throw new UsageError(error.message);
    throw error;
  }
  if ((loaded.excluded ?? 0) > 0)
    io.stderr.write(
      `backend-review: ${counted(loaded.excluded ?? 0, 'file')} left out by ${[
        ...(project.file ? [project.file] : []),
        ...(parsed.exclude.length > 0 ? ['--exclude'] : []),
      ].join(' and ')}.\n`,
    );
  if (parsed.shard) {
    const projectPath = (file: string): string => projectRelative(workspaceRoot, io.cwd, file);
    loaded = {
      ...loaded,
      units: inShard(loaded.units, (u) => projectPath(u.path), parsed.shard),
      skipped: inShard(loaded.skipped, (s) => projectPath(s.file), parsed.shard),
    };
  }
  const target = parsed.output === undefined ? undefined : await outputTarget(parsed.output, io, loaded.absolutePaths);
  try {
    const code = await reviewLoaded(parsed, io, logger, workspaceRoot, provider, loaded, target, project, hooks);
    if (code >= EXIT.usage) await removeStaleReport(target, io, parsed.output);
    return code;
  } catch (error) {
    await removeStaleReport(target, io, parsed.output);
    throw error;
  }
}

async function reviewLoaded(
  parsed: ReviewArgs,
  io: CliIo,
  logger: Logger,
  workspaceRoot: string,
  provider: ChatProvider | undefined,
  loaded: LoadedUnits,
  target: string | undefined,
  project: LoadedProject,
  hooks: ReviewHooks,
): Promise<number> {
  for (const note of loaded.notes) io.stderr.write(`backend-review: note: ${note}\n`);
  if (loaded.units.length === 0) {
    const what = parsed.diff || parsed.staged ? 'the diff has no reviewable changes' : 'no reviewable files were found';
    const unreviewed = loaded.skipped.filter((part) => part.failed === true).length;
    io.stderr.write(
      unreviewed > 0
        ? `backend-review: nothing was reviewed: ${what} besides ${counted(unreviewed, 'part')} that could not be reviewed (listed below).\n`
        : `backend-review: nothing to review: ${what}${loaded.skipped.length > 0 ? ' (see the skipped parts in the report)' : ''}.\n`,
    );
  }
  const prepared = await prepareReview(
    cliPrepareRequest(parsed, {
      cwd: io.cwd,
      projectRoot: workspaceRoot,
      units: loaded.units,
      skipped: loaded.skipped,
      model: provider !== undefined,
      guidance: cliGuidance(parsed, io, workspaceRoot, logger, loaded.base),
    }),
  );
  for (const note of prepared.notes) reportNote(note, io);
  const persona = prepared.persona;
  for (const warning of persona.warnings)
    io.stderr.write(`backend-review: warning: persona ${persona.id}: ${warning}\n`);
  if (!provider) io.stderr.write(MODEL_HINT + '\n');
  else io.stderr.write(`backend-review: guidance: ${describeGuidanceUsed(prepared.used)}\n`);

  // The team's decisions go to the model with each file (the base revision's for a diff review).
  const decisions =
    provider && parsed.dismissals
      ? loaded.baseDismissals
        ? dismissalsFromText(workspaceRoot, loaded.baseDismissals.text, loaded.baseDismissals.revision).entries
        : (await loadDismissals(workspaceRoot)).entries
      : [];
  const progress = progressReporter(io);
  // The project file's layers (per-rule, per-role, includeTests) under the flags prepareReview put in.
  const offline = offlineChecks(loaded.units, {
    ...prepared.offline.checks,
    ...project.scope.offline,
    includeTests: project.includeTests,
  });
  let result: ReviewResult;
  try {
    result = await runReview({
      units: loaded.units,
      persona,
      mode: prepared.mode,
      guidelines: prepared.guidelinesFor,
      provider,
      teamDecisions: (unitPath) => teamDecisionsFor(decisions, projectRelative(workspaceRoot, io.cwd, unitPath)),
      cache: provider && parsed.cache ? new FileReviewCache(defaultCacheDirectory(io.env)) : undefined,
      maxConcurrency: prepared.maxConcurrency,
      diffContextSlack: prepared.diffContextSlack,
      deadlineMs: parsed.deadlineMs,
      requestTimeoutMs: parsed.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      minimumConfidence: parsed.minimumConfidence,
      verify: parsed.verify,
      offlineFindings: offline.findings,
      context: {
        repositoryRoot: loaded.base?.root ?? workspaceRoot,
        unitRoot: io.cwd,
        note: prepared.note,
        commitMessages:
          provider && loaded.base && parsed.diff ? await commitMessages(loaded.base.root, parsed.base) : [],
      },
      onProgress: (p) => progress.update(p.done, p.total, p.message),
      logger,
    });
  } catch (error) {
    progress.clear();
    if (error instanceof ProviderError) {
      io.stderr.write(`backend-review review: ${error.message}\n`);
      io.stderr.write(`backend-review review: not reviewed: ${namedFiles(loaded.units.map((unit) => unit.path))}\n`);
      return EXIT.modelUnavailable;
    }
    throw error;
  } finally {
    await offline.close();
  }
  progress.clear();
  // What was sent besides the code under review, when anything was (a plain file review sends none).
  if (provider && result.stats.context && contextWasSent(result.stats.context))
    io.stderr.write(`backend-review: context: ${describeContext(result.stats.context)}\n`);
  result.skipped.unshift(...prepared.skipped);
  result.notes.unshift(...loaded.notes);
  // Model findings carry their file's role too.
  const roles = new Map(loaded.units.map((unit) => [unit.path, unit.role]));
  for (const finding of result.findings) finding.role ??= roles.get(finding.file);
  result = await settleFindings(result, {
    units: loaded.units,
    projectRoot: workspaceRoot,
    io,
    dismissals: parsed.dismissals,
    baseDismissals: loaded.baseDismissals,
    knownSymbol: offline.knownSymbol,
  });

  const meta: ReportMeta = {
    persona: persona.id,
    mode: prepared.mode,
    model: provider?.modelName ?? null,
    toolVersion: TOOL_VERSION,
    rules: [...OFFLINE_RULES],
    sourceRoot: io.cwd,
    projectRoot: workspaceRoot,
    files: loaded.units.map((unit) => ({ path: unit.path, role: unit.role ?? 'production' })),
  };
  hooks.onResult?.(result);
  if (parsed.writeBaseline !== undefined)
    await writeReport('--write-baseline', parsed.writeBaseline, formatJson(result, meta), io);
  if (parsed.baseline !== undefined) result = await onlyNewFindings(result, parsed.baseline, io.cwd);
  const color =
    parsed.output === undefined && io.stdout.isTTY === true && !('NO_COLOR' in io.env && io.env.NO_COLOR !== '');
  const report = formatReport(parsed.format, result, meta, color);

  // Fail closed: a gate (--fail-on) does not pass on a review that could not look at everything.
  const incomplete = failedParts(result);
  const gated = parsed.failOn !== 'none';
  let code: number = failsOn(result, parsed.failOn) ? EXIT.findings : EXIT.ok;
  if (incomplete.length > 0) {
    if (gated && !parsed.allowPartial) {
      code = EXIT.modelUnavailable;
      io.stderr.write(
        `backend-review: the review is incomplete, ${describeIncomplete(incomplete)}. Exit code 3: --fail-on cannot pass a review that did not see everything (--allow-partial accepts partial results).\n`,
      );
    } else {
      io.stderr.write(`backend-review: warning: the review is incomplete, ${describeIncomplete(incomplete)}.\n`);
    }
  }

  if (target !== undefined && parsed.output !== undefined) {
    // A failed run (exit 3) writes no report file: the caller removes an earlier one.
    if (code < EXIT.usage) await writeReportAtomically(target, report, parsed.output);
  } else {
    const written = await writeOut(io, report);
    if (written === 'failed') return EXIT.usage;
  }
  return code;
}
