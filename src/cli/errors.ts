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
