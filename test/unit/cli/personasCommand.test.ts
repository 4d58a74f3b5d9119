import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runCliCaptured, type CliRun } from '../../support/runCliCaptured';

const REPO_ROOT = path.join(__dirname, '..', '..', '..');
const FOLDER = path.join(REPO_ROOT, 'test', 'fixtures', 'personas', 'folder');
const SEEDS = path.resolve(REPO_ROOT, '..', 'shared', 'seeds');

function run(args: string[], cwd = REPO_ROOT): Promise<CliRun> {
  return runCliCaptured(['personas', ...args], { cwd });
}

interface ListJson {
  personas: {
    id: string;
    name: string;
    description: string;
    source: string;
    format: string;
    mode: string | null;
    triggers: string[];
    warnings: string[];
  }[];
  errors: { source: string; message: string }[];
}

describe('cli/personas', () => {
  it('lists the bundled personas as JSON with exactly the contract keys', async () => {
    const { code, stdout, stderr } = await run(['--json']);
    assert.equal(code, 0, stderr);
    const parsed = JSON.parse(stdout) as ListJson;
    assert.deepEqual(Object.keys(parsed), ['personas', 'errors']);
    assert.deepEqual(parsed.errors, []);
    const backendpe = parsed.personas.find((p) => p.id === 'backendpe');
    assert.ok(backendpe);
    assert.deepEqual(Object.keys(backendpe), [
      'id',
      'name',
      'description',
      'source',
      'format',
      'mode',
      'triggers',
      'warnings',
    ]);
    assert.equal(backendpe.mode, 'backendpe');
    assert.equal(backendpe.format, 'skill');
    assert.ok(parsed.personas.some((p) => p.id === 'pragmatic' && p.mode === 'pragmatic'));
    assert.ok(parsed.personas.every((p) => ['skill', 'agent', 'chatmode', 'agpm', 'plain', 'mdc'].includes(p.format)));
  });

  it('adds --dir personas, reports per-file errors and still exits 0', async () => {
    const { code, stdout } = await run(['--dir', path.relative(REPO_ROOT, FOLDER), '--json']);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout) as ListJson;
    const queue = parsed.personas.find((p) => p.id === 'queue-reviewer');
    assert.ok(queue);
    assert.equal(queue.mode, null);
    assert.equal(queue.source, path.join(FOLDER, 'heading-only.md'));
    assert.equal(parsed.errors.length, 4);
    assert.ok(parsed.errors.some((e) => e.source.endsWith('malformed.md') && /not valid YAML/.test(e.message)));
    assert.ok(parsed.personas.find((p) => p.id === 'numeric-heading-fallback')?.warnings[0].includes('"name"'));
  });

  it("reports an override of a bundled persona in the overriding persona's warnings", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'personas-cli-'));
    try {
      fs.writeFileSync(path.join(tmp, 'pragmatic.md'), '---\nname: Pragmatic\nmode: pragmatic\n---\nOur own.\n');
      const parsed = JSON.parse((await run(['--dir', tmp, '--json'])).stdout) as ListJson;
      const pragmatic = parsed.personas.filter((p) => p.id === 'pragmatic');
      assert.equal(pragmatic.length, 1);
      assert.equal(pragmatic[0].source, path.join(tmp, 'pragmatic.md'));
      assert.match(
        pragmatic[0].warnings.join('\n'),
        /overrides the one from .*skills\/pragmatic\/SKILL\.md \(bundled\)/,
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('prints a readable table with sources, triggers, warnings and errors', async () => {
    const { code, stdout } = await run(['--dir', FOLDER]);
    assert.equal(code, 0);
    assert.match(stdout, /^ID\s+NAME\s+MODE\s+FORMAT\s+FROM\s+SOURCE\n/);
    assert.match(stdout, /\nbackendpe\s+BackendPE\s+backendpe\s+skill\s+bundled\s+skills\/backendpe\/SKILL\.md\n/);
    assert.match(stdout, /\ncache-reviewer: triggers: cache, TTL, invalidation, redis\n/);
    assert.match(stdout, /list-description: warning: front matter field "description"/);
    assert.match(
      stdout,
      /4 file\(s\) could not be loaded:\n {2}test\/fixtures\/personas\/folder\/archive\.txt: file is binary/,
    );
  });

  it('shows a persona exactly as the model receives it, rendered for --language', async () => {
    const { code, stdout, stderr } = await run(['show', 'language-notes', '--dir', FOLDER, '--language', 'python']);
    assert.equal(code, 0);
    // The project name is the folder the CLI runs in (a clone may have any name).
    assert.ok(stdout.startsWith(`You review python services for ${path.basename(REPO_ROOT)}.\n`), stdout);
    assert.match(stdout, /blocking calls are not made inside async functions/);
    assert.doesNotMatch(stdout, /\{\{|\{%|\{#/);
    assert.match(
      stderr,
      /warning: language-notes: templated\.txt: line 25: unknown template variable "agpm\.deps\.snippets\.guide\.content" rendered empty/,
    );
  });

  it('shows escape sequences from persona files as visible escapes in the table and on a terminal, exact in JSON and when piped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'personas-escapes-'));
    const hostile = 'Title \u001b]0;pwned\u0007 \u001b[2J\u202eevil';
    fs.writeFileSync(
      path.join(dir, 'hostile.md'),
      // YAML's double-quoted escapes (\e, \a, \u202e) give the front matter its control characters.
      '---\nname: hostile\ndescription: "Title \\e]0;pwned\\a \\e[2J\\u202eevil"\ntriggers: ["\\e[31mred"]\n---\nReview \u001b[2J carefully \u009b31m.\n',
    );
    const table = await run(['--dir', dir]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /hostile: triggers: \\x1b\[31mred/);
    assert.doesNotMatch(table.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const json = JSON.parse((await run(['--dir', dir, '--json'])).stdout) as ListJson;
    assert.equal(json.personas.find((p) => p.id === 'hostile')?.description, hostile);
    const piped = await run(['show', 'hostile', '--dir', dir]);
    assert.equal(piped.stdout, 'Review \u001b[2J carefully \u009b31m.\n', 'exact when piped');
    const onTerminal = await runCliCaptured(['personas', 'show', 'hostile', '--dir', dir], {
      cwd: REPO_ROOT,
      tty: true,
    });
    assert.equal(onTerminal.stdout, 'Review \\x1b[2J carefully \\x9b31m.\n');
  });

  it('shows a bundled persona as JSON with its text', async () => {
    const { code, stdout } = await run(['show', 'backendpe', '--json']);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout) as { id: string; mode: string; text: string; warnings: string[] };
    assert.equal(parsed.id, 'backendpe');
    assert.equal(parsed.mode, 'backendpe');
    assert.match(parsed.text, /^# BackendPE\n/);
    assert.deepEqual(parsed.warnings, []);
  });

  const usageErrors: [string[], RegExp][] = [
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['--dir', 'no/such/dir'], /--dir no\/such\/dir: no such directory/],
    [['--dir', 'package.json'], /--dir package\.json: not a directory/],
    [['show'], /"show" needs a persona id/],
    [['show', 'nobody'], /no persona with id "nobody"; known ids: backendpe, data-integrity, pragmatic/],
    [['list'], /unknown argument "list"/],
    [['--language', 'go'], /--language only applies to "personas show ID"/],
    [['show', 'backendpe', 'extra'], /unexpected argument "extra"/],
  ];
  for (const [args, message] of usageErrors) {
    it(`exits 2 with one line for: personas ${args.join(' ')}`, async () => {
      const { code, stdout, stderr } = await run(args);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, message);
      assert.match(stderr, /^backend-review personas: [^\n]+\n$/, 'exactly one line');
    });
  }

  it('prints help with exit 0', async () => {
    const { code, stdout } = await run(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /backend-review personas show ID/);
  });

  describe('built dist/cli.js', function () {
    this.timeout(60000);
    const exec = promisify(execFile);
    before(async () => {
      await exec(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT });
    });

    it('lists bundled personas from the bundle (skills/ found next to dist/)', async () => {
      const { stdout } = await exec(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'personas', '--json'], {
        cwd: os.tmpdir(),
      });
      const parsed = JSON.parse(stdout) as ListJson;
      assert.deepEqual(parsed.errors, []);
      assert.ok(parsed.personas.some((p) => p.id === 'backendpe'));
    });

    it('lists the real seeds with no errors when ../shared/seeds exists', async function () {
      if (!fs.existsSync(SEEDS)) {
        this.test!.title += ` (skipped: ${SEEDS} does not exist outside the team checkout)`;
        this.skip();
      }
      const { stdout } = await exec(
        process.execPath,
        ['dist/cli.js', 'personas', '--dir', '../shared/seeds', '--json'],
        { cwd: REPO_ROOT },
      );
      const parsed = JSON.parse(stdout) as ListJson;
      assert.deepEqual(parsed.errors, []);
      assert.equal(parsed.personas.filter((p) => p.source.startsWith(SEEDS)).length, 5);
    });

    it('exits 2 with a one-line message for a missing --dir', async () => {
      await assert.rejects(
        exec(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'personas', '--dir', 'does-not-exist'], {
          cwd: os.tmpdir(),
        }),
        (error: { code?: number; stderr?: string }) =>
          error.code === 2 && error.stderr === 'backend-review personas: --dir does-not-exist: no such directory\n',
      );
    });
  });
});
