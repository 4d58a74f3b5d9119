import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InMemoryLogger } from '../../../support/inMemoryLogger';
import { guidelinePaths, guidelinesFor, loadGuidelines } from '../../../../src/core/personas';
import type { Guideline } from '../../../../src/core/personas';
import { FIXTURES, makeTempDir, write } from './helpers';

const WORKSPACE = path.join(FIXTURES, 'workspace');

describe('personas/guidelines', () => {
  let guidelines: Guideline[];
  let errors: { source: string; message: string }[];
  const logger = new InMemoryLogger();
  before(async () => {
    ({ guidelines, errors } = await loadGuidelines({ workspaceRoot: WORKSPACE, logger }));
  });

  it('loads AGENTS.md, copilot-instructions, *.instructions.md, .cursor/rules/*.mdc and CLAUDE.md with relative sources', () => {
    assert.deepEqual(
      guidelines.map((g) => [g.kind, g.source, g.applyTo]),
      [
        ['agents', 'AGENTS.md', []],
        ['copilot', '.github/copilot-instructions.md', []],
        ['instructions', '.github/instructions/api.instructions.md', ['src/api/**/*.ts']],
        ['instructions', '.github/instructions/manual.instructions.md', []],
        ['instructions', '.github/instructions/tests.instructions.md', ['test/**', '**/*.test.ts']],
        ['cursor', '.cursor/rules/always.mdc', []],
        ['cursor', '.cursor/rules/requested.mdc', []],
        ['cursor', '.cursor/rules/sql.mdc', ['*.sql']],
        ['claude', 'CLAUDE.md', []],
      ],
    );
    assert.equal(guidelines[2].text, 'API handlers return problem+json errors.', 'front matter is stripped');
  });

  it('lists the places it reads (the extension watches them), and each guideline comes from one', () => {
    const paths = guidelinePaths();
    const covered = (source: string): boolean =>
      paths.some((entry) => source === entry || source.startsWith(`${entry}/`));
    assert.deepEqual(
      guidelines.map((g) => g.source).filter((source) => !covered(source)),
      [],
    );
    // The fixture has every place but .cursorrules (tested below) and .claude/CLAUDE.md (CLAUDE.md stands for it).
    assert.deepEqual(
      paths.filter((entry) => !guidelines.some((g) => g.source === entry || g.source.startsWith(`${entry}/`))),
      ['.cursorrules', '.claude/CLAUDE.md'],
    );
  });

  it('reports a guideline with a wrong field type, naming file and field, and loads the rest', () => {
    assert.deepEqual(errors, [
      {
        source: path.join(WORKSPACE, '.cursor/rules/bad-globs.mdc'),
        message: 'front matter field "globs" must be a glob string or a list of glob strings, got number',
      },
    ]);
    assert.ok(logger.messages('warn').some((m) => m.includes('bad-globs.mdc')));
  });

  const sourcesFor = (file: string): string[] => guidelinesFor(guidelines, file).map((g) => g.source);
  const everywhere = ['AGENTS.md', '.github/copilot-instructions.md', '.cursor/rules/always.mdc', 'CLAUDE.md'];

  it('returns the guidelines that apply to a file: always-on ones plus matching globs', () => {
    assert.deepEqual(sourcesFor('src/api/orders/handler.ts'), [
      everywhere[0],
      everywhere[1],
      '.github/instructions/api.instructions.md',
      everywhere[2],
      everywhere[3],
    ]);
    assert.deepEqual(sourcesFor('src/lib/util.test.ts'), [
      everywhere[0],
      everywhere[1],
      '.github/instructions/tests.instructions.md',
      everywhere[2],
      everywhere[3],
    ]);
    assert.deepEqual(sourcesFor('db/migrations/001_init.sql'), [
      everywhere[0],
      everywhere[1],
      everywhere[2],
      '.cursor/rules/sql.mdc',
      everywhere[3],
    ]);
    assert.deepEqual(sourcesFor('README.md'), everywhere);
  });

  it('never applies manual guidelines (no applyTo, or alwaysApply false without globs)', () => {
    for (const file of ['src/api/x.ts', 'anything.md']) {
      assert.ok(!sourcesFor(file).includes('.github/instructions/manual.instructions.md'));
      assert.ok(!sourcesFor(file).includes('.cursor/rules/requested.mdc'));
    }
  });

  it('accepts Windows separators and ./ prefixes in the path', () => {
    assert.ok(sourcesFor('.\\src\\api\\a.ts').includes('.github/instructions/api.instructions.md'));
    assert.ok(sourcesFor('./src/api/a.ts').includes('.github/instructions/api.instructions.md'));
  });

  it('reads a legacy .cursorrules as plain text that applies to every file, front matter or not', async () => {
    const tmp = makeTempDir('legacy-cursor');
    try {
      write(tmp.dir, '.cursorrules', 'Wrap every repository call in a context with a deadline.\n');
      write(tmp.dir, '.cursor/rules/sql.mdc', '---\nglobs: "*.sql"\n---\nName constraints.\n');
      const result = await loadGuidelines({ workspaceRoot: tmp.dir });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(
        result.guidelines.map((g) => [g.kind, g.source, g.applyTo]),
        [
          ['cursor', '.cursor/rules/sql.mdc', ['*.sql']],
          ['cursor', '.cursorrules', []],
        ],
      );
      assert.deepEqual(
        guidelinesFor(result.guidelines, 'src/orders/repo.go').map((g) => g.source),
        ['.cursorrules'],
        'a legacy rules file has no globs and is not an on-request rule',
      );
    } finally {
      tmp.cleanup();
    }
  });

  it('returns nothing (and no errors) for a workspace without guideline files', async () => {
    const tmp = makeTempDir('no-guidelines');
    try {
      assert.deepEqual(await loadGuidelines({ workspaceRoot: tmp.dir }), { guidelines: [], errors: [] });
    } finally {
      tmp.cleanup();
    }
  });

  it('reports empty, binary, malformed and looping guideline files, and still loads good ones', async () => {
    const tmp = makeTempDir('bad-guidelines');
    try {
      write(tmp.dir, 'AGENTS.md', '');
      write(tmp.dir, 'CLAUDE.md', Buffer.from([0x00, 0x01]));
      write(tmp.dir, '.github/instructions/bad.instructions.md', '---\napplyTo: [unclosed\n---\nText\n');
      write(tmp.dir, '.cursor/rules/flag.mdc', '---\nalwaysApply: "yes"\n---\nText\n');
      write(tmp.dir, '.github/copilot-instructions.md', '\uFEFFUse   zod.\r\n');
      fs.mkdirSync(path.join(tmp.dir, '.claude'), { recursive: true });
      fs.symlinkSync(path.join(tmp.dir, '.claude', 'CLAUDE.md'), path.join(tmp.dir, '.claude', 'CLAUDE.md'));
      const result = await loadGuidelines({ workspaceRoot: tmp.dir });
      assert.deepEqual(
        result.guidelines.map((g) => [g.source, g.text]),
        [['.github/copilot-instructions.md', 'Use   zod.']],
      );
      const messages = Object.fromEntries(result.errors.map((e) => [path.relative(tmp.dir, e.source), e.message]));
      assert.equal(messages['AGENTS.md'], 'file is empty');
      assert.match(messages['CLAUDE.md'], /binary/);
      assert.match(messages['.github/instructions/bad.instructions.md'], /^front matter is not valid YAML/);
      assert.equal(
        messages['.cursor/rules/flag.mdc'],
        'front matter field "alwaysApply" must be true or false, got string',
      );
      assert.match(messages[path.join('.claude', 'CLAUDE.md')], /symlink loop/);
    } finally {
      tmp.cleanup();
    }
  });
});
