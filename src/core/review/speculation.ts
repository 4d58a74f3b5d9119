import type { Mode, ReviewFinding } from '../findings';
import type { LineRange } from './chunk';
import { statementRange } from './absence';

/**
 * Findings that rest on nothing the code shows, the habits of small and eager models (session 9):
 * - **generic advice**: a title that is only a practice ("Consider adding input validation",
 *   "Missing error handling", "Add logging") and a first sentence that names no code of the quoted
 *   statement: nothing to point to, nothing to fix at this line;
 * - **speculation about unseen callers**: a claim conditioned on what code the model was not shown
 *   may do ("Callers might not handle errors", "if the caller passes …", "may be called
 *   concurrently"): the failure is in the caller, which the review does not show;
 * - **style**, which the Pragmatic mode leaves alone ("leave style alone"): magic numbers, names,
 *   formatting, docstrings in maintainability; in BackendPE such a finding rated high or critical is
 *   re-rated low (no rubric makes a name a production risk);
 * - **errors said unhandled where they are handled**: "errors from this call are not handled" on a
 *   statement inside a `try` whose `catch`/`except` does something, or a Go statement whose `err` is
 *   checked (`if err != nil {`, `if …; err != nil {`) right there.
 * And one repair: a finding that names code in backticks that is not on its quoted line, but is on
 * exactly one line of the code shown near it, is moved onto that line (a model that quotes the line
 * opening the block while naming the statement it means).
 */
export type Unfounded = 'generic' | 'unseen' | 'style' | 'propagates';

/** Each reason in words, for the log. */
export const UNFOUNDED_WORDS: Record<Unfounded, string> = {
  generic: 'it is generic advice that names no code of the quoted statement',
  unseen: 'it rests on what callers the review does not show may do',
  style: 'it is about style, which the Pragmatic mode leaves alone',
  propagates:
    'it says errors are not handled where they rise to the caller, as this language is written, and names nothing that is lost',
};

const PRACTICE =
  '(?:(?:input|parameter|data|request|payload|argument|user input|schema)\\s+)?(?:validation|validations|saniti[sz]ation|error handling|exception handling|logging|tests?|unit tests|test coverage|documentation|comments|type hints|null checks?|input checks?|checks)';
const HEDGE =
  '(?:consider|ensure|make sure|please|you (?:should|may|might|could)(?: want to)?|it (?:is|would be) (?:recommended|advisable|better|good practice) to|recommend(?:ed)?|suggest(?:ed)?|should)';
const VERB =
  '(?:add|adding|implement|implementing|improve|improving|use|using|include|including|perform|performing|introduce|introducing|validate|validating|sanitize|sanitise)';
const QUALIFIER = '(?:more|better|proper|additional|robust|some|stricter|explicit|appropriate|adequate|sufficient)';
const GENERIC_TAIL =
  '(?:\\s+(?:for|on|in|to|of|around|before|at)\\s+(?:this|the|all|each|every|any)\\s+(?:\\w+\\s+)?(?:function|method|endpoint|handler|code|input|inputs|call|calls|request|requests|data|parameters?|arguments?|module|file|line|class|route))?';
/** A title that is only a practice: "Consider adding input validation", "Missing error handling.", "Add logging to this function". */
const GENERIC_TITLE = new RegExp(
  `^\\s*(?:(?:${HEDGE}\\s+)?(?:${VERB}\\s+)?(?:${QUALIFIER}\\s+)?${PRACTICE}|(?:missing|no|lack of|lacks|insufficient|inadequate|improper|needs?|requires?)\\s+(?:${QUALIFIER}\\s+)?${PRACTICE}|(?:${HEDGE}\\s+)?validat(?:e|ing) (?:the )?(?:input|inputs|parameters|data|request))${GENERIC_TAIL}\\s*[.!]?\\s*$`,
  'i',
);

/** A claim conditioned on what unseen callers may do. */
const UNSEEN_CALLERS =
  /\b(?:callers?|calling code|call sites?|consumers?|clients? of (?:this|the) (?:function|method|api|endpoint))\s+(?:may|might|could)\s+(?:not\s+|never\s+)?(?:handle|check|pass|call|use|ignore|forget|misuse|send|provide|validate|rely|expect|depend|retry|invoke|supply)\w*|\bif (?:the |a |any )?(?:callers?|calling code|consumer|client code)\s+(?:does not|doesn't|do not|don't|fails? to|forgets? to|ignores?|passes|sends|calls|uses|provides|supplies|retries)\b|\b(?:may|might|could) be (?:called|invoked|used) (?:with|concurrently|from|by|twice|multiple|more|in parallel|before|after)\b/i;

