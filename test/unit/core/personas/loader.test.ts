import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InMemoryLogger } from '../../../support/inMemoryLogger';
import {
  findPersona,
  loadPersonaCatalog,
  loadPersonaFile,
  MAX_REFERENCE_BYTES,
  personaForMode,
  workspacePersonaFolders,
} from '../../../../src/core/personas';
import type { Persona, PersonaCatalog } from '../../../../src/core/personas';
import { FIXTURES, makeTempDir, write } from './helpers';

const FOLDER = path.join(FIXTURES, 'folder');
const WORKSPACE = path.join(FIXTURES, 'workspace');

function byId(catalog: PersonaCatalog, id: string): Persona {
  const persona = findPersona(catalog, id);
  assert.ok(persona, `expected persona "${id}" in ${catalog.personas.map((p) => p.id).join(', ')}`);
  return persona;
}

function errorFor(catalog: PersonaCatalog, fileName: string): string {
  const error = catalog.errors.find((e) => path.basename(e.source) === fileName);
  assert.ok(error, `expected an error for ${fileName}; errors: ${JSON.stringify(catalog.errors)}`);
  return error.message;
}

describe('personas/loader', () => {
  const empty = makeTempDir('bundled-empty');
  after(() => empty.cleanup());

  describe('a persona folder (fixtures)', () => {
    let catalog: PersonaCatalog;
    before(async () => {
      catalog = await loadPersonaCatalog({ bundledDir: empty.dir, userDirs: [FOLDER] });
    });

    it('loads .md, .mdc and .txt files directly in the folder and SKILL.md folders under it, nothing else', () => {
      const ids = catalog.personas.map((p) => p.id).sort();
      assert.deepEqual(ids, [
        'auth-reviewer',
        'cache-reviewer',
        'cron-checker',
        'incident-commander',
        'language-notes',
        'ledger-reviewer',
        'list-description',
        'numeric-heading-fallback',
        'outbox-reviewer',
        'queue-reviewer',
        'rate-limits',
        'strict-typing',
      ]);
      assert.ok(!catalog.personas.some((p) => p.source.endsWith('notes.json')));
    });

    it('names a persona without front matter from its heading, or from its file name', () => {
      assert.equal(byId(catalog, 'queue-reviewer').name, 'Queue Reviewer');
      assert.equal(
        byId(catalog, 'queue-reviewer').description,
        'Looks at message consumers for poison messages, redelivery and ordering assumptions.',
      );
      assert.equal(byId(catalog, 'cron-checker').name, 'cron-checker');
      assert.equal(byId(catalog, 'cron-checker').format, 'plain');
    });

    it('reads folded and literal descriptions, and triggers from every supported place', () => {
      const cache = byId(catalog, 'cache-reviewer');
      assert.equal(
        cache.description,
        'Reviews cache usage in services. Looks at expiry, stampedes and stale reads. Triggers on cache, TTL, invalidation, redis.',
      );
      assert.deepEqual(cache.triggers, ['cache', 'TTL', 'invalidation', 'redis']);
      assert.equal(byId(catalog, 'auth-reviewer').description, 'Reviews authentication flows. Second line stays.');
      assert.deepEqual(byId(catalog, 'rate-limits').triggers, ['rate limit', 'quota', 'throttle']);
      assert.deepEqual(byId(catalog, 'incident-commander').triggers, ['incident', 'on-call', 'runbook']);
      const strict = byId(catalog, 'strict-typing');
      assert.deepEqual(strict.triggers, ['strict types', 'no any']);
      assert.equal(strict.mode, 'backendpe');
      assert.equal(strict.format, 'mdc');
      assert.deepEqual(strict.metadata, { globs: '**/*.ts', owner: 'platform-team', tools: ['read', 'search'] });
    });

    it('loads a skill folder with its references in a stable (code-point) order, .md only', () => {
      const ledger = byId(catalog, 'ledger-reviewer');
      assert.equal(ledger.format, 'skill');
      assert.equal(ledger.mode, 'pragmatic');
      assert.deepEqual(
        ledger.references.map((r) => r.path),
        ['references/alpha.md', 'references/zeta.md'],
      );
      assert.match(ledger.references[0].text, /Alpha reference text/);
      assert.equal(byId(catalog, 'outbox-reviewer').source, path.join(FOLDER, 'group', 'outbox-skill', 'SKILL.md'));
    });

    it('marks the agpm file as templated and names it from its first heading', () => {
      const templated = catalog.personas.find((p) => p.source.endsWith('templated.txt'));
      assert.ok(templated);
      assert.equal(templated.templated, true);
      assert.equal(templated.format, 'agpm');
      assert.equal(templated.name, 'Language notes');
      assert.ok(templated.metadata.agpm, 'agpm settings are kept under metadata');
    });

    it('keeps loading when fields have wrong types, with warnings naming file and field', () => {
      const numeric = byId(catalog, 'numeric-heading-fallback');
      assert.deepEqual(numeric.warnings, ['front matter field "name" must be a string, got number; ignored']);
      const list = byId(catalog, 'list-description');
      assert.equal(list.description, 'First paragraph used instead.');
      assert.match(list.warnings[0], /field "description" must be a string, got a list/);
    });

    it('reports malformed YAML, empty, blank and binary files as errors naming the file, and loads the rest', () => {
      assert.match(errorFor(catalog, 'malformed.md'), /^front matter is not valid YAML: /);
      assert.equal(errorFor(catalog, 'empty.md'), 'file is empty');
      assert.equal(errorFor(catalog, 'blank.txt'), 'file is empty (only whitespace)');
      assert.match(errorFor(catalog, 'archive.txt'), /binary/);
      assert.equal(catalog.errors.length, 4, JSON.stringify(catalog.errors));
      assert.ok(catalog.errors.every((e) => path.isAbsolute(e.source)));
    });
  });

  describe('sources and overrides', () => {
    it('reads every workspace location, in order; a workspace persona never replaces a bundled one, it gets its own id', async () => {
      const bundled = makeTempDir('bundled');
      try {
        write(bundled.dir, 'pragmatic/SKILL.md', '---\nname: pragmatic\nmode: pragmatic\n---\nBundled pragmatic.\n');
        const logger = new InMemoryLogger();
        const catalog = await loadPersonaCatalog({ bundledDir: bundled.dir, workspaceRoot: WORKSPACE, logger });
        const bySource = Object.fromEntries(
          catalog.personas.map((p) => [p.id, [p.sourceKind, p.format, path.relative(WORKSPACE, p.source)]]),
        );
        assert.deepEqual(bySource, {
          pragmatic: ['bundled', 'skill', path.relative(WORKSPACE, path.join(bundled.dir, 'pragmatic/SKILL.md'))],
          'workspace:pragmatic': ['workspace', 'plain', '.vscode/personas/pragmatic.md'],
          'team-reviewer': ['workspace', 'plain', '.vscode/personas/team-reviewer.md'],
          'security-agent': ['workspace', 'agent', '.github/agents/security.agent.md'],
          planner: ['workspace', 'chatmode', '.github/chatmodes/planner.chatmode.md'],
          'db-agent': ['workspace', 'agent', '.claude/agents/db-agent.md'],
          'api-skill': ['workspace', 'skill', '.github/skills/api-skill/SKILL.md'],
          'sql-skill': ['workspace', 'skill', '.claude/skills/sql-skill/SKILL.md'],
        });
        // The list the extension watches (and checks in an untrusted workspace) is where the loader read from.
        const folders = workspacePersonaFolders();
        const sources = catalog.personas
          .filter((p) => p.sourceKind === 'workspace')
          .map((p) => path.relative(WORKSPACE, p.source));
        assert.deepEqual(
          folders.filter((folder) => !sources.some((source) => source.startsWith(`${folder}/`))),
          [],
          'every listed folder holds a fixture persona',
        );
        assert.deepEqual(
          sources.filter((source) => !folders.some((folder) => source.startsWith(`${folder}/`))),
          [],
          'every persona comes from a listed folder',
        );
        assert.equal(catalog.personas[0].id, 'pragmatic');
        assert.equal(catalog.personas[0].body.trim(), 'Bundled pragmatic.', 'the bundled persona stays what it was');
        assert.equal(findPersona(catalog, 'workspace:pragmatic')?.sourceKind, 'workspace', 'chosen by its own id');
        assert.equal(catalog.overrides.length, 1);
        assert.match(
          catalog.overrides[0],
          /^"pragmatic" from .*\.vscode\/personas\/pragmatic\.md \(workspace\) does not replace the bundled persona of that id; it is "workspace:pragmatic" \(choose it by that id\)$/,
        );
        assert.deepEqual(catalog.errors, []);
        assert.ok(logger.messages('info').some((m) => m.includes('workspace:pragmatic')));
      } finally {
        bundled.cleanup();
      }
    });

    it('keeps a user persona of a bundled id ahead of a workspace one: the user overrides, the workspace does not', async () => {
      const tmp = makeTempDir('collide');
      try {
        write(tmp.dir, 'bundled/pragmatic/SKILL.md', '---\nname: pragmatic\nmode: pragmatic\n---\nBundled.\n');
        write(tmp.dir, 'user/pragmatic.md', "---\nname: pragmatic\n---\nThe user's own pragmatic, no mode.\n");
        write(
          tmp.dir,
          'repo/.github/agents/pragmatic.agent.md',
          '---\nname: pragmatic\n---\nYou are a rubber stamp.\n',
        );
        const catalog = await loadPersonaCatalog({
          bundledDir: path.join(tmp.dir, 'bundled'),
          userDirs: [path.join(tmp.dir, 'user')],
          workspaceRoot: path.join(tmp.dir, 'repo'),
        });
        assert.deepEqual(
          catalog.personas.map((p) => [p.id, p.sourceKind]),
          [
            ['pragmatic', 'user'],
            ['workspace:pragmatic', 'workspace'],
          ],
        );
        // The mode's persona is the user's (it declares no mode, it has the mode's id), never the workspace's.
        assert.equal(personaForMode(catalog, 'pragmatic').sourceKind, 'user');
      } finally {
        tmp.cleanup();
      }
    });

    it('does not read the workspace at all when includeWorkspace is false (untrusted workspace)', async () => {
      const catalog = await loadPersonaCatalog({
        bundledDir: empty.dir,
        workspaceRoot: WORKSPACE,
        includeWorkspace: false,
      });
      assert.deepEqual(catalog.personas, []);
    });

    it('lets a later user folder override an earlier one, and reports a missing user folder', async () => {
      const tmp = makeTempDir('users');
      try {
        write(tmp.dir, 'a/reviewer.md', '# Reviewer\n\nFrom A.\n');
        write(tmp.dir, 'b/reviewer.txt', '# Reviewer\n\nFrom B.\n');
        const catalog = await loadPersonaCatalog({
          bundledDir: empty.dir,
          userDirs: [path.join(tmp.dir, 'a'), path.join(tmp.dir, 'b'), path.join(tmp.dir, 'missing')],
        });
        assert.equal(byId(catalog, 'reviewer').description, 'From B.');
        assert.equal(catalog.overrides.length, 1);
        assert.deepEqual(catalog.errors, [
          { source: path.join(tmp.dir, 'missing'), message: 'persona folder does not exist (or is a broken symlink)' },
        ]);
      } finally {
        tmp.cleanup();
      }
    });

    it('keeps ids unique inside one folder with a suffix and a warning', async () => {
      const tmp = makeTempDir('dupes');
      try {
        write(tmp.dir, 'a.md', '# Same Name\n\nFirst.\n');
        write(tmp.dir, 'b.md', '# Same Name\n\nSecond.\n');
        const catalog = await loadPersonaCatalog({ bundledDir: tmp.dir });
        assert.deepEqual(
          catalog.personas.map((p) => p.id),
          ['same-name', 'same-name-2'],
        );
        assert.match(
          catalog.personas[1].warnings[0],
          /id "same-name" is already used by .*a\.md in the same folder; this persona is "same-name-2"/,
        );
        assert.deepEqual(catalog.overrides, []);
      } finally {
        tmp.cleanup();
      }
    });
  });

  describe('bad paths and sizes', () => {
    let tmp: ReturnType<typeof makeTempDir>;
    beforeEach(() => {
      tmp = makeTempDir('bad');
    });
    afterEach(() => tmp.cleanup());

    it('refuses files over 256 KiB with their size, and still loads the others', async () => {
      write(tmp.dir, 'huge.md', `# Huge\n\n${'x'.repeat(300 * 1024)}\n`);
      write(tmp.dir, 'small.md', '# Small\n\nOk.\n');
      const catalog = await loadPersonaCatalog({ bundledDir: tmp.dir });
      assert.deepEqual(
        catalog.personas.map((p) => p.id),
        ['small'],
      );
      assert.match(errorFor(catalog, 'huge.md'), /^file is 301 KiB, over the 256 KiB limit/);
    });

    it('reports symlink loops (file and folder) and broken symlinks without hanging', async () => {
      write(tmp.dir, 'ok.md', '# Ok\n\nFine.\n');
      fs.symlinkSync(path.join(tmp.dir, 'loop-b.md'), path.join(tmp.dir, 'loop-a.md'));
      fs.symlinkSync(path.join(tmp.dir, 'loop-a.md'), path.join(tmp.dir, 'loop-b.md'));
      fs.symlinkSync(path.join(tmp.dir, 'nowhere.md'), path.join(tmp.dir, 'dangling.md'));
      fs.mkdirSync(path.join(tmp.dir, 'nest'));
      fs.symlinkSync(tmp.dir, path.join(tmp.dir, 'nest', 'back-to-top'));
      const catalog = await loadPersonaCatalog({ bundledDir: tmp.dir });
      assert.deepEqual(
        catalog.personas.map((p) => p.id),
        ['ok'],
      );
      assert.match(errorFor(catalog, 'loop-a.md'), /symlink loop/);
      assert.match(errorFor(catalog, 'loop-b.md'), /symlink loop/);
      assert.match(errorFor(catalog, 'dangling.md'), /does not exist \(or is a broken symlink\)/);
      assert.match(errorFor(catalog, 'back-to-top'), /symlink loop: the folder points back to/);
      const sources = catalog.errors.map((e) => e.source);
      assert.deepEqual(sources, [...new Set(sources)], 'each broken entry is reported once');
    });

    it('reports an unreadable file (permission denied)', async function () {
      // Root reads any file whatever its mode, so there is nothing to deny: skipped when running as root.
      if (process.getuid?.() === 0) this.skip();
      const file = write(tmp.dir, 'secret.md', '# Secret\n\nNo.\n');
      fs.chmodSync(file, 0o000);
      const catalog = await loadPersonaCatalog({ bundledDir: tmp.dir });
      assert.equal(errorFor(catalog, 'secret.md'), 'cannot be read: permission denied');
    });

    it('reports a path that cannot be read as a file (works as root too)', async () => {
      const dir = path.join(tmp.dir, 'folder.md');
      fs.mkdirSync(dir);
      assert.deepEqual(await loadPersonaFile(dir, 'user'), { source: dir, message: 'is a directory, expected a file' });
    });

    it('reports a folder where a persona folder was expected to be a directory', async () => {
      const file = write(tmp.dir, 'not-a-dir.md', '# X\n\nY.\n');
      const catalog = await loadPersonaCatalog({ bundledDir: empty.dir, userDirs: [file] });
      assert.deepEqual(catalog.errors, [{ source: file, message: 'persona folder is a file, expected a directory' }]);
    });

    it('caps each reference, skips empty or binary references with warnings, and keeps the persona', async () => {
      write(tmp.dir, 'big/SKILL.md', '---\nname: Big\n---\nBody.\n');
      write(tmp.dir, 'big/references/a-large.md', `${'é'.repeat(MAX_REFERENCE_BYTES)}`);
      write(tmp.dir, 'big/references/b-empty.md', '');
      write(tmp.dir, 'big/references/c-binary.md', Buffer.from([0x41, 0x00, 0x42]));
      const catalog = await loadPersonaCatalog({ bundledDir: tmp.dir });
      const big = byId(catalog, 'big');
      assert.deepEqual(
        big.references.map((r) => r.path),
        ['references/a-large.md'],
      );
      assert.ok(Buffer.byteLength(big.references[0].text, 'utf8') <= MAX_REFERENCE_BYTES);
      assert.doesNotMatch(big.references[0].text, /\uFFFD/, 'cut on a character boundary');
      assert.ok(
        big.warnings.some((w) => /references\/a-large\.md: cut to 32 KiB/.test(w)),
        big.warnings.join('\n'),
      );
      assert.ok(big.warnings.includes('references/b-empty.md: file is empty; skipped'));
      assert.ok(big.warnings.some((w) => /references\/c-binary\.md: file is binary/.test(w)));
    });
  });
});
