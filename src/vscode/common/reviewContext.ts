import type { ReviewerConfig } from '../../core/config/settings';
import { offlineRuleOverrides } from '../../core/config/settings';
import type { Mode, ReviewFinding } from '../../core/findings';
import type { Logger } from '../../core/log';
import type { OfflineConfig } from '../../core/offline/types';
import type { Guideline, Persona, PersonaCatalog, RenderContext, RenderedPersona } from '../../core/personas/types';
import type { ChatProvider } from '../../core/providers/provider';
import {
  choosePersona,
  describeGuidanceUsed,
  prepareReview,
  type GuidanceSource,
  type PrepareRequest,
} from '../../core/review/prepare';
import { personaRenderContext, renderPersona } from '../../core/personas/render';
import type { ReviewCacheStore, ReviewUnit } from '../../core/review/types';
import { errorMessage } from '../../core/errorMessage';
import type { ModeState } from './modeState';
import { noteText } from './reviewNotes';
import type { ReviewSetup, ReviewRequest } from './reviewService';
import type { TeamDecision } from '../../core/review/dismissals';

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
  /** The team's dismissals concerning a unit path, for the model (none in an untrusted workspace). */
  teamDecisions?(path: string): TeamDecision[];
  cache: ReviewCacheStore;
  /** The offline checks of one file, with the configuration the prepared review decided. */
  offlineFindings?(unit: ReviewUnit, checks: OfflineConfig): Promise<ReviewFinding[]>;
  /** Whether the untrusted workspace has guideline or persona files that were left out (so the user is told why). */
  workspaceHasGuidance(): Promise<boolean>;
  logger: Logger;
}

/**
 * The editor's side of preparing a review: it translates settings, the mode state and workspace
 * trust into a `PrepareRequest` (core/review/prepare.ts decides the rest) and keeps the persona
 * catalog and guidelines loaded between reviews, reloading them after `invalidate()` (settings,
 * trust or a guidance file changed).
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
              `Guidelines: ${typeof error === 'object' && error && 'message' in error ? String((error as { message: unknown }).message) : errorMessage(error)}`,
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

  /** Personas and guidelines as every review reads them, from this context's cache. */
  private guidance(): GuidanceSource {
    return {
      catalog: () => this.catalog(),
      guidelines: () => this.guidelines(),
      hasProjectGuidance: () => this.deps.workspaceHasGuidance(),
      workspaceOrigin: 'workspace working tree',
    };
  }

  /** The review the settings, the mode state and trust ask for, in the terms every review is prepared from. */
  prepareRequest(request: Pick<ReviewRequest, 'units' | 'skipped' | 'note'>): PrepareRequest {
    const config = this.deps.config();
    return {
      targets: request.units,
      skipped: request.skipped,
      persona: config.persona,
      mode: this.deps.mode.get(),
      modeExplicit: this.deps.mode.explicit(),
      trusted: this.deps.trusted(),
      projectRoot: this.deps.workspaceRoot(),
      configuration: {
        // The editor always reviews with a model; creating the provider fails with its ways out when there is none.
        model: true,
        rules: offlineRuleOverrides(config.offlineChecks.rules),
        maxConcurrency: config.maxConcurrency,
        diffContextSlack: config.diffContextSlack,
      },
      guidance: this.guidance(),
      ...(request.note !== undefined ? { note: request.note } : {}),
    };
  }

  /**
   * The persona the chat answers as in `mode`, rendered for `language` (chosen as a review chooses
   * it), and the notes to show when the `persona` setting could not be honoured.
   */
  async render(mode: Mode, language?: string): Promise<{ rendered: RenderedPersona; notes: string[] }> {
    const chosen = choosePersona(await this.catalog(), this.deps.config().persona, mode);
    const rendered = renderPersona(
      chosen.persona,
      personaRenderContext({ language, workspaceRoot: this.deps.workspaceRoot() }),
    );
    for (const warning of rendered.warnings) this.deps.logger.warn(`Persona ${rendered.id}: ${warning}`);
    return { rendered, notes: chosen.note ? [noteText(chosen.note)] : [] };
  }

  /** `ReviewService`'s prepare step. */
  prepare = async (request: ReviewRequest): Promise<ReviewSetup> => {
    const config = this.deps.config();
    const [prepared, provider] = await Promise.all([
      prepareReview(this.prepareRequest(request)),
      request.provider ? Promise.resolve(request.provider) : this.deps.createProvider(config),
    ]);
    for (const warning of prepared.persona.warnings)
      this.deps.logger.warn(`Persona ${prepared.persona.id}: ${warning}`);
    // The same line the CLI writes on stderr: what steers this review and where each file came from.
    this.deps.logger.info(`Review guidance: ${describeGuidanceUsed(prepared.used)}`);
    const offline = this.deps.offlineFindings;
    return {
      persona: prepared.persona,
      personaName: prepared.persona.name,
      mode: prepared.mode,
      notes: prepared.notes,
      guidelines: prepared.guidelinesFor,
      teamDecisions: this.deps.teamDecisions,
      provider,
      cache: this.deps.cache,
      maxConcurrency: prepared.maxConcurrency,
      diffContextSlack: prepared.diffContextSlack,
      requestTimeoutMs: config.requestTimeoutMs,
      deadlineMs: config.reviewDeadlineMs,
      minimumConfidence: config.minimumConfidence,
      verify: config.verify,
      offlineFindings: offline ? (unit: ReviewUnit) => offline(unit, prepared.offline.checks) : undefined,
      logger: this.deps.logger,
      // Units' paths are workspace-relative: the workspace is the repository searched for what they call.
      context: {
        repositoryRoot: this.deps.workspaceRoot(),
        note: prepared.note,
        commitMessages: request.commitMessages,
      },
    };
  };
}
