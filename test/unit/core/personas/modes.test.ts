import * as assert from 'node:assert/strict';
import {
  bundledSkillsDir,
  detectModeRequest,
  loadPersonaCatalog,
  MODE_LABELS,
  modeName,
  modeRubric,
  parseModeArgument,
  personaForMode,
} from '../../../../src/core/personas';
import type { Persona, PersonaCatalog } from '../../../../src/core/personas';

function persona(overrides: Partial<Persona>): Persona {
  return {
    id: 'p',
    name: 'P',
    description: '',
    source: '/p.md',
    sourceKind: 'user',
    format: 'plain',
    mode: null,
    triggers: [],
    body: 'b\n',
    templated: false,
    references: [],
    metadata: {},
    warnings: [],
    ...overrides,
  };
}

describe('personas/modes', () => {
  let bundled: PersonaCatalog;
  before(async () => {
    bundled = await loadPersonaCatalog({ bundledDir: bundledSkillsDir() });
  });

  it('labels the modes', () => {
    assert.deepEqual(MODE_LABELS, { backendpe: 'BackendPE', pragmatic: 'Pragmatic' });
  });

  it('gives each mode a distinct rubric with all five severities', () => {
    for (const mode of ['backendpe', 'pragmatic'] as const) {
      const rubric = modeRubric(mode);
      for (const severity of ['critical', 'high', 'medium', 'low', 'info'])
        assert.match(rubric, new RegExp(`- ${severity}:`), `${mode} rubric lacks ${severity}`);
      assert.match(rubric, new RegExp(MODE_LABELS[mode]));
    }
    assert.match(
      modeRubric('backendpe'),
      /timeout[\s\S]*jitter[\s\S]*idempotent[\s\S]*structured[\s\S]*tracing[\s\S]*typing/,
    );
    assert.match(modeRubric('pragmatic'), /overkill/);
    assert.notEqual(modeRubric('backendpe'), modeRubric('pragmatic'));
  });

  describe('detectModeRequest', () => {
    const switches: [string, 'backendpe' | 'pragmatic'][] = [
      ['switch to pragmatic mode', 'pragmatic'],
      ['Please switch back to BackendPE', 'backendpe'],
      ['be more pragmatic', 'pragmatic'],
      ['Can you be a bit more pragmatic about this?', 'pragmatic'],
      ['BackendPE', 'backendpe'],
      ['Supermode!', 'backendpe'],
      ['supermode: review the payment handler', 'backendpe'],
      ['use principal mode', 'backendpe'],
      ['keep it simple', 'pragmatic'],
      ['switch from backendpe to pragmatic', 'pragmatic'],
      ['go back to the pragmatic reviewer', 'pragmatic'],
      ['turn on maximalist review', 'backendpe'],
      ['Review this file in BackendPE mode', 'backendpe'],
      ['can you look at the handler with the pragmatic persona?', 'pragmatic'],
    ];
    for (const [text, mode] of switches) {
      it(`"${text}" → ${mode}`, () => assert.equal(detectModeRequest(text, bundled), mode));
    }

    const ordinary = [
      'What does pragmatic mean in this context?',
      'Is this retry loop pragmatic?',
      'Why is the backend slow?',
      'review this file',
      'explain the mode field in the config',
      "don't switch to pragmatic mode",
      'how do I add a timeout to this call?',
      'To be pragmatic, should we skip this test?',
      'good enough',
      'What happens in pragmatic mode?',
      'how does the reviewer behave in BackendPE mode',
      'switch to pragmatic mode, no wait, BackendPE mode please',
      '',
    ];
    for (const text of ordinary) {
      it(`no switch for ${JSON.stringify(text)}`, () => assert.equal(detectModeRequest(text, bundled), null));
    }

    it("maps a catalog persona's trigger words to that persona's mode", () => {
      const catalog: PersonaCatalog = {
        personas: [persona({ id: 'ledger', name: 'Ledger', mode: 'pragmatic', triggers: ['ledger hat'] })],
        errors: [],
        overrides: [],
      };
      assert.equal(detectModeRequest('I lost my ledger hat yesterday', catalog), null);
      assert.equal(detectModeRequest('switch to ledger hat', catalog), 'pragmatic');
      assert.equal(detectModeRequest('ledger hat', catalog), 'pragmatic');
    });

    it('ignores triggers of personas that declare no mode', () => {
      const catalog: PersonaCatalog = { personas: [persona({ triggers: ['gizmo mode'] })], errors: [], overrides: [] };
      assert.equal(detectModeRequest('switch to gizmo mode', catalog), null);
    });
  });

  describe('personaForMode', () => {
    it('returns the bundled persona for each mode', () => {
      assert.equal(personaForMode(bundled, 'backendpe').id, 'backendpe');
      assert.equal(personaForMode(bundled, 'pragmatic').id, 'pragmatic');
    });

    it('falls back to any persona declaring the mode, and throws a clear error when none does', () => {
      const catalog: PersonaCatalog = {
        personas: [persona({ id: 'team', mode: 'pragmatic' })],
        errors: [],
        overrides: [],
      };
      assert.equal(personaForMode(catalog, 'pragmatic').id, 'team');
      assert.throws(
        () => personaForMode(catalog, 'backendpe'),
        /no persona declares mode "backendpe"; the bundled skills\/backendpe\/SKILL.md is missing/,
      );
    });
  });

  it('parses mode arguments', () => {
    assert.equal(parseModeArgument(' BackendPE '), 'backendpe');
    assert.equal(parseModeArgument('pragmatic'), 'pragmatic');
    assert.equal(parseModeArgument('PE'), 'backendpe');
    assert.equal(parseModeArgument('fast'), null);
  });

  it('names each mode for the user', () => {
    assert.deepEqual([modeName('backendpe'), modeName('pragmatic')], ['BackendPE', 'Pragmatic']);
  });
});
