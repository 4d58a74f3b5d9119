import * as path from 'node:path';
import * as vscode from 'vscode';
import { FindingsPublisher } from './diagnostics';
import { collectFiles } from '../core/review/files';
import { counted } from '../core/counted';
import { reportFailure, runReviewJob, type ReviewCommandResult, type ReviewTarget } from './reviewRunner';
import type { Services } from './services';

/**
 * Above this many files a folder review asks first: with a model each file is at least one request,
 * and a click on the wrong folder (the repository root of a monorepo) should not start hundreds.
 */
export const FOLDER_REVIEW_CONFIRM_FILES = 50;

/** The folder to review: the argument (explorer menu, tests), else the only or the picked workspace folder. */
async function chooseFolder(argument: vscode.Uri | undefined): Promise<vscode.Uri | undefined | 'none-open'> {
  if (argument) return argument;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return 'none-open';
  if (folders.length === 1) return folders[0].uri;
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder to review' });
  return picked?.uri;
}

function failure(message: string, show: (message: string) => unknown): ReviewCommandResult {
  void show(`Backend Reviewer: ${message}`);
  return { ok: false, cancelled: false, error: message };
}

/**
 * Reviews every file in a folder, as `backend-review review FOLDER` does: the same walk and file
 * reader (.gitignore honoured, vendored and lock files left out, size cap, binary check, encodings,
 * symlinks followed once inside the folder), unreadable files listed as skipped while the rest goes
 * on. An open file with unsaved edits is reviewed as the editor holds it.
 */
export async function reviewFolder(services: Services, argument: vscode.Uri | undefined): Promise<ReviewCommandResult> {
  const chosen = await chooseFolder(argument);
  if (chosen === 'none-open')
    return failure('Open a folder to review (File > Open Folder…).', vscode.window.showWarningMessage);
  if (!chosen) return { ok: false, cancelled: true, error: 'cancelled' };
  const title = FindingsPublisher.relativePath(chosen) || chosen.fsPath;
  if (chosen.scheme !== 'file')
    return failure(
      `${title} is not a folder on this machine (${chosen.scheme}:), so it cannot be walked.`,
      vscode.window.showErrorMessage,
    );
  let collected;
  try {
    collected = await collectFiles([chosen.fsPath], { cwd: chosen.fsPath });
  } catch (error) {
    return reportFailure(services, error);
  }
  for (const note of collected.notes) services.logger.info(`Note: ${note}`);
  const open = new Map(vscode.workspace.textDocuments.map((document) => [document.uri.toString(), document]));
  const targets: ReviewTarget[] = collected.units.map((unit) => {
    const uri = vscode.Uri.joinPath(chosen, unit.path);
    const document = open.get(uri.toString());
    return {
      uri,
      unit: {
        ...unit,
        path: FindingsPublisher.relativePath(uri),
        text: document?.isDirty ? document.getText() : unit.text,
      },
      replace: 'all',
    };
  });
  // Skipped paths are relative to the folder, or absolute for the folder itself and what lies outside it.
  const skipped = collected.skipped.map((part) => ({
    ...part,
    file: FindingsPublisher.relativePath(
      path.isAbsolute(part.file) ? vscode.Uri.file(part.file) : vscode.Uri.joinPath(chosen, part.file),
    ),
  }));
  if (targets.length > FOLDER_REVIEW_CONFIRM_FILES) {
    const answer = await vscode.window.showWarningMessage(
      `Review ${counted(targets.length, 'file')} in ${title}?`,
      {
        modal: true,
        detail:
          'With a model, each file is sent in at least one request; the offline checks run on this machine. Review a smaller folder, or exclude paths in .backend-review.json, to send less.',
      },
      'Review',
    );
    if (answer !== 'Review') return { ok: false, cancelled: true, error: 'cancelled' };
  }
  return runReviewJob(services, {
    key: `folder:${chosen.toString()}`,
    kind: 'folder',
    title,
    targets,
    skipped,
  });
}
