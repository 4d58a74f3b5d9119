import * as assert from 'node:assert/strict';
import { renderTemplate } from '../../../../src/core/personas/template';

describe('personas/template', () => {
  it('substitutes variables and applies filters', () => {
    const result = renderTemplate('Lang: {{ project.language | upper }}, team {{ project.team | default("none") }}.', {
      project: { language: 'go' },
    });
    assert.equal(result.text, 'Lang: GO, team none.');
    assert.deepEqual(result.warnings, []);
  });

  it('renders unknown variables empty with a warning naming the variable and its line', () => {
    const result = renderTemplate('a\nx{{ agpm.deps.snippets.guide.content }}y', {}, { firstLine: 10 });
    assert.equal(result.text, 'a\nxy');
    assert.deepEqual(result.warnings, [
      'line 11: unknown template variable "agpm.deps.snippets.guide.content" rendered empty',
    ]);
  });

  it('chooses if/elif/else branches and removes tag-only lines entirely', () => {
    const template =
      'start\n{% if lang == "go" %}\nGO\n{% elif lang == "py" %}\nPY\n{% else %}\nOTHER\n{% endif %}\nend\n';
    assert.equal(renderTemplate(template, { lang: 'go' }).text, 'start\nGO\nend\n');
    assert.equal(renderTemplate(template, { lang: 'py' }).text, 'start\nPY\nend\n');
    assert.equal(renderTemplate(template, { lang: 'rust' }).text, 'start\nOTHER\nend\n');
  });

  it('treats unknown variables in conditions as false, with a warning', () => {
    const result = renderTemplate('{% if project.styleguide or project.rules %}shown{% endif %}', { project: {} });
    assert.equal(result.text, '');
    assert.deepEqual(result.warnings, [
      'line 1: unknown template variable "project.styleguide" in a condition is treated as false',
      'line 1: unknown template variable "project.rules" in a condition is treated as false',
    ]);
  });

  it('supports and, not, parentheses and nested ifs', () => {
    const vars = { a: true, b: false, n: 3 };
    assert.equal(
      renderTemplate(
        '{% if a and not b %}1{% endif %}{% if (b or a) and n > 2 %}2{% if b %}X{% endif %}{% endif %}',
        vars,
      ).text,
      '12',
    );
  });

  it('removes comments, including multi-line ones', () => {
    assert.equal(renderTemplate('a {# secret\nnote #}b', {}).text, 'a b');
  });

  it('never leaves raw template syntax: unsupported tags, stray closers and unclosed openers are removed with warnings', () => {
    const result = renderTemplate(
      '{% for x in items %}\nitem\n{% endfor %}\n{% endif %}\ntail {{ oops\n{% if a %}open',
      { a: true },
    );
    assert.doesNotMatch(result.text, /\{\{|\{%|\{#/);
    assert.ok(
      result.warnings.some((w) => /unsupported template tag \{% for x in items %\}/.test(w)),
      result.warnings.join('\n'),
    );
    assert.ok(result.warnings.some((w) => /\{% endif %\} without a matching/.test(w)));
    assert.ok(result.warnings.some((w) => /unclosed template delimiter/.test(w)));
    assert.ok(result.warnings.some((w) => /is never closed/.test(w)));
  });

  it('reports an expression it cannot parse and renders it empty', () => {
    const result = renderTemplate('x{{ a == }}y', { a: 1 });
    assert.equal(result.text, 'xy');
    assert.match(result.warnings[0], /cannot evaluate "a =="/);
  });

  it('warns about unknown filters but keeps the value', () => {
    const result = renderTemplate('{{ name | sparkle }}', { name: 'n' });
    assert.equal(result.text, 'n');
    assert.match(result.warnings[0], /unknown filter "sparkle"/);
  });
});
