import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHAT_PARTICIPANT_ID, COMMANDS, INTERNAL_COMMANDS } from '../../../src/vscode/common/commandIds';

const root = path.join(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('extension manifest', () => {
  it('activates only on its chat participant and the languages the offline checks read (commands activate implicitly)', () => {
    for (const event of manifest.activationEvents as string[]) {
      assert.ok(
        event === `onChatParticipant:${CHAT_PARTICIPANT_ID}` ||
          /^onLanguage:(typescript|typescriptreact|javascript|javascriptreact|python|go)$/.test(event),
        event,
      );
    }
    assert.ok(!manifest.activationEvents.includes('*'));
    assert.ok(!manifest.activationEvents.includes('onStartupFinished'));
  });

  it('hides internal commands from the Command Palette', () => {
    const hidden = manifest.contributes.menus.commandPalette
      .filter((m: { when: string }) => m.when === 'false')
      .map((m: { command: string }) => m.command);
    assert.deepEqual([...hidden].sort(), [...INTERNAL_COMMANDS].sort());
  });

  it('binds the main review commands to keys', () => {
    const bound = manifest.contributes.keybindings.map((k: { command: string }) => k.command);
    for (const id of [COMMANDS.reviewFile, COMMANDS.reviewSelection, COMMANDS.reviewChanges])
      assert.ok(bound.includes(id), id);
  });

  it('has a 128x128 PNG icon', () => {
    const png = fs.readFileSync(path.join(root, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png.readUInt32BE(16), 128);
    assert.equal(png.readUInt32BE(20), 128);
  });

  it('has a walkthrough whose steps point to existing media and real commands', () => {
    const [walkthrough] = manifest.contributes.walkthroughs;
    const ids = new Set(Object.values(COMMANDS));
    assert.ok(walkthrough.steps.length >= 3);
    for (const step of walkthrough.steps) {
      assert.ok(fs.existsSync(path.join(root, step.media.markdown)), step.media.markdown);
      for (const match of (step.description as string).matchAll(/command:([\w.]+)/g))
        assert.ok(ids.has(match[1] as never), match[1]);
    }
  });
});
