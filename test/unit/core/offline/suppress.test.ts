import { strict as assert } from 'node:assert';
import { runOfflineChecks } from '../../../../src/core/offline';
import { suppressedLines, isSuppressed, suppressionEdit } from '../../../../src/core/offline/suppress';

/** The lines after applying an edit, as the editor would. */
function apply(lines: string[], edit: NonNullable<ReturnType<typeof suppressionEdit>>): string[] {
  const out = [...lines];
  if (edit.replace) out[edit.line - 1] = edit.text;
  else out.splice(edit.line - 1, 0, edit.text);
  return out;
}

describe('offline/suppressionEdit', () => {
  it('inserts an indented directive above the line, in the language comment, and it suppresses the rule', () => {
    const ts = ['function f(url: string) {', '  return fetch(url);', '}'];
    const edit = suppressionEdit(ts, 2, 'http-no-timeout', 'typescript');
    assert.deepEqual(edit, { line: 2, replace: false, text: '  // backend-review-ignore http-no-timeout' });
    const after = apply(ts, edit!);
    assert.ok(isSuppressed(suppressedLines(after), 3, 'http-no-timeout'));
    const py = ['def f(url):', '    return requests.get(url)'];
    assert.deepEqual(
      suppressionEdit(py, 2, 'http-no-timeout', 'python')?.text,
      '    # backend-review-ignore http-no-timeout',
    );
  });

  it('adds the id to a directive already above, keeping its reason; nothing when already suppressed', () => {
    const lines = ['  // backend-review-ignore silent-catch -- best effort', '  try { fetch(u) } catch {}'];
    const edit = suppressionEdit(lines, 2, 'http-no-timeout', 'typescript');
    assert.deepEqual(edit, {
      line: 1,
      replace: true,
      text: '  // backend-review-ignore silent-catch, http-no-timeout -- best effort',
    });
    const after = apply(lines, edit!);
    assert.ok(isSuppressed(suppressedLines(after), 2, 'http-no-timeout'));
    assert.ok(isSuppressed(suppressedLines(after), 2, 'silent-catch'));
    assert.equal(suppressionEdit(after, 2, 'silent-catch', 'typescript'), undefined);
    assert.equal(suppressionEdit(['// backend-review-ignore', 'x()'], 2, 'any-rule', 'typescript'), undefined);
  });

  it('suppresses the first line of a file with a directive inserted before it', () => {
    const edit = suppressionEdit(['fetch(u);'], 1, 'http-no-timeout', 'javascript');
    assert.deepEqual(edit, { line: 1, replace: false, text: '// backend-review-ignore http-no-timeout' });
  });
});

