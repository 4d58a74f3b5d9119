import { assertRuleCase, type RuleCase } from './helpers';

const header = 'package main\n\nimport (\n\t"net/http"\n\t"math/rand"\n\t"time"\n)\n\n';
const at = (line: number): number => header.split('\n').length - 1 + line;

const cases: RuleCase[] = [
  {
    rule: 'http-no-timeout',
    line: at(1),
    positive: header + 'var c = http.Client{Transport: t}',
    negative: header + 'var c = http.Client{Transport: t, Timeout: time.Second}',
  },
  {
    rule: 'http-no-timeout',
    line: at(2),
    positive: header + 'func f() {\n\thttp.Head(u)\n}',
    negative: header + 'func f(c *http.Client) {\n\tc.Head(u)\n}',
  },
  {
    rule: 'silent-catch',
    line: at(3),
    positive: header + 'func f() {\n\terr := g()\n\tif err != nil {\n\t\t// ignored\n\t}\n}',
    negative: header + 'func f() error {\n\terr := g()\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}',
  },
  {
    rule: 'hardcoded-secret',
    line: at(1),
    positive: header + 'var clientSecret = "f00dbabe-1234-5678"',
    negative: header + 'var clientSecret = os.Getenv("CLIENT_SECRET")\nvar secretName = "db-credentials"',
  },
  {
    rule: 'sql-injection',
    line: at(2),
    positive: header + 'func f() {\n\tdb.Exec(fmt.Sprintf("DELETE FROM t WHERE id = %s", id))\n}',
    negative:
      header +
      'func f() {\n\tdb.Exec("DELETE FROM t WHERE id = $1", id)\n\tlog.Print(fmt.Sprintf("DELETE FROM t WHERE id = %s", id))\n}',
  },
  {
    rule: 'query-in-loop',
    line: at(3),
    positive:
      header +
      'func f(ids []int64) {\n\tfor _, id := range ids {\n\t\tdb.QueryRow("SELECT 1 FROM t WHERE id = $1", id)\n\t}\n}',
    negative:
      header +
      'func f() {\n\tdb.Query("SELECT 1 FROM t WHERE id = ANY($1)", ids)\n\tfor _, id := range ids {\n\t\tseen[id] = true\n\t}\n}',
  },
  {
    rule: 'unbounded-concurrency',
    line: at(4),
    positive: header + 'func f() {\n\tdb.Find(&jobs)\n\tfor _, j := range jobs {\n\t\tgo run(j)\n\t}\n}',
    negative: header + 'func f() {\n\tg.SetLimit(4)\n\tfor _, j := range jobs {\n\t\tgo run(j)\n\t}\n}',
  },
  {
    rule: 'tls-verification-disabled',
    line: at(1),
    positive: header + 'var cfg = &tls.Config{InsecureSkipVerify: true}',
    negative: header + 'var cfg = &tls.Config{InsecureSkipVerify: false}',
  },
  {
    rule: 'weak-random-secret',
    line: at(2),
    positive: header + 'func newOTP() int {\n\treturn rand.Intn(1000000)\n}',
    negative: header + 'func jitter() time.Duration {\n\treturn time.Duration(rand.Intn(100))\n}',
  },
  {
    rule: 'command-injection',
    line: at(2),
    positive: header + 'func f() {\n\texec.CommandContext(ctx, "/bin/sh", "-c", cmd)\n}',
    negative: header + 'func f() {\n\texec.CommandContext(ctx, "git", "fetch", remote)\n}',
  },
  {
    rule: 'cors-wildcard-credentials',
    line: at(2),
    positive:
      header +
      'func f(w http.ResponseWriter) {\n\tw.Header().Add("Access-Control-Allow-Origin", "*")\n\tw.Header().Add("Access-Control-Allow-Credentials", "true")\n}',
    negative:
      header +
      'func f(w http.ResponseWriter) {\n\tw.Header().Add("Access-Control-Allow-Origin", "*")\n}\nfunc g(w http.ResponseWriter) {\n\tw.Header().Add("Access-Control-Allow-Credentials", "true")\n}',
  },
  {
    rule: 'explicit-any',
    line: at(1),
    positive: header + 'func f() (interface{}, error) { return nil, nil }',
    negative:
      header +
      'func f[T any](xs ...any) (T, error) {\n\tvar v interface{}\n\t_ = v\n\tvar zero T\n\treturn zero, nil\n}\nfunc (t Tag) MarshalJSON() ([]byte, error) { return nil, nil }\nfunc (t *Tag) Scan(src interface{}) error { return nil }',
  },
];

describe('offline checks: Go rules', () => {
  for (const c of cases) {
    it(`${c.rule}: fires on the risky shape and not on its near-miss`, async () => {
      await assertRuleCase('svc/main.go', c);
    });
  }

  it('only flags math/rand, not crypto/rand imported as rand', async () => {
    const code = 'package main\n\nimport "crypto/rand"\n\nfunc newToken() {\n\trand.Read(b)\n}\n';
    await assertRuleCase('svc/main.go', {
      rule: 'weak-random-secret',
      line: 6,
      positive: code.replace('crypto/rand', 'math/rand'),
      negative: code,
    });
  });
});
