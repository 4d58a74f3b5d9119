import { CATEGORIES, type Category } from '../../core/findings';
import type { OfflineRuleMeta } from '../../core/offline/types';

/**
 * The explanations a diagnostic's code links to, as Markdown: one page per model-finding category
 * (`review/<category>`) and one per offline rule. ruleDocs.ts serves them as read-only documents.
 */
export const CATEGORY_HELP: Record<Category, { title: string; text: string }> = {
  security: {
    title: 'Security',
    text: 'Flaws an attacker can use: injection (SQL, shell, template), missing authentication or authorisation checks, secrets in code, unsafe deserialisation, weak cryptography, data leaking into logs or responses. Fix at the trust boundary: validate and parameterise input, check permissions on every path, keep secrets in a secret store.',
  },
  reliability: {
    title: 'Reliability',
    text: 'How the code behaves when a dependency is slow or down: calls without timeouts, retries without limits, backoff or jitter, missing circuit breakers, errors swallowed or turned into wrong answers. A service is as reliable as its least-guarded outbound call.',
  },
  performance: {
    title: 'Performance',
    text: 'Work that grows faster than it needs to: N+1 queries, queries without indexes, loading whole tables or files into memory, blocking calls on hot or async paths, repeated work that could be cached or batched.',
  },
  correctness: {
    title: 'Correctness',
    text: 'The code does not do what it is meant to on realistic input: off-by-one errors, wrong conditions, unhandled cases and error paths, type confusion, time-zone and encoding mistakes.',
  },
  'data-integrity': {
    title: 'Data integrity',
    text: 'Ways data can be lost, duplicated or left inconsistent: writes without transactions, non-idempotent handlers that can run twice, missing constraints, partial failures between two stores, unsafe migrations.',
  },
  concurrency: {
    title: 'Concurrency',
    text: 'Problems when things happen at the same time: races on shared state, check-then-act without a lock or a conditional write, deadlocks, unbounded parallelism, work lost on shutdown.',
  },
  observability: {
    title: 'Observability',
    text: 'What you cannot see when it breaks at 3 a.m.: unstructured logs, errors logged without context, no request or trace ids, no metrics on the paths that matter, spans that do not cross service boundaries.',
  },
  'api-design': {
    title: 'API design',
    text: 'Contracts that are hard to use or to evolve: inconsistent status codes and errors, missing pagination or limits, breaking changes without versioning, leaking internal models, unclear idempotency of write endpoints.',
  },
  scalability: {
    title: 'Scalability',
    text: 'What stops working at ten times the load: unbounded queues, pools and payloads, single points of contention, state that ties requests to one instance, fan-out without limits.',
  },
  maintainability: {
    title: 'Maintainability',
    text: 'What makes the next change risky: tangled responsibilities, duplicated logic that will drift, hidden coupling, magic values, names that mislead. Reported only where it will cost real time.',
  },
  testing: {
    title: 'Testing',
    text: 'Behaviour that is not pinned down by tests: untested error paths, tests that cannot fail, missing tests for a bug fix, tests that depend on time, order or the network.',
  },
};

/** The path (inside the `backend-reviewer:` scheme) of a rule's or category's page. */
export function helpPath(ruleId: string): string {
  return ruleId.startsWith('review/') ? `/${ruleId}.md` : `/rules/${ruleId}.md`;
}

/** The Markdown page for a help path; a clear page (not an error) for an unknown id. */
export function helpDocument(path: string, rules: readonly OfflineRuleMeta[]): string {
  const category = /^\/review\/([a-z-]+)\.md$/.exec(path);
  if (category) {
    const id = category[1] as Category;
    if ((CATEGORIES as readonly string[]).includes(id)) {
      const help = CATEGORY_HELP[id];
      return `# ${help.title} (review/${id})\n\n${help.text}\n\nFindings in this category come from the model review. Each finding quotes the code it is about; use **Explain** on the finding for a discussion in the chat, or **Dismiss** if it does not apply.\n`;
    }
    return `# Unknown category "${id}"\n\nKnown categories: ${CATEGORIES.join(', ')}.\n`;
  }
  const rule = /^\/rules\/([A-Za-z0-9_.-]+)\.md$/.exec(path);
  if (rule) {
    const meta = rules.find((r) => r.id === rule[1]);
    if (meta) {
      return `# ${meta.title} (${meta.id})\n\nOffline check · ${meta.category} · default severity ${meta.defaultSeverity} · ${meta.languages.join(', ')}\n\n${meta.helpText.trim()}\n\nTurn it off or change its severity with the setting \`backendReviewer.offlineChecks.rules\`, e.g. \`{ "${meta.id}": "off" }\`.\n`;
    }
    return `# Unknown rule "${rule[1]}"\n\nKnown offline rules: ${rules.map((r) => r.id).join(', ') || 'none'}.\n`;
  }
  return `# Not found\n\nThere is no Backend Reviewer help page at ${path}.\n`;
}

/** The path (inside the `backend-reviewer:` scheme) of one finding's explanation; the file's URI goes in the query. */
export function findingHelpPath(findingId: string): string {
  return `/findings/${encodeURIComponent(findingId)}.md`;
}

/** The finding id a findingHelpPath names, or undefined for another path. */
export function findingIdOf(path: string): string | undefined {
  const match = /^\/findings\/(.+)\.md$/.exec(path);
  return match ? decodeURIComponent(match[1]) : undefined;
}

/** What a finding's explanation shows of it. */
export interface ExplainedFinding {
  title: string;
  severity: string;
  ruleId: string;
  category: string;
  file: string;
  startLine: number;
  endLine: number;
  quote: string;
  message: string;
  suggestion: string;
  fix: { startLine: number; endLine: number; replacement: string } | null;
  source: string;
}

/** A fence the text cannot close (longer than any backtick run in it). */
function fenced(text: string, language = ''): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${language}\n${text}\n${ticks}`;
}

/**
 * The explanation of one finding (a model finding's link opens this rather than its category's
 * general page): what is wrong here, what to do, the code and the suggested fix, then the category
 * or rule page below.
 */
export function findingExplanation(finding: ExplainedFinding, rules: readonly OfflineRuleMeta[]): string {
  const lines =
    finding.startLine === finding.endLine
      ? `line ${finding.startLine}`
      : `lines ${finding.startLine}-${finding.endLine}`;
  const parts = [
    `# ${finding.title.replace(/\s+/g, ' ')}`,
    '',
    `${finding.severity} · ${finding.ruleId} · ${finding.file}, ${lines} · ${finding.source}`,
    '',
    '## What is wrong here',
    '',
    finding.message.trim(),
  ];
  if (finding.suggestion.trim() !== '') parts.push('', '## What to do', '', finding.suggestion.trim());
  if (finding.quote.trim() !== '') parts.push('', '## The code', '', fenced(finding.quote));
  if (finding.fix)
    parts.push(
      '',
      `## Suggested fix (replaces lines ${finding.fix.startLine}-${finding.fix.endLine})`,
      '',
      fenced(finding.fix.replacement),
    );
  // The general page, one heading level down.
  const general = helpDocument(helpPath(finding.ruleId), rules).replace(/^# /, '## About ');
  parts.push('', '---', '', general);
  return parts.join('\n');
}
