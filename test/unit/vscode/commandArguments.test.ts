import * as assert from 'node:assert/strict';
import { branchReviewArguments } from '../../../src/vscode/commandArguments';

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
});
