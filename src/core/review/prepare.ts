import * as path from 'node:path';
import type { Mode, SkippedPart } from '../findings';
import { languageFromPath } from '../language';
import type { OfflineConfig, RuleOverride } from '../offline/types';
import { guidelinesFor } from '../personas/guidelines';
import { findPersona } from '../personas/loader';
import { personaForMode } from '../personas/modeRequest';
import { modeRubric } from '../personas/modes';
import { personaRenderContext, renderPersona } from '../personas/render';
import type { Guideline, Persona, PersonaCatalog, RenderedPersona } from '../personas/types';
import type { ReviewUnit } from './types';

/**
 * The one place a review is assembled, for the CLI and the editor alike: which persona, which mode
 * (and so which rubric), which project guidelines, what the offline checks run with, and what the
 * user must be told. The callers translate their flags or settings into a `PrepareRequest` and the
 * `PreparedReview` back into their outcomes; neither decides any of this on its own.
 */

/** Where personas and guidelines come from. The editor caches them between reviews; the CLI loads them once. */
export interface GuidanceSource {
  /** Every persona this review may use (bundled, the user's, the project's when trusted). */
  catalog(): Promise<PersonaCatalog>;
  /** The project's guidelines (AGENTS.md, copilot-instructions...); asked only for a trusted project and a model review. */
  guidelines(): Promise<Guideline[]>;
  /** Whether the project holds persona or guideline files; asked only when it is not trusted, to say why they were left out. */
  hasProjectGuidance?(): Promise<boolean>;
  /**
   * Where the project's personas and guidelines were read from, as the user is told:
   * `workspace@main` (a diff review's base revision) or `workspace working tree` (the default).
   */
  workspaceOrigin?: string;
  /** Where a bundled or user persona was read from, when not from disk (a `--dir` folder read from a diff's base: `user@main`). */
  originOf?(persona: Pick<Persona, 'source' | 'sourceKind'>): string | undefined;
}

/** A file that steers a review (the persona, a guideline) and where it was read from. */
export interface GuidanceUsed {
  /** A persona id, or a guideline's project-relative file. */
  name: string;
  /** `bundled`, `user`, or the source's `workspaceOrigin`. */
  origin: string;
}

/** Settings that shape a review, whatever they were read from (flags, editor settings, the project's file). */
export interface ReviewConfiguration {
  /** Whether a model is asked; false: offline checks only. */
  model: boolean;
  /** Offline rules turned off or given another severity, by rule id. */
  rules: Record<string, RuleOverride>;
  maxConcurrency?: number;
  diffContextSlack?: number;
}

export interface PrepareRequest {
  /** The files (or parts of files) to review. */
  targets: readonly ReviewUnit[];
  /** Parts already left out while collecting the targets (binary, too large...), reported with the result. */
  skipped?: readonly SkippedPart[];
  /** The persona id the user asked for (a flag or a setting); undefined: the mode's persona. */
  persona?: string;
  /** The mode the user chose, or the default when `modeExplicit` is false. */
  mode: Mode;
  /** The user chose `mode` (a flag, a setting, a switch); otherwise a persona that declares a mode brings its own. */
  modeExplicit: boolean;
  /** Whether the project may steer the review with its own personas and guidelines. */
  trusted: boolean;
  /** The project (repository or workspace folder) root: guidelines' globs are relative to it. */
  projectRoot?: string;
  /** The folder the targets' paths are relative to (the CLI's cwd); defaults to `projectRoot`. */
  targetRoot?: string;
  configuration: ReviewConfiguration;
  guidance: GuidanceSource;
  /** The user's own words about this review (CLI --note, the chat's `/review` text): sent as context. */
  note?: string;
}

/** Facts the user is told about a review that are not findings. Typed: each caller words them for its own surface. */
export type ReviewNote =
  /** The project is not trusted and has personas or guidelines, which were left out. */
  | { kind: 'untrusted' }
  /** The requested persona is not loaded; the mode's persona reviewed instead. */
  | { kind: 'unknown-persona'; requested: string; known: string[]; fallback: string };

/** Where the mode of a review came from. */
export type ModeOrigin = 'explicit' | 'persona' | 'default';

export interface PreparedReview {
  /** The persona as the model receives it. */
  persona: RenderedPersona;
  /** The catalog entry it was rendered from (where it was loaded from). */
  personaSource: Pick<Persona, 'id' | 'source' | 'sourceKind'>;
  /** The mode whose rubric is sent, and the one every report names. */
  mode: Mode;
  modeOrigin: ModeOrigin;
  /** The mode's rubric exactly as it goes into the system prompt. */
  rubric: string;
  /** Every project guideline loaded for this review; `source` says which file it came from. */
  guidelines: Guideline[];
  /** The guidelines that apply to a target, by the target's path. */
  guidelinesFor(targetPath: string): Guideline[];
  /** What runs without a model: whether a model is asked at all, and the offline checks' configuration. */
  offline: { model: boolean; checks: OfflineConfig };
  maxConcurrency?: number;
  diffContextSlack?: number;
  /** Parts left out before the engine runs. */
  skipped: SkippedPart[];
  notes: ReviewNote[];
  /** Which persona and which guideline files steer this review, and where each was read from. */
  used: { persona: GuidanceUsed; guidelines: GuidanceUsed[] };
  /** The user's note, trimmed; absent when there is none. */
  note?: string;
}

