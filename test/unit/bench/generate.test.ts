import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendSource, writeRepository } from '../../../bench/generate';

const lineCount = (text: string): number => text.replace(/\n$/, '').split('\n').length;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('bench/generate', () => {
  it('builds files of exactly the asked length from the labeled fixtures, different per seed', () => {
    for (const language of ['typescript', 'python', 'go'] as const) {
      for (const lines of [37, 200, 2_000])
        assert.equal(lineCount(backendSource(language, lines)), lines, `${language}, ${lines} lines`);
      assert.equal(
        backendSource(language, 300, 4),
        backendSource(language, 300, 4),
        `${language}: the same seed gives the same file`,
      );
      assert.notEqual(
        backendSource(language, 300, 1),
        backendSource(language, 300, 2),
        `${language}: seeds give different files`,
      );
    }
    assert.match(backendSource('go', 500), /^\/\/ .*\npackage \w+/, 'a Go file starts with its package clause');
    assert.equal(backendSource('go', 2_000).match(/^package /gm)?.length, 1, 'a Go file keeps one package clause');
  });

  it('writes a repository of the asked number of files and lines, in all three languages', () => {
    const root = mkdtempSync(join(tmpdir(), 'brv-generate-test-'));
    try {
      assert.equal(writeRepository(root, 30, 6_001), 6_001);
      const files = filesUnder(root);
      assert.equal(files.length, 30);
      assert.equal(
        files.reduce((sum, file) => sum + lineCount(readFileSync(file, 'utf8')), 0),
        6_001,
      );
      assert.deepEqual([...new Set(files.map((file) => file.split('.').pop()))].sort(), ['go', 'py', 'ts']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
