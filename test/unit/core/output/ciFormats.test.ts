import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { ReviewFinding, ReviewResult } from '../../../../src/core/findings';
import { formatGithub, formatGitlab, formatRdjson, type ReportMeta } from '../../../../src/core/output';
import { escapeData, escapeProperty } from '../../../../src/core/output/github';

const base: ReviewFinding = {
  title: 'SQL built by concatenation',
  severity: 'critical',
  category: 'security',
  startLine: 18,
  endLine: 19,
  quote: 'db.query("SELECT " + id)',
  message: 'User input reaches the query text.\nSecond line, with 100% certainty: bad',
  suggestion: 'Use a parameterised query.',
  fix: { startLine: 18, endLine: 19, replacement: '  db.query("SELECT $1", [id]);\n' },
  confidence: 0.9,
  file: 'src/orders.ts',
  ruleId: 'sql-injection',
  startColumn: 3,
  endColumn: 30,
  origin: 'offline',
};
const findings: ReviewFinding[] = [
  base,
  { ...base, startLine: 40, endLine: 40, fix: null, severity: 'medium', ruleId: 'review/reliability', origin: 'model' },
  { ...base, startLine: 40, endLine: 40, fix: null, severity: 'low', file: 'src/a,b:c.ts' },
  {
    ...base,
    severity: 'info',
    title: 'Tracing',
    startLine: 5,
    endLine: 5,
    startColumn: undefined,
    endColumn: undefined,
    fix: null,
  },
  { ...base, severity: 'high', startLine: 18, endLine: 19, fix: null },
];
const result: ReviewResult = {
  summary: '',
  findings,
  skipped: [{ file: 'big.ts', reason: 'too large' }],
  stats: { requests: 0, cachedChunks: 0, promptTokens: 0, completionTokens: 0, durationMs: 1 },
  notes: [],
  dismissed: [{ ...base, startLine: 70, endLine: 70, suppression: { reason: 'wont-fix' } }],
};
const meta: ReportMeta = {
  persona: 'pragmatic',
  mode: 'pragmatic',
  model: null,
  toolVersion: '0.1.0',
  rules: [
    {
      id: 'sql-injection',
      category: 'security',
      defaultSeverity: 'critical',
      title: 'SQL',
      shortDescription: 'SQL',
      helpText: 'SQL',
    },
  ],
};

/** A schema check that does not narrow its argument's type (ajv's is a type guard to unknown). */
function validator(schemaFile: string): ((data: unknown) => boolean) & { errors?: unknown } {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const compiled = ajv.compile(
    JSON.parse(readFileSync(join(__dirname, '../../../fixtures/ci-formats', schemaFile), 'utf8')),
  );
  const check = (data: unknown): boolean => {
    const ok = compiled(data);
    check.errors = compiled.errors;
    return ok;
  };
  check.errors = undefined as unknown;
  return check;
}

describe('rdjson (reviewdog)', () => {
  const validate = validator('rdjson.schema.json');
  it('validates against the DiagnosticResult schema, with severities, codes and suggestions', () => {
    const report = JSON.parse(formatRdjson(result, meta));
    assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
    assert.equal(report.diagnostics.length, 5, 'the dismissed finding is left out');
    const [first, second, , info] = report.diagnostics;
    assert.deepEqual(
      report.diagnostics.map((d: { severity: string }) => d.severity),
      ['ERROR', 'WARNING', 'INFO', 'INFO', 'ERROR'],
    );
    assert.deepEqual(first.location, { path: 'src/orders.ts', range: { start: { line: 18 }, end: { line: 19 } } });
    assert.deepEqual(first.suggestions, [
      { range: { start: { line: 18 }, end: { line: 19 } }, text: '  db.query("SELECT $1", [id]);' },
    ]);
    assert.match(first.code.url, /docs\/rules\/sql-injection\.md$/);
    assert.deepEqual(second.code, { value: 'review/reliability' }, 'model rules have no page');
    assert.equal(info.suggestions, undefined);
  });
  it('the schema refuses a misspelt field and a bad severity (so the test can fail)', () => {
    const report = JSON.parse(formatRdjson(result, meta));
    report.diagnostics[0].severity = 'CRITICAL';
    assert.equal(validate(report), false);
    const other = JSON.parse(formatRdjson(result, meta));
    other.diagnostics[0].location.file = 'x';
    assert.equal(validate(other), false);
  });
});

