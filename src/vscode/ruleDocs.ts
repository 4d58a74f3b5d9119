import * as vscode from 'vscode';
import { OFFLINE_RULES } from '../core/offline';
import { COMMANDS, HELP_SCHEME } from './common/commandIds';
import { findingHelpUri, helpUri } from './diagnostics';
import { findingExplanation, findingIdOf, helpDocument } from './common/helpDocs';
import type { Services } from './services';

/** What this feature uses of the extension's services, and nothing more. */
export type RuleDocsDeps = Pick<Services, 'publisher'>;

/**
 * Serves `backend-reviewer:/review/<category>.md`, `backend-reviewer:/rules/<id>.md` and one
 * finding's explanation (`/findings/<id>.md?<file URI>`) as read-only Markdown.
 */
class HelpContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly deps: RuleDocsDeps) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    const findingId = findingIdOf(uri.path);
    if (findingId === undefined) return helpDocument(uri.path, OFFLINE_RULES);
    const finding = uri.query ? this.deps.publisher.find(vscode.Uri.parse(uri.query), findingId) : undefined;
    return finding
      ? findingExplanation(finding, OFFLINE_RULES)
      : '# This finding is gone\n\nIts file was reviewed again or edited since: hover over a current finding, or open its rule from the Problems panel.\n';
  }
}

/** Shows a help document rendered (the Markdown preview), or as text when the preview is not available. */
async function showRendered(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // The built-in Markdown extension is disabled: show the source instead.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
}

/**
 * Opens a rule's or category's explanation rendered; with a file URI and a finding id, that
 * finding's own explanation. Returns the URI shown.
 */
async function showRuleHelp(
  deps: RuleDocsDeps,
  ruleId: unknown,
  file?: unknown,
  findingId?: unknown,
): Promise<string | undefined> {
  if (typeof ruleId !== 'string' || ruleId === '') return undefined;
  const fileUri = typeof file === 'string' ? vscode.Uri.parse(file) : file instanceof vscode.Uri ? file : undefined;
  const uri =
    fileUri && typeof findingId === 'string' && deps.publisher.find(fileUri, findingId)
      ? findingHelpUri(fileUri, findingId)
      : helpUri(ruleId);
  await showRendered(uri);
  return uri.toString();
}

/**
 * A help document opened as text (a diagnostic's code link in the Problems panel opens its target
 * that way) is replaced by its rendered preview, so nobody reads the raw Markdown.
 */
function renderHelpOpenedAsText(): vscode.Disposable {
  return vscode.window.onDidChangeActiveTextEditor((editor) => {
    const uri = editor?.document.uri;
    if (uri?.scheme !== HELP_SCHEME) return;
    const tab = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
    void vscode.commands.executeCommand('markdown.showPreview', uri).then(
      () => (tab ? vscode.window.tabGroups.close(tab) : undefined),
      () => undefined, // No Markdown preview: the text stays, which still reads.
    );
  });
}

export function registerRuleDocs(context: vscode.ExtensionContext, deps: RuleDocsDeps): void {
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(HELP_SCHEME, new HelpContentProvider(deps)),
    vscode.commands.registerCommand(COMMANDS.showRuleHelp, (ruleId: unknown, file?: unknown, findingId?: unknown) =>
      showRuleHelp(deps, ruleId, file, findingId),
    ),
    renderHelpOpenedAsText(),
  );
}
