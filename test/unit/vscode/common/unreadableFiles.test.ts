import * as assert from 'node:assert/strict';
import { unitsFromDiff } from '../../../../src/core/review/diff';
import { UnreadableFiles } from '../../../../src/vscode/common/unreadableFiles';

const DIFF = [
  'diff --git a/src/a.ts b/src/a.ts',
  '--- a/src/a.ts',
  '+++ b/src/a.ts',
  '@@ -1,2 +1,3 @@',
  ' const a = 1;',
  '+const b = 2;',
  ' export {};',
  'diff --git a/src/gone.ts b/src/gone.ts',
  '--- a/src/gone.ts',
  '+++ b/src/gone.ts',
  '@@ -10,2 +10,3 @@',
  ' line10',
  '+added',
  ' line11',
  '',
].join('\n');

describe('vscode/unreadableFiles', () => {
  it('reports a file whose new text cannot be read as skipped, with the reason, instead of reviewing text rebuilt from hunks', async () => {
    const unreadable = new UnreadableFiles('the working-tree file');
    const read = unreadable.reader(async (path) => {
      if (path === 'src/gone.ts') throw new Error('ENOENT: no such file');
      return 'const a = 1;\nconst b = 2;\nexport {};\n';
    });
    const result = unreadable.exclude(await unitsFromDiff(DIFF, read));
    assert.deepEqual(
      result.units.map((unit) => unit.path),
      ['src/a.ts'],
    );
    assert.deepEqual(result.skipped, [
      {
        file: 'src/gone.ts',
        reason: 'the working-tree file could not be read (ENOENT: no such file): not reviewed',
        failed: true,
      },
    ]);
    assert.deepEqual(result.failures, [{ path: 'src/gone.ts', reason: 'ENOENT: no such file' }]);
  });

  it('changes nothing when every file is read', async () => {
    const unreadable = new UnreadableFiles('the staged text');
    const result = unreadable.exclude(
      await unitsFromDiff(
        DIFF,
        unreadable.reader(async () => 'x\n'),
      ),
    );
    assert.deepEqual(
      result.units.map((unit) => unit.path),
      ['src/a.ts', 'src/gone.ts'],
    );
    assert.deepEqual(result.skipped, []);
  });
});
