import { ProviderError } from '../providers/provider';

/**
 * Bad input the user can fix (unreadable path, not a git repository, malformed diff, unknown base
 * revision). The CLI maps it to exit code 2; the extension shows the message as is.
 */
export class ReviewInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewInputError';
  }
}

/** A review stopped because the user (or a newer review of the same file) cancelled it. */
export class ReviewCancelledError extends Error {
  constructor(message = 'The review was cancelled.') {
    super(message);
    this.name = 'ReviewCancelledError';
  }
}

/**
 * Whether a failure is a cancellation rather than an error: the review's signal was aborted, the
 * review was cancelled, or a model request was (a provider's `cancelled` error, also from another
 * copy of the module: the kind is what counts). The one test for it; callers say "cancelled", not the error.
 */
export function isCancellation(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted === true) return true;
  if (error instanceof ReviewCancelledError) return true;
  if (error instanceof ProviderError) return error.kind === 'cancelled';
  return error instanceof Error && 'kind' in error && (error as { kind: unknown }).kind === 'cancelled';
}
