import type { Mode } from '../findings';
import type { OfflineRuleMeta } from '../offline/types';
import type { FileRole } from '../roles';

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
  /** Absolute repository root: GitLab wants paths relative to it (finding paths are relative to sourceRoot). */
  projectRoot?: string;
  /** Every reviewed file with its role (see roles.ts), in review order. */
  files?: Array<{ path: string; role: FileRole }>;
}

/** The offline rules' metadata, as much of it as a report describes. */
export type RuleMetadata = Pick<
  OfflineRuleMeta,
  'id' | 'category' | 'defaultSeverity' | 'title' | 'shortDescription' | 'helpText'
>;

export const TOOL_NAME = 'Backend Principal Reviewer';
export const TOOL_INFORMATION_URI = 'https://github.com/backend-principal/backend-principal-reviewer';
