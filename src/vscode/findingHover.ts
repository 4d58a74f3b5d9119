import * as vscode from 'vscode';
import { COMMANDS } from './common/commandIds';
import { findingMarkdown } from './common/findingMarkdown';
import type { Services } from './services';

/** What this feature uses of the extension's services, and nothing more. */
export type FindingHoverDeps = Pick<Services, 'publisher'>;

/**
 * The finding under the cursor rendered as Markdown (the diagnostic's own hover is plain text, so
 * backticks show raw). Anywhere in the finding's lines, not only under the squiggle, which marks
 * just its first line.
 */
class FindingHoverProvider implements vscode.HoverProvider {
  constructor(private readonly deps: FindingHoverDeps) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const line = position.line + 1;
    const here = this.deps.publisher.shown(document.uri).filter((f) => f.startLine <= line && line <= f.endLine);
    if (here.length === 0) return undefined;
    const parts = here.map((finding) => {
      // A model finding links to its own explanation; an offline one to its rule's page.
      const args =
        finding.origin === 'model' ? [finding.ruleId, document.uri.toString(), finding.id] : [finding.ruleId];
      const link = `command:${COMMANDS.showRuleHelp}?${encodeURIComponent(JSON.stringify(args))}`;
      const markdown = new vscode.MarkdownString(findingMarkdown(finding, link));
      // Model text is rendered without HTML, and no command but the explanation can run from it.
      markdown.supportHtml = false;
      markdown.isTrusted = { enabledCommands: [COMMANDS.showRuleHelp] };
      return markdown;
    });
    return new vscode.Hover(parts);
  }
}

export function registerFindingHover(context: vscode.ExtensionContext, deps: FindingHoverDeps): void {
  context.subscriptions.push(
    vscode.languages.registerHoverProvider(
      [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }],
      new FindingHoverProvider(deps),
    ),
  );
}
