import * as assert from 'node:assert/strict';
import {
  lineMapping,
  relocateFindings,
  relocateRange,
  relocationNote,
  type Relocatable,
} from '../../../../src/vscode/common/relocate';

type F = Relocatable & { id: string };

function finding(id: string, startLine: number, endLine: number, fix: Relocatable['fix'] = null): F {
  return { id, startLine, endLine, fix };
}

const REVIEWED = [
  'import x',
  '',
  'function a() {',
  '  query(sql + id);',
  '}',
  '',
  'function b() {',
  '  return 1;',
  '}',
].join('\n');

describe('vscode/relocate', () => {
  it('keeps every finding as it is when the text did not change', () => {
    const findings = [
      finding('a', 4, 4, { startLine: 4, endLine: 4, replacement: 'q' }),
      finding('out of range', 40, 41),
    ];
    const result = relocateFindings(findings, REVIEWED, REVIEWED);
    assert.deepEqual(result.kept, findings);
    assert.deepEqual(result.dropped, []);
  });

  it('moves findings (and fixes) down when lines were inserted above them during the review', () => {
    const current = `// header\n// more\n${REVIEWED}`;
    const result = relocateFindings(
      [finding('a', 3, 5, { startLine: 4, endLine: 4, replacement: 'q' })],
      REVIEWED,
      current,
    );
    assert.deepEqual(
      result.kept.map((f) => [f.id, f.startLine, f.endLine, f.fix?.startLine, f.fix?.endLine]),
      [['a', 5, 7, 6, 6]],
    );
    assert.deepEqual(result.dropped, []);
  });

  it('drops a finding whose lines were edited and keeps the others in place', () => {
    const current = REVIEWED.replace('query(sql + id)', 'query(sql, [id])');
    const result = relocateFindings([finding('edited', 4, 4), finding('untouched', 7, 9)], REVIEWED, current);
    assert.deepEqual(
      result.kept.map((f) => [f.id, f.startLine]),
      [['untouched', 7]],
    );
    assert.deepEqual(
      result.dropped.map((f) => f.id),
      ['edited'],
    );
  });

  it('drops a multi-line finding when a line was inserted inside it', () => {
    const current = REVIEWED.replace('  return 1;', '  log();\n  return 1;');
    const result = relocateFindings([finding('b', 7, 9)], REVIEWED, current);
    assert.deepEqual(
      result.dropped.map((f) => f.id),
      ['b'],
    );
  });

  it('keeps a finding but withdraws its fix when only the fix lines changed', () => {
    const current = REVIEWED.replace('  return 1;', '  return 2;');
    const result = relocateFindings(
      [finding('a', 3, 5, { startLine: 8, endLine: 8, replacement: 'return 0;' })],
      REVIEWED,
      current,
    );
    assert.equal(result.kept.length, 1);
    assert.equal(result.kept[0].fix, null);
    assert.equal(result.fixesDropped, 1);
  });

  it('re-locates a block that moved (the staged text differs from the working tree)', () => {
    // Working tree: function b moved above function a, and a new line at the end.
    const current = [
      'import x',
      '',
      'function b() {',
      '  return 1;',
      '}',
      '',
      'function a() {',
      '  query(sql + id);',
      '}',
      'export {}',
    ].join('\n');
    const result = relocateFindings([finding('a', 4, 4), finding('b', 7, 9)], REVIEWED, current);
    const where = Object.fromEntries(result.kept.map((f) => [f.id, [f.startLine, f.endLine]]));
    const dropped = result.dropped.map((f) => f.id);
    // The LCS keeps one of the two functions in place; whichever moved is re-located or dropped, never misplaced.
    for (const f of result.kept) {
      const reviewedLines = REVIEWED.split('\n').slice(f.id === 'a' ? 3 : 6, f.id === 'a' ? 4 : 9);
      assert.deepEqual(
        current.split('\n').slice(f.startLine - 1, f.endLine),
        reviewedLines,
        `finding ${f.id} at ${JSON.stringify(where[f.id])}`,
      );
    }
    assert.equal(result.kept.length + dropped.length, 2);
    assert.ok(result.kept.length >= 1);
  });

  it('drops findings whose lines are gone and those out of the reviewed range', () => {
    const current = 'import x\n';
    const result = relocateFindings([finding('a', 4, 4), finding('beyond', 30, 30)], REVIEWED, current);
    assert.deepEqual(
      result.dropped.map((f) => f.id),
      ['a', 'beyond'],
    );
  });

  it('maps lines by a diff: common prefix, suffix and the longest common subsequence between', () => {
    const mapping = lineMapping(['a', 'b', 'c', 'd', 'e'], ['a', 'x', 'c', 'b2', 'd', 'e']);
    assert.deepEqual([...mapping], [0, -1, 2, 4, 5]);
  });

  it('treats CRLF and LF line ends alike', () => {
    const result = relocateFindings([finding('a', 4, 4)], REVIEWED, `new\r\n${REVIEWED.replace(/\n/g, '\r\n')}`);
    assert.deepEqual(
      result.kept.map((f) => f.startLine),
      [5],
    );
  });

  it('says how many findings and fixes were dropped, and nothing when none were', () => {
    assert.equal(
      relocationNote('src/a.ts', { dropped: [1, 2], fixesDropped: 1 }),
      'src/a.ts: 2 findings dropped because their lines changed during the review; 1 suggested fix withdrawn because the lines changed.',
    );
    assert.equal(relocationNote('src/a.ts', { dropped: [], fixesDropped: 0 }), '');
  });

  it("moves a selection review's replaced range with lines inserted above it, and leaves it when its lines changed", () => {
    assert.deepEqual(relocateRange({ startLine: 7, endLine: 9 }, REVIEWED, `// a\n// b\n${REVIEWED}`), {
      startLine: 9,
      endLine: 11,
    });
    assert.deepEqual(relocateRange({ startLine: 7, endLine: 9 }, REVIEWED, REVIEWED.replace('return 1', 'return 2')), {
      startLine: 7,
      endLine: 9,
    });
  });
});
