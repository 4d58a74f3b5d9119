import * as assert from 'node:assert/strict';
import { InMemoryLogger } from '../../../support/inMemoryLogger';
import { InMemoryReviewCache } from '../../../support/inMemoryReviewCache';
import { readConfig, type ReviewerConfig } from '../../../../src/core/config/settings';
import { ModeState } from '../../../../src/vscode/common/modeState';
import { ReviewContext, type ReviewContextDeps } from '../../../../src/vscode/common/reviewContext';
import { noteText, UNTRUSTED_NOTE } from '../../../../src/vscode/common/reviewNotes';
import { InMemoryKeyValueStore } from '../../../support/inMemoryStores';
import { InMemorySettings } from '../../../support/inMemorySettings';
import { catalog, FakeChatProvider, fakePersonaApi, persona } from '../fakes';

/** A persona rendered for the reviewed file's language, so a test sees which one went out and how. */
const templated = (id: string, mode: 'pragmatic' | 'backendpe' | null) =>
  persona(id, mode, { body: `You are ${id}. [{{ language }}]`, templated: true });

function setup(options: { trusted?: boolean; settings?: Record<string, unknown>; guidance?: boolean } = {}) {
  const read = readConfig(new InMemorySettings(options.settings ?? {}), { trusted: true });
  let config: ReviewerConfig = read.config;
  const personas = fakePersonaApi(
    catalog(
      templated('pragmatic', 'pragmatic'),
      templated('backendpe', 'backendpe'),
      templated('data-integrity', null),
    ),
  );
  const mode = new ModeState(
    new InMemoryKeyValueStore(),
    () => config.mode,
    () => read.explicit.includes('mode'),
  );
  const created: ReviewerConfig[] = [];
  const logger = new InMemoryLogger();
  const configured = new FakeChatProvider();
  const deps: ReviewContextDeps = {
    personas,
    config: () => config,
    mode,
    trusted: () => options.trusted ?? true,
    workspaceRoot: () => '/work/shop',
    bundledDir: '/ext/skills',
    resolveUserDirs: (dirs) => dirs.map((d) => `/abs/${d}`),
    createProvider: async (c) => {
      created.push(c);
      return configured;
    },
    cache: new InMemoryReviewCache(),
    workspaceHasGuidance: async () => options.guidance ?? false,
    logger,
  };
  return {
    logger,
    context: new ReviewContext(deps),
    personas,
    mode,
    created,
    configured,
    setConfig: (c: ReviewerConfig) => {
      config = c;
    },
  };
}

const request = { key: 'k', kind: 'file' as const, units: [{ path: 'src/a.py', text: 'x', language: 'python' }] };

