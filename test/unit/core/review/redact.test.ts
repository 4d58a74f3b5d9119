import { strict as assert } from 'node:assert';
import { redactSecrets } from '../../../../src/core/review/redact';

// Fake credentials shaped like the real formats; assembled at run time so the repository holds no scannable literal.
const fake = {
  aws: 'AKIA' + 'ABCDEFGHIJKLMNOP',
  github: 'ghp_' + 'a'.repeat(36),
  gitlab: 'glpat-' + 'b'.repeat(20),
  slack: 'xoxb-' + '1234567890-abcdef',
  slackHook: 'https://hooks.slack.com/services/' + 'T000/B000/XXXX',
  stripe: 'sk_live_' + 'c'.repeat(24),
  openai: 'sk-proj-' + 'd'.repeat(30),
  google: 'AIza' + 'e'.repeat(35),
  jwt: 'eyJ' + 'hbGciOiJIUzI1' + '.eyJ' + 'zdWIiOiIxMjM0' + '.' + 'f'.repeat(20),
};

function lineCount(text: string): number {
  return text.split('\n').length;
}

describe('redactSecrets', () => {
  for (const [family, secret] of Object.entries(fake)) {
    it(`removes a ${family} credential and keeps the line's shape`, () => {
      const text = `line one\nconst value = "${secret}"; // used below\nline three\n`;
      const result = redactSecrets(text);
      assert.ok(!result.text.includes(secret), result.text);
      assert.equal(lineCount(result.text), lineCount(text));
      const line = result.text.split('\n')[1];
      assert.match(line, /^const value = "‹redacted:[a-z0-9-]+›"; \/\/ used below$/);
      assert.equal(result.redactions[0].line, 2);
    });
  }

  it('removes a multi-line private key keeping the number of lines', () => {
    const key = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA' + 'x'.repeat(40), 'y'.repeat(40), '-----END RSA PRIVATE KEY-----'].join('\n');
    const text = `const a = 1;\nconst pem = \`${key}\`;\nconst b = 2;`;
    const result = redactSecrets(text);
    assert.ok(!result.text.includes('MIIEowIBAAKCAQEA'));
    assert.equal(lineCount(result.text), lineCount(text));
    assert.equal(result.text.split('\n')[5], 'const b = 2;');
    assert.deepEqual(result.redactions, [{ line: 2, kind: 'private key' }]);
  });

  it('removes only the password of a connection string', () => {
    const result = redactSecrets('const url = "postgres://orders:Sup3rS3cret@db.internal:5432/orders";');
    assert.equal(result.text, 'const url = "postgres://orders:‹redacted:connection-string-password›@db.internal:5432/orders";');
  });

  const named: [string, string, string][] = [
    ['assignment', 'const password = "hunter2!!";', 'hunter2!!'],
    ['object key', 'const cfg = { apiKey: "k-123456" };', 'k-123456'],
    ['quoted JSON key', '{ "client_secret": "abcdef123" }', 'abcdef123'],
    ['Go short assignment', 'authToken := "tok-987654"', 'tok-987654'],
    ['keyword argument', 'client = Client(api_key="py-key-42", timeout=3)', 'py-key-42'],
    ['Python annotation', 'db_password: str = "s3cr3t-pw"', 's3cr3t-pw'],
    ['member assignment', "this.config.secret = 'shh-123';", 'shh-123'],
    ['arrow map', "'token' => 'php-tok-1',", 'php-tok-1'],
  ];
  for (const [form, line, secret] of named) {
    it(`removes a literal assigned to a secret-looking name (${form})`, () => {
      const result = redactSecrets(`${line}\nnext();`);
      assert.ok(!result.text.includes(secret), result.text);
      assert.match(result.text, /‹redacted:value-of-[a-z_-]+›/);
      assert.equal(result.text.split('\n')[1], 'next();');
      assert.equal(result.redactions.length, 1);
    });
  }

  it('redacts unquoted values in env and YAML files but not references', () => {
    const env = redactSecrets('DB_PASSWORD=hunter2\nexport API_TOKEN=abcdef # rotated\nPORT=8080\nSECRET=${FROM_VAULT}\n', { path: 'deploy/.env' });
    assert.equal(env.text, 'DB_PASSWORD=‹redacted:value-of-db-password›\nexport API_TOKEN=‹redacted:value-of-api-token› # rotated\nPORT=8080\nSECRET=${FROM_VAULT}\n');
    const yaml = redactSecrets('database:\n  user: orders\n  password: pl41n-text\n', { path: 'config/app.yaml' });
    assert.equal(yaml.text, 'database:\n  user: orders\n  password: ‹redacted:value-of-password›\n');
    assert.deepEqual(yaml.redactions, [{ line: 3, kind: 'value of password' }]);
  });

  it('leaves code that only mentions secret names alone', () => {
    const text = [
      'const password = process.env.DB_PASSWORD;',
      'function login(password: string): boolean { return password === expected; }',
      'if (token == "") throw new Error("missing");',
      'const maxTokens = "4096";',
      'password: string;',
    ].join('\n');
    const result = redactSecrets(text, { path: 'src/auth.ts' });
    assert.equal(result.text, text);
    assert.deepEqual(result.redactions, []);
  });
});
