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
