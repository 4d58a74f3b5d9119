/**
 * The shared credential formats the hardcoded-secret rule reports on sight. JWTs and connection
 * string passwords are left to redaction: sample tokens and local dev URLs are common in code
 * and would make the rule cry wolf.
 */
export const KNOWN_FORMAT_NAMES: ReadonlySet<string> = new Set([
  'AWS access key id',
  'GitHub token',
  'GitLab token',
  'Slack token',
  'Slack webhook',
  'Stripe secret key',
  'OpenAI key',
  'Google API key',
  'private key',
]);
