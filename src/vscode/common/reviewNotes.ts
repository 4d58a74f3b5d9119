import type { ReviewNote } from '../../core/review/prepare';
import { SETTINGS_SECTION } from '../../core/config/settings';

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
