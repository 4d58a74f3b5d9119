import * as path from 'node:path';
import { SETTINGS_SECTION } from '../../core/config/settings';
import { keysInSettings, type SettingScope } from './apiKey';

/** Editor-side decisions about settings: persona folders, moving a key out of settings, writing the persona setting. */

/** A key someone may have put in settings by hand; it is offered to move into SecretStorage. */
export const LEGACY_API_KEY_SETTING = 'openai.apiKey';

export interface ResolvedPersonaDirectories {
  dirs: string[];
  /** Why an entry was left out, one line each (for the log). */
  ignored: string[];
}

/**
 * The `personaDirectories` entries as absolute paths: `~` is the home folder, relative entries are
 * under the workspace folder. In an untrusted workspace a relative entry is left out: it would load
 * personas from the workspace's own files, which is what trust is meant to prevent.
 */
export function resolvePersonaDirectories(
  entries: readonly string[],
  options: { workspaceRoot?: string; home: string; trusted: boolean },
): ResolvedPersonaDirectories {
  const resolved: ResolvedPersonaDirectories = { dirs: [], ignored: [] };
  for (const entry of entries) {
    const expanded =
      entry === '~' || entry.startsWith('~/') || entry.startsWith('~\\')
        ? path.join(options.home, entry.slice(1))
        : entry;
    if (path.isAbsolute(expanded) || !options.workspaceRoot) {
      resolved.dirs.push(expanded);
    } else if (!options.trusted) {
      resolved.ignored.push(
        `${SETTINGS_SECTION}.personaDirectories: "${entry}" is relative to the workspace folder, which is not trusted: not loaded. Use an absolute or ~ path to load it here.`,
      );
    } else {
      resolved.dirs.push(path.join(options.workspaceRoot, expanded));
    }
  }
  return resolved;
}

/** What "Move to Secret Storage" would do with an API key found in settings. */
export interface KeyMove {
  value: string;
  /** Scopes the key is removed from after the move. */
  scopes: SettingScope[];
  /** A different key is already in secret storage: the user confirms before it is replaced. */
  replacesStoredKey: boolean;
  /** Workspace scopes holding a key that is neither moved nor removed: the workspace is not trusted. */
  ignoredScopes: SettingScope[];
}

/**
 * Decides the move of `openai.apiKey` from settings into secret storage. In an untrusted workspace
 * only the user's own value counts: a key planted in the workspace's settings must not replace the
 * user's stored key.
 */
export function planKeyMove(
  inspected: { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown } | undefined,
  options: { trusted: boolean; storedKey: string | undefined },
): KeyMove | undefined {
  const all = keysInSettings(inspected);
  const ignoredScopes = options.trusted ? [] : (all?.scopes ?? []).filter((scope) => scope !== 'user');
  const found = options.trusted ? all : keysInSettings({ globalValue: inspected?.globalValue });
  if (!found)
    return ignoredScopes.length > 0 ? { value: '', scopes: [], replacesStoredKey: false, ignoredScopes } : undefined;
  const stored = options.storedKey?.trim();
  return {
    value: found.value,
    scopes: found.scopes,
    replacesStoredKey: stored !== undefined && stored !== '' && stored !== found.value,
    ignoredScopes,
  };
}

/** A settings write: `value` undefined removes the setting from that scope. */
export interface PersonaWrite {
  scope: 'user' | 'workspace';
  value: string | undefined;
}

/**
 * How "Choose Persona…" writes `backendReviewer.persona` (settings are read without a resource, so
 * user and workspace values are the ones that count). A persona goes to the workspace when it is
 * trusted and has a folder, else to user settings (the setting is restricted: an untrusted
 * workspace's value is not read). "Mode default" removes the value from every scope that has one,
 * except the workspace of an untrusted folder, which is not written: `warning` says it is still there
 * and will apply once the folder is trusted.
 */
export function planPersonaUpdate(
  inspected: { globalValue?: unknown; workspaceValue?: unknown } | undefined,
  chosen: string,
  workspace: { trusted: boolean; hasFolder: boolean },
): { writes: PersonaWrite[]; warning?: string } {
  const writableWorkspace = workspace.trusted && workspace.hasFolder;
  if (chosen !== '') return { writes: [{ scope: writableWorkspace ? 'workspace' : 'user', value: chosen }] };
  const writes: PersonaWrite[] = [];
  if (inspected?.globalValue !== undefined) writes.push({ scope: 'user', value: undefined });
  if (inspected?.workspaceValue !== undefined) {
    if (writableWorkspace) {
      writes.push({ scope: 'workspace', value: undefined });
    } else {
      return {
        writes,
        warning: `${SETTINGS_SECTION}.persona is still set to ${JSON.stringify(inspected.workspaceValue)} in this workspace's settings. It is ignored while the workspace is not trusted and applies once you trust it; remove it from .vscode/settings.json to follow the mode there too.`,
      };
    }
  }
  return { writes };
}
