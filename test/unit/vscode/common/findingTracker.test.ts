import * as assert from 'node:assert/strict';
import { trackEdits, type LineChange, type Trackable } from '../../../../src/vscode/common/findingTracker';

type F = Trackable & { id: string };

function finding(id: string, startLine: number, endLine: number, fix: Trackable['fix'] = null): F {
  return { id, startLine, endLine, fix };
}

/** An insertion of `text` at a 0-based position. */
function insert(line: number, character: number, text: string): LineChange {
  return { startLine: line, startCharacter: character, endLine: line, endCharacter: character, text };
}

/** Deletion of whole 0-based lines [from, to). */
function deleteLines(from: number, to: number): LineChange {
  return { startLine: from, startCharacter: 0, endLine: to, endCharacter: 0, text: '' };
}

describe('vscode/findingTracker', () => {
  it('moves a finding down when lines are inserted above it', () => {
    const { kept, removed, changed } = trackEdits([finding('a', 10, 12)], [insert(2, 0, 'x\ny\n')]);
    assert.deepEqual(
      kept.map((f) => [f.startLine, f.endLine]),
      [[12, 14]],
    );
    assert.deepEqual(removed, []);
    assert.equal(changed, true);
  });

  it('moves a finding up when lines above it are deleted', () => {
    const { kept } = trackEdits([finding('a', 10, 12)], [deleteLines(3, 6)]);
    assert.deepEqual(
      kept.map((f) => [f.startLine, f.endLine]),
      [[7, 9]],
    );
  });

  it('treats whole lines inserted at the start of the first line as above', () => {
    // Finding on 1-based line 5 = 0-based line 4; "new\n" at (4,0) pushes it to line 6.
    const { kept, removed } = trackEdits([finding('a', 5, 5)], [insert(4, 0, 'new\n')]);
    assert.deepEqual(removed, []);
    assert.equal(kept[0].startLine, 6);
  });

  it('removes a finding when its own lines are edited', () => {
    const { kept, removed } = trackEdits([finding('a', 5, 6), finding('b', 20, 20)], [insert(5, 3, 'z')]);
    assert.deepEqual(
      kept.map((f) => f.id),
      ['b'],
    );
    assert.deepEqual(
      removed.map((f) => f.id),
      ['a'],
    );
  });

  it('removes a finding when typing at the start of its first line without a newline', () => {
    const { removed } = trackEdits([finding('a', 5, 5)], [insert(4, 0, 'x')]);
    assert.deepEqual(
      removed.map((f) => f.id),
      ['a'],
    );
  });

  it('removes a finding when a deletion above runs into it', () => {
    const { removed } = trackEdits(
      [finding('a', 5, 6)],
      [{ startLine: 2, startCharacter: 0, endLine: 4, endCharacter: 3, text: '' }],
    );
    assert.deepEqual(
      removed.map((f) => f.id),
      ['a'],
    );
  });

  it('leaves findings above an edit alone, and reports no change', () => {
    const { kept, changed } = trackEdits([finding('a', 2, 3)], [insert(10, 0, 'x\n')]);
    assert.deepEqual(
      kept.map((f) => [f.startLine, f.endLine]),
      [[2, 3]],
    );
    assert.equal(changed, false);
  });

  it('does not move a finding for an edit above that adds no line', () => {
    const { kept, changed } = trackEdits([finding('a', 8, 8)], [insert(2, 4, 'abc')]);
    assert.equal(kept[0].startLine, 8);
    assert.equal(changed, false);
  });

  it('moves the fix with the finding and drops it when an edit touches only the fix', () => {
    const withFix = finding('a', 10, 10, { startLine: 9, endLine: 11, replacement: 'y' });
    const moved = trackEdits([withFix], [insert(0, 0, 'x\n')]).kept[0];
    assert.deepEqual([moved.startLine, moved.fix?.startLine, moved.fix?.endLine], [11, 10, 12]);
    const touched = trackEdits([withFix], [insert(8, 2, 'q')]).kept[0];
    assert.equal(touched.startLine, 10);
    assert.equal(touched.fix, null);
  });

  it('applies several changes of one event in order', () => {
    // VS Code lists the changes of one event so that applying them in order is correct.
    const { kept } = trackEdits(
      [finding('a', 10, 10)],
      [insert(20, 0, 'below\n'), insert(1, 0, 'one\n'), deleteLines(2, 3)],
    );
    assert.equal(kept[0].startLine, 10);
  });

  it('reports a change when only the fix range moves (an edit between a finding and its fix)', () => {
    const { kept, changed } = trackEdits(
      [finding('a', 5, 5, { startLine: 10, endLine: 12, replacement: 'fixed' })],
      [insert(7, 0, 'new\n')],
    );
    assert.equal(changed, true);
    assert.deepEqual([kept[0].startLine, kept[0].endLine], [5, 5]);
    assert.deepEqual(kept[0].fix && [kept[0].fix.startLine, kept[0].fix.endLine], [11, 13]);
  });
});
