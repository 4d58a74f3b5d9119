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
  { name: 'Slack token', regex: /\bxox[abeposr]-[A-Za-z0-9-]{10,}\b/g },
  // The path after `services/` (or `workflows/`, `triggers/`) is the secret: team, channel and key ids, 24 characters
  // at the least. A shorter path (`/services/secret` in a test, `/services/T000/B000/XXXX` in docs) is no webhook.
  {
    name: 'Slack webhook',
    regex: /(?:\bhttps?:\/\/)?\bhooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{24,}/g,
  },
  { name: 'Stripe secret key', regex: /\b(?:sk|rk)_(?:live|prod)_[A-Za-z0-9]{16,}\b/g },
  { name: 'OpenAI key', regex: /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}\b/g },
  { name: 'Google API key', regex: /\bAIza[0-9A-Za-z_-]{35}(?![\w-])/g },
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
  // An unsigned token (`alg: none`) ends at its second dot.
  { name: 'JWT', regex: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.(?:[A-Za-z0-9_-]{8,}\b)?/g },
  // scheme://user:password@host — only the password is the secret. The user may be empty (`redis://:pw@host`);
  // the password may hold `@` (`mysql://root:p@ss@host`), so it runs to the last `@` before the host.
  {
    name: 'connection string password',
    regex: /(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"`]*:)[^\s'"`/]+(?=@[^\s@'"`/]+)/gi,
  },
  // `Authorization: Bearer <token>` / `Basic <base64>`: tokens carry a digit, prose after "bearer" rarely does.
  {
    name: 'authorization header credential',
    regex: /(?<=\b(?:Bearer|Basic)[ \t]{1,32})(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/-]{8,}=*/g,
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

/**
 * Token formats of providers, for redaction (everything that leaves the machine): each has a prefix
 * or a shape its provider documents, so a match is a credential wherever it stands (a function
 * argument, a header, a URL, a flag in a shell script), with no name beside it. Kept apart from
 * KNOWN_SECRET_PATTERNS, which the offline `hardcoded-secret` rule also reports: redacting a value
 * that is not a secret costs a placeholder, reporting one costs the user's trust.
 */
export const PROVIDER_TOKEN_PATTERNS: readonly SecretPattern[] = [
  { name: 'Stripe key', regex: /\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{16,}\b/g },
  { name: 'Stripe webhook secret', regex: /\bwhsec_[A-Za-z0-9+/=]{24,}/g },
  {
    name: 'SendGrid key',
    regex: /\bSG\.(?:[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{30,50}|[A-Za-z0-9_=.-]{66})(?![\w=-])/g,
  },
  { name: 'Slack app token', regex: /\bxapp-\d-[A-Z0-9]+-\d+-[A-Za-z0-9]+\b/g },
  { name: 'Slack config token', regex: /\bxoxe(?:\.xox[bp])?-\d-[A-Za-z0-9-]{20,}\b/g },
  { name: 'Discord bot token', regex: /\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6,7}\.[A-Za-z\d_-]{27,40}(?![\w-])/g },
  {
    name: 'Discord webhook',
    regex: /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]+/g,
  },
  { name: 'Telegram bot token', regex: /\b\d{8,10}:AA[A-Za-z0-9_-]{33}(?![\w-])/g },
  {
    name: 'Microsoft Teams webhook',
    regex: /https:\/\/[A-Za-z0-9.-]+\.(?:webhook\.office\.com\/webhookb2|office\.com\/webhook)\/[^\s"'`<>]+/g,
  },
  {
    name: 'Teams workflow webhook',
    regex: /https:\/\/[A-Za-z0-9.-]+\.logic\.azure\.com[^\s"'`<>]*[?&]sig=[^\s"'`<>&]+/g,
  },
  { name: 'Twilio API key', regex: /\bSK[0-9a-fA-F]{32}\b/g },
  {
    name: 'Square token',
    regex: /\b(?:sq0atp-[0-9A-Za-z_-]{22,}|sq0csp-[0-9A-Za-z_-]{40,}|EAAA[A-Za-z0-9_-]{60})(?![\w-])/g,
  },
  { name: 'Shopify token', regex: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g },
  { name: 'npm token', regex: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { name: 'PyPI token', regex: /\bpypi-AgE[A-Za-z0-9_-]{50,}/g },
  {
    name: 'GitLab token',
    regex:
      /\b(?:gl(?:dt|rt|ptt|cbt|ft|ffct|soat|imt|oas|agent|wt)-[A-Za-z0-9_-]{20,}|GR1348941[A-Za-z0-9_-]{20,}|_gitlab_session=[0-9a-z]{32}\b)/g,
  },
  { name: 'Vault token', regex: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/g },
  { name: 'DigitalOcean token', regex: /\bdo[opr]_v1_[a-f0-9]{64}\b/g },
  { name: 'Hugging Face token', regex: /\b(?:hf_[A-Za-z0-9]{30,}|api_org_[A-Za-z0-9]{30,})\b/g },
  { name: 'age secret key', regex: /\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b/g },
  { name: 'Google OAuth secret', regex: /\bGOCSPX-[A-Za-z0-9_-]{28}(?![\w-])/g },
  { name: 'Google OAuth token', regex: /\bya29\.[0-9A-Za-z_-]{20,}/g },
  { name: 'Azure AD client secret', regex: /(?<![\w~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}/g },
  { name: 'Mailgun key', regex: /\b(?:(?:pub)?key-[0-9a-f]{32}|[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8})\b/g },
  { name: 'Mailchimp key', regex: /\b[0-9a-f]{32}-us\d{1,2}\b/g },
  { name: 'Atlassian token', regex: /\bATATT3[A-Za-z0-9_=-]{60,}/g },
  { name: 'New Relic key', regex: /\bNR(?:AK|II|JS|RA)-[A-Za-z0-9]{19,40}\b/g },
  { name: 'Sentry token', regex: /\bsntry[su]_[A-Za-z0-9+/=_]{40,}/g },
  { name: 'Linear key', regex: /\blin_(?:api|oauth)_[A-Za-z0-9]{40}\b/g },
  { name: 'Notion token', regex: /\b(?:secret_[A-Za-z0-9]{43}|ntn_[0-9]{11}[A-Za-z0-9]{35})\b/g },
  { name: 'Doppler token', regex: /\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}\b/g },
  { name: 'Pulumi token', regex: /\bpul-[a-f0-9]{40}\b/g },
  { name: 'Terraform Cloud token', regex: /\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}/g },
  { name: 'Postman key', regex: /\bPMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}\b/g },
  { name: 'Grafana token', regex: /\b(?:glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})/g },
  { name: 'Databricks token', regex: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g },
  { name: 'Dynatrace token', regex: /\bdt0[a-z]\d{2}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}\b/g },
  { name: 'Supabase token', regex: /\bsbp_[a-f0-9]{40}\b/g },
  { name: 'PlanetScale token', regex: /\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,}/g },
  { name: 'Figma token', regex: /\bfig[dhu]_[A-Za-z0-9_-]{40,}/g },
  { name: 'Fly.io token', regex: /\b(?:fm[12][ar]?_[A-Za-z0-9+/=,_-]{60,}|fo1_[A-Za-z0-9_-]{40,})/g },
  { name: 'Alibaba Cloud key id', regex: /\bLTAI[A-Za-z0-9]{12,20}\b/g },
  { name: 'Tencent Cloud key id', regex: /\bAKID[A-Za-z0-9]{13,40}\b/g },
  { name: 'Cloudflare origin CA key', regex: /\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b/g },
  { name: 'Shippo token', regex: /\bshippo_(?:live|test)_[a-f0-9]{40}\b/g },
  { name: 'EasyPost key', regex: /\bEZ[AT]K[a-zA-Z0-9]{54}\b/g },
  { name: 'Replicate token', regex: /\br8_[A-Za-z0-9]{37}\b/g },
  { name: 'Groq key', regex: /\bgsk_[A-Za-z0-9]{48,56}\b/g },
  { name: 'Perplexity key', regex: /\bpplx-[A-Za-z0-9]{40,56}\b/g },
  { name: 'xAI key', regex: /\bxai-[A-Za-z0-9]{70,90}\b/g },
  { name: 'Mapbox token', regex: /\b(?:sk|pk)\.(?:eyJ[A-Za-z0-9_-]{20,}|[a-z0-9]{60})\.[A-Za-z0-9_-]{20,}/g },
  { name: 'Flutterwave key', regex: /\bFLW(?:SECK|PUBK)(?:_TEST)?-[a-hA-H0-9]{12,32}(?:-X)?\b/g },
  { name: 'Adafruit IO key', regex: /\baio_[A-Za-z0-9]{28}\b/g },
  { name: 'Frame.io token', regex: /\bfio-u-[A-Za-z0-9_=-]{64}\b/g },
  { name: 'Clojars token', regex: /\bCLOJARS_[a-z0-9]{60}\b/g },
  { name: 'RubyGems key', regex: /\brubygems_[a-f0-9]{48}\b/g },
  { name: 'NuGet key', regex: /\boy2[a-z0-9]{43}\b/g },
  { name: 'Docker Hub token', regex: /\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}/g },
  { name: 'Artifactory key', regex: /\bAKCp[A-Za-z0-9]{69}\b/g },
  { name: 'Typeform token', regex: /\btfp_[A-Za-z0-9_.=-]{59}/g },
  { name: 'Dropbox token', regex: /\bsl\.[A-Za-z0-9_-]{130,}/g },
  { name: 'LaunchDarkly key', regex: /\b(?:api|sdk)-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\b/g },
  { name: 'Braintree or PayPal token', regex: /\baccess_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}\b/g },
  { name: 'Anthropic key', regex: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { name: 'GitHub fine-grained or app token', regex: /\b(?:ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b/g },
  { name: 'Heroku key', regex: /\bHRKU-[A-Za-z0-9_-]{30,}/g },
  { name: 'Buildkite token', regex: /\bbkua_[a-f0-9]{40}\b/g },
  { name: 'Prefect key', regex: /\bpnu_[A-Za-z0-9]{36}\b/g },
  { name: 'Readme key', regex: /\brdme_[a-z0-9]{70}\b/g },
  { name: 'Scalingo token', regex: /\btk-us-[A-Za-z0-9_-]{48}\b/g },
  { name: 'Airtable token', regex: /\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b/g },
  {
    name: 'Authress key',
    regex:
      /\b(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[A-Za-z0-9+/_=-]{30,120}/g,
  },
  { name: 'AWS Bedrock key', regex: /\b(?:ABSK[A-Za-z0-9+/]{100,}={0,2}|bedrock-api-key-[A-Za-z0-9+/]{20,}={0,2})/g },
  { name: 'Duffel token', regex: /\bduffel_(?:test|live)_[A-Za-z0-9_=-]{40,}/g },
  { name: 'Defined Networking token', regex: /\bdnkey-[A-Za-z0-9=_-]{40,}/g },
  { name: 'GoCardless token', regex: /\blive_[A-Za-z0-9_=-]{40}(?![\w=-])/g },
  { name: 'Grafana API key', regex: /\beyJrIjoi[A-Za-z0-9+/_-]{60,}={0,2}/g },
  { name: 'Harness token', regex: /\b(?:pat|sat)\.[A-Za-z0-9_-]{20,24}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}\b/g },
  { name: 'Infracost token', regex: /\bico-[A-Za-z0-9]{32}\b/g },
  { name: 'Lob key', regex: /\b(?:live|test)_(?:pub_)?[a-f0-9]{31,35}\b/g },
  { name: 'OpenShift token', regex: /\bsha256~[A-Za-z0-9_-]{43}(?![\w-])/g },
  {
    name: 'Plaid token',
    regex:
      /\baccess-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g,
  },
  { name: 'Brevo key', regex: /\bx(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}\b/g },
  { name: 'SettleMint token', regex: /\bsm_(?:pat|aat|sat)_[A-Za-z0-9]{16}\b/g },
  { name: 'Twitter bearer token', regex: /\bA{22}[A-Za-z0-9%]{40,}/g },
  {
    name: '1Password key',
    regex:
      /\b(?:A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b|ops_eyJ[A-Za-z0-9+/]{250,}={0,3})/g,
  },
  { name: 'SonarQube token', regex: /\bsq[pua]_[A-Fa-f0-9]{40}\b/g },
  { name: 'Sourcegraph token', regex: /\bsgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}\b/g },
  { name: '42 Intra secret', regex: /\bs-s4t2(?:ud|af)-[a-f0-9]{64}\b/g },
  { name: 'Adobe client secret', regex: /\bp8e-[A-Za-z0-9]{32}\b/g },
  { name: 'Facebook token', regex: /\b(?:EAA[A-Za-z0-9]{100,}|\d{15,16}(?:\||%7C)[A-Za-z0-9_-]{27}(?![\w-]))/g },
  {
    name: 'Yandex key',
    regex: /\b(?:AQVN[A-Za-z0-9_-]{35,38}|YC[A-Za-z0-9_-]{38}|t1\.[A-Z0-9a-z_-]+[=]{0,2}\.[A-Z0-9a-z_-]{86}[=]{0,2})/g,
  },
];

/**
 * Shannon entropy of the text, in bits per character: how evenly its characters are spread, the
 * mark of a generated value (redaction's credential shape, the offline checks' test credentials).
 */
export function entropyBits(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
