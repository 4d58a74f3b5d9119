import * as vscode from 'vscode';
import { readConfig, SETTINGS_SECTION, type RawSettingsSource, type ReadConfigResult } from '../core/config/settings';

/** Raw `backendReviewer.*` values from VS Code: `get` is the effective value, `getUserValue` user scope only. */
export class VsCodeSettingsSource implements RawSettingsSource {
  private readonly configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);

  get(key: string): unknown {
    const inspected = this.configuration.inspect(key);
    if (!inspected) return undefined;
    return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue;
  }

  getUserValue(key: string): unknown {
    return this.configuration.inspect(key)?.globalValue;
  }
}

/** Reads the settings now, honouring workspace trust. */
export function currentConfig(): ReadConfigResult {
  return readConfig(new VsCodeSettingsSource(), { trusted: vscode.workspace.isTrusted });
}
