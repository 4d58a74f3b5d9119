import type { ReviewNote } from '../../core/review/prepare';
import type { ReviewStats } from '../../core/findings';
import { SETTINGS_SECTION } from '../../core/config/settings';
import { counted } from '../../core/counted';

export const UNTRUSTED_NOTE =
  'This workspace is not trusted, so its personas and project guidelines (AGENTS.md, copilot-instructions, *.instructions.md...) were not given to the model. Trust the workspace to use them.';

/** A review note as the editor words it (outcome, log, chat, Problems panel). */
export function noteText(note: ReviewNote): string {
  switch (note.kind) {
    case 'untrusted':
      return UNTRUSTED_NOTE;
    case 'unknown-persona':
      return `Setting ${SETTINGS_SECTION}.persona names "${note.requested}", which is not loaded (loaded: ${note.known.join(', ') || 'none'}); using the ${note.fallback} persona.`;
  }
}

/**
 * The model server cut prompts to fit a short context window (Ollama's default): findings came back
 * but were written without the review's instructions. Worded with the setting that fixes our side.
 */
export function promptCutWarning(stats: ReviewStats): string | undefined {
  const cut = stats.promptCut;
  const tokens = stats.promptCutTokens;
  if (!cut || !tokens) return undefined;
  return `The model server cut the prompt of ${counted(cut, 'request')} to fit its context window (it counted ${tokens.countedTokens} of about ${tokens.sentTokens} tokens), so ${cut === 1 ? 'that part was' : 'those parts were'} reviewed without the review's instructions. Raise the server's context length (Ollama: num_ctx) or set ${SETTINGS_SECTION}.maxInputTokens to at most what it holds.`;
}
