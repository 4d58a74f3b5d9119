import type { Category, Mode, Severity } from '../findings';
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import type { FileRole } from '../roles';
import type { UnitFacts } from '../review/types';

/** The grammars the offline checks load. `tsx` is TypeScript with JSX; JavaScript's grammar already reads JSX. */
export const GRAMMARS = ['typescript', 'tsx', 'javascript', 'python', 'go'] as const;
export type GrammarName = (typeof GRAMMARS)[number];

/** Rule families: the three source languages the rules are written for. */
export type LanguageFamily = 'js' | 'python' | 'go';

export function familyOf(grammar: GrammarName): LanguageFamily {
  if (grammar === 'python') return 'python';
  if (grammar === 'go') return 'go';
  return 'js';
}

export interface RuleOverride {
  enabled?: boolean;
  severity?: Severity;
}

/**
 * Which rules run and how loud, in layers from the least to the most specific: the rule's own
 * roles and severity, `includeTests`, the project file's `rules`, its per-role `roles.<role>.rules`,
 * and last the CLI's `--rule` flags or the editor's `offlineChecks.rules` setting.
 */
export interface OfflineConfig {
  mode: Mode;
  /** Per-rule on/off and severity from the CLI or the editor's settings, keyed by rule id: the last word. */
  rules?: Record<string, RuleOverride>;
  /**
   * When given, each rule's time (ms, summed over calls) is added here: `npm run bench` prints it so
   * a slow rule is visible. Left out in normal use (two clock reads per rule per file).
   */
  ruleTimings?: Map<string, number>;
  /** The project configuration file's per-rule on/off and severity. */
  projectRules?: Record<string, RuleOverride>;
  /**
   * The project configuration file's per-role rules: `enabled: true` or a severity makes a rule
   * report in that role even where its metadata leaves the role out.
   */
  roleRules?: Partial<Record<FileRole, Record<string, RuleOverride>>>;
  /** Rules that report in production code report in test and fixture code too. */
  includeTests?: boolean;
}

export interface OfflineRuleMeta {
  id: string;
  category: Category;
  defaultSeverity: Severity;
  title: string;
  shortDescription: string;
  /**
   * Words a reviewer would use for what the rule is about ("timeout", "N+1", "shell"). A model
   * finding at the same place is the same problem only when its title (or its message's first
   * sentence) says one of them, or its title is the rule's: the category alone would fold a
   * different problem on the next line ("retry without backoff" into "no timeout") and lose it.
   */
  subject: RegExp;
  /** Markdown: the rule's explanation page (what, why it hurts in production, how to fix). */
  helpText: string;
  languages: LanguageFamily[];
  /**
   * The file roles (see roles.ts) the rule reports in by default: production-risk rules stay out
   * of tests, fixtures, generated and vendored code, and some out of scripts or browser code.
   */
  roles: readonly FileRole[];
  /** When set, the rule runs only in these review modes. */
  modes?: Mode[];
  /**
   * When set for a language family, the rule runs for that family only in these modes (held-out
   * labels can show one language's findings mostly unwanted while another's are wanted).
   */
  modesByLanguage?: Partial<Record<LanguageFamily, Mode[]>>;
  /** 1 for rules that match a precise syntactic shape; lower where a name heuristic decides. */
  confidence: number;
}

/** What a rule reports before it is turned into a ReviewFinding. */
export interface RawFinding {
  ruleId: string;
  /** Source range: UTF-16 offsets into the file text, end exclusive. */
  start: number;
  end: number;
  message: string;
  suggestion: string;
  /** A text edit as offsets into the file text; expanded to whole lines later. */
  edit?: TextEdit;
  /**
   * Where the thing the finding is about is written, when the finding is reported elsewhere (a
   * hard-coded key reported where a signing call or a strategy's options use it): what is judged of
   * the value (is it a test's own credential?) is judged here.
   */
  subject?: { start: number; end: number };
  /**
   * Other places of the same problem that this finding stands for (the other queries of one loop):
   * shown as related locations instead of one finding each.
   */
  related?: Array<{ start: number; end: number }>;
}

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** What a rule checker gets: the tree plus cached lookups over it. */
export interface CheckInput {
  tree: Tree;
  text: string;
  grammar: GrammarName;
  /**
   * The part of the text whose findings are wanted (the whole text, or one part of a file checked
   * in parts): text scans look only here (see matchesInRegion).
   */
  region: { start: number; end: number };
  /**
   * The top level of the file, as the scope of a name lookup made at offset `at` outside any
   * function. A part of a large file (see segments.ts) holds only some of the top level, so the
   * lookup is recorded: a part after the first that makes one is checked whole instead.
   */
  moduleScope(at: number): Node;
  /**
   * Says the rule used a fact that only a check of the whole file holds (an import written
   * somewhere a part of a large file cannot include): a part that says so hands the file back to a
   * whole-file check.
   */
  needsWholeFile(): void;
  /** All nodes of a type, in document order (cached per file). */
  nodesOfType(type: string): Node[];
  /** What the project's other files say about this one (ReviewUnit.facts), when the caller knew. */
  facts?: UnitFacts;
  report(
    node: Node | { startIndex: number; endIndex: number },
    ruleId: string,
    message: string,
    suggestion: string,
    edit?: TextEdit,
    subject?: { startIndex: number; endIndex: number },
    related?: ReadonlyArray<{ startIndex: number; endIndex: number }>,
  ): void;
}

export type RuleChecker = (input: CheckInput) => void;
