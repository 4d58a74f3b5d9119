import * as assert from 'node:assert/strict';
import { branchReviewArguments, openFailureMessage } from '../../../../src/vscode/common/commandArguments';

describe('vscode/commandArguments', () => {
  it('reads (branch, uri) as passed by tests and keybindings', () => {
    assert.deepEqual(branchReviewArguments('main', 'file:///repo'), { branch: 'main', location: 'file:///repo' });
  });

  it('takes a SourceControl passed first by the SCM title menu as the repository, not as the branch', () => {
    const sourceControl = { id: 'git', label: 'Git', rootUri: { path: '/repo-b' } };
    assert.deepEqual(branchReviewArguments(sourceControl, undefined), { branch: undefined, location: sourceControl });
  });

  it('asks for the branch when none is given', () => {
    assert.deepEqual(branchReviewArguments(undefined, undefined), { branch: undefined, location: undefined });
    assert.deepEqual(branchReviewArguments('', 'file:///repo'), { branch: undefined, location: 'file:///repo' });
  });

  it("names the file that could not be opened as text, with the editor's reason", () => {
    const message = openFailureMessage(
      'assets/logo.png',
      new Error('File seems to be binary and cannot be opened as text'),
    );
    assert.equal(
      message,
      'Backend Reviewer: cannot review assets/logo.png: it could not be opened as text (File seems to be binary and cannot be opened as text). Binary files and files too large for the editor are not reviewed.',
    );
    assert.match(openFailureMessage('big.log', ''), /cannot review big\.log: .*\(no reason given\)/);
  });
});
