import type { ReviewProgress } from '../../core/review/types';

/**
 * What a running review is doing, in one line for the progress notification and the status bar:
 * "2 of 5 parts · api.ts: waiting for the model · 14s" instead of a bare chunk count. The engine
 * says the step (sent and waiting, tokens arriving, retry n of m after 503, a part done); this adds
 * how far along the review is and how long it has run, so a slow model still shows life.
 */
export class ReviewProgressText {
  private step = 'preparing the prompt';
  private done = 0;
  private total = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly started: number = now(),
  ) {}

  /**
   * Takes an engine report; returns the fraction of the review newly done (0 to 1). The first
   * report gives the total (the requests go out); a report that moves `done` names the part that
   * finished; the others say what a request is doing.
   */
  update(progress: ReviewProgress): number {
    const before = this.total > 0 ? this.done / this.total : 0;
    const first = this.total === 0 && progress.total > 0;
    const finished = progress.done > this.done;
    this.done = progress.done;
    this.total = progress.total;
    if (first) this.step = progress.total === 1 ? 'sending to the model' : `sending ${progress.total} parts`;
    else if (finished && progress.message) this.step = `${progress.message}: done`;
    else if (progress.message) this.step = progress.message;
    return Math.max(0, (this.total > 0 ? this.done / this.total : 0) - before);
  }

  text(): string {
    const parts: string[] = [];
    if (this.total > 1) parts.push(`${this.done} of ${this.total} parts`);
    parts.push(this.step);
    parts.push(elapsed(this.now() - this.started));
    return parts.join(' · ');
  }
}

function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}
