import * as vscode from 'vscode';
import type { Mode } from '../core/findings';
import type { PublishedFinding } from './common/publishedFindings';
import type { Services } from './services';

/** What this feature uses of the extension's services, and nothing more. */
export type TestApiDeps = Pick<
  Services,
  'logger' | 'mode' | 'offline' | 'projects' | 'publisher' | 'reviewService' | 'statusBar'
>;

/** What `activate` returns: a small read-only view for the integration tests. */
export interface BackendReviewerApi {
  /** Every finding of a file, including ones hidden by minimumSeverity or dismissed. */
  getFindings(uri: vscode.Uri | string): PublishedFinding[];
  getMode(): Mode;
  /** Keys of reviews in flight (file URIs, `changes:<repo>`...). */
  reviewsInFlight(): string[];
  /** Whether the offline checks' worker threads are up (they start for the first large file). */
  offlineWorkersRunning(): boolean;
  /** How many open documents have a kept tree for incremental offline re-checks. */
  offlineKeptTrees(): number;
  /** What was said about `.backend-review.json` files: field errors, the untrusted-workspace notice. */
  projectConfigNotes(): string[];
  /** The last progress texts the status bar showed while reviewing (oldest first). */
  progressShown(): string[];
  /** The last lines written to the "Backend Reviewer" log channel, oldest first, as `level: text`. */
  logLines(): string[];
  /** The handler given to `vscode.chat.createChatParticipant` (tests call it with a request of their own). */
  chatHandler: vscode.ChatRequestHandler;
}

export function createTestApi(services: TestApiDeps, chatHandler: vscode.ChatRequestHandler): BackendReviewerApi {
  return {
    getFindings: (uri) => services.publisher.findings(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri),
    getMode: () => services.mode.get(),
    reviewsInFlight: () => services.reviewService.inFlight(),
    offlineWorkersRunning: () => services.offline.workersRunning,
    offlineKeptTrees: () => services.offline.keptTrees,
    projectConfigNotes: () => [...services.projects.notes],
    progressShown: () => services.statusBar.recentProgress(),
    logLines: () => services.logger.recent(),
    chatHandler,
  };
}
