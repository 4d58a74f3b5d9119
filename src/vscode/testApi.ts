import * as vscode from 'vscode';
import type { Mode } from '../core/findings';
import type { PublishedFinding } from './publishedFindings';
import type { Services } from './services';

/** What `activate` returns: a small read-only view for the integration tests. */
export interface BackendReviewerApi {
  /** Every finding of a file, including ones hidden by minimumSeverity or dismissed. */
  getFindings(uri: vscode.Uri | string): PublishedFinding[];
  getMode(): Mode;
  /** Keys of reviews in flight (file URIs, `changes:<repo>`...). */
  reviewsInFlight(): string[];
}

export function createTestApi(services: Services): BackendReviewerApi {
  return {
    getFindings: (uri) => services.publisher.findings(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri),
    getMode: () => services.mode.get(),
    reviewsInFlight: () => services.reviewService.inFlight(),
  };
}
