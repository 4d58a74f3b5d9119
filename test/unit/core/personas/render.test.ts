import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { findPersona, loadPersonaCatalog, personaRenderContext, renderPersona } from '../../../../src/core/personas';
import type { Persona, PersonaCatalog } from '../../../../src/core/personas';
import { FIXTURES, makeTempDir } from './helpers';

describe('personas/render', () => {
  let catalog: PersonaCatalog;
  const empty = makeTempDir('render-bundled');
  before(async () => {
    catalog = await loadPersonaCatalog({ bundledDir: empty.dir, userDirs: [path.join(FIXTURES, 'folder')] });
  });
  after(() => empty.cleanup());

  const templated = (): Persona => {
    const persona = catalog.personas.find((p) => p.source.endsWith('templated.txt'));
    assert.ok(persona);
    return persona;
  };

  it('renders a templated persona against the context: language, project name, extra values', () => {
    const rendered = renderPersona(templated(), {
      language: 'go',
      projectName: 'billing',
      extra: { team: 'payments' },
    });
    assert.match(rendered.text, /^You review go services for billing\.\n/);
    assert.match(rendered.text, /Check that every goroutine has an owner/);
    assert.doesNotMatch(rendered.text, /blocking calls|general checklist/);
    assert.match(rendered.text, /Team: payments/);
    assert.doesNotMatch(rendered.text, /authors' note/);
  });

  it('leaves no template syntax for the model and warns with file line numbers for unknown variables', () => {
    const rendered = renderPersona(templated(), { language: 'python' });
    assert.doesNotMatch(rendered.text, /\{\{|\{%|\{#|%\}|#\}/);
    assert.match(rendered.text, /blocking calls/);
    assert.match(rendered.text, /Team: unassigned/);
    assert.deepEqual(rendered.warnings, [
      'templated.txt: line 10: unknown template variable "agpm.project.name" rendered empty',
      'templated.txt: line 22: unknown template variable "agpm.project.styleguide" in a condition is treated as false',
      'templated.txt: line 25: unknown template variable "agpm.deps.snippets.guide.content" rendered empty',
    ]);
  });

  it('appends skill references, delimited, in their stable order', () => {
    const ledger = findPersona(catalog, 'ledger-reviewer');
    assert.ok(ledger);
    const { text, warnings } = renderPersona(ledger, {});
    assert.deepEqual(warnings, []);
    const alpha = text.indexOf('----- BEGIN REFERENCE references/alpha.md');
    const zeta = text.indexOf('----- BEGIN REFERENCE references/zeta.md');
    assert.ok(text.startsWith('# Ledger Reviewer\n\nEvery posting balances.'));
    assert.ok(alpha > 0 && zeta > alpha, text);
    assert.ok(text.includes('Alpha reference text.\n----- END REFERENCE references/alpha.md -----'));
  });

  it('shows a non-templated persona exactly as written, even with brace syntax', () => {
    const persona = { ...templated(), templated: false, body: 'Use {{ handlebars }} in examples.\n', references: [] };
    assert.equal(renderPersona(persona, {}).text, 'Use {{ handlebars }} in examples.\n');
  });

  it('leaves out references beyond the total budget with a warning', () => {
    const big = 'x'.repeat(60 * 1024);
    const persona = {
      ...templated(),
      templated: false,
      body: 'B\n',
      references: [
        { path: 'references/a.md', text: big },
        { path: 'references/b.md', text: big },
      ],
    };
    const rendered = renderPersona(persona, {});
    assert.ok(rendered.text.includes('references/a.md'));
    assert.ok(!rendered.text.includes('BEGIN REFERENCE references/b.md'));
    assert.match(rendered.warnings[0], /references\/b\.md: left out/);
  });

  it('builds the render context from the reviewed file and the workspace', () => {
    assert.deepEqual(personaRenderContext({ filePath: 'src/app/handler.py', workspaceRoot: '/work/shop' }), {
      language: 'python',
      projectName: 'shop',
    });
    assert.deepEqual(personaRenderContext({ filePath: 'README', language: 'go' }), { language: 'go' });
    assert.deepEqual(personaRenderContext({ filePath: 'x.unknownext' }), {});
  });
});
