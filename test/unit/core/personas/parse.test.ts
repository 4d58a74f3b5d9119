import * as assert from 'node:assert/strict';
import {
  firstHeading,
  firstParagraph,
  parsePersonaText,
  slugify,
  triggersFromDescription,
  triggersFromHeading,
} from '../../../../src/core/personas/parse';

describe('personas/parse', () => {
  it('takes name and description from front matter and keeps unknown keys under metadata', () => {
    const parsed = parsePersonaText(
      '---\nname: Cache Reviewer\ndescription: Checks caches.\nowner: team-a\nlimits: {max: 3}\n---\n\nBody.\n',
      '/x/cache.md',
    );
    assert.equal(parsed.name, 'Cache Reviewer');
    assert.equal(parsed.description, 'Checks caches.');
    assert.deepEqual(parsed.metadata, { owner: 'team-a', limits: { max: 3 } });
    assert.deepEqual(parsed.warnings, []);
    assert.equal(parsed.body, 'Body.\n');
  });

  it('falls back to the first heading, then to the file name, for the name', () => {
    assert.equal(parsePersonaText('Intro.\n\n## Second Level *Heading*\n', '/x/a.md').name, 'Second Level Heading');
    assert.equal(parsePersonaText('Only prose here.\n', '/x/queue-reviewer.agent.md').name, 'queue-reviewer');
    assert.equal(parsePersonaText('Only prose.\n', '/x/outbox/SKILL.md').name, 'outbox');
  });

  it('ignores "# comments" inside fenced code when looking for a heading', () => {
    assert.equal(firstHeading('```sh\n# not a heading\n```\n\n# Real Heading\n'), 'Real Heading');
  });

  it('uses the first prose paragraph as description when front matter has none', () => {
    assert.equal(
      firstParagraph('# Title\n\n- a list\n\nFirst **real**\nparagraph.\n\nSecond.\n'),
      'First real paragraph.',
    );
    assert.equal(parsePersonaText('# T\n\n> quote only\n', '/x/t.md').description, '');
  });

  it('reads folded (>) and literal (|) description scalars', () => {
    const folded = parsePersonaText('---\ndescription: >\n  one\n  two\n---\nB\n', '/x/f.md');
    assert.equal(folded.description, 'one two');
    const literal = parsePersonaText('---\ndescription: |\n  line one\n  line two\n---\nB\n', '/x/l.md');
    assert.equal(literal.description, 'line one line two');
  });

  it('warns, naming the field, when name or description has the wrong type, and falls back', () => {
    const parsed = parsePersonaText(
      '---\nname: 42\ndescription: [a, b]\n---\n\n# Heading Name\n\nParagraph.\n',
      '/x/n.md',
    );
    assert.equal(parsed.name, 'Heading Name');
    assert.equal(parsed.description, 'Paragraph.');
    assert.deepEqual(parsed.warnings, [
      'front matter field "name" must be a string, got number; ignored',
      'front matter field "description" must be a string, got a list; ignored',
    ]);
  });

  it('throws a message naming the YAML problem for malformed front matter', () => {
    assert.throws(
      () => parsePersonaText('---\nname: "open\ntriggers: [a\n---\nBody\n', '/x/m.md'),
      /front matter is not valid YAML/,
    );
  });

  it('refuses JavaScript front matter rather than running it', () => {
    const marker = '__personaFrontMatterRan';
    assert.throws(
      () => parsePersonaText(`---js\n{ name: (globalThis.${marker} = 1, 'x') }\n---\nBody\n`, '/x/j.md'),
      /JavaScript front matter/,
    );
    assert.equal((globalThis as Record<string, unknown>)[marker], undefined);
  });

  it('rejects front matter that is not a mapping, and a file with nothing after its front matter', () => {
    assert.throws(() => parsePersonaText('---\n- a\n- b\n---\nBody\n', '/x/a.md'), /must be a YAML mapping/);
    assert.throws(() => parsePersonaText('---\nname: x\n---\n\n', '/x/b.md'), /no text after its front matter/);
  });

  it('treats a lone --- line as a Markdown rule, not front matter', () => {
    const parsed = parsePersonaText('---\n# Title\n\nText.\n', '/x/r.md');
    assert.equal(parsed.name, 'Title');
  });

  it('reads mode only when it is backendpe or pragmatic', () => {
    assert.equal(parsePersonaText('---\nmode: Pragmatic\n---\nB\n', '/x/p.md').mode, 'pragmatic');
    const bad = parsePersonaText('---\nmode: turbo\n---\nB\n', '/x/p.md');
    assert.equal(bad.mode, null);
    assert.match(bad.warnings[0], /field "mode" must be one of backendpe, pragmatic, got "turbo"/);
  });

  it('takes triggers from front matter first, then an Activation Triggers list, then the description', () => {
    assert.deepEqual(
      parsePersonaText('---\ntriggers: [A, b, a]\n---\n## Activation Triggers\n- x\n', '/x/t.md').triggers,
      ['A', 'b'],
    );
    assert.deepEqual(
      triggersFromHeading('# P\n\n## Activation Triggers\n- "one"\n- `two`\n* three\n\n## Next\n- no\n'),
      ['one', 'two', 'three'],
    );
    assert.deepEqual(triggersFromDescription('Does things.Use when "queue, retry, dead letter, queue" mentioned.'), [
      'queue',
      'retry',
      'dead letter',
    ]);
    assert.deepEqual(triggersFromDescription('Expert. Triggers on cache, TTL, or invalidation. More text.'), [
      'cache',
      'TTL',
      'invalidation',
    ]);
    assert.deepEqual(triggersFromDescription('No keywords here.'), []);
  });

  it('warns when triggers has the wrong type', () => {
    const parsed = parsePersonaText('---\ntriggers: 7\n---\nB\n', '/x/t.md');
    assert.deepEqual(parsed.triggers, []);
    assert.match(parsed.warnings[0], /field "triggers" must be a list of strings, got number/);
  });

  it('marks agpm files with templating: true as templated, and warns about template syntax elsewhere', () => {
    const templated = parsePersonaText('---\nagpm:\n  templating: true\n---\nHi {{ project.name }}\n', '/x/a.md');
    assert.equal(templated.templated, true);
    assert.equal(templated.format, 'agpm');
    const plain = parsePersonaText('Hello {{ name }}\n', '/x/p.md');
    assert.equal(plain.templated, false);
    assert.match(plain.warnings[0], /does not set agpm.templating: true/);
  });

  it('derives the format from the file', () => {
    assert.equal(parsePersonaText('B\n', '/x/s/SKILL.md').format, 'skill');
    assert.equal(parsePersonaText('B\n', '/x/a.agent.md').format, 'agent');
    assert.equal(parsePersonaText('B\n', '/x/.claude/agents/a.md').format, 'agent');
    assert.equal(parsePersonaText('B\n', '/x/a.chatmode.md').format, 'chatmode');
    assert.equal(parsePersonaText('B\n', '/x/a.mdc').format, 'mdc');
    assert.equal(parsePersonaText('B\n', '/x/a.txt').format, 'plain');
  });

  it('records the file line where the body starts', () => {
    assert.equal(parsePersonaText('---\nname: x\n---\n\nBody\n', '/x/a.md').bodyLine, 5);
    assert.equal(parsePersonaText('Body\n', '/x/a.md').bodyLine, 1);
  });

  it('slugifies names into ids', () => {
    assert.equal(slugify('Backend Specialist!'), 'backend-specialist');
    assert.equal(slugify('Café Crème'), 'cafe-creme');
    assert.equal(slugify('***'), 'persona');
  });
});
