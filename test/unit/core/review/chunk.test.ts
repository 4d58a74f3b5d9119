import { strict as assert } from 'node:assert';
import {
  chunkRegions,
  lineCount,
  linesFromSplit,
  numberRange,
  regionsAroundLines,
  splitLines,
  SEGMENT_GAP_MARKER,
} from '../../../../src/core/review/chunk';

/** One token per 4 characters, like the providers' estimate. */
const countTokens = (text: string): number => Math.ceil(text.length / 4);

function tokensOf(numbered: string): number {
  return numbered.split('\n').reduce((sum, line) => sum + countTokens(line + '\n'), 0);
}

function fileWithFunctions(count: number, bodyLines: number): string {
  const out: string[] = [];
  for (let f = 1; f <= count; f++) {
    out.push(`export function handler${f}(input: Request): Response {`);
    for (let i = 0; i < bodyLines; i++) out.push(`  const step${i} = transform(input, ${i}); // work ${f}.${i}`);
    out.push('}', '');
  }
  return out.join('\n');
}

describe('numbering and regions', () => {
  it('numbers lines with their real numbers, right-aligned', () => {
    const lines = splitLines(Array.from({ length: 12 }, (_, i) => `l${i + 1}`).join('\n') + '\n');
    assert.equal(lines.length, 12);
    assert.equal(numberRange(lines, { startLine: 9, endLine: 11 }), ' 9 | l9\n10 | l10\n11 | l11');
  });

  it('counts and derives lines as splitLines does', () => {
    for (const text of ['', 'a', 'a\n', 'a\nb', 'a\r\nb\r\n', '\n', '\n\n', 'a\r', 'a\n\nb\n\n']) {
      assert.equal(lineCount(text), splitLines(text).length, JSON.stringify(text));
      assert.deepEqual(linesFromSplit(text.split(/\r?\n/)), splitLines(text), JSON.stringify(text));
    }
  });

  it('numbers each chunk as numberRange does (the chunk reuses the lines it numbered to count tokens)', () => {
    const lines = splitLines(fileWithFunctions(12, 8));
    const { chunks } = chunkRegions(
      lines,
      [
        { startLine: 3, endLine: 20 },
        { startLine: 40, endLine: 90 },
      ],
      { budgetTokens: 300, countTokens },
    );
    assert.ok(chunks.length > 1);
    for (const chunk of chunks)
      assert.equal(chunk.numbered, chunk.segments.map((s) => numberRange(lines, s)).join(`\n${SEGMENT_GAP_MARKER}\n`));
  });

  it('groups changed lines with context, clamped and merged', () => {
    assert.deepEqual(regionsAroundLines([2, 3, 20, 24, 99], 30, 2), [
      { startLine: 1, endLine: 5 },
      { startLine: 18, endLine: 26 },
    ]);
  });
});

describe('chunkRegions', () => {
  it('keeps a file that fits in one chunk', () => {
    const lines = splitLines(fileWithFunctions(2, 3));
    const { chunks, skipped } = chunkRegions(lines, [{ startLine: 1, endLine: lines.length }], {
      budgetTokens: 10_000,
      countTokens,
    });
    assert.equal(chunks.length, 1);
    assert.deepEqual(chunks[0].segments, [{ startLine: 1, endLine: lines.length }]);
    assert.deepEqual(skipped, []);
  });

  it('splits a large file at function boundaries within the budget, covering every line once', () => {
    const lines = splitLines(fileWithFunctions(12, 8));
    const budget = 400;
    const { chunks, skipped } = chunkRegions(lines, [{ startLine: 1, endLine: lines.length }], {
      budgetTokens: budget,
      countTokens,
    });
    assert.ok(chunks.length > 2, `expected several chunks, got ${chunks.length}`);
    assert.deepEqual(skipped, []);
    let next = 1;
    for (const chunk of chunks) {
      assert.equal(chunk.segments.length, 1);
      const [segment] = chunk.segments;
      assert.equal(segment.startLine, next, 'chunks are contiguous and cover everything');
      next = segment.endLine + 1;
      assert.ok(
        chunk.tokens <= budget && tokensOf(chunk.numbered) <= budget,
        `chunk of ${chunk.tokens} tokens exceeds ${budget}`,
      );
      assert.match(
        lines[segment.startLine - 1],
        /^export function handler\d+/,
        `chunk starts at a declaration, not "${lines[segment.startLine - 1]}"`,
      );
    }
    assert.equal(next, lines.length + 1);
  });

  it('splits at a blank line when there is no declaration', () => {
    const lines = [
      ...Array.from({ length: 10 }, (_, i) => `  a${i} = compute(${i});`),
      '',
      ...Array.from({ length: 10 }, (_, i) => `  b${i} = compute(${i});`),
    ];
    const { chunks } = chunkRegions(lines, [{ startLine: 1, endLine: lines.length }], {
      budgetTokens: 110,
      countTokens,
    });
    assert.equal(chunks[0].segments[0].endLine, 11, 'first chunk ends with the blank line');
  });

  it('skips a single line larger than the budget and says so', () => {
    const lines = ['const a = 1;', `const blob = "${'x'.repeat(2000)}";`, 'const b = 2;'];
    const { chunks, skipped } = chunkRegions(lines, [{ startLine: 1, endLine: 3 }], { budgetTokens: 100, countTokens });
    assert.deepEqual(
      chunks.map((c) => c.segments),
      [
        [
          { startLine: 1, endLine: 1 },
          { startLine: 3, endLine: 3 },
        ],
      ],
    );
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0].startLine, 2);
    assert.match(skipped[0].reason, /line 2 alone is larger than the model's input budget \(100 tokens\)/);
  });

  it('packs several diff regions into one chunk with gap markers and carries their changed lines', () => {
    const lines = splitLines(fileWithFunctions(6, 6));
    const changed = [3, 40];
    const regions = regionsAroundLines(changed, lines.length, 2);
    const { chunks } = chunkRegions(lines, regions, { budgetTokens: 10_000, countTokens, focusLines: changed });
    assert.equal(chunks.length, 1);
    assert.deepEqual(chunks[0].segments, regions);
    assert.deepEqual(chunks[0].focusLines, changed);
    assert.equal(chunks[0].numbered.split('\n').filter((l) => l === SEGMENT_GAP_MARKER).length, 1);
    assert.ok(!chunks[0].numbered.includes(' 20 | '), 'lines outside the regions are not sent');
  });
});
