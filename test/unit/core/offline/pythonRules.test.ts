import { assertRuleCase, type RuleCase } from './helpers';

const cases: RuleCase[] = [
  {
    rule: 'http-no-timeout',
    line: 1,
    positive: 'r = requests.put(url, json=body)',
    negative: 'r = requests.put(url, json=body, timeout=5)\nr = httpx.get(url)\nr = session.get(url)',
  },
  {
    rule: 'silent-catch',
    line: 3,
    positive: 'try:\n    run()\nexcept Exception:\n    ...',
    negative: 'try:\n    run()\nexcept ValueError:\n    log.exception("run failed")\n    raise',
  },
  {
    rule: 'hardcoded-secret',
    line: 1,
    positive: 'client = Client(api_key="a1b2c3d4e5f6a7b8")',
    negative:
      'client = Client(api_key=os.environ["API_KEY"])\nclient = Client(api_key="")\nPASSWORD_PROMPT = "Enter password"',
  },
  {
    rule: 'sql-injection',
    line: 1,
    positive: 'cur.execute("DELETE FROM t WHERE id = {}".format(i))',
    negative: 'cur.execute("DELETE FROM t WHERE id = %s", (i,))\nlog.info("DELETE FROM t WHERE id = %s" % i)',
  },
  {
    rule: 'query-in-loop',
    line: 2,
    positive: 'for i in ids:\n    User.objects.get(pk=i)',
    negative: 'users = User.objects.filter(pk__in=ids)\nfor u in users:\n    names.get(u.pk)',
  },
  {
    rule: 'unbounded-concurrency',
    line: 3,
    positive:
      'async def f(request):\n    urls = (await request.json())["urls"]\n    await asyncio.gather(*[fetch(u) for u in urls])',
    negative:
      'async def f(urls):\n    sem = asyncio.Semaphore(5)\n    await asyncio.gather(*[guarded(sem, u) for u in urls])\nasync def g():\n    await asyncio.gather(a(), b())',
  },
  {
    rule: 'tls-verification-disabled',
    line: 1,
    positive: 'httpx.get(url, verify=False, timeout=3)',
    negative: 'httpx.get(url, verify=True, timeout=3)\nform.validate(verify=False)',
  },
  {
    rule: 'weak-random-secret',
    line: 2,
    positive: 'def make_token():\n    return "%x" % random.getrandbits(64)',
    negative: 'def make_token():\n    return secrets.token_hex(16)\ndef jitter():\n    return random.random()',
  },
  {
    rule: 'command-injection',
    line: 1,
    positive: 'subprocess.check_output("convert " + src + " out.png", shell=True)',
    negative: 'subprocess.check_output(["convert", src, "out.png"])\nos.system("make clean")',
  },
  {
    rule: 'blocking-call-in-async',
    line: 2,
    positive: 'async def handler():\n    requests.get(url, timeout=3)',
    negative: 'def handler():\n    requests.get(url, timeout=3)\nasync def other():\n    await asyncio.sleep(1)',
  },
  {
    rule: 'jwt-verification-disabled',
    line: 1,
    positive: 'claims = jwt.decode(token, verify=False)',
    negative: 'claims = jwt.decode(token, key, algorithms=["RS256"])',
  },
  {
    rule: 'cors-wildcard-credentials',
    line: 1,
    positive: 'app.add_middleware(CORSMiddleware, allow_origins="*", allow_credentials=True)',
    negative: 'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)',
  },
];

describe('offline checks: Python rules', () => {
  for (const c of cases) {
    it(`${c.rule}: fires on the risky shape and not on its near-miss`, async () => {
      await assertRuleCase('app/service.py', c);
    });
  }

  it('query-in-loop: a loop counting tries to a small limit retries one call, it does not walk data', async () => {
    await assertRuleCase('app/billing.py', {
      rule: 'query-in-loop',
      line: 4,
      positive:
        'def notify_all():\n    hooks = Hook.objects.filter(active=True)\n    for i in range(len(hooks)):\n        requests.get(hooks[i].url, timeout=5)',
      negative: [
        'def charge(body):',
        '    for attempt in range(3):',
        '        res = requests.post(PAYMENTS_URL, data=body, timeout=5)',
        '        if res.status_code != 503:',
        '            return res',
        '    for attempt in range(1, MAX_RETRIES + 1):',
        '        row = cursor.execute("SELECT status FROM jobs WHERE id = %s", (job_id,))',
        '        if row:',
        '            return row',
      ].join('\n'),
    });
  });
});
