/**
 * The severities of the findings contract (findings.ts re-exports them). Kept apart from the contract's
 * zod schemas so that the offline checks worker (dist/offlineWorker.js), which needs the list but no
 * schema, does not bundle and compile zod in every worker thread.
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
