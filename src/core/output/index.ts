export { formatText, type TextFormatOptions } from './text';
export { formatJson, JSON_REPORT_VERSION } from './json';
export { formatSarif, sarifLevel, FINGERPRINT_KEY, SARIF_SCHEMA_URI } from './sarif';
export { findingFingerprint } from '../fingerprint';
export { TOOL_NAME, TOOL_INFORMATION_URI, type ReportMeta, type RuleMetadata } from './meta';
export { formatRdjson } from './rdjson';
export { formatGitlab } from './gitlab';
export { formatGithub } from './github';
