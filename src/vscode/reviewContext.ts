import type { Mode, ReviewFinding } from '../core/findings';
import type { Logger } from '../core/log';
import type { Guideline, Persona, PersonaCatalog, RenderContext, RenderedPersona } from '../core/personas/types';
import type { ChatProvider } from '../core/providers/provider';
import type { ReviewCacheStore, ReviewUnit } from '../core/review/types';
import type { ReviewerConfig } from './settings';
import type { PreparedReview, ReviewRequest } from './reviewService';
import type { KeyValueStore } from './state';

/** The persona functions of src/core/personas the extension uses (the module satisfies this). */
export interface PersonaApi {
  loadPersonaCatalog(options: {
    bundledDir: string;
    userDirs?: string[];
    workspaceRoot?: string;
    includeWorkspace?: boolean;
    logger?: Logger;
  }): Promise<PersonaCatalog>;
  renderPersona(persona: Persona, context: RenderContext): RenderedPersona;
  findPersona(catalog: PersonaCatalog, id: string): Persona | undefined;
  personaForMode(catalog: PersonaCatalog, mode: Mode): Persona | undefined;
  detectModeRequest(text: string, catalog: PersonaCatalog): Mode | null;
  loadGuidelines(options: {
    workspaceRoot: string;
    logger?: Logger;
  }): Promise<{ guidelines: Guideline[]; errors: unknown[] }>;
  guidelinesFor(guidelines: Guideline[], relPath: string): Guideline[];
}

/** The mode in effect: the one last switched to in this workspace, else the `mode` setting. */
export class ModeState {
  private static readonly KEY = 'backendReviewer.mode';
  private readonly listeners = new Set<(mode: Mode) => void>();

  constructor(
    private readonly state: KeyValueStore,
    private readonly settingMode: () => Mode,
  ) {}

  get(): Mode {
    return this.state.get<Mode>(ModeState.KEY) ?? this.settingMode();
  }

  async set(mode: Mode): Promise<void> {
    await this.state.update(ModeState.KEY, mode);
    for (const listener of this.listeners) listener(mode);
  }

  /** Forgets the switched mode, so the `mode` setting applies again (after the user changes it). */
  async resetToSetting(): Promise<void> {
    await this.state.update(ModeState.KEY, undefined);
    for (const listener of this.listeners) listener(this.get());
  }

  async toggle(): Promise<Mode> {
    const next: Mode = this.get() === 'backendpe' ? 'pragmatic' : 'backendpe';
    await this.set(next);
    return next;
  }

