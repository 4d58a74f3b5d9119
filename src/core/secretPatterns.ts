/**
 * Credential formats shared by redaction (nothing secret leaves the machine) and the offline
 * `hardcoded-secret` rule. Each pattern matches the secret value only, so callers can replace it.
 */
export interface SecretPattern {
  name: string;
  /** Global regex matching just the secret value. */
  regex: RegExp;
}

export const KNOWN_SECRET_PATTERNS: readonly SecretPattern[] = [
  { name: 'AWS access key id', regex: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  { name: 'GitHub token', regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { name: 'GitLab token', regex: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { name: 'Slack token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  { name: 'Slack webhook', regex: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g },
  { name: 'Stripe secret key', regex: /\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b/g },
  { name: 'OpenAI key', regex: /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}\b/g },
  { name: 'Google API key', regex: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  {
    name: 'private key',
    regex: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z]+ )?PRIVATE KEY-----/g,
  },
  {
    name: 'PGP private key',
    regex: /-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]*?-----END PGP PRIVATE KEY BLOCK-----/g,
  },
  // A key pasted without its END line (truncated file, cut selection): the BEGIN line and the lines after it that
  // look like key material (base64, armor headers, blank), so code that only names the header keeps its next lines.
  {
    name: 'private key without end line',
    regex:
      /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----(?:(?:\r?\n|\\n)[ \t]*(?:(?:Proc-Type|DEK-Info|Version|Comment|Hash|Charset):[^\r\n]*|[A-Za-z0-9+/=]+(?=["'`]?[ \t]*[,;)]*[ \t]*(?:\r?\n|\\n|$))|(?=[ \t]*(?:\r?\n|\\n|$))))+/g,
  },
  { name: 'JWT', regex: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g },
  // scheme://user:password@host — only the password is the secret. The user may be empty (`redis://:pw@host`);
  // the password may hold `@` (`mysql://root:p@ss@host`), so it runs to the last `@` before the host.
  {
    name: 'connection string password',
    regex: /(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"`]*:)[^\s'"`/]+(?=@[^\s@'"`/]+)/gi,
  },
  // `Authorization: Bearer <token>` / `Basic <base64>`: tokens carry a digit, prose after "bearer" rarely does.
  {
    name: 'authorization header credential',
    regex: /(?<=\b(?:Bearer|Basic)[ \t]+)(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/-]{8,}=*/g,
  },
  // Azure storage / Service Bus connection strings: `AccountKey=...;`.
  { name: 'Azure account key', regex: /(?<=\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[^;\s"'`]+/g },
  // .npmrc / .yarnrc: `//registry.npmjs.org/:_authToken=...`, `_auth=...`, `_password=...`.
  // Written `key=value` with no spaces, at the start of a line or after the registry's `:`.
  { name: 'npm registry credential', regex: /(?<=(?:^|:)_(?:authToken|auth|password)=)[^\s"'#;]+/gm },
];

/** Identifier names whose literal values are credentials (password, api_key, secretToken, ...). */
export const SECRET_NAME_PATTERN =
  /(?:pass(?:word|wd)?|pwd|secret|api[_-]?key|apikey|access[_-]?key|(?:secret|signing|encryption)[_-]?key|auth[_-]?token|token|private[_-]?key|client[_-]?secret|credentials?)$/i;
