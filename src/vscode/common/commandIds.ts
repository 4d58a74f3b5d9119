/**
 * Every command id the extension registers, declared once. `package.json` `contributes.commands`
 * must list exactly these (scripts/check-commands.mjs checks both directions).
 * Internal commands (used by code actions, chat buttons and diagnostic links) are hidden from the
 * Command Palette with `"when": "false"` in package.json.
 */
export const COMMANDS = {
  reviewFile: 'backendReviewer.reviewFile',
  reviewFileFresh: 'backendReviewer.reviewFileFresh',
  reviewSelection: 'backendReviewer.reviewSelection',
  reviewChanges: 'backendReviewer.reviewChanges',
  reviewStaged: 'backendReviewer.reviewStaged',
  reviewAgainstBranch: 'backendReviewer.reviewAgainstBranch',
  reviewFolder: 'backendReviewer.reviewFolder',
  switchMode: 'backendReviewer.switchMode',
  selectPersona: 'backendReviewer.selectPersona',
  clearFindings: 'backendReviewer.clearFindings',
  setApiKey: 'backendReviewer.setApiKey',
  showLog: 'backendReviewer.showLog',
  previewPrompt: 'backendReviewer.previewPrompt',
  showDismissed: 'backendReviewer.showDismissed',
  pruneDismissals: 'backendReviewer.pruneDismissals',
  dismissalStats: 'backendReviewer.dismissalStats',
  applyAllFixes: 'backendReviewer.applyAllFixes',
  chooseModel: 'backendReviewer.chooseModel',
  // Internal: invoked by code actions, chat buttons and diagnostic code links.
  applyFix: 'backendReviewer.applyFix',
  dismissFinding: 'backendReviewer.dismissFinding',
  explainFinding: 'backendReviewer.explainFinding',
  showRuleHelp: 'backendReviewer.showRuleHelp',
  turnRuleOff: 'backendReviewer.turnRuleOff',
} as const;

export type CommandKey = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandKey];

/** Commands that only make sense with arguments; hidden from the Command Palette. */
export const INTERNAL_COMMANDS: readonly CommandId[] = [
  COMMANDS.applyFix,
  COMMANDS.dismissFinding,
  COMMANDS.explainFinding,
  COMMANDS.showRuleHelp,
  COMMANDS.turnRuleOff,
];

export const CHAT_PARTICIPANT_ID = 'backendReviewer.principal';
export const CHAT_PARTICIPANT_NAME = 'principal';
export const CHAT_SLASH_COMMANDS = ['review', 'diff', 'mode', 'explain', 'personas'] as const;
export type ChatSlashCommand = (typeof CHAT_SLASH_COMMANDS)[number];

/** Code action kind of the "apply every fix in this file" source action. */
export const FIX_ALL_KIND = 'source.fixAll.backendReviewer';
/** URI scheme of the read-only explanation documents (rule and category help). */
export const HELP_SCHEME = 'backend-reviewer';
