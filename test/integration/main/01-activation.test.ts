// Group 1: the extension activates on its commands and chat participant; every contributed command is registered.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { reviewerExtension, waitFor } from '../helpers';

const EXPECTED_COMMANDS = [
  'reviewFile',
  'reviewSelection',
  'reviewChanges',
  'reviewStaged',
  'reviewAgainstBranch',
  'reviewFolder',
  'switchMode',
  'selectPersona',
  'clearFindings',
  'setApiKey',
  'showLog',
  'previewPrompt',
  'showDismissed',
].map((name) => `backendReviewer.${name}`);

interface ContributedCommand {
  command: string;
  title: string;
}
interface ChatParticipantContribution {
  id: string;
  name: string;
}

describe('activation and contributions', () => {
  it('contributes every review command and the @principal chat participant, with activation on both', () => {
    const manifest = reviewerExtension().packageJSON as {
      activationEvents?: string[];
      contributes?: { commands?: ContributedCommand[]; chatParticipants?: ChatParticipantContribution[] };
    };
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    for (const id of EXPECTED_COMMANDS) assert.ok(contributed.includes(id), `package.json does not contribute ${id}`);
    const participants = manifest.contributes?.chatParticipants ?? [];
    assert.ok(
      participants.some((p) => p.id === 'backendReviewer.principal'),
      'package.json does not contribute the backendReviewer.principal chat participant',
    );
    // The Chat view cannot reach a model in code-server, so activation through the participant is checked on the manifest.
    assert.ok(
      (manifest.activationEvents ?? []).includes('onChatParticipant:backendReviewer.principal'),
      'no onChatParticipant activation event',
    );
    // VS Code derives onCommand/onChatParticipant activation from the contributions; an explicit `*` would defeat lazy activation.
    assert.ok(!(manifest.activationEvents ?? []).includes('*'), 'activationEvents must not contain "*"');
  });

  it('activates when one of its commands runs and then registers every contributed command', async () => {
    const extension = reviewerExtension();
    // No editor is open yet and nothing ran: none of its activation events has fired.
    assert.equal(extension.isActive, false, 'the extension activated before any of its activation events');
    // showLog has no side effects on files: a safe command to trigger activation through.
    await vscode.commands.executeCommand('backendReviewer.showLog');
    await waitFor('the extension to be active', () => extension.isActive);
    const registered = new Set(await vscode.commands.getCommands(true));
    const manifest = extension.packageJSON as { contributes?: { commands?: ContributedCommand[] } };
    const missing = (manifest.contributes?.commands ?? []).map((c) => c.command).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    for (const id of EXPECTED_COMMANDS) assert.ok(registered.has(id), `${id} is not registered`);
  });
});
