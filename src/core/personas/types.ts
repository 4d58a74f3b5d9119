import type { Mode } from '../findings';

export const PERSONA_FORMATS = ['skill', 'agent', 'chatmode', 'agpm', 'plain', 'mdc'] as const;
export type PersonaFormat = (typeof PERSONA_FORMATS)[number];

/** Where a persona came from; later sources override earlier ones with the same id. */
export type PersonaSourceKind = 'bundled' | 'user' | 'workspace';

export interface Persona {
  id: string;
  name: string;
  description: string;
  /** Absolute path of the file (the SKILL.md for a skill folder). */
  source: string;
  sourceKind: PersonaSourceKind;
  format: PersonaFormat;
  mode: Mode | null;
  triggers: string[];
  /** Markdown body without front matter, encoding repaired, not yet rendered. */
  body: string;
  /** 1-based line of the file where `body` starts (after front matter), so messages about the body can cite file lines. */
  bodyLine?: number;
  /** Templated (agpm) persona: the body must be rendered before a model sees it. */
  templated: boolean;
  /** `references/*.md` of a skill folder, in a stable order, size-capped. */
  references: { path: string; text: string }[];
  /** Front-matter keys the schema does not know, kept as they were. */
  metadata: Record<string, unknown>;
  warnings: string[];
}

export interface PersonaLoadError {
  /** File or directory the error is about. */
  source: string;
  message: string;
}

export interface PersonaCatalog {
  personas: Persona[];
  errors: PersonaLoadError[];
  /** "id from A overrides id from B" lines: reported, not errors. */
  overrides: string[];
}

/** What a templated persona is rendered against. Unknown variables render empty, with a warning. */
export interface RenderContext {
  /** Language of the reviewed file, e.g. `typescript`, `python`, `go`. */
  language?: string;
  projectName?: string;
  /** Anything else the caller knows, addressable as `project.<key>`. */
  extra?: Record<string, unknown>;
}

export interface RenderedPersona {
  id: string;
  name: string;
  mode: Mode | null;
  /**
   * Where the persona came from. Only a bundled persona written for the review's mode stands in for
   * that mode's rubric (prompt.ts); absent means unknown and is treated like a user's persona.
   */
  sourceKind?: PersonaSourceKind;
  /** Exactly what the model receives as the persona part of the system prompt. */
  text: string;
  warnings: string[];
}

/** Project guidelines (AGENTS.md, copilot-instructions, *.instructions.md, .cursor/rules, CLAUDE.md). */
export interface Guideline {
  source: string;
  kind: 'agents' | 'copilot' | 'instructions' | 'cursor' | 'claude';
  /** Globs the guideline applies to (relative to the workspace root); empty means every file. */
  applyTo: string[];
  text: string;
}
