import * as vscode from 'vscode';
import { MODES, type Mode } from '../core/findings';
import type { KeyValueStore } from './common/state';

const SECTION = 'backendReviewer';
const MODE_KEY = 'backendReviewer.mode';

/**
 * The store `ModeState` keeps the switched mode in: the `backendReviewer.mode` setting itself, so
 * the status bar, the Settings editor's Mode, reviews and @principal read one value. Switching
 * writes the workspace's setting when the workspace sets the mode, else the user's. Reading returns
 * only a value the user set (the setting's default applies otherwise).
 */
export class ModeSettingStore implements KeyValueStore {
  get<T>(key: string): T | undefined {
    if (key !== MODE_KEY) return undefined;
    const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string>('mode');
    const value = inspected?.workspaceValue ?? inspected?.globalValue;
    return (MODES as readonly string[]).includes(value ?? '') ? (value as T) : undefined;
  }

  async update(key: string, value: unknown): Promise<void> {
    if (key !== MODE_KEY) return;
    const configuration = vscode.workspace.getConfiguration(SECTION);
    const inspected = configuration.inspect<string>('mode');
    // Where the value in effect comes from is where it changes. Otherwise the user's settings: a
    // switch must not create .vscode/settings.json in the repository under review.
    const target =
      inspected?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
    await configuration.update('mode', value as Mode | undefined, target);
  }

  keys(): readonly string[] {
    return this.get(MODE_KEY) !== undefined ? [MODE_KEY] : [];
  }
}

/**
 * Versions before this one kept a switched mode in workspaceState, out of sight of the Mode setting
 * (the status bar said BackendPE while the setting said Pragmatic). That copy is dropped: the
 * setting is the one source now.
 */
export async function dropLegacyModeState(workspaceState: KeyValueStore): Promise<Mode | undefined> {
  const legacy = workspaceState.get<Mode>(MODE_KEY);
  if (legacy !== undefined) await workspaceState.update(MODE_KEY, undefined);
  return legacy;
}