/** Style, in a maintainability finding's title. */
const STYLE_WORDS =
  /\b(?:magic (?:numbers?|strings?|values?|constants?)|named constants?|(?:variable|function|method|parameter|field|class) names?|naming|not descriptive|descriptive names?|rename\w*|readability|hard to read|formatting|indentation|whitespace|line (?:is )?too long|long lines?|code style|style|docstrings?|type hints?|unused (?:imports?|variables?)|camel ?case|snake ?case|nested ternar\w*)\b/i;

/** Code words that say nothing about which code is meant. */
const NOT_NAMES = new Set(
  'export async function return const let var def func await self this from import class else for while with err nil none true false null undefined new public private static type interface package raise throw try catch except finally pass'.split(
    ' ',
  ),
);

/** The first sentence of a message. */
function firstSentence(message: string): string {
  return /^[^\n]*?(?:[.:](?=\s|$)|\n|$)/.exec(message)?.[0] ?? message;
}

/**
 * Whether a finding's words name code: something in backticks, a name of the quoted statement, or
 * a number of two or more digits the statement holds (the magic number meant).
 */
function namesCode(finding: Pick<ReviewFinding, 'title' | 'message' | 'quote'>): boolean {
  const said = `${finding.title}\n${firstSentence(finding.message)}`;
  if (/`[^`]+`/.test(said)) return true;
  const names = new Set(
    (finding.quote.match(/[A-Za-z_$][\w$]*/g) ?? []).filter((n) => n.length >= 3 && !NOT_NAMES.has(n.toLowerCase())),
  );
  for (const n of finding.quote.match(NUMBER) ?? []) names.add(n);
  return (said.match(WORD_OR_NUMBER) ?? []).some((w) => names.has(w));
}

/** A number of two or more digits standing alone (`1000`, `0.75`), not part of a name or a version. */
const NUMBER = /(?<![\w.])\d{2,}(?:\.\d+)?(?![\w.])/g;
/** A name or such a number, in a finding's words. */
const WORD_OR_NUMBER = new RegExp(`[A-Za-z_$][\\w$]*|${NUMBER.source}`, 'g');

/**
 * Languages whose failures are exceptions that rise to the caller by themselves (Go's are values a
 * statement must check): "errors from this call are not handled" at a statement that is not in a
 * `try` is how such code is meant to be written, unless the finding says what is lost (it names
 * the code, a consequence, or, in JavaScript, a promise nobody awaits, which loses its rejection).
 */
const PROPAGATING = new Set(['python', 'typescript', 'javascript', 'java', 'kotlin', 'csharp', 'ruby', 'php', 'scala']);

/** Whether a claim of unhandled errors, at a statement no `try` holds, is only how `language` is written. */
export function risesToCaller(
  finding: Pick<ReviewFinding, 'title' | 'message' | 'quote'>,
  language: string | undefined,
): boolean {
  return (
    language !== undefined &&
    PROPAGATING.has(language) &&
    claimsUnhandled(finding) &&
    !namesCode(finding) &&
    !LOST_ON_THE_WAY.test(`${finding.title}\n${finding.message}`) &&
    // A JavaScript call that is neither awaited nor returned may be a promise whose rejection is lost.
    (!JS_LIKE.has(language) || /\b(?:await|return)\b/.test(finding.quote))
  );
}

const JS_LIKE = new Set(['typescript', 'javascript']);

/** Words of a failure that does not reach the caller: a promise not awaited, a thread or background task. */
const LOST_ON_THE_WAY =
  /\b(?:promises?|rejections?|await\w*|unawaited|fire[- ]and[- ]forget|background|threads?|tasks?|callbacks?|event handlers?|goroutines?)\b/i;

/** Why a model finding rests on nothing the code shows, in this mode, or undefined. */
export function unfoundedReason(
  finding: Pick<ReviewFinding, 'title' | 'message' | 'quote' | 'category' | 'origin'>,
  mode: Mode,
): Unfounded | undefined {
  if (finding.origin === 'offline') return undefined;
  if (GENERIC_TITLE.test(finding.title.trim()) && !namesCode(finding)) return 'generic';
  if (UNSEEN_CALLERS.test(`${finding.title}\n${firstSentence(finding.message)}`)) return 'unseen';
  const style = finding.category === 'maintainability' && STYLE_WORDS.test(finding.title);
  if (mode === 'pragmatic' && style) return 'style';
  // BackendPE keeps style, but a style remark that does not say which name or number it means
  // ("Variable name is not descriptive") cannot be acted on at any line.
  if (style && !namesCode(finding)) return 'generic';
  return undefined;
}

/** BackendPE: a style finding rated high or critical, which no rubric makes a production risk. */
export function overratedStyle(finding: Pick<ReviewFinding, 'title' | 'category' | 'severity' | 'origin'>): boolean {
  return (
    finding.origin !== 'offline' &&
    finding.category === 'maintainability' &&
    (finding.severity === 'high' || finding.severity === 'critical') &&
    STYLE_WORDS.test(finding.title)
  );
}

/** "Errors from this call are not handled", "unhandled exception", "no error handling here". */
const UNHANDLED_CLAIM =
  /\b(?:errors?|exceptions?|failures?|rejections?)\b[^.:\n]*?\b(?:is|are|was|were|goes|go)\s+(?:not|never|un)\s*-?\s*(?:handled|caught)\b|\bunhandled\s+(?:errors?|exceptions?|(?:promise\s+)?rejections?)\b|\b(?:no|missing|without|lacks?)\s+(?:error|exception)\s+handling\b|\b(?:errors?|exceptions?)\s+(?:is|are)\s+not\s+checked\b|\bnot wrapped in (?:a )?try\b/i;

/** Whether a finding claims the errors of its statement are not handled. */
export function claimsUnhandled(finding: Pick<ReviewFinding, 'title' | 'message'>): boolean {
  return UNHANDLED_CLAIM.test(`${finding.title}\n${firstSentence(finding.message)}`);
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** A body line that does something (not blank, a comment, `pass` or a closing brace). */
function doesSomething(line: string): boolean {
  const t = line.trim();
  return t !== '' && t !== 'pass' && t !== '}' && !/^(?:\/\/|#|\/\*|\*)/.test(t);
}

/**
 * The line that handles the errors of the statement at `line`, or undefined: for Go, the statement
 * assigns `err` and it, or the next line, checks `err != nil` with a body that does something; else
 * the statement sits in the body of a `try` (the enclosing blocks read by indentation, within its
 * function) whose `catch`/`except` does something, or chains a `.catch(` of its own.
 */
export function errorsHandledAt(lines: readonly string[], line: number): number | undefined {
  const statement = statementRange(lines, line);
  // A chain continued on the next lines (`search(q)` / `.then(show)` / `.catch(report)`) is the same statement.
  while (/^\s*\??\./.test(lines[statement.endLine] ?? '') && statement.endLine < lines.length)
    statement.endLine = statementRange(lines, statement.endLine + 1).endLine;
  const said = lines.slice(statement.startLine - 1, statement.endLine).join('\n');
  if (catchesOwnChain(said)) return statement.startLine;
  if (/\berr\b\s*(?::=|=)|,\s*err\s*(?::=|=)/.test(said)) {
    for (const n of [statement.startLine, statement.endLine, statement.endLine + 1]) {
      const text = lines[n - 1] ?? '';
      if (/\berr\s*!=\s*nil\s*\{\s*$/.test(text) && doesSomething(lines[n] ?? '')) return n;
    }
    return undefined;
  }
  // The enclosing block headers, by indentation, up to the function: the first `try` among them,
  // if any (a line in a `catch`/`except`/`else` block meets that header first, at the try's own
  // indentation, and so never the `try`).
  let indent = indentOf(lines[line - 1] ?? '');
  let tryLine: number | undefined;
  for (let n = line - 1; n >= Math.max(1, line - 400) && indent > 0; n--) {
    const text = lines[n - 1] ?? '';
    if (text.trim() === '' || /^\s*(?:\/\/|#|\/?\*)/.test(text)) continue;
    const i = indentOf(text);
    if (i >= indent) continue;
    if (/^\s*try\s*(?:\{|:)\s*$/.test(text)) {
      tryLine = n;
      break;
    }
    // A function's header: errors inside it are not the enclosing try's.
    if (
      /^\s*(?:(?:export\s+)?(?:async\s+)?(?:def|function|func)\b|(?:public|private|protected|static|async)\s)|=>\s*\{?\s*$/.test(
        text,
      )
    )
      return undefined;
    indent = i;
  }
  if (tryLine === undefined) return undefined;
  const tryIndent = indentOf(lines[tryLine - 1]);
  for (let n = statement.endLine + 1; n <= Math.min(lines.length, statement.endLine + 400); n++) {
    const text = lines[n - 1] ?? '';
    if (text.trim() === '') continue;
    const i = indentOf(text);
    if (i > tryIndent) continue;
    if (i < tryIndent) return undefined;
    const handler = /^\s*(?:\}\s*)?(?:catch\b|except\b)/.test(text);
    if (!handler) {
      if (/^\s*\}\s*$/.test(text)) continue;
      return undefined;
    }
    // The handler's first line in its body does something.
    for (let b = n + 1; b <= Math.min(lines.length, n + 20); b++) {
      const body = lines[b - 1] ?? '';
      if (body.trim() === '') continue;
      return indentOf(body) > tryIndent && doesSomething(body) ? n : undefined;
    }
    return undefined;
  }
  return undefined;
}

/**
 * Whether a statement chains `.catch(` onto its own call (at its own bracket depth: a `.catch` in a
 * callback it passes is the callback's) with a handler that is not empty.
 */
function catchesOwnChain(statement: string): boolean {
  const code = statement.replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1/g, '""');
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (depth === 0 && ch === '.' && /^\.\s*catch\s*\(/.test(code.slice(i, i + 12)))
      return !/^\.\s*catch\s*\(\s*(?:\(\s*\w*\s*\)|\w+)\s*=>\s*(?:\{\s*\}|null|undefined)/.test(code.slice(i));
  }
  return false;
}

/** Comparable code: spacing removed. */
function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

/**
 * The line a finding means when it names code in backticks that its quoted lines do not hold but
 * exactly one shown line within 15 lines does (every backticked span of 6 or more characters that
 * is code somewhere must point to that one line); undefined when the finding is where it says.
 */
export function lineNamed(
  finding: Pick<ReviewFinding, 'title' | 'message' | 'startLine' | 'endLine'>,
  lines: readonly string[],
  segments: readonly LineRange[],
): number | undefined {
  const spans = [...`${finding.title}\n${finding.message}`.matchAll(/`([^`\n]{6,200})`/g)]
    .map((m) => squeeze(m[1]))
    .filter((s) => s.length >= 6);
  if (spans.length === 0) return undefined;
  const quoted = squeeze(lines.slice(finding.startLine - 1, finding.endLine).join('\n'));
  if (spans.some((s) => quoted.includes(s))) return undefined;
  const shown = (n: number): boolean => segments.some((s) => s.startLine <= n && n <= s.endLine);
  const targets = new Set<number>();
  for (const span of spans) {
    for (let n = Math.max(1, finding.startLine - 15); n <= Math.min(lines.length, finding.endLine + 15); n++)
      if (shown(n) && squeeze(lines[n - 1]).includes(span)) targets.add(n);
  }
  return targets.size === 1 ? [...targets][0] : undefined;
}

export interface SpeculationOutcome {
  kept: ReviewFinding[];
  withheld: { finding: ReviewFinding; why: Unfounded }[];
  /** Errors said unhandled, with the line that handles them. */
  handled: { finding: ReviewFinding; line: number }[];
  /** BackendPE style findings re-rated to low. */
  reRated: ReviewFinding[];
  /** Findings moved onto the line their backticked code is on: [from, finding]. */
  moved: { from: number; finding: ReviewFinding }[];
}

/** One part's model findings through the checks above (`text`: the file; `segments`: the lines shown). */
export function withholdSpeculation(
  findings: ReviewFinding[],
  text: string,
  segments: readonly LineRange[],
  mode: Mode,
  language?: string,
  split?: readonly string[],
): SpeculationOutcome {
  const out: SpeculationOutcome = { kept: [], withheld: [], handled: [], reRated: [], moved: [] };
  if (findings.every((f) => f.origin === 'offline')) return { ...out, kept: findings };
  const lines = split ?? text.split(/\r?\n/);
  for (const original of findings) {
    let finding = original;
    if (finding.origin === 'offline') {
      out.kept.push(finding);
      continue;
    }
    const named = lineNamed(finding, lines, segments);
    if (named !== undefined) {
      const from = finding.startLine;
      finding = {
        ...finding,
        startLine: named,
        endLine: named,
        quote: lines[named - 1].trim(),
        startColumn: undefined,
        endColumn: undefined,
      };
      out.moved.push({ from, finding });
    }
    const why = unfoundedReason(finding, mode);
    if (why) {
      out.withheld.push({ finding, why });
      continue;
    }
    if (claimsUnhandled(finding)) {
      const line = errorsHandledAt(lines, finding.startLine);
      if (line !== undefined) {
        out.handled.push({ finding, line });
        continue;
      }
      if (risesToCaller(finding, language)) {
        out.withheld.push({ finding, why: 'propagates' });
        continue;
      }
    }
    if (mode === 'backendpe' && overratedStyle(finding)) {
      finding = { ...finding, severity: 'low' };
      out.reRated.push(finding);
    }
    out.kept.push(finding);
  }
  return out;
}
