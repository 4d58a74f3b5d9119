import * as path from 'node:path';
import { MODES, type Mode } from '../findings';
import { describeType, splitFrontMatter } from './frontMatter';
import { hasTemplateSyntax } from './template';
import type { PersonaFormat } from './types';

/** Front-matter keys the loader interprets; every other key is kept under `metadata`. */
const KNOWN_KEYS = new Set(['name', 'description', 'triggers', 'mode']);

export interface ParsedPersona {
  name: string;
  description: string;
  mode: Mode | null;
  triggers: string[];
  body: string;
  bodyLine: number;
  templated: boolean;
  format: PersonaFormat;
  metadata: Record<string, unknown>;
  warnings: string[];
}

/** `Backend Specialist!` → `backend-specialist`. Falls back to `persona` when nothing is left. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'persona';
}

/** File name without the persona extensions (`reviewer.agent.md` → `reviewer`, `SKILL.md` → its folder). */
export function nameFromPath(filePath: string): string {
  const base = path.basename(filePath);
  if (base === 'SKILL.md') return path.basename(path.dirname(filePath));
  return base.replace(/(\.agent|\.chatmode|\.instructions)?\.(md|mdc|txt)$/i, '');
}

/** Heading text without Markdown emphasis, links or code marks. */
function plainHeading(raw: string): string {
  return raw
    .replace(/\s+#+\s*$/, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]/g, '')
    .trim();
}

/** Lines outside fenced code blocks, so a `# comment` in a shell sample is not taken for a heading. */
function proseLines(body: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of body.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      lines.push('');
      continue;
    }
    lines.push(fenced ? '' : line);
  }
  return lines;
}

export function firstHeading(body: string): string | undefined {
  for (const line of proseLines(body)) {
    const match = /^\s{0,3}#{1,6}\s+(.+)$/.exec(line);
    if (match) {
      const heading = plainHeading(match[1]);
      if (heading) return heading;
    }
  }
  return undefined;
}

