import type { Mode, ReviewResult } from '../../../src/core/findings';
import type { Persona, PersonaCatalog } from '../../../src/core/personas/types';
import type { ChatProvider, ChatRequest, ChatResponse } from '../../../src/core/providers/provider';
import type { PersonaApi } from '../../../src/vscode/common/reviewContext';

/** Shared fakes for the extension's logic tests. */
export function persona(id: string, mode: Mode | null, overrides: Partial<Persona> = {}): Persona {
  return {
    id,
    name: `${id} persona`,
    description: `${id} description`,
    source: `/skills/${id}/SKILL.md`,
    sourceKind: 'bundled',
    format: 'skill',
    mode,
    triggers: [],
    body: `You are ${id}.`,
    templated: false,
    references: [],
    metadata: {},
    warnings: [],
    ...overrides,
  };
}

export function catalog(...personas: Persona[]): PersonaCatalog {
  return { personas, errors: [], overrides: [] };
}

export function emptyResult(overrides: Partial<ReviewResult> = {}): ReviewResult {
  return {
    summary: '',
    findings: [],
    skipped: [],
    notes: [],
    stats: { requests: 1, cachedChunks: 0, promptTokens: 100, completionTokens: 20, durationMs: 5 },
    ...overrides,
  };
}

/** A persona API over a fixed catalog that records what it was asked. */
export function fakePersonaApi(
  fixed: PersonaCatalog,
  calls: { catalogOptions: unknown[] } = { catalogOptions: [] },
): PersonaApi & { calls: typeof calls } {
  return {
    calls,
    loadPersonaCatalog: async (options) => {
      calls.catalogOptions.push(options);
      return fixed;
    },
    renderPersona: (p, context) => ({
      id: p.id,
      name: p.name,
      mode: p.mode,
      text: `${p.body} [${context.language ?? 'any'}]`,
      warnings: [],
    }),
    findPersona: (c, id) => c.personas.find((p) => p.id === id),
    personaForMode: (c, mode) => c.personas.find((p) => p.mode === mode),
    detectModeRequest: (text) =>
      /supermode|backendpe/i.test(text) ? 'backendpe' : /pragmatic/i.test(text) ? 'pragmatic' : null,
    loadGuidelines: async () => ({
      guidelines: [{ source: 'AGENTS.md', kind: 'agents', applyTo: [], text: 'Use zod.' }],
      errors: [],
    }),
    guidelinesFor: (guidelines) => guidelines,
  };
}

/** A provider that answers with scripted chunks and records the requests. */
export class FakeChatProvider implements ChatProvider {
  readonly id = 'fake:model';
  readonly modelName = 'fake';
  readonly maxInputTokens = 10_000;
  readonly requests: ChatRequest[] = [];
  constructor(private readonly answer: string[] | ((request: ChatRequest) => Promise<string[]>) = ['ok']) {}
  countTokens(text: string): number {
    return Math.ceil(text.length / 4);
  }
  async complete(request: ChatRequest): Promise<ChatResponse> {
    this.requests.push(request);
    const parts = typeof this.answer === 'function' ? await this.answer(request) : this.answer;
    for (const part of parts) request.onText?.(part);
    return { text: parts.join(''), usage: { promptTokens: 1, completionTokens: 1 }, format: 'text', truncated: false };
  }
}
