/**
 * Scripted model behaviours for the eval (`npm run eval`, test/unit/eval): a model server handler
 * that answers like real models do, from what the request shows. It finds the labeled bugs whose
 * lines it is shown (some at the right lines, some at wrong lines with the right quote, a few too
 * unsure), and adds what real answers carry: an invented quote, low-confidence speculation, with the
 * BackendPE persona a confident false alarm in each clean file and checklist claims of a missing
 * timeout, close or transaction on I/O calls, repeats of what the offline checks already reported, fixes
 * with the prompt's line numbers or that change nothing, answers wrapped in persona-shaped prose,
 * double-encoded JSON or trailing chatter. Deterministic: the same request gets the same answer.
 *
 * A bug labeled `seenOnlyWith` (removed code) is found only when that text was sent.
 *
 * The verifier answers verification requests (`--verify`) like a good but fallible model: it
 * confirms most real findings (re-rating a wrong severity) and rejects most false ones, wrong about
 * one real finding in ten and one false finding in four. Its wrong rejections cite, in turn, a guard
 * it assumes outside the code shown, a real line it misreads as a guard, or nothing.
 */
import type { LabeledBug, LabeledSet } from '../../src/core/eval/labeledSet';
import type { ReplyHandler, ScriptedReply } from './modelServer';

/** FNV-1a: a stable small hash for deterministic choices. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

interface Shown {
  file: string;
  /** Line number → text, of the code under review. */
  lines: Map<number, string>;
  /** Diff reviews: the changed lines the findings must be about. */
  focus?: Set<number>;
  /** Lines and titles the offline checks already reported. */
  alreadyReported: { line: number; ruleId: string; title: string }[];
}

function parseLineList(text: string): Set<number> {
  const lines = new Set<number>();
  for (const part of text.split(',')) {
    const m = /(\d+)(?:-(\d+))?/.exec(part.trim());
    if (!m) continue;
    const start = Number(m[1]);
    const end = m[2] ? Number(m[2]) : start;
    for (let n = start; n <= end; n++) lines.add(n);
  }
  return lines;
}

/** What a findings request shows: its file, the numbered code block, the focus and the offline findings. */
export function readRequest(user: string): Shown | undefined {
  const file = /^File: (.*)$/m.exec(user)?.[1];
  if (file === undefined) return undefined;
  const fences = /The code, between the fence lines "([^"]+)" and "([^"]+)":/.exec(user);
  let code = user;
  if (fences) {
    const start = user.indexOf(`\n${fences[1]}\n`);
    const end = start < 0 ? -1 : user.indexOf(`\n${fences[2]}\n`, start + fences[1].length + 2);
    if (start >= 0 && end > start) code = user.slice(start + fences[1].length + 2, end);
  }
  const lines = new Map<number, string>();
  for (const line of code.split('\n')) {
    // `12 | code`, or in two-sided diffs `12 + | code` (added) and `12   | code` (context).
    const m = /^\s*(\d+)(?: +\+)? *\| (.*)$/.exec(line);
    if (m) lines.set(Number(m[1]), m[2]);
  }
  const focusText = /lines ([\d,\s-]+) were added or modified/.exec(user)?.[1];
  const alreadyReported = [...user.matchAll(/^- line (\d+): \[([^\]]+)\] (.*)$/gm)].map((m) => ({
    line: Number(m[1]),
    ruleId: m[2],
    title: m[3],
  }));
  return { file, lines, focus: focusText ? parseLineList(focusText) : undefined, alreadyReported };
}

const OFFLINE_CATEGORY: Record<string, string> = {
  'sql-injection': 'security',
  'command-injection': 'security',
  'hardcoded-secret': 'security',
  'http-no-timeout': 'reliability',
  'silent-catch': 'reliability',
  'query-in-loop': 'performance',
  'unbounded-concurrency': 'concurrency',
};

