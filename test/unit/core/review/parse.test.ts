import * as assert from 'node:assert/strict';
import { InMemoryLogger } from '../../../support/inMemoryLogger';
import { DEFAULT_CONFIDENCE, parseModelAnswer } from '../../../../src/core/review/parse';
import { FINDINGS_JSON_SCHEMA } from '../../../../src/core/review/outputContract';
import { CATEGORIES, SEVERITIES, modelFindingSchema } from '../../../../src/core/findings';

function finding(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'HTTP call without a timeout',
    severity: 'high',
    category: 'reliability',
    startLine: 12,
    endLine: 12,
    quote: 'await fetch(url)',
    message: 'A hung upstream holds this request forever.',
    suggestion: 'Pass an AbortSignal with a deadline.',
    fix: null,
    confidence: 0.8,
    ...overrides,
  };
}

function answer(findings: unknown[], summary = 'Two problems.'): string {
  return JSON.stringify({ summary, findings }, null, 2);
}

describe('parseModelAnswer', () => {
  it('reads a plain JSON answer', () => {
    const result = parseModelAnswer(answer([finding()]));
    assert.equal(result.summary, 'Two problems.');
    assert.equal(result.repaired, false);
    assert.deepEqual(result.dropped, []);
    assert.deepEqual(result.findings, [finding()]);
  });

  it('reads JSON inside a code fence surrounded by prose', () => {
    const text = `Sure! Here is my review:\n\n\`\`\`json\n${answer([finding()])}\n\`\`\`\n\nLet me know if you need more.`;
    const result = parseModelAnswer(text);
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0].title, 'HTTP call without a timeout');
  });

  it('skips braces in prose before the JSON (e.g. quoted code)', () => {
    const text = `The function \`handler() { return db.query(sql) }\` has issues: ${answer([finding()], 'One.')} — hope this helps {sic}`;
    const result = parseModelAnswer(text);
    assert.equal(result.summary, 'One.');
    assert.equal(result.findings.length, 1);
    assert.equal(result.repaired, false);
  });

  it('normalises enum case, spaces and underscores, and unique prefixes', () => {
    const result = parseModelAnswer(
      answer([
        finding({ severity: 'High', category: 'Data Integrity' }),
        finding({ severity: ' CRITICAL ', category: 'api_design' }),
        finding({ severity: 'info', category: 'perf' }),
        finding({ severity: 'low', category: 'DataIntegrity' }),
      ]),
    );
    assert.deepEqual(
      result.findings.map((f) => [f.severity, f.category]),
      [
        ['high', 'data-integrity'],
        ['critical', 'api-design'],
        ['info', 'performance'],
        ['low', 'data-integrity'],
      ],
    );
  });

  it('drops an ambiguous or unknown enum with the field and the reason, keeping the others', () => {
    const logger = new InMemoryLogger();
    const result = parseModelAnswer(answer([finding({ severity: 'blocker' }), finding({ title: 'ok' })]), { logger });
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0].title, 'ok');
    assert.equal(result.dropped.length, 1);
    assert.equal(result.dropped[0].index, 0);
    assert.match(result.dropped[0].reason, /findings\[0\]\.severity/);
    assert.ok(
      logger.messages('warn').some((m) => /Dropped finding 0 .*severity/.test(m)),
      logger.messages().join('\n'),
    );
  });

  it('accepts numbers as strings, percentages for confidence, and swaps reversed ranges', () => {
    const result = parseModelAnswer(
      answer([
        finding({ startLine: '20', endLine: '14', confidence: '0.7' }),
        finding({ confidence: '90%' }),
        finding({ confidence: 75 }),
      ]),
    );
    assert.equal(result.findings[0].startLine, 14);
    assert.equal(result.findings[0].endLine, 20);
    assert.equal(result.findings[0].confidence, 0.7);
    assert.equal(result.findings[1].confidence, 0.9);
    assert.equal(result.findings[2].confidence, 0.75);
  });

  it('defaults a missing fix to null, a missing confidence to DEFAULT_CONFIDENCE, a missing endLine to startLine', () => {
    const raw = finding();
    delete raw.fix;
    delete raw.confidence;
    delete raw.endLine;
    const result = parseModelAnswer(answer([raw]));
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0].fix, null);
    assert.equal(result.findings[0].confidence, DEFAULT_CONFIDENCE);
    assert.equal(result.findings[0].endLine, 12);
  });

  it('removes a malformed fix but keeps the finding, and logs it', () => {
    const logger = new InMemoryLogger();
    const result = parseModelAnswer(answer([finding({ fix: { startLine: 'x', replacement: 3 } })]), { logger });
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0].fix, null);
    assert.ok(logger.messages('warn').some((m) => /findings\[0\]\.fix is malformed/.test(m)));
  });

  it('keeps a well-formed fix with numeric strings', () => {
    const result = parseModelAnswer(answer([finding({ fix: { startLine: '12', endLine: 12, replacement: 'x' } })]));
    assert.deepEqual(result.findings[0].fix, { startLine: 12, endLine: 12, replacement: 'x' });
  });

  it('keeps every valid finding when others are invalid, each drop with path and message', () => {
    const result = parseModelAnswer(
      answer([
        finding({ title: 'a' }),
        'not an object',
        finding({ title: 'b', startLine: 'twelve' }),
        finding({ title: 'c', confidence: 7000 }),
        finding({ title: 'd', message: undefined }),
        finding({ title: 'e' }),
      ]),
    );
    assert.deepEqual(
      result.findings.map((f) => f.title),
      ['a', 'e'],
    );
    assert.deepEqual(
      result.dropped.map((d) => d.index),
      [1, 2, 3, 4],
    );
    assert.match(result.dropped[0].reason, /expected an object/);
    assert.match(result.dropped[1].reason, /findings\[2\]\.startLine/);
    assert.match(result.dropped[2].reason, /findings\[3\]\.confidence/);
    assert.match(result.dropped[3].reason, /findings\[4\]\.message/);
  });

  it('strips fields that are not in the contract', () => {
    const result = parseModelAnswer(answer([finding({ extra: 'x', file: 'evil.ts' })]));
    assert.deepEqual(Object.keys(result.findings[0]).sort(), Object.keys(finding()).sort());
  });

  it('repairs a truncated answer and keeps only the complete findings', () => {
    const full = answer([finding({ title: 'first' }), finding({ title: 'second' }), finding({ title: 'third' })]);
    // Cut inside the third finding, after its confidence-less fields would already validate.
    const cut = full.slice(0, full.lastIndexOf('"fix"'));
    const logger = new InMemoryLogger();
    const result = parseModelAnswer(cut, { truncated: true, logger });
    assert.equal(result.repaired, true);
    assert.deepEqual(
      result.findings.map((f) => f.title),
      ['first', 'second'],
    );
    assert.deepEqual(result.dropped, [{ index: 2, reason: 'incomplete: the answer was cut off inside this finding' }]);
    assert.ok(logger.messages('warn').some((m) => /cut off at the length limit/.test(m)));
  });

  it('keeps a last finding whose closing brace arrived before the cut', () => {
    const full = answer([finding({ title: 'first' }), finding({ title: 'second' })]);
    const cut = full.slice(0, full.lastIndexOf('}', full.lastIndexOf(']')) + 1); // ends right after the second finding
    const result = parseModelAnswer(cut, { truncated: true });
    assert.deepEqual(
      result.findings.map((f) => f.title),
      ['first', 'second'],
    );
    assert.deepEqual(result.dropped, []);
  });

  it('does not count braces inside strings as the end of a finding', () => {
    const full = answer([
      finding({ title: 'first' }),
      finding({ title: 'second', quote: 'if (x) { return; }', message: 'a } and a , here' }),
    ]);
    const cut = full.slice(0, full.lastIndexOf('"suggestion"'));
    const result = parseModelAnswer(cut, { truncated: true });
    assert.deepEqual(
      result.findings.map((f) => f.title),
      ['first'],
    );
    assert.equal(result.dropped.length, 1);
  });

  it('repairs a truncated answer inside a code fence', () => {
    const full = '```json\n' + answer([finding({ title: 'first' }), finding({ title: 'second' })]);
    const cut = full.slice(0, full.lastIndexOf('"message"') + 14);
    const result = parseModelAnswer(cut);
    assert.equal(result.repaired, true);
    assert.deepEqual(
      result.findings.map((f) => f.title),
      ['first'],
    );
  });

  it('repairs trailing commas and comments without dropping complete findings', () => {
    const text = `{
      // the review
      "summary": "ok",
      "findings": [ ${JSON.stringify(finding())}, ],
    }`;
    const result = parseModelAnswer(text);
    assert.equal(result.repaired, true);
    assert.equal(result.findings.length, 1);
  });

  it('reads a bare array of findings', () => {
    const result = parseModelAnswer(`[${JSON.stringify(finding())}]`);
    assert.equal(result.summary, '');
    assert.equal(result.findings.length, 1);
  });

  it('accepts an empty findings list and a missing findings key', () => {
    assert.deepEqual(parseModelAnswer('{"summary":"Clean.","findings":[]}').findings, []);
    const logger = new InMemoryLogger();
    const result = parseModelAnswer('{"summary":"Clean."}', { logger });
    assert.equal(result.summary, 'Clean.');
    assert.deepEqual(result.findings, []);
  });

  it('refuses an answer whose findings is not a list: the part was not reviewed (fails closed)', () => {
    assert.throws(() => parseModelAnswer('{"summary":"x","findings":"none"}'), /"findings" is a string, not a list/);
    assert.throws(() => parseModelAnswer('{"verdict":"fine"}'), /neither "summary" nor "findings"/);
  });

  it('reads answers encoded as JSON strings (twice too), and a non-number confidence as the default', () => {
    const inner = answer([finding({ title: 'kept', confidence: 'very high' })]);
    for (const text of [
      JSON.stringify(inner),
      JSON.stringify(JSON.stringify(inner)),
      `Result: ${JSON.stringify(inner)}`,
    ]) {
      const result = parseModelAnswer(text);
      assert.deepEqual(
        result.findings.map((f) => [f.title, f.confidence]),
        [['kept', DEFAULT_CONFIDENCE]],
        text.slice(0, 40),
      );
    }
  });

  it('finds the answer after any amount of prose braces, and rejects megabytes of braces with a reason', () => {
    const valid = answer([finding({ title: 'after braces' })]);
    for (const prose of ['{ '.repeat(5000), 'f() { g(); } '.repeat(5000), '"{'.repeat(3000) + '"', '[{'.repeat(2000)]) {
      assert.deepEqual(
        parseModelAnswer(`${prose}\n${valid}`).findings.map((f) => f.title),
        ['after braces'],
        prose.slice(0, 10),
      );
    }
    assert.throws(() => parseModelAnswer('{'.repeat(5 * 1024 * 1024)), /5\.0 MiB, over the 4 MiB this tool reads/);
    assert.throws(() => parseModelAnswer('{'.repeat(1024 * 1024)), /could not be repaired/);
  });

  it('parses a bounded number of candidates whatever the answer holds (a failed parse throws, which is slow)', () => {
    // 1 MiB of string literals that each look like JSON inside: "{"{"{... was 512 Ki failed parses (8 s).
    const parse = JSON.parse;
    let calls = 0;
    JSON.parse = ((text: string, reviver?: (key: string, value: unknown) => unknown) => {
      calls++;
      return parse(text, reviver) as unknown;
    }) as typeof JSON.parse;
    try {
      for (const text of [
        '"{'.repeat(512 * 1024),
        '"{x}'.repeat(256 * 1024),
        '"{\\"title\\"}"'.repeat(64 * 1024),
        '[{x}]'.repeat(200 * 1024),
      ]) {
        calls = 0;
        assert.throws(() => parseModelAnswer(text), /could not be repaired|no JSON/);
        assert.ok(calls < 10_000, `${calls} parses for ${text.slice(0, 8)}…`);
      }
    } finally {
      JSON.parse = parse;
    }
    assert.deepEqual(
      parseModelAnswer('"{'.repeat(2000) + '"\n' + answer([finding({ title: 'still found' })])).findings.map(
        (f) => f.title,
      ),
      ['still found'],
    );
  });

  it('keeps at most 50 findings of one answer, the most severe, and counts the rest', () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      finding({ title: `f${i}`, severity: i % 100 === 0 ? 'critical' : 'low' }),
    );
    const result = parseModelAnswer(answer(many));
    assert.equal(result.findings.length, 50);
    assert.equal(result.overCap, 250);
    assert.deepEqual(
      result.findings.filter((f) => f.severity === 'critical').map((f) => f.title),
      ['f0', 'f100', 'f200'],
    );
  });

  it('drops a finding with an empty title, saying why', () => {
    const result = parseModelAnswer(answer([finding({ title: '  ' }), finding({ title: 'named' })]));
    assert.deepEqual(
      result.findings.map((f) => f.title),
      ['named'],
    );
    assert.match(result.dropped[0].reason, /findings\[0\]\.title is empty/);
  });

  it('throws a clear error when there is no JSON at all', () => {
    assert.throws(
      () => parseModelAnswer('I could not review this code, sorry.'),
      /contains no JSON object.*I could not review/,
    );
    assert.throws(() => parseModelAnswer(''), /contains no JSON object/);
  });
});

