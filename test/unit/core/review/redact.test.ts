import { strict as assert } from 'node:assert';
import type { ReviewFinding } from '../../../../src/core/findings';
import {
  KNOWN_PATTERN_REQUIRED_TEXT,
  SECRET_NAME_CANDIDATE,
  SECRET_NAME_CANDIDATE_LOWERCASE,
  VAR_TYPE_ALTERNATIVE,
  quotedAssignmentFor,
  redactSecrets,
  secretNameLineStarts,
  withoutAlternative,
  withoutSecrets,
} from '../../../../src/core/review/redact';
import { KNOWN_SECRET_PATTERNS } from '../../../../src/core/secretPatterns';

// Fake credentials shaped like the real formats; assembled at run time so the repository holds no scannable literal.
const fake = {
  aws: 'AKIA' + 'ABCDEFGHIJKLMNOP',
  github: 'ghp_' + 'a'.repeat(36),
  gitlab: 'glpat-' + 'b'.repeat(20),
  slack: 'xoxb-' + '1234567890-abcdef',
  slackHook: 'https://hooks.slack.com/services/' + 'T0A1B2C3D/B4E5F6G7H/' + 'Zq8Xw3Rt6Yu1Io4Pa7Sd2Fg5',
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
    const key = [
      '-----BEGIN RSA PRIVATE KEY-----',
      'MIIEowIBAAKCAQEA' + 'x'.repeat(40),
      'y'.repeat(40),
      '-----END RSA PRIVATE KEY-----',
    ].join('\n');
    const text = `const a = 1;\nconst pem = \`${key}\`;\nconst b = 2;`;
    const result = redactSecrets(text);
    assert.ok(!result.text.includes('MIIEowIBAAKCAQEA'));
    assert.equal(lineCount(result.text), lineCount(text));
    assert.equal(result.text.split('\n')[5], 'const b = 2;');
    assert.deepEqual(result.redactions, [{ line: 2, kind: 'private key' }]);
  });

  it('removes only the password of a connection string', () => {
    const result = redactSecrets('const url = "postgres://orders:Sup3rS3cret@db.internal:5432/orders";');
    assert.equal(
      result.text,
      'const url = "postgres://orders:‹redacted:connection-string-password›@db.internal:5432/orders";',
    );
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
    // A bare `pw` (no prefix before it) starts a line or follows a dot or a keyword.
    ['bare pw', 'pw = "s3cr3t-value-9"', 's3cr3t-value-9'],
    ['member pw', 'self.pw = "s3cr3t-value-9"', 's3cr3t-value-9'],
    ['declared pw', 'const pw = "s3cr3t-value-9";', 's3cr3t-value-9'],
    // A bare `auth` (a secret name, MORE_SECRET_NAMES) declared, annotated, or as an object key.
    ['bare auth', 'auth = "s3cr3t-value-9"', 's3cr3t-value-9'],
    ['declared auth', 'export const AUTH = "s3cr3t-value-9";', 's3cr3t-value-9'],
    ['annotated auth', 'let auth: string = "s3cr3t-value-9";', 's3cr3t-value-9'],
    ['auth key', '{ auth: "s3cr3t-value-9" }', 's3cr3t-value-9'],
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
    const env = redactSecrets(
      'DB_PASSWORD=hunter2\nexport API_TOKEN=abcdef # rotated\nPORT=8080\nSECRET=${FROM_VAULT}\n',
      { path: 'deploy/.env' },
    );
    assert.equal(
      env.text,
      'DB_PASSWORD=‹redacted:value-of-db-password›\nexport API_TOKEN=‹redacted:value-of-api-token› # rotated\nPORT=8080\nSECRET=${FROM_VAULT}\n',
    );
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
      // Comparisons with modes and sentinels are not credentials (only assignments name a value).
      'if (user.password == "LDAP") return ldapLogin(user);',
      "if settings.auth_token != 'none':",
      'const ok = credentials === "anonymous";',
      // An outline's placeholder webhook path, too short to be a team, channel and key.
      'const hook = "https://hooks.slack.com/services/secret";',
    ].join('\n');
    const result = redactSecrets(text, { path: 'src/auth.ts' });
    assert.equal(result.text, text);
    assert.deepEqual(result.redactions, []);
  });

  describe('line-bound assignments', () => {
    it('redacts nested YAML values (a newline does not join the parent key with its child)', () => {
      const result = redactSecrets('database:\n  password: hunter2hunter\nredis:\n  auth_token: tok123456\n', {
        path: 'application.yml',
      });
      assert.equal(
        result.text,
        'database:\n  password: ‹redacted:value-of-password›\nredis:\n  auth_token: ‹redacted:value-of-auth-token›\n',
      );
      assert.deepEqual(
        result.redactions.map((r) => r.line),
        [2, 4],
      );
    });

    it('redacts the data of a Kubernetes Secret', () => {
      const result = redactSecrets('kind: Secret\ndata:\n  password: aHVudGVyMg==\n', { path: 'k8s/secret.yaml' });
      assert.equal(result.text, 'kind: Secret\ndata:\n  password: ‹redacted:value-of-password›\n');
    });

    it('does not read an empty env value and the next line as one assignment', () => {
      const result = redactSecrets('FOO=\nDB_PASSWORD=hunter2\n', { path: '.env' });
      assert.equal(result.text, 'FOO=\nDB_PASSWORD=‹redacted:value-of-db-password›\n');
    });
  });

  // Each: [shape, path, text, what must not survive].
  const shapes: [string, string, string, string][] = [
    ['secret key name', 'a.ts', 'const secretKey = "abc123xyz";', 'abc123xyz'],
    ['signing key name', 'a.ts', 'const signing_key = "sig123xyz";', 'sig123xyz'],
    ['encryption key name', 'a.ts', 'ENCRYPTION_KEY = "enc123xyz"', 'enc123xyz'],
    ['pwd name', 'a.py', 'pwd = "pwdvalue1"', 'pwdvalue1'],
    ['dbPwd name', 'a.ts', 'const dbPwd = "pwdvalue2";', 'pwdvalue2'],
    ['Python f-string', 'a.py', 'password = f"hunter2{suffix}"', 'hunter2'],
    ['Python bytes', 'a.py', 'password = b"bytespw12"', 'bytespw12'],
    ['Python raw string', 'a.py', 'password = r"rawpw1234"', 'rawpw1234'],
    ['Python triple-quoted', 'a.py', 'password = """triplepw123"""', 'triplepw123'],
    ['Go var with type', 'main.go', 'var dbPassword string = "gopw12345"', 'gopw12345'],
    ['comparison', 'a.ts', 'if (password === "admin123") {}', 'admin123'],
    ['Python comparison', 'a.py', 'if user.password == "admin456":', 'admin456'],
    ['os.environ item', 'a.py', 'os.environ["API_KEY"] = "environkey1"', 'environkey1'],
    [
      'PGP private key',
      'a.txt',
      '-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBGXXXXXXXXXX\n-----END PGP PRIVATE KEY BLOCK-----',
      'lQOYBGXXXXXXXXXX',
    ],
    ['connection string with empty user', 'notes.txt', 'redis://:onlypassword@redis:6379', 'onlypassword'],
    ['connection string password holding @', 'a.py', 'url = "mysql://root:p@ssw0rd@localhost/db"', 'ssw0rd'],
    [
      'Authorization header',
      'a.py',
      'headers = {"Authorization": "Bearer abcdef0123456789abcdef"}',
      'abcdef0123456789abcdef',
    ],
    [
      'Azure account key',
      'a.py',
      'conn = "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abcdEFGH1234abcdEFGH1234==;EndpointSuffix=core.windows.net"',
      'abcdEFGH1234',
    ],
    [
      'npm auth token',
      '.npmrc',
      '//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123',
      'npm_abcdefghijklmnopqrstuvwxyz0123',
    ],
    ['Dockerfile ENV', 'Dockerfile', 'FROM node:20\nENV X_TOKEN=dockertoken1\nRUN npm ci', 'dockertoken1'],
    ['shell export', 'scripts/deploy.sh', '#!/bin/sh\nexport X_PASSWORD=shellpw123\n./run', 'shellpw123'],
  ];
  for (const [shape, path, text, secret] of shapes) {
    it(`redacts a ${shape} and keeps the line count`, () => {
      const result = redactSecrets(`first();\n${text}\nlast();`, { path });
      assert.ok(!result.text.includes(secret), result.text);
      assert.match(result.text, /‹redacted:[a-z0-9-]+›/);
      assert.equal(lineCount(result.text), lineCount(text) + 2);
      assert.equal(result.text.split('\n').at(-1), 'last();');
      // The line where the secret (or its key block) starts: one for `first();`, plus its line within the text.
      assert.equal(
        result.redactions[0].line,
        2 + text.split('\n').findIndex((line) => line.includes(secret) || line.startsWith('-----BEGIN')),
      );
    });
  }

  it('redacts a private key without its END line up to the next blank line, keeping the lines', () => {
    const text =
      'const k = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAAAABBBBCCCC\n\nconst after = 1;\n';
    const result = redactSecrets(text);
    assert.equal(result.text, 'const k = "‹redacted:private-key-without-end-line›\n\n\n\nconst after = 1;\n');
    const atEnd = redactSecrets(
      'key = """-----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAAAABBBB',
      { path: 'a.py' },
    );
    assert.ok(!atEnd.text.includes('MIIEvQ'), atEnd.text);
    assert.equal(lineCount(atEnd.text), 3);
  });

  it('finds a secret after a word that looked like a name with a type annotation', () => {
    const result = redactSecrets('Bad example: db_password = "PersonaPw123"; also { a: b, password: "pw-in-object" }');
    assert.equal(
      result.text,
      'Bad example: db_password = "‹redacted:value-of-db-password›"; also { a: b, password: "‹redacted:value-of-password›" }',
    );
  });

  it('leaves code that only names a key header, and Python names that look like npm settings', () => {
    const code = 'if (pem.startsWith("-----BEGIN PRIVATE KEY-----")) {\n  return parse(pem);\n}\n';
    assert.equal(redactSecrets(code).text, code);
    const python = '_password = compute()\n';
    assert.equal(redactSecrets(python, { path: 'a.py' }).text, python);
  });

  it('redacts the short last line of a key without END, and no code after it', () => {
    const text = 'const k = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAAAA==";\nuse(k);\n';
    assert.equal(redactSecrets(text).text, 'const k = "‹redacted:private-key-without-end-line›\n\n";\nuse(k);\n');
  });

  it('keeps the rest of a Bearer line and leaves prose about bearer tokens alone', () => {
    assert.equal(
      redactSecrets('curl -H "Authorization: Bearer abc123def456ghi" https://api').text,
      'curl -H "Authorization: Bearer ‹redacted:authorization-header-credential›" https://api',
    );
    const prose = '// Send the bearer token in the Authorization header.';
    assert.equal(redactSecrets(prose).text, prose);
  });

  describe('prefilters (only lines and texts that can hold a secret are searched)', () => {
    it('names only known patterns, so a changed pattern loses its prefilter instead of keeping a stale one', () => {
      const sources = new Set(KNOWN_SECRET_PATTERNS.map((pattern) => pattern.regex.source));
      for (const source of KNOWN_PATTERN_REQUIRED_TEXT.keys())
        assert.ok(sources.has(source), `no known pattern has the source ${source}`);
      assert.equal(KNOWN_PATTERN_REQUIRED_TEXT.size, 4);
    });

    it('redacts assignments on the first, a middle and the last line of a long file, with their line numbers', () => {
      const filler = Array.from({ length: 300 }, (_, i) => `const value${i} = compute(${i}); // keyboard tokens: none`);
      const lines = [
        'password = "first-secret"',
        ...filler.slice(0, 150),
        '  var dbPassword string = "go-secret"',
        'os.environ["DB_PASSWORD"] = "env-secret"\r',
        ...filler.slice(150),
        'config.apiKey: str = "last-secret"',
      ];
      const text = lines.join('\n');
      const result = redactSecrets(text);
      for (const secret of ['first-secret', 'go-secret', 'env-secret', 'last-secret'])
        assert.ok(!result.text.includes(secret), secret);
      assert.deepEqual(
        result.redactions.map((r) => r.line),
        [1, 152, 153, 304],
      );
      assert.equal(result.text.split('\n').length, lines.length);
      const out = result.text.split('\n');
      assert.equal(out[152], 'os.environ["DB_PASSWORD"] = "‹redacted:value-of-db-password›"\r');
      assert.equal(out[303], 'config.apiKey: str = "‹redacted:value-of-apikey›"');
      assert.deepEqual(out.slice(1, 151), filler.slice(0, 150));
    });

    it('finds the assignment lines again when a pass between the two uses of them changed the text', () => {
      // The embedded `NAME=value` pass and the quoted-assignment pass read the same candidate lines
      // while the text is unchanged; here the header pass redacts line 2 in between, and the
      // assignments on lines 1 and 3 are still found (and nothing else).
      const text = [
        'const password = "first-2b9f";',
        'fetch(url, { headers: { "X-Api-Token: tok-4d71c2e9" } });',
        'client_secret = "third-77aa"',
        'const plain = "nothing here";',
      ].join('\n');
      const result = redactSecrets(text);
      assert.deepEqual(
        result.redactions.map((r) => [r.line, r.kind]),
        [
          [1, 'value of password'],
          [2, 'value of X-Api-Token'],
          [3, 'value of client_secret'],
        ],
      );
      for (const secret of ['first-2b9f', 'tok-4d71c2e9', 'third-77aa'])
        assert.ok(!result.text.includes(secret), secret);
      assert.equal(result.text.split('\n')[3], 'const plain = "nothing here";');
      // Without the line in between (no change before the quoted pass), the same two assignments.
      const unchanged = redactSecrets([text.split('\n')[0], '', text.split('\n')[2]].join('\n'));
      assert.deepEqual(
        unchanged.redactions.map((r) => r.line),
        [1, 3],
      );
    });

    it('finds provider tokens only in runs of 16 token characters or more, at either end of the text', () => {
      const token = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
      for (const text of [token, `x ${token}`, `${token}\n`, `"${token}",`, `(${token})`]) {
        const result = redactSecrets(text);
        assert.ok(!result.text.includes(token), text);
        assert.equal(result.redactions.length, 1, text);
      }
      // 15 token characters are no run: a 15-character pattern cannot be met (none is that short).
      assert.equal(redactSecrets('a'.repeat(15)).text, 'a'.repeat(15));
      // Non-ASCII letters end a run, as \w does without the u flag.
      assert.equal(redactSecrets(`é${token}é`).redactions.length, 1);
    });

    it('still finds Bearer, Azure, npm and connection-string secrets when their marker is present', () => {
      const text = [
        'headers.Authorization = `Bearer abc123def456ghi`;',
        'const conn = "DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0a2V5;EndpointSuffix=x";',
        '//registry.npmjs.org/:_authToken=npm-secret-token-1',
        'const url = "postgres://app:pg-secret@db:5432/app";',
      ].join('\n');
      const result = redactSecrets(text, { path: '.npmrc' });
      for (const secret of ['abc123def456ghi', 'c2VjcmV0a2V5', 'npm-secret-token-1', 'pg-secret'])
        assert.ok(!result.text.includes(secret), `${secret} in ${result.text}`);
    });
  });

  describe('fast paths that must find exactly what the full patterns find', () => {
    /** A reproducible stream of numbers in [0, 1) (mulberry32). */
    const random = (seed: number): (() => number) => {
      let state = seed;
      return () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    };
    const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)];
    // Pieces of code around secret names: names in both cases, operators, quotes, types, `var`.
    const PIECES = [
      'password',
      'PASSWORD',
      'Pass',
      'pwd',
      'adminPw',
      'db_PW',
      'secret',
      'SECRET_KEY',
      'api_key',
      'ApiKey',
      'token',
      'TOKEN',
      'credentials',
      'x-auth',
      'login',
      'CLIENT',
      'sid',
      'access_id',
      'AppId',
      '__INIT__',
      '__x',
      'key_base',
      'name',
      'value',
      'cfg.db.password',
      'var',
      'VAR',
      'vars',
      'variable',
      ' ',
      ' ',
      '  ',
      '\t',
      '=',
      ' = ',
      ':',
      ': ',
      ' := ',
      '==',
      '!==',
      '=>',
      '??=',
      '+=',
      '"',
      "'",
      '`',
      '"s3cr3t-9f2a"',
      "'tok_41b7c2d9'",
      '`v4lue-77`',
      'string',
      'str',
      '&str',
      '[',
      ']',
      '(',
      ')',
      '{',
      '}',
      ',',
      ';',
      '.',
      'f"',
      'À',
      'ÿ',
      'µ',
      'ß',
      'é',
      '«',
      'p\nass',
      'word',
    ];
    const line = (next: () => number): string =>
      Array.from({ length: 1 + Math.floor(next() * 14) }, () => pick(next, PIECES)).join('');

    it('takes out the `var NAME TYPE` alternative and nothing else', () => {
      const pattern = quotedAssignmentFor('var x');
      assert.ok(pattern.source.includes(VAR_TYPE_ALTERNATIVE));
      const without = quotedAssignmentFor('const x');
      assert.equal(without.source, pattern.source.replace(VAR_TYPE_ALTERNATIVE, ''));
      assert.equal(without.flags, pattern.flags);
      assert.throws(() => withoutAlternative(/a|b/g, '|c'), /has no alternative/);
    });

    it('the quoted-assignment pattern without `var` matches as the full one on lines without `var`', () => {
      const next = random(15);
      const full = quotedAssignmentFor('var');
      let compared = 0;
      let matched = 0;
      for (let i = 0; i < 8_000; i++) {
        const text = line(next).replaceAll('\n', ' ');
        if (text.includes('var')) continue;
        const fast = quotedAssignmentFor(text);
        assert.notEqual(fast, full);
        // Every match from every offset, as replaceAssignments retries a declined match one character on.
        for (let from = 0; from < text.length; from++) {
          full.lastIndex = from;
          fast.lastIndex = from;
          const expected = full.exec(text);
          const actual = fast.exec(text);
          assert.deepEqual(actual && [...actual, actual.index], expected && [...expected, expected.index], text);
          if (expected) matched++;
        }
        compared++;
      }
      full.lastIndex = 0;
      assert.ok(compared > 4_000 && matched > 1_000, `${compared} lines, ${matched} matches`);
    });

    it('a line with `var` anywhere keeps the full pattern: the Go type after `var NAME` is still read', () => {
      for (const [text, secret] of [
        ['var dbPassword string = "go-secret-1"', 'go-secret-1'],
        ['\tvar\tapiToken\tstring\t=\t"go-secret-2"', 'go-secret-2'],
        ['x := 1; var adminPassword string = "go-secret-3"', 'go-secret-3'],
      ]) {
        const result = redactSecrets(text, { path: 'main.go' });
        assert.ok(!result.text.includes(secret), result.text);
        assert.equal(result.redactions.length, 1, text);
      }
      // `vars`, `variable`: `var` is there, so the full pattern runs; `VAR` is not `var` (the pattern is case-sensitive).
      assert.equal(quotedAssignmentFor('vars = 1'), quotedAssignmentFor('var'));
      assert.notEqual(quotedAssignmentFor('VAR password string = "x"'), quotedAssignmentFor('var'));
      assert.equal(redactSecrets('VAR password string = "not-go"').text, 'VAR password string = "not-go"');
    });

    it('the lowercase secret-name finder holds no upper-case letter or escape the lowering would change', () => {
      assert.ok(SECRET_NAME_CANDIDATE.flags.includes('i') && !SECRET_NAME_CANDIDATE.flags.includes('u'));
      assert.ok(!SECRET_NAME_CANDIDATE_LOWERCASE.flags.includes('i'));
      // Upper-case letters stand only in `A-Z` ranges (each made `a-z`), never in escapes such as \W or \S.
      assert.equal(SECRET_NAME_CANDIDATE.source.replaceAll('A-Z', '').replace(/[^A-Z]/g, ''), '');
      assert.equal(SECRET_NAME_CANDIDATE_LOWERCASE.source, SECRET_NAME_CANDIDATE.source.replaceAll('A-Z', 'a-z'));
    });

    it('finds the same secret-name lines in the lowercased text, with LF, CRLF and Latin-1 letters', () => {
      const next = random(18);
      let candidates = 0;
      for (let i = 0; i < 3_000; i++) {
        const lines = Array.from({ length: 1 + Math.floor(next() * 6) }, () => line(next).replaceAll('\n', '\n'));
        for (const text of [lines.join('\n'), lines.join('\r\n')]) {
          const slow = secretNameLineStarts(text, false);
          assert.deepEqual(secretNameLineStarts(text, true), slow, JSON.stringify(text));
          candidates += slow.length;
        }
      }
      assert.ok(candidates > 5_000, `${candidates} candidate lines`);
    });

    it('a name split across lines is no candidate, in either case and either line ending', () => {
      for (const text of ['PASS\nWORD = "x"', 'pass\r\nword = "x"', 'SECRET\n= "abc123"', 'TOK\nEN: "t0k3n-v4lue"']) {
        assert.deepEqual(secretNameLineStarts(text, true), [], text);
        assert.deepEqual(secretNameLineStarts(text, false), [], text);
        assert.equal(redactSecrets(text).redactions.length, 0, text);
      }
    });

    it('a text beyond Latin-1 is searched as it is: the Kelvin sign lowercases to k, but is no k for the pattern', () => {
      const text = 'const to\u212Aen = "abcdef123456";\nconst PASSWORD = "hunter2-x";';
      const result = redactSecrets(text);
      assert.deepEqual(
        result.redactions.map((r) => [r.line, r.kind]),
        [[2, 'value of PASSWORD']],
      );
      assert.ok(result.text.startsWith('const to\u212Aen = "abcdef123456";\n'), result.text);
      // Lowercasing would have made line 1 a candidate: the caller passes latin1 = false for such a text.
      assert.deepEqual(secretNameLineStarts(text, false), [text.indexOf('const PASSWORD')]);
    });

    it('the Azure names are found by their `Key=` or `Signature=` ending, and other `Key=` lines keep their text', () => {
      const text = [
        'Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=app;SharedAccessKey=c2hhcmVka2V5MTIz;',
        'const sas = "SharedAccessSignature=sv%3D2024%26sig%3Dabc123";',
        'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=YWNjb3VudGtleTk5;EndpointSuffix=core',
        'const url = `${base}?apiKey=${key}&mode=1`;',
      ].join('\r\n');
      const result = redactSecrets(text);
      for (const secret of ['c2hhcmVka2V5MTIz', 'sv%3D2024%26sig%3Dabc123', 'YWNjb3VudGtleTk5'])
        assert.ok(!result.text.includes(secret), `${secret} in ${result.text}`);
      assert.deepEqual(
        result.redactions.map((r) => [r.line, r.kind]),
        [
          [1, 'Azure account key'],
          [2, 'Azure account key'],
          [3, 'Azure account key'],
        ],
      );
      assert.equal(result.text.split('\r\n')[3], 'const url = `${base}?apiKey=${key}&mode=1`;');
    });

    it('overlapping secrets: a token inside an assignment is redacted once, by the first pass that finds it', () => {
      const token = 'ghp_' + 'Z'.repeat(36);
      const text = [
        `PASSWORD = "${token}"`,
        `var apiToken string = "${token}"`,
        `Authorization: "Bearer ${token}"`,
      ].join('\r\n');
      const result = redactSecrets(text);
      assert.ok(!result.text.includes(token), result.text);
      assert.deepEqual(
        result.redactions.map((r) => [r.line, r.kind]),
        [
          [1, 'GitHub token'],
          [2, 'GitHub token'],
          [3, 'GitHub token'],
        ],
      );
    });
  });

  // Each input made a lookbehind or a lazy value re-scan a whole run at every position (quadratic): a
  // 100 KB line took 25 s. Linear passes finish these 200 KB texts in well under the test timeout.
  describe('long runs stay linear', () => {
    const run = (unit: string, count: number): string => unit.repeat(count);
    const inputs: [string, string, string][] = [
      ['a secret name then a line of spaces (YAML)', 'config.yaml', 'password = ' + run(' ', 200_000)],
      ['an element named like a secret then spaces', 'config.xml', '<password>' + run(' ', 200_000) + 'x'],
      ['Bearer then spaces', 'a.ts', 'Authorization: Bearer' + run(' ', 200_000)],
      ['a flag then spaces', 'run.sh', 'deploy --password' + run(' ', 200_000)],
      ['a config value then trailing spaces', '.env', 'DB_PASSWORD=abc' + run(' ', 200_000)],
      ['a type annotation then spaces', 'a.ts', 'password: string' + run(' ', 200_000)],
      ['curl -u then spaces', 'run.sh', 'curl -u' + run(' ', 200_000)],
      ['mysql and many -p', 'run.sh', 'mysql' + run(' -p', 50_000)],
      ['one long line of word characters', 'a.ts', run('a', 200_000)],
      ['many header strings on one line', 'a.ts', run("'x-api-key: a1", 15_000)],
      ['20,000 comparisons', 'a.ts', run('if (password == "LDAP") {}\n', 20_000)],
    ];
    for (const [shape, path, text] of inputs) {
      it(shape, () => {
        const result = redactSecrets(text, { path });
        assert.equal(lineCount(result.text), lineCount(text));
      });
    }
  });
});