/** The first paragraph of prose: not a heading, rule, list, table, quote, HTML comment or template tag. */
export function firstParagraph(body: string): string | undefined {
  const paragraph: string[] = [];
  for (const line of proseLines(body)) {
    const trimmed = line.trim();
    const isProse =
      trimmed !== '' &&
      !/^#{1,6}\s/.test(trimmed) &&
      !/^([-*_])(\s*\1){2,}$/.test(trimmed) &&
      !/^([-*+]|\d+[.)])\s/.test(trimmed) &&
      !/^[|>]/.test(trimmed) &&
      !/^<!--/.test(trimmed) &&
      !/^\{[%#{]/.test(trimmed);
    if (isProse) paragraph.push(trimmed);
    else if (paragraph.length > 0) break;
  }
  if (paragraph.length === 0) return undefined;
  return paragraph
    .join(' ')
    .replace(/\*\*|__/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Splits a trigger list such as `backend, API, database` and removes case-insensitive duplicates. */
export function splitTriggers(list: string): string[] {
  return uniqueTriggers(list.split(/[,;]|\bor\b/).map((t) => t.trim().replace(/\.$/, '')));
}

function uniqueTriggers(triggers: string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of triggers) {
    const trigger = raw
      .trim()
      .replace(/^["'“”‘’]+|["'“”‘’]+$/g, '')
      .trim();
    const key = trigger.toLowerCase();
    if (trigger && !seen.has(key)) {
      seen.add(key);
      result.push(trigger);
    }
  }
  return result;
}

/** The bullet list under an "Activation Triggers" (or "Triggers") heading. */
export function triggersFromHeading(body: string): string[] {
  const lines = proseLines(body);
  const start = lines.findIndex((line) => /^\s{0,3}#{1,6}\s+(activation\s+)?triggers\b/i.test(line));
  if (start === -1) return [];
  const triggers: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s{0,3}#{1,6}\s/.test(line)) break;
    const bullet = /^\s*[-*+]\s+(.+)$/.exec(line);
    if (bullet) triggers.push(bullet[1].replace(/[*_`]/g, ''));
    else if (line.trim() !== '' && triggers.length > 0) break;
  }
  return uniqueTriggers(triggers);
}

/**
 * Keywords in a description: `Use when "a, b, c" mentioned` (quoted list), or
 * `Triggers on a, b, c.` (the list runs to the end of the sentence).
 */
export function triggersFromDescription(description: string): string[] {
  // No \b before "use": descriptions run sentences together ("…requestsUse when").
  const quoted = /use\s+when\s+["“]([^"”]+)["”]\s*(?:is\s+|are\s+)?mentioned/i.exec(description);
  if (quoted) return splitTriggers(quoted[1]);
  const listed = /\btrigger(?:s|ed)?\s+(?:on|by|when)\s*:?\s+([^.]+)/i.exec(description);
  if (listed) return splitTriggers(listed[1]);
  return [];
}

function formatFor(filePath: string, data: Record<string, unknown>): PersonaFormat {
  const base = path.basename(filePath);
  if (base === 'SKILL.md') return 'skill';
  if (/\.agent\.md$/i.test(base) || path.basename(path.dirname(filePath)) === 'agents') return 'agent';
  if (/\.chatmode\.md$/i.test(base)) return 'chatmode';
  if (data.agpm !== undefined) return 'agpm';
  if (/\.mdc$/i.test(base)) return 'mdc';
  return 'plain';
}

/**
 * Reads one persona document (already decoded). Malformed front matter throws (the file cannot be
 * trusted at all); wrong field types are warnings naming the field, with a fallback value.
 */
export function parsePersonaText(text: string, filePath: string): ParsedPersona {
  const warnings: string[] = [];
  const split = splitFrontMatter(text);
  const { data } = split;
  const leadingBlank = /^\n*/.exec(split.body)?.[0].length ?? 0;
  // gray-matter's content is a suffix of the text, so the lines before it are the front matter.
  const bodyLine = text.slice(0, text.length - split.body.length).split('\n').length + leadingBlank;
  const body = split.body.slice(leadingBlank).replace(/\s+$/, '') + '\n';
  if (body.trim() === '') throw new Error('the persona has no text after its front matter');

  const stringField = (key: string): string | undefined => {
    const value = data[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value.trim() || undefined;
    warnings.push(`front matter field "${key}" must be a string, got ${describeType(value)}; ignored`);
    return undefined;
  };

  const name = stringField('name') ?? firstHeading(body) ?? nameFromPath(filePath);
  const description = (stringField('description') ?? firstParagraph(body) ?? '').replace(/\s+/g, ' ').trim();

  let mode: Mode | null = null;
  const rawMode = data.mode;
  if (rawMode !== undefined && rawMode !== null) {
    const normalised = typeof rawMode === 'string' ? rawMode.trim().toLowerCase() : undefined;
    if (normalised !== undefined && (MODES as readonly string[]).includes(normalised)) mode = normalised as Mode;
    else
      warnings.push(
        `front matter field "mode" must be one of ${MODES.join(', ')}, got ${typeof rawMode === 'string' ? JSON.stringify(rawMode) : describeType(rawMode)}; ignored`,
      );
  }

  let triggers: string[] = [];
  const rawTriggers = data.triggers;
  if (Array.isArray(rawTriggers) && rawTriggers.every((t) => typeof t === 'string'))
    triggers = uniqueTriggers(rawTriggers);
  else if (typeof rawTriggers === 'string') triggers = splitTriggers(rawTriggers);
  else if (rawTriggers !== undefined && rawTriggers !== null) {
    warnings.push(`front matter field "triggers" must be a list of strings, got ${describeType(rawTriggers)}; ignored`);
  }
  if (triggers.length === 0) triggers = triggersFromHeading(body);
  if (triggers.length === 0) triggers = triggersFromDescription(description);

  const agpm = data.agpm;
  let templated = false;
  if (agpm !== undefined && agpm !== null) {
    if (typeof agpm !== 'object' || Array.isArray(agpm))
      warnings.push(`front matter field "agpm" must be a mapping, got ${describeType(agpm)}; not templated`);
    else templated = (agpm as Record<string, unknown>).templating === true;
  }
  if (!templated && hasTemplateSyntax(body)) {
    warnings.push(
      'text contains {{ }} / {% %} / {# #} but front matter does not set agpm.templating: true, so it is shown as written',
    );
  }

  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) if (!KNOWN_KEYS.has(key)) metadata[key] = value;

  return {
    name,
    description,
    mode,
    triggers,
    body,
    bodyLine,
    templated,
    format: formatFor(filePath, data),
    metadata,
    warnings,
  };
}
