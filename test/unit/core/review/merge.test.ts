import { strict as assert } from 'node:assert';
import type { ReviewFinding } from '../../../../src/core/findings';
import { mergeOfflineDuplicates, saysWhatRuleSays, similarTitles } from '../../../../src/core/review/merge';

function finding(overrides: Partial<ReviewFinding>): ReviewFinding {
  return {
    title: 'Outbound HTTP request without a timeout',
    severity: 'medium',
    category: 'reliability',
    startLine: 3,
    endLine: 3,
    quote: 'const response = await fetch(url);',
    message: 'fetch has no timeout.',
    suggestion: 'Pass a signal.',
    fix: null,
    confidence: 1,
    file: 'src/billing.ts',
    ruleId: 'http-no-timeout',
    origin: 'offline',
    ...overrides,
  };
}

describe('the hybrid merge of model and offline findings', () => {
  const offline = finding({});

  it('folds a model finding that names the rule’s subject into the offline one, at the higher severity', () => {
    const model = finding({
      origin: 'model',
      ruleId: 'review/reliability',
      title: 'Payment call can hang the request',
      message: 'There is no deadline on the provider call.',
      severity: 'high',
    });
    const merged = mergeOfflineDuplicates([offline, model]);
    assert.equal(merged.merged, 1);
    assert.deepEqual(
      merged.findings.map((f) => [f.ruleId, f.severity, f.confirmedByModel]),
      [['http-no-timeout', 'high', true]],
    );
  });

  it('keeps a model finding of the same category on the next line that is about something else', () => {
    const retry = finding({
      origin: 'model',
      ruleId: 'review/reliability',
      title: 'Retry loop without backoff',
      message: 'Each failure is retried immediately and forever; add capped exponential backoff with jitter.',
      startLine: 2,
      endLine: 2,
    });
    assert.ok(!saysWhatRuleSays(retry, offline));
    const merged = mergeOfflineDuplicates([offline, retry]);
    assert.equal(merged.merged, 0);
    assert.deepEqual(merged.findings.map((f) => f.title).sort(), [offline.title, retry.title].sort());
  });

  it('reads only the first sentence of the message, where a model says what the finding is', () => {
    const later = finding({
      origin: 'model',
      ruleId: 'review/reliability',
      title: 'Unbounded retries',
      message: 'Retries never stop. Separately, the call also has no timeout.',
    });
    assert.ok(!saysWhatRuleSays(later, offline));
  });

  it('never treats an empty title as similar to another', () => {
    assert.ok(!similarTitles('', 'Outbound HTTP request without a timeout'));
    assert.ok(!similarTitles('SQL injection', ''));
  });
});
