import * as path from 'node:path';
import { languageFromPath } from '../language';
import { MAX_REFERENCES_TOTAL_BYTES } from './loader';
import { renderTemplate } from './template';
import type { Persona, RenderContext, RenderedPersona } from './types';

/**
 * Template variables for a context. Only known values are present, so a template that asks for
 * something the caller does not know gets the "unknown variable" warning rather than a silent blank.
 * `project.<key>` and `agpm.project.<key>` are the same object (agpm files use the latter).
 */
export function templateVariables(context: RenderContext): Record<string, unknown> {
  const project: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context.extra ?? {})) if (value !== undefined) project[key] = value;
  if (context.language) project.language = context.language;
  if (context.projectName) project.name = context.projectName;
  const variables: Record<string, unknown> = { project, agpm: { project } };
  if (context.language) variables.language = context.language;
  return variables;
}

/**
 * The render context for reviewing `filePath` in `workspaceRoot`: the language from the file (unless
 * given), the project name from the workspace folder's name, and whatever else the caller knows.
 * Reviews and `personas show` both build their context here, so they render a persona the same way.
 */
export function personaRenderContext(options: {
  filePath?: string;
  language?: string;
  workspaceRoot?: string;
  extra?: Record<string, unknown>;
}): RenderContext {
  const context: RenderContext = {};
  const language = options.language ?? (options.filePath ? languageFromPath(options.filePath) : undefined);
  if (language) context.language = language;
  if (options.workspaceRoot) context.projectName = path.basename(path.resolve(options.workspaceRoot));
  if (options.extra) context.extra = options.extra;
  return context;
}

/**
 * The persona exactly as the model receives it: the body (templated personas rendered against the
 * context), then each reference between BEGIN/END lines, within the total reference budget.
 */
export function renderPersona(persona: Persona, context: RenderContext): RenderedPersona {
  const warnings: string[] = [];
  const variables = templateVariables(context);
  const fileName = path.basename(persona.source);
  const render = (text: string, where: string, firstLine: number): string => {
    if (!persona.templated) return text;
    const result = renderTemplate(text, variables, { firstLine });
    warnings.push(...result.warnings.map((w) => `${where}: ${w}`));
    return result.text;
  };

  const parts = [render(persona.body, fileName, persona.bodyLine ?? 1).trim()];
  let budget = MAX_REFERENCES_TOTAL_BYTES;
  for (const reference of persona.references) {
    const text = render(reference.text, reference.path, 1).trim();
    const size = Buffer.byteLength(text, 'utf8');
    if (size > budget) {
      warnings.push(
        `${reference.path}: left out, the references would exceed ${MAX_REFERENCES_TOTAL_BYTES / 1024} KiB`,
      );
      continue;
    }
    budget -= size;
    parts.push(
      [
        `----- BEGIN REFERENCE ${reference.path} (extra context for ${persona.name}) -----`,
        text,
        `----- END REFERENCE ${reference.path} -----`,
      ].join('\n'),
    );
  }
  return {
    id: persona.id,
    name: persona.name,
    mode: persona.mode,
    sourceKind: persona.sourceKind,
    text: parts.join('\n\n') + '\n',
    warnings,
  };
}
