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

  it('puts its editor and explorer context-menu items under a "Backend Reviewer" submenu of their own group', () => {
    const menus = manifest.contributes.menus;
    const submenus = new Map<string, string>(
      (manifest.contributes.submenus as { id: string; label: string }[]).map((s) => [s.id, s.label]),
    );
    for (const where of ['editor/context', 'explorer/context']) {
      for (const item of menus[where] as { command?: string; submenu?: string; group: string }[]) {
        assert.equal(item.command, undefined, `${where}: ${item.command} sits among other extensions' items`);
        assert.equal(submenus.get(item.submenu ?? ''), 'Backend Reviewer', where);
        assert.match(item.group, /^\d_backendReviewer@/);
        const inside = (menus[item.submenu as string] as { command: string }[]).map((entry) => entry.command);
        assert.ok(inside.includes('backendReviewer.reviewFile'), `${where}: ${inside.join(', ')}`);
      }
    }
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

  describe('settings as the Settings editor shows them', () => {
    type Property = Record<string, unknown> & { order?: number; enum?: string[]; enumItemLabels?: string[] };
    const sections: { id: string; title: string; order: number; properties: Record<string, Property> }[] =
      manifest.contributes.configuration;

    it('come in titled sections, Model first with Provider at its top', () => {
      assert.deepEqual(
        [...sections].sort((a, b) => a.order - b.order).map((s) => s.title),
        ['Model', 'OpenAI-Compatible Endpoint', 'VS Code Language Model', 'Review', 'Offline Checks'],
      );
      const model = sections.find((s) => s.title === 'Model');
      const first = Object.entries(model?.properties ?? {}).sort(
        ([, a], [, b]) => (a.order ?? 99) - (b.order ?? 99),
      )[0];
      assert.equal(first[0], 'backendReviewer.provider');
    });

    it('each key sits in the section named by its prefix (browsed by section, the label drops the prefix)', () => {
      // The Settings editor drops the part of a key's category that matches its section id.
      for (const section of sections) {
        assert.match(section.id, /^backendReviewer\.\w+$/);
        for (const [key, property] of Object.entries(section.properties)) {
          const category = key.slice(0, key.lastIndexOf('.'));
          assert.ok(category === 'backendReviewer' || category === section.id, `${key} in section ${section.id}`);
          assert.equal(typeof property.order, 'number', `${key} has an order`);
        }
      }
    });

    it('every enum has a readable label and a description per value', () => {
      for (const section of sections)
        for (const [key, property] of Object.entries(section.properties)) {
          if (!property.enum) continue;
          assert.equal(property.enumItemLabels?.length, property.enum.length, `${key} enumItemLabels`);
          assert.equal((property.enumDescriptions as string[]).length, property.enum.length, `${key} enumDescriptions`);
        }
    });

    it('the persona setting links to the Choose Persona command; the rules setting shows an example', () => {
      const all: Record<string, Property> = Object.assign({}, ...sections.map((s) => s.properties));
      assert.match(
        String(all['backendReviewer.persona'].markdownDescription),
        /\]\(command:backendReviewer\.selectPersona\)/,
      );
      assert.match(
        String(all['backendReviewer.offlineChecks.rules'].markdownDescription),
        /```json\n[\s\S]*"explicit-any": "off"/,
      );
      const choose = manifest.contributes.commands.find(
        (c: { command: string }) => c.command === COMMANDS.selectPersona,
      );
      assert.equal(choose.title, 'Choose Persona…');
    });
  });
});
