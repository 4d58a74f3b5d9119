import { readableTargets } from './common/documentSource';
import * as vscode from 'vscode';
import { CHAT_PARTICIPANT_ID } from './common/commandIds';
import { applyAllFixes } from './findingCommands';
import { findRepository, uncommittedChanges } from './gitDiffs';
import {
  followupsFor,
  handleChat,
  type ChatDeps,
  type ChatOutput,
  type ChatResultMeta,
  type ChatTurn,
  type DocumentSnapshot,
  type PublishedReview,
} from './common/chatHandler';
import { providerForModel } from './providerFactory';
import { diffTargets, publishOutcome, unitFor, type ReviewTarget } from './reviewRunner';
import type { SkippedPart } from '../core/findings';
import type { ChatProvider } from '../core/providers/provider';
import type { Services } from './services';

function snapshot(document: vscode.TextDocument, selection?: vscode.Range): DocumentSnapshot {
  const unit = unitFor(document);
  const snap: DocumentSnapshot = {
    uri: document.uri.toString(),
    relativePath: unit.path,
    text: unit.text,
    language: unit.language,
  };
  if (selection && !selection.isEmpty) {
    snap.selection = {
      startLine: selection.start.line + 1,
      endLine: selection.end.line + 1,
      text: document.getText(selection),
    };
  }
  return snap;
}

function activeDocument(): DocumentSnapshot | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor ? snapshot(editor.document, editor.selection) : undefined;
}

/** `#file` (a Uri) and `#selection`-like (a Location) references, as documents. */
async function referencedDocuments(request: vscode.ChatRequest): Promise<DocumentSnapshot[]> {
  const documents: DocumentSnapshot[] = [];
  for (const reference of request.references) {
    if (reference.value instanceof vscode.Uri) {
      const stat = await vscode.workspace.fs.stat(reference.value);
      if (stat.type !== vscode.FileType.File) continue;
      documents.push(snapshot(await vscode.workspace.openTextDocument(reference.value)));
    } else if (reference.value instanceof vscode.Location) {
      documents.push(snapshot(await vscode.workspace.openTextDocument(reference.value.uri), reference.value.range));
    }
  }
  return documents;
}

/** The conversation with @principal so far, as plain turns. */
function history(context: vscode.ChatContext): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const turn of context.history) {
    if (turn.participant !== CHAT_PARTICIPANT_ID) continue;
    if (turn instanceof vscode.ChatRequestTurn) {
      turns.push({ role: 'user', text: `${turn.command ? `/${turn.command} ` : ''}${turn.prompt}` });
    } else if (turn instanceof vscode.ChatResponseTurn) {
      // Markdown keeps the findings' `path:line` links (compacted for the model by the handler);
      // an anchor part becomes its `path:line` too.
      const text = turn.response
        .map((part) => {
          if (part instanceof vscode.ChatResponseMarkdownPart) return part.value.value;
          if (part instanceof vscode.ChatResponseAnchorPart) {
            const value = part.value;
            if (value instanceof vscode.Location)
              return `${vscode.workspace.asRelativePath(value.uri)}:${value.range.start.line + 1}`;
            if (value instanceof vscode.Uri) return vscode.workspace.asRelativePath(value);
          }
          return '';
        })
        .join('');
      turns.push({ role: 'assistant', text });
    }
  }
  return turns;
}

function streamOutput(stream: vscode.ChatResponseStream): ChatOutput {
  return {
    markdown: (text, options) => {
      const part = new vscode.MarkdownString(text);
      if (options?.commands) part.isTrusted = { enabledCommands: options.commands };
      stream.markdown(part);
    },
    progress: (text) => stream.progress(text),
    anchor: (target, title) =>
      stream.anchor(
        new vscode.Location(vscode.Uri.parse(target.uri), new vscode.Position(Math.max(0, target.line - 1), 0)),
        title,
      ),
    button: (command) => stream.button(command),
  };
}

async function reviewTargets(
  services: Services,
  targets: ReviewTarget[],
  kind: 'chat' | 'changes',
  key: string,
  provider: ChatProvider,
  signal: AbortSignal,
  skipped: SkippedPart[] = [],
  note?: string,
): Promise<PublishedReview> {
  const statusToken = services.statusBar.begin(key, 'chat review');
  try {
    // The size cap and binary check of the CLI's reading; what fails them is a skipped part.
    const readable = readableTargets(targets);
    targets = readable.targets;
    const outcome = await services.reviewService.review({
      key,
      kind,
      units: targets.map((t) => t.unit),
      skipped: [...skipped, ...readable.skipped],
      signal,
      provider,
      ...(note !== undefined ? { note } : {}),
    });
    const files = (await publishOutcome(services, targets, outcome)).files.map((file, index) => ({
      ...file,
      relativePath: targets[index].unit.path,
    }));
    return { outcome, files };
  } finally {
    services.statusBar.end(statusToken);
  }
}

/** Registers @principal; returns its handler (exported to the integration tests through `activate`). */
export function registerChatParticipant(
  context: vscode.ExtensionContext,
  services: Services,
): vscode.ChatRequestHandler {
  const handler: vscode.ChatRequestHandler = async (request, chatContext, stream, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    const provider = providerForModel(request.model, services.config(), services.logger);
    const deps: ChatDeps = {
      mode: services.mode,
      catalog: () => services.reviewContext.catalog(),
      detectModeRequest: (text, catalog) => services.personas.detectModeRequest(text, catalog),
      renderPersona: (mode, language) => services.reviewContext.render(mode, language),
      activeDocument,
      referencedDocuments: () => referencedDocuments(request),
      // `note`: the words after /review, given to the model as the user's note (context, redacted).
      reviewDocuments: async (documents, signal, note) => {
        const targets: ReviewTarget[] = [];
        for (const document of documents) {
          const textDocument = await vscode.workspace.openTextDocument(vscode.Uri.parse(document.uri));
          targets.push({ uri: textDocument.uri, unit: unitFor(textDocument), replace: 'all' });
        }
        return reviewTargets(
          services,
          targets,
          'chat',
          targets.length === 1 ? targets[0].uri.toString() : `chat:${targets.map((t) => t.unit.path).join(',')}`,
          provider,
          signal,
          [],
          note,
        );
      },
      reviewChanges: async (signal) => {
        const input = await uncommittedChanges(await findRepository(), services.logger);
        return reviewTargets(
          services,
          diffTargets(input, services.config().diffContextSlack),
          'changes',
          `changes:${input.repository.rootUri.toString()}`,
          provider,
          signal,
          input.skipped,
        );
      },
      applyAllFixes: () => applyAllFixes(services),
      model: provider,
      signal: controller.signal,
    };
    try {
      const meta = await handleChat(
        { command: request.command, prompt: request.prompt, history: history(chatContext) },
        deps,
        streamOutput(stream),
      );
      return { metadata: meta };
    } finally {
      subscription.dispose();
    }
  };
  const participant = vscode.chat.createChatParticipant(CHAT_PARTICIPANT_ID, handler);
  participant.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
  participant.followupProvider = {
    provideFollowups: (result) => {
      const meta = result.metadata as ChatResultMeta | undefined;
      return meta ? followupsFor(meta) : [];
    },
  };
  context.subscriptions.push(participant);
  return handler;
}
