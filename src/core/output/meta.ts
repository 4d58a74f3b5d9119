import type { Category, Mode, Severity } from '../findings';

/** What a report says about the run, besides the result itself. */
export interface ReportMeta {
  persona: string;
  mode: Mode;
  /** `null` when no model was used (offline checks only). */
  model: string | null;
  toolVersion: string;
  /** Metadata of rules that can appear as ruleId (the offline rules); model rules are described generically. */
  rules?: RuleMetadata[];
  /** Absolute folder that relative finding paths are relative to (SARIF `%SRCROOT%`). */
  sourceRoot?: string;
}

/** Mirrors the offline rules' metadata (src/core/offline OFFLINE_RULES) without depending on it. */
export interface RuleMetadata {
  id: string;
  category: Category;
  defaultSeverity: Severity;
  title: string;
  shortDescription: string;
  helpText: string;
}

export const TOOL_NAME = 'Backend Principal Reviewer';
export const TOOL_INFORMATION_URI = 'https://example.invalid/backend-principal-reviewer';
