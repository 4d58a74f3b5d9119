import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { collectFiles } from '../../../../src/core/review/files';
import { ReviewInputError } from '../../../../src/core/review/errors';

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'review-files-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('collectFiles', () => {
  it('walks folders honouring nested .gitignore files and skipping vendored code', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'generated/\n*.log\n',
      'service/.gitignore': 'local-*.ts\n',
      'service/src/orders.ts': 'export const a = 1;\n',
      'service/src/local-scratch.ts': 'scratch\n',
      'service/generated/api.ts': 'gen\n',
      'service/debug.log': 'log\n',
      'service/node_modules/lib/index.js': 'vendored\n',
      'service/vendor/x.go': 'package x\n',
      'service/dist/bundle.js': 'built\n',
      'service/public/app.min.js': 'min\n',
      'service/package-lock.json': '{}\n',
      'service/app/main.py': 'print(1)\n',
      'service/README.md': '# docs\n',
      'service/LICENSE': 'MIT\n',
    });
    const { units, skipped } = await collectFiles(['service'], { cwd: root });
    assert.deepEqual(
      units.map((u) => u.path),
      ['service/app/main.py', 'service/src/orders.ts'],
    );
    assert.equal(units[1].text, 'export const a = 1;\n');
    assert.deepEqual(skipped, []);
  });

  it('reports binary and oversized files as skipped, with the reason', async () => {
    const root = tree({
      'a/logo.png': Buffer.from([137, 80, 78, 71, 0, 0, 0, 13]),
      'a/huge.ts': 'x'.repeat(3000),
      'a/generated/types.d.ts': 'x'.repeat(3000),
      'a/api.pb.go': 'x'.repeat(3000),
      'a/ok.ts': 'ok\n',
    });
    const { units, skipped } = await collectFiles(['a'], { cwd: root, maxFileBytes: 1024 });
    assert.deepEqual(
      units.map((u) => u.path),
      ['a/ok.ts'],
    );
    const reasons = Object.fromEntries(skipped.map((s) => [s.file, s.reason]));
    const failed = Object.fromEntries(skipped.map((s) => [s.file, s.failed === true]));
    assert.match(reasons['a/logo.png'], /binary/);
    assert.match(reasons['a/huge.ts'], /larger than the 1 KiB size cap/);
    assert.equal(failed['a/huge.ts'], true, 'own code over the cap leaves the review incomplete');
    // Generated code over the cap is left out like data: its path says it is not the project's own text.
    assert.match(reasons['a/generated/types.d.ts'], /size cap .*: generated code \(path generated\/\), not reviewed/);
    assert.match(reasons['a/api.pb.go'], /generated code \(file name api\.pb\.go\)/);
    assert.equal(failed['a/generated/types.d.ts'], false);
    assert.equal(failed['a/api.pb.go'], false);
  });

  it('takes files given explicitly, once each', async () => {
    const root = tree({ 'x/one.go': 'package x\n' });
    const { units } = await collectFiles(['x/one.go', 'x', './x/one.go'], { cwd: root });
    assert.deepEqual(
      units.map((u) => u.path),
      ['x/one.go'],
    );
  });

  it('fails with the path for a path that does not exist', async () => {
    const root = tree({ 'a.ts': '' });
    await assert.rejects(
      collectFiles(['missing/file.ts'], { cwd: root }),
      (e: unknown) => e instanceof ReviewInputError && e.message === 'missing/file.ts: no such file or directory',
    );
  });

  it('fails with the path for a path that cannot be read (a file used as a folder)', async () => {
    const root = tree({ 'a.ts': 'x\n' });
    await assert.rejects(
      collectFiles(['a.ts/inner.ts'], { cwd: root }),
      (e: unknown) => e instanceof ReviewInputError && e.message === 'a.ts/inner.ts: cannot be read (ENOTDIR)',
    );
  });

  it('fails with the path for a file without read permission', async function () {
    if (process.getuid?.() === 0) this.skip(); // root reads anything: permissions cannot make a file unreadable
    const root = tree({ 'secret.ts': 'x\n' });
    chmodSync(join(root, 'secret.ts'), 0o000);
    await assert.rejects(
      collectFiles(['secret.ts'], { cwd: root }),
      (e: unknown) => e instanceof ReviewInputError && /^secret\.ts: cannot be read \(EACCES\)/.test(e.message),
    );
  });
});
