import { MODES, type Mode } from '../findings';
import type { Persona, PersonaCatalog } from './types';

/** Words that name a mode even when no persona lists them as triggers. */
const BUILT_IN_TERMS: Record<Mode, string[]> = {
  backendpe: ['backendpe', 'backend pe', 'backend-pe', 'supermode', 'super mode', 'principal mode', 'maximalist'],
  pragmatic: ['pragmatic', 'pragmatist', 'keep it simple', 'simple mode'],
};

/** Terms so distinctive that the term alone, or the term opening a message ("Supermode: …"), asks for the mode. */
const NAME_LIKE =
  /^(backendpe|backend[ -]pe|supermode|super mode|principal mode|pragmatic|pragmatic mode|keep it simple)$/;

/** Messages that ask about something rather than for something. */
const QUESTION = /^(?:what|why|how|which|when|where|who|does|do|did|is|are|was|were|should|explain|tell me)\b/;

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[ -]+/g, '[ -]+');

function normalise(text: string): string {
  return text.toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ').trim();
}

/** Every term that names a mode: built-ins plus the triggers, ids and names of personas that declare a mode. */
function modeTerms(catalog: PersonaCatalog): { term: string; mode: Mode }[] {
  const terms: { term: string; mode: Mode }[] = [];
  const add = (term: string, mode: Mode): void => {
    const t = normalise(term);
    if (t.length >= 3 && !terms.some((x) => x.term === t && x.mode === mode)) terms.push({ term: t, mode });
  };
  for (const mode of MODES) for (const term of BUILT_IN_TERMS[mode]) add(term, mode);
  for (const persona of catalog.personas) {
    if (!persona.mode) continue;
    for (const term of [...persona.triggers, persona.id, persona.name]) add(term, persona.mode);
  }
  // Longer terms first, so "keep it simple" is tried before a shorter term inside it.
  return terms.sort((a, b) => b.term.length - a.term.length);
}

/**
 * The mode a chat message asks to switch to, or null. Conservative: a mode term counts only in an
 * explicit request ("switch to pragmatic mode", "use BackendPE", "be more pragmatic"), as the whole
 * message ("Supermode"), or opening it as an address ("BackendPE: review this"). Questions about a
 * term ("what does pragmatic mean?"), negations and messages naming two modes return null.
 */
export function detectModeRequest(text: string, catalog: PersonaCatalog): Mode | null {
  const message = normalise(text);
  if (!message) return null;
  const found = new Set<Mode>();

  for (const { term, mode } of modeTerms(catalog)) {
    const t = escape(term);
    const verb = String.raw`(?:switch|change|go|turn|flip|move|set|put)(?: (?:me|it|this|yourself|us|the review|reviews?|back))*(?: (?:over|back))?(?: from [\w -]{1,40}?)? (?:to|into|in|on) (?:the )?${t}(?: (?:mode|persona|reviewer|style))?\b`;
    const use = String.raw`(?:use|enable|activate|apply|engage|turn on|start|try|give me|review (?:this |it )?(?:with|in|as))(?: the)? ${t}(?: (?:mode|persona|reviewer|style))?\b`;
    const modeOn = String.raw`\b${t} mode (?:on|please|now|enabled|activated)\b`;
    // Only as a request ("be more pragmatic", "can you be …"), not inside a sentence ("to be pragmatic, …").
    const be = String.raw`(?:^|(?:please|can you|could you|would you|will you|let's|lets|just|now|ok|okay)[, ]+)(?:be|get|stay|think|review) (?:more |a bit more |a little more )?${t}\b`;
    const whole = String.raw`^(?:please |ok |okay )?${t}(?: (?:mode|persona))?(?: (?:please|now|on))?[.!]*$`;
    const address = String.raw`^${t}(?: mode)?\s*[:,!—-]\s*\S`;

    // "review this file in BackendPE mode" asks for the mode; "what happens in pragmatic mode?" asks about it.
    const inMode = String.raw`\b(?:in|with) (?:the )?${t} (?:mode|persona)\b`;
    const patterns = QUESTION.test(message) ? [verb, use, modeOn, be] : [verb, use, modeOn, be, inMode];
    const explicit = patterns.some((p) => {
      const match = new RegExp(p).exec(message);
      return match !== null && !isNegated(message, match.index);
    });
    const bare =
      NAME_LIKE.test(term) || term.length >= 6 ? [whole, address].some((p) => new RegExp(p).test(message)) : false;
    if (explicit || bare) found.add(mode);
  }
  if (found.size !== 1) return null;
  return [...found][0];
}

/** "don't switch to …", "no need to use …", "never be …": the request is the opposite of a switch. */
function isNegated(message: string, index: number): boolean {
  const before = message.slice(Math.max(0, index - 24), index);
  return /\b(?:don't|do not|dont|never|no need to|not|stop|without)\s*(?:\w+\s*)?$/.test(before);
}

/**
 * The persona for a mode: a catalog persona whose id is the mode and that declares it or no mode
 * (the bundled `backendpe`/`pragmatic`, or the user's same-id override), else the first persona
 * declaring that mode. Only bundled and user personas are chosen this way: a workspace persona
 * reviews only when the user names it. Throws when there is none: the bundled skills/ folder is
 * missing or broken.
 */
export function personaForMode(catalog: PersonaCatalog, mode: Mode): Persona {
  const trusted = catalog.personas.filter((p) => p.sourceKind !== 'workspace');
  const persona =
    trusted.find((p) => p.id === mode && (p.mode === mode || p.mode === null)) ??
    trusted.find((p) => p.mode === mode) ??
    trusted.find((p) => p.id === mode);
  if (!persona) {
    const reasons = catalog.errors.filter((e) => /skills/.test(e.source)).map((e) => `${e.source}: ${e.message}`);
    throw new Error(
      `no persona declares mode "${mode}"; the bundled skills/${mode}/SKILL.md is missing or failed to load${reasons.length ? ` (${reasons.join('; ')})` : ''}`,
    );
  }
  return persona;
}
