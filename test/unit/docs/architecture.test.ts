import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const DOC = join(ROOT, 'docs/architecture.md');

/** Every `[`symbol`](../path)` link of docs/architecture.md: the symbol it names and the file it points to. */
function links(markdown: string): { symbol: string; file: string }[] {
  return [...markdown.matchAll(/\[`([A-Za-z_$][\w$]*)`\]\(\.\.\/([^)#]+)\)/g)].map((m) => ({ symbol: m[1], file: m[2] }));
}

/** Where a file declares a function, class, const, type or method with this name. */
function declares(source: string, symbol: string): boolean {
  const name = symbol.replace(/\$/g, '\\$');
  return new RegExp(
    `(?:function\\*?|class|const|let|interface|type)\\s+${name}\\b|^\\s+(?:async\\s+)?${name}\\s*[(=<]`,
    'm',
  ).test(source);
}

describe('docs/architecture.md', () => {
  const markdown = readFileSync(DOC, 'utf8');
  const found = links(markdown);

  it('walks both paths through code links', () => {
    assert.ok(found.length >= 25, `only ${found.length} code links`);
    assert.match(markdown, /## Walk 1: "Review Current File"/);
    assert.match(markdown, /## Walk 2: `review --diff/);
  });

  it('names, for each link, a symbol the linked file declares', () => {
    const wrong = found.filter(({ symbol, file }) => {
      const path = join(ROOT, file);
      return !existsSync(path) || !declares(readFileSync(path, 'utf8'), symbol);
    });
    assert.deepEqual(
      wrong.map(({ symbol, file }) => `${symbol} in ${file}`),
      [],
      'rename or move these in docs/architecture.md',
    );
  });

  it('the link check would catch a renamed symbol', () => {
    assert.equal(declares('export async function runReview(options) {}', 'runReview'), true);
    assert.equal(declares('export async function runReviewNow(options) {}', 'runReview'), false);
    assert.equal(declares('  async review(request: ReviewRequest) {', 'review'), true);
  });
});
