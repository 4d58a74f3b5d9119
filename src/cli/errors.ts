import { errorMessage } from '../core/errorMessage';
/** Exit codes: part of the CLI contract. */
export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  modelUnavailable: 3,
} as const;

/** A usage or configuration error: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A `node:util` parseArgs failure as a one-line usage error. parseArgs says "Unknown option '--x'. To
 * specify a positional argument starting with a '-', …": the first sentence is the useful part.
 */
export function argumentError(error: unknown): UsageError {
  const message = errorMessage(error)
    .split('\n')[0]
    .replace(/\. To specify a positional argument.*$/, '.');
  return new UsageError(`${message} (see --help)`);
}

/** The reader of stdout/stderr went away (`| head`): EPIPE, or a stream already destroyed. */
export function isClosedOutput(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}
