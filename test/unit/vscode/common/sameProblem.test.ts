import * as assert from 'node:assert/strict';
import type { ReviewFinding } from '../../../../src/core/findings';
import { toPublished, type PublishedFinding } from '../../../../src/vscode/common/publishedFindings';
import { memberIds, oneFindingPerProblem, sameProblem, similarTitles } from '../../../../src/vscode/common/sameProblem';

const text = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');

function published(overrides: Partial<ReviewFinding>, id: string): PublishedFinding {
  const base: ReviewFinding = {
    title: 'SQL injection: query built from request input',
    severity: 'high',
    category: 'security',
    startLine: 5,
    endLine: 5,
    quote: 'line 5',
    message: 'the id is concatenated into the SQL',
    suggestion: 'bind it',
    fix: null,
    confidence: 0.8,
    file: 'src/a.ts',
    ruleId: 'review/security',
    origin: 'model',
    ...overrides,
  };
  const [finding] = toPublished([base], { text, relativePath: 'src/a.ts', mode: 'pragmatic' });
  return { ...finding, id };
}

describe('one finding per problem in the editor', () => {
  it('recognises titles that say the same thing', () => {
    assert.ok(similarTitles('SQL injection', 'Possible SQL injection in query'));
    assert.ok(similarTitles('N+1 query in loop over orders', 'N+1 query inside the orders loop'));
    assert.ok(!similarTitles('Hard-coded API key', 'SQL injection'));
    assert.ok(!similarTitles('', 'SQL injection'));
  });

  it('merges an offline and a model finding on the same lines into the offline one, most severe, with the fix', () => {
    const offline = published(
      {
        origin: 'offline',
        ruleId: 'sql-injection',
        title: 'SQL built by string concatenation',
        severity: 'medium',
      },
      'o',
    );
    const model = published(
      {
        severity: 'critical',
        startLine: 4,
        endLine: 5,
        fix: { startLine: 5, endLine: 5, replacement: 'db.query(sql, [id])' },
      },
      'm',
    );
    assert.ok(sameProblem(offline, model));
    const shown = oneFindingPerProblem([offline, model]);
    assert.equal(shown.length, 1);
    assert.equal(shown[0].id, 'o', 'the offline finding keeps its rule id and documentation');
    assert.equal(shown[0].ruleId, 'sql-injection');
    assert.equal(shown[0].severity, 'critical');
    assert.equal(shown[0].fix?.replacement, 'db.query(sql, [id])');
    assert.equal(shown[0].reviewedFixHash, model.reviewedFixHash);
    assert.equal(shown[0].source, 'Backend Reviewer · offline + Pragmatic');
    assert.deepEqual(memberIds(shown[0]), ['o', 'm']);
  });

  it('keeps different problems apart', () => {
    const injection = published({ origin: 'offline', ruleId: 'sql-injection' }, 'a');
    const key = published({ origin: 'offline', ruleId: 'hardcoded-secret', title: 'Hard-coded key' }, 'b');
    const farModel = published({ startLine: 12, endLine: 12 }, 'c');
    const otherModel = published({ title: 'Unbounded result set', category: 'performance' }, 'd');
    assert.ok(!sameProblem(injection, key), 'two offline rules on one line are two problems');
    assert.ok(!sameProblem(injection, farModel), 'lines far apart');
    assert.ok(!sameProblem(injection, otherModel), 'other category and other title');
    assert.equal(oneFindingPerProblem([injection, key, farModel, otherModel]).length, 4);
  });

  it('keeps a model finding of the same category apart from the rule next to it when it is about something else', () => {
    const timeout = published(
      {
        origin: 'offline',
        ruleId: 'http-no-timeout',
        category: 'reliability',
        title: 'Outbound HTTP request without a timeout',
        startLine: 6,
        endLine: 6,
      },
      't',
    );
    const retry = published(
      {
        category: 'reliability',
        title: 'Retry loop without backoff',
        message: 'Every failure is retried at once, so a struggling provider is hammered.',
        startLine: 5,
        endLine: 5,
      },
      'r',
    );
    const sameThing = published(
      { category: 'reliability', title: 'Invoice fetch can hang', message: 'No deadline.', startLine: 6, endLine: 6 },
      's',
    );
    assert.ok(!sameProblem(timeout, retry), 'a retry policy is not the missing timeout');
    assert.ok(sameProblem(timeout, sameThing), 'a hanging fetch is');
    assert.deepEqual(
      oneFindingPerProblem([timeout, retry, sameThing]).map((f) => memberIds(f)),
      [['t', 's'], ['r']],
    );
  });

  it('a model finding kept from an earlier review and the new one say the same: the newer wording stays', () => {
    const older = published({ title: 'Swallowed exception in catch block' }, 'old');
    const newer = published({ title: 'Exception swallowed in the catch block', severity: 'medium' }, 'new');
    const [shown] = oneFindingPerProblem([older, newer]);
    assert.equal(shown.id, 'new');
    assert.equal(shown.severity, 'high', 'the more severe severity of the two');
  });
});
