import { severityRank } from '../../core/findings';
import { saysWhatRuleSays, similarTitles } from '../../core/review/merge';

export { similarTitles } from '../../core/review/merge';
import type { PublishedFinding } from './publishedFindings';

/**
 * One finding per problem in the editor. The offline checks and the model (and an earlier review
 * whose findings a partial review kept) can report the same problem at the same place; the editor
 * shows it once: one diagnostic, one count, one set of quick fixes. The findings themselves stay as
 * they were published, so a later publish of either side merges again instead of splitting the pair.
 */

function near(a: PublishedFinding, b: PublishedFinding, slack: number): boolean {
  return a.startLine <= b.endLine + slack && b.startLine <= a.endLine + slack;
}

/**
 * Whether two findings of one file are the same problem. Two offline findings only when they are
 * the same rule on the same lines (two rules on one line are two problems); an offline and a model
 * finding when their lines overlap (±1) and the model's says what the rule says (core/review/merge.ts); two
 * model findings when their lines overlap and their titles say the same thing.
 */
export function sameProblem(a: PublishedFinding, b: PublishedFinding): boolean {
  if (a.file !== b.file) return false;
  if (a.origin === 'offline' && b.origin === 'offline')
    return a.ruleId === b.ruleId && a.startLine === b.startLine && a.endLine === b.endLine;
  if (a.origin !== b.origin) {
    const [model, offline] = a.origin === 'model' ? [a, b] : [b, a];
    return near(a, b, 1) && saysWhatRuleSays(model, offline);
  }
  return near(a, b, 0) && (similarTitles(a.title, b.title) || (a.ruleId === b.ruleId && a.startLine === b.startLine));
}

/** A finding as shown, with the findings it stands for besides itself (empty when alone). */
export interface ShownFinding extends PublishedFinding {
  /** The other published findings merged into this one (their ids and dismissal subjects). */
  mergedFrom: PublishedFinding[];
}

/**
 * Which finding of a group stays: an offline one (its rule id, documentation and suppression
 * comment keep working), else the most recently published (the newer review's wording).
 */
function survivorIndex(group: readonly PublishedFinding[]): number {
  let best = group.length - 1;
  for (let i = group.length - 1; i >= 0; i--) {
    if (group[i].origin === 'offline' && group[best].origin !== 'offline') best = i;
  }
  return best;
}

/**
 * Groups same-problem findings (in published order, the later ones being the newer) into one shown
 * finding each: the survivor's wording, the most severe severity of the group, the survivor's fix or
 * else the first fix another member has (with that member's fix hash, so the fix is offered only
 * while its lines are unchanged), and a source naming every origin.
 */
export function oneFindingPerProblem(findings: readonly PublishedFinding[]): ShownFinding[] {
  const groups: PublishedFinding[][] = [];
  for (const finding of findings) {
    const group = groups.find((members) => members.some((member) => sameProblem(member, finding)));
    if (group) group.push(finding);
    else groups.push([finding]);
  }
  return groups.map((group) => {
    const index = survivorIndex(group);
    const survivor = group[index];
    const others = group.filter((_, i) => i !== index);
    if (others.length === 0) return { ...survivor, mergedFrom: [] };
    const severity = group.reduce(
      (worst, member) => (severityRank(member.severity) > severityRank(worst) ? member.severity : worst),
      survivor.severity,
    );
    const withFix = survivor.fix ? survivor : others.find((member) => member.fix);
    const sources = [...new Set([survivor.source, ...others.map((member) => member.source)])];
    return {
      ...survivor,
      severity,
      fix: withFix?.fix ?? null,
      reviewedFixHash: withFix?.reviewedFixHash ?? null,
      confidence: Math.max(...group.map((member) => member.confidence)),
      source: sources.length === 1 ? sources[0] : `${sources[0]} + ${sources.slice(1).map(originName).join(' + ')}`,
      mergedFrom: others,
    };
  });
}

/** "Backend Reviewer · Pragmatic" → "Pragmatic". */
function originName(source: string): string {
  const at = source.lastIndexOf('·');
  return at === -1 ? source : source.slice(at + 1).trim();
}

/** Every published id a shown finding stands for. */
export function memberIds(finding: ShownFinding): string[] {
  return [finding.id, ...finding.mergedFrom.map((member) => member.id)];
}