const WORKSPACE_WORKING_TREE = 'workspace working tree';

/** The one line that says what steers a review: `persona pragmatic (bundled); guidelines: AGENTS.md (workspace@main)`. */
export function describeGuidanceUsed(used: PreparedReview['used']): string {
  const guidelines =
    used.guidelines.length === 0 ? 'none' : used.guidelines.map((g) => `${g.name} (${g.origin})`).join(', ');
  return `persona ${used.persona.name} (${used.persona.origin}); guidelines: ${guidelines}`;
}

/** The language most targets are in: templated personas are rendered for it. */
export function mostCommonLanguage(targets: readonly ReviewUnit[]): string | undefined {
  const counts = new Map<string, number>();
  for (const unit of targets) {
    const language = unit.language ?? languageFromPath(unit.path);
    if (language) counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The persona asked for, else the mode's; an unknown id falls back to the mode's persona with a note. */
export function choosePersona(
  catalog: PersonaCatalog,
  requested: string | undefined,
  mode: Mode,
): { persona: Persona; note?: ReviewNote } {
  if (requested) {
    const chosen = findPersona(catalog, requested);
    if (chosen) return { persona: chosen };
    const fallback = personaForMode(catalog, mode);
    return {
      persona: fallback,
      note: { kind: 'unknown-persona', requested, known: catalog.personas.map((p) => p.id), fallback: fallback.id },
    };
  }
  return { persona: personaForMode(catalog, mode) };
}

/** A persona that declares a mode brings it, unless the user chose the mode. */
export function reviewMode(
  requested: Mode,
  explicit: boolean,
  persona: Pick<Persona, 'mode'>,
): {
  mode: Mode;
  origin: ModeOrigin;
} {
  if (explicit) return { mode: requested, origin: 'explicit' };
  if (persona.mode) return { mode: persona.mode, origin: 'persona' };
  return { mode: requested, origin: 'default' };
}

export async function prepareReview(request: PrepareRequest): Promise<PreparedReview> {
  const { configuration, guidance } = request;
  const projectRoot = request.projectRoot;
  const useGuidelines = request.trusted && configuration.model && projectRoot !== undefined;
  const [catalog, guidelines, untrustedGuidance] = await Promise.all([
    guidance.catalog(),
    useGuidelines ? guidance.guidelines() : Promise.resolve([]),
    !request.trusted && guidance.hasProjectGuidance ? guidance.hasProjectGuidance() : Promise.resolve(false),
  ]);
  const notes: ReviewNote[] = [];
  const chosen = choosePersona(catalog, request.persona, request.mode);
  if (chosen.note) notes.push(chosen.note);
  const { mode, origin } = reviewMode(request.mode, request.modeExplicit, chosen.persona);
  if (untrustedGuidance) notes.push({ kind: 'untrusted' });
  const persona = renderPersona(
    chosen.persona,
    personaRenderContext({ language: mostCommonLanguage(request.targets), workspaceRoot: projectRoot }),
  );
  const targetRoot = request.targetRoot ?? projectRoot;
  const projectPath = (targetPath: string): string =>
    projectRoot === undefined || targetRoot === undefined
      ? targetPath
      : path.relative(projectRoot, path.resolve(targetRoot, targetPath)).split(path.sep).join('/');
  const appliesTo = (targetPath: string): Guideline[] =>
    guidelines.length === 0 ? [] : guidelinesFor(guidelines, projectPath(targetPath));
  const applied = new Set(request.targets.flatMap((target) => appliesTo(target.path)));
  const workspaceOrigin = guidance.workspaceOrigin ?? WORKSPACE_WORKING_TREE;
  const used = {
    persona: {
      name: chosen.persona.id,
      origin:
        chosen.persona.sourceKind === 'workspace'
          ? workspaceOrigin
          : (guidance.originOf?.(chosen.persona) ?? chosen.persona.sourceKind),
    },
    guidelines: guidelines.filter((g) => applied.has(g)).map((g) => ({ name: g.source, origin: workspaceOrigin })),
  };
  return {
    persona,
    personaSource: { id: chosen.persona.id, source: chosen.persona.source, sourceKind: chosen.persona.sourceKind },
    mode,
    modeOrigin: origin,
    rubric: modeRubric(mode),
    guidelines,
    guidelinesFor: appliesTo,
    offline: { model: configuration.model, checks: { mode, rules: configuration.rules } },
    maxConcurrency: configuration.maxConcurrency,
    diffContextSlack: configuration.diffContextSlack,
    skipped: [...(request.skipped ?? [])],
    notes,
    used,
    ...(request.note?.trim() ? { note: request.note.trim() } : {}),
  };
}
