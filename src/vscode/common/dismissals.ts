import { createHash } from 'node:crypto';
import type { DismissalReason } from '../../core/findings';
import type { KeyValueStore } from './state';

/**
 * Dismissed findings, persisted per workspace. The key is a hash of the rule, the file and the
 * quoted code with whitespace normalised, so the same finding on the same code never comes back
 * (even when lines above it move or a re-review rewords the message), while a finding on changed
 * code does.
 */
export interface DismissalSubject {
  ruleId: string;
  /** Workspace-relative path (stable across machines and window reloads). */
  file: string;
  /** The code the finding is about: its quote, or the text of its lines when the quote is empty. */
  code: string;
}

export interface DismissedFinding extends DismissalSubject {
  key: string;
  title: string;
  line: number;
  dismissedAt: string;
  /** Why, when given (dismissals made before reasons were asked have none). */
  reason?: DismissalReason;
  note?: string;
}

export function normaliseCode(code: string): string {
  return code.replace(/\s+/g, ' ').trim();
}

export function dismissalKey(subject: DismissalSubject): string {
  return createHash('sha256')
    .update(subject.ruleId)
    .update('\0')
    .update(subject.file.replace(/\\/g, '/'))
    .update('\0')
    .update(normaliseCode(subject.code))
    .digest('hex')
    .slice(0, 32);
}

const STATE_KEY = 'backendReviewer.dismissed.v1';

export class DismissalStore {
  constructor(
    private readonly state: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private all(): Record<string, DismissedFinding> {
    return this.state.get<Record<string, DismissedFinding>>(STATE_KEY) ?? {};
  }

  isDismissed(subject: DismissalSubject): boolean {
    return dismissalKey(subject) in this.all();
  }

  async dismiss(
    subject: DismissalSubject,
    details: { title: string; line: number; reason?: DismissalReason; note?: string },
  ): Promise<DismissedFinding> {
    const key = dismissalKey(subject);
    const entry: DismissedFinding = {
      ...subject,
      key,
      title: details.title,
      line: details.line,
      dismissedAt: this.now().toISOString(),
      ...(details.reason ? { reason: details.reason } : {}),
      ...(details.note ? { note: details.note } : {}),
    };
    await this.state.update(STATE_KEY, { ...this.all(), [key]: entry });
    return entry;
  }

  /** Newest first. */
  list(): DismissedFinding[] {
    return Object.values(this.all()).sort((a, b) => b.dismissedAt.localeCompare(a.dismissedAt));
  }

  /** Returns false when nothing was dismissed under that key. */
  async restore(key: string): Promise<boolean> {
    const all = this.all();
    if (!(key in all)) return false;
    delete all[key];
    await this.state.update(STATE_KEY, all);
    return true;
  }
}
