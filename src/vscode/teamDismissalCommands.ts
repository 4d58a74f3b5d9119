import * as vscode from 'vscode';
import { errorMessage } from '../core/errorMessage';
import { dismissalRates, type DismissalRate } from '../core/review/dismissalStats';
import { DISMISSALS_FILE, staleDismissals, updateDismissals } from '../core/review/dismissals';
import { setProjectRules } from '../core/config/projectConfigEdit';
import { PROJECT_CONFIG_FILE } from '../core/config/projectConfig';
import { COMMANDS } from './common/commandIds';
import { FindingsPublisher } from './diagnostics';
import { showError } from './logging';
import type { Services } from './services';

/** What a rule mostly dismissed can become, as the second pick offers it. */
const RULE_CHANGES: { label: string; level: 'off' | 'low' | 'info'; detail: string }[] = [
  { label: 'Turn it off', level: 'off', detail: 'The offline checks stop reporting it in this project.' },
  { label: 'Lower it to low', level: 'low', detail: 'Still reported, below the warnings.' },
  { label: 'Lower it to info', level: 'info', detail: 'Still reported, as a hint.' },
];

/** Removes the team dismissals whose code is gone, after the user confirms which. Returns how many. */
async function pruneDismissals(services: Services): Promise<number> {
  const candidates: { root: string; fingerprint: string; label: string; description: string; picked: boolean }[] = [];
  for (const root of services.repositoryDismissals.roots()) {
    const entries = services.repositoryDismissals.list().filter((item) => item.root === root);
    for (const { entry, why } of await staleDismissals(
      root,
      entries.map((item) => item.entry),
    )) {
      candidates.push({
        root,
        fingerprint: entry.fingerprint,
        label: entry.title ?? entry.ruleId,
        description: `${entry.file} · ${why === 'file-gone' ? 'the file is gone' : 'the dismissed code is gone'}`,
        picked: true,
      });
    }
  }
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`Backend Reviewer: no stale dismissals in ${DISMISSALS_FILE}.`);
    return 0;
  }
  const picked = await vscode.window.showQuickPick(candidates, {
    title: `Backend Reviewer: stale dismissals — the picked ones are removed from ${DISMISSALS_FILE}`,
    canPickMany: true,
  });
  if (!picked || picked.length === 0) return 0;
  for (const root of new Set(picked.map((item) => item.root))) {
    const gone = new Set(picked.filter((item) => item.root === root).map((item) => item.fingerprint));
    try {
      await updateDismissals(root, (entries) => entries.filter((entry) => !gone.has(entry.fingerprint)));
      await services.repositoryDismissals.reload(root);
    } catch (error) {
      void showError(services.logger, `Backend Reviewer: could not prune ${DISMISSALS_FILE}: ${errorMessage(error)}`);
      return 0;
    }
  }
  void vscode.window.showInformationMessage(`Backend Reviewer: removed ${picked.length} stale dismissal(s).`);
  return picked.length;
}

/**
 * Per rule and model category: how often the team dismissed its findings (of the times it was
 * seen: dismissals plus the findings shown now); a rule mostly dismissed is offered off in
 * `.backend-review.json` with one pick. Returns the rates shown.
 */
async function showDismissalStats(services: Services): Promise<DismissalRate[]> {
  const items: (vscode.QuickPickItem & { root: string; rate: DismissalRate })[] = [];
  for (const root of services.repositoryDismissals.roots()) {
    const entries = services.repositoryDismissals
      .list()
      .filter((item) => item.root === root)
      .map((item) => item.entry);
    const shown = services.publisher
      .uris()
      .filter((uri) => FindingsPublisher.projectRoot(uri) === root)
      .flatMap((uri) => services.publisher.shown(uri));
    for (const rate of dismissalRates(entries, { findings: shown })) {
      const share = rate.seen ? ` of ${rate.seen} (${Math.round((100 * rate.dismissed) / rate.seen)}%)` : '';
      items.push({
        label: `${rate.configChange ? '$(settings-gear) ' : ''}${rate.ruleId}`,
        description: `dismissed ${rate.dismissed}${share}`,
        detail: rate.suggestion ?? 'Not dismissed often enough to suggest a change.',
        root,
        rate,
      });
    }
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`Backend Reviewer: no team dismissals in ${DISMISSALS_FILE} yet.`);
    return [];
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: `Backend Reviewer: dismissal rates — pick a rule marked ⚙ to turn it off or lower it in ${PROJECT_CONFIG_FILE}`,
  });
  const ruleId = picked?.rate.configChange ? picked.rate.ruleId : undefined;
  if (picked && ruleId) {
    // The project file steers every teammate's review: only a trusted workspace may write it from here.
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        `Backend Reviewer: ${PROJECT_CONFIG_FILE} is not changed in an untrusted workspace: trust the folder first.`,
      );
      return items.map((item) => item.rate);
    }
    const change = await vscode.window.showQuickPick(RULE_CHANGES, {
      title: `${ruleId} in ${PROJECT_CONFIG_FILE}`,
    });
    if (change) {
      try {
        const file = await setProjectRules(picked.root, { [ruleId]: change.level });
        await vscode.window.showTextDocument(vscode.Uri.file(file));
        services.logger.info(`Set ${ruleId} to "${change.level}" in ${file} (dismissal rate).`);
        void vscode.window.showInformationMessage(
          `Backend Reviewer: ${ruleId} is now "${change.level}" in ${PROJECT_CONFIG_FILE}.`,
        );
      } catch (error) {
        void showError(services.logger, `Backend Reviewer: ${errorMessage(error)}`);
      }
    }
  }
  return items.map((item) => item.rate);
}

/**
 * The "turn this rule off" quick fix: rules[id] = "off" in the `.backend-review.json` of the file's
 * project (trusted workspaces only). Returns the file written, or undefined.
 */
async function turnRuleOff(services: Services, uriArg: unknown, ruleId: unknown): Promise<string | undefined> {
  const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg instanceof vscode.Uri ? uriArg : undefined;
  const root = uri ? FindingsPublisher.projectRoot(uri) : undefined;
  if (!root || typeof ruleId !== 'string') return undefined;
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      `Backend Reviewer: ${PROJECT_CONFIG_FILE} is not changed in an untrusted workspace: trust the folder first.`,
    );
    return undefined;
  }
  try {
    const file = await setProjectRules(root, { [ruleId]: 'off' });
    services.logger.info(`Turned ${ruleId} off in ${file}.`);
    void vscode.window.showInformationMessage(
      `Backend Reviewer: ${ruleId} is off in ${PROJECT_CONFIG_FILE} for this project (commit it to turn it off for the team).`,
    );
    return file;
  } catch (error) {
    void showError(services.logger, `Backend Reviewer: ${errorMessage(error)}`);
    return undefined;
  }
}

export function registerTeamDismissalCommands(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.pruneDismissals, () => pruneDismissals(services)),
    vscode.commands.registerCommand(COMMANDS.dismissalStats, () => showDismissalStats(services)),
    vscode.commands.registerCommand(COMMANDS.turnRuleOff, (uri: unknown, ruleId: unknown) =>
      turnRuleOff(services, uri, ruleId),
    ),
  );
}
