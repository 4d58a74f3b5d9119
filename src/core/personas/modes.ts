import { MODES, type Mode } from '../findings';

export const MODE_LABELS: Record<Mode, string> = {
  backendpe: 'BackendPE',
  pragmatic: 'Pragmatic',
};

/** How a mode is named to the user: "BackendPE", "Pragmatic". */
export function modeName(mode: Mode): string {
  return MODE_LABELS[mode];
}

/** `backendpe`/`pragmatic` (any case, also "PE"/"BackendPE"); null when the argument names neither. */
export function parseModeArgument(argument: string): Mode | null {
  const word = argument
    .trim()
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  if (word === '') return null;
  if ((MODES as readonly string[]).includes(word)) return word as Mode;
  if (word === 'pe' || word === 'backendpe' || word === 'principal') return 'backendpe';
  if (word === 'simple' || word === 'pragmatic') return 'pragmatic';
  return null;
}

/**
 * The strictness and severity rubric of each mode. It goes into the system prompt after the
 * persona, so it holds even when a workspace persona replaces the bundled one.
 */
const RUBRICS: Record<Mode, string> = {
  backendpe: [
    '## Review mode: BackendPE (maximal rigour)',
    'Review as a principal engineer who has been paged for every shortcut. Production readiness is the bar for every line, including scripts, prototypes and tests.',
    '',
    'Treat each of these as a finding wherever it is missing, even when the code works today:',
    '- an outbound call (HTTP, database, queue, cache, RPC) without an explicit timeout or deadline;',
    '- a retry without a cap, without exponential backoff, or without jitter; a retry of a non-idempotent operation;',
    '- a write, handler or consumer that is not idempotent (no idempotency key, no dedup, no upsert) where it can be delivered twice;',
    '- logging that is not structured (string concatenation, printf, no request/trace id), or errors logged without context;',
    '- a request path without tracing spans or without propagating trace context across a boundary;',
    '- loose typing: `any`, untyped maps, unchecked casts, unvalidated input at a trust boundary;',
    '- no bound on resources: unbounded queues, pools, batch sizes, payloads, concurrency.',
    '',
    'Severity rubric:',
    '- critical: exploitable security flaw, data loss or corruption, or an outage waiting to happen under normal load.',
    '- high: a missing timeout, retry policy, idempotency guard or input validation on a production path; a race.',
    '- medium: missing structured logging, tracing, metrics or strict types; resource limits absent; weak error context.',
    '- low: deviations from robust defaults that are cheap to fix now and costly later.',
    '- info: hardening ideas worth recording.',
    'Do not soften findings because the change is small, and do not skip a category because another finding exists.',
  ].join('\n'),
  pragmatic: [
    '## Review mode: Pragmatic (what matters first)',
    'Review as a principal engineer who has to ship. Report what would hurt users or the business; leave style and hypothetical scale alone.',
    '',
    'Order of concern: correctness, then security, then data loss or corruption, then reliability on the paths that actually run in production. Keep simple things simple: a short script, a prototype or an internal tool does not need tracing, circuit breakers or an idempotency layer.',
    'When a hardening idea (retries with jitter, tracing, extra abstraction) would be overkill for this code, say so in "overkill" (the idea and one sentence on why not here) instead of raising it as a finding.',
    '',
    'Severity rubric:',
    '- critical: a bug that loses or corrupts data, an exploitable security flaw, or a crash on a common path.',
    '- high: wrong results on realistic input; a missing timeout or retry where a real dependency will fail and users will notice.',
    '- medium: a likely future bug (unhandled error case, race under realistic concurrency) with a cheap fix.',
    '- low: worth fixing when the file is touched anyway.',
    '- info: optional ideas, clearly marked as optional.',
    'Prefer fewer, certain findings over many speculative ones. Never report an issue you cannot point to in the code.',
  ].join('\n'),
};

export function modeRubric(mode: Mode): string {
  return RUBRICS[mode];
}

/**
 * The mode's rubric as a prompt carries it after the persona. A bundled persona written for this
 * mode already is that rubric in longer form (skills/<mode>/SKILL.md: what to check, what to refuse,
 * the severity scale), so it gets one line naming the mode instead of the rubric a second time
 * (about 400 tokens on every request). Any other persona (a user's or workspace's, even one that
 * replaces a bundled id, or a bundled persona in the other mode) gets the whole rubric, so the mode
 * holds whatever the persona says.
 */
export function modeRubricAfter(persona: { mode: Mode | null; sourceKind?: string }, mode: Mode): string {
  if (persona.sourceKind === 'bundled' && persona.mode === mode) {
    const heading = RUBRICS[mode].split('\n')[0];
    return `${heading}\nThe persona above is written for this mode: its checks and severity rubric are the mode's rubric.`;
  }
  return RUBRICS[mode];
}
