import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unitsFromDiff, parseUnifiedDiff, unquoteGitPath } from '../../../../src/core/review/diff';
import { ReviewInputError } from '../../../../src/core/review/errors';
import { gitDiff } from '../../../../src/core/review/git';
import { TempGitRepo } from './gitRepo';
import { reviewFocusLines } from '../../../../src/core/review/types';

const base = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

describe('unitsFromDiff', () => {
  let repo: TempGitRepo;
  beforeEach(() => {
    repo = new TempGitRepo();
    repo.write('src/service.ts', base);
    repo.write('src/gone.ts', 'export const gone = 1;\n');
    repo.write('src/moved.ts', 'export const same = 1;\nexport const two = 2;\nexport const three = 3;\n');
    repo.write('src/renamed-edit.ts', 'a\nb\nc\nd\ne\nf\n');
    repo.write('assets/logo.bin', Buffer.from([0, 1, 2, 3, 0, 9]));
    repo.commit('initial');
  });

  it('reads added lines in new-file numbers; reports deletions, binaries and pure renames', async () => {
    const edited = base.split('\n');
    edited.splice(4, 1, 'line 5 changed');
    edited.splice(19, 0, 'inserted after 19');
    repo.write('src/service.ts', edited.join('\n'));
    repo.git('rm', '-q', 'src/gone.ts');
    repo.git('mv', 'src/moved.ts', 'src/moved-to.ts');
    repo.git('mv', 'src/renamed-edit.ts', 'src/renamed-new.ts');
    repo.write('src/renamed-new.ts', 'a\nb\nc\nd\ne\nF changed\n');
    repo.write('assets/logo.bin', Buffer.from([0, 1, 2, 3, 0, 10]));

    const diff = await gitDiff(repo.root, {});
    const { units, skipped } = await unitsFromDiff(diff.diffText, diff.readNewFile);

    const service = units.find((u) => u.path === 'src/service.ts');
    assert.ok(service);
    assert.deepEqual(service.changedLines, [5, 20]);
    assert.equal(service.text.split('\n')[19], 'inserted after 19');
    const renamed = units.find((u) => u.path === 'src/renamed-new.ts');
    assert.deepEqual(renamed?.changedLines, [6]);
    assert.equal(units.length, 2);

    const reasons = Object.fromEntries(skipped.map((s) => [s.file, s.reason]));
    assert.match(reasons['src/gone.ts'], /deleted/);
    assert.match(reasons['assets/logo.bin'], /binary/);
    assert.match(reasons['src/moved-to.ts'], /renamed from src\/moved\.ts/);
  });

  it('places the removed lines where they stood, and reviews a file that only lost lines', async () => {
    const edited = base.split('\n');
    edited.splice(4, 1, 'line 5 changed');
    edited.splice(9, 2); // lines 10 and 11 removed: line 12 is now line 10
    repo.write('src/service.ts', edited.join('\n'));
    repo.write('src/moved.ts', 'export const same = 1;\n');

    const diff = await gitDiff(repo.root, {});
    const { units, skipped } = await unitsFromDiff(diff.diffText, diff.readNewFile);

    const service = units.find((u) => u.path === 'src/service.ts');
    assert.deepEqual(service?.changedLines, [5]);
    assert.deepEqual(service?.removed, [
      { before: 5, lines: ['line 5'] },
      { before: 10, lines: ['line 10', 'line 11'] },
    ]);
    assert.equal(service?.text.split('\n')[9], 'line 12');
    const shrunk = units.find((u) => u.path === 'src/moved.ts');
    assert.ok(shrunk, `a deletion-only file is reviewed (skipped: ${JSON.stringify(skipped)})`);
    assert.deepEqual(shrunk.changedLines, []);
    assert.deepEqual(shrunk.removed, [{ before: 2, lines: ['export const two = 2;', 'export const three = 3;'] }]);
    assert.deepEqual(reviewFocusLines(shrunk), [1, 2]);
    assert.equal(skipped.length, 0);
  });

  it('reviews the index with --staged and reads files from the index', async () => {
    repo.write('src/service.ts', base.replace('line 3\n', 'line 3 staged\n'));
    repo.git('add', 'src/service.ts');
    repo.write('src/service.ts', base.replace('line 3\n', 'line 3 working tree only\n'));
    const diff = await gitDiff(repo.root, { staged: true });
    const { units } = await unitsFromDiff(diff.diffText, diff.readNewFile);
    assert.equal(units.length, 1);
    assert.deepEqual(units[0].changedLines, [3]);
    assert.equal(units[0].text.split('\n')[2], 'line 3 staged');
  });

  it('diffs against a base revision', async () => {
    repo.write('src/service.ts', base.replace('line 10\n', 'line 10 v2\n'));
    repo.commit('second');
    repo.write('src/service.ts', base.replace('line 10\n', 'line 10 v2\n').replace('line 12\n', 'line 12 wip\n'));
    const diff = await gitDiff(repo.root, { base: 'HEAD~1' });
    const { units } = await unitsFromDiff(diff.diffText, diff.readNewFile);
    assert.deepEqual(units[0].changedLines, [10, 12]);
  });

  it('reviews files whose names git quotes under their real names, read whole from the working tree', async () => {
    // Git quotes names with non-ASCII bytes, a quote, a backslash or a control character
    // ("b/caf\303\251.ts"); they were reviewed as `caf\303\251.ts`, a file that does not exist.
    const names = ['src/café.ts', 'src/日本.ts', 'src/say "hi".ts', 'src/back\\slash.ts', 'src/esc\u001b[2Jape.ts'];
    for (const name of names) repo.write(name, base);
    repo.write('assets/café.bin', Buffer.from([0, 1, 2]));
    repo.commit('quoted names');
    for (const name of names) repo.write(name, base.replace('line 20\n', 'line 20 edited\n'));
    repo.write('assets/café.bin', Buffer.from([0, 1, 2, 3]));
    const diff = await gitDiff(repo.root, {});
    assert.match(diff.diffText, /"b\/src\/caf\\303\\251\.ts"/, 'git quoted the name');
    const { units, skipped } = await unitsFromDiff(diff.diffText, diff.readNewFile);
    assert.deepEqual(units.map((u) => u.path).sort(), [...names].sort());
    for (const unit of units) {
      assert.equal(unit.text, base.replace('line 20\n', 'line 20 edited\n'), `${unit.path} read from the file`);
      assert.deepEqual(unit.changedLines, [20]);
    }
    assert.deepEqual(
      skipped.map((s) => s.file),
      ['assets/café.bin'],
    );
  });

  it('unquotes C-style escapes and leaves unquoted paths alone', () => {
    assert.equal(unquoteGitPath('src/caf\\303\\251.ts'), 'src/café.ts');
    assert.equal(unquoteGitPath('a\\tb\\nc\\"d\\\\e\\033'), 'a\tb\nc"d\\e\u001b');
    assert.equal(unquoteGitPath('plain/path with space.ts'), 'plain/path with space.ts');
  });

  it('builds the text from the hunks when the new file cannot be read', async () => {
    const diffText = [
      'diff --git a/x.py b/x.py',
      '--- a/x.py',
      '+++ b/x.py',
      '@@ -2,2 +2,3 @@',
      ' keep',
      '+added',
      ' tail',
      '',
    ].join('\n');
    const { units } = await unitsFromDiff(diffText, async () => undefined);
    assert.deepEqual(units[0].changedLines, [3]);
    assert.deepEqual(units[0].text.split('\n').slice(0, 4), ['', 'keep', 'added', 'tail']);
  });

  it('rejects text that is not a diff, naming what was expected', async () => {
    await assert.rejects(
      unitsFromDiff('this is not a diff\nat all\n', async () => undefined),
      (error: unknown) => error instanceof ReviewInputError && /no file changes/.test(error.message),
    );
    assert.deepEqual(parseUnifiedDiff(''), []);
  });

  it('reports "not a git repository" as an input error', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'not-a-repo-'));
    await assert.rejects(
      gitDiff(outside, {}),
      (error: unknown) => error instanceof ReviewInputError && /not inside a git repository/.test(error.message),
    );
  });

  it('reports an unknown base revision as an input error', async () => {
    await assert.rejects(
      gitDiff(repo.root, { base: 'no-such-branch' }),
      (error: unknown) => error instanceof ReviewInputError && /no-such-branch/.test(error.message),
    );
  });
});
