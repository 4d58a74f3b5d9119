import { FILE_ROLES, OWN_CODE_ROLES } from '../../roles';
import type { OfflineRuleMeta } from '../types';

/**
 * The offline rules: `roles` says where each reports by default (see roles.ts): credentials
 * everywhere; production-risk rules not in tests, fixtures, generated or vendored code; timeouts
 * not in browser code; silent catch not in browser code; concurrency only in production code.
 * The offline rules: ids are the SARIF ruleId and the diagnostic code, so they never change.
 * `helpText` is the rule's explanation page; docs/rules/<id>.md holds the same text (a test keeps
 * them equal).
 */
/**
 * Injection rules leave migrations out: a migration runs statements and commands its developers
 * wrote, once, on the schema's own names and the database's own data, never on a request's input
 * (table and constraint names spliced into `ALTER TABLE` in a loop over the schema's tables).
 */
const BUILT_COMMAND_ROLES = OWN_CODE_ROLES.filter((role) => role !== 'migration');
/** An N+1 costs on every request; a migration's loop over rows runs once, at deploy time. */
const PER_REQUEST_ROLES = OWN_CODE_ROLES.filter((role) => role !== 'migration');
/**
 * A swallowed error hurts where it hides a failed operation from those who run the service; in a
 * page's script the same `catch {}` keeps a widget alive (a locale fallback, a chart click): on four
 * held-out repositories none of 31 browser findings was real (issue 12).
 */
const SERVICE_CODE_ROLES = OWN_CODE_ROLES.filter((role) => role !== 'browser');

