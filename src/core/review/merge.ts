import { severityRank, type ReviewFinding } from '../findings';

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

/** The model's finding is about what an offline rule already reported at the same place. */
export function repeatsOffline(model: ReviewFinding, offline: ReviewFinding): boolean {
  return (
    model.file === offline.file &&
    model.startLine <= offline.endLine + 1 &&
    offline.startLine <= model.endLine + 1 &&
    (model.category === offline.category || similarTitles(model.title, offline.title))
  );
}

/**
 * The hybrid merge: a model finding that repeats an offline finding (same file, overlapping lines
 * (±1), same category or a similar title) is folded into it. The offline finding stays (its rule id,
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