function commentFor(file: string): string {
  return file.endsWith('.py') ? '#' : '//';
}

function finding(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    message: 'See the quoted code.',
    suggestion: 'Change the quoted code.',
    fix: null,
    ...overrides,
  };
}

function bugFinding(bug: LabeledBug, shown: Shown): Record<string, unknown> {
  const h = stableHash(bug.id);
  const kind = h % 8;
  const text = shown.lines.get(bug.startLine) ?? '';
  // A true finding the model is unsure of, about one in twenty: a confidence floor costs it.
  const confidence = (h >>> 5) % 20 === 0 ? 0.55 : 0.7 + ((h >>> 3) % 3) * 0.1;
  const cited = kind === 4 || kind === 5 ? bug.startLine + (kind === 4 ? 5 : -4) : bug.startLine;
  let fix: Record<string, unknown> | null = null;
  if (kind === 6)
    fix = {
      startLine: bug.startLine,
      endLine: bug.startLine,
      replacement: `${bug.startLine} | ${text} ${commentFor(bug.file)} reviewed`,
    };
  if (kind === 7) fix = { startLine: bug.startLine, endLine: bug.startLine, replacement: text };
  return finding({
    title: bug.title,
    severity: bug.severity,
    category: bug.categories[0],
    startLine: cited,
    endLine: cited,
    quote: text.trim(),
    message: `${bug.title}.`,
    confidence,
    fix,
  });
}

/** Shown lines with code that are not within `distance` lines of a bug: where the noise goes. */
function quietLines(shown: Shown, bugs: readonly LabeledBug[], distance: number): number[] {
  return [...shown.lines.entries()]
    .filter(([n, text]) => text.trim().length > 8 && !bugs.some((b) => Math.abs(b.startLine - n) <= distance))
    .filter(([n]) => !shown.focus || shown.focus.has(n))
    .map(([n]) => n)
    .sort((a, b) => a - b);
}

function envelope(answer: { summary: string; findings: unknown[] }, style: number): ScriptedReply {
  const json = JSON.stringify(answer);
  switch (style) {
    case 1:
      // A persona written for code generation, followed: its headings around the JSON.
      return {
        text: [
          '## Architecture Diagram',
          '```',
          'client -> service -> database',
          '```',
          '## The Code',
          'Findings for the code under review:',
          '```json',
          JSON.stringify(answer, null, 2),
          '```',
          '## Verification',
          'Add a regression test for each finding before changing the code.',
        ].join('\n'),
      };
    case 2:
      return { text: JSON.stringify(json) }; // Double-encoded: a JSON string holding the JSON.
    case 3:
      return { text: `${json}\n\nLet me know if you want me to write the fixes as a full file.` };
    default:
      return { text: json };
  }
}