describe('withoutSecrets: messages and suggestions', () => {
  // A config-style line: redacted in a YAML file, left alone in TypeScript, whichever comes first.
  const configLine = 'password: ' + 'Zk4' + 'qLm9Tr2Vx';
  const finding = (file: string): ReviewFinding => ({
    file,
    ruleId: 'hardcoded-secret',
    title: 'Credential written in the source',
    severity: 'high',
    category: 'security',
    startLine: 1,
    endLine: 1,
    quote: 'x',
    message: `Seen:\n${configLine}`,
    suggestion: `Remove:\n${configLine}`,
    fix: null,
    confidence: 1,
    origin: 'offline',
  });
  // Each unit holds a secret, so its findings are looked at (a unit with nothing to redact returns them as they are).
  const unit = (file: string): { path: string; text: string } => ({
    path: file,
    text: `x\nTOKEN = "${fake.github}"\n`,
  });

  for (const order of [
    ['config/app.yml', 'src/db.ts'],
    ['src/db.ts', 'config/app.yml'],
  ]) {
    it(`redacts by the finding's path, the same text seen again (${order.join(' then ')})`, () => {
      for (const file of [...order, ...order]) {
        const [out] = withoutSecrets([finding(file)], unit(file));
        const expected = redactSecrets(`Seen:\n${configLine}`, { path: file }).text;
        assert.equal(out.message, expected, file);
        assert.equal(out.suggestion, redactSecrets(`Remove:\n${configLine}`, { path: file }).text, file);
        assert.equal(out.message.includes(configLine), file === 'src/db.ts', file);
      }
    });
  }
});
