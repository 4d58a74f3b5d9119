import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');
const script = path.join(root, 'scripts', 'check-commands.mjs');

function run(args: string[] = []) {
  return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
}

/** A copy of the manifest and command table in a temp dir, with one source file. */
function fixture(
  edit: (pkg: { contributes: { commands: { command: string; category: string; title: string }[] } }) => void,
  source: string,
): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-commands-'));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  edit(pkg);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  fs.mkdirSync(path.join(dir, 'src', 'vscode', 'common'), { recursive: true });
  fs.copyFileSync(
    path.join(root, 'src', 'vscode', 'common', 'commandIds.ts'),
    path.join(dir, 'src', 'vscode', 'common', 'commandIds.ts'),
  );
  fs.writeFileSync(path.join(dir, 'src', 'vscode', 'register.ts'), source);
  return dir;
}

/** Registers every command of the real table except the keys listed. */
function registrations(except: string[] = []): string {
  const table = fs.readFileSync(path.join(root, 'src', 'vscode', 'common', 'commandIds.ts'), 'utf8');
  const keys = [...table.matchAll(/^\s*(\w+):\s*'backendReviewer\.[^']+'/gm)]
    .map((m) => m[1])
    .filter((k) => !except.includes(k));
  return keys.map((k) => `vscode.commands.registerCommand(COMMANDS.${k}, () => undefined);`).join('\n');
}

describe('scripts/check-commands.mjs', () => {
  it('passes on this repository: package.json and the code agree', () => {
    const result = run();
    assert.equal(result.status, 0, result.stderr);
  });

  it('fails when a contributed command is not registered, and names it', () => {
    const dir = fixture(() => undefined, registrations(['showLog']));
    const result = run(['--root', dir]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /COMMANDS\.showLog \("backendReviewer\.showLog"\) is never registered/);
  });

  it('fails when package.json contributes a command the table does not know, or misses one', () => {
    const dir = fixture((pkg) => {
      pkg.contributes.commands = pkg.contributes.commands.filter((c) => c.command !== 'backendReviewer.reviewStaged');
      pkg.contributes.commands.push({ command: 'backendReviewer.ghost', title: 'Ghost', category: 'Backend Reviewer' });
    }, registrations());
    const result = run(['--root', dir]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /"backendReviewer\.ghost" is contributed but not in COMMANDS/);
    assert.match(result.stderr, /COMMANDS\.reviewStaged \("backendReviewer\.reviewStaged"\) is not in package\.json/);
  });

  it('fails on a command registered with a string literal', () => {
    const dir = fixture(
      () => undefined,
      `${registrations()}\nvscode.commands.registerCommand('backendReviewer.sneaky', () => 1);`,
    );
    const result = run(['--root', dir]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /registers "backendReviewer\.sneaky" with a string literal/);
  });
});
