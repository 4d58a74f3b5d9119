import { strict as assert } from 'node:assert';
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
