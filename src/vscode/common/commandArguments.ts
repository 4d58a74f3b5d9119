import { errorMessage } from '../../core/errorMessage';
/**
 * How command arguments are read, without `vscode`. Menus call commands with their own context:
 * the SCM title menu passes the SourceControl as the first argument, while tests and keybindings
 * pass explicit values.
 */

/**
 * `reviewAgainstBranch(branch?, location?)`: a non-empty string first argument is the branch; any
 * other first argument (a SourceControl from the SCM title menu, a Uri) says which repository, and
 * the branch is then asked for.
 */
export function branchReviewArguments(
  first: unknown,
  second: unknown,
): { branch: string | undefined; location: unknown } {
  if (typeof first === 'string' && first !== '') return { branch: first, location: second };
  // An empty branch (or none) with the location second, as tests pass it.
  if (first === undefined || first === null || typeof first === 'string')
    return { branch: undefined, location: second };
  return { branch: undefined, location: first };
}

/**
 * The message for a file a command was pointed at that the editor cannot open as text (binary,
 * too large, gone); it names the file.
 */
export function openFailureMessage(file: string, error: unknown): string {
  const reason = errorMessage(error).trim();
  return `Backend Reviewer: cannot review ${file}: it could not be opened as text (${reason === '' ? 'no reason given' : reason}). Binary files and files too large for the editor are not reviewed.`;
}
