import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactSecrets } from '../../../../src/core/review/redact';
import type { ChatProvider } from '../../../../src/core/providers/provider';
import { runReview } from '../../../../src/core/review/engine';
import { runOfflineChecks } from '../../../../src/core/offline';
import { formatGithub } from '../../../../src/core/output/github';
import { formatGitlab } from '../../../../src/core/output/gitlab';
import { formatJson } from '../../../../src/core/output/json';
import { formatRdjson } from '../../../../src/core/output/rdjson';
import { formatSarif } from '../../../../src/core/output/sarif';
import { formatText } from '../../../../src/core/output/text';
import { InMemoryLogger } from '../../../support/inMemoryLogger';
import { findingsAnswer, modelFinding, startModelServer } from '../../../support/modelServer';
import { runCliCaptured } from '../../../support/runCliCaptured';

// Our own corpus of credential shapes: each value is generated here from the format its provider
// documents (prefix, alphabet, length), from a fixed seed, so the repository holds no real or
// copied key and every run sees the same values.

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}
const random = seeded(20261204);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const URLSAFE = ALNUM + '_-';
const BASE32_AGE = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';
const DIGITS = '0123456789';
const LOWER_NUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
function chars(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(random() * alphabet.length)];
  // Every generated body carries a digit and both cases where the alphabet has them, like real keys.
  return out;
}

