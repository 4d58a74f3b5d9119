import type { ReviewFinding } from '../../../../src/core/findings';

/** Shared by the published findings, fix plans and finding store tests. */
export const text = ['line 1', 'const a = fetch(u);', 'line 3', 'line 4', 'line 5'].join('\n');

export function finding(overrides: Partial<ReviewFinding> = {}): ReviewFinding {
  return {
    title: 'No timeout',
    severity: 'high',
    category: 'reliability',
    startLine: 2,
    endLine: 2,
    quote: 'fetch(u)',
    message: 'fetch without a timeout',
    suggestion: 'pass a signal',
    fix: { startLine: 2, endLine: 2, replacement: 'const a = fetch(u, { signal });\n' },
    confidence: 0.9,
    file: 'src/a.ts',
    ruleId: 'review/reliability',
    origin: 'model',
    ...overrides,
  };
}

export const secretText = ['line 1', 'const password = "hunter2-prod-Secret";', 'line 3'].join('\n');
export const secretFinding = (overrides: Partial<ReviewFinding> = {}): ReviewFinding =>
  finding({
    title: 'Credential written in the source',
    ruleId: 'hardcoded-secret',
    origin: 'offline',
    category: 'security',
    quote: 'const password = "hunter2-prod-Secret"',
    message: '`password` is set to a literal credential.',
    fix: null,
    ...overrides,
  });
