import { severityRank, type ReviewFinding } from '../findings';
import { ruleMeta } from '../offline/rules/meta';

/**
 * One finding per problem: model findings that say the same thing at the same place are merged
 * (the most severe wins).
 */
function words(title: string): Set<string> {
  return new Set(
    title
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 2),
  );
}

/** Titles say the same thing: one contains the other, or they share most of their words. */
export function similarTitles(a: string, b: string): boolean {
  const na = a.toLowerCase().replace(/\s+/g, ' ').trim();
  const nb = b.toLowerCase().replace(/\s+/g, ' ').trim();
  // An empty title says nothing, so it is like no other (it would be "contained" in every title).
  if (na === '' || nb === '') return false;
  if (na === nb || na.includes(nb) || nb.includes(na)) return true;
  const wa = words(a);
  const wb = words(b);
  if (wa.size === 0 || wb.size === 0) return false;
  let shared = 0;
  for (const w of wa) if (wb.has(w)) shared++;
  return shared / (wa.size + wb.size - shared) >= 0.5;
}

function isDuplicate(a: ReviewFinding, b: ReviewFinding): boolean {
  return (
    a.file === b.file &&
    a.category === b.category &&
    a.startLine <= b.endLine &&
    b.startLine <= a.endLine &&
    similarTitles(a.title, b.title)
  );
}

/** Keeps the most severe, then most confident, of each group of duplicates; sorted by file and line. */
export function mergeFindings(findings: ReviewFinding[]): ReviewFinding[] {
  const ranked = [...findings].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || b.confidence - a.confidence,
  );
  // Duplicates share a file, so each finding is compared with the kept ones of its file only:
  // comparing with every kept finding was quadratic in the whole review (seconds for a large repository).
  const keptByFile = new Map<string, ReviewFinding[]>();
  const kept: ReviewFinding[] = [];
  for (const finding of ranked) {
    const sameFile = keptByFile.get(finding.file) ?? [];
    if (sameFile.some((k) => isDuplicate(k, finding))) continue;
    sameFile.push(finding);
    keptByFile.set(finding.file, sameFile);
    kept.push(finding);
  }
  return kept.sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.startLine - b.startLine || severityRank(b.severity) - severityRank(a.severity),
  );
}

/** The first sentence of a message (up to the first full stop, colon or line break). */
function firstSentence(message: string): string {
  return /^[^\n]*?(?:[.:](?=\s|$)|\n|$)/.exec(message)?.[0] ?? message;
}

/**
 * Whether a model's finding and an offline rule's say the same thing: the titles do, or the model's
 * finding is in the rule's category and its title (or its message's first sentence) names the
 * rule's subject (meta.ts `subject`). The category alone is not enough: "Retry loop without
 * backoff" on the line above a fetch without a timeout is another problem, and folding it would
 * lose it.
 */
export function saysWhatRuleSays(
  model: { title: string; message: string; category: string },
  offline: { title: string; category: string; ruleId: string },
): boolean {
  if (similarTitles(model.title, offline.title)) return true;
  if (model.category !== offline.category) return false;
  const subject = ruleMeta(offline.ruleId)?.subject;
  if (!subject) return false;
  return subject.test(model.title) || subject.test(firstSentence(model.message));
}

/** The model's finding is about what an offline rule already reported at the same place (lines ±1). */
export function repeatsOffline(model: ReviewFinding, offline: ReviewFinding): boolean {
  return (
    model.file === offline.file &&
    model.startLine <= offline.endLine + 1 &&
    offline.startLine <= model.endLine + 1 &&
    saysWhatRuleSays(model, offline)
  );
}

/**
 * The hybrid merge: a model finding that repeats an offline finding (same file, overlapping lines
 * (±1), saying what the rule says: see saysWhatRuleSays) is folded into it. The offline finding stays (its rule id,
 * documentation and suppression comment keep working), at the more severe of the two severities,
 * and takes the model's fix when it has none. Returns the findings and how many were folded.
 */
export function mergeOfflineDuplicates(findings: ReviewFinding[]): { findings: ReviewFinding[]; merged: number } {
  const offlineByFile = new Map<string, ReviewFinding[]>();
  for (const f of findings) {
    if (f.origin !== 'offline') continue;
    offlineByFile.set(f.file, [...(offlineByFile.get(f.file) ?? []), f]);
  }
  if (offlineByFile.size === 0) return { findings, merged: 0 };
  const replaced = new Map<ReviewFinding, ReviewFinding>();
  const folded = new Set<ReviewFinding>();
  for (const f of findings) {
    if (f.origin !== 'model') continue;
    const original = (offlineByFile.get(f.file) ?? []).find((o) => repeatsOffline(f, o));
    if (!original) continue;
    const current = replaced.get(original) ?? original;
    replaced.set(original, {
      ...current,
      severity: severityRank(f.severity) > severityRank(current.severity) ? f.severity : current.severity,
      fix: current.fix ?? f.fix,
      confirmedByModel: true,
    });
    folded.add(f);
  }
  return {
    findings: findings.filter((f) => !folded.has(f)).map((f) => replaced.get(f) ?? f),
    merged: folded.size,
  };
}
