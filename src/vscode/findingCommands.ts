import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errorMessage';
import { DISMISSAL_REASONS, type DismissalReason } from '../core/findings';
import { DISMISSALS_FILE } from '../core/review/dismissals';
import { FindingsPublisher } from './diagnostics';
import { CHAT_PARTICIPANT_NAME, COMMANDS } from './common/commandIds';
import { fixApplies, planFixes, replacementText, type LineEdit } from './common/fixPlans';
import { explainQuery, type PublishedFinding } from './common/publishedFindings';
import type { Services } from './services';
import { showError } from './logging';
import { redactSecrets } from '../core/review/redact';
import { counted } from '../core/counted';

function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return vscode.Uri.parse(arg);
  return undefined;
}

/** The document range of whole lines `startLine..endLine` (1-based). */
function linesRange(document: vscode.TextDocument, startLine: number, endLine: number): vscode.Range {
  return new vscode.Range(startLine - 1, 0, endLine - 1, document.lineAt(endLine - 1).range.end.character);
}

function addLineEdit(
  edit: vscode.WorkspaceEdit,
  document: vscode.TextDocument,
  lineEdit: Pick<LineEdit, 'startLine' | 'endLine' | 'replacement'>,
): void {
  edit.replace(document.uri, linesRange(document, lineEdit.startLine, lineEdit.endLine), lineEdit.replacement);
}

/** Adds a finding's fix: its whole lines, without the trailing newline a model tends to add. */
export function addFixEdit(
  edit: vscode.WorkspaceEdit,
  document: vscode.TextDocument,
  fix: NonNullable<PublishedFinding['fix']>,
): void {
  addLineEdit(edit, document, {
    startLine: fix.startLine,
    endLine: fix.endLine,
    replacement: replacementText(fix.replacement),
  });
}

/**
 * Builds one WorkspaceEdit with every fix that still applies in the document. `confirm`: each change
 * carries `needsConfirmation` metadata, so VS Code shows it in the refactor preview first.
 */
export function fixAllEdit(
  services: Pick<Services, 'publisher'>,
  document: vscode.TextDocument,
  confirm = false,
): { edit: vscode.WorkspaceEdit; applied: number; skipped: number; ids: string[] } {
  const shown = services.publisher.shown(document.uri);
  const { edits, skipped } = planFixes(shown, document.getText());
  const edit = new vscode.WorkspaceEdit();
  // One metadata object: the preview groups the fixes under one entry, ticked (confirmed) at once.
  const metadata: vscode.WorkspaceEditEntryMetadata | undefined = confirm
    ? {
        label: `Backend Reviewer: ${edits.length === 1 ? 'suggested fix' : `${edits.length} suggested fixes`}`,
        description: edits
          .map(
            (lineEdit) =>
              `${shown.find((f) => f.id === lineEdit.findingId)?.title ?? 'fix'} (line ${lineEdit.startLine})`,
          )
          .join('; '),
        needsConfirmation: true,
      }
    : undefined;
  for (const lineEdit of edits)
    edit.replace(
      document.uri,
      linesRange(document, lineEdit.startLine, lineEdit.endLine),
      lineEdit.replacement,
      metadata,
    );
  return { edit, applied: edits.length, skipped: skipped.length, ids: edits.map((lineEdit) => lineEdit.findingId) };
}

