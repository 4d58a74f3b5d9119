/**
 * The credentials a provider was given (the API key, a key carried in the base URL's query) must
 * never come back out of it: a server or proxy can echo what it was sent into its errors, its log
 * lines or the model's answer, and from there it would reach the terminal, the reports and the cache.
 * Each occurrence becomes `***`.
 */
const MASK = '***';

/** Values shorter than this are not treated as secrets: masking them would garble ordinary text. */
const MIN_SECRET_LENGTH = 8;

/** The secrets worth masking, longest first (a secret that contains another is masked whole). */
export function secretsToMask(values: readonly (string | undefined)[]): string[] {
  const kept = new Set<string>();
  for (const value of values) {
    const trimmed = value?.trim();
    if (trimmed && trimmed.length >= MIN_SECRET_LENGTH) kept.add(trimmed);
  }
  return [...kept].sort((a, b) => b.length - a.length);
}

/** The text with every occurrence of each secret replaced by `***`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/**
 * Masks secrets in text that arrives in pieces (a streamed answer shown as it comes): a secret split
 * across two pieces is caught because the end of what has arrived is held back while it could still
 * be the start of a secret. `push` returns what is safe to show now; `end` returns the rest.
 */
export class SecretStreamMasker {
  private pending = '';

  constructor(private readonly secrets: readonly string[]) {}

  push(piece: string): string {
    if (this.secrets.length === 0) return piece;
    this.pending = maskSecrets(this.pending + piece, this.secrets);
    const held = this.heldLength();
    const ready = this.pending.slice(0, this.pending.length - held);
    this.pending = this.pending.slice(this.pending.length - held);
    return ready;
  }

  end(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }

  /** The longest end of `pending` that is the beginning of a secret (at most the secret's length - 1). */
  private heldLength(): number {
    let longest = 0;
    for (const secret of this.secrets) {
      const max = Math.min(secret.length - 1, this.pending.length);
      for (let length = max; length > longest; length--) {
        if (this.pending.endsWith(secret.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