describe('FINDINGS_JSON_SCHEMA', () => {
  it('is strict: every object lists all properties as required and forbids others', () => {
    const visit = (node: unknown, path: string): void => {
      if (!node || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      const types = ([] as unknown[]).concat(schema.type);
      if (types.includes('object')) {
        assert.equal(schema.additionalProperties, false, `${path}: additionalProperties`);
        assert.deepEqual(
          [...(schema.required as string[])].sort(),
          Object.keys(schema.properties as object).sort(),
          `${path}: required`,
        );
      }
      for (const [key, value] of Object.entries(schema.properties ?? {})) visit(value, `${path}.${key}`);
      if (schema.items) visit(schema.items, `${path}[]`);
    };
    visit(FINDINGS_JSON_SCHEMA, '$');
  });

  it('matches the zod contract: same fields and enums', () => {
    const items = (FINDINGS_JSON_SCHEMA.properties as Record<string, { items: Record<string, unknown> }>).findings
      .items;
    const props = items.properties as Record<string, { enum?: string[] }>;
    assert.deepEqual(Object.keys(props).sort(), Object.keys(modelFindingSchema.shape).sort());
    assert.deepEqual(props.severity.enum, [...SEVERITIES]);
    assert.deepEqual(props.category.enum, [...CATEGORIES]);
  });
});
