// Findings the model server answers for test/fixtures/integration/workspace/src/sessions.ts, shared by the
// main suite (which dismisses the first) and the restart suite (which checks it stays dismissed).
import { modelFinding } from '../support/modelServer';

export const SESSION_FINDINGS = [
  modelFinding({
    title: 'Sessions never expire',
    severity: 'high',
    category: 'security',
    startLine: 8,
    endLine: 8,
    quote: 'return sessions.get(token);',
    message: 'A stolen token stays valid forever because lookups ignore createdAt.',
  }),
  modelFinding({
    title: 'Session map grows without bound',
    severity: 'medium',
    category: 'scalability',
    startLine: 1,
    endLine: 1,
    quote: 'const sessions = new Map',
    message: 'Every login adds an entry and nothing removes it, so memory grows until the process restarts.',
  }),
];
