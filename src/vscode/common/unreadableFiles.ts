import type { SkippedPart } from '../../core/findings';
import type { ReviewUnit } from '../../core/review/types';
import type { SourceRead } from '../../core/review/files';
import { errorMessage } from '../../core/errorMessage';

/**
 * Reads the new text of the files in a diff and remembers those that could not be read, without
 * `vscode`. Without this, a failed read fell back to text rebuilt from the diff's hunks (blank lines
 * between them), which was reviewed as if it were the file; such files are now reported as skipped.
 */
export class UnreadableFiles {
  private readonly failures = new Map<string, string>();

  /** `what` names the text for the skip reason, e.g. "the working-tree file" or "the staged text". */
  constructor(private readonly what: string) {}

  /** A reader for `unitsFromDiff`: undefined (and remembered) when `read` throws. */
  reader(
    read: (path: string) => Promise<string | SourceRead>,
  ): (path: string) => Promise<string | SourceRead | undefined> {
    return async (path) => {
      try {
        return await read(path);
      } catch (error) {
        this.failures.set(path, errorMessage(error));
        return undefined;
      }
    };
  }

  /** The units without the unreadable files, which become skipped parts naming the reason. */
  exclude(result: { units: ReviewUnit[]; skipped: SkippedPart[] }): {
    units: ReviewUnit[];
    skipped: SkippedPart[];
    failures: { path: string; reason: string }[];
  } {
    const units = result.units.filter((unit) => !this.failures.has(unit.path));
    const failures = [...this.failures.entries()].map(([path, reason]) => ({ path, reason }));
    const skipped = [
      ...result.skipped,
      ...failures.map(({ path, reason }) => ({
        file: path,
        reason: `${this.what} could not be read (${reason}): not reviewed`,
        failed: true,
      })),
    ];
    return { units, skipped, failures };
  }
}
