import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cliGuidance, cliPrepareRequest, parseReviewArgs } from '../../src/cli/reviewCommand';
import { readConfig } from '../../src/core/config/settings';
import { InMemoryLogger } from '../support/inMemoryLogger';
import * as personas from '../../src/core/personas';
import { InMemoryReviewCache } from '../support/inMemoryReviewCache';
import { prepareReview, type PreparedReview } from '../../src/core/review/prepare';
import type { ReviewUnit } from '../../src/core/review/types';
import { ModeState } from '../../src/vscode/common/modeState';
import { ReviewContext } from '../../src/vscode/common/reviewContext';
import { InMemoryKeyValueStore } from '../support/inMemoryStores';
import { InMemorySettings } from '../support/inMemorySettings';

// The CLI and the editor only translate flags and settings into a PrepareRequest; core/review/prepare.ts
// assembles the review. Fed the same request (flags and the settings that mean the same), the two
// adapters must produce the same prepared review: same persona text, mode, rubric, guidelines,
// offline checks and notes.

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'same-review-'));
  mkdirSync(join(root, '.git'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const root = project({
  'AGENTS.md': 'Every handler validates its input with zod.\n',
  '.github/instructions/sql.instructions.md': '---\napplyTo: "src/db/**"\n---\nQueries use bound parameters.\n',
  '.vscode/personas/team-reviewer.md': '---\nname: Team Reviewer\nmode: backendpe\n---\nReview as our team does.\n',
  'src/db/orders.ts': 'export const q = (id: string) => db.query("SELECT 1 WHERE id = " + id);\n',
});

const units: ReviewUnit[] = [
  { path: 'src/db/orders.ts', text: 'export const q = (id: string) => db.query("SELECT 1 WHERE id = " + id);\n' },
];

async function viaCli(flags: string[]): Promise<PreparedReview> {
  const args = parseReviewArgs(['src/db/orders.ts', ...flags]);
  if (args === 'help') throw new Error('unexpected help');
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), cwd: root, env: {} };
  return prepareReview(
    cliPrepareRequest(args, {
      cwd: root,
      projectRoot: root,
      units,
      skipped: [],
      model: true,
      guidance: cliGuidance(args, io, root, new InMemoryLogger()),
    }),
  );
}

async function viaEditor(settings: Record<string, unknown>): Promise<PreparedReview> {
  const read = readConfig(new InMemorySettings(settings), { trusted: true });
  const context = new ReviewContext({
    personas,
    config: () => read.config,
    mode: new ModeState(
      new InMemoryKeyValueStore(),
      () => read.config.mode,
      () => read.explicit.includes('mode'),
    ),
    trusted: () => true,
    workspaceRoot: () => root,
    bundledDir: personas.bundledSkillsDir(),
    resolveUserDirs: (dirs) => dirs,
    createProvider: async () => {
      throw new Error('not asked: only the preparation is compared');
    },
    cache: new InMemoryReviewCache(),
    workspaceHasGuidance: async () => false,
    logger: new InMemoryLogger(),
  });
  return prepareReview(context.prepareRequest({ units, skipped: [] }));
}

/**
 * Everything a prepared review holds, with the guidelines function applied to the reviewed file.
 * Not `maxConcurrency` when left to its default: the CLI's is 4 (a CI job has the endpoint to
 * itself), the editor's 2 (it shares the model with the user); both are documented.
 */
function comparable(prepared: PreparedReview, concurrencyChosen = false) {
  const { guidelinesFor, maxConcurrency, ...data } = prepared;
  if (concurrencyChosen)
    return { ...data, maxConcurrency, guidelinesForTarget: guidelinesFor('src/db/orders.ts').map((g) => g.source) };
  return { ...data, guidelinesForTarget: guidelinesFor('src/db/orders.ts').map((g) => g.source) };
}

const CASES: { name: string; flags: string[]; settings: Record<string, unknown>; mode: string; persona: string }[] = [
  { name: 'nothing chosen', flags: [], settings: {}, mode: 'pragmatic', persona: 'pragmatic' },
  {
    name: 'a mode',
    flags: ['--mode', 'backendpe'],
    settings: { mode: 'backendpe' },
    mode: 'backendpe',
    persona: 'backendpe',
  },
  {
    name: 'a persona that declares a mode',
    flags: ['--persona', 'backendpe'],
    settings: { persona: 'backendpe' },
    mode: 'backendpe',
    persona: 'backendpe',
  },
  {
    name: 'a persona and a different mode, both chosen',
    flags: ['--persona', 'backendpe', '--mode', 'pragmatic'],
    settings: { persona: 'backendpe', mode: 'pragmatic' },
    mode: 'pragmatic',
    persona: 'backendpe',
  },
  {
    name: 'a persona that declares no mode',
    flags: ['--persona', 'data-integrity', '--mode', 'backendpe'],
    settings: { persona: 'data-integrity', mode: 'backendpe' },
    mode: 'backendpe',
    persona: 'data-integrity',
  },
  {
    name: "the project's own persona",
    flags: ['--persona', 'team-reviewer'],
    settings: { persona: 'team-reviewer' },
    mode: 'backendpe',
    persona: 'team-reviewer',
  },
  {
    name: 'an unknown persona',
    flags: ['--persona', 'ghost'],
    settings: { persona: 'ghost' },
    mode: 'pragmatic',
    persona: 'pragmatic',
  },
  {
    name: 'offline rules and concurrency',
    flags: ['--rule', 'explicit-any=off', '--rule', 'query-in-loop=high', '--max-concurrency', '3'],
    settings: { 'offlineChecks.rules': { 'explicit-any': 'off', 'query-in-loop': 'high' }, maxConcurrency: 3 },
    mode: 'pragmatic',
    persona: 'pragmatic',
  },
];

describe('the CLI and the editor prepare the same review', function () {
  this.timeout(20_000);
  for (const c of CASES) {
    it(`for ${c.name}`, async () => {
      const cli = await viaCli(c.flags);
      const editor = await viaEditor(c.settings);
      assert.equal(cli.mode, c.mode);
      assert.equal(cli.persona.id, c.persona);
      assert.match(cli.persona.text, /\S/);
      const chosen = 'maxConcurrency' in c.settings;
      assert.deepEqual(comparable(editor, chosen), comparable(cli, chosen));
    });
  }

  it('including the guidelines that apply to the reviewed file, and the unknown persona as a typed note', async () => {
    const cli = comparable(await viaCli(['--persona', 'ghost']));
    assert.deepEqual(cli.guidelinesForTarget, ['AGENTS.md', '.github/instructions/sql.instructions.md']);
    assert.deepEqual(
      cli.notes.map((n) => n.kind),
      ['unknown-persona'],
    );
    assert.equal(cli.offline.model, true);
  });
});
