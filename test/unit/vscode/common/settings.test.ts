import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { planKeyMove, planPersonaUpdate, resolvePersonaDirectories } from '../../../../src/vscode/common/settings';

describe('vscode/settings', () => {
  describe('resolvePersonaDirectories', () => {
    const home = path.join(path.sep, 'home', 'dev');
    const root = path.join(path.sep, 'work', 'repo');
    const absolute = path.join(path.sep, 'opt', 'personas');

    it('expands ~, keeps absolute entries and puts relative ones under a trusted workspace folder', () => {
      const resolved = resolvePersonaDirectories(['~/personas', absolute, '.reviewer/personas'], {
        workspaceRoot: root,
        home,
        trusted: true,
      });
      assert.deepEqual(resolved.dirs, [path.join(home, 'personas'), absolute, path.join(root, '.reviewer/personas')]);
      assert.deepEqual(resolved.ignored, []);
    });

    it('ignores relative entries in an untrusted workspace, saying why', () => {
      const resolved = resolvePersonaDirectories(['.reviewer/personas', '~/personas'], {
        workspaceRoot: root,
        home,
        trusted: false,
      });
      assert.deepEqual(resolved.dirs, [path.join(home, 'personas')]);
      assert.equal(resolved.ignored.length, 1);
      assert.match(
        resolved.ignored[0],
        /backendReviewer\.personaDirectories: "\.reviewer\/personas" is relative to the workspace folder, which is not trusted: not loaded/,
      );
    });
  });

  describe('planKeyMove', () => {
    const inspected = { globalValue: 'user-key', workspaceValue: 'planted-key' };

    it('moves the effective key from every scope in a trusted workspace', () => {
      assert.deepEqual(planKeyMove(inspected, { trusted: true, storedKey: undefined }), {
        value: 'planted-key',
        scopes: ['workspace', 'user'],
        replacesStoredKey: false,
        ignoredScopes: [],
      });
    });

    it('offers only the user-settings key in an untrusted workspace, and leaves the workspace value alone', () => {
      assert.deepEqual(planKeyMove(inspected, { trusted: false, storedKey: undefined }), {
        value: 'user-key',
        scopes: ['user'],
        replacesStoredKey: false,
        ignoredScopes: ['workspace'],
      });
      assert.deepEqual(planKeyMove({ workspaceFolderValue: 'planted-key' }, { trusted: false, storedKey: 'mine' }), {
        value: '',
        scopes: [],
        replacesStoredKey: false,
        ignoredScopes: ['workspaceFolder'],
      });
    });

    it('asks before replacing a different stored key', () => {
      assert.equal(
        planKeyMove({ globalValue: 'user-key' }, { trusted: true, storedKey: 'other-key' })?.replacesStoredKey,
        true,
      );
      assert.equal(
        planKeyMove({ globalValue: 'user-key' }, { trusted: true, storedKey: 'user-key' })?.replacesStoredKey,
        false,
      );
      assert.equal(planKeyMove(undefined, { trusted: true, storedKey: 'other-key' }), undefined);
    });
  });

  describe('planPersonaUpdate', () => {
    const trusted = { trusted: true, hasFolder: true };

    it('"Mode default" removes the persona from every scope that has one', () => {
      assert.deepEqual(planPersonaUpdate({ globalValue: 'a', workspaceValue: 'b' }, '', trusted), {
        writes: [
          { scope: 'user', value: undefined },
          { scope: 'workspace', value: undefined },
        ],
      });
      assert.deepEqual(planPersonaUpdate({ globalValue: 'a' }, '', trusted), {
        writes: [{ scope: 'user', value: undefined }],
      });
      assert.deepEqual(planPersonaUpdate({}, '', trusted), { writes: [] });
    });

    it("does not write an untrusted workspace's settings, and warns that its value remains", () => {
      const plan = planPersonaUpdate({ globalValue: 'a', workspaceValue: 'b' }, '', {
        trusted: false,
        hasFolder: true,
      });
      assert.deepEqual(plan.writes, [{ scope: 'user', value: undefined }]);
      assert.match(plan.warning ?? '', /backendReviewer\.persona is still set to "b" in this workspace's settings/);
    });

    it('writes a chosen persona to the workspace when trusted, else to user settings', () => {
      assert.deepEqual(planPersonaUpdate(undefined, 'p', trusted).writes, [{ scope: 'workspace', value: 'p' }]);
      assert.deepEqual(planPersonaUpdate(undefined, 'p', { trusted: false, hasFolder: true }).writes, [
        { scope: 'user', value: 'p' },
      ]);
      assert.deepEqual(planPersonaUpdate(undefined, 'p', { trusted: true, hasFolder: false }).writes, [
        { scope: 'user', value: 'p' },
      ]);
    });
  });
});