/** Provider formats: name and a generator. Several per provider where it issues several kinds. */
const FORMATS: Array<[string, () => string]> = [
  ['AWS access key id', () => 'AKIA' + chars(UPPER_NUM, 16)],
  ['AWS temporary key id', () => 'ASIA' + chars(UPPER_NUM, 16)],
  ['GitHub classic token', () => 'ghp_' + chars(ALNUM, 36)],
  ['GitHub OAuth token', () => 'gho_' + chars(ALNUM, 36)],
  ['GitHub app token', () => 'ghs_' + chars(ALNUM, 36)],
  ['GitHub fine-grained token', () => 'github_pat_' + chars(ALNUM, 22) + '_' + chars(ALNUM, 59)],
  ['GitLab personal token', () => 'glpat-' + chars(URLSAFE, 20)],
  ['GitLab deploy token', () => 'gldt-' + chars(URLSAFE, 20)],
  ['GitLab runner token', () => 'glrt-' + chars(URLSAFE, 20)],
  ['GitLab pipeline trigger', () => 'glptt-' + chars(HEX, 40)],
  ['GitLab runner registration', () => 'GR1348941' + chars(URLSAFE, 20)],
  ['Slack bot token', () => `xoxb-${chars('0123456789', 11)}-${chars('0123456789', 12)}-${chars(ALNUM, 24)}`],
  ['Slack user token', () => `xoxp-${chars('0123456789', 11)}-${chars('0123456789', 12)}-${chars(ALNUM, 32)}`],
  ['Slack app token', () => `xapp-1-A${chars(UPPER_NUM, 10)}-${chars('0123456789', 13)}-${chars(HEX, 64)}`],
  [
    'Slack webhook',
    () => `https://hooks.slack.com/services/T${chars(UPPER_NUM, 8)}/B${chars(UPPER_NUM, 8)}/${chars(ALNUM, 24)}`,
  ],
  ['Stripe live secret key', () => 'sk_live_' + chars(ALNUM, 24)],
  ['Stripe test secret key', () => 'sk_test_' + chars(ALNUM, 24)],
  ['Stripe restricted key', () => 'rk_live_' + chars(ALNUM, 24)],
  ['Stripe webhook secret', () => 'whsec_' + chars(ALNUM, 32)],
  ['OpenAI project key', () => 'sk-proj-' + chars(URLSAFE, 48)],
  ['OpenAI legacy key', () => 'sk-' + chars(ALNUM, 48)],
  ['Anthropic key', () => 'sk-ant-api03-' + chars(URLSAFE, 93) + 'AA'],
  ['Google API key', () => 'AIza' + chars(URLSAFE, 35)],
  ['Google OAuth client secret', () => 'GOCSPX-' + chars(URLSAFE, 28)],
  ['Google OAuth access token', () => 'ya29.' + chars(URLSAFE, 60)],
  ['SendGrid key', () => `SG.${chars(URLSAFE, 22)}.${chars(URLSAFE, 43)}`],
  ['Discord bot token', () => `M${chars(ALNUM, 23)}.${chars(URLSAFE, 6)}.${chars(URLSAFE, 27)}`],
  ['Discord webhook', () => `https://discord.com/api/webhooks/${chars('0123456789', 18)}/${chars(URLSAFE, 68)}`],
  ['Telegram bot token', () => `${chars('123456789', 9)}:AA${chars(URLSAFE, 33)}`],
  [
    'Teams webhook',
    () =>
      `https://contoso.webhook.office.com/webhookb2/${chars(HEX, 8)}-${chars(HEX, 4)}@${chars(HEX, 8)}/IncomingWebhook/${chars(HEX, 32)}/${chars(HEX, 8)}`,
  ],
  ['Twilio API key', () => 'SK' + chars(HEX, 32)],
  ['Square access token', () => 'sq0atp-' + chars(URLSAFE, 22)],
  ['Square OAuth secret', () => 'sq0csp-' + chars(URLSAFE, 43)],
  ['Square production token', () => 'EAAA' + chars(URLSAFE, 60)],
  ['Shopify access token', () => 'shpat_' + chars(HEX, 32)],
  ['Shopify shared secret', () => 'shpss_' + chars(HEX, 32)],
  ['npm token', () => 'npm_' + chars(ALNUM, 36)],
  ['PyPI token', () => 'pypi-AgEIcHlwaS5vcmc' + chars(URLSAFE, 70)],
  ['Vault service token', () => 'hvs.' + chars(URLSAFE, 90)],
  ['Vault batch token', () => 'hvb.' + chars(URLSAFE, 90)],
  ['DigitalOcean token', () => 'dop_v1_' + chars(HEX, 64)],
  ['DigitalOcean OAuth token', () => 'doo_v1_' + chars(HEX, 64)],
  ['Hugging Face token', () => 'hf_' + chars(ALNUM, 34)],
  ['age secret key', () => 'AGE-SECRET-KEY-1' + chars(BASE32_AGE, 58)],
  ['Azure AD client secret', () => `${chars(ALNUM, 3)}8Q~${chars(URLSAFE, 34)}`],
  ['Mailgun key', () => 'key-' + chars(HEX, 32)],
  ['Mailchimp key', () => chars(HEX, 32) + '-us14'],
  ['Atlassian token', () => 'ATATT3' + chars(URLSAFE, 180)],
  ['New Relic user key', () => 'NRAK-' + chars(UPPER_NUM, 27)],
  ['Sentry user token', () => 'sntryu_' + chars(HEX, 64)],
  ['Linear key', () => 'lin_api_' + chars(ALNUM, 40)],
  ['Notion token', () => 'ntn_' + chars('0123456789', 11) + chars(ALNUM, 35)],
  ['Doppler token', () => 'dp.pt.' + chars(ALNUM, 43)],
  ['Pulumi token', () => 'pul-' + chars(HEX, 40)],
  ['Terraform Cloud token', () => `${chars(ALNUM, 14)}.atlasv1.${chars(URLSAFE, 67)}`],
  ['Postman key', () => `PMAK-${chars(HEX, 24)}-${chars(HEX, 34)}`],
  ['Grafana cloud token', () => 'glc_' + chars(ALNUM, 40)],
  ['Grafana service account token', () => `glsa_${chars(ALNUM, 32)}_${chars(HEX, 8)}`],
  ['Databricks token', () => 'dapi' + chars(HEX, 32)],
  ['Dynatrace token', () => `dt0c01.${chars(UPPER_NUM, 24)}.${chars(UPPER_NUM, 64)}`],
  ['Supabase token', () => 'sbp_' + chars(HEX, 40)],
  ['PlanetScale token', () => 'pscale_tkn_' + chars(URLSAFE, 43)],
  ['Figma token', () => 'figd_' + chars(URLSAFE, 40)],
  ['Fly.io token', () => 'fm2_' + chars(ALNUM, 120)],
  ['Alibaba Cloud key id', () => 'LTAI' + chars(ALNUM, 20)],
  ['Tencent Cloud key id', () => 'AKID' + chars(ALNUM, 32)],
  ['Shippo token', () => 'shippo_live_' + chars(HEX, 40)],
  ['EasyPost key', () => 'EZAK' + chars(ALNUM, 54)],
  ['Replicate token', () => 'r8_' + chars(ALNUM, 37)],
  ['Groq key', () => 'gsk_' + chars(ALNUM, 52)],
  ['Perplexity key', () => 'pplx-' + chars(ALNUM, 48)],
  ['Mapbox secret token', () => `sk.eyJ${chars(ALNUM, 40)}.${chars(URLSAFE, 22)}`],
  ['Flutterwave key', () => `FLWSECK_TEST-${chars(HEX, 32)}-X`],
  ['Adafruit IO key', () => 'aio_' + chars(ALNUM, 28)],
  ['Clojars token', () => 'CLOJARS_' + chars('abcdefghijklmnopqrstuvwxyz0123456789', 60)],
  ['RubyGems key', () => 'rubygems_' + chars(HEX, 48)],
  ['NuGet key', () => 'oy2' + chars('abcdefghijklmnopqrstuvwxyz0123456789', 43)],
  ['Docker Hub token', () => 'dckr_pat_' + chars(URLSAFE, 27)],
  ['Artifactory key', () => 'AKCp' + chars(ALNUM, 69)],
  ['Dropbox token', () => 'sl.' + chars(URLSAFE, 140)],
  [
    'LaunchDarkly SDK key',
    () => `sdk-${chars(HEX, 8)}-${chars(HEX, 4)}-${chars(HEX, 4)}-${chars(HEX, 4)}-${chars(HEX, 12)}`,
  ],
  [
    'Braintree token',
    () => `access_token$production$${chars('abcdefghijklmnopqrstuvwxyz0123456789', 16)}$${chars(HEX, 32)}`,
  ],
  ['JWT', () => `eyJ${chars(URLSAFE, 20)}.eyJ${chars(URLSAFE, 40)}.${chars(URLSAFE, 43)}`],
  ['Heroku key', () => 'HRKU-' + chars(URLSAFE, 60)],
  ['Buildkite token', () => 'bkua_' + chars(HEX, 40)],
  // Formats added after measuring against a public scanner's true-positive examples (docs/security.md).
  ['Stripe production key', () => 'sk_prod_' + chars(ALNUM, 40)],
  [
    'Slack workflow webhook',
    () =>
      `https://hooks.slack.com/workflows/T${chars(UPPER_NUM, 10)}/A${chars(UPPER_NUM, 10)}/${chars(DIGITS, 18)}/${chars(ALNUM, 24)}`,
  ],
  ['Slack trigger webhook', () => `hooks.slack.com/triggers/${chars(ALNUM, 50)}`],
  ['Slack config token', () => `xoxe-${chars(DIGITS, 13)}-${chars(DIGITS, 13)}-${chars(HEX, 32)}`],
  ['Airtable token', () => `pat${chars(ALNUM, 14)}.${chars(HEX, 64)}`],
  [
    'Authress key',
    () => `sc_${chars(LOWER_NUM, 10)}.${chars(LOWER_NUM, 4)}.acc_${chars(LOWER_NUM, 12)}.${chars(URLSAFE, 40)}`,
  ],
  ['AWS Bedrock long-lived key', () => 'ABSK' + chars(ALNUM, 120)],
  ['AWS Bedrock short-lived key', () => 'bedrock-api-key-' + chars(ALNUM, 40)],
  ['Duffel token', () => 'duffel_live_' + chars(URLSAFE, 43)],
  ['Defined Networking token', () => `dnkey-${chars(URLSAFE, 26)}-${chars(URLSAFE, 52)}`],
  ['GoCardless token', () => 'live_' + chars(URLSAFE, 40)],
  ['Grafana API key', () => 'eyJrIjoi' + chars(ALNUM, 72)],
  ['Harness token', () => `pat.${chars(URLSAFE, 22)}.${chars(ALNUM, 24)}.${chars(ALNUM, 20)}`],
  ['Infracost token', () => 'ico-' + chars(ALNUM, 32)],
  ['Lob key', () => 'live_' + chars(HEX, 35)],
  ['Mailgun public key', () => 'pubkey-' + chars(HEX, 32)],
  ['Mailgun signing key', () => `${chars(HEX, 32)}-${chars(HEX, 8)}-${chars(HEX, 8)}`],
  ['OpenShift token', () => 'sha256~' + chars(URLSAFE, 43)],
  [
    'Plaid token',
    () => `access-production-${chars(HEX, 8)}-${chars(HEX, 4)}-${chars(HEX, 4)}-${chars(HEX, 4)}-${chars(HEX, 12)}`,
  ],
  ['Brevo key', () => `xkeysib-${chars(HEX, 64)}-${chars(ALNUM, 16)}`],
  ['SettleMint token', () => 'sm_pat_' + chars(ALNUM, 16)],
  ['Twitter bearer token', () => 'A'.repeat(22) + chars(ALNUM, 80)],
  [
    '1Password secret key',
    () =>
      `A3-${chars(UPPER_NUM, 6)}-${chars(UPPER_NUM, 6)}-${chars(UPPER_NUM, 5)}-${chars(UPPER_NUM, 5)}-${chars(UPPER_NUM, 5)}-${chars(UPPER_NUM, 5)}`,
  ],
  ['1Password service account token', () => 'ops_eyJ' + chars(ALNUM, 260)],
  ['SonarQube token', () => 'sqp_' + chars(HEX, 40)],
  ['Sourcegraph token', () => 'sgp_' + chars(HEX, 16) + '_' + chars(HEX, 40)],
  ['42 Intra secret', () => 's-s4t2ud-' + chars(HEX, 64)],
  ['Adobe client secret', () => 'p8e-' + chars(ALNUM, 32)],
  ['Facebook page token', () => 'EAAG' + chars(ALNUM, 150)],
  ['Facebook app token', () => `${chars(DIGITS, 16)}|${chars(URLSAFE, 27)}`],
  ['Mapbox public token', () => `pk.eyJ${chars(ALNUM, 40)}.${chars(URLSAFE, 22)}`],
  ['GitLab feature flag token', () => 'glffct-' + chars(URLSAFE, 20)],
  ['Fly.io org token', () => 'fo1_' + chars(URLSAFE, 43)],
  ['Unsigned JWT', () => `eyJ${chars(URLSAFE, 16)}.eyJ${chars(URLSAFE, 30)}.`],
  ['New Relic browser key', () => 'NRJS-' + chars(HEX, 19)],
];

