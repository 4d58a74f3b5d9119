import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundledSkillsDir, findPersona, loadPersonaCatalog, renderPersona } from '../../../../src/core/personas';
import type { Persona, PersonaCatalog } from '../../../../src/core/personas';
import { REPO_ROOT } from './helpers';

describe('personas/bundled', () => {
  let catalog: PersonaCatalog;
  before(async () => {
    catalog = await loadPersonaCatalog({ bundledDir: bundledSkillsDir() });
  });

  const get = (id: string): Persona => {
    const persona = findPersona(catalog, id);
    assert.ok(persona, `bundled persona ${id} missing`);
    return persona;
  };

  it('resolves skills/ in the repository when running from source', () => {
    assert.equal(bundledSkillsDir(), path.join(REPO_ROOT, 'skills'));
  });

  it('loads every bundled persona cleanly: no errors, no warnings, no template syntax', () => {
    assert.deepEqual(catalog.errors, []);
    for (const persona of catalog.personas) {
      assert.deepEqual(persona.warnings, [], persona.id);
      assert.equal(persona.sourceKind, 'bundled');
      assert.equal(persona.format, 'skill');
      assert.ok(persona.description.length > 20, `${persona.id} needs a description`);
    }
  });

  it('declares the two modes with their labels and triggers', () => {
    const backendpe = get('backendpe');
    const pragmatic = get('pragmatic');
    assert.equal(backendpe.mode, 'backendpe');
    assert.equal(backendpe.name, 'BackendPE');
    assert.equal(pragmatic.mode, 'pragmatic');
    assert.equal(pragmatic.name, 'Pragmatic');
    for (const trigger of ['BackendPE', 'Supermode', 'principal mode'])
      assert.ok(backendpe.triggers.includes(trigger), trigger);
    for (const trigger of ['pragmatic', 'keep it simple']) assert.ok(pragmatic.triggers.includes(trigger), trigger);
  });

  it('gives each mode persona the required sections', () => {
    for (const id of ['backendpe', 'pragmatic']) {
      const body = get(id).body;
      for (const section of [
        '## What you check',
        '## What you refuse',
        '## How you word a finding',
        '## Severity rubric',
        '## Design questions',
      ]) {
        assert.ok(body.includes(section), `${id} lacks "${section}"`);
      }
    }
  });

  it('makes the difference sharp: BackendPE flags hardening everywhere, Pragmatic calls it overkill', () => {
    const backendpe = get('backendpe').body.toLowerCase();
    for (const topic of [
      'timeout',
      'jitter',
      'idempoten',
      'structured',
      'tracing',
      'strict typ',
      'pre-mortem',
      'diagram',
    ])
      assert.ok(backendpe.includes(topic), topic);
    const pragmatic = get('pragmatic').body.toLowerCase();
    for (const topic of ['correctness', 'security', 'data loss', 'overkill', 'simplest thing that works', 'trade-off'])
      assert.ok(pragmatic.includes(topic), topic);
    assert.ok(!pragmatic.includes('pre-mortem'));
  });

  it('bundles a data-integrity reviewer whose references reach the model', () => {
    const persona = get('data-integrity');
    assert.deepEqual(
      persona.references.map((r) => r.path),
      ['references/migrations.md', 'references/transactions.md'],
    );
    const text = renderPersona(persona, {}).text;
    assert.ok(text.includes('----- BEGIN REFERENCE references/migrations.md'));
  });

  it('ships only persona content in skills/ (the VSIX includes the folder as is)', () => {
    const files = fs.readdirSync(bundledSkillsDir(), { recursive: true, encoding: 'utf8' });
    for (const file of files) {
      const full = path.join(bundledSkillsDir(), file);
      if (fs.statSync(full).isFile()) assert.match(file, /(^|\/)(SKILL\.md|references\/[^/]+\.md)$/, file);
    }
  });
});
