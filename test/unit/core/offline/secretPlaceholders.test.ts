import * as assert from 'node:assert/strict';
import type { OfflineConfig } from '../../../../src/core/offline';
import { isDocumentationValue, isKeylessPem, isTestsOwnCredential } from '../../../../src/core/offline/syntax';
import { redactSecrets } from '../../../../src/core/review/redact';
import { hits } from './helpers';

const base: OfflineConfig = { mode: 'backendpe' };

// Keys that look like a provider's are put together at run time, so the repository holds none whole.
const awsShaped = 'AKIA' + 'W7RQ2M4XZK8TBN3P';
const awsDocs = 'AKIA' + 'IOSFODNN7EXAMPLE';
const keyBody = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' + 'BKcwggSjAgEAAoIBAQC7Vq3xZ8kLm2Tq9Rw4Yp1Hs6Jd0Nf5Ug';

describe('offline checks: hardcoded-secret tells placeholders and documentation values from credentials', () => {
  it('leaves out documentation values, elided values and values typed along a row, in any role', async () => {
    const docs = [
      'const sample = { token: "...JWT...", record: {} };', // 1
      'payload.password = "123456789";', // 2
      'payload.oldPassword = "987654321";', // 3
      'const apiKey = "qwertyuiop";', // 4
      'const clientSecret = "aaaaaaaaaaaa";', // 5
      'const aws = { secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };', // 6
      'const stripeSecret = "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx";', // 7
      'const dbPassword = "my-dummy-password-42";', // 8
      'const sessionSecret = "changeme-in-production";', // 9
      '',
    ].join('\n');
    for (const path of ['src/docs.ts', 'ui/src/docs.js', 'test/docs.test.ts'])
      assert.deepEqual(await hits(path, docs, base), [], path);
  });

  it("reports a provider's documented example key in full format in the service's code, not in its tests", async () => {
    const text = `const aws = { accessKeyId: "${awsDocs}" };\n`;
    assert.deepEqual(await hits('src/storage.ts', text, base), ['1 hardcoded-secret']);
    assert.deepEqual(await hits('test/storage.test.ts', text, base), []);
    assert.ok(isTestsOwnCredential(`"${awsDocs}"`));
  });

  it('leaves out the name of the header a credential travels in, and keeps a token that only starts like one', async () => {
    const text = [
      "export const HEADER_KEY_TOKEN = 'Authorization';", // 1
      "const apiKeyHeader = 'X-Api-Key';", // 2
      "const proxyAuthorization = 'Proxy-Authorization';", // 3
      "const apiToken = 'X-7f3kQ9vL2mZ8rT4w';", // 4: digits, a value
      '',
    ].join('\n');
    assert.deepEqual(await hits('src/config.ts', text, base), ['4 hardcoded-secret']);
  });

  it('reports a short password under a password name in the service, not sentinels, type words, other names or tests', async () => {
    const ts = [
      'const defaults = { user: "admin", password: "gopher" };', // 1: a default account's password
      'if (account.password === "root") return false;', // 2: compared, as often a refused weak password
      'const cfg = { dbPass: "mealie1" };', // 3
      'if (user.password === "LDAP") return ldapLogin(user);', // 4: a sentinel in capitals
      'const field = { password: "text", confirmPassword: "hidden" };', // 5: type words
      'const bypass = "true";', // 6: a name that only ends in pass
      'const apiToken = "abc12";', // 7: short, and not a password name
      'const password = "abc";', // 8: below four characters
      'if (req.body.password === "J6aV-tg0p!Rs5lZ") grant();', // 9: a built-in password checked
      "const key = typeof apiKey === 'function' ? apiKey() : apiKey;", // 10: the value's type
      '',
    ].join('\n');
    assert.deepEqual(await hits('src/accounts.ts', ts, base), [
      '1 hardcoded-secret',
      '3 hardcoded-secret',
      '9 hardcoded-secret',
    ]);
    assert.deepEqual(await hits('test/accounts.test.ts', ts, base), [], 'a test chooses such passwords for fake users');
    const py = [
      'def login(user, password="Admin"):', // 1: a default parameter
      '    return check(user, password)',
      'POSTGRES_PASSWORD: str = "mealie"', // 3
      'settings["password"] = "blerg"', // 4
      'if user.password == "OIDC":', // 5: a sentinel
      '    pass',
      '',
    ].join('\n');
    assert.deepEqual(await hits('app/settings.py', py, base), [
      '1 hardcoded-secret',
      '3 hardcoded-secret',
      '4 hardcoded-secret',
    ]);
    const go = [
      'package config',
      '',
      'var Default = Config{User: "admin", Pass: "admin"}', // 3
      'var Mode = Config{Pass: "ON"}', // 4: a sentinel
      '',
      'type Config struct{ User, Pass string }',
      '',
    ].join('\n');
    assert.deepEqual(await hits('internal/config/config.go', go, base), ['3 hardcoded-secret']);
  });

  it('leaves out labels in a translation catalogue, not a provider key there or the same label elsewhere', async () => {
    const catalogue = [
      'window.messages = {', // 1
      "  password: 'Passwort',", // 2
      "  admin_password: 'Administratorpasswort',", // 3
      `  storage_key: '${awsShaped}',`, // 4: a provider's key format is a leak anywhere
      '};',
      '',
    ].join('\n');
    for (const path of ['static/i18n/de.js', 'src/locales/de/messages.ts', 'app/lang/de.js'])
      assert.deepEqual(await hits(path, catalogue, base), ['4 hardcoded-secret'], path);
    assert.deepEqual(await hits('src/settings.js', catalogue, base), [
      '2 hardcoded-secret',
      '3 hardcoded-secret',
      '4 hardcoded-secret',
    ]);
  });

  it("reads words with digits typed along the row as a test's own value, not a generated one", async () => {
    const text = [
      "const preset = { api_token: 'preset_secret_token_12345' };", // 1
      "const mail = { apiKey: 'key-1234567890-file-config' };", // 2
      "const mailgun = { apiKey: 'key-4829175036-file-config' };", // 3: digits not along the row
      '',
    ].join('\n');
    assert.deepEqual(await hits('tests/test_config.test.ts', text, base), ['3 hardcoded-secret']);
    assert.deepEqual(await hits('src/config.ts', text, base), [
      '1 hardcoded-secret',
      '2 hardcoded-secret',
      '3 hardcoded-secret',
    ]);
  });

  it('keeps credentials that only resemble those values', async () => {
    const real = [
      'payload.password = "48291573";', // 1: digits, but not a run
      'const apiKey = "qwErT9-uiop-Zx81";', // 2: keyboard letters, mixed with others
      `const aws = { accessKeyId: "${awsShaped}" };`, // 3: AWS format, no EXAMPLE
      'const sessionSecret = "k3X9-exaMpl3-vQ"; ', // 4: a near spelling is not the word
      '',
    ].join('\n');
    assert.deepEqual(await hits('src/config.ts', real, base), [
      '1 hardcoded-secret',
      '2 hardcoded-secret',
      '3 hardcoded-secret',
      '4 hardcoded-secret',
    ]);
  });

  it('a PEM private key counts only with a key inside', async () => {
    const pem = (body: string): string => `-----BEGIN PRIVATE KEY-----\\n${body}\\n-----END PRIVATE KEY-----`;
    const text = [
      `const hint = { placeholder: "${pem('...')}" };`, // 1
      'const broken = "-----BEGIN PRIVATE KEY----- invalid -----END PRIVATE KEY-----";', // 2
      `const signing = "${pem(keyBody)}";`, // 3
      '',
    ].join('\n');
    assert.deepEqual(await hits('src/keys.ts', text, base), ['3 hardcoded-secret']);
    const goTest = [
      'package apple',
      '',
      'var cases = map[string]string{',
      '\t"privateKey": "-----BEGIN PRIVATE KEY----- invalid -----END PRIVATE KEY-----",',
      `\t"realKey": "${pem(keyBody)}",`,
      '}',
      '',
    ].join('\n');
    assert.deepEqual(await hits('forms/apple_test.go', goTest, base), ['5 hardcoded-secret']);
    assert.equal(isKeylessPem(pem('...')), true);
    assert.equal(isKeylessPem(pem(keyBody)), false);
  });

  it('in tests, leaves out words with small numbers, UUIDs and base64 of text; keeps generated-looking values', async () => {
    const spec = [
      "const RECOVERY_TOKEN = 'valid-recovery-token-123';", // 1
      "const auth = { token: 'oauth2_access_token_123', refreshToken: 'refresh_token_456' };", // 2
      "const pat = { token: '0140e328-b187-4823-ae4b-ed4bec832ac2' };", // 3
      "const jwt = { secret: 'bXktc2VjcmV0LWtleQ==' };", // 4
      "const leaked = { secret: 'q8Zr2VtN5wLk1XpB7dYc' };", // 5: generated-looking
      "const raw = { secret: 'hV3+9qQ2mZ8xR1tK0wP4yL6n' };", // 6: base64 of random bytes
      '',
    ].join('\n');
    assert.deepEqual(await hits('src/auth/auth.spec.ts', spec, base), ['5 hardcoded-secret', '6 hardcoded-secret']);
    // The same values in production code are all reported.
    assert.deepEqual(
      (await hits('src/auth/auth.ts', spec, base)).length,
      7,
      'production code keeps every value (two on line 2)',
    );
    const goTest = [
      'package auth',
      '',
      'import "testing"',
      '',
      'func TestHash(t *testing.T) {',
      '\ttoken := "memos_pat_abc123"',
      '\tkey := struct{ secret string }{secret: "whsec_not!base64"}',
      '\tapiKey := "Zk4mQ9vT2xLr7WpN3bYc"',
      '\t_, _, _ = token, key, apiKey',
      '}',
      '',
    ].join('\n');
    assert.deepEqual(await hits('server/auth/token_test.go', goTest, base), ['8 hardcoded-secret']);
  });

  it('judges single values', () => {
    for (const value of ['123456789', 'abcabcabc', 'zyxwvuts', '...JWT...', 'your-EXAMPLE-key', 'sk_live_xxxx…'])
      assert.equal(isDocumentationValue(value), true, value);
    for (const value of ['48291573', 'hunter2-prod', 'k3X9vQ7mLp', 'exam-ple-2'])
      assert.equal(isDocumentationValue(value), false, value);
    for (const literal of ["'memos_pat_abc123'", '"testPass123"', "'0140e328-b187-4823-ae4b-ed4bec832ac2'"])
      assert.equal(isTestsOwnCredential(literal), true, literal);
    for (const literal of ["'q8Zr2VtN5wLk1XpB7dYc'", `'${awsShaped}'`, "'aGVsbG8Aw6nYq3/1Zk8tRw=='"])
      assert.equal(isTestsOwnCredential(literal), false, literal);
  });

  it('a Python setting named after a secret compared with one of its choices is not a credential check', async () => {
    const py = [
      'SECRET_PROVIDER = config("SECRET_PROVIDER", default=None)',
      'if SECRET_PROVIDER == "metatron-secret":',
      '    pass',
      'if ADMIN_PASSWORD == "s3cure-admin-pw":',
      '    pass',
      '',
    ].join('\n');
    assert.deepEqual(await hits('app/config.py', py, base), ['4 hardcoded-secret']);
  });

  it('redaction still hides documentation values: only the finding changes', () => {
    const redacted = redactSecrets(`aws_access_key_id = "${awsDocs}"\n`);
    assert.ok(!redacted.text.includes(awsDocs), redacted.text);
  });
});