export const OFFLINE_RULES: readonly OfflineRuleMeta[] = [
  {
    id: 'http-no-timeout',
    category: 'reliability',
    subject: /time-?outs?\b|deadline|\bhangs?\b|wait(s|ing)? (forever|indefinitely)|abort ?signal/i,
    defaultSeverity: 'medium',
    confidence: 1,
    languages: ['js', 'python', 'go'],
    roles: ['production', 'script', 'migration'],
    title: 'Outbound HTTP request without a timeout',
    shortDescription: 'fetch/axios/requests/net/http calls that can wait forever.',
    helpText: `# http-no-timeout: outbound HTTP request without a timeout

**Category:** reliability · **Default severity:** medium · **Languages:** TypeScript/JavaScript, Python, Go

## What it finds
- JS/TS: \`fetch(url)\` or \`fetch(url, opts)\` with no \`signal\`; \`axios.get/post/put/patch/delete/request(...)\` or \`axios(config)\` with no \`timeout\`. An instance made with \`axios.create(config)\` and no \`timeout\` in its config (session 14) is reported once, where it is made (one \`timeout\` there covers every request, those in other files and those through a getter that returns it), with its requests in the file that set none as related locations; not when the config is built elsewhere (a variable, a spread), when its \`baseURL\` is the app's own deployment or a path without a host (\`baseURL: '/api'\`: only a browser resolves it; as for fetch, below), when the file assigns a timeout (\`client.defaults.timeout = …\`, an interceptor's \`config.timeout = …\`), or when every request the file makes on it sets its own. Calls through an instance made with \`axios.create({ timeout })\` are not reported. A fetch wrapper that spreads its caller's options (\`async request(url, init: RequestInit = {}) { return fetch(url, { ...init, redirect }) }\`) is reported at its \`fetch\` when the options may be left out or a caller in the file (in the class, for a method) passes options without \`signal\`, and no caller there passes a signal or options built elsewhere; the callers are not reported again. NestJS: \`this.http.get(…)\` / \`this.http.axiosRef.get(…)\` through an injected \`HttpService\` (@nestjs/axios) with no \`timeout\`, when the module beside the file imports \`HttpModule\` as it is (axios's defaults); not when a module there registers options (\`HttpModule.register({ timeout })\`, \`registerAsync\`), when no module was seen (a single file outside its project), or when the file sets \`axiosRef.defaults.timeout\`. googleapis (session 13): \`google.sheets({ version, auth })\`, \`google.calendar(…)\`, \`google.drive('v3')\` make a client whose calls go through gaxios, which has no default timeout; reported at the client's creation, unless its options set \`timeout\`, the file sets a \`timeout\` key anywhere (a call's options) or calls \`google.options(…)\`. Slack (session 15, round 9): \`new WebClient(token)\` of @slack/web-api without \`timeout\` in its options (the client's default is \`timeout: 0\`, none, and its default retry policy tries again for about thirty minutes); not options built elsewhere or spread. The AI SDK (\`ai\`): \`generateText\`, \`streamText\`, \`generateObject\`, \`streamObject\` imported from \`ai\` and given \`{ model, … }\` without \`abortSignal\` or \`timeout\` (AI SDK 6; no deadline otherwise, and two retries by default); not options built elsewhere or spread, nor in a file that gives a provider its own \`fetch\` (\`createOpenAI({ fetch })\`). The \`request\` family (\`request\`, \`request-promise\`, \`-native\`): \`request(url)\`, \`request(options)\`, \`request.get/post/…(…)\` with no \`timeout\` in its options, when given text or a name that says URL; not options built elsewhere, nor when the file makes a client with \`request.defaults(…)\`. Other client packages with no default timeout (session 15), bound by \`import\`/\`require\` in the file: got (\`got(url, options)\`, \`got.post(…)\`, and an instance made with \`got.extend({…})\` without \`timeout\`, reported where it is made), ofetch (\`ofetch(url, options)\`, \`ofetch.create({…})\`), needle (10 s to connect, then no limit: \`response_timeout\` or \`read_timeout\` clears it) and phin, with no timeout key in an options object; superagent (\`superagent.get(url)…\`) without \`.timeout(…)\` in the request's chain. Not options built elsewhere, nor a package the file gives defaults (\`needle.defaults(…)\`). ky (10 s) and undici's own clients (300 s for headers and body) have a finite default and are not reported, except ky given \`timeout: false\` (a request's options, \`ky.create\`/\`extend\`). Options made earlier in the function and passed by name (\`const init: RequestInit = { method }; fetch(url, init)\`) are read, unless a signal is set on them afterwards. Not a \`fetch\` in a module that fetches a path without a host (\`fetch('/api/files')\`, \`fetch(formatPath('/api/…'))\`: only a browser resolves it, so the module and all its requests run there), to the app's own deployment (any path under its canonical address: \`\`fetch(\`\${process.env.NEXTAUTH_URL}/api/revalidate\`)\`\`, \`NEXT_PUBLIC_BASE_URL\`, \`NEXT_PUBLIC_APP_URL\`, \`SITE_URL\`, \`VERCEL_URL\`, also through axios; and its static files under any address named for the app, \`\`fetch(\`\${NEXT_PUBLIC_WEBAPP_URL()}/fonts/inter.ttf\`)\`\`; not a vendor's \`OPENAI_BASE_URL\`, a bucket's \`R2_PUBLIC_URL\` or a \`FRONTEND_URL\`), a file shipped beside the module (\`fetch(new URL('../assets/Inter-Bold.ttf', import.meta.url))\`: an edge function's or OG image route's font, not a remote server), or one raced against a timer (\`Promise.race([fetch(…), sleep(150)])\`: the caller goes on when the timer fires).
- Python: \`requests.get/post/put/patch/delete/head/request(...)\` with no \`timeout=\`; the same calls (and \`send\`) on a requests session: a name bound to \`requests.Session()\` in the module (\`s = requests.Session()\` or \`with requests.Session() as s:\`), or a parameter of the function holding one, annotated \`requests.Session\` or given one by every call of the function in the module (\`get_order(self.session, …)\`); not a session given a default timeout (mounted with an adapter that sets one, \`s.mount("https://", TimeoutAdapter(timeout=5))\`, or with its request wrapped, \`s.request = functools.partial(s.request, timeout=10)\`). httpx has a default timeout: only \`timeout=None\` is reported. The standard library (session 15): \`urllib.request.urlopen(url)\` and \`http.client.HTTPConnection(host)\` / \`HTTPSConnection\` with no timeout (a keyword or the third argument) or \`timeout=None\` wait on the socket default, none unless the file calls \`socket.setdefaulttimeout(…)\` (not a literal \`file:\` or \`data:\` URL: nothing to wait for); urllib3's \`PoolManager(…)\` / \`ProxyManager(…)\` without \`timeout=\`, reported where it is made unless every request the file makes on it passes one (\`urllib3.request()\` has a 3 s default). aiohttp's sessions stop a request after 300 s; a \`ClientTimeout()\` with none of \`total\`, \`connect\`, \`sock_read\`, \`sock_connect\` set turns that off and is reported.
- Go: \`http.Get/Post/Head/PostForm\` and \`http.DefaultClient\` (no timeout), and \`http.Client{...}\` literals with no \`Timeout:\`. go-oidc and golang.org/x/oauth2 calls that send a request (\`oidc.NewProvider\`, \`NewRemoteKeySet\`, \`Exchange\`, \`PasswordCredentialsToken\`, \`DeviceAuth\`, \`DeviceAccessToken\`, \`UserInfo\`) given a context that carries no client and no deadline: with no \`oidc.ClientContext\` / \`oauth2.HTTPClient\` value in the context they send through \`http.DefaultClient\` (the libraries' \`ContextClient\`). Such a context is a bare \`context.Background()\`/\`context.TODO()\`, an HTTP request's own context (\`r.Context()\` of an \`*http.Request\`, \`c.Request().Context()\`, \`c.Request.Context()\`: it ends only when the client goes away), one a client is put into only under a condition (\`ctx := r.Context(); if c.httpClient != nil { ctx = context.WithValue(…) }\`: the other path has none), one given \`http.DefaultClient\` itself, or (session 15) the caller's \`ctx context.Context\` passed on in a file that never puts a client into a context nor sets a deadline (for these libraries the context is the only way to give them a client, so passing it on says nothing of a deadline; \`http.DefaultClient.Do\` of a request built with the caller's context stays silent). A deadline set on it (\`context.WithTimeout\`, \`WithDeadline\`) clears it. Clients a library builds with no \`Timeout\`: \`oauth2.NewClient(ctx, ts)\`, an OAuth2 configuration's \`Client(ctx, tok)\` and another package's transport's \`Client()\` (\`github.BasicAuthTransport{…}.Client()\`), unless a client is always put into the context first (\`context.WithValue(ctx, oauth2.HTTPClient, c)\` on every path, judged where \`c\` is built) or the function sets the result's \`Timeout\`. \`http.DefaultClient\` kept in a field or a variable (\`&provider{client: http.DefaultClient}\`, \`DefaultHTTPClient = http.DefaultClient\`; session 15), unless it is the default for a nil client (\`if c == nil { c = http.DefaultClient }\`), functional options can replace it (a variadic parameter), or the file gives the same field or variable another value. Not a client a function returns (\`func (n *Notifier) client() *http.Client { return &http.Client{…} }\`) whose every use in the file is \`.Do(req)\` with a request that carries a deadline or the caller's context (session 15), as for a client kept in a field. Not a client whose transport dials with a deadline on the connection (\`DialContext: dialer\` where the dialer calls \`conn.SetDeadline\`), nor a default for a nil \`*http.Client\` parameter (\`if client == nil { client = &http.Client{} }\`). Libraries whose default configuration carries a zero \`&http.Client{}\` (session 14): go-openai's \`openai.NewClient(token)\`, and the first \`openai.DefaultConfig(…)\`/\`DefaultAzureConfig(…)\` of a function that builds \`NewClientWithConfig\` from it without setting \`HTTPClient\`. Client libraries whose default client has no timeout (session 15): resty's \`resty.New()\` (v2, v3) unless the file calls \`SetTimeout\`; go-retryablehttp's \`NewClient()\` (go-cleanhttp's pooled client: dial and TLS bounded, the response not) unless the file sets \`HTTPClient.Timeout\` or replaces \`HTTPClient\`, and its package-level \`Get\`/\`Head\`/\`Post\`/\`PostForm\`; fasthttp's package-level \`Get\`/\`Post\`/\`Do\` and a \`fasthttp.Client{}\`/\`HostClient{}\` without \`ReadTimeout\` (not when the file sends with \`DoTimeout\`/\`DoDeadline\`/\`GetTimeout\`/\`GetDeadline\`); gorequest's \`New()\` unless the file calls \`.Timeout(…)\`. imroc/req's \`C()\` has a 2-minute default and is not reported.

## Why it hurts in production
None of these clients time out by default. When a dependency stops answering (a dead TCP peer, a full server, a black-holed network) each call waits for minutes or forever. Requests pile up, worker pools and sockets run out, and one slow dependency takes the whole service down with it.

## How to fix
- \`fetch(url, { signal: AbortSignal.timeout(10_000) })\` (combine with a caller's signal via \`AbortSignal.any\`).
- \`axios.create({ timeout: 10_000 })\` once, and use that instance.
- \`requests.get(url, timeout=10)\` or a \`(connect, read)\` tuple.
- \`&http.Client{Timeout: 10 * time.Second}\`, plus deadlines on request contexts.

The quick fix adds \`signal: AbortSignal.timeout(10_000)\`, \`timeout: 10_000\`, \`timeout=10\` or \`Timeout: 10 * time.Second\`; pick the budget that fits the call.
`,
  },
  {
    id: 'silent-catch',
    category: 'reliability',
    subject: /swallow|silent|ignor(ed|es|ing)|empty (catch|except)|discard|suppress|dropped|unhandled/i,
    defaultSeverity: 'medium',
    confidence: 1,
    languages: ['js', 'python', 'go'],
    roles: SERVICE_CODE_ROLES,
    // Five rounds of public repositories labelled blind (sessions 10-13): 2 of 125 production findings
    // were wanted in an editor; the rest was best-effort code no syntax tells apart. Pragmatic mode
    // leaves swallowed errors to the model's review; BackendPE (every production concern) reports them.
    modes: ['backendpe'],
    title: 'Error caught and silently dropped',
    shortDescription: 'Empty catch/except blocks and ignored Go errors (BackendPE mode only).',
    helpText: `# silent-catch: error caught and silently dropped

**Category:** reliability · **Default severity:** medium · **Languages:** TypeScript/JavaScript, Python, Go · **Mode:** BackendPE only

## What it finds
- JS/TS: a \`catch\` block that is empty or holds only comments after a try that performs an action (\`await svc.initialize()\`, \`await db.row.delete(…)\`); \`.catch(() => {})\` on a call made for its effect. Not the fallback idiom, where the try only computes a value and the code after it carries on with a default (\`try { value = JSON.parse(raw) } catch {}\`, a cache read that falls through to the source, \`const user = await find(id).catch(() => null)\`), and not a \`.catch\` explained by a comment on the line above. Not browser automation's best-effort steps: an optional wait whose failure only means "not there" (\`page.waitForSelector(sel, { timeout }).catch(() => {})\`, \`waitForLoadState\`, \`waitForNavigation\`, \`locator.waitFor()\`), keyboard or mouse input to a page, \`page.evaluate(…)\` whose result is dropped, and code run inside the page (a catch in a \`page.evaluate\` callback); a swallowed write or click next to them is still reported. Not an empty catch whose failure is reported right after: the try returns on success and the next statement replies with the error (\`callback({ ok: false, msg: 'Not found' })\`, \`return res.status(500).json(…)\`, \`return cb(err)\`) or throws; not a goodbye to a connection that is closing anyway (every statement a call on one socket or stream, one of them \`disconnect\`/\`close\`/\`terminate\`/\`quit\`, or \`destroy\`/\`end\` on a socket, stream or connection; a model's \`destroy()\` deletes a row and stays reported); not a usage report sent home (a class or function named for telemetry or analytics); not \`.catch(() => {})\` on a call that releases what is held and takes nothing (\`context.close()\`, \`job.stop()\`, \`client.quit()\`), nor on a statement followed by a \`throw\` (best-effort clean-up on the way out of a failure the throw reports: \`await reader.cancel().catch(() => undefined); throw new TooLargeError()\`); not a catch inside an \`if\` on a development, debug or test mode (\`if (APP.IS_DEBUG)\`). An awaited \`add\` (\`await this.queue.add(job, data)\`) enqueues a job: swallowing its failure loses the job, unlike filling a local set. The empty catches of one function are one finding at the first, the others as related locations, and so are the swallowed \`.catch(() => {})\` of one named function (callbacks inside it included). Not in browser code.
- Python: an \`except …:\` whose body is only \`pass\`, \`...\` or \`continue\` (\`except ImportError: pass\` for optional imports is allowed). Not the parse-or-default idiom, where the try only computes a value and \`pass\` keeps the default (\`try: minutes = int(re.findall(r"\\d+", text)[0]) except Exception: pass\`, appending a parsed value to a local list, the terminal's size or \`git describe\` asked for, an optional config file read in); a try that acts (a row saved, created or deleted, a query run, a request or mail sent, a file written, a process run, any other call standing as a statement) is reported. The handlers of one function are one finding at the first, the others as related locations. A \`return\` in \`finally\`, or a \`break\`/\`continue\` there that leaves the loop around the \`try\`, discards the exception in flight whatever the handlers catch, and is reported (session 12), unless a handler of every error (\`except Exception:\` that does not raise again) already decided what a failure does. A handler of that try is then not reported again. Nor the parse-or-default idiom when the error is a failed read (a connection, a timeout, \`OSError\`) and the default is then written back, in the function or by a caller of the file it returns it to (\`keys = read_keys(path); keys[name] = pem; client.write(path, keys)\`): the write replaces what was stored. Not a designed fallback after a failed read (session 13): a handler of named failures (not \`Exception\`) around an HTTP GET/HEAD or a computation, where the try returns its answer and the function goes on to another attempt or its "unknown" answer (HEAD fails, then GET, then \`return None\`), or where a name the try sets keeps a default given before it that the code after tests (\`latest = None\` … \`if latest is not None\`); nor a try at the top of a module that imports an optional library and only defines and registers what it adds (\`Image.register_open(…)\`).
- Go: \`if err != nil { }\` with an empty block.

## Why it hurts in production
The failure still happens, but nobody learns about it: no log, no metric, no retry, no error to the caller. Data is lost or left half-written and the first sign is a customer report weeks later, with nothing in the logs to explain it.

## How to fix
Log the error with context (and the identifiers needed to find the record), rethrow or return it wrapped, or handle it explicitly. If ignoring really is right, say why in a comment and count it, and catch the narrowest error type.
`,
  },
  {
    id: 'hardcoded-secret',
    category: 'security',
    subject: /secret|credential|password|api[ -]?key|token|hard-?coded|private key|signing key/i,
    defaultSeverity: 'high',
    confidence: 1,
    languages: ['js', 'python', 'go'],
    roles: FILE_ROLES,
    title: 'Credential written in the source',
    shortDescription: 'Known key formats, or literals assigned to password/secret/token/api key names.',
    helpText: `# hardcoded-secret: credential written in the source

**Category:** security · **Default severity:** high · **Languages:** TypeScript/JavaScript, Python, Go

## What it finds
- String literals in a known credential format: AWS access key ids, GitHub and GitLab tokens, Slack tokens and webhooks, Stripe live secret keys, OpenAI and Google API keys, PEM private keys.
- A literal of 8 or more characters assigned to a variable, field, key, keyword argument or default parameter whose name says password/passwd/secret/api_key/apikey/token/private_key.
- A literal fallback for such a setting: \`process.env.JWT_SECRET || '…'\`, \`const { SESSION_SECRET = '…' } = process.env\`, \`config.get('JWT_SECRET', '…')\`, Python's \`os.getenv('DB_PASSWORD', '…')\`. A well-known development default (\`'postgres'\`, \`'super-secret'\`) is reported too: the risk it carries is a service that starts silently with a value anyone with the source knows, so the message says that and suggests failing at start-up when the setting is missing.
- Python and Go: such a name compared with such a literal (\`if password == "…"\`): a credential checked in the code.

Values read from the environment or configuration, empty strings, placeholders (\`changeme\`, \`<your-token>\`), markers put in a text to be found later (a constant's name between runs of one character: \`'___APP_HIGHLIGHT_MARKER___'\`, \`'%%TOKEN%%'\`), the plural of the name's word naming a resource (\`resourcePassword = "passwords"\`), password hashes (bcrypt \`$2b$…\`, argon2, scrypt, crypt's \`$6$…\`, Django's \`pbkdf2_sha256$…\`, LDAP's \`{SSHA}…\`: what a store keeps to check a password, not one), a sample a schema documents (an entry under an \`example\`/\`examples\` key: OpenAPI, pydantic's \`json_schema_extra\`), a provider's format filled in by hand (more than half of its random part runs of one character or along the digits, the alphabet or a keyboard row: \`xoxb-\` then \`1234567890-abcdefghij\`, \`ASIA1234567890ABCDEF\`, \`sk-ant-api03-AAAA…\`; in any role), masks put where a secret was (\`"__CENSORED__"\`, \`"[hidden]"\`), rate limits (\`"change_password": "1/m/user"\`), dotted import paths (\`'reset_password': 'app.forms.ResetForm'\`), printf formats and relative paths (\`"%s/api/repos/%d/secrets/%s"\`, \`"auth/reset_passwd"\`), stand-ins a client is built with when the key is unset (a provider's bare prefix \`'sk-proj-'\`, \`'ghp_'\`; the all-zero id \`'00000000-0000-0000-0000-000000000000'\` or one character in groups), prose (capitals, punctuation at the end, more than three words), words that say the key is not there (\`'just empty text'\`, \`'not configured yet'\`; other words are a passphrase and reported: \`app.secret_key = 'super secret key'\`) and a lower-case word in a table named for what each field shows (\`css_classes["password"] = "input"\`, \`inputTypes = { password: 'secure' }\`, \`fieldIcons\`, \`widget_types\`) are not reported; nor a key option given to the project's own class or function (\`new ApiUser({ secret: 'unknown' })\`, the class declared in the file or imported from a relative path), which is judged as \`secret = '…'\` is, while a library's (\`session({ secret })\`, a passport strategy) counts at any length; nor, under names that also name modes (token, credentials, auth), lower-case classes and camelCase names (\`token: "variable-2"\`, \`token: "sessionToken"\`). A comparison that refuses a sample value (\`if key == "CHANGE-ME" { return err }\`: the branch leaves with an error) is no built-in credential. Nor, in Python, a literal at the top of a settings module (in a \`settings\`/\`config\` folder, or named for settings) that a deployed module beside it takes whole (\`from .base import *\`) and then assigns again from the environment or a file on every import (at its top level, or in a \`try\`/\`with\` there; not under an \`if\` or in a function, and not with the imported value as its fallback: \`env("KEY", KEY)\`; not a module named for development, tests or CI). In test code, values a person made up (words and small numbers, \`P@ss+w0rd\`) and every credential of a test that fakes the HTTP layer (responses, requests-mock, respx, nock, msw, httpmock, Go's httptest) are the test's own; a provider's key format is reported anywhere.

A settings module of a CI, test or development environment (\`settings/ci.py\`, \`settings/local_dev.py\`, \`settings_dev.py\`; \`settings/local.py\` with \`DEBUG = True\`) is test code (see the file roles), where a value a person made up for that environment is not reported; a provider's key format still is.

## Why it hurts in production
Source code is copied to laptops, CI logs, forks, backups and vendors. A credential in it is readable by everyone who ever had the code, cannot be rotated without a deploy, and stays in the git history after it is deleted.

## How to fix
Read it at startup from the environment or a secret manager, fail fast when it is missing, rotate the leaked value, and purge it from the history.
`,
  },
  {
    id: 'sql-injection',
    category: 'security',
    subject: /\bsql\b|inject|concatenat|interpolat|parameteri[sz]|unsanitized|unescaped|raw query/i,
    defaultSeverity: 'high',
    confidence: 1,
    languages: ['js', 'python', 'go'],
    roles: BUILT_COMMAND_ROLES,
    title: 'SQL built from values and executed',
    shortDescription: 'Concatenated, interpolated or formatted SQL passed to a query call.',
    helpText: `# sql-injection: SQL built from values and executed

**Category:** security · **Default severity:** high · **Languages:** TypeScript/JavaScript, Python, Go

## What it finds
SQL text built by concatenation, \`\${}\` interpolation, Python f-strings / \`%\` / \`.format()\`, or Go \`fmt.Sprintf\` / \`+\`, JS \`util.format\`/\`sprintf\` with \`%s\`, \`.concat(…)\` and \`[…].join(' ')\`, passed as the query of a call named query/execute/exec/raw/$queryRawUnsafe/Query/QueryRow/QueryContext/Exec/ExecContext (JS: also \`{ sql }\` / \`{ text }\` objects), directly or through a variable assigned earlier in the same function, over one or several statements (\`q += …\`). Query-builder fragments (knex \`whereRaw\`/\`havingRaw\`/…, TypeORM \`where\`/\`andWhere\`/\`having\`, Sequelize \`literal\`) are reported when a value is spliced where SQL expects a value (\`name = '\${q}'\`); an alias or column spliced into them is the code's own. In Python also: Django \`RawSQL(…)\` and \`.extra(select=, where=, tables=, order_by=)\` (keyword or positional, lists grown with \`.append\`) given text built from values, and a statement recognised by its text (\`SELECT … FROM\`, \`INSERT INTO\`, \`UPDATE … SET\`, \`DELETE FROM\`, \`WITH … AS (\`) that splices a value where the query would run it elsewhere (returned, handed to a helper); not log or exception messages, numbers (\`%d\`, \`int()\`), quoted identifiers (\`quote_name\`), placeholder lists (\`", ".join(["%s"] * n)\`), configuration values, or table names alone in text that is not run here. Parameterised queries and tagged templates (\`sql\\\`…\\\`\`) are not reported; nor is interpolation of UPPER_CASE constants or of variables only ever given literal text; nor (JS) of dates and numbers the code made (\`now.toISOString()\`, \`d.getTime()\`, \`Date.now()\`, \`Number(x)\`, \`parseInt(x, 10)\`, \`Math.min(…)\`, \`n.toFixed(2)\`); nor is pg-format's quoting \`%L\`/\`%I\`; nor are migrations (statements the developers wrote, run once on the schema's own names).

JS/TS SQL text the program makes itself is not a value from outside: a placeholder list (\`ids.map(() => '?').join(',')\`, \`\` ids.map((_, i) => \`$\${i + 1}\`) \`\`, \`Array(n).fill('?').join(',')\`), inline or held in a variable; a function of the same file whose every \`return\` gives literal text (a dialect helper returning \`"DATETIME('now', ? || ' hours')"\`); and a helper named for SQL text called with no arguments (\`Database.sqlHourOffset()\`), to which nothing from the caller is passed.

JS/TS values that cannot carry text are not input either (session 15, round 9): a variable declared with a numeric type (\`clear(hoursAgo: number)\`, \`limit: number = 50\`, \`const n: number = …\`, a union of number literals), with or without a default (not a parameter a framework fills from the request with no pipe, \`@Query('days') days: number\`, nor a local given an assertion, \`const n: number = q.n as any\`: both are still text); a variable given only a ternary's choice among literals (\`order === 'asc' || order === 'desc' ? order : 'asc'\`, \`['asc', 'desc'].includes(x) ? x : 'asc'\`), also when read in a nested callback; a value the function refuses unless it is in a fixed list (\`if (!['asc', 'desc'].includes(dir)) throw …\`, \`if (!SORT_ORDERS.includes(dir)) return\`, \`if (!Object.values(Direction).includes(dir as Direction)) throw\`); and text made from a constant list by callbacks that read only their own parameters (\`\` ROOT_TYPES.map((t) => \`'\${t}'\`).join(',') \`\`, a list of literals in the function or at the top level that nothing \`push\`es to). A caller's list, a ternary whose other branch passes a parameter through and a callback that splices an outside value stay reported. knex's \`andWhereRaw\`/\`orWhereRaw\`/\`andHavingRaw\`/\`orHavingRaw\`/\`andOnRaw\`/\`orOnRaw\` are read as raw fragments like \`whereRaw\`.

Table names are identifiers, not values: in Go, the ORM's name for a model's table (\`s.Engine().TableName(&T{}, true)\`, a name mapper's \`mapper.Obj2Table("IssueUser")\`, gorm's naming strategy \`ColumnName\`/\`JoinTableName\`/\`IndexName\`, the \`Table\` of a schema \`schema.Parse\` returned), a name quoted by the dialect (\`x.Quote(name)\`, not \`strconv.Quote\`), and a name the function checks and leaves on failure before the splice (\`if err := validateTable(name); err != nil { return err }\`, \`if !re.MatchString(name) { return … }\`); in Python, a model's own table and column names (\`self.model._meta.db_table\`, \`_meta.get_field("x").column\`, \`Model.__tablename__\`), directly or through a local. SQL the ORM compiled is not a value either: Django's \`qs.query.where.as_sql(compiler, connection)\`, \`compiler.as_sql()\`, \`qs.query.sql_with_params()\` give the SQL with placeholders and their values, and splicing that SQL into a statement run with those values (\`execute(sql, where_params + [project.id])\`, or a local list made from them) is parameterised; \`str(qs.query)\` (values pasted in) and compiled SQL whose values are pasted into the text are still reported. A parameter of a module-private function (\`def _rank_by(…)\` at the module's level) that every call in the module gives fixed text is fixed text, unless the function is also handed on as a value (\`map(_rank_by, terms)\`, \`{"rank": _rank_by}\`).

Where a splice stands decides what it is (Go and Python, session 15). Placeholders cannot bind a table or column, so code that chooses its tables and columns has to splice them: a value in a name's place (after \`FROM\`, \`JOIN\`, \`INTO\`, \`UPDATE\`, \`TABLE\`, in a select list, an \`ORDER BY\`/\`GROUP BY\` list or an \`INSERT\` column list, quoted as an identifier (\`"%s"\`, \`\` \`%s\` \`\`), one part of \`schema.table\` or \`table.column\`, or the left side of a comparison or of \`SET col =\`) is not reported when the program keeps that name itself: a field of the method's receiver (\`r.source\`, \`s.fields[i]\`) that the file sets only to fixed text, if at all (not \`listing{Sort: r.FormValue("sort")}\`), state of the object in Python (\`self.table\`, \`cls.columns[i]\`, but not what a view holds of its request, \`self.request.GET[...]\`, \`self.kwargs\`, nor state read out of a parameter where it is set, \`self.sort = options.get("sort")\`), a package- or module-level constant, or a variable no function of the file changes (not \`extra = append(extra, v)\`, \`extra.append(v)\`), or a path into one (\`orderColumns[key]\`), or a local given only such values (a key or element of a range over one, or a map or list the function writes out of literals and package constants and does not fill later). A parameter or a field of one (\`req.Sort\`, \`opts.Table\`) in a name's place is still reported, and so is any splice in a value's place (\`= %s\`, \`'%s'\`, \`VALUES (%s)\`, \`LIMIT %s\`), whatever it holds.

Go names that stand for fixed text are no input either (session 14): a package's constants, its package-level \`[]string\` lists of literals that no file assigns again, and its functions without a receiver whose every \`return\` gives text built only of literals, such names and numbers (\`fmt.Sprintf("now() - interval '%d days'", days)\` with \`days int\`), whether of this file, of the package's other files or, qualified (\`store.Interval()\`), of a package of the same module the file imports; and the variable of a \`range\` over a literal list, such a list, or \`append\` of one and literals (\`for _, t := range statTables\`). A list the package fills or changes at run time, a list a caller passes and a function that formats a text parameter into its result stay reported.

## Why it hurts in production
A quote in the input ends the string and the rest runs as SQL: data is read across tenants, rows are deleted, authentication is bypassed. It also defeats statement caching.

## How to fix
Keep the SQL constant and pass values separately: \`db.query('SELECT … WHERE id = $1', [id])\`, \`cursor.execute("… WHERE id = %s", (id,))\`, \`db.QueryContext(ctx, "… WHERE id = $1", id)\`. For dynamic identifiers (sort columns) map user input through an allow-list.
`,
  },
  {
    id: 'query-in-loop',
    category: 'performance',
    subject: /n ?\+ ?1|\bloop\b|per (item|row|record|iteration)|each (item|row|record|iteration)|batch/i,
    defaultSeverity: 'medium',
    confidence: 0.9,
    languages: ['js', 'python', 'go'],
    roles: PER_REQUEST_ROLES,
    title: 'Database or HTTP call inside a loop (N+1)',
    shortDescription: 'One query or request per loop iteration.',
    helpText: `# query-in-loop: database or HTTP call inside a loop (N+1)

**Category:** performance · **Default severity:** medium · **Languages:** TypeScript/JavaScript, Python, Go

## What it finds
Inside a loop body (for / for-of / for-in / while, \`.forEach\` / \`.map\` callbacks; Python for/while; Go for), a direct database or HTTP call:
- JS/TS: an awaited \`query/findOne/findUnique/findFirst/findMany/findById/find/get/getAll/getRow/findOneBy/…\` on an object whose name says db/repo/repository/prisma/client/knex/pool/model/collection, or \`fetch\`; a Prisma write (\`create/createMany/update/updateMany/upsert/delete/deleteMany\` on \`prisma.<model>\`, \`tx.<model>\`, \`db.<model>\` in a file that names Prisma); a function imported from the project (a relative, \`@/\` or \`~/\` path) named for one record by id (\`updateLinkById\`, \`getCollectionById\`), or named get/find/fetch/load… and given an id (\`getPermission({ userId, linkId })\`); any query method (\`getAll\`, \`findOne\`, \`load\`, \`store\`, \`exec\`, \`count\`, \`insert…\`) of a name bound from a database package (\`const { R } = require('redbean-node')\`, knex, sequelize, typeorm, mikro-orm, kysely, pg, mysql2, sqlite, mongodb, mongoose, prisma); any method but the builders (\`create\`, \`createQueryBuilder\`, \`merge\`) of a repository the class holds (\`this.pagePermissionRepo.getUserIdsWithPageAccess(…)\`, \`this.userRepository\`, \`this.orderDao\`), unless the field is declared as an in-memory, fake or mock repository; and a call to a function or method of the same file that runs such a query, directly or through one more function of the file, reported at the call with the query as a related location (not when that function runs its query in a loop of its own, which is reported there). Array searches (\`rows.find(cb)\`) and lookups in maps, sets and caches are not queries. Statements mapped into the list of a batch transaction (\`prisma.$transaction([del, ...rows.map((r) => prisma.x.update(…))])\`, \`$transaction(rows.map(…))\`, a list named first and given to it, or a \`batch([…])\`; session 14) go out as one batch, not one awaited request per element: not reported.
- Python: \`.execute(\`, \`.query(\`, \`.objects.get/filter(\`, \`session.get(\`, \`requests.get/post(\` (not a dnspython resolver's \`query\`; not a \`while\` loop reading a paged listing, whose request names its page, offset or cursor or is given the previous answer's \`next\` link); in a Django file, a loop item's related manager (\`entry.tags.count()\`, \`.all()\`, \`.set(…)\`, \`.add(…)\`) and its \`save()\`/\`delete()\`.
- Go: \`db.Query/QueryRow/Exec\` (and the Context forms), \`http.Get\`. Go loops (session 13) are reported only when the file shows that the list grows with the data: the rows of a query given no fixed limit (\`Find(&xs)\`, \`Select(&xs, …)\`, \`Pluck("id", &ids)\`, \`rows.Next()\` over \`Query(…)\`; a page whose size is a variable counts, \`Limit(10)\` does not), a function of the same file that returns such rows (\`ws, err := getWatchers(e, id)\`), the request's or a document's list (\`Bind(&req)\`, \`json.Unmarshal(b, &xs)\`, a CSV's \`ReadAll()\`, a scanner's lines), a folder listing, a parameter of row ids (\`ids []int64\`, \`userIDs []string\`), the same list under another name or appended to another, or a loop inside one of those or over each element's own children (\`for _, g := range groups { for _, t := range g.Targets {…} }\`). Session 14: a list parameter is data too when its type is a list of results, rows, records or hits (\`hits []plugin.SearchResult\`), or when a call of the function in the file hands it rows its caller queried (\`p.build(ctx, answers)\` after \`….Find(&answers)\`); and a query is recognised through the fields that lead to the engine (\`p.data.DB.Context(ctx).Where(…).Get(&q)\`, \`r.data.db.WithContext(ctx).First(&u)\`: a field named for the engine, such as \`db\`, \`DB\`, \`…DB\`, \`Engine\`, followed only by session or builder steps), unless the file declares that field with a type that is no database. A parameter nothing in the file explains, one record's children, a list assembled with \`append\` and a loop over no collection are silent. Not database queries in a module whose go.mod requires only an in-process SQLite engine (mattn/go-sqlite3, modernc.org/sqlite, gorm's SQLite driver) and no networked database's or store's client (a required module whose path names a store, such as \`cassandra\`, \`trino\` or \`sql\`, counts as one unless it is a query builder or ORM core such as sqlx, dbx or gorm): a query there is a call into the process, not a round trip. Nor maintenance statements per table (\`OPTIMIZE TABLE\`, \`VACUUM\`, \`ANALYZE\`). Nor one statement per chunk (\`range slices.Chunk(ids, n)\`, a counted loop stepping by a batch size that slices the collection, a builder's \`.In("id", chunk)\`), a call in a \`case\` of a \`switch\` on the loop's element (once per kind; the \`default\` case stays reported), a function of the file calling itself per child (a tree walk), an update giving each row a value computed from the loop's index (respacing positions), or a repair an operator runs (a function named \`Repair…\`/\`Fix…\`/\`Reindex…\`/\`Rebuild…\`, or one taking \`dryRun bool\`). Nor, in Go, a function of the file that takes a file's content (\`f io.ReadSeeker\`, \`multipart.File\`) called per upload; nor a Go loop that saves one record's own children one write each (a field of the method's receiver or of a struct the function is given, \`for i := range p.Headers { db.Save(&p.Headers[i]) }\`, or a slice handed to a method of a record that gets its handle as a parameter), unless it reads per child, runs a function that reads, or sits in another loop over data; nor a loop in a function literal handed to a scheduler (\`cron.Schedule(spec, func() {…})\`, \`c.AddFunc(…)\`). In Go a function of the same package declared in another file (same folder and package clause, tests left out) is followed when the loop calls it by name and its text runs three or more statements (\`for _, t := range tasks { hardDelete(s, t) }\`); the finding names that file. Or, in Python, a row update given the name its own file was just stored under (\`new = storage.save(path, f)\` then \`.update(image=new)\`): one file stored per element, with its row.

Python (session 13): the same principle. A \`for\` loop is reported only when the file shows that its list grows with the data, read back through the function's assignments, \`with … as\`, lists filled by \`append\` in a loop, and the loops around it: the rows of a query given no limit (\`Model.objects.filter(…)\`, \`session.query(…)\`, \`select(…)\`, \`cursor.fetchall()\`, a SELECT run on a connection or cursor with no \`LIMIT\` (\`conn.execute("SELECT …")\`, or \`cursor.execute("SELECT …")\` and then \`for row in cursor:\`), \`….all()\` on a call, a helper named \`get_all…\`, a queryset chain such as \`queryset.select_related(…)\`, a parameter named \`queryset\`/\`qs\`), the request's own list (\`request.data[…]\`, \`request.json\`, \`request.POST.getlist(…)\`, \`validated_data\`), a document parsed from text or an answer (\`json.load(s)\`, \`response.json()\`, \`csv.reader\`/\`DictReader\`, \`yaml.safe_load\`, XML), a folder listing (\`os.listdir\`, \`glob\`, \`Path.iterdir\`, a client's \`list(path)\`), a list named for row ids (\`user_story_ids\`) or walked as row references (\`for source_id in selected:\`), a parameter declared as a list (\`skus: list[str]\`), and \`range(len(…))\` of one of those. A parameter or a helper's result nothing explains (no list declared), one record's children through its related manager (\`recipe.steps.all()\`, \`self.slots.all()\`), a capped query (\`[:50]\`, \`.limit(…)\`, \`.first()\`), a constant, \`self.…\`, the pairs of a mapping and every \`while\` loop are not reported. Session 14: a comprehension is such a loop (\`[export_row(r) for r in rows]\`: a query, or a function or \`self.\` method of the file that runs one, given the item in its element, over a source that grows); in a \`for\` loop a function or method of the file whose answer is kept per item (\`rows.append(f(r))\`, \`d[k] = f(r)\`, \`yield f(r)\`) is followed too, unless it queries only when its caller did not hand it the answer (\`if names is None: …\`) or finds or makes a row (\`get_or_create\` by another name); growth is read through \`+\`, \`|\`, \`chain()\`/\`zip()\` and \`[*a, *b]\`. A loop over a query's rows with no cap whose body only sets fields of its row to the same change for every row and saves it (\`item.order += 1; item.save()\`, a value the loop does not compute) is reported without other evidence of growth, one record's children too: one \`update()\` (\`F("order") + 1\`) or \`bulk_update\` writes them all.

JS/TS: a loop is reported only when the file shows that its list grows with the data, read back through the assignments of the functions around it (\`filter\`/\`map\`/\`Array.from\`/\`new Set\`, spreads, destructuring, \`??\`): the rows of a query given no limit (\`findMany({ where })\`, \`.execute()\`, \`R.getAll(sql)\`, a repository's list method, a project helper named for a parent's rows such as \`findActiveByTeamId\`), the request's own list (\`req.body.items\`, a handler's \`input\`, \`@Body()\`), a document parsed from text or an upload (\`JSON.parse\`, \`Papa.parse(…).data\`, a parameter typed \`Parser.Output\`), a folder listing, a list named for row ids (\`linkIds\`, \`job.data.pageIds\`; not ids taken out of a list the function read that shows no growth, such as \`[...new Set(subscriptions.flatMap(…))]\` of a parameter: as many as that list; nor a list of ids held in a field of one record the function has, \`invite.teamIds || []\`, \`const { groupIds } = notification\`: that record's own list; a queued message's payload, \`job.data.pageIds\`, \`input.ids\`, stays the sender's selection) or typed as row references (\`{ id: number }[]\`), or a loop nested in one of those (\`for (const book of backup.notebooks) for (const note of book.notes)\`); in a request handler (a route handler \`export async function GET\`, an exported function of a \`'use server'\` module, a tRPC \`.query\`/\`.mutation\` of a procedure, a function taking \`(req, res)\`), the awaited result of a helper named for a plural list (\`await listOrdersForUser(id)\`, \`await getRecentInvoices(userId)\`; not an English singular ending in -s, \`getShippingStatus\`, \`getAnalysis\`) not given a limit. Not one query per batch: a counted loop stepping by a batch size that it slices out of the collection it counts (\`for (let i = 0; i < ids.length; i += 200) { const batch = ids.slice(i, i + 200); … }\`). A list that nothing in the file explains (a parameter, a helper's result), the groups one person belongs to (a helper named \`getOrganizationsByUserId\`, \`getTeamsByMemberId\`: memberships made by hand, a few per person), one record's children (\`envelope.items\`), a capped query, a constant and a \`while\` walk are not reported: their size is not shown to be the data's. A Prisma client taken from another object (\`const { client } = prisma\`) writes like \`prisma\`.

The calls of one loop are one finding, at the first, with the others as related locations (JS/TS since session 10, as Python and Go). JS/TS loops that are not N+1 are not reported: a loop over a list written in the code or read from configuration (\`for (const table of ['stat_minutely', 'stat_hourly'])\`; a list spread from data, \`[...new Set(ids)]\`, is data), a loop that runs a list of SQL statements (\`for (const statement of statements) await db.exec(statement)\`), a loop left right after its query (\`await R.store(bean); return days\`), a walk up a parent chain (\`parent = await Tree.getParent(parent.id)\`), and data migrations (functions named migrate…/seed…/…Migration…, and \`patch…\` methods of a database class). Nor loops bounded by the program rather than the data: in a start-up method (\`onModuleInit\`, \`init\`, \`setup\`, \`bootstrap\`, an \`init…()\` that takes no parameters; not in a handler it registers), after the function (or a function of the file it calls) lists a folder of the program's own code (\`fs.readdir(path.join(__dirname, 'modules'))\`: syncing the database with the modules the code ships), over a member of the configuration object (\`config.lang.namespaces\`), saving settings by a key or name column with their value or config (an admin form), and the per-row branch of an \`if\` on the database in use whose other branch runs the same call once for the whole list. Nor a \`while (frontier.length > 0)\` walk that queries the whole frontier per level (\`parentId: { in: frontier }\`), or a loop counted to a redirect limit (\`hop <= maxRedirects\`). A loop that already batches is not reported: one call per page or chunk (\`for page in range(1, paginator.num_pages + 1)\`, \`for chunk in chunked(ids, 500)\`), a \`__in\` lookup given a list the loop built (\`filter(pk__in=ids)\` per group), a slice of rows per pass of a \`while\` loop (\`filter(...)[:64]\`). Nor, in Python, a \`while\` loop whose way out is the query's own answer (a retry until a generated value is free, \`if not exists: break\`; a delete of a limited batch per pass, \`if result.rowcount < limit: return\`), a query behind a check of the map its answer is stored in (\`if key not in cache: cache[key] = …\`), or a loop whose items past its first line are only those of a declared set (\`if name not in self.fields: continue\`). Nor, in Python (session 12), a loop that writes a line per item for a person to read (a statement of its own body \`print(…)\`, \`print_fn(…)\`, \`self.stdout.write(…)\`, \`click.echo(…)\`, not one behind \`if DEBUG:\`) or walks a progress bar (\`tqdm(rows)\`): an operator's sync, import or command, unless the function serves a request (takes \`request\`, a FastAPI \`Depends(…)\`, or a route decorator such as \`@app.route\` / \`@router.get\`: the line goes to the server's log while a user waits); a loop that copies a row per item (\`copy.pk = None\` then \`save()\`, \`create(**model_to_dict(row))\`; \`model_to_dict\` alone serialises a response): a new row per item whatever it reads; a query on the loop's item as the model (\`for model, field in owners: model.objects.get(…)\`): another table each pass; and \`get(url)\` on a requests session (bound to \`requests.Session()\` in the module, or a parameter holding one): an HTTP call, not SQLAlchemy's \`session.get(Model, pk)\`.

Session 15, in all three languages: a loop over tenancy containers, named so by its item (or by its list when the item is an index: \`for (const spaceId of spaceIds)\`, \`for org in owned_orgs\`, \`for realm_name in realms_to_add\`, \`for _, team := range teams\`, \`for i := range workspaces\`; workspaces, spaces, organisations, teams, tenants, realms, their ids or names), grows with the data only when a loop around it does: there are a few per parent (the spaces of a group, the organisations of a person, the realms given to a token), and a pass over all of them does each tenant's own work (its retention, its schema). The rows walked inside one container are still reported (\`for page in pages\` of each workspace), and so is the container loop inside a loop over rows. JS/TS (session 15): nor a loop that walks one tree, as many passes as the tree is deep or one node has children: a loop whose body calls the function it is in (\`for (const child of children) { await deleteTree(child.id); … }\`), or a counted loop that takes one more segment of a path per pass (\`segments.slice(0, i + 1).join('/')\`: one lookup per ancestor of one path, as a walk up a parent chain is).

## Why it hurts in production
Each iteration pays a full round trip. It is fast with ten rows in development and takes seconds with ten thousand in production, while holding a connection and multiplying the load on the database.

## How to fix
Load the whole set in one query before the loop (\`WHERE id IN (…)\` / \`= ANY($1)\`, \`findMany({ where: { id: { in: ids } } })\`, \`filter(id__in=…)\`, a join, \`select_related\`/\`prefetch_related\`), use a batch endpoint, or a DataLoader.
`,
  },
  {
    id: 'unbounded-concurrency',
    category: 'reliability',
    subject: /unbounded|concurren|parallel|promise\.all|fan[- ]?out|goroutines?|at once/i,
    defaultSeverity: 'low',
    confidence: 0.9,
    languages: ['js', 'python', 'go'],
    roles: ['production'],
    title: 'Unbounded parallel I/O over a collection',
    shortDescription: 'Promise.all over map, asyncio.gather over a comprehension, a goroutine per element.',
    helpText: `# unbounded-concurrency: unbounded parallel I/O over a collection

**Category:** reliability · **Default severity:** low · **Languages:** TypeScript/JavaScript, Python, Go

## What it finds
- JS/TS: \`Promise.all(xs.map(...))\` doing I/O over a non-literal array with no limiter (p-limit, a semaphore, batching): the callback awaits a call or calls a client (\`return this.db.order.update(…)\`); a callback that only shapes data in memory (\`rows.find((r) => …)\`, \`priceMap.get(k)\`, awaiting values already in flight or jobs already queued) starts nothing, and neither does signing or verifying a JWT (\`jwt.sign\`, \`this.jwtService.sign\`, a token service's \`generate…Token\`/\`sign…\` other than refresh, session, reset, API and invitation tokens, which are usually stored). A call to a function of the same file is judged by what that function does (one or two levels). \`Promise.all(promises)\` where \`promises\` was filled by \`push(call(…))\` in a \`for…of\`/\`for…in\` loop over data is the same fan-out (not over a written list, configuration, the program's own services, a model's declared relations or columns, chunks, or a capped \`limit(() => …)\`). A callback that only closes or stops what is held (\`closeAsync(fd)\`, \`job.stop()\`) starts no load, and a fan-out over a parameter of a function named for one batch or chunk (\`processBatch(links)\`) is as large as its caller made the batch. A collection named for one page of results (\`page\`, \`pageItems\`, \`resultPage.items\`) is bounded; one named for a list of pages (\`documentPages\`, \`pages\`: session 14) is as long as the document or the data. Fan-outs over the same collection in one function are one finding with the others as related locations. Not in browser code.
- Python: \`asyncio.gather(*[…])\` (the comprehension written in the call or assigned to the name splatted) with no semaphore in the function, over a list the file shows grows with the data, read as for query-in-loop: the rows of a query without a limit, a folder listing, a parsed document or the request's own list, a list of row ids (session 15). Not a list written out or configured, a list cut to a few (\`urls[:max_pages]\`, \`items[-3:]\`), a parameter merely declared as a list (\`urls: list[str]\`) or a helper's answer (the subqueries or tool calls a model chose): a fan-out of a handful is what gather is for. The comprehension that builds gathered tasks is not also a query-in-loop.
- Go: a \`go\` statement inside a \`for … range\` loop with no semaphore or errgroup \`SetLimit\` in the function, over a list the file shows grows with the data (as for query-in-loop: uncapped query rows, the request's or a document's list, row ids); so not one goroutine per channel of an accepted connection (\`for newChan := range chans\`), per subscriber of an in-memory publisher, or per element of a parameter nothing explains; not one goroutine per channel handed to a fan-in (\`cs ...<-chan T\`), per element of a slice written out in the function, or per value of an enumeration (\`types := model.SummaryTypes()\` with only constants appended); nor a long-lived worker started once per key of a registry the code keeps (\`if _, ok := running[id]; !ok { running[id] = true; go watch(id) }\`, the map a field or declared before the poll around the loop).
- JS/TS, where the collection comes from, read back through the function's assignments (\`filter\`/\`map\`/\`Array.from\`, destructuring, \`??\`): reported only when it shows growth, as for \`query-in-loop\` (the rows of a query without a limit, a parsed document, a folder listing, a list of row ids), not one request's own list (as long as one client sends; the pool queues it). A list held by ONE record a query returns by key (\`findUnique\`/\`findFirst\`/\`findOne\`/\`findById\`, a helper named \`getThingById\`) and what it loaded with it (\`board.columns\`), the rows of a query given a limit (\`take: 200\`, \`.limit(100)\`), a module constant, a parameter or a helper's result show none; nor is a fan-out inside an interactive transaction (\`prisma.$transaction(async (tx) => …)\`, \`knex.transaction\`, Kysely's \`transaction().execute\`) reported when the work goes through its client: its queries wait for its one connection. A list the function refuses above a cap before the fan-out (\`if (ids.length > this.config.limit) throw …\`, also in the caller the list came from) shows none (session 15, round 9); a list named for ids that is a parameter of a function this file calls by name is what those calls pass (\`this.attach(strategyId, segmentIds.filter(…))\` after such a cap: none; the ids of a query's rows: growth), and one given by a helper named for one person's memberships (\`getProjectRolesForUser(project, userId)\`) shows none, as the helper's own rows do not.

## Why it hurts in production
The concurrency equals the input size. A list of 20 is fine; a list of 20,000 opens 20,000 requests at once, exhausts the connection pool and file descriptors, trips rate limits and overloads the dependency.

## How to fix
Cap it: \`p-limit\`/\`p-map\` with \`{ concurrency: n }\` or fixed-size chunks; an \`asyncio.Semaphore\`; \`errgroup.Group\` with \`SetLimit(n)\` or a worker pool.
`,
  },
  {
    id: 'tls-verification-disabled',
    category: 'security',
    subject: /\btls\b|\bssl\b|certificate|\bverif|https/i,
    defaultSeverity: 'high',
    confidence: 1,
    languages: ['js', 'python', 'go'],
    roles: OWN_CODE_ROLES,
    title: 'TLS certificate verification disabled or TLS weakened',
    shortDescription:
      'rejectUnauthorized: false, verify=False, InsecureSkipVerify: true and friends; Go TLS configs that allow obsolete versions or broken cipher suites.',
    helpText: `# tls-verification-disabled: TLS certificate verification disabled or TLS weakened

**Category:** security · **Default severity:** high · **Languages:** TypeScript/JavaScript, Python, Go

## What it finds
- \`rejectUnauthorized: false\` (as an option, or assigned: \`agent.options.rejectUnauthorized = false\`), request's \`strictSSL: false\`, MongoDB's \`tlsAllowInvalidCertificates\`/\`tlsInsecure: true\`, a \`checkServerIdentity\` that returns nothing; setting \`NODE_TLS_REJECT_UNAUTHORIZED\` to \`'0'\` (or putting it in an environment object); Python \`verify=False\` in a requests/httpx call (or \`verify=param\` where the function's parameter defaults to \`False\` or a call in the module passes \`False\`), \`ssl._create_unverified_context()\`, \`verify_mode = ssl.CERT_NONE\`, urllib3's \`cert_reqs=\` \`CERT_NONE\` or \`CERT_OPTIONAL\` (or the same names as text); Go \`InsecureSkipVerify: true\` (also \`!false\` or a name bound to \`true\`). In every language, not when written where a setting asked for it, as a value taken from the setting (\`verify=settings.VERIFY_SSL\`, \`InsecureSkipVerify: c.SkipVerify\`) already is not: on the branch taken when a setting named for accepting unverified certificates is on (\`if c.SkipVerify {…}\`, \`if (cfg.skipTlsVerify) {…}\`, \`opts.insecure ? { rejectUnauthorized: false } : {}\`, \`if settings.SKIP_TLS_VERIFY:\`, \`… and\`/\`&&\`; Go also after \`if !c.SkipVerify { return … }\` and on such an environment variable being set: \`if os.Getenv("SKIP_SMTP_TLS_VERIFY") != ""\`). The names are the same in every language: *insecure*, *skip…verify/tls/ssl/cert*, *ignore…https/tls/ssl/cert*, *allow/accept…insecure/invalid/self-signed/untrusted*, *no…verify*, *disable…verify/tls/ssl/cert*, whoever sets the setting (the operator, or a user for one item such as a feed's \`IgnoreTLSErrors\`). A test turned around (\`if (!cfg.insecure)\`) or on another setting is still reported.
- Browser automation told to accept any certificate (TypeScript/JavaScript and Python): Playwright's \`newContext({ ignoreHTTPSErrors: true })\` / \`new_context(ignore_https_errors=True)\` (or a launch, or a dict of options), Puppeteer's and pyppeteer's \`ignoreHTTPSErrors\`, WebDriver's \`acceptInsecureCerts: true\` (TS/JS only), and Chromium's \`--ignore-certificate-errors\` switch in the browser's argument list or given to a call (\`args.push(…)\`, \`add_argument(…)\`). Not a value from settings (\`ignore_https_errors=settings.IGNORE_HTTPS_ERRORS\`), nor one set only in a branch (\`if\`, a conditional, \`&&\`/\`and\`) on a setting named for it (the names Go reads, above) that is not turned around (\`if (!cfg.insecure)\` is still reported).
- Go, TLS weakened on purpose: a \`tls.Config\` whose \`MinVersion\` allows, or whose \`MaxVersion\` caps at, SSL 3.0, TLS 1.0 or TLS 1.1 (\`tls.VersionTLS10\`, a name bound to it, \`0x0301\`; not a name given the weak version only in a \`case\` of a \`switch\` on a setting, \`case "TLS10": v = tls.VersionTLS10\`: the operator's choice), and a \`CipherSuites\` list with a broken suite (RC4, 3DES, CBC with SHA-256) or a static RSA key exchange (\`TLS_RSA_WITH_…\`, no forward secrecy). A zero or unset version is Go's safe default and is not reported; nor is \`PreferServerCipherSuites\`, which Go ignores since 1.18.
- Python, a broken protocol version chosen in code: \`ssl.PROTOCOL_SSLv2\`/\`SSLv3\`/\`TLSv1\`/\`TLSv1_1\`, pyOpenSSL's \`SSL.SSLv3_METHOD\`/\`TLSv1_METHOD\`/\`TLSv1_1_METHOD\` (and SSLv2) and \`ssl.TLSVersion.TLSv1\`/\`TLSv1_1\`/\`SSLv3\`, given to a call (\`SSLContext(…)\`, \`wrap_socket(ssl_version=…)\`), as a parameter's default or as a context's \`minimum_version\`/\`maximum_version\`. A constant only read (compared, listed among choices) is not reported, nor the negotiating \`PROTOCOL_TLS_CLIENT\`/\`SSLv23_METHOD\`.

## Why it hurts in production
Encryption without verification authenticates no one: anyone on the network path can present any certificate, read the traffic (credentials, tokens, personal data) and change it. "Temporary" switches like these tend to ship.

TLS 1.0 and 1.1 are deprecated (RFC 8996) and open to downgrade and padding attacks; RC4 and 3DES are broken; without forward secrecy a server key stolen later decrypts every recorded session. A config that allows them lets an attacker on the path pick the weakest option both sides accept.

## How to fix
Remove the switch. For a private or self-signed CA, trust that CA explicitly: \`ca:\` / \`NODE_EXTRA_CA_CERTS\`, \`verify="/path/ca.pem"\`, \`RootCAs\`. The quick fix removes \`verify=False\`.
For Go, delete \`MinVersion\`/\`MaxVersion\` below TLS 1.2 and the \`CipherSuites\` list (Go's defaults are safe), or list only ECDHE suites with AES-GCM or ChaCha20-Poly1305.
For Python, use \`ssl.create_default_context()\` (TLS 1.2 or later) or raise the floor: \`context.minimum_version = ssl.TLSVersion.TLSv1_2\`.
`,
  },
  {
    id: 'weak-random-secret',
    category: 'security',
    subject: /random|predictable|guessable|entropy|\bcsprng\b/i,
    defaultSeverity: 'medium',
    confidence: 0.9,
    languages: ['js', 'python', 'go'],
    roles: OWN_CODE_ROLES,
    title: 'Predictable randomness used for a secret',
    shortDescription: 'Math.random / random / math/rand building tokens, passwords, nonces or codes.',
    helpText: `# weak-random-secret: predictable randomness used for a secret

**Category:** security · **Default severity:** medium · **Languages:** TypeScript/JavaScript, Python, Go

## What it finds
\`Math.random()\` (JS), the \`random\` module (Python, not \`secrets\`) and \`math/rand\` (Go) used to build a token, secret, password, nonce, OTP, session id, API key or reset code: the value is assigned to such a name, or built in a function named for one. Python's \`uuid.uuid1()\` (the clock and the host's MAC address) given to such a name (\`invitation.token = str(uuid.uuid1())\`, \`data["token"] = …\`) is reported too. A key read from data names nothing (\`out[item.token_key] = …\`: the table's own name decides, \`reset_tokens[user.id] = …\` is reported); a constant key names the value as text does (\`session[INVITE_TOKEN_KEY] = …\`). Randomness for jitter, backoff, sampling or shuffling is not reported.

## Why it hurts in production
These generators are fast but predictable: after observing a few outputs an attacker can compute the next ones, and seeds are often guessable. Password-reset codes, session ids and API keys built from them can be forged.

## How to fix
Use a cryptographic source: \`crypto.randomBytes(32).toString('base64url')\`, \`crypto.randomUUID()\`, \`crypto.randomInt\`; Python \`secrets.token_urlsafe()\`, \`secrets.choice()\`; Go \`crypto/rand\`.
`,
  },
  {
    id: 'command-injection',
    category: 'security',
    subject: /command|shell|inject|\bexec|spawn|subprocess/i,
    defaultSeverity: 'high',
    confidence: 1,
    languages: ['js', 'python', 'go'],
    roles: BUILT_COMMAND_ROLES,
    title: 'Shell command built from values',
    shortDescription: 'exec/execSync, subprocess(shell=True), os.system, sh -c with a built command.',
    helpText: `# command-injection: shell command built from values

**Category:** security · **Default severity:** high · **Languages:** TypeScript/JavaScript, Python, Go

## What it finds
Node \`exec\` / \`execSync\` (child_process under any import name, \`promisify(exec)\`, shelljs \`exec\`) with an interpolated, concatenated, formatted or joined command, \`spawn\`/\`execFile\` with \`shell: true\` (in the call or an options variable) or a shell program given \`-c\`/\`-ec\`/\`/C\` (also through \`/usr/bin/env\`) and a built command, and \`exec\`/\`spawn\` given a command or program read straight from the request (\`req.query.cmd\`, a Lambda \`event['cmd']\`); Python \`subprocess.*(…, shell=True)\` (or any flag Python reads as true: \`shell=1\`, \`shell="False"\`), \`asyncio.create_subprocess_shell\` and \`loop.subprocess_shell\` with a built command, \`subprocess.*(["bash", "-c", <built>])\`, a command line built as one string without a shell (\`subprocess.run("ping " + host)\`: it only works once \`shell=True\` is added) and \`os.system(<non-literal>)\`; Go \`exec.Command("sh"|"bash", "-c", <non-literal>)\`, also with the shell taken from the environment (\`os.Getenv("SHELL")\`) or Windows' \`cmd /c\` and \`powershell -Command\`; Go \`exec.Command\`, \`syscall.Exec\`/\`StartProcess\` and \`os.StartProcess\` given a program read from the request in a handler (\`r.FormValue\`, \`c.Query\`, \`mux.Vars\`, directly or through a local variable) or a program name with run-time text after fixed text (\`"tool-" + variant\`, \`fmt.Sprintf("mkfs.%s", fs)\`). A program from the operator's environment (\`os.Getenv("EDITOR")\`), the binary itself (\`os.Args[0]\`), a function parameter, or a configured directory in front of a fixed name is not reported. Not in migrations (their commands are the developers' own).

## Why it hurts in production
The shell interprets the whole string: a \`;\`, \`&&\`, \`$(…)\` or quote in a file name, branch or user field runs arbitrary commands with the service's permissions.

## How to fix
Run the program directly with an argument array and no shell: \`execFile('git', ['log', ref])\`, \`subprocess.run(['git', 'log', ref])\`, \`exec.Command("git", "log", ref)\`. Validate values against an allow-list and put \`--\` before user-supplied arguments.
`,
  },
  {
    id: 'blocking-call-in-async',
    category: 'performance',
    subject: /block|synchronous|\bsync\b|event loop|\basync\b/i,
    defaultSeverity: 'medium',
    confidence: 1,
    languages: ['js', 'python'],
    roles: ['production'],
    // Six rounds of public repositories labelled blind (sessions 9-14): of 82 TS/JS production findings,
    // 1 was wanted in an editor (whole archived files read per request), 33 were true but low value (a
    // small file read in an async function, a self-host storage driver) and 48 wrong. Pragmatic mode
    // leaves them to the model's review; Python's blocking calls in \`async def\` stay in every mode.
    modesByLanguage: { js: ['backendpe'] },
    title: 'Blocking call in async code or a request handler',
    shortDescription:
      'fs.*Sync / execSync / spawnSync in handlers (BackendPE mode only); time.sleep / requests in async def.',
    helpText: `# blocking-call-in-async: blocking call in async code or a request handler

**Category:** performance · **Default severity:** medium · **Languages:** TypeScript/JavaScript (BackendPE mode only), Python

## What it finds
- JS/TS: synchronous \`fs.*Sync\`, \`execSync\`, \`spawnSync\` inside an HTTP handler (a function with \`(req, res)\` parameters or a callback given to app/router \`.get/.post/.put/.patch/.delete/.use\`) or an \`async\` function. Also a password hash computed synchronously (session 15, round 9): bcrypt's or bcryptjs's \`compareSync\`/\`hashSync\` and Node crypto's \`pbkdf2Sync\`/\`scryptSync\` (by the name the file imports or requires them under), tens to hundreds of milliseconds of CPU each. A synchronous callback of an array method (\`hashes.some((h) => bcrypt.compareSync(p, h))\`, \`files.map((f) => fs.readFileSync(f))\`) runs inside the function that calls the method and is judged with it.
- Python: \`time.sleep(…)\` or \`requests.*(…)\` directly inside \`async def\`; and a call, inside \`async def\`, of a plain (\`def\`) function whose own body calls \`requests\` (module or session), \`time.sleep\` or \`urlopen\`: a function of the same module (or a method through \`self.\`), or one imported by name from another module of the project (\`from app.net import fetch\`, \`from .util import wait\`; read by the project facts). Not when the function runs in a thread (\`asyncio.to_thread(f, …)\`, an executor, a lambda, \`@sync_to_async\`-style decorators), is awaited, or the caller runs once (\`main\`, \`startup\`, \`lifespan\`, a component's \`start\`/\`stop\`, \`@app.on_event("startup")\`).
- Not reported: code that runs once while the service starts or stops (a lazy load behind its own flag, a function that builds or starts the application before the call, NestJS lifecycle hooks such as \`onModuleInit\`, \`connect\`/\`init\`/\`setup\`/\`bootstrap\`/\`migrate…\` methods) and routes only end-to-end tests use (a \`/_e2e/…\` or \`/_test/…\` path, or registered inside an \`if\` on development or test mode). A function that builds the server anywhere in its body is start-up too (the TLS key and certificate read to create it), and so is an \`init…()\`/\`initialize…()\`/\`bootstrap…()\` that takes no parameters. Not worth a finding either: one metadata syscall (\`existsSync\`, \`statSync\`, \`lstatSync\`, \`accessSync\`, \`unlinkSync\` of a temporary upload) and \`readFileSync\` of a file the program ships (a path built only from \`__dirname\`, \`process.cwd()\`, \`import.meta\` or a path constant and literal text, directly or through a variable set that way, such as a mail template). Reading a user's file, listing a folder, copying, writing, removing a tree and running a program stay reported.

## Why it hurts in production
Node and asyncio run all requests on one thread. A blocking call stops every other request until it returns, so one slow disk read or subprocess shows up as latency spikes across the whole service.

## How to fix
Use the async forms: \`fs.promises.*\`, \`execFile\`/\`spawn\` awaited; \`await asyncio.sleep()\`, \`httpx.AsyncClient\`/aiohttp, or \`await asyncio.to_thread(...)\` for unavoidable blocking work.
`,
  },
  {
    id: 'jwt-verification-disabled',
    category: 'security',
    subject: /\bjwt\b|token|signature|verif|algorithm/i,
    defaultSeverity: 'high',
    confidence: 0.9,
    languages: ['js', 'python'],
    roles: OWN_CODE_ROLES,
    title: 'JWT trusted without verifying its signature',
    shortDescription: 'jwt.decode used for authorisation, algorithms none, verify_signature False.',
    helpText: `# jwt-verification-disabled: JWT trusted without verifying its signature

**Category:** security · **Default severity:** high · **Languages:** TypeScript/JavaScript, Python

## What it finds
- JS/TS: a \`jwt.decode(…)\` result used for authorisation (assigned to \`req.user\`, or its role/sub/permissions/scope read) in a function that never calls \`jwt.verify\`; jwt-simple's \`decode(token, key, noVerify)\` with a truthy third argument (written or held by a variable); \`algorithms\` listing \`'none'\` (written or held by a variable); \`sign(…, { algorithm: 'none' })\`.
- Python: \`jwt.decode(…, options={"verify_signature": False})\`, \`verify=False\`, or \`algorithms=["none"]\`.

## Why it hurts in production
A JWT is only base64: anyone can write one with \`"role": "admin"\`. Without signature verification, every claim is attacker-controlled and authentication is bypassed.

## How to fix
Verify with the key and an explicit algorithm list: \`jwt.verify(token, key, { algorithms: ['RS256'] })\`, \`jwt.decode(token, key, algorithms=["RS256"])\`. Also check \`exp\`, \`aud\` and \`iss\`.
`,
  },
  {
    id: 'cors-wildcard-credentials',
    category: 'security',
    subject: /\bcors\b|origin|credential/i,
    defaultSeverity: 'medium',
    confidence: 1,
    languages: ['js', 'python', 'go'],
    roles: OWN_CODE_ROLES,
    title: 'CORS allows any origin with credentials',
    shortDescription: "origin '*' (or true) together with credentials: true.",
    helpText: `# cors-wildcard-credentials: CORS allows any origin with credentials

**Category:** security · **Default severity:** medium · **Languages:** TypeScript/JavaScript, Python, Go

## What it finds
- JS/TS: CORS options with \`origin: '*'\` or \`origin: true\` and \`credentials: true\`; setting both \`Access-Control-Allow-Origin: *\` and \`Access-Control-Allow-Credentials: true\` in one function.
- Python: \`allow_origins=["*"]\` with \`allow_credentials=True\` (and flask-cors \`origins="*"\` with \`supports_credentials=True\`).
- Go: both headers set in one function, or CORS options with a \`"*"\` origin (or \`AllowAllOrigins\`) and \`AllowCredentials: true\`.

## Why it hurts in production
\`origin: true\` reflects whatever origin asks, and many servers turn \`*\` into the same thing. With credentials allowed, any web page a logged-in user visits can call your API with their cookies and read the answers.

## How to fix
List the allowed origins explicitly (or check against an allow-list and echo the match with \`Vary: Origin\`) whenever credentials are on.
`,
  },
  {
    id: 'explicit-any',
    category: 'maintainability',
    subject: /\bany\b|untyped|type safety|\btyped?\b|interface\{\}/i,
    defaultSeverity: 'low',
    confidence: 1,
    languages: ['js', 'go'],
    roles: OWN_CODE_ROLES,
    modes: ['backendpe'],
    title: 'Type checking turned off with any / interface{}',
    shortDescription: 'TypeScript any, Go interface{} in signatures (BackendPE mode only).',
    helpText: `# explicit-any: type checking turned off with any / interface{}

**Category:** maintainability · **Default severity:** low · **Languages:** TypeScript, Go · **Mode:** BackendPE only

## What it finds
TypeScript \`: any\`, \`as any\`, \`<any>\`, \`any[]\` (and any other use of the \`any\` type); Go \`interface{}\` in a function signature.

## Why it hurts in production
\`any\` silences the compiler for the value and everything it flows into, so the mistakes it would catch (a renamed field, a missing null check, a wrong payload shape) reach production instead. At service boundaries it hides exactly the data you least control.

## How to fix
Use the real type, \`unknown\` with a narrowing check or a schema (zod) at the boundary, or a generic; in Go a concrete type, a small interface, or a type parameter.
`,
  },
];

export function ruleMeta(id: string): OfflineRuleMeta | undefined {
  return OFFLINE_RULES.find((rule) => rule.id === id);
}

/** Stable link for a rule's explanation page (the extension maps it to a URI). */
export function ruleHelpUri(id: string): string {
  return `docs/rules/${id}.md`;
}
