import { strict as assert } from 'node:assert';
import { readableTargets } from '../../../../src/vscode/common/documentSource';
import { readSourceFile } from '../../../../src/core/review/files';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Issue 14: the editor's targets are held to the CLI's reading (size cap, binary), with the CLI's reasons. */
const target = (path: string, text: string): { id: string; unit: { path: string; text: string } } => ({
  id: path,
  unit: { path, text },
});

describe('readableTargets (the editor reads documents the way the CLI reads files)', () => {
  it('keeps documents under the cap as VS Code holds them (CRLF too: VS Code numbers the lines)', () => {
    const kept = readableTargets([target('src/a.ts', 'export const a = 1;\r\nexport const b = 2;\r\n')]);
    assert.deepEqual(
      kept.targets.map((t) => t.unit.text),
      ['export const a = 1;\r\nexport const b = 2;\r\n'],
    );
    assert.deepEqual(kept.skipped, []);
  });

  it('skips code over the size cap as failed with the reason the CLI gives for the same file', async () => {
    const text = 'export const x = 1;\n'.repeat(Math.ceil((600 * 1024) / 20));
    const dir = mkdtempSync(join(tmpdir(), 'document-source-'));
    writeFileSync(join(dir, 'huge.ts'), text);
    const cli = await readSourceFile(join(dir, 'huge.ts'));
    assert.equal(cli.ok, false);

    const result = readableTargets([target('src/huge.ts', text), target('src/ok.ts', 'ok\n')]);
    assert.deepEqual(
      result.targets.map((t) => t.id),
      ['src/ok.ts'],
    );
    assert.deepEqual(result.skipped, [
      {
        file: 'src/huge.ts',
        reason:
          'larger than the 512 KiB size cap (600 KiB): code not reviewed (exclude it from reviews if it is generated)',
        failed: true,
      },
    ]);
    assert.equal(!cli.ok && cli.reason, result.skipped[0].reason);
    assert.equal(!cli.ok && cli.failed, true);
  });

  it("leaves a module of a library's release folder over the cap out by policy (not failed), as the CLI does", async () => {
    const text = 'export const page = 1;\n'.repeat(Math.ceil((600 * 1024) / 23));
    const dir = mkdtempSync(join(tmpdir(), 'document-source-'));
    writeFileSync(join(dir, 'viewer.mjs'), text);
    const cli = await readSourceFile(join(dir, 'viewer.mjs'));
    const result = readableTargets([target('public/plugins/viewer-5.2.133/web/viewer.mjs', text)]);
    assert.deepEqual(result.skipped, [
      {
        file: 'public/plugins/viewer-5.2.133/web/viewer.mjs',
        reason:
          "larger than the 512 KiB size cap (600 KiB): vendored code (path viewer-5.2.133/ (a library's release)), not reviewed",
      },
    ]);
    // Near-miss: the same module outside such a folder is the project's own, a part not reviewed.
    assert.equal(!cli.ok && cli.failed, true);
  });

  it('counts bytes, not characters, and leaves data over the cap out by policy (not failed)', () => {
    const euros = '€'.repeat(200 * 1024); // 200 Ki characters, 600 KiB of UTF-8
    const result = readableTargets([target('config/prices.json', euros)]);
    assert.deepEqual(result.skipped, [
      { file: 'config/prices.json', reason: 'larger than the 512 KiB size cap (600 KiB): not reviewed' },
    ]);
  });

  it('skips a document holding NUL bytes as binary, as the CLI does: code so is a part not reviewed', () => {
    const result = readableTargets([target('src/blob.ts', 'abc\u0000def'), target('img/logo.svg', 'a\u0000b')]);
    assert.deepEqual(result.targets, []);
    assert.deepEqual(result.skipped, [
      { file: 'src/blob.ts', reason: 'binary content (NUL bytes) in a code file: not reviewed', failed: true },
      { file: 'img/logo.svg', reason: 'binary file: not reviewed' },
    ]);
  });

  it('reviews a document whose only NUL is a stray one inside its code, as the CLI does', () => {
    const text = `const trim = (s) => s.replace(/\u0000+$/, '');\n${'export const x = 1;\n'.repeat(20)}`;
    const result = readableTargets([target('src/trim.js', text)]);
    assert.equal(result.targets.length, 1);
    assert.deepEqual(result.skipped, []);
  });
});
