/**
 * The reviews the status bar shows, without `vscode`. Each run gets its own token: a review that
 * replaces an earlier one of the same file starts before the earlier one has finished unwinding,
 * so removing by file key would let the earlier run's `end` erase the newer run's progress.
 */
export interface ActiveReview {
  key: string;
  text: string;
}

export class ActiveReviews {
  private readonly runs = new Map<number, ActiveReview>();
  private nextToken = 1;

  /** Registers a run; pass the returned token to `update` and `end`. */
  begin(key: string, text: string): number {
    const token = this.nextToken++;
    this.runs.set(token, { key, text });
    return token;
  }

  /** Updates a run's text; ignored once the run has ended. */
  update(token: number, text: string): void {
    const run = this.runs.get(token);
    if (run) run.text = text;
  }

  end(token: number): void {
    this.runs.delete(token);
  }

  /** Runs still in progress, newest first. */
  list(): ActiveReview[] {
    return [...this.runs.entries()].sort(([a], [b]) => b - a).map(([, run]) => ({ ...run }));
  }
}
