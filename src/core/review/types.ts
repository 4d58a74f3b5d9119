import type { TeamDecision } from './dismissals';
import type { ChatProvider } from '../providers/provider';
import type { Logger } from '../log';
import type { Mode, ReviewFinding } from '../findings';
import type { FileRole } from '../roles';
import type { Guideline, RenderedPersona } from '../personas/types';
import type { RepositoryFiles } from './context';

/**
 * One file to review. For diff reviews `text` is the new file's full text and `changedLines` the
 * new-file line numbers that changed; the engine sends only those regions with some context.
 */
export interface ReviewUnit {
  /** Path used in findings (relative to the repository/workspace root where possible). */
  path: string;
  text: string;
  /** `typescript`, `javascript`, `python`, `go`, ... (derived from the extension when absent). */
  language?: string;
  /** Review only these lines (a selection), 1-based inclusive. */
  range?: { startLine: number; endLine: number };
  /** Diff review: changed lines in the new file, 1-based. Undefined for whole-file reviews. */
  changedLines?: number[];
  /**
   * Diff review: the lines the change removed (the old side), each block placed before the new-file
   * line it was removed from. Shown to the model beside the new code; findings still anchor to new lines.
   */
  removed?: RemovedBlock[];
  /**
   * What the file is for (see roles.ts), classified by whoever assembles the review with the
   * project's role patterns and a project-relative path; the offline checks classify `path`
   * themselves when it is absent.
   */
  role?: FileRole;
  /**
   * What other files of the project say about this one (see projectFacts.ts), read by whoever
   * assembles the review with the project's folder; absent when only the file itself is known.
   */
  facts?: UnitFacts;
}

/** Facts about a file that only its neighbours hold, for the offline checks. */
export interface UnitFacts {
  /**
   * How the NestJS module beside the file provides `HttpService` (@nestjs/axios): `default` when it
   * imports `HttpModule` as it is (axios with no timeout), `configured` when it registers it with
   * options (`HttpModule.register({ timeout })`, `registerAsync`). Absent when no module beside it
   * imports HttpModule.
   */
  nestHttpModule?: 'default' | 'configured';
  /**
   * The databases the Go module of the file (its nearest go.mod) reaches: `embedded` when it requires
   * an in-process SQL engine (SQLite) and no networked database's or data store's client. A query
   * there is a call into the process, not a round trip. Absent otherwise.
   */
  goDatabase?: 'embedded';
  /**
   * The functions of the file's Go package declared in its other files (same folder and package
   * clause, tests left out) that run database queries and that this file calls by name: the file
   * that declares each, the calls that run its queries (the first three), whether they all only
   * store rows, and how many statements it runs. Absent when there are none.
   */
  goPackageQueries?: Record<string, { file: string; queries: string[]; writesOnly: boolean; statements: number }>;
  /**
   * Names that stand for fixed text (see offline/goFixedText.ts) declared in the file's Go package's
   * other files (bare: `statTables`, `Interval()`) or in a package of its module that it imports
   * (qualified by the name the file uses: `store.Interval()`), those the file mentions. Absent when none.
   */
  goFixedText?: string[];
  /**
   * Settings names of a Python settings module that a module beside it assigns again after taking
   * everything from it (`from .base import *`, then `SECRET_KEY = os.environ[…]`): that module's
   * value replaces this one's literal where it runs. Absent when none does.
   */
  pySettingsReplaced?: string[];
  /**
   * Plain (`def`) functions the Python file imports by name (`from app.net import fetch_logo`,
   * `from .util import wait_online`) from another module of the project whose own body blocks the
   * thread (`requests.get(…)`, `time.sleep(…)`, `urlopen(…)`), under the name the file uses: the module's
   * path from the root, the blocking call and its line. Absent when none.
   */
  pyBlockingImports?: Record<string, { file: string; call: string; line: number }>;
}

/** Consecutive lines a diff removed, placed in the new file's numbering. */
export interface RemovedBlock {
  /**
   * The new-file line the block stood before (1-based); one past the last line when the block was at
   * the end of the file.
   */
  before: number;
  /** The removed lines' text, in order. */
  lines: string[];
}

/**
 * The new-file lines a diff review is about: the changed lines, plus for every removed block the new
 * lines on either side of where it stood (a deletion-only hunk is reviewed there). Undefined for
 * whole-file and selection reviews.
 */
export function reviewFocusLines(unit: Pick<ReviewUnit, 'changedLines' | 'removed'>): number[] | undefined {
  if (!unit.changedLines && !unit.removed) return undefined;
  const focus = new Set(unit.changedLines ?? []);
  for (const block of unit.removed ?? []) {
    if (block.before > 1) focus.add(block.before - 1);
    focus.add(block.before);
  }
  return [...focus].sort((a, b) => a - b);
}

export interface ReviewCacheStore {
  /** Where an entry lives, for messages (a file path). */
  location?(key: string): string;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface ReviewProgress {
  /** Chunks done / total so far. */
  done: number;
  total: number;
  message?: string;
}

export interface ReviewOptions {
  units: ReviewUnit[];
  persona: RenderedPersona;
  mode: Mode;
  /** Guidelines that apply to a given unit path. */
  guidelines?: (path: string) => Guideline[];
  /**
   * The team's recent dismissals concerning a unit path (see dismissals.ts teamDecisionsFor): sent
   * with that file as "the team has decided these are not issues here", redacted and bounded.
   */
  teamDecisions?: (path: string) => TeamDecision[];
  /** No provider: only the offline checks run. */
  provider?: ChatProvider;
  cache?: ReviewCacheStore;
  maxConcurrency?: number;
  /**
   * Model findings below this confidence (0..1) are not shown; default per mode (gate.ts).
   */
  minimumConfidence?: number;
  /**
   * Re-check each high/critical model finding with a second request per part (verify.ts): rejected
   * ones are withheld, re-rated ones take the new severity. Off by default (it costs a request).
   */
  verify?: boolean;
  /** Lines of slack around changed lines when keeping diff findings. */
  diffContextSlack?: number;
  signal?: AbortSignal;
  /**
   * The whole review must end within this many milliseconds: parts not answered by then are listed
   * as skipped (failed). Default: defaultReviewDeadlineMs(parts, concurrency, requestTimeoutMs).
   */
  deadlineMs?: number;
  /** The provider's per-request timeout, for the default deadline (default 120000). */
  requestTimeoutMs?: number;
  onProgress?: (progress: ReviewProgress) => void;
  /** Offline findings computed by the caller (or by the engine when offline checks exist). */
  offlineFindings?: (unit: ReviewUnit) => Promise<ReviewFinding[]>;
  logger?: Logger;
  /** What is sent besides the code under review (see context.ts, docs/engine.md "Context"). */
  context?: ReviewContextOptions;
}

/** Where a review's context comes from, and how much of it may be sent. */
export interface ReviewContextOptions {
  /**
   * The repository on disk: its other files are searched for the definitions the reviewed lines
   * call. Without it only the file's own context is sent.
   */
  repositoryRoot?: string;
  /** The folder units' paths are relative to (the CLI's working folder); default `repositoryRoot`. */
  unitRoot?: string;
  /** Reads the repository instead of the disk (tests, the editor's workspace file system). */
  repository?: RepositoryFiles;
  /** The user's own words about the review (CLI --note, chat): sent as context with every request. */
  note?: string;
  /** Commit messages of the reviewed range, newest first. */
  commitMessages?: string[];
  /** Tokens of context per request at most (default plan.ts DEFAULT_CONTEXT_BUDGET_TOKENS). */
  budgetTokens?: number;
}
