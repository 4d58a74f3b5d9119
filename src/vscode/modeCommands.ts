import * as vscode from 'vscode';
import type { Mode } from '../core/findings';
import { COMMANDS } from './common/commandIds';
import { modeName, parseModeArgument } from '../core/personas/modes';
import { SETTINGS_SECTION } from '../core/config/settings';
import { planPersonaUpdate } from './common/settings';
import type { Services } from './services';

/** What this feature uses of the extension's services, and nothing more. */
export type ModeCommandDeps = Pick<Services, 'config' | 'logger' | 'mode' | 'personas' | 'reviewContext'>;

/** Switches to the given mode, or to the other one. Returns the mode now in effect. */
async function switchMode(services: ModeCommandDeps, requested?: unknown): Promise<Mode> {
  const target = typeof requested === 'string' ? parseModeArgument(requested) : null;
  if (typeof requested === 'string' && !target) {
    void vscode.window.showWarningMessage(`Backend Reviewer: "${requested}" is not a mode (backendpe or pragmatic).`);
    return services.mode.get();
  }
  let next: Mode;
  if (target) {
    await services.mode.set(target);
    next = target;
  } else {
    next = await services.mode.toggle();
  }
  services.logger.info(`Mode switched to ${modeName(next)}.`);
  void vscode.window.setStatusBarMessage(`Backend Reviewer: ${modeName(next)} mode`, 3000);
  return next;
}

const PERSONA_SOURCES = [
  { kind: 'bundled', label: 'Bundled' },
  { kind: 'user', label: 'Your persona folders (backendReviewer.personaDirectories)' },
  { kind: 'workspace', label: 'This workspace' },
] as const;

/**
 * Picks the persona (setting `backendReviewer.persona`), or the mode's default. `id` skips the
 * picker (tests). A persona declared for a mode also switches to that mode.
 */
async function selectPersona(services: ModeCommandDeps, id?: unknown): Promise<string | undefined> {
  services.reviewContext.invalidate();
  const catalog = await services.reviewContext.catalog();
  let chosen: string | undefined;
  if (typeof id === 'string') {
    chosen = id;
  } else {
    const current = services.config().persona;
    const items: (vscode.QuickPickItem & { id?: string })[] = [
      {
        label: '$(sync) Mode default',
        description: `the ${modeName(services.mode.get())} persona, following the mode${current ? '' : ' (current)'}`,
        id: '',
      },
    ];
    // Grouped by where each persona comes from, under a separator per source.
    for (const source of PERSONA_SOURCES) {
      const personas = catalog.personas.filter((persona) => persona.sourceKind === source.kind);
      if (personas.length === 0) continue;
      items.push({ label: source.label, kind: vscode.QuickPickItemKind.Separator });
      for (const persona of personas)
        items.push({
          label: persona.name,
          description: `${persona.id}${persona.mode ? ` · ${modeName(persona.mode)}` : ''}${persona.id === current ? ' (current)' : ''}`,
          detail: persona.description,
          id: persona.id,
        });
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Backend Reviewer: Choose Persona',
      placeHolder: 'Review with which persona? (sets backendReviewer.persona)',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked || picked.id === undefined) return undefined;
    chosen = picked.id;
  }
  const persona = chosen ? services.personas.findPersona(catalog, chosen) : undefined;
  if (chosen && !persona) {
    void vscode.window.showWarningMessage(
      `Backend Reviewer: no persona "${chosen}" is loaded. Run "Backend Reviewer: Choose Persona…" to see the loaded ones.`,
    );
    return undefined;
  }
  const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const plan = planPersonaUpdate(configuration.inspect('persona'), chosen, {
    trusted: vscode.workspace.isTrusted,
    hasFolder: (vscode.workspace.workspaceFolders?.length ?? 0) > 0,
  });
  for (const write of plan.writes) {
    await configuration.update(
      'persona',
      write.value,
      write.scope === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
    );
  }
  if (plan.warning) {
    services.logger.warn(plan.warning);
    void vscode.window.showWarningMessage(`Backend Reviewer: ${plan.warning}`);
  }
  if (persona?.mode) await services.mode.set(persona.mode);
  services.logger.info(chosen ? `Persona set to ${chosen}.` : 'Persona follows the mode.');
  return chosen;
}

export function registerModeCommands(context: vscode.ExtensionContext, services: ModeCommandDeps): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.switchMode, (mode?: unknown) => switchMode(services, mode)),
    vscode.commands.registerCommand(COMMANDS.selectPersona, (id?: unknown) => selectPersona(services, id)),
  );
}
