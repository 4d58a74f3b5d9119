import { ROLE_DESCRIPTIONS } from '../../core/roles';
import type { ShownFinding } from './sameProblem';

/**
 * A finding as the hover shows it, in Markdown: the title in bold, severity, where it comes from and
 * a link to its rule's explanation, then the message and the suggestion as the model or rule wrote
 * them (their backticks render as code). `ruleLink` is the command URI that opens the explanation.
 * The text comes from a model or from our rules: the caller renders it without HTML and with only
 * the explanation command enabled.
 */
export function findingMarkdown(finding: ShownFinding, ruleLink: string): string {
  const role = finding.role && finding.role !== 'production' ? ` · in ${ROLE_DESCRIPTIONS[finding.role]}` : '';
  const lines = [
    `**${escapeInline(finding.title)}** · ${finding.severity} · ${escapeInline(finding.source)}${role} · [${finding.ruleId}](${ruleLink})`,
    '',
    finding.message.trim(),
  ];
  if (finding.suggestion.trim() !== '') lines.push('', `**Suggestion:** ${finding.suggestion.trim()}`);
  if (finding.fix) lines.push('', '_A suggested fix is offered as a quick fix (Ctrl+.)._');
  const also = (finding.related ?? []).filter((r) => r.file === finding.file).map((r) => r.startLine);
  if (also.length > 0) lines.push('', `Also at line${also.length === 1 ? '' : 's'} ${also.join(', ')}.`);
  const merged = finding.mergedFrom.map((m) => m.source).filter((source) => source !== finding.source);
  if (merged.length > 0)
    lines.push('', `Reported by ${escapeInline(finding.source)} and ${merged.map(escapeInline).join(', ')}.`);
  return lines.join('\n');
}

/** Text shown as is inside our own Markdown (titles and labels): Markdown's punctuation escaped. */
function escapeInline(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