/** An outbound or database call: what a checklist reviewer looks at. */
const IO_CALL = /\b(?:fetch|get|post|query|execute|connect|Query\w*|Exec\w*|Ping\w*)\s*\(/;

const CHECKLIST: { present: RegExp; title: string; category: string; severity: string }[] = [
  {
    present: /timeout/i,
    title: 'No timeout on this call: a slow dependency can hang the request',
    category: 'reliability',
    severity: 'high',
  },
  {
    present: /\.(?:release|Close|close)\(/,
    title: 'The connection or result is never closed',
    category: 'reliability',
    severity: 'high',
  },
  {
    present: /\bBEGIN\b|BeginTx|\.transaction\(/,
    title: 'These writes are not in a transaction',
    category: 'data-integrity',
    severity: 'medium',
  },
];

/** The checklist item a maximalist claims missing on one I/O call of the part, chosen by the part (two parts in three). */
function checklistClaim(shown: Shown, quiet: number[], partKey: string): Record<string, unknown> | undefined {
  const h = stableHash(`checklist:${partKey}`);
  if (h % 3 === 0) return undefined;
  const code = [...shown.lines.values()].join('\n');
  const items = CHECKLIST.filter((item) => item.present.test(code));
  const calls = quiet.filter((n) => IO_CALL.test(shown.lines.get(n) ?? ''));
  if (items.length === 0 || calls.length === 0) return undefined;
  const item = items[(h >>> 4) % items.length];
  const line = calls[(h >>> 8) % calls.length];
  return finding({
    title: item.title,
    severity: item.severity,
    category: item.category,
    startLine: line,
    endLine: line,
    quote: (shown.lines.get(line) ?? '').trim(),
    confidence: 0.75,
  });
}

/** The file's seeded bugs a request lets a model see: their line shown, in focus, with their context. */
function visibleBugs(inFile: LabeledSet['bugs'], shown: Shown, user: string): LabeledSet['bugs'] {
  return inFile.filter(
    (b) =>
      (shown.lines.get(b.startLine) ?? '').includes(b.quote) &&
      (!shown.focus || shown.focus.has(b.startLine)) &&
      (b.seenOnlyWith === undefined || user.includes(b.seenOnlyWith)),
  );
}

/** Answers a findings request about `set` as a realistic model would. */
export function scriptedReview(set: LabeledSet, user: string, system = ''): ScriptedReply {
  const maximalist = system.includes('## Review mode: BackendPE');
  const shown = readRequest(user);
  if (!shown) return { text: JSON.stringify({ summary: 'Nothing to review.', findings: [] }) };
  const inFile = set.bugs.filter((b) => b.file === shown.file);
  const visible = visibleBugs(inFile, shown, user);
  const findings: Record<string, unknown>[] = visible.map((bug) => bugFinding(bug, shown));
  const quiet = quietLines(shown, inFile, 4);
  const first = [...shown.lines.keys()].sort((a, b) => a - b)[0] ?? 1;
  const partKey = `${shown.file}:${first}`;
  // An invented quote: code that is not in the file.
  findings.push(
    finding({
      title: 'Unvalidated input reaches a raw query',
      severity: 'high',
      category: 'security',
      startLine: quiet[0] ?? first,
      endLine: quiet[0] ?? first,
      quote: 'db.rawQuery(req.body.filter)',
      confidence: 0.8,
    }),
  );
  // Low-confidence speculation on real code.
  for (const [i, line] of quiet.slice(1, 3).entries()) {
    findings.push(
      finding({
        title: i === 0 ? 'Consider extracting this into a helper' : 'Logging may be missing around this call',
        severity: i === 0 ? 'low' : 'medium',
        category: i === 0 ? 'maintainability' : 'observability',
        startLine: line,
        endLine: line,
        quote: (shown.lines.get(line) ?? '').trim(),
        confidence: i === 0 ? 0.3 : 0.45,
      }),
    );
  }
  // Asked to be a maximalist (BackendPE), the model raises a confident false alarm on clean code:
  // real code, plausible, wrong. The gate cannot tell it from a real finding; a verifier can.
  if (maximalist && inFile.length === 0 && quiet.length > 3) {
    const line = quiet[3];
    findings.push(
      finding({
        title: 'Possible race condition on shared state',
        severity: 'high',
        category: 'concurrency',
        startLine: line,
        endLine: line,
        quote: (shown.lines.get(line) ?? '').trim(),
        confidence: 0.7,
      }),
    );
  }
  // A maximalist also works through its checklist on every I/O call it sees ("every call needs a
  // timeout", "every result must be closed", "writes need a transaction") and claims the absence
  // of an item the code it was shown has somewhere: it did not read far enough (the options on the
  // next lines, the `defer` below, the BEGIN above) or it took the item on one call for missing on
  // another. Whether the item is where the claim would need it (the same statement or function)
  // is left to the code: some of these claims are contradicted by what was shown, some are not.
  if (maximalist) {
    const claim = checklistClaim(shown, quiet, partKey);
    if (claim) findings.push(claim);
  }
  // What the offline checks already reported, said again.
  for (const reported of shown.alreadyReported) {
    findings.push(
      finding({
        title: reported.title,
        severity: 'high',
        category: OFFLINE_CATEGORY[reported.ruleId] ?? 'reliability',
        startLine: reported.line,
        endLine: reported.line,
        quote: (shown.lines.get(reported.line) ?? '').trim(),
        confidence: 0.85,
      }),
    );
  }
  const summary = findings.length > 0 ? `${findings.length} problems found.` : 'Looks fine.';
  return envelope({ summary, findings }, stableHash(partKey) % 4);
}

/** A deterministic chooser of one line from a list, salted per use, for the part hashed as `h`. */
function picker(h: number): (lines: number[], salt: number) => number | undefined {
  return (lines, salt) => (lines.length === 0 ? undefined : lines[(h >>> salt) % lines.length]);
}

/** A confident high false alarm on a shown line (nothing when there is no line to put it on). */
function alarmAt(
  shown: Shown,
  line: number | undefined,
  claim: { title: string; category: string; message: string; confidence: number },
): Record<string, unknown>[] {
  if (line === undefined) return [];
  return [
    finding({
      ...claim,
      severity: 'high',
      startLine: line,
      endLine: line,
      quote: (shown.lines.get(line) ?? '').trim(),
    }),
  ];
}

/** The model name that gets the second model's habits (`scriptedOtherReview`). */
export const OTHER_SCRIPTED_MODEL = 'scripted-other';

/** Some models head every finding with its category's name ("Concurrency: …", "Performance: …"). */
function categoryHeadline(bug: LabeledBug, category: string): string {
  const name = category.charAt(0).toUpperCase() + category.slice(1).replace('-', ' ');
  return `${name}: ${bug.title}`;
}

const SQL_LITERAL = /["'`][^"'`]*\b(?:SELECT|INSERT|UPDATE|DELETE)\b/i;

/**
 * A second model's habits, unlike the first's: it heads real findings with their category's name
 * ("Concurrency:", "Performance:") and files them under the label's LAST category, cites the right lines, and in every
 * part raises confident (0.8) high false alarms of the kinds real models raise on backend code: an
 * SQL injection on a query literal the part shows (parameters bound), an N+1 on a single query or
 * I/O call, and a race on a line that assigns something (a module constant, a local, a field), each
 * on a line near no bug and chosen by the part. Whether the quoted code has what the claim needs is
 * left to the code: some of these are plainly groundless, some are not.
 */
export function scriptedOtherReview(set: LabeledSet, user: string): ScriptedReply {
  const shown = readRequest(user);
  if (!shown) return { text: JSON.stringify({ summary: 'Nothing to review.', findings: [] }) };
  const inFile = set.bugs.filter((b) => b.file === shown.file);
  const visible = visibleBugs(inFile, shown, user);
  const findings: Record<string, unknown>[] = visible.map((bug) => {
    const category = bug.categories[bug.categories.length - 1];
    return finding({
      title: categoryHeadline(bug, category),
      severity: bug.severity,
      category,
      startLine: bug.startLine,
      endLine: bug.startLine,
      quote: (shown.lines.get(bug.startLine) ?? '').trim(),
      message: `${bug.title}: the quoted line does it.`,
      confidence: 0.8,
    });
  });
  const quiet = quietLines(shown, inFile, 4);
  const first = [...shown.lines.keys()].sort((a, b) => a - b)[0] ?? 1;
  const h = stableHash(`other:${shown.file}:${first}`);
  const pick = picker(h);
  const alarm = (line: number | undefined, title: string, category: string): void => {
    findings.push(
      ...alarmAt(shown, line, {
        title,
        category,
        message: `${title}. This can fail in production under load.`,
        confidence: 0.8,
      }),
    );
  };
  const text = (n: number): string => shown.lines.get(n) ?? '';
  alarm(
    pick(
      quiet.filter((n) => SQL_LITERAL.test(text(n))),
      3,
    ),
    'SQL injection: request data reaches this query',
    'security',
  );
  alarm(
    pick(
      quiet.filter((n) => IO_CALL.test(text(n))),
      7,
    ),
    'N+1 query: this runs once per record',
    'performance',
  );
  alarm(
    pick(
      quiet.filter((n) => /[^=!<>:]=[^=>]|:=/.test(text(n))),
      11,
    ),
    'Data race: concurrent requests can interleave on this state',
    'concurrency',
  );
  return envelope({ summary: `${findings.length} problems found.`, findings }, h % 4);
}

/** The model name that gets a small local model's habits (`scriptedLocalReview`). */
export const LOCAL_SCRIPTED_MODEL = 'scripted-local';

/**
 * A third model's habits, written so the gate is not fitted to the first two: those of a small
 * model on a local server. It rates everything high and is sure of it (0.8–0.9); it names the code
 * it means in backticks, and for one real finding in four it cites and quotes a line a few lines
 * above the bug (the statement that opens the block) while naming the bug's code in its message.
 * In every part it adds, each on a line near no bug chosen by the part: generic advice ("Consider
 * adding input validation"), speculation about callers it was not shown ("Callers might not handle
 * the errors"), a style nit rated high (a magic number, a variable name), a thread-safety worry
 * ("Not thread-safe"), and an error-handling claim on an I/O call ("Errors from this call are not
 * handled"). Whether the code shown has what each claim needs is left to the code.
 */
export function scriptedLocalReview(set: LabeledSet, user: string): ScriptedReply {
  const shown = readRequest(user);
  if (!shown) return { text: JSON.stringify({ summary: 'Nothing to review.', findings: [] }) };
  const inFile = set.bugs.filter((b) => b.file === shown.file);
  const visible = visibleBugs(inFile, shown, user);
  const text = (n: number): string => shown.lines.get(n) ?? '';
  const findings: Record<string, unknown>[] = visible.map((bug) => {
    const h = stableHash(`local:${bug.id}`);
    // One in four: the line that opens the block a few lines above, quoted as the place.
    const above = [4, 5, 6, 7, 8]
      .map((d) => bug.startLine - d)
      .find((n) => text(n).trim().length > 8 && !inFile.some((b) => Math.abs(b.startLine - n) <= 3));
    const cited = h % 4 === 0 && above !== undefined ? above : bug.startLine;
    return finding({
      title: bug.title,
      severity: 'high',
      category: bug.categories[h % bug.categories.length],
      startLine: cited,
      endLine: cited,
      quote: text(cited).trim(),
      message: `\`${bug.quote.trim()}\`: ${bug.title.charAt(0).toLowerCase()}${bug.title.slice(1)}. This could cause problems in production.`,
      confidence: 0.9,
    });
  });
  const quiet = quietLines(shown, inFile, 4).filter((n) => !/^\s*(?:\/\/|#|\/?\*)/.test(text(n)));
  const first = [...shown.lines.keys()].sort((a, b) => a - b)[0] ?? 1;
  const h = stableHash(`local:${shown.file}:${first}`);
  const pick = picker(h);
  const claim = (
    line: number | undefined,
    title: string,
    category: string,
    message: string,
    confidence = 0.85,
  ): void => {
    findings.push(...alarmAt(shown, line, { title, category, message, confidence }));
  };
  claim(
    pick(quiet, 2),
    'Consider adding input validation',
    'security',
    'Input should be validated before it is used to avoid unexpected behavior.',
  );
  claim(
    pick(
      quiet.filter((n) => /\breturn\b|\braise\b|\bthrow\b|\berr\b/.test(text(n))),
      5,
    ),
    'Callers might not handle errors from this function',
    'reliability',
    'If a caller ignores the returned error, failures could go unnoticed.',
    0.8,
  );
  const magic = quiet.filter((n) => /(?<![\w.$])\d{2,}(?![\w.])/.test(text(n)));
  claim(
    pick(magic.length > 0 ? magic : quiet, 8),
    magic.length > 0 ? 'Magic number should be a named constant' : 'Variable name is not descriptive',
    'maintainability',
    'This makes the code harder to read and maintain.',
    0.8,
  );
  claim(
    pick(quiet, 13),
    'Not thread-safe: shared state may be modified by multiple threads',
    'concurrency',
    'Multiple threads could access this at the same time and corrupt the data.',
  );
  claim(
    pick(
      quiet.filter((n) => IO_CALL.test(text(n))),
      17,
    ),
    'Errors from this call are not handled',
    'reliability',
    'If this call fails, the error is not handled and the request may crash.',
  );
  return envelope({ summary: `${findings.length} issues found.`, findings }, h % 4);
}

/** Answers a verification request (`--verify`) about `set` as a good but fallible verifier would. */
export function scriptedVerify(set: LabeledSet, user: string): ScriptedReply {
  const file = /^File: (.*)$/m.exec(user)?.[1] ?? '';
  const claims = user
    .split('\n')
    .filter((line) => line.startsWith('{"id":'))
    .map(
      (line) => JSON.parse(line) as { id: number; lines: string; severity: string; category: string; title: string },
    );
  const code = new Map<number, string>();
  for (const line of user.split('\n')) {
    const m = /^\s*(\d+)(?: +\+)? *\| (.*)$/.exec(line);
    if (m) code.set(Number(m[1]), m[2]);
  }
  const verdicts = claims.map((claim) => {
    const [start, end = start] = claim.lines.split('-').map(Number);
    const bug = set.bugs.find(
      (b) =>
        b.file === file &&
        (b.categories as string[]).includes(claim.category) &&
        start - 3 <= b.endLine &&
        b.startLine <= end + 3,
    );
    const h = stableHash(`${claim.title}:${claim.lines}`);
    if (bug) {
      if (h % 10 === 0) {
        // Wrong about a real finding, in one of three ways: a guard it assumes outside the code
        // shown (described, not in the code), a real line it misreads as a guard, or "not shown".
        const kind = (h >>> 4) % 3;
        const before = code.get(start - 1) ?? code.get(start + 1) ?? '';
        const evidence = kind === 0 ? 'the caller checks this before it gets here' : kind === 1 ? before.trim() : '';
        return { id: claim.id, verdict: 'rejected', severity: claim.severity, reason: 'Guarded.', evidence };
      }
      if (bug.severity !== claim.severity)
        return { id: claim.id, verdict: 're-rated', severity: bug.severity, reason: 'Real, but the severity is off.' };
      return { id: claim.id, verdict: 'confirmed', severity: claim.severity, reason: 'The code shows it.' };
    }
    if (h % 4 === 0) return { id: claim.id, verdict: 'confirmed', severity: claim.severity, reason: 'Looks real.' };
    return {
      id: claim.id,
      verdict: 'rejected',
      severity: claim.severity,
      reason: 'The code does not show this.',
      evidence: '',
    };
  });
  return { text: JSON.stringify({ verdicts }) };
}

/**
 * The model server handler: findings requests and verification requests of the eval set. A request
 * for the model `scripted-other` gets the second model's habits (`scriptedOtherReview`), one for
 * `scripted-local` a small local model's (`scriptedLocalReview`).
 */
export function scriptedEvalHandler(set: LabeledSet): ReplyHandler {
  return (request) => {
    if (request.system.startsWith('# Task: verify')) return scriptedVerify(set, request.user);
    if (request.body?.model === OTHER_SCRIPTED_MODEL) return scriptedOtherReview(set, request.user);
    if (request.body?.model === LOCAL_SCRIPTED_MODEL) return scriptedLocalReview(set, request.user);
    return scriptedReview(set, request.user, request.system);
  };
}