describe('offline/suppressedLines: markers of the analyzers a project already runs', () => {
  const on = (lines: string[], line: number, rule: string): boolean => isSuppressed(suppressedLines(lines), line, rule);

  it('honours nosec, nosemgrep, NOSONAR and golangci-lint nolint on the line itself or alone above it', () => {
    const go = [
      'cfg := &tls.Config{InsecureSkipVerify: true} // #nosec G402 -- self-signed test endpoint', // 1
      '//nolint:gosec // the path is ours', // 2
      'out, _ := exec.Command(tool, args...).Output()', // 3
      'resp, _ := client.Get(url) //nolint', // 4
    ];
    assert.ok(on(go, 1, 'tls-verification-disabled'));
    assert.ok(on(go, 3, 'command-injection'));
    assert.ok(on(go, 4, 'http-no-timeout'));
    const py = [
      'subprocess.call(cmd, shell=True)  # nosec B602', // 1
      'requests.get(url)  # nosec', // 2
      '# nosemgrep: python.lang.security.audit.formatted-sql-query', // 3
      'cursor.execute("SELECT * FROM t WHERE id = %s" % tid)', // 4
      'token = "a" * 3  # NOSONAR', // 5
    ];
    assert.ok(on(py, 1, 'command-injection'));
    assert.ok(on(py, 2, 'http-no-timeout'));
    assert.ok(on(py, 4, 'sql-injection'));
    assert.ok(on(py, 5, 'hardcoded-secret'));
  });

  it('keeps what the marker does not speak for: another check id, another linter, another line', () => {
    const lines = [
      'cfg := &tls.Config{InsecureSkipVerify: true} // #nosec G104', // 1: an unrelated gosec id
      'resp, _ := client.Get(url) //nolint:errcheck,revive', // 2: other linters
      'subprocess.call(cmd, shell=True)  # nosec B602', // 3
      'subprocess.call(other, shell=True)', // 4: a trailing marker speaks for its own line only
      'nosecret := compute() // the word inside a name is no marker', // 5
      'x := f() // see the nosec docs', // 6: a mention, not a marker
    ];
    assert.ok(!on(lines, 1, 'tls-verification-disabled'));
    assert.ok(!on(lines, 2, 'http-no-timeout'));
    assert.ok(on(lines, 3, 'command-injection'));
    assert.ok(!on(lines, 3, 'sql-injection'), 'B602 is a shell check only');
    assert.ok(!on(lines, 4, 'command-injection'));
    assert.ok(!on(lines, 5, 'hardcoded-secret'));
    assert.ok(!on(lines, 6, 'http-no-timeout'));
  });

  it('covers the statement a nosec or nolint marker opens or stands above, up to the bracket that closes it', () => {
    const lines = [
      'cfg := &tls.Config{ // #nosec G402 -- mesh identities', // 1
      '\tServerName: "a}b", // a bracket inside a string does not close it', // 2
      '\tInsecureSkipVerify: true,', // 3
      '}', // 4
      'other := &tls.Config{', // 5
      '\tInsecureSkipVerify: true,', // 6: after the statement: not covered
      '}', // 7
      '# nosec B501', // 8
      'requests.get(', // 9
      '    url,', // 10
      '    verify=False,', // 11
      ')', // 12
      'requests.get(url, verify=False)', // 13
      'const agent = new https.Agent({ // nosemgrep', // 14
      '  rejectUnauthorized: false,', // 15: semgrep's marker speaks for its line only
      '});', // 16
    ];
    assert.ok(on(lines, 2, 'tls-verification-disabled'));
    assert.ok(on(lines, 3, 'tls-verification-disabled'));
    assert.ok(on(lines, 4, 'tls-verification-disabled'));
    assert.ok(!on(lines, 5, 'tls-verification-disabled'));
    assert.ok(!on(lines, 6, 'tls-verification-disabled'));
    assert.ok(!on(lines, 3, 'hardcoded-secret'), 'G402 speaks for TLS only');
    assert.ok(on(lines, 11, 'tls-verification-disabled'));
    assert.ok(!on(lines, 13, 'tls-verification-disabled'));
    assert.ok(on(lines, 14, 'tls-verification-disabled'));
    assert.ok(!on(lines, 15, 'tls-verification-disabled'));
  });
});

describe('offline checks with peer markers', () => {
  it('drops a finding its line marks #nosec for the same intent and keeps the unmarked twin', async () => {
    const text = [
      'package store', // 1
      '', // 2
      'import "crypto/tls"', // 3
      '', // 4
      'func insecure(skip bool) *tls.Config {', // 5
      '\tif skip {', // 6
      '\t\treturn &tls.Config{InsecureSkipVerify: true} // #nosec G402 -- opt-in for self-signed endpoints', // 7
      '\t}', // 8
      '\treturn &tls.Config{InsecureSkipVerify: true}', // 9
      '}', // 10
    ].join('\n');
    const findings = await runOfflineChecks({ path: 'internal/store/tls.go', text }, { mode: 'pragmatic' });
    assert.deepEqual(
      findings.map((f) => `${f.startLine} ${f.ruleId}`),
      ['9 tls-verification-disabled'],
    );
  });
});
