import { assertRuleCase, type RuleCase } from './helpers';

const cases: RuleCase[] = [
  {
    rule: 'http-no-timeout',
    line: 2,
    positive: 'async function f(url: string) {\n  return fetch(url, { method: "POST" });\n}',
    negative:
      'async function f(url: string) {\n  return fetch(url, { method: "POST", signal: AbortSignal.timeout(1000) });\n}',
  },
  {
    rule: 'http-no-timeout',
    line: 1,
    positive: 'await axios.delete(`/items/${id}`);',
    negative:
      'const api = axios.create({ timeout: 1000 });\nawait api.delete(`/items/${id}`);\nawait axios.delete(`/items/${id}`, { timeout: 500 });',
  },
  {
    rule: 'silent-catch',
    line: 1,
    positive: 'try { run(); } catch (e) {\n  // nothing\n}',
    negative: 'try { run(); } catch (e) {\n  log.error(e);\n}\np.catch((e) => log.warn(e));',
  },
  { rule: 'silent-catch', line: 1, positive: 'job.run().catch(() => {});', negative: 'job.run().catch(reportError);' },
  {
    rule: 'hardcoded-secret',
    line: 1,
    positive: 'const dbPassword = "correct-Horse-9";',
    negative:
      'const dbPassword = process.env.DB_PASSWORD ?? "";\nconst passwordLabel = "Enter your password";\nconst token = "";',
  },
  {
    rule: 'hardcoded-secret',
    line: 2,
    positive: 'const cfg = {\n  aws: "AKIAQ3VZ7T2XKM5RWN4H",\n};',
    negative:
      'const cfg = {\n  aws: process.env.AWS_ACCESS_KEY_ID,\n  docs: "AKIA...",\n};\n// AKIAQ3VZ7T2XKM5RWN4H in a comment',
  },
  {
    rule: 'sql-injection',
    line: 2,
    positive: 'const q = "SELECT * FROM t WHERE id = " + id;\nawait pool.query(q);',
    negative:
      'await pool.query("SELECT * FROM t WHERE id = $1", [id]);\nawait sql`SELECT * FROM t WHERE id = ${id}`;\nconst m = /x/.exec(`${input}`);',
  },
  {
    rule: 'query-in-loop',
    line: 2,
    positive: 'for (const id of ids) {\n  await userRepository.findOne({ where: { id } });\n}',
    negative:
      'const users = await userRepository.find({ where: { id: In(ids) } });\nfor (const u of users) {\n  cache.get(u.id);\n}',
  },
  {
    rule: 'unbounded-concurrency',
    line: 1,
    positive: 'await Promise.all(ids.map((id) => db.user.update({ where: { id } })));',
    negative:
      'await Promise.all([a(), b()]);\nawait Promise.all(ids.map((id) => limit(() => db.user.update({ where: { id } }))));\nawait Promise.all(ids.map((id) => id * 2));',
  },
  {
    rule: 'tls-verification-disabled',
    line: 1,
    positive: 'const agent = new https.Agent({ rejectUnauthorized: false });',
    negative:
      'const agent = new https.Agent({ rejectUnauthorized: true });\nconst insecure = process.env.NODE_TLS_REJECT_UNAUTHORIZED;',
  },
  {
    rule: 'weak-random-secret',
    line: 2,
    positive: 'function makeNonce() {\n  return Math.random().toString(16).slice(2);\n}',
    negative:
      'function backoffMs(attempt: number) {\n  return 100 * 2 ** attempt + Math.random() * 50;\n}\nconst nonce = crypto.randomUUID();',
  },
  {
    rule: 'command-injection',
    line: 1,
    positive: 'child_process.execSync("git checkout " + branch);',
    negative:
      'child_process.execFileSync("git", ["checkout", branch]);\nexecSync("git status");\nregex.exec(`${text}`);',
  },
  {
    rule: 'blocking-call-in-async',
    line: 2,
    positive: 'async function load() {\n  return fs.readFileSync("a.json", "utf8");\n}',
    negative:
      'function loadConfig() {\n  return fs.readFileSync("a.json", "utf8");\n}\nasync function load() {\n  return fs.promises.readFile("a.json", "utf8");\n}',
  },
  {
    rule: 'jwt-verification-disabled',
    line: 1,
    positive: 'jwt.verify(token, key, { algorithms: ["none"] });',
    negative:
      'jwt.verify(token, key, { algorithms: ["RS256"] });\nconst { header } = jwt.decode(token, { complete: true }) ?? {};',
  },
  {
    rule: 'jwt-verification-disabled',
    line: 2,
    positive: 'function auth(req) {\n  req.user = jwt.decode(req.headers.authorization);\n}',
    negative: 'function auth(req) {\n  req.user = jwt.verify(req.headers.authorization, key);\n}',
  },
  {
    rule: 'cors-wildcard-credentials',
    line: 1,
    positive: 'app.use(cors({ origin: true, credentials: true }));',
    negative:
      'app.use(cors({ origin: allowList, credentials: true }));\napp.use(cors({ origin: "*", credentials: false }));',
  },
  {
    rule: 'explicit-any',
    line: 1,
    positive: 'const rows = payload as any;',
    negative: 'const rows = payload as unknown as Row[];\n// any in a comment\nconst any_ = "any";',
  },
];

describe('offline checks: TypeScript / JavaScript rules', () => {
  for (const c of cases) {
    it(`${c.rule}: fires on the risky shape and not on its near-miss (${c.positive.split('\n')[c.line - 1].trim().slice(0, 50)})`, async () => {
      await assertRuleCase('src/example.ts', c);
    });
  }

  it('query-in-loop: a loop counting tries to a small limit retries one call, it does not walk data', async () => {
    await assertRuleCase('src/billing.ts', {
      rule: 'query-in-loop',
      line: 3,
      positive: [
        'export async function notifyAll(req: Request) {',
        '  for (let i = 0; i < req.body.hooks.length; i++) {',
        '    await fetch(req.body.hooks[i], { signal: AbortSignal.timeout(5000) });',
        '  }',
        '}',
      ].join('\n'),
      negative: [
        'export async function charge(body: string) {',
        '  let res: Response | undefined;',
        '  for (let attempt = 0; attempt < 3; attempt++) {',
        '    res = await fetch(PAYMENTS_URL, { method: "POST", body, signal: AbortSignal.timeout(5000) });',
        '    if (res.status !== 503) break;',
        '  }',
        '  for (let n = 1; n <= MAX_RETRIES; n++) {',
        '    const row = await db.query("SELECT status FROM jobs WHERE id = $1", [jobId]);',
        '    if (row) return row;',
        '  }',
        '  return res;',
        '}',
      ].join('\n'),
    });
  });

  it('reads JSX in .js files and TSX files', async () => {
    // Under server/: a .jsx file rendering JSX elsewhere is browser code, where the rule does not report.
    await assertRuleCase('server/page.jsx', {
      rule: 'http-no-timeout',
      line: 2,
      positive: 'export const Page = () => <div>{x}</div>;\nfetch("https://api.invalid/x");',
      negative: 'export const Page = () => <div>fetch("https://api.invalid/x")</div>;',
    });
    await assertRuleCase('src/page.tsx', {
      rule: 'explicit-any',
      line: 1,
      positive: 'export const Page = (p: any) => <div>{p.x}</div>;',
      negative: 'export const Page = (p: { x: string }) => <div>{p.x}</div>;',
    });
  });
});