/** Placements of a provider-format value: bare, with no credential-like name near it. */
const BARE_PLACEMENTS: Array<{ path: string; render: (secret: string) => string }> = [
  { path: 'src/client.ts', render: (secret) => `const client = new Client("${secret}");\n` },
  { path: 'app/settings.py', render: (secret) => `client = Client(\n    "${secret}",\n)\n` },
  { path: 'cmd/main.go', render: (secret) => `req.Header.Set("X-Custom", "${secret}")\n` },
  { path: 'deploy/run.sh', render: (secret) => `curl -H "X-Thing: ${secret}" https://api.example.test\n` },
  { path: 'config/app.yaml', render: (secret) => `service:\n  setting: ${secret}\n` },
];

/** Credentials known by their name or position, not their shape: format, text, the secret in it. */
function positionalShapes(): Array<{ name: string; path: string; text: string; secret: string }> {
  const value = (): string => chars(ALNUM, 18) + '7';
  const shapes: Array<{ name: string; path: string; text: string; secret: string }> = [];
  const add = (name: string, path: string, render: (secret: string) => string): void => {
    const secret = value();
    shapes.push({ name, path, text: render(secret), secret });
  };
  add('ADMIN_PW in env', '.env', (s) => `ADMIN_PW=${s}\n`);
  add('adminPw in TS', 'src/a.ts', (s) => `const adminPw = "${s}";\n`);
  add('secret_key_base in YAML', 'config/secrets.yml', (s) => `production:\n  secret_key_base: ${s}\n`);
  add('passphrase in Python', 'app/keys.py', (s) => `passphrase = "${s}"\n`);
  add('YAML flow map', 'config/db.yaml', (s) => `database: {user: app, password: ${s}, host: db}\n`);
  add('YAML block scalar', 'config/db.yaml', (s) => `credentials:\n  token: |\n    ${s}\n  user: app\n`);
  add('.netrc', '.netrc', (s) => `machine api.example.test login deploy password ${s}\n`);
  add('.netrc multi-line', '.netrc', (s) => `machine api.example.test\n  login deploy\n  password ${s}\n`);
  add(
    'JDBC URL',
    'src/Db.java',
    (s) => `String url = "jdbc:postgresql://db:5432/app?user=app&password=${s}&ssl=true";\n`,
  );
  add('ADO.NET', 'appsettings.json', (s) => `{"Db": "Server=db;Database=app;User Id=app;Password=${s};"}\n`);
  add('libpq keywords', 'app/db.py', (s) => `conn = psycopg2.connect("host=db port=5432 dbname=app password=${s}")\n`);
  add('URL credentials', 'src/cache.ts', (s) => `const url = "redis://default:${s}@cache:6379";\n`);
  add('CLI --password', 'scripts/backup.sh', (s) => `pg_dump --password ${s} app > dump.sql\n`);
  add('CLI --token=', 'scripts/deploy.sh', (s) => `deploy --token=${s} --env prod\n`);
  add('mysql -p', 'scripts/db.sh', (s) => `mysql -u root -p${s} app < schema.sql\n`);
  add('curl -u', 'scripts/call.sh', (s) => `curl -u deploy:${s} https://api.example.test\n`);
  add('Authorization token scheme', 'src/gh.ts', (s) => `headers: { Authorization: "token ${s}" },\n`);
  add('Authorization Bearer', 'src/api.go', (s) => `req.Header.Set("Authorization", "Bearer ${s}")\n`);
  add('header pair argument', 'src/api.go', (s) => `req.Header.Set("X-Api-Key", "${s}")\n`);
  add('TOML', 'config.toml', (s) => `[db]\npassword = "${s}"\n`);
  add('INI', 'settings.ini', (s) => `[db]\npassword=${s}\n`);
  add('Dockerfile ENV', 'Dockerfile', (s) => `ENV API_TOKEN=${s}\n`);
  add('JSON', 'config.json', (s) => `{"clientSecret": "${s}"}\n`);
  add('Go :=', 'main.go', (s) => `dbPassword := "${s}"\n`);
  add('subscript assignment', 'app/config.py', (s) => `app.config["SECRET_KEY"] = "${s}"\n`);
  // Connection strings of every common driver.
  add('mongodb+srv URL', 'src/db.ts', (s) => `const uri = "mongodb+srv://app:${s}@cluster0.example.test/app";\n`);
  add('amqp URL', 'app/queue.py', (s) => `BROKER = "amqp://worker:${s}@rabbit:5672//"\n`);
  add('postgres URL in env', '.env', (s) => `DATABASE_URL=postgres://app:${s}@db:5432/app\n`);
  add('mysql URL in YAML', 'config/db.yml', (s) => `url: mysql://root:${s}@db:3306/app\n`);
  add('rediss URL, empty user', 'cmd/cache.go', (s) => `opt, _ := redis.ParseURL("rediss://:${s}@cache:6380/0")\n`);
  add(
    'JDBC SQL Server',
    'src/Db.java',
    (s) => `String url = "jdbc:sqlserver://db:1433;databaseName=app;user=app;password=${s};";\n`,
  );
  add('ADO.NET Pwd', 'src/Db.cs', (s) => `var cs = "Data Source=db;Initial Catalog=app;User ID=app;Pwd=${s}";\n`);
  add('ODBC', 'app/odbc.py', (s) => `conn = pyodbc.connect("DRIVER={ODBC Driver 18};SERVER=db;UID=app;PWD=${s}")\n`);
  add('libpq in shell', 'scripts/migrate.sh', (s) => `psql "host=db dbname=app user=app password=${s}" -f up.sql\n`);
  add(
    'Azure storage',
    'appsettings.json',
    (s) => `{"Storage": "DefaultEndpointsProtocol=https;AccountName=app;AccountKey=${s}==;"}\n`,
  );
  // Config files and their syntaxes.
  add('YAML block scalar, folded', 'k8s/secret.yaml', (s) => `stringData:\n  api_token: >-\n    ${s}\n`);
  add('YAML flow map, quoted', 'config/app.yml', (s) => `db: { user: "app", password: "${s}" }\n`);
  add('YAML key with quotes', 'config/app.yml', (s) => `"secret_key": ${s}\n`);
  add('Kubernetes env entry', 'k8s/deploy.yaml', (s) => `env:\n  - name: DB_PASSWORD\n    value: "${s}"\n`);
  add('ECS environment entry', 'task.json', (s) => `{"environment": [{"name": "API_TOKEN", "value": "${s}"}]}\n`);
  add('docker-compose list', 'docker-compose.yml', (s) => `environment:\n  - POSTGRES_PASSWORD=${s}\n`);
  add('TOML inline table', 'pyproject.toml', (s) => `db = { user = "app", password = "${s}" }\n`);
  add('Java properties', 'application.properties', (s) => `spring.datasource.password=${s}\n`);
  add('INI with spaces', 'setup.cfg', (s) => `[upload]\npassword = ${s}\n`);
  add('AWS credentials file', '.aws/credentials.ini', (s) => `[default]\naws_secret_access_key = ${s}\n`);
  add('.npmrc auth token', '.npmrc', (s) => `//registry.example.test/:_authToken=${s}\n`);
  add('Dockerfile ARG', 'Dockerfile', (s) => `ARG NPM_TOKEN=${s}\n`);
  add('Makefile ?=', 'Makefile', (s) => `DEPLOY_TOKEN ?= ${s}\n`);
  add('Makefile ::= quoted', 'Makefile', (s) => `API_TOKEN ::= "${s}"\n`);
  add('export in shell', 'scripts/env.sh', (s) => `export GITHUB_TOKEN="${s}"\n`);
  add('XML element', 'pom.xml', (s) => `<server>\n  <password>${s}</password>\n</server>\n`);
  add('XML element, value on its own line', 'config.xml', (s) => `<apiToken>\n    ${s}\n</apiToken>\n`);
  add('XML attribute', 'nuget.config', (s) => `<add key="ClearTextPassword" value="${s}" />\n`);
  add('NuGet-style attribute', 'nuget.config', (s) => `<add key="Username" ClearTextPassword="${s}" />\n`);
  add('env line in a JSON string', 'config.json', (s) => `{"config.ini": "DB_PASSWORD=${s}\\nDEBUG=false"}\n`);
  // Code: other operators, headers, flags and queries.
  add('PHP .=', 'src/config.php', (s) => `$apiToken .= "${s}";\n`);
  add('JS ??=', 'src/a.js', (s) => `config.secret ??= "${s}";\n`);
  add('Kotlin typed val', 'src/Config.kt', (s) => `val clientSecret: String = "${s}"\n`);
  add('Rust let', 'src/main.rs', (s) => `let api_key: &str = "${s}";\n`);
  add('Ruby symbol hash', 'config/app.rb', (s) => `config = { password: "${s}" }\n`);
  add('Python kwargs literal', 'app/client.py', (s) => `client = Client(api_key="${s}")\n`);
  add('header pair, lowercase', 'src/fetch.ts', (s) => `headers.append('x-auth-token', '${s}');\n`);
  add('curl header', 'scripts/call.sh', (s) => `curl -H "X-Api-Key: ${s}" https://api.example.test\n`);
  add(
    'curl Authorization without scheme',
    'scripts/call.sh',
    (s) => `curl --header 'Authorization: ${s}' https://api.example.test\n`,
  );
  add('Authorization Api-Token scheme', 'src/api.py', (s) => `headers = {"x": "Authorization: Api-Token ${s}"}\n`);
  add('curl -u token only', 'scripts/call.sh', (s) => `curl -u "${s}:" https://api.example.test\n`);
  add('curl -u password with @', 'scripts/call.sh', (s) => `curl -u elastic:P@${s} https://search:9200\n`);
  add('curl --user quoted password', 'scripts/call.sh', (s) => `curl --user deploy:'${s}' https://api.example.test\n`);
  add(
    'URL query api_key',
    'src/maps.ts',
    (s) => `const url = \`https://maps.example.test/geo?q=x&api_key=${s}&lang=en\`;\n`,
  );
  add('Helm --set', 'scripts/helm.sh', (s) => `helm upgrade app ./chart --set image.pullSecret.password=${s}\n`);
  add('key-named constant', 'src/keys.ts', (s) => `const HEROKU_KEY = "${s}";\n`);
  add('client id and secret pair', 'app/oauth.py', (s) => `GOOGLE_CLIENT_ID_SECRET = "${s}"\n`);
  // Lines the offline checks report and fix (a call without timeout): the quote and the fix would copy the secret.
  add(
    'URL password in a call without timeout',
    'app/fetch.py',
    (s) => `import requests\nr = requests.get("https://deploy:${s}@api.example.test/v1/items")\n`,
  );
  add(
    'bearer header in a call without timeout',
    'app/hook.py',
    (s) => `import requests\nrequests.post(url, headers={"Authorization": "Bearer ${s}"})\n`,
  );
  add('bundler credentials', '.env', (s) => `BUNDLE_GEMS__EXAMPLE__TEST=deploy:${s}\n`);
  return shapes;
}