  /** Called again whenever the mode changes; returns the unsubscribe function. */
  onDidChange(listener: (mode: Mode) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface ReviewContextDeps {
  personas: PersonaApi;
  config(): ReviewerConfig;
  mode: ModeState;
  trusted(): boolean;
  /** Absolute path of the first workspace folder, when there is one. */
  workspaceRoot(): string | undefined;
  /** Absolute path of the bundled skills (`context.asAbsolutePath('skills')`). */
  bundledDir: string;
  /** Resolves the user's persona directories (`~` and relative paths). */
  resolveUserDirs(dirs: string[]): string[];
  createProvider(config: ReviewerConfig): Promise<ChatProvider>;
  cache: ReviewCacheStore;
  offlineFindings?(unit: ReviewUnit, mode: Mode, config: ReviewerConfig): Promise<ReviewFinding[]>;
  /** Whether the untrusted workspace has guideline or persona files that were left out (so the user is told why). */
  workspaceHasGuidance(): Promise<boolean>;
  logger: Logger;
}

export const UNTRUSTED_NOTE =
  'This workspace is not trusted, so its personas and project guidelines (AGENTS.md, copilot-instructions, *.instructions.md...) were not given to the model. Trust the workspace to use them.';

/**
 * Resolves what a review needs: the persona (setting `persona`, else the mode's persona), the
 * rendered persona text, project guidelines, the provider. Catalog and guidelines are loaded once
 * and reloaded after `invalidate()` (settings or trust changed).
 */
export class ReviewContext {
  private catalogPromise: Promise<PersonaCatalog> | undefined;
  private guidelinesPromise: Promise<Guideline[]> | undefined;

  constructor(private readonly deps: ReviewContextDeps) {}

  invalidate(): void {
    this.catalogPromise = undefined;
    this.guidelinesPromise = undefined;
  }

  catalog(): Promise<PersonaCatalog> {
    if (!this.catalogPromise) {
      const trusted = this.deps.trusted();
      const root = this.deps.workspaceRoot();
      const load = this.deps.personas
        .loadPersonaCatalog({
          bundledDir: this.deps.bundledDir,
          userDirs: this.deps.resolveUserDirs(this.deps.config().personaDirectories),
          workspaceRoot: root,
          includeWorkspace: trusted && root !== undefined,
          logger: this.deps.logger,
        })
        .then((catalog) => {
          for (const error of catalog.errors) this.deps.logger.warn(`Persona ${error.source}: ${error.message}`);
          for (const line of catalog.overrides) this.deps.logger.info(line);
          return catalog;
        });
      // A failed load is not cached: the next review tries again.
      this.catalogPromise = load.catch((error: unknown) => {
        this.catalogPromise = undefined;
        throw error;
      });
    }
    return this.catalogPromise;
  }

  guidelines(): Promise<Guideline[]> {
    const root = this.deps.workspaceRoot();
    if (!this.deps.trusted() || root === undefined) return Promise.resolve([]);
    if (!this.guidelinesPromise) {
      this.guidelinesPromise = this.deps.personas
        .loadGuidelines({ workspaceRoot: root, logger: this.deps.logger })
        .then(({ guidelines, errors }) => {
          for (const error of errors)
            this.deps.logger.warn(
              `Guidelines: ${typeof error === 'object' && error && 'message' in error ? String((error as { message: unknown }).message) : String(error)}`,
            );
          return guidelines;
        })
        .catch((error: unknown) => {
          this.guidelinesPromise = undefined;
          throw error;
        });
    }
    return this.guidelinesPromise;
  }

  /** The persona in effect for a mode, and notes when the `persona` setting could not be honoured. */
  async persona(mode: Mode): Promise<{ persona: Persona; notes: string[] }> {
    const catalog = await this.catalog();
    const config = this.deps.config();
    const notes: string[] = [];
    if (config.persona) {
      const chosen = this.deps.personas.findPersona(catalog, config.persona);
      if (chosen) return { persona: chosen, notes };
      const known = catalog.personas.map((p) => p.id).join(', ') || 'none';
      notes.push(
        `Setting backendReviewer.persona names "${config.persona}", which is not loaded (loaded: ${known}); using the ${mode} persona.`,
      );
    }
    const forMode = this.deps.personas.personaForMode(catalog, mode);
    if (!forMode)
      throw new Error(
        `No persona is loaded for mode "${mode}". Bundled personas are read from ${this.deps.bundledDir}; see Backend Reviewer: Show Log.`,
      );
    return { persona: forMode, notes };
  }

  async render(mode: Mode, language?: string): Promise<{ rendered: RenderedPersona; notes: string[] }> {
    const { persona, notes } = await this.persona(mode);
    const root = this.deps.workspaceRoot();
    const rendered = this.deps.personas.renderPersona(persona, {
      language,
      projectName: root ? root.split(/[\\/]/).filter(Boolean).pop() : undefined,
    });
    for (const warning of rendered.warnings) this.deps.logger.warn(`Persona ${persona.id}: ${warning}`);
    return { rendered, notes };
  }

  /** `ReviewService`'s prepare step. */
  prepare = async (request: ReviewRequest): Promise<PreparedReview> => {
    const config = this.deps.config();
    const mode = this.deps.mode.get();
    const language = request.units.length === 1 ? request.units[0].language : undefined;
    const [{ rendered, notes }, guidelines, provider] = await Promise.all([
      this.render(mode, language),
      this.guidelines(),
      request.provider ? Promise.resolve(request.provider) : this.deps.createProvider(config),
    ]);
    if (!this.deps.trusted() && (await this.deps.workspaceHasGuidance())) notes.push(UNTRUSTED_NOTE);
    const offline = this.deps.offlineFindings;
    return {
      persona: rendered,
      personaName: rendered.name,
      mode,
      notes,
      guidelines: (path: string) => this.deps.personas.guidelinesFor(guidelines, path),
      provider,
      cache: this.deps.cache,
      maxConcurrency: config.maxConcurrency,
      diffContextSlack: config.diffContextSlack,
      offlineFindings: offline ? (unit: ReviewUnit) => offline(unit, mode, config) : undefined,
      logger: this.deps.logger,
    };
  };
}