describe('vscode/reviewContext', () => {
  it('uses the mode persona, guidelines, settings and the configured provider', async () => {
    const { context, personas, created, configured } = setup({
      settings: { personaDirectories: ['team'], maxConcurrency: 3 },
    });
    const prepared = await context.prepare(request);
    assert.equal(prepared.persona.id, 'pragmatic');
    assert.equal(prepared.persona.text.trim(), 'You are pragmatic. [python]');
    assert.equal(prepared.mode, 'pragmatic');
    assert.equal(prepared.maxConcurrency, 3);
    assert.equal(prepared.provider, configured);
    assert.equal(created.length, 1);
    assert.deepEqual(
      prepared.guidelines?.('src/a.py').map((g) => g.source),
      ['AGENTS.md'],
    );
    assert.deepEqual(personas.calls.catalogOptions[0], {
      bundledDir: '/ext/skills',
      userDirs: ['/abs/team'],
      workspaceRoot: '/work/shop',
      includeWorkspace: true,
      logger: (personas.calls.catalogOptions[0] as { logger: unknown }).logger,
    });
    assert.deepEqual(prepared.notes, []);
  });

  it("passes the minimumConfidence setting to the engine's gate (the mode's floor unless set)", async () => {
    assert.equal((await setup({}).context.prepare(request)).minimumConfidence, undefined);
    const set = await setup({ settings: { minimumConfidence: 0.8 } }).context.prepare(request);
    assert.equal(set.minimumConfidence, 0.8);
  });

  it('passes the verify setting to the engine (off unless set)', async () => {
    assert.equal((await setup({}).context.prepare(request)).verify, false);
    assert.equal((await setup({ settings: { verify: true } }).context.prepare(request)).verify, true);
  });

  it('logs which persona and guideline files steer the review, and where each came from', async () => {
    const { context, logger } = setup({ settings: { persona: 'data-integrity' } });
    await context.prepare(request);
    assert.ok(
      logger
        .messages('info')
        .includes('Review guidance: persona data-integrity (bundled); guidelines: AGENTS.md (workspace working tree)'),
      logger.messages().join('\n'),
    );
  });

  it('follows the mode state and honours the persona setting', async () => {
    const { context, mode } = setup({ settings: { persona: 'data-integrity' } });
    await mode.set('backendpe');
    const prepared = await context.prepare(request);
    assert.equal(prepared.mode, 'backendpe');
    assert.equal(prepared.persona.id, 'data-integrity');
  });

  it('falls back to the mode persona with a note when the persona setting names an unknown id', async () => {
    const { context } = setup({ settings: { persona: 'ghost' } });
    const prepared = await context.prepare(request);
    assert.equal(prepared.persona.id, 'pragmatic');
    assert.deepEqual(prepared.notes, [
      {
        kind: 'unknown-persona',
        requested: 'ghost',
        known: ['pragmatic', 'backendpe', 'data-integrity'],
        fallback: 'pragmatic',
      },
    ]);
    assert.match(
      noteText(prepared.notes[0]),
      /backendReviewer\.persona names "ghost".*loaded: pragmatic, backendpe, data-integrity/,
    );
  });

  it('a persona that declares a mode brings it, unless the user chose the mode', async () => {
    const brought = await setup({ settings: { persona: 'backendpe' } }).context.prepare(request);
    assert.equal(brought.persona.id, 'backendpe');
    assert.equal(brought.mode, 'backendpe', 'the persona setting alone brings its mode');

    const switched = setup({ settings: { persona: 'backendpe' } });
    await switched.mode.set('pragmatic');
    assert.equal((await switched.context.prepare(request)).mode, 'pragmatic', "a switched mode is the user's choice");

    const set = setup({ settings: { persona: 'backendpe', mode: 'pragmatic' } });
    assert.equal((await set.context.prepare(request)).mode, 'pragmatic', 'so is the mode setting');

    const modeless = setup({ settings: { persona: 'data-integrity' } });
    await modeless.mode.set('backendpe');
    assert.equal(
      (await modeless.context.prepare(request)).mode,
      'backendpe',
      'a persona without a mode keeps the mode',
    );
  });

  it('uses the chat model when the request brings one', async () => {
    const { context, created } = setup();
    const chatModel = new FakeChatProvider();
    const prepared = await context.prepare({ ...request, provider: chatModel });
    assert.equal(prepared.provider, chatModel);
    assert.equal(created.length, 0);
  });

  it('in an untrusted workspace loads no workspace personas or guidelines, and says why', async () => {
    const { context, personas } = setup({ trusted: false, guidance: true });
    const prepared = await context.prepare(request);
    assert.equal((personas.calls.catalogOptions[0] as { includeWorkspace: boolean }).includeWorkspace, false);
    assert.deepEqual(prepared.guidelines?.('src/a.py'), []);
    assert.deepEqual(prepared.notes, [{ kind: 'untrusted' }]);
    assert.equal(noteText(prepared.notes[0]), UNTRUSTED_NOTE);
  });

  it('reloads the catalog only after invalidate', async () => {
    const { context, personas } = setup();
    await context.catalog();
    await context.catalog();
    assert.equal(personas.calls.catalogOptions.length, 1);
    context.invalidate();
    await context.catalog();
    assert.equal(personas.calls.catalogOptions.length, 2);
  });

  it('does not keep a failed catalog load: the next review tries again', async () => {
    const { context, personas } = setup();
    const load = personas.loadPersonaCatalog;
    let failures = 1;
    personas.loadPersonaCatalog = async (options) => {
      if (failures-- > 0) throw new Error('EACCES: /ext/skills');
      return load(options);
    };
    await assert.rejects(context.catalog(), /EACCES/);
    assert.equal((await context.catalog()).personas.length, 3);
  });

  describe('ModeState', () => {
    it('toggles, persists, notifies, and returns to the setting on reset', async () => {
      const state = new InMemoryKeyValueStore();
      const mode = new ModeState(state, () => 'pragmatic');
      const seen: string[] = [];
      const unsubscribe = mode.onDidChange((m) => seen.push(m));
      assert.equal(mode.get(), 'pragmatic');
      assert.equal(await mode.toggle(), 'backendpe');
      assert.equal(new ModeState(state, () => 'pragmatic').get(), 'backendpe', 'persisted in workspace state');
      await mode.resetToSetting();
      assert.equal(mode.get(), 'pragmatic');
      unsubscribe();
      await mode.set('backendpe');
      assert.deepEqual(seen, ['backendpe', 'pragmatic']);
    });
  });
});
