import * as assert from 'node:assert/strict';
import { annotations, parseRoles, ratios, Scoreboard, scoreAnnotated, scoreLabeled } from '../../../bench/evalScore';

const OURS = new Set(['sql-injection', 'hardcoded-secret', 'silent-catch']);

describe('eval:offline scoring', () => {
  it('reads annotations onto the next code line, maps peer ids and drops ids of other intents', () => {
    const text = [
      '# ruleid: psycopg-sqli',
      '# ok: some-unrelated-rule',
      'cur.execute(q)',
      '// todoruleid: B105, sql-injection',
      'x = 1',
      '/* ok: G201 */',
      'db.Query(q)',
    ].join('\n');
    assert.deepEqual(annotations(text, OURS), [
      { line: 3, positive: true, rule: 'sql-injection' },
      { line: 5, positive: true, rule: 'hardcoded-secret' },
      { line: 5, positive: true, rule: 'sql-injection' },
      { line: 7, positive: false, rule: 'sql-injection' },
    ]);
  });

  it('matches a finding a few lines below its annotation, once, and judges leftovers by ok annotations', () => {
    const notes = [
      { line: 3, positive: true, rule: 'sql-injection' },
      { line: 10, positive: true, rule: 'sql-injection' },
      { line: 20, positive: false, rule: 'sql-injection' },
    ];
    const { byRule, mistakes } = scoreAnnotated(notes, [
      { ruleId: 'sql-injection', line: 4 }, // within the window of line 3
      { ruleId: 'sql-injection', line: 4 }, // a second finding there: unlabeled, not a second hit
      { ruleId: 'sql-injection', line: 14 }, // past the window of line 10: unlabeled, and 10 is a miss
      { ruleId: 'sql-injection', line: 21 }, // on the ok line's statement: a false alarm
      { ruleId: 'hardcoded-secret', line: 3 }, // no annotation of that rule in the file: not scored
    ]);
    assert.deepEqual(byRule.get('sql-injection'), { tp: 1, fp: 1, fn: 1, unlabeled: 2 });
    assert.equal(byRule.has('hardcoded-secret'), false);
    assert.deepEqual(
      mistakes.map((m) => `${m.kind} ${m.line}`),
      ['fn 10', 'fp 21'],
    );
  });

  it('a window ends before the next annotated line', () => {
    const notes = [
      { line: 3, positive: true, rule: 'sql-injection' },
      { line: 4, positive: false, rule: 'sql-injection' },
    ];
    const { byRule } = scoreAnnotated(notes, [{ ruleId: 'sql-injection', line: 4 }]);
    assert.deepEqual(byRule.get('sql-injection'), { tp: 0, fp: 1, fn: 1, unlabeled: 0 });
  });

  it('scores labeled code: tp/fp by label, unlabeled apart, fn entries and vanished tps are misses', () => {
    const { byRule } = scoreLabeled(
      [
        { path: 'a.py', line: 1, rule: 'sql-injection', label: 'tp' },
        { path: 'a.py', line: 2, rule: 'sql-injection', label: 'fp' },
        { path: 'a.py', line: 3, rule: 'sql-injection', label: 'fn' },
        { path: 'a.py', line: 4, rule: 'sql-injection', label: 'tp' },
        { path: 'a.py', line: 9, rule: 'silent-catch', label: 'fn' },
      ],
      [
        { ruleId: 'sql-injection', line: 1 },
        { ruleId: 'sql-injection', line: 2 },
        { ruleId: 'sql-injection', line: 3 }, // the miss is now found
        { ruleId: 'sql-injection', line: 7 },
      ],
    );
    assert.deepEqual(byRule.get('sql-injection'), { tp: 2, fp: 1, fn: 1, unlabeled: 1 });
    assert.deepEqual(byRule.get('silent-catch'), { tp: 0, fp: 0, fn: 1, unlabeled: 0 });
  });

  it('scores expected counts per file', () => {
    const two = { path: 'g.go', rule: 'sql-injection', count: 2 };
    assert.deepEqual(scoreLabeled([two], [{ ruleId: 'sql-injection', line: 5 }]).byRule.get('sql-injection'), {
      tp: 1,
      fp: 0,
      fn: 1,
      unlabeled: 0,
    });
    const none = { path: 'g.go', rule: 'sql-injection', count: 0 };
    assert.deepEqual(scoreLabeled([none], [{ ruleId: 'sql-injection', line: 5 }]).byRule.get('sql-injection'), {
      tp: 0,
      fp: 1,
      fn: 0,
      unlabeled: 0,
    });
  });

  it('computes ratios and totals per language', () => {
    assert.deepEqual(ratios({ tp: 3, fp: 1, fn: 1, unlabeled: 5 }), { precision: 0.75, recall: 0.75 });
    assert.deepEqual(ratios({ tp: 0, fp: 0, fn: 0, unlabeled: 1 }), { precision: undefined, recall: undefined });
    const board = new Scoreboard();
    board.add('python', new Map([['sql-injection', { tp: 1, fp: 1, fn: 0, unlabeled: 0 }]]));
    board.add('python', new Map([['silent-catch', { tp: 2, fp: 0, fn: 2, unlabeled: 0 }]]));
    assert.deepEqual(board.rows.get('python (all)'), { tp: 3, fp: 1, fn: 2, unlabeled: 0 });
    const table = board.table().split('\n');
    assert.match(table[1], /^python\s+silent-catch\s+2\s+0\s+2\s+0\s+1\.00\s+0\.50$/);
    assert.match(table[3], /^python\s+\(all\)\s+3\s+1\s+2\s+0\s+0\.75\s+0\.60$/);
  });

  it('reads --roles as a list of file roles and names an unknown one', () => {
    assert.deepEqual([...parseRoles('production')], ['production']);
    assert.deepEqual([...parseRoles('production, script')], ['production', 'script']);
    assert.throws(() => parseRoles('production,tests'), /--roles: unknown role "tests" \(roles: production, test,/);
    assert.throws(() => parseRoles(''), /--roles: unknown role ""/);
  });
});
