import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A real temporary git repository for diff tests; identity via -c flags so no global config is needed. */
export class TempGitRepo {
  readonly root: string;
  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'review-git-'));
    this.git('init', '-q', '-b', 'main');
  }
  git(...args: string[]): string {
    return execFileSync(
      'git',
      ['-c', 'user.name=Review Test', '-c', 'user.email=review@test.invalid', '-c', 'commit.gpgsign=false', ...args],
      { cwd: this.root, encoding: 'utf8' },
    );
  }
  write(path: string, content: string | Buffer): void {
    mkdirSync(dirname(join(this.root, path)), { recursive: true });
    writeFileSync(join(this.root, path), content);
  }
  commit(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
  }
}