/** Findings that repeat each prompt line holding a placeholder, as a model that copies its input would. */
function echoedFindings(user: string): Record<string, unknown>[] {
  const findings: Record<string, unknown>[] = [];
  for (const match of user.matchAll(/^(\d+) \| (.*‹redacted:.*)$/gm)) {
    const line = Number(match[1]);
    findings.push(
      modelFinding({
        title: `Credential in code: ${match[2].trim().slice(0, 80)}`,
        category: 'security',
        startLine: line,
        endLine: line,
        quote: match[2].trim(),
        message: `This line holds a credential: ${match[2]}`,
        fix: { startLine: line, endLine: line, replacement: 'const value = process.env.VALUE;' },
        confidence: 0.9,
      }),
    );
  }
  return findings;
}

describe('secret corpus: nothing credential-shaped leaves the machine', function () {
  this.timeout(60_000);

  it('has at least 130 shapes from at least 60 providers and formats', () => {
    const providers = new Set(FORMATS.map(([name]) => name.split(' ')[0]));
    const shapes = FORMATS.length * BARE_PLACEMENTS.length + positionalShapes().length;
    assert.ok(FORMATS.length + positionalShapes().length >= 110, `${FORMATS.length} formats`);
    assert.ok(providers.size + positionalShapes().length >= 60, `${providers.size} providers`);
    assert.ok(shapes >= 130, `${shapes} shapes`);
  });

  it('redacts every provider format wherever it stands, keeping the line count', () => {
    const leaked: string[] = [];
    for (const [name, generate] of FORMATS) {
      for (const placement of BARE_PLACEMENTS) {
        const secret = generate();
        const text = placement.render(secret);
        const result = redactSecrets(text, { path: placement.path });
        if (result.text.includes(secret) || result.text.includes(secret.slice(-12)))
          leaked.push(`${name} in ${placement.path}: ${result.text.trim()}`);
        assert.equal(result.text.split('\n').length, text.split('\n').length, `${name}: line count`);
      }
    }
    assert.deepEqual(leaked, []);
  });

  it('redacts credentials known by their name or position, in code and config files', () => {
    const leaked = positionalShapes()
      .filter(({ path, text, secret }) => redactSecrets(text, { path }).text.includes(secret))
      .map(({ name, path, text }) => `${name} (${path}): ${redactSecrets(text, { path }).text.trim()}`);
    assert.deepEqual(leaked, []);
  });

  it('leaves ordinary code alone', () => {
    const ordinary: Array<[string, string]> = [
      ['app/db.py', 'conn = connect(host=host, password=password)\n'],
      ['scripts/deploy.sh', 'deploy --token "$DEPLOY_TOKEN" --env prod\n'],
      ['src/a.ts', 'const API_KEY_HEADER = "x-api-key";\n'],
      ['src/a.ts', 'import { skLearn } from "./sk-learn-wrapper";\n'],
      ['src/a.ts', 'const id = "order-1234";\n'],
      ['scripts/setup.sh', 'mkdir -p /var/lib/app\n'],
      ['src/a.go', 'req.Header.Set("Content-Type", "application/json")\n'],
      ['config/app.yaml', 'server: {host: 0.0.0.0, port: 8080}\n'],
      ['src/a.ts', 'const hash = "d41d8cd98f00b204e9800998ecf8427e";\n'],
    ];
    for (const [path, text] of ordinary) assert.equal(redactSecrets(text, { path }).text, text, `${path}: ${text}`);
  });

  it('sends none of them to the model, caches none, logs none and prints none in any format (the CLI on a loopback server)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'secret-corpus-'));
    mkdirSync(join(root, '.git'));
    const secrets: string[] = [];
    FORMATS.forEach(([, generate], index) => {
      const placement = BARE_PLACEMENTS[index % BARE_PLACEMENTS.length];
      const secret = generate();
      secrets.push(secret);
      const file = join(root, placement.path.replace(/(\.[a-z]+)$/, `${index}$1`));
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, placement.render(secret));
    });
    positionalShapes().forEach(({ path, text, secret }, index) => {
      secrets.push(secret);
      const file = join(root, 'more', String(index), path);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, text);
    });
    // A model that echoes what it was shown: every line holding a placeholder comes back as a
    // finding's title, message and quote, with a fix over that line (which must be dropped).
    const server = await startModelServer({ handler: (request) => findingsAnswer(echoedFindings(request.user)) });
    const cacheHome = mkdtempSync(join(tmpdir(), 'secret-corpus-cache-'));
    try {
      const outputs: string[] = [];
      // JSON and SARIF through the CLI (what CI uploads); every format is rendered from the engine below.
      for (const format of ['json', 'sarif']) {
        const run = await runCliCaptured(['review', '.', '--format', format], {
          cwd: root,
          env: { BACKEND_REVIEW_MODEL: 'test-model', OPENAI_BASE_URL: server.url, XDG_CACHE_HOME: cacheHome },
        });
        assert.ok(run.code === 0 || run.code === 1, `${format}: exit ${run.code}\n${run.stderr}`);
        outputs.push(run.stdout, run.stderr);
        if (format === 'json') {
          const report = JSON.parse(run.stdout) as { findings: Array<{ quote?: string }> };
          const echoed = report.findings.filter((f) => f.quote?.includes('‹redacted:'));
          assert.ok(echoed.length >= 40, `the model's echoes of redacted lines are reported (${echoed.length})`);
        }
      }
      assert.ok(server.chatRequests().length > 0);
      const wire = JSON.stringify(server.chatRequests());
      const cached = readdirSync(cacheHome, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
        .join('\n');
      assert.ok(cached.length > 0, 'the runs wrote the cache');
      const out = outputs.join('\n');
      const where = (secret: string): string[] =>
        [
          ['wire', wire],
          ['cache', cached],
          ['output or log', out],
        ]
          .filter(([, text]) => text.includes(secret))
          .map(([name]) => name);
      const leaks = secrets
        .filter((secret) => where(secret).length > 0)
        .map(
          (s) =>
            `${s}: ${where(s).join(', ')}: ${wire.slice(Math.max(0, wire.indexOf(s) - 300), wire.indexOf(s) + 40)}`,
        );
      assert.deepEqual(leaks, [], `${leaks.length} of ${secrets.length} shapes left the machine`);
    } finally {
      await server.close();
    }
  });

  it('logs none of them at any level, and drops every fix over a redacted line (the engine)', async () => {
    const units = [
      ...FORMATS.map(([, generate], index) => {
        const placement = BARE_PLACEMENTS[index % BARE_PLACEMENTS.length];
        const secret = generate();
        return { secret, path: placement.path.replace(/(\.[a-z]+)$/, `${index}$1`), text: placement.render(secret) };
      }),
      ...positionalShapes().map(({ path, text, secret }, index) => ({ secret, path: `more/${index}/${path}`, text })),
    ];
    const logger = new InMemoryLogger();
    const provider: ChatProvider = {
      id: 'echo:test-model',
      modelName: 'test-model',
      maxInputTokens: 100_000,
      countTokens: (text) => Math.ceil(text.length / 4),
      complete: async (request) => {
        const user = request.messages
          .filter((m) => m.role === 'user')
          .map((m) => m.content)
          .join('\n');
        return {
          text: JSON.stringify({ summary: 'echo', findings: echoedFindings(user) }),
          usage: { promptTokens: 1, completionTokens: 1 },
          format: 'json_schema',
          truncated: false,
        };
      },
    };
    const result = await runReview({
      units: units.map(({ path, text }) => ({ path, text })),
      persona: { id: 'p', name: 'P', mode: 'pragmatic', text: 'Review.', warnings: [] },
      mode: 'pragmatic',
      provider,
      logger,
      offlineFindings: (unit) => runOfflineChecks(unit, { mode: 'pragmatic' }),
    });
    const echoed = result.findings.filter((f) => f.quote.includes('‹redacted:'));
    assert.ok(echoed.length >= 25, `echoed findings kept (${echoed.length})`);
    assert.deepEqual(
      echoed.filter((f) => f.fix).map((f) => `${f.file}:${f.startLine}`),
      [],
      'no fix over a redacted line',
    );
    // The offline check's findings on the calls holding a credential: redacted quote, no fix.
    const offline = result.findings.filter(
      (f) => f.origin === 'offline' && f.ruleId === 'http-no-timeout' && /app\/(?:fetch|hook)\.py$/.test(f.file),
    );
    assert.equal(offline.length, 2, JSON.stringify(offline.map((f) => f.file)));
    for (const finding of offline) {
      assert.ok(finding.quote.includes('‹redacted:'), finding.quote);
      assert.equal(finding.fix, null, `${finding.file}: the fix would write the secret`);
    }
    const logged = logger.lines.map((l) => l.message).join('\n');
    assert.ok(logged.length > 0, 'the engine logged');
    const meta = { persona: 'p', mode: 'pragmatic' as const, model: 'test-model', toolVersion: '0.0.0' };
    const outputs = [
      formatJson(result, meta),
      formatSarif(result, meta),
      formatRdjson(result, meta),
      formatGitlab(result),
      formatGithub(result),
      formatText(result, { color: false }),
    ].join('\n');
    const everything = logged + JSON.stringify(result) + outputs;
    const leaks = units.filter(({ secret }) => everything.includes(secret)).map(({ path }) => path);
    assert.deepEqual(leaks, []);
  });
});