async function applyFix(services: Services, uriArg: unknown, id: unknown): Promise<boolean> {
  const uri = uriOf(uriArg);
  const finding = uri && typeof id === 'string' ? services.publisher.find(uri, id) : undefined;
  if (!uri || !finding || !finding.fix) {
    void vscode.window.showWarningMessage(
      'Backend Reviewer: that finding is gone (the code changed or the file was re-reviewed).',
    );
    return false;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (!fixApplies(finding, document.getText())) {
    void vscode.window.showWarningMessage(
      'Backend Reviewer: the code changed since the review, so the suggested fix no longer applies. Review the file again.',
    );
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  addFixEdit(edit, document, finding.fix);
  const applied = await vscode.workspace.applyEdit(edit);
  if (applied) services.publisher.remove(uri, [finding.id]);
  return applied;
}

export interface ApplyAllOutcome {
  applied: number;
  skipped: number;
  files: number;
  /** The outcome as shown to the user. */
  message: string;
}

/**
 * Applies every suggested fix that still applies in ONE file (the URI argument, else the active
 * editor's), as one edit shown in the refactor preview first (the user applies or discards it; one
 * undo reverts it), then says what happened. Fixes elsewhere are never touched: a fix is reviewed in
 * the file it belongs to.
 */
export async function applyAllFixes(services: Services, uriArg?: unknown): Promise<ApplyAllOutcome> {
  const uri = uriOf(uriArg) ?? vscode.window.activeTextEditor?.document.uri;
  const say = (message: string, warn = false): string => {
    services.logger.info(message);
    void (warn ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
    return message;
  };
  if (!uri) {
    return {
      applied: 0,
      skipped: 0,
      files: 0,
      message: say('Backend Reviewer: open the file whose suggested fixes you want to apply.', true),
    };
  }
  const document = await vscode.workspace.openTextDocument(uri);
  const name = FindingsPublisher.relativePath(uri);
  const plan = fixAllEdit(services, document, true);
  const leftOut =
    plan.skipped > 0
      ? `; ${plan.skipped} left out because the code changed since the review or it overlaps a more severe fix`
      : '';
  if (plan.applied === 0) {
    const message =
      plan.skipped === 0
        ? `Backend Reviewer: no suggested fixes to apply in ${name}.`
        : `Backend Reviewer: no suggested fix in ${name} applies any more${leftOut}.`;
    return { applied: 0, skipped: plan.skipped, files: 0, message: say(message) };
  }
  const version = document.version;
  const accepted = await vscode.workspace.applyEdit(plan.edit);
  // The preview's Discard also resolves false; an unchanged document tells the two cases apart only
  // in that the editor reports no error: either way nothing was changed.
  if (!accepted || document.version === version) {
    return {
      applied: 0,
      skipped: plan.skipped,
      files: 0,
      message: say(`Backend Reviewer: the suggested fixes in ${name} were not applied (discarded in the preview).`),
    };
  }
  services.publisher.remove(uri, plan.ids);
  const message = `Backend Reviewer: applied ${counted(plan.applied, 'suggested fix', 'suggested fixes')} in ${name}${leftOut}. Undo reverts them all at once.`;
  return { applied: plan.applied, skipped: plan.skipped, files: 1, message: say(message) };
}

/** How a finding is dismissed: the reason, optional words, and where the dismissal is kept. */
export interface DismissChoice {
  reason: DismissalReason;
  note?: string;
  scope: 'repository' | 'personal';
}

const REASON_ITEMS: { label: string; description: string; reason: DismissalReason }[] = [
  { label: 'False positive', description: 'the finding is wrong', reason: 'false-positive' },
  { label: "Won't fix", description: 'right, but the team will not change it', reason: 'wont-fix' },
  { label: 'Acceptable here', description: 'right in general, fine in this place', reason: 'acceptable-here' },
];

/** A choice passed as the command's third argument (scripts, keybindings, tests), checked. */
function choiceFrom(arg: unknown): DismissChoice | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { reason, note, scope } = arg as Record<string, unknown>;
  if (!DISMISSAL_REASONS.includes(reason as DismissalReason)) return undefined;
  if (scope !== 'repository' && scope !== 'personal') return undefined;
  return { reason: reason as DismissalReason, note: typeof note === 'string' ? note : undefined, scope };
}

/** Asks for the reason, optional words and where to keep it; undefined when the user backs out. */
async function askDismissChoice(canShare: boolean, title: string): Promise<DismissChoice | undefined> {
  const reason = await vscode.window.showQuickPick(REASON_ITEMS, {
    title: `Dismiss "${title}": why?`,
    placeHolder: 'Pick the reason (it is recorded with the dismissal)',
  });
  if (!reason) return undefined;
  const note = await vscode.window.showInputBox({
    title: `Dismiss "${title}": in your words (optional)`,
    prompt: 'Press Enter to leave it empty',
  });
  if (note === undefined) return undefined;
  const scopes = [
    ...(canShare
      ? [
          {
            label: 'Record in the repository',
            description: DISMISSALS_FILE,
            detail: 'Shared with the team once committed: the editor and the CLI leave it out for everyone.',
            scope: 'repository' as const,
          },
        ]
      : []),
    {
      label: 'Only for me',
      description: 'this workspace',
      detail: "Kept in this workspace's editor storage, as before.",
      scope: 'personal' as const,
    },
  ];
  const scope =
    scopes.length === 1
      ? scopes[0]
      : await vscode.window.showQuickPick(scopes, { title: `Dismiss "${title}": for whom?` });
  if (!scope) return undefined;
  return { reason: reason.reason, note: note.trim() || undefined, scope: scope.scope };
}

/** The git user name of a project (recorded as who dismissed), when git knows one. */
function gitUserName(projectRoot: string): string | undefined {
  try {
    const name = execFileSync('git', ['config', 'user.name'], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return name || undefined;
  } catch {
    return undefined;
  }
}

async function dismissFinding(services: Services, uriArg: unknown, id: unknown, choiceArg?: unknown): Promise<boolean> {
  const uri = uriOf(uriArg);
  const finding = uri && typeof id === 'string' ? services.publisher.find(uri, id) : undefined;
  if (!uri || !finding) return false;
  const projectRoot = FindingsPublisher.projectRoot(uri);
  const canShare = projectRoot !== undefined && vscode.workspace.isTrusted;
  const fromCaller = choiceFrom(choiceArg);
  const choice = fromCaller ?? (await askDismissChoice(canShare, finding.title));
  if (!choice) return false;
  let undo: () => Promise<boolean>;
  if (choice.scope === 'repository') {
    if (!canShare || !projectRoot) {
      void vscode.window.showWarningMessage(
        'Backend Reviewer: this file is not in a trusted project folder, so the dismissal cannot be recorded in the repository.',
      );
      return false;
    }
    let fingerprint = finding.fingerprint;
    if (!fingerprint) {
      // A finding stored by an earlier version: its identity is computed on the current text.
      const document = await vscode.workspace.openTextDocument(uri);
      [{ fingerprint }] = await services.publisher.withFingerprints(uri, document.getText(), [finding]);
    }
    if (!fingerprint) return false;
    try {
      const recorded = fingerprint;
      undo = () => services.repositoryDismissals.restore(projectRoot, recorded);
      const entry = await services.repositoryDismissals.record(projectRoot, { ...finding, fingerprint }, uri.fsPath, {
        reason: choice.reason,
        note: choice.note,
        by: gitUserName(projectRoot),
        at: new Date(),
      });
      services.logger.info(
        `Dismissed ${finding.ruleId} "${finding.title}" in ${entry.file} for the team (${choice.reason}), recorded in ${DISMISSALS_FILE}.`,
      );
    } catch (error) {
      void showError(services.logger, `Backend Reviewer: could not record the dismissal: ${errorMessage(error)}`);
      return false;
    }
  } else {
    const dismissed = await services.dismissals.dismiss(finding.dismissal, {
      title: finding.title,
      line: finding.startLine,
      reason: choice.reason,
      note: choice.note === undefined ? undefined : redactSecrets(choice.note).text,
    });
    services.logger.info(
      `Dismissed ${finding.ruleId} "${finding.title}" in ${finding.dismissal.file} (${choice.reason}).`,
    );
    undo = () => services.dismissals.restore(dismissed.key);
  }
  services.publisher.refresh();
  // One click takes it back (a dismissal picked by mistake is otherwise a trip through Show Dismissed Findings…).
  const where = choice.scope === 'repository' ? `for the team in ${DISMISSALS_FILE}` : 'only for you';
  void vscode.window
    .showInformationMessage(`Backend Reviewer: dismissed "${finding.title}" ${where}.`, UNDO_DISMISS)
    .then(async (picked) => {
      if (picked !== UNDO_DISMISS) return;
      try {
        await undo();
        services.publisher.refresh();
        services.logger.info(`Undid the dismissal of "${finding.title}".`);
      } catch (error) {
        void showError(services.logger, `Backend Reviewer: could not undo the dismissal: ${errorMessage(error)}`);
      }
    });
  return true;
}

const UNDO_DISMISS = 'Undo';

/** Findings shown in Problems across every file with findings. */
function shownCount(services: Services): number {
  return services.publisher.uris().reduce((sum, uri) => sum + services.publisher.shown(uri).length, 0);
}

async function explainFinding(services: Services, uriArg: unknown, id: unknown): Promise<string | undefined> {
  const uri = uriOf(uriArg);
  const finding = uri && typeof id === 'string' ? services.publisher.find(uri, id) : undefined;
  if (!finding) return undefined;
  const query = explainQuery(finding, CHAT_PARTICIPANT_NAME);
  await vscode.commands.executeCommand('workbench.action.chat.open', { query });
  return query;
}

/**
 * Lists dismissed findings, personal and the team's (repository); the ones picked are restored (a
 * team dismissal is removed from the dismissals file). Returns the keys (fingerprints) restored.
 */
async function showDismissed(services: Services): Promise<string[]> {
  const personal = services.dismissals.list().map((entry) => ({
    label: entry.title,
    description: `${entry.file}:${entry.line} · ${entry.ruleId} · only for me`,
    detail: `Dismissed ${entry.dismissedAt.slice(0, 16).replace('T', ' ')}${entry.reason ? ` · ${entry.reason}` : ''} · ${entry.code.slice(0, 120)}`,
    key: entry.key,
    root: undefined as string | undefined,
  }));
  const team = services.repositoryDismissals.list().map(({ root, entry }) => ({
    label: entry.title ?? entry.ruleId,
    description: `${entry.file} · ${entry.ruleId} · team (${DISMISSALS_FILE})`,
    detail: `${entry.reason}${entry.note ? `: ${entry.note}` : ''}${entry.by ? ` · ${entry.by}` : ''}${entry.at ? ` · ${entry.at.slice(0, 10)}` : ''} · ${entry.code.slice(0, 120)}`,
    key: entry.fingerprint,
    root: root as string | undefined,
  }));
  const all = [...team, ...personal];
  if (all.length === 0) {
    void vscode.window.showInformationMessage('Backend Reviewer: no dismissed findings in this workspace.');
    return [];
  }
  const picked = await vscode.window.showQuickPick(all, {
    title: 'Backend Reviewer: dismissed findings — pick the ones to restore',
    canPickMany: true,
    matchOnDescription: true,
  });
  if (!picked || picked.length === 0) return [];
  const before = shownCount(services);
  for (const item of picked) {
    if (item.root) await services.repositoryDismissals.restore(item.root, item.key);
    else await services.dismissals.restore(item.key);
  }
  services.publisher.refresh();
  // Findings still published come back at once; the others when their file is reviewed again.
  const back = Math.max(0, shownCount(services) - before);
  const later = picked.length - Math.min(back, picked.length);
  void vscode.window.showInformationMessage(
    `Backend Reviewer: restored ${counted(picked.length, 'finding')}: ${back === 0 ? 'none is' : `${back} ${back === 1 ? 'is' : 'are'}`} back in Problems now${later > 0 ? `; ${later === 1 ? 'the other shows' : `the other ${later} show`} when ${later === 1 ? 'its file is' : 'their files are'} reviewed again` : ''}.`,
  );
  return picked.map((item) => item.key);
}

export function registerFindingCommands(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.clearFindings, (uri?: unknown) => {
      services.publisher.clear(uriOf(uri));
    }),
    vscode.commands.registerCommand(COMMANDS.applyFix, (uri: unknown, id: unknown) => applyFix(services, uri, id)),
    vscode.commands.registerCommand(COMMANDS.applyAllFixes, (uri?: unknown) => applyAllFixes(services, uri)),
    vscode.commands.registerCommand(COMMANDS.dismissFinding, (uri: unknown, id: unknown, choice?: unknown) =>
      dismissFinding(services, uri, id, choice),
    ),
    vscode.commands.registerCommand(COMMANDS.explainFinding, (uri: unknown, id: unknown) =>
      explainFinding(services, uri, id),
    ),
    vscode.commands.registerCommand(COMMANDS.showDismissed, () => showDismissed(services)),
  );
}
