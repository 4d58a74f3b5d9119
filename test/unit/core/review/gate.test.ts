import { strict as assert } from 'node:assert';
import type { ReviewFinding } from '../../../../src/core/findings';
import {
  GATE_DEFAULTS,
  capReview,
  checkFixText,
  describeWithheld,
  emptyWithheld,
  foldGroups,
  gatePart,
  groupRepeats,
} from '../../../../src/core/review/gate';

const file = ['def handler(event):', '    body = event["body"]', '    return save(body)', ''].join('\n');

function finding(overrides: Partial<ReviewFinding> = {}): ReviewFinding {
  return {
    title: 'Unvalidated body saved',
    severity: 'high',
    category: 'security',
    startLine: 2,
    endLine: 2,
    quote: 'event["body"]',
    message: 'The body is saved as it came.',
    suggestion: 'Validate it.',
    fix: null,
    confidence: 0.8,
    file: 'h.py',
    ruleId: 'review/security',
    origin: 'model',
    ...overrides,
  };
}

describe('noise gate', () => {
  describe('checkFixText', () => {
    it('removes line-number prefixes copied from the prompt when every line has one, keeping indentation', () => {
      const checked = checkFixText(
        { startLine: 2, endLine: 3, replacement: '2 |     body = parse(event["body"])\n3 |     return save(body)' },
        file,
      );
      assert.deepEqual(checked, {
        fix: { startLine: 2, endLine: 3, replacement: '    body = parse(event["body"])\n    return save(body)' },
        repaired: true,
      });
      const padded = checkFixText({ startLine: 2, endLine: 2, replacement: '  2 |     body = parse(x)' }, file);
      assert.equal(padded.fix?.replacement, '    body = parse(x)');
    });

    it("removes a diff review's two-sided numbering (added, unchanged and removed lines) from a fix", () => {
      const checked = checkFixText(
        {
          startLine: 2,
          endLine: 3,
          replacement: '2 + |     body = parse(x)\n  - |     check(body)\n3   |     return save(body)',
        },
        file,
      );
      assert.deepEqual(checked, {
        fix: { startLine: 2, endLine: 3, replacement: '    body = parse(x)\n    check(body)\n    return save(body)' },
        repaired: true,
      });
    });

    it('drops a fix where only some lines carry a prefix', () => {
      const checked = checkFixText(
        { startLine: 2, endLine: 3, replacement: '139 |     body = parse(event["body"])\n    return save(body)' },
        file,
      );
      assert.equal(checked.fix, null);
      assert.match((checked as { reason: string }).reason, /line numbers copied from the prompt/);
    });

    it('drops a fix that changes nothing (trailing whitespace and final newline ignored), keeps a real change', () => {
      const same = checkFixText({ startLine: 3, endLine: 3, replacement: '    return save(body)   \n' }, file);
      assert.deepEqual(same, { fix: null, reason: 'it changes nothing' });
      const prefixedSame = checkFixText({ startLine: 3, endLine: 3, replacement: '3 |     return save(body)' }, file);
      assert.equal(prefixedSame.fix, null, 'repaired to the same line: still nothing');
      const real = checkFixText({ startLine: 3, endLine: 3, replacement: '    return save(validate(body))' }, file);
      assert.deepEqual(real, {
        fix: { startLine: 3, endLine: 3, replacement: '    return save(validate(body))' },
        repaired: false,
      });
    });

    it('keeps code that merely contains a pipe or a number', () => {
      const checked = checkFixText({ startLine: 2, endLine: 2, replacement: '    flags = 4 | 2' }, file);
      assert.equal(checked.fix?.replacement, '    flags = 4 | 2');
    });
  });

  it('gatePart applies the floor, then keeps the most severe up to the cap', () => {
    const withheld = emptyWithheld();
    const kept = gatePart(
      [
        finding({ title: 'a', severity: 'low', confidence: 0.9 }),
        finding({ title: 'b', severity: 'critical', confidence: 0.7 }),
        finding({ title: 'c', severity: 'high', confidence: 0.2 }),
        finding({ title: 'd', severity: 'medium', confidence: 0.65 }),
      ],
      { minimumConfidence: 0.6, maxPerPart: 2, maxPerReview: 10 },
      withheld,
    );
    assert.deepEqual(
      kept.map((f) => f.title),
      ['b', 'd'],
    );
    assert.deepEqual([withheld.lowConfidence, withheld.overCap], [1, 1]);
  });

  it('foldGroups makes each group one finding, the most important, with the others as related locations', () => {
    const read = finding({
      title: 'Data race on the order',
      category: 'concurrency',
      startLine: 2,
      endLine: 2,
      confidence: 0.7,
    });
    const write = finding({
      title: 'Lost update of the refund',
      category: 'data-integrity',
      startLine: 3,
      endLine: 3,
      confidence: 0.9,
    });
    const other = finding({ title: 'Unvalidated body saved', startLine: 1, endLine: 1 });
    const withheld = emptyWithheld();
    const out = foldGroups([read, other, write], [[read, write]], withheld);
    assert.equal(out.length, 2);
    assert.equal(out[0], other);
    assert.equal(out[1].title, 'Lost update of the refund');
    assert.deepEqual(
      out[1].related?.map((r) => r.startLine),
      [2],
    );
    assert.match(out[1].message, /also at line 2/);
    assert.equal(withheld.grouped, 1);
  });

  it('groupRepeats folds same-kind model findings of a file into the most severe, never offline ones', () => {
    const withheld = emptyWithheld();
    const grouped = groupRepeats(
      [
        finding({
          startLine: 9,
          title: 'Missing timeout on outbound call',
          category: 'reliability',
          severity: 'medium',
        }),
        finding({
          startLine: 3,
          title: 'Missing timeout on the outbound call',
          category: 'reliability',
          severity: 'high',
        }),
        finding({
          startLine: 20,
          title: 'Missing timeout on outbound call',
          category: 'reliability',
          file: 'other.py',
        }),
        finding({ startLine: 5, title: 'Missing timeout', origin: 'offline', ruleId: 'http-no-timeout' }),
        finding({ startLine: 5, title: 'Missing timeout', origin: 'offline', ruleId: 'http-no-timeout' }),
      ],
      withheld,
    );
    assert.equal(grouped.length, 4);
    const leader = grouped.find((f) => f.file === 'h.py' && f.origin === 'model')!;
    assert.equal(leader.startLine, 3);
    assert.deepEqual(
      leader.related?.map((r) => r.startLine),
      [9],
    );
    assert.equal(withheld.grouped, 1);
  });

  it('capReview keeps the most important model findings and every offline one', () => {
    const withheld = emptyWithheld();
    const all = [
      finding({ title: 'x', severity: 'low' }),
      finding({ title: 'y', severity: 'critical' }),
      finding({ title: 'z', origin: 'offline', ruleId: 'r' }),
    ];
    const kept = capReview(all, { ...GATE_DEFAULTS.pragmatic, maxPerReview: 1 }, withheld);
    assert.deepEqual(
      kept.map((f) => f.title),
      ['y', 'z'],
    );
    assert.equal(withheld.overCap, 1);
    assert.match(describeWithheld(withheld, GATE_DEFAULTS.pragmatic) ?? '', /1 of lower severity over the cap/);
    assert.equal(describeWithheld(emptyWithheld(), GATE_DEFAULTS.pragmatic), undefined);
  });
});