describe('GitLab Code Quality', () => {
  const validate = validator('gitlab-codequality.schema.json');
  it('validates, maps severities, and gives each issue its own stable fingerprint', () => {
    const report = JSON.parse(formatGitlab(result));
    assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
    assert.deepEqual(
      report.map((i: { severity: string }) => i.severity),
      ['blocker', 'major', 'minor', 'info', 'critical'],
    );
    const prints = report.map((i: { fingerprint: string }) => i.fingerprint);
    assert.equal(new Set(prints).size, prints.length, 'unique');
    const moved = JSON.parse(
      formatGitlab({
        ...result,
        findings: findings.map((f) => ({ ...f, startLine: f.startLine + 10, endLine: f.endLine + 10 })),
      }),
    );
    assert.deepEqual(
      moved.map((i: { fingerprint: string }) => i.fingerprint),
      prints,
      'lines moving does not change them',
    );
    assert.deepEqual(report[0].location, { path: 'src/orders.ts', lines: { begin: 18, end: 19 } });
  });
  it('writes paths relative to the repository root when run from a sub-folder', () => {
    const report = JSON.parse(formatGitlab(result, { sourceRoot: '/repo/services/api', projectRoot: '/repo' }));
    assert.equal(report[0].location.path, 'services/api/src/orders.ts');
    assert.ok(validate(report));
  });
  it('the schema refuses a bad severity and an absolute path', () => {
    const report = JSON.parse(formatGitlab(result));
    report[0].severity = 'high';
    assert.equal(validate(report), false);
    const absolute = JSON.parse(formatGitlab(result));
    absolute[0].location.path = '/abs/x.ts';
    assert.equal(validate(absolute), false);
  });
});

/**
 * GitHub's workflow command syntax: `::name key=value,key=value::message` on one line; in the
 * message `%`, CR and LF are percent-encoded, in a value also `:` and `,`.
 */
function parseCommand(line: string): { name: string; properties: Record<string, string>; message: string } {
  const match = /^::([a-z]+)(?: ([^:]*))?::(.*)$/.exec(line);
  assert.ok(match, `not a workflow command: ${line}`);
  const decode = (s: string): string =>
    s.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    assert.ok(eq > 0, `property without "=": ${pair}`);
    assert.ok(!/[:\r\n]/.test(pair), `unescaped character in ${pair}`);
    properties[pair.slice(0, eq)] = decode(pair.slice(eq + 1));
  }
  return { name: match[1], properties, message: decode(match[3]) };
}

describe('GitHub Actions workflow commands', () => {
  it('one annotation per finding, each one line that parses back to the finding', () => {
    const lines = formatGithub(result).trimEnd().split('\n');
    assert.equal(lines.length, findings.length + 2, 'findings, the skipped file, the summary');
    const parsed = lines.map(parseCommand);
    assert.deepEqual(
      parsed.map((c) => c.name),
      ['error', 'warning', 'notice', 'notice', 'error', 'notice', 'notice'],
    );
    assert.deepEqual(parsed[0].properties, {
      file: 'src/orders.ts',
      line: '18',
      endLine: '19',
      title: 'SQL built by concatenation [sql-injection]',
    });
    assert.equal(
      parsed[0].message,
      '[critical] User input reaches the query text.\nSecond line, with 100% certainty: bad\n\nSuggestion: Use a parameterised query.',
    );
    assert.equal(parsed[1].properties.col, '3');
    assert.equal(parsed[1].properties.endColumn, '30');
    assert.equal(parsed[2].properties.file, 'src/a,b:c.ts', 'commas and colons in a path survive');
    assert.match(parsed[6].message, /5 findings, 1 skipped, 1 dismissed by the team/);
  });
  it('code in a finding cannot start another command or hide text', () => {
    const hostile: ReviewFinding = {
      ...base,
      title: 'x\n::warning file=evil::injected',
      message: 'line\r\n::stop-commands::token\u001b[2J\u202Egnp.exe',
    };
    const out = formatGithub({ ...result, findings: [hostile], skipped: [], dismissed: [] });
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => /^::(error|notice) /.test(l)));
    assert.ok(!out.includes('\u001b') && !out.includes('\u202E') && !out.includes('\r'));
    assert.ok(out.includes('token\\x1b[2J\\u202egnp.exe'), 'shown as visible escapes, not dropped unseen');
    assert.equal(escapeData('a%0A'), 'a%250A', 'an encoded sequence in the text is not decoded into a line break');
    assert.equal(escapeProperty('a:b,c'), 'a%3Ab%2Cc');
  });
});
