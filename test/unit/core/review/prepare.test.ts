import * as assert from 'node:assert/strict';
import type { Mode } from '../../../../src/core/findings';
import type { Guideline, Persona, PersonaCatalog } from '../../../../src/core/personas/types';
import { modeRubric } from '../../../../src/core/personas/modes';
import {
  choosePersona,
  mostCommonLanguage,
  prepareReview,
  reviewMode,
  type GuidanceSource,
  type PrepareRequest,
} from '../../../../src/core/review/prepare';

function persona(id: string, mode: Mode | null, body = `You are ${id}.`): Persona {
  return {
    id,
    name: `${id} persona`,
    description: '',
    source: `/skills/${id}/SKILL.md`,
    sourceKind: 'bundled',
    format: 'skill',
    mode,
    triggers: [],
    body,
    templated: body.includes('{{'),
    references: [],
    metadata: {},
    warnings: [],
  };
}

const CATALOG: PersonaCatalog = {
  personas: [
    persona('pragmatic', 'pragmatic'),
    persona('backendpe', 'backendpe'),
    persona('data-integrity', null, 'Data reviewer for {{ language }}.'),
  ],
  errors: [],
  overrides: [],
};

const GUIDELINES: Guideline[] = [
  { source: 'AGENTS.md', kind: 'agents', applyTo: [], text: 'Every handler validates input.' },
  { source: '.github/instructions/api.instructions.md', kind: 'instructions', applyTo: ['src/api/**'], text: 'API.' },
];

/** A guidance source that counts what it was asked. */
function guidance(options: { projectGuidance?: boolean } = {}) {
  const asked = { catalog: 0, guidelines: 0, projectGuidance: 0 };
  const source: GuidanceSource = {
    catalog: async () => (asked.catalog++, CATALOG),
    guidelines: async () => (asked.guidelines++, GUIDELINES),
    hasProjectGuidance: async () => (asked.projectGuidance++, options.projectGuidance ?? false),
  };
  return { source, asked };
}

function request(overrides: Partial<PrepareRequest> = {}): PrepareRequest {
  return {
    targets: [{ path: 'src/api/orders.ts', text: 'x' }],
    mode: 'pragmatic',
    modeExplicit: false,
    trusted: true,
    projectRoot: '/repo',
    configuration: { model: true, rules: {} },
    guidance: guidance().source,
    ...overrides,
  };
}

describe('core/review/prepare', () => {
  describe('choosePersona', () => {
    it("takes the persona asked for, else the mode's", () => {
      assert.equal(choosePersona(CATALOG, 'data-integrity', 'backendpe').persona.id, 'data-integrity');
      assert.equal(choosePersona(CATALOG, undefined, 'backendpe').persona.id, 'backendpe');
    });

    it("falls back to the mode's persona with a typed note naming what was asked and what is loaded", () => {
      assert.deepEqual(choosePersona(CATALOG, 'ghost', 'backendpe'), {
        persona: CATALOG.personas[1],
        note: {
          kind: 'unknown-persona',
          requested: 'ghost',
          known: ['pragmatic', 'backendpe', 'data-integrity'],
          fallback: 'backendpe',
        },
      });
    });
  });

  describe('reviewMode', () => {
    it('a persona that declares a mode brings it unless the user chose one', () => {
      assert.deepEqual(reviewMode('pragmatic', false, { mode: 'backendpe' }), { mode: 'backendpe', origin: 'persona' });
      assert.deepEqual(reviewMode('pragmatic', true, { mode: 'backendpe' }), { mode: 'pragmatic', origin: 'explicit' });
      assert.deepEqual(reviewMode('backendpe', false, { mode: null }), { mode: 'backendpe', origin: 'default' });
    });
  });

  it('mostCommonLanguage counts declared languages and file extensions', () => {
    assert.equal(
      mostCommonLanguage([
        { path: 'a.py', text: '' },
        { path: 'b.go', text: '' },
        { path: 'c.txt', text: '', language: 'go' },
      ]),
      'go',
    );
    assert.equal(mostCommonLanguage([{ path: 'README', text: '' }]), undefined);
  });

  it('sends the rubric of the mode the persona brought, and names that mode', async () => {
    const prepared = await prepareReview(request({ persona: 'backendpe' }));
    assert.equal(prepared.persona.id, 'backendpe');
    assert.equal(prepared.mode, 'backendpe');
    assert.equal(prepared.modeOrigin, 'persona');
    assert.equal(prepared.rubric, modeRubric('backendpe'));
    assert.deepEqual(prepared.offline.checks, { mode: 'backendpe', rules: {} });
    assert.deepEqual(prepared.personaSource, {
      id: 'backendpe',
      source: '/skills/backendpe/SKILL.md',
      sourceKind: 'bundled',
    });
  });

  it('renders a templated persona for the most common language of the targets', async () => {
    const prepared = await prepareReview(
      request({
        persona: 'data-integrity',
        targets: [
          { path: 'a.py', text: '' },
          { path: 'b.py', text: '' },
          { path: 'c.ts', text: '' },
        ],
      }),
    );
    assert.equal(prepared.persona.text.trim(), 'Data reviewer for python.');
    assert.equal(prepared.mode, 'pragmatic', 'a persona without a mode keeps the mode in effect');
  });

  it('gives each target the guidelines for its path relative to the project root', async () => {
    const prepared = await prepareReview(request({ projectRoot: '/repo', targetRoot: '/repo/src' }));
    assert.deepEqual(prepared.guidelines, GUIDELINES);
    assert.deepEqual(
      prepared.guidelinesFor('api/orders.ts').map((g) => g.source),
      ['AGENTS.md', '.github/instructions/api.instructions.md'],
      'api/orders.ts under the cwd src/ is src/api/orders.ts in the project',
    );
    assert.deepEqual(
      prepared.guidelinesFor('jobs/nightly.ts').map((g) => g.source),
      ['AGENTS.md'],
    );
  });

  it('loads no guidelines without a model, nor for an untrusted project, and says when the latter left some out', async () => {
    const offline = guidance();
    const withoutModel = await prepareReview(
      request({
        guidance: offline.source,
        configuration: { model: false, rules: { 'explicit-any': { enabled: false } } },
      }),
    );
    assert.equal(offline.asked.guidelines, 0);
    assert.deepEqual(withoutModel.guidelines, []);
    assert.deepEqual(withoutModel.offline, {
      model: false,
      checks: { mode: 'pragmatic', rules: { 'explicit-any': { enabled: false } } },
    });
    assert.deepEqual(withoutModel.notes, []);

    const untrusted = guidance({ projectGuidance: true });
    const prepared = await prepareReview(request({ trusted: false, guidance: untrusted.source }));
    assert.equal(untrusted.asked.guidelines, 0);
    assert.deepEqual(prepared.guidelinesFor('src/api/orders.ts'), []);
    assert.deepEqual(prepared.notes, [{ kind: 'untrusted' }]);

    const nothingLeftOut = await prepareReview(request({ trusted: false, guidance: guidance().source }));
    assert.deepEqual(nothingLeftOut.notes, [], 'no note when the project has no guidance to leave out');
  });

  it('carries the parts skipped while collecting the targets', async () => {
    const skipped = [{ file: 'logo.png', reason: 'binary' }];
    const prepared = await prepareReview(request({ skipped }));
    assert.deepEqual(prepared.skipped, skipped);
    assert.notEqual(prepared.skipped, skipped, 'a copy: the caller may add to its own list');
  });
});
