import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundledSkillsDir, loadPersonaCatalog, renderPersona } from '../../../../src/core/personas';
import type { PersonaCatalog } from '../../../../src/core/personas';
import { REPO_ROOT } from './helpers';

// The persona documents the product grew from live next to the team's checkout (../shared/seeds).
// A user's clone has no ../shared, so these tests skip there.
const SEEDS = path.resolve(REPO_ROOT, '..', 'shared', 'seeds');

describe('personas/seeds (real documents from ../shared/seeds)', function () {
  let catalog: PersonaCatalog;
  before(async function () {
    if (!fs.existsSync(SEEDS)) {
      this.test?.parent?.tests.forEach((t) => {
        t.title += ` (skipped: ${SEEDS} does not exist; it is only present in the team checkout)`;
      });
      this.skip();
    }
    catalog = await loadPersonaCatalog({ bundledDir: bundledSkillsDir(), userDirs: [SEEDS] });
  });

  const seeds = () => catalog.personas.filter((p) => p.sourceKind === 'user');

  it('loads all five seeds next to the bundled personas, with no errors', () => {
    assert.deepEqual(catalog.errors, []);
    assert.equal(seeds().length, 5);
    assert.equal(fs.readdirSync(SEEDS).filter((f) => f.endsWith('.txt')).length, 5);
    assert.ok(catalog.personas.some((p) => p.id === 'backendpe' && p.sourceKind === 'bundled'));
    assert.ok(catalog.personas.some((p) => p.id === 'pragmatic' && p.sourceKind === 'bundled'));
  });

  it('names the seed without front matter from its heading', () => {
    const headed = seeds().filter((p) => !fs.readFileSync(p.source, 'utf8').startsWith('---'));
    assert.equal(headed.length, 1);
    const firstHeading = /^#\s+(.+)$/m.exec(fs.readFileSync(headed[0].source, 'utf8'))?.[1].trim();
    assert.equal(headed[0].name, firstHeading);
    assert.ok(headed[0].triggers.length > 0, 'its Activation Triggers list is read');
  });

  it('finds triggers in a folded description and in a Use when "…" description', () => {
    const withTriggers = seeds().filter((p) => /Triggers on|Use when "/i.test(p.description));
    assert.equal(withTriggers.length, 2);
    for (const persona of withTriggers) assert.ok(persona.triggers.length >= 3, persona.id);
  });

  it('renders the templated seed with no template syntax left', () => {
    const templated = seeds().filter((p) => p.templated);
    assert.equal(templated.length, 1);
    const rendered = renderPersona(templated[0], { language: 'go', projectName: 'demo' });
    assert.doesNotMatch(rendered.text, /\{\{|\{%|\{#/);
    assert.ok(rendered.warnings.length > 0, 'unknown variables are reported');
  });

  it('repairs the mojibake seed to real emoji', () => {
    const repaired = seeds().filter((p) => p.warnings.some((w) => /repaired \d+ mis-decoded/.test(w)));
    assert.equal(repaired.length, 1);
    const text = renderPersona(repaired[0], {}).text;
    assert.doesNotMatch(text, /ðŸ|â€/);
    assert.match(text, /\p{Extended_Pictographic}/u);
  });
});
