import type { Node } from '@vscode/tree-sitter-wasm';
import {
  CONFIGURED_KINDS,
  comparedSecretLiterals,
  climb,
  closingBracket,
  contains,
  descendants,
  explainsOnItsOwnLine,
  field,
  isReportableKeyLiteral,
  isReportableNamedSecret,
  isLabelWord,
  namesLabelTable,
  namesTenancyContainer,
  underTlsOptIn,
  reportBrowserTlsOff,
  BROWSER_TLS_OFF_SWITCH,
  isSecretName,
  knownSecretLiterals,
  lastStartingBy,
  looksLikeSql,
  groupedBy,
  matchesInRegion,
  named,
  nodesAtMatches,
  isFakeDataModule,
  reportPerLoop,
  type CallInLoop,
  randomBuildsSecret,
  secretNamedStrings,
  stringWithParentAt,
  textMatchOncePerCheck,
  unquote,
} from '../syntax';
import type { CheckInput, RuleChecker, TextEdit } from '../types';
import type { Callee, JsCall, LoopBody } from './jsSyntax';
import { growthOrigin, loopCollection, throughTransaction, type QueryTest } from './jsOrigins';
import {
  args,
  bindingName,
  callee,
  callSpan,
  firstArg,
  enclosingFunction,
  jsCalls,
  loopKind,
  functionName,
  sameFileFunction,
  declaresFunction,
  enclosingLoop,
  functionStartingIn,
  enclosingFunctionSpan,
  inPaginationLoop,
  isAsyncFunction,
  JS_FUNCTIONS,
  JS_LOOPS,
  objectProps,
  resolvedStringBuild,
  splicesValue,
  unwrap,
  unwrapTyped,
  valueAssigned,
  isNameCharacter,
} from './jsSyntax';

const FETCH_TIMEOUT = 'signal: AbortSignal.timeout(10_000)';
const AXIOS_TIMEOUT = 'timeout: 10_000';

/** Edit that adds `property` to an options object literal, or adds an options argument after `afterArg`. */
function addOptionEdit(
  input: CheckInput,
  options: Node | undefined,
  afterArg: Node | undefined,
  property: string,
): TextEdit | undefined {
  if (options) {
    if (options.type !== 'object') return undefined;
    if (named(options).length === 0)
      return { start: options.startIndex, end: options.endIndex, newText: `{ ${property} }` };
    const brace = options.startIndex + 1;
    return { start: brace, end: brace, newText: ` ${property},` + (/\s/.test(input.text[brace] ?? '') ? '' : ' ') };
  }
  if (!afterArg) return undefined;
  return { start: afterArg.endIndex, end: afterArg.endIndex, newText: `, { ${property} }` };
}

const AXIOS_CONFIG_POSITION: Record<string, number> = {
  get: 1,
  delete: 1,
  head: 1,
  options: 1,
  post: 2,
  put: 2,
  patch: 2,
  request: 0,
};

/** Packages whose `fetch` is the standard one (or node-fetch's, which also takes `timeout`). */
const FETCH_PACKAGES =
  /^(?:node-fetch|cross-fetch|isomorphic-fetch|isomorphic-unfetch|undici|node-fetch-native|@whatwg-node\/fetch)$/;
/** `import fetch from 'm'`, `import fetch, { … } from 'm'`, `import { fetch } from 'm'`, `const fetch = require('m')`. */
const FETCH_IMPORT =
  /\bimport\s+(?:fetch\b[^;'"]*?|\{[^}]*\bfetch\b(?!\s+as\b)[^}]*\})\s*from\s*['"]([^'"]+)['"]|\b(?:const|let|var)\s+(?:fetch|\{[^}]*\bfetch\b[^}]*\})\s*=\s*(?:await\s+import|require)\(\s*['"]([^'"]+)['"]\s*\)/;

/**
 * Where the file's `fetch` comes from: the global one, a known fetch package (node-fetch also
 * honours a `timeout` option), or a module of the project or another library, whose wrapper may
 * set a timeout we cannot see (`import fetch from "@server/utils/fetch"`).
 */
function fetchSource(text: string): 'global' | 'node-fetch' | 'package' | 'wrapper' {
  const match = FETCH_IMPORT.exec(text);
  if (!match) return 'global';
  const module = match[1] ?? match[2];
  if (module === 'node-fetch') return 'node-fetch';
  return FETCH_PACKAGES.test(module) ? 'package' : 'wrapper';
}

/** `import { HttpService } from '@nestjs/axios'` (or the older `@nestjs/common`). */
const NEST_HTTP_SERVICE_IMPORT = /\bimport\s*\{[^}]*\bHttpService\b[^}]*\}\s*from\s*['"]@nestjs\/(?:axios|common)['"]/;
/** A field or constructor parameter typed HttpService: `private readonly http: HttpService`. */
const HTTP_SERVICE_FIELD = /\b([A-Za-z_$][\w$]*)\s*:\s*HttpService\b/g;
/** The client's defaults set in the file (`this.http.axiosRef.defaults.timeout = 5000`): its requests have one. */
const AXIOS_DEFAULT_TIMEOUT = /\.defaults\.timeout\s*=/;
/** `this.http.get(`, `this.http.axiosRef.post(`: the field's name. */
const THIS_HTTP_CLIENT = /^this\.([A-Za-z_$][\w$]*)(?:\.axiosRef)?$/;

/**
 * The fields of a NestJS class that hold `HttpService` when the module beside the file imports
 * HttpModule as it is (ReviewUnit.facts): axios with its defaults, no timeout. Empty otherwise (the
 * module registers options, or no module was seen: a timeout may be set where this file cannot see).
 */
function nestHttpFields(input: CheckInput): Set<string> {
  const fields = new Set<string>();
  if (input.facts?.nestHttpModule !== 'default' || !NEST_HTTP_SERVICE_IMPORT.test(input.text)) return fields;
  if (AXIOS_DEFAULT_TIMEOUT.test(input.text)) return fields;
  for (const match of input.text.matchAll(HTTP_SERVICE_FIELD)) fields.add(match[1]);
  return fields;
}

/**
 * Client packages with no default timeout whose requests are read like the `request` family's: the
 * package's name called with a URL or options (`got(url, opts)`, `needle('get', url, opts)`), or one
 * of its verbs (`got.post(url, { json })`, `needle.get(url, opts, cb)`); a timeout is one of `keys` in
 * an options object. Session 15's survey (docs/offline.md): got 11–14 ("by default, there is no
 * timeout"; `timeout: { request: ms }`, a number in got 11), ofetch (`timeout` ms, none by default),
 * needle (10 s to connect, then `response_timeout`/`read_timeout` 0: no limit), phin (`timeout`), and
 * superagent, whose requests take a timeout as a call in their chain (`.timeout(ms)`). ky (10 s),
 * undici's own `request` and `Pool`/`Agent` (300 s headers and body) have a finite default.
 */
interface ClientPackage {
  module: RegExp;
  label: string;
  keys: readonly string[];
  /** A timeout set by a call in the request's chain (superagent's `.timeout(ms)`), not an option. */
  chained?: string;
  /** The method that makes an instance with defaults (`got.extend(options)`, `ofetch.create(options)`). */
  instance?: string;
  fix: string;
}
const CLIENT_PACKAGES: readonly ClientPackage[] = [
  {
    module: /^(?:request|request-promise(?:-native|-any)?)$/,
    label: 'the request library',
    keys: ['timeout'],
    fix: 'Set `timeout` (milliseconds) in the request options, or make one client with `request.defaults({ timeout })`; the library is deprecated: `fetch` with `AbortSignal.timeout(ms)` replaces it.',
  },
  {
    module: /^got$/,
    label: 'got',
    keys: ['timeout', 'signal'],
    instance: 'extend',
    fix: 'Set `timeout: { request: 10_000 }` in the options (a number in got 11), or make one client with `got.extend({ timeout: { request: 10_000 } })`.',
  },
  {
    module: /^ofetch$/,
    label: 'ofetch',
    keys: ['timeout', 'signal'],
    instance: 'create',
    fix: 'Set `timeout` (milliseconds) in the options, or make one client with `ofetch.create({ timeout })`.',
  },
  {
    module: /^needle$/,
    label: 'needle (10 s to connect, then no limit)',
    keys: ['response_timeout', 'read_timeout'],
    fix: 'Set `response_timeout` (and `read_timeout`) in the options, or once with `needle.defaults({ response_timeout })`.',
  },
  {
    module: /^phin$/,
    label: 'phin',
    keys: ['timeout'],
    fix: 'Set `timeout` (milliseconds) in the options, or make one client with `phin.defaults({ timeout })`.',
  },
  {
    module: /^superagent$/,
    label: 'superagent',
    keys: [],
    chained: 'timeout',
    fix: 'Add `.timeout({ response: 5_000, deadline: 30_000 })` to the request.',
  },
];

/**
 * The names the client packages are bound to in the file (`const request = require('request')`,
 * `import rp from 'request-promise'`, `import got from 'got'`, `import { got } from 'got'`, `import { ofetch } from 'ofetch'`).
 * A package whose name the file also gives defaults (`request.defaults(…)`, `got.extend(…)`,
 * `ofetch.create(…)`) is left out: its instances' options are not followed; for the request family any
 * `.defaults(` in the file, as before.
 */
const PACKAGE_BINDING =
  /\b(?:(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*['"]([\w@/.-]+)['"]\s*\)|import\s+(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)\s+from\s*['"]([\w@/.-]+)['"]|import\s*\{([^}]*)\}\s*from\s*['"](ofetch|got)['"])/g;
function requestClients(text: string): Map<string, ClientPackage> {
  const names = new Map<string, ClientPackage>();
  if (!/\b(?:request|got|ofetch|needle|phin|superagent)\b/.test(text)) return names;
  const add = (name: string, module: string): void => {
    const known = CLIENT_PACKAGES.find((entry) => entry.module.test(module));
    if (!known) return;
    if (known === CLIENT_PACKAGES[0] && /\.defaults\s*\(/.test(text)) return;
    // `needle.defaults({ response_timeout })`, `phin.defaults({ timeout })`: every request of the module's.
    if (
      known.instance === undefined &&
      new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}\\s*\\.\\s*defaults\\s*\\(`).test(text)
    )
      return;
    names.set(name, known);
  };
  for (const match of text.matchAll(PACKAGE_BINDING)) {
    if (match[5] !== undefined) {
      // `import { ofetch, $fetch as get } from 'ofetch'`, `import { got, HTTPError } from 'got'` (got 12+).
      const exported = match[6] === 'got' ? ['got'] : ['ofetch', '$fetch'];
      for (const piece of match[5].split(',')) {
        const [name, alias] = piece.trim().split(/\s+as\s+/);
        if (exported.includes(name)) add(alias ?? name, match[6]);
      }
    } else add(match[1] ?? match[3], match[2] ?? match[4]);
  }
  return names;
}
/**
 * The names ky is bound to (`import ky from 'ky'`, `require('ky')`): a client with a 10 s default
 * timeout, reported only where an options object turns it off (`timeout: false`), for a request
 * (`ky.get(url, { timeout: false })`) or an instance (`ky.create({ timeout: false })`, `.extend`).
 */
function kyClients(text: string): Set<string> {
  const names = new Set<string>();
  if (!/\bky\b/.test(text) || !/\btimeout\s*:\s*false\b/.test(text)) return names;
  for (const match of text.matchAll(PACKAGE_BINDING))
    if (/^ky(?:-universal)?$/.test(match[2] ?? match[4] ?? '')) names.add(match[1] ?? match[3]);
  return names;
}

/** `superagent.get(url).set(…).timeout(5000)`: whether a call in the chain that starts with `call` is `.name(…)`. */
function chainCalls(call: Node, name: string): boolean {
  let node: Node = call;
  for (let depth = 0; depth < 12; depth += 1) {
    const member = node.parent;
    if (member?.type !== 'member_expression' || field(member, 'object')?.id !== node.id) return false;
    const next = member.parent;
    if (next?.type !== 'call_expression') return false;
    if (field(member, 'property')?.text === name) return true;
    node = next;
  }
  return false;
}

/**
 * A URL, not options: text (`'https://…'`, `` `${host}/status` ``) or a name that says URL
 * (`url`, `this.endpoint`, `imageSrc`); a name that says nothing (`config`) may be options.
 */
function isUrlArgument(arg: Node | null | undefined): boolean {
  if (!arg) return false;
  if (arg.type === 'string' || arg.type === 'template_string') return true;
  if (arg.type !== 'identifier' && arg.type !== 'member_expression') return false;
  return /(?:url|uri|href|link|endpoint|address|src)$/i.test(arg.text);
}

/**
 * A `fetch` of a path without a host: text opening with one `/` (`'/api/x'`, `` `/api/${id}` ``, not
 * `'//host/x'`), or a helper named for a path given one (`formatPath('/api/files')`). The standard
 * `fetch` outside a browser rejects it (there is no page to resolve it against): the module runs in a
 * browser. Read from the text.
 */
const SITE_PATH_FETCH = /\bfetch\s*\(\s*(?:[\w$.]*(?:\bp|P)ath\s*\(\s*)?['"`]\/(?![/\\])/;

/**
 * Whether a `fetch` of the module (not in a comment or string) is given a site path: the module runs
 * in a browser, with all its requests.
 */
function hasSitePathFetch(input: CheckInput): boolean {
  // A `fetch` the framework hands a server-side loader (SvelteKit's `load({ fetch })`, an action's
  // `event.fetch`) resolves site paths on the server: its module is no browser's.
  if (FRAMEWORK_FETCH.test(input.text)) return false;
  return jsCalls(input).some(
    ({ target }) =>
      (target.text === 'fetch' || target.text === 'window.fetch' || target.text === 'globalThis.fetch') &&
      SITE_PATH_FETCH.test(input.text.slice(target.nameRange.startIndex, target.nameRange.endIndex + 300)),
  );
}

/** An argument list that opens with a site path: `('/api/x'`, `` (`/api/${id}` ``, `(formatPath('/api/x')`. */
const SITE_PATH_OPENING = /^\s*\(\s*(?:[\w$.]*(?:\bp|P)ath\s*\(\s*)?['"`]\/(?![/\\])/;

/** `fetch` taken from a parameter (`async ({ fetch, params }) =>`) or from a request event (`event.fetch(`). */
const FRAMEWORK_FETCH = /\(\s*\{[^{}()]*(?<![\w$.])fetch\b[^{}()]*\}|\bevent\.fetch\s*\(/;

/** `fetchOptions.signal = …`, `fetchOptions['signal'] = …`, `Object.assign(fetchOptions, …)`: set after it was made. */
const OPTIONS_COMPLETED = (name: string): RegExp =>
  new RegExp(
    String.raw`(?<![\w$.])${name.replace(/\$/g, '\\$')}\s*(?:\.\s*signal|\[\s*['"]signal['"]\s*\])\s*=|\bObject\.assign\(\s*${name.replace(/\$/g, '\\$')}\b`,
  );

/**
 * The object literal a variable passed as fetch options was given in the function
 * (`const fetchOptions: RequestInit = { method, headers }`), when nothing sets a signal on it later;
 * undefined otherwise.
 */
function optionsGiven(input: CheckInput, name: Node, call: Node): Node | undefined {
  // Read from the text first: `name = {` or `name: RequestInit = {` in the function before the call.
  const fn = enclosingFunctionSpan(input, call.startIndex, call.endIndex);
  const escaped = name.text.replace(/\$/g, '\\$');
  const before = input.text.slice(fn ? fn.start : 0, call.startIndex);
  if (!new RegExp(String.raw`(?<![\w$.])${escaped}\s*(?::[^=;]*)?=\s*\{`).test(before)) return undefined;
  const value = unwrap(valueAssigned(input, name));
  if (value?.type !== 'object') return undefined;
  const between = input.text.slice(value.endIndex, name.startIndex);
  return OPTIONS_COMPLETED(name.text).test(between) ? undefined : value;
}

/** The app's own public address: `NEXT_PUBLIC_WEBAPP_URL()`, `process.env.APP_URL`, `siteUrl`, `PUBLIC_URL`. */
const OWN_BASE_URL = /(?:web_?app|app|site|frontend|self|public)_?(?:base_?)?url\b/i;
/**
 * The names frameworks and apps give the deployment's own canonical address, and nothing else:
 * `process.env.NEXTAUTH_URL` (NextAuth's), `NEXT_PUBLIC_BASE_URL`, `NEXT_PUBLIC_APP_URL`,
 * `NEXT_PRIVATE_INTERNAL_WEBAPP_URL()`, `VERCEL_URL`, `SITE_URL`, `getAppUrl()`. Narrower than
 * OWN_BASE_URL: a vendor's `OPENAI_BASE_URL`, a bucket's `R2_PUBLIC_URL` or a `FRONTEND_URL` of another
 * service is someone else's server.
 */
const OWN_DEPLOYMENT_URL =
  /^(?:(?:process\??\.env|import\.meta\.env|env)\??\.)?(?:NEXT_PUBLIC_BASE_URL|(?:NEXT_PUBLIC_|NEXT_PRIVATE_|PUBLIC_|VITE_)?(?:INTERNAL_)?(?:WEB_?APP|APP|SITE|NEXTAUTH|VERCEL|SELF)(?:_BASE)?_URL)(?:\(\))?$|^get(?:App|Site|Web[Aa]pp)Url\(\)$/;
/** A URL that opens with an address and a path: `` `${base}/api/x` ``, also inside `new URL(…)`. Group 1: the address. */
const ADDRESS_AND_PATH = /^\s*\(\s*(?:new\s+URL\s*\(\s*)?`\$\{([^`{}]*(?:\([^`{}()]*\))?)\}\//;
/**
 * A URL that opens with an address and ends with a file the app serves as it is (fonts, images,
 * style sheets): `` `${base}/fonts/inter.ttf` ``, also inside `new URL(…)`. Group 1: the address.
 */
const STATIC_ASSET_URL =
  /^\s*\(\s*(?:new\s+URL\s*\(\s*)?`\$\{([^`{}]*(?:\([^`{}()]*\))?)\}\/[^`$]*\.(?:ttf|otf|woff2?|eot|png|jpe?g|gif|svg|webp|ico|css)(?:[?#][^`$]*)?`/i;

/**
 * Whether a request goes to the deployment it is made from: any path under the app's canonical
 * address (`` fetch(`${process.env.NEXTAUTH_URL}/api/revalidate`) ``, a job runner calling the app's
 * own endpoint), or one of its static files under any address named for the app
 * (`` `${NEXT_PUBLIC_WEBAPP_URL()}/fonts/inter.ttf` ``), directly or through a name given that address.
 * The app answers such a request itself, under its own platform's time limits; held-out labels
 * judged them low value (round 6: 8 self-fetched fonts; round 8: 25 self-calls, none wanted).
 */
function isOwnDeploymentRequest(input: CheckInput, call: Node, opening: string): boolean {
  const address = ADDRESS_AND_PATH.exec(opening);
  if (!address) return false;
  const staticAsset = STATIC_ASSET_URL.test(opening);
  const isOwn = (text: string): boolean =>
    // `process.env.NEXTAUTH_URL ?? 'http://localhost:3000'`: the name before its local default.
    OWN_DEPLOYMENT_URL.test(text.replace(/\s+/g, '').replace(/(?:\|\||\?\?).*$/, '')) ||
    (staticAsset && OWN_BASE_URL.test(text));
  const host = address[1].trim();
  if (isOwn(host)) return true;
  if (!/^[A-Za-z_$][\w$]*$/.test(host)) return false;
  // `const baseUrl = NEXT_PUBLIC_WEBAPP_URL()`: the value the name was given.
  const template = descendants(call, 'template_substitution')[0];
  const name = unwrap(template?.namedChildren[0] ?? null);
  if (name?.type !== 'identifier' || name.text !== host) return false;
  const value = unwrap(valueAssigned(input, name));
  return !!value && isOwn(value.text);
}

/**
 * `fetch(new URL('../assets/Inter-Bold.ttf', import.meta.url))`: a file of the module's own package,
 * resolved against the module's location (the bundler ships it beside the code; an edge function
 * reads it from the deployment), not a remote service.
 */
const MODULE_RELATIVE_FILE =
  /^\s*\(\s*new\s+URL\s*\(\s*(['"`])(?![a-z][\w+.-]*:|\/\/)[^'"`$]*\1\s*,\s*import\.meta\.url\s*\)/i;

/** A promise that resolves after a delay: `new Promise((r) => setTimeout(r, 150))`, `sleep(150)`, `delay(ms)`. */
const TIMER_PROMISE =
  /^new\s+Promise\s*\([^]*\bsetTimeout\s*\(|^(?:[\w$.]*\.)?(?:sleep|delay|wait|setTimeout|timeout)\s*\(/;

/**
 * A request that is one entry of `Promise.race([…])` beside a timer (through `.then`/`.catch`): the
 * caller goes on when the timer fires, the request is left to finish or fail on its own.
 */
function racedAgainstTimer(call: Node): boolean {
  let entry = call;
  // `fetch(…).catch(() => null)`: the chain the list holds.
  for (
    let parent = entry.parent;
    parent && (parent.type === 'member_expression' || parent.type === 'call_expression');
    parent = parent.parent
  ) {
    if (parent.type === 'call_expression' && field(parent, 'function')?.id !== entry.id) break;
    entry = parent;
  }
  while (entry.parent?.type === 'await_expression' || entry.parent?.type === 'parenthesized_expression')
    entry = entry.parent;
  const list = entry.parent;
  if (list?.type !== 'array') return false;
  const race = list.parent?.type === 'arguments' ? list.parent.parent : null;
  if (race?.type !== 'call_expression' || !/^Promise\.race$/.test(callee(race)?.text ?? '')) return false;
  return named(list).some((other) => other.id !== entry.id && TIMER_PROMISE.test(other.text));
}

/** The request family's verbs: `request.get(url)`, `rp.post({ uri, json })`. */
const REQUEST_VERBS = new Set(['get', 'post', 'put', 'patch', 'del', 'delete', 'head']);

/** `import { google } from 'googleapis'`, `const { google } = require('googleapis')`. */
const GOOGLEAPIS_IMPORT =
  /\bimport\s*\{[^}]*\bgoogle\b(?!\s+as\b)[^}]*\}\s*from\s*['"]googleapis['"]|\b(?:const|let|var)\s*\{[^}]*\bgoogle\b[^}]*\}\s*=\s*require\(\s*['"]googleapis['"]\s*\)/;
/** `google.sheets`, `google.calendar`, `google.drive`: a constructor of one API's client (not `google.auth`, `google.options`). */
const GOOGLE_API_CLIENT = /^(?!(?:auth|options|discover|discoverAPI|getSupportedAPIs)$)[a-z][A-Za-z0-9]*$/;

/**
 * Whether the file makes googleapis clients that send without a timeout: gaxios has no default one,
 * so a client gets one only from `timeout` in its options, in a call's options, or from
 * `google.options({ timeout })`. A file that sets a `timeout` key anywhere or sets global options may
 * give it where this reading does not follow: none then.
 */
function googleClientsWithoutTimeout(text: string): boolean {
  return (
    GOOGLEAPIS_IMPORT.test(text) &&
    !/[{,]\s*timeout\s*[:,}]|\.timeout\s*=/.test(text) &&
    !/\bgoogle\s*\.\s*options\s*\(/.test(text)
  );
}

/** `import { WebClient } from '@slack/web-api'`, `const { WebClient } = require('@slack/web-api')`. */
const SLACK_WEB_API_IMPORT =
  /\bimport\s*\{[^}]*\bWebClient\b(?!\s+as\b)[^}]*\}\s*from\s*['"]@slack\/web-api['"]|\b(?:const|let|var)\s*\{[^}]*\bWebClient\b[^}]*\}\s*=\s*require\(\s*['"]@slack\/web-api['"]\s*\)/;
const NEW_SLACK_CLIENT = /\bnew\s+WebClient\s*\(/g;
const NEW_EXPRESSION: ReadonlySet<string> = new Set(['new_expression']);

/**
 * `new WebClient(token)` of @slack/web-api without `timeout` in its options: the client's default is
 * `timeout: 0` (none) and its default retry policy tries again for about thirty minutes, so one
 * stalled request holds the caller that long. Options built elsewhere (a variable, a spread) are not read.
 */
function reportSlackClients(input: CheckInput): void {
  if (!input.text.includes('@slack/web-api') || !SLACK_WEB_API_IMPORT.test(input.text)) return;
  for (const client of nodesAtMatches(input, NEW_SLACK_CLIENT, NEW_EXPRESSION, 2)) {
    const list = named(field(client, 'arguments'));
    const options = list[1] ? unwrap(list[1]) : undefined;
    if (options && options.type !== 'object') continue;
    if (options) {
      const { props, hasSpread } = objectProps(options);
      if (hasSpread || props.has('timeout')) continue;
    }
    input.report(
      client,
      'http-no-timeout',
      '`new WebClient(…)` has no timeout: @slack/web-api defaults to `timeout: 0` (none) and retries a failed call for about thirty minutes.',
      'Pass `timeout` (milliseconds) in the client options (`new WebClient(token, { timeout: 10_000 })`), and a `retryConfig` that fits the caller.',
      options
        ? addOptionEdit(input, options, undefined, AXIOS_TIMEOUT)
        : list[0] && list.length === 1
          ? addOptionEdit(input, undefined, list[0], AXIOS_TIMEOUT)
          : undefined,
    );
  }
}

/** The AI SDK's calls that send a prompt to a model: `generateText`, `streamText`, `generateObject`, `streamObject`. */
const AI_SDK_CALL = /^(?:generateText|streamText|generateObject|streamObject)$/;
/** Which of those the file imports from the AI SDK (`import { generateText } from 'ai'`), by name. */
function aiSdkCalls(text: string): Set<string> {
  const names = new Set<string>();
  if (!/['"]ai['"]/.test(text)) return names;
  for (const match of text.matchAll(/\bimport\s*\{([^}]*)\}\s*from\s*['"]ai['"]/g))
    for (const name of match[1].split(',').map((part) => part.trim())) if (AI_SDK_CALL.test(name)) names.add(name);
  return names;
}

/**
 * A provider made in this file with its own `fetch` (`createOpenAI({ fetch: timedFetch })`): its
 * requests may carry a deadline the call does not show.
 */
const PROVIDER_WITH_FETCH = /\bcreate[A-Z]\w*\s*\(\s*\{[^()]*?\bfetch\s*[:,}]/;

/** A parameter's name: `options`, `options: RequestInit = {}`, `init?: RequestInit`. */
function parameterName(param: Node): string {
  return (field(param, 'pattern') ?? field(param, 'left') ?? param).text.replace(/[:?=][\s\S]*$/, '').trim();
}

/**
 * A `fetch` whose options spread what the function around it was given (`fetch(url, { ...options,
 * dispatcher })` in `async fetch(url, options: RequestInit = {})`): a wrapper, and its requests have a
 * timeout only when its callers pass a `signal`. Returns the wrapper and which of its parameters the
 * options come from when every spread is one of its parameters; undefined otherwise (options built
 * elsewhere: `...defaults`, `...this.options`).
 */
function wrapperOptions(input: CheckInput, call: Node, options: Node): { fn: Node; index: number } | undefined {
  if (!mayBeWrapper(input, call, options)) return undefined;
  const spreads = named(options).filter((child) => child.type === 'spread_element');
  const fn = enclosingFunction(input, call);
  if (!fn || spreads.length === 0) return undefined;
  const names = named(field(fn, 'parameters')).map(parameterName);
  let index: number | undefined;
  for (const spread of spreads) {
    const value = unwrap(spread.namedChildren[0] ?? null);
    const at = value?.type === 'identifier' ? names.indexOf(value.text) : -1;
    if (at < 0 || (index !== undefined && index !== at)) return undefined;
    index = at;
  }
  return index === undefined ? undefined : { fn, index };
}

/** `...name` in an object literal's text. */
const SPREAD_NAME = /\.\.\.\s*([A-Za-z_$][\w$]*)\s*[,}]/g;

/**
 * Read from the text before the tree (see wrapperOptions): whether the function around the call lists
 * the spread names among its parameters, and either one of them may be left out (`init?: RequestInit`,
 * `options = {}`) or the function's name is called elsewhere in the file.
 */
function mayBeWrapper(input: CheckInput, call: Node, options: Node): boolean {
  const span = enclosingFunctionSpan(input, call.startIndex, call.endIndex);
  if (!span) return false;
  const open = input.text.indexOf('(', span.start);
  if (open < 0 || open >= options.startIndex) return false;
  const close = closingBracket(input.text, open);
  if (close < 0 || close >= options.startIndex) return false;
  const parameters = input.text.slice(open + 1, close);
  const names = [...input.text.slice(options.startIndex, options.endIndex).matchAll(SPREAD_NAME)].map((m) => m[1]);
  if (names.length === 0) return false;
  let optional = false;
  for (const name of names) {
    const escaped = name.replace(/\$/g, '\\$');
    if (!new RegExp(String.raw`(?<![\w$.])${escaped}\s*(?:[?:=,]|$)`).test(parameters)) return false;
    if (new RegExp(String.raw`(?<![\w$.])${escaped}\s*(?:\?|:[^,]*?=(?!>)|=(?!>))`).test(parameters)) optional = true;
  }
  if (optional) return true;
  // `async request(`, `function request(`, `const request = async (`: the name before the parameters.
  const named = /([A-Za-z_$][\w$]*)\s*(?:<[^<>]*>)?\s*(?:=\s*(?:async\s*)?(?:function\s*\*?\s*)?)?$/.exec(
    input.text.slice(Math.max(0, span.start - 80), open),
  );
  if (!named || /^(?:async|function)$/.test(named[1])) return false;
  const calls = input.text.match(new RegExp(String.raw`(?<![\w$])${named[1].replace(/\$/g, '\\$')}\s*\(`, 'g'));
  return (calls?.length ?? 0) >= 2;
}

/**
 * Whether the wrapper's requests may all carry a signal its callers give: true when a caller in this
 * file gives its options an object with `signal` or a spread, or a value built elsewhere (not the
 * wrapper's own parameter handed on, as a retry does); and when nothing shows a request without one —
 * the options parameter may be left out (`options: RequestInit = {}`, `init?: RequestInit`) or a caller
 * here leaves it out or gives an object without `signal`. Callers by name: `this.name(…)` in its class
 * for a method, `name(…)` for a function.
 */
function callersMayPassSignal(input: CheckInput, fn: Node, index: number): boolean {
  const name = functionName(fn);
  if (!name) return true;
  const method = fn.type === 'method_definition';
  const parameter = named(field(fn, 'parameters'))[index];
  const own = parameterName(parameter);
  let withoutSignal =
    parameter.type === 'optional_parameter' || parameter.type === 'assignment_pattern' || !!field(parameter, 'value');
  // A method is called through `this` in its own class.
  const scope = method ? fn.parent : null;
  for (const { node, target } of jsCalls(input)) {
    if (target.name !== name || (method ? target.object !== 'this' : target.object !== undefined)) continue;
    if (scope && (node.startIndex < scope.startIndex || node.endIndex > scope.endIndex)) continue;
    const given = args(node)[index];
    if (!given) {
      withoutSignal = true;
      continue;
    }
    const value = unwrap(given);
    if (value?.type === 'object') {
      const { props, hasSpread } = objectProps(value);
      if (hasSpread || props.has('signal')) return true;
      withoutSignal = true;
      continue;
    }
    if (
      value?.type === 'identifier' &&
      value.text === own &&
      fn.startIndex <= node.startIndex &&
      node.endIndex <= fn.endIndex
    )
      continue;
    return true;
  }
  return !withoutSignal;
}

/** `this.client`, `client`: where an axios instance made by `axios.create(…)` is kept, from the node around the call. */
function instanceBinding(call: Node): string | undefined {
  const parent = call.parent;
  if (!parent) return undefined;
  if (parent.type === 'variable_declarator') return field(parent, 'name')?.text;
  if (parent.type === 'assignment_expression') return field(parent, 'left')?.text.replace(/\s+/g, '');
  if (parent.type === 'public_field_definition' || parent.type === 'field_definition') {
    const name = field(parent, 'name') ?? field(parent, 'property');
    return name ? `this.${name.text}` : undefined;
  }
  return undefined;
}

/** Whether an axios call's config (at the verb's position) sets `timeout` or `signal`, or cannot be read. */
function axiosConfigMayTime(call: Node, target: Callee, asFunction: boolean): boolean {
  const list = args(call);
  const position = asFunction ? (list.length > 1 ? 1 : 0) : AXIOS_CONFIG_POSITION[target.name];
  const config = list[position] ? unwrap(list[position]) : undefined;
  if (!config) return asFunction && list.length === 0;
  if (config.type !== 'object') return !(asFunction && position === 0 && isUrlArgument(config));
  const { props, hasSpread } = objectProps(config);
  return hasSpread || props.has('timeout') || props.has('signal');
}

/** A timeout set on an instance or in a request interceptor: `client.defaults.timeout = …`, `config.timeout = …`. */
const TIMEOUT_ASSIGNED = /\.\s*timeout\s*=(?!=)|\[\s*['"]timeout['"]\s*\]\s*=(?!=)/;

/**
 * `axios.create(config)` without `timeout`: every request of the instance waits as long as the server
 * lets it unless the request sets its own. Reported once, at the instance, where one `timeout` fixes
 * them all; its requests in this file without their own timeout are related locations. Not reported
 * when the config cannot be read (a variable, a spread), when the file sets a timeout by assignment
 * (defaults, an interceptor), or when every request the file makes on it sets one.
 */
function reportAxiosInstance(input: CheckInput, call: Node, target: Callee): void {
  // Read from the text first: most instances name a timeout in their config.
  const open = input.text.indexOf('(', target.nameRange.endIndex);
  const close = open < 0 ? -1 : closingBracket(input.text, open);
  if (close < 0 || /\btimeout\b|\.\.\./.test(input.text.slice(open, close))) return;
  const list = args(call);
  const config = list[0] ? unwrap(list[0]) : undefined;
  if (config && config.type !== 'object') return;
  if (config) {
    const { props, hasSpread } = objectProps(config);
    if (hasSpread || props.has('timeout') || props.has('signal')) return;
    // `baseURL: process.env.NEXTAUTH_URL`, `` `${NEXT_PUBLIC_BASE_URL}/api` ``: the app's own deployment.
    const base = props.get('baseURL')?.text.replace(/\s+/g, '');
    const address = base && (/^`\$\{([^`{}]*)\}/.exec(base)?.[1] ?? base);
    if (address && OWN_DEPLOYMENT_URL.test(address.replace(/(?:\|\||\?\?).*$/, ''))) return;
    // `baseURL: '/api'`: a path without a host, which only a browser resolves (as for `fetch('/api/x')`).
    if (base && /^['"`]\/(?![/\\])/.test(base)) return;
  }
  if (TIMEOUT_ASSIGNED.test(input.text)) return;
  const binding = instanceBinding(call);
  const related: Node[] = [];
  let requests = 0;
  if (binding)
    for (const { node, target } of jsCalls(input)) {
      const asFunction = target.text === binding;
      if (!asFunction && (target.object !== binding || !(target.name in AXIOS_CONFIG_POSITION))) continue;
      requests += 1;
      if (!axiosConfigMayTime(node, target, asFunction)) related.push(node);
    }
  if (requests > 0 && related.length === 0) return;
  const where =
    related.length > 0
      ? ` ${related.length} request${related.length === 1 ? '' : 's'} on it in this file set${related.length === 1 ? 's' : ''} none (related locations).`
      : '';
  input.report(
    call,
    'http-no-timeout',
    `\`axios.create\` makes a client with no timeout: each of its requests waits forever unless it sets its own.${where}`,
    'Set `timeout` (milliseconds) in the instance config: `axios.create({ timeout: 10_000, … })`.',
    config
      ? addOptionEdit(input, config, undefined, AXIOS_TIMEOUT)
      : list.length === 0
        ? (() => {
            const open = input.text.indexOf('(', (field(call, 'function') ?? call).endIndex);
            return open >= 0 && open < call.endIndex
              ? { start: open + 1, end: open + 1, newText: `{ ${AXIOS_TIMEOUT} }` }
              : undefined;
          })()
        : undefined,
    undefined,
    related,
  );
}

const httpNoTimeout: RuleChecker = (input) => {
  reportSlackClients(input);
  let aiCalls: Set<string> | undefined;
  let source: ReturnType<typeof fetchSource> | undefined;
  let googleClients: boolean | undefined;
  let nestFields: Set<string> | undefined;
  let requestNames: Map<string, ClientPackage> | undefined;
  let kyNames: Set<string> | undefined;
  let racing: boolean | undefined;
  let siteFetches: boolean | undefined;
  for (const { node: call, target } of jsCalls(input)) {
    if (target.name === 'create' && target.object === 'axios') {
      reportAxiosInstance(input, call, target);
      continue;
    }
    if (target.object === undefined && AI_SDK_CALL.test(target.name)) {
      // `generateText({ model, prompt })`: the AI SDK sets no deadline of its own; `abortSignal` or
      // `timeout` (AI SDK 6) give one. Options built elsewhere (a variable, a spread) are not read.
      if (!(aiCalls ??= aiSdkCalls(input.text)).has(target.name) || PROVIDER_WITH_FETCH.test(input.text)) continue;
      const options = unwrap(firstArg(call));
      if (options?.type !== 'object') continue;
      const { props, hasSpread } = objectProps(options);
      if (hasSpread || props.has('abortSignal') || props.has('timeout') || !props.has('model')) continue;
      input.report(
        call,
        'http-no-timeout',
        `\`${target.name}\` has no timeout: the AI SDK waits for the model provider as long as the server and the network let it, and retries twice.`,
        "Pass `abortSignal: AbortSignal.timeout(ms)` (or `timeout` in AI SDK 6), combined with the request's own signal when a client waits.",
        addOptionEdit(input, options, undefined, 'abortSignal: AbortSignal.timeout(60_000)'),
      );
      continue;
    }
    if (
      target.object === 'google' &&
      GOOGLE_API_CLIENT.test(target.name) &&
      (googleClients ??= googleClientsWithoutTimeout(input.text))
    ) {
      // `google.sheets({ version: 'v4', auth })`, `google.drive('v3')`: every call of the client it makes.
      const options = unwrap(firstArg(call));
      if (options?.type === 'object') {
        const { props, hasSpread } = objectProps(options);
        if (hasSpread || !props.has('version')) continue;
      } else if (options?.type !== 'string') continue;
      input.report(
        call,
        'http-no-timeout',
        `\`${target.text}\` makes a Google API client with no timeout: googleapis (gaxios) waits as long as the server and the network let it.`,
        'Set `timeout` (milliseconds) in the client options, per call, or once with `google.options({ timeout: 10_000 })`.',
        options.type === 'object' ? addOptionEdit(input, options, undefined, AXIOS_TIMEOUT) : undefined,
      );
      continue;
    }
    if ((kyNames ??= kyClients(input.text)).size > 0 && kyNames.has(target.object ?? target.text)) {
      // ky stops a request after 10 s unless an options object says `timeout: false`.
      const off = args(call)
        .map((arg) => unwrap(arg))
        .find((arg) => arg?.type === 'object' && objectProps(arg).props.get('timeout')?.text === 'false');
      if (off)
        input.report(
          call,
          'http-no-timeout',
          `\`${target.text}\` with \`timeout: false\` turns off ky's default timeout (10 s): a server that stops answering holds the request forever.`,
          'Give it a bound in milliseconds (`timeout: 30_000`), or pass `signal: AbortSignal.timeout(ms)` for a long request.',
        );
      continue;
    }
    // `got.extend({ prefixUrl, headers })`, `ofetch.create({ baseURL })` without a timeout: every request
    // of the instance waits as long as the server lets it (reported at the instance, as for axios.create).
    const instanceOf =
      target.object !== undefined && (target.name === 'extend' || target.name === 'create')
        ? (requestNames ??= requestClients(input.text)).get(target.object)
        : undefined;
    if (instanceOf?.instance === target.name) {
      const given = args(call).map((arg) => unwrap(arg));
      if (given.length === 0 || given.some((arg) => arg?.type !== 'object')) continue;
      const timed = given.some((object) => {
        const { props, hasSpread } = objectProps(object as Node);
        return hasSpread || instanceOf.keys.some((key) => props.has(key));
      });
      if (timed || TIMEOUT_ASSIGNED.test(input.text)) continue;
      input.report(
        call,
        'http-no-timeout',
        `\`${target.text}\` makes a client with no timeout: each of its requests waits as long as the server lets it unless it sets its own.`,
        instanceOf.fix,
        addOptionEdit(
          input,
          given[0] as Node,
          undefined,
          instanceOf.instance === 'extend' ? 'timeout: { request: 10_000 }' : AXIOS_TIMEOUT,
        ),
      );
      continue;
    }
    const requestPackage =
      target.object === undefined || REQUEST_VERBS.has(target.name)
        ? (requestNames ??= requestClients(input.text)).get(target.object ?? target.text)
        : undefined;
    if (requestPackage) {
      // `request(url)`, `got(url, options)`, `needle.post(url, data, options)`: a timeout in an options
      // object; options built elsewhere (a name, a spread) cannot be read.
      const list = args(call);
      if (list.length === 0) continue;
      const given = list.slice(0, 4).map((arg) => unwrap(arg));
      let options: Node | undefined;
      if (requestPackage.chained) {
        if (chainCalls(call, requestPackage.chained)) continue;
      } else {
        const objects = given.filter((arg): arg is Node => arg?.type === 'object');
        if (
          objects.some((object) => {
            const { props, hasSpread } = objectProps(object);
            return hasSpread || requestPackage.keys.some((key) => props.has(key));
          })
        )
          continue;
        options = objects[objects.length - 1];
        // `got(url, options)`: options passed by name.
        if (!options && given[1]?.type === 'identifier') continue;
      }
      const first = given[0];
      if (!options && !isUrlArgument(first) && !(first?.type === 'string' && given.length > 1)) continue;
      input.report(
        call,
        'http-no-timeout',
        `\`${target.text}\` has no timeout: ${requestPackage.label} waits as long as the server and the network let it.`,
        requestPackage.fix,
        options && requestPackage.keys[0] === 'timeout' && requestPackage === CLIENT_PACKAGES[0]
          ? addOptionEdit(input, options, undefined, AXIOS_TIMEOUT)
          : undefined,
      );
      continue;
    }
    const isFetch =
      (target.text === 'fetch' && (source ??= fetchSource(input.text)) !== 'wrapper') ||
      target.text === 'globalThis.fetch' ||
      target.text === 'window.fetch';
    const nestField =
      target.name in AXIOS_CONFIG_POSITION && target.object !== undefined
        ? THIS_HTTP_CLIENT.exec(target.object)?.[1]
        : undefined;
    const isNestCall = nestField !== undefined && (nestFields ??= nestHttpFields(input)).has(nestField);
    const isAxiosCall =
      target.text === 'axios' || (target.object === 'axios' && target.name in AXIOS_CONFIG_POSITION) || isNestCall;
    if (!isFetch && !isAxiosCall) continue;
    const list = args(call);
    if (isFetch) {
      if (list.length === 0) continue;
      const typed = list[1] ? unwrapTyped(list[1]) : null;
      let options = typed?.node;
      let optionsType = typed?.type;
      // `fetch(url, fetchOptions)`: the object literal the function gave that name.
      if (options && optionsType === 'identifier') {
        const given = optionsGiven(input, options, call);
        if (given) [options, optionsType] = [given, 'object'];
      }
      if (options && optionsType !== 'object') continue; // options built elsewhere: cannot tell
      let wrapper: { fn: Node; index: number } | undefined;
      if (options) {
        const { props, hasSpread } = objectProps(options);
        if (props.has('signal')) continue;
        if (target.text === 'fetch' && source === 'node-fetch' && props.has('timeout')) continue;
        // `fetch(url, { ...options, dispatcher })` in a wrapper given `options`: its callers decide.
        if (hasSpread) {
          wrapper = wrapperOptions(input, call, options);
          if (!wrapper || callersMayPassSignal(input, wrapper.fn, wrapper.index)) continue;
        }
      }
      // Read from the text first: what opens the argument list.
      const opening = input.text.slice(target.nameRange.endIndex, target.nameRange.endIndex + 300);
      // A path of the page's own site (`fetch('/api/files')`): no server resolves it, a browser does,
      // and the module's other requests run there too.
      if ((siteFetches ??= SITE_PATH_FETCH.test(input.text)) && hasSitePathFetch(input)) continue;
      // The site's own path through a framework's server-side fetch: answered inside the same server.
      if (SITE_PATH_OPENING.test(opening)) continue;
      // A request to the app's own deployment, a file shipped beside the module, and one the caller
      // waits for only until a timer fires (`Promise.race([fetch(…), sleep(150)])`).
      if (isOwnDeploymentRequest(input, call, opening) || MODULE_RELATIVE_FILE.test(opening)) continue;
      if ((racing ??= /\bPromise\s*\.\s*race\s*\(/.test(input.text)) && racedAgainstTimer(call)) continue;
      const wrapperName = wrapper && functionName(wrapper.fn);
      input.report(
        call,
        'http-no-timeout',
        wrapper
          ? `\`fetch\` has no timeout: \`${wrapperName}\` passes on its caller's options and no caller in this file gives it a \`signal\`, so every request through it waits as long as the server and the network let it.`
          : '`fetch` has no timeout: without an AbortSignal it waits as long as the server and the network let it.',
        wrapper
          ? "Give the wrapper a default: `signal: AbortSignal.timeout(ms)` before the spread, so a caller's own signal still wins."
          : 'Pass `signal: AbortSignal.timeout(ms)` in the options (combine with a caller signal via `AbortSignal.any`).',
        addOptionEdit(input, options ?? undefined, options ? undefined : list[0], FETCH_TIMEOUT),
      );
      continue;
    }
    const position = target.text === 'axios' ? 0 : AXIOS_CONFIG_POSITION[target.name];
    if (list.length === 0) continue;
    // `axios.post(`${process.env.NEXTAUTH_URL}/api/x`, body)`: the app's own deployment, as for fetch.
    if (
      position > 0 &&
      isOwnDeploymentRequest(input, call, input.text.slice(target.nameRange.endIndex, target.nameRange.endIndex + 300))
    )
      continue;
    const config = list[position] ? unwrap(list[position]) : undefined;
    if (config && config.type !== 'object') continue;
    if (config) {
      const { props, hasSpread } = objectProps(config);
      if (hasSpread || props.has('timeout') || props.has('signal')) continue;
    }
    const previous = list[position - 1];
    const edit = config
      ? addOptionEdit(input, config, undefined, AXIOS_TIMEOUT)
      : previous && list.length === position
        ? addOptionEdit(input, undefined, previous, AXIOS_TIMEOUT)
        : undefined;
    input.report(
      call,
      'http-no-timeout',
      isNestCall
        ? `\`${target.text}\` has no timeout: the module beside this file imports HttpModule without options, so its axios waits forever.`
        : `\`${target.text}\` has no timeout: axios waits forever by default.`,
      isNestCall
        ? 'Register the module with `HttpModule.register({ timeout: 10_000 })`, or set `timeout` in this request config.'
        : 'Set `timeout` in the request config, or create one instance with `axios.create({ timeout })` and use it everywhere.',
      edit,
    );
  }
};

/**
 * A block with no statement and no explanation. A comment of its own line saying why the error is
 * ignored (`// storage full or blocked: nothing to do`) records a decision, which is what the rule
 * asks for; a one-word `// ignore` or a note after the brace does not.
 */
function isEmptyBlock(input: CheckInput, block: Node | null): boolean {
  if (!block || block.type !== 'statement_block') return false;
  const children = block.namedChildren.filter((child): child is Node => child !== null);
  if (children.some((child) => child.type !== 'comment')) return false;
  return !children.some((comment) => explainsOnItsOwnLine(input.text, comment));
}

/**
 * A catch that says twice that it drops the error on purpose: its binding is named `_err` (the
 * linters' convention for "unused on purpose") and the block has a comment (`// ignore`).
 */
function ignoresOnPurpose(input: CheckInput, clause: Node, body: Node): boolean {
  // `catch (_err) {`: the binding read from the text between the keyword and the block.
  if (!/^catch\s*\(\s*_/.test(input.text.slice(clause.startIndex, body.startIndex))) return false;
  return body.namedChildren.some((child) => child?.type === 'comment');
}

/** Calls that add to a collection the try block is filling (`keys.push(key)`, `seen.add(id)`): part of computing a value. */
const ACCUMULATOR_METHODS = /^(?:push|unshift|add|set|append)$/;
/** Loggers: a log line inside the try is not the action whose failure matters. */
const LOGGER_OBJECT = /(?:^|\.)(?:console|_?logger|log|logging)$/i;
/** A read from a cache (`await this.redisCacheService.get(key)`, `cache.getItem(k)`): a miss or a failure falls through to the source. */
const CACHE_READ = /\b[\w$]*cache[\w$]*\s*\.\s*(?:get|mget|getItem|read|fetch|hget)\w*\s*[<(]/i;

/**
 * Whether the code at `start` begins a statement of its own: after `{`, `}`, `;`, the `)` of an
 * `if (…)`/`for (…)` head, an arrow's `=>`, `else` or `do`, with an optional `await`. Read from the
 * text just before it (no tree walk); `floor` bounds how far back it looks.
 */
/** A line without its trailing `// note`: the first `//` outside quotes (`} catch {} // the caller's own`). */
function withoutLineComment(line: string): string {
  let quote = '';
  for (let at = 0; at < line.length - 1; at += 1) {
    const char = line[at];
    if (quote !== '') {
      if (char === '\\') at += 1;
      else if (char === quote) quote = '';
    } else if (char === "'" || char === '"' || char === '`') quote = char;
    else if (char === '/' && line[at + 1] === '/') return line.slice(0, at);
  }
  return line;
}

function startsStatement(text: string, start: number, floor: number): boolean {
  const from = Math.max(floor, start - 200);
  const lines = text.slice(from, start).split('\n');
  // Comment lines and a trailing `// note` say nothing about where the statement starts.
  while (lines.length > 0 && /^\s*(?:\/\/.*|\/\*.*|\*.*|.*\*\/\s*)?$/.test(lines[lines.length - 1])) lines.pop();
  if (lines.length > 0) lines[lines.length - 1] = withoutLineComment(lines[lines.length - 1]);
  const before = lines
    .join('\n')
    .replace(/\s+$/, '')
    .replace(/(^|[^\w$.])await$/, '$1')
    .replace(/\s+$/, '');
  if (before === '') return from === floor;
  return /[{};)]$|=>$|(?:^|[^\w$.])(?:else|do)$/.test(before);
}

/** Index of the first call of the file's start-ordered list that starts at or after `offset`. */
function firstCallFrom(calls: readonly JsCall[], offset: number): number {
  let low = 0;
  let high = calls.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (calls[mid].node.startIndex < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Browser automation's best-effort steps (Playwright, Puppeteer): a wait (`page.waitForSelector(sel,
 * { timeout })`, `waitForLoadState`, `waitForNavigation`, `locator.waitFor()`, the project's own
 * `this.waitForContentSelector(page)`), whose failure only means "not there (yet)"; keyboard and
 * mouse input sent to a page; and code run inside the page (`page.evaluate(fn)`), whose effects stay
 * in the page. Dropping such a failure loses no data: the automation goes on with the page as it is.
 */
const BROWSER_WAIT = /^waitFor(?:[A-Z$_][\w$]*)?$/;
const PAGE_INPUT_OBJECT = /(?:^|\.)(?:keyboard|mouse|touchscreen)$/;
/** Methods whose function argument runs inside the page (browser code), not in this process. */
const PAGE_SCRIPT_METHODS = /^(?:evaluate|evaluateHandle|\$eval|\$\$eval|evaluateOnNewDocument|addInitScript)$/;
/** Promise combinators: an array of steps waited on together (`Promise.race([wait, timer])`). */
const PROMISE_COMBINATOR = /^Promise\.(?:race|all|allSettled|any)$/;

function isBrowserStep(target: Callee): boolean {
  if (BROWSER_WAIT.test(target.name)) return true;
  if (target.object === undefined) return target.name === 'setTimeout';
  return PAGE_INPUT_OBJECT.test(target.object) || PAGE_SCRIPT_METHODS.test(target.name);
}

/**
 * Whether the call at `index` of the file's calls is a best-effort browser step, directly or with
 * its rejection handled (`page.waitForLoadState('load', { timeout }).catch(() => {})`): the receiver
 * of a `.catch`/`.finally` is the next call of the list starting at the same place.
 */
function isBrowserStepAt(calls: readonly JsCall[], index: number): boolean {
  let at = index;
  while (calls[at].target.object !== undefined && /^(?:catch|finally)$/.test(calls[at].target.name)) {
    const receiver = calls[at + 1];
    if (!receiver || receiver.node.startIndex !== calls[at].node.startIndex) return false;
    at += 1;
  }
  return isBrowserStep(calls[at].target);
}

/** The spans of calls whose function argument runs in the page (`page.evaluate(() => …)`), in order. */
const pageScriptSpans = new WeakMap<CheckInput, Array<{ start: number; end: number }>>();
function pageScripts(input: CheckInput): Array<{ start: number; end: number }> {
  let spans = pageScriptSpans.get(input);
  if (!spans) {
    spans = [];
    for (const { node, target } of jsCalls(input))
      if (target.object !== undefined && PAGE_SCRIPT_METHODS.test(target.name))
        spans.push({ start: target.nameRange.endIndex, end: node.endIndex });
    pageScriptSpans.set(input, spans);
  }
  return spans;
}

/** Whether `offset` lies inside the arguments of a page script call: code that runs in the browser. */
function inPageScript(input: CheckInput, offset: number): boolean {
  return pageScripts(input).some((span) => offset > span.start && offset < span.end);
}

/** Detaching a listener (`page.removeListener('popup', onPopup)`, `sub.unsubscribe()`): nothing is lost when it fails. */
const DETACH_METHODS = /^(?:removeListener|removeAllListeners|removeEventListener|off|unsubscribe)$/;
/** Where a function is defined, not run: `const normalise = (u) => u.split('#')[0]` declares, the call runs later. */
const DEFINITION_PARENTS: ReadonlySet<string> = new Set([
  'variable_declarator',
  'public_field_definition',
  'field_definition',
]);

/** Whether the call is the expression body of an arrow function given to a declaration (a definition, not an action). */
function definedNotRun(input: CheckInput, call: Node, floor: number): boolean {
  if (!/=>\s*$/.test(input.text.slice(Math.max(floor, call.startIndex - 40), call.startIndex))) return false;
  const arrow = call.parent;
  return arrow?.type === 'arrow_function' && DEFINITION_PARENTS.has(arrow.parent?.type ?? '');
}

/**
 * Whether the try block between `start` and `end` performs an action (a call made for its effect:
 * `await svc.initialize()`, `await db.row.delete(…)`) rather than computing a value. A block that
 * only computes values (declarations, assignments, `return JSON.parse(v)`, `if (hit) return hit`,
 * filling a local list) before an empty catch is the fallback idiom: when it fails, the code after
 * it carries on with the default (`value` stays the raw string, the cache miss is recomputed, a
 * missing profile is refused with a clear error). An action that fails silently is lost. Read from
 * the calls the check already collected and the text before each; nothing reads the tree.
 */
function performsAction(input: CheckInput, start: number, end: number): boolean {
  const calls = jsCalls(input);
  // Inside a combinator's array (`Promise.race([page.waitForLoadState(…), timer])`) every call counts.
  let combinatorEnd = -1;
  let definitionEnd = -1;
  for (let at = firstCallFrom(calls, start); at < calls.length; at += 1) {
    const { node, target } = calls[at];
    if (node.startIndex >= end) break;
    const inCombinator = node.startIndex < combinatorEnd;
    if (!inCombinator && !startsStatement(input.text, node.startIndex, start)) continue;
    // An awaited `add` goes somewhere else (`await this.cleanupQueue.add(job, data)`): a job enqueued, not a list filled.
    const awaited = /\bawait\s*$/.test(input.text.slice(Math.max(start, node.startIndex - 12), node.startIndex));
    if (
      target.object !== undefined &&
      ((ACCUMULATOR_METHODS.test(target.name) && !awaited) ||
        LOGGER_OBJECT.test(target.object) ||
        DETACH_METHODS.test(target.name))
    )
      continue;
    if (node.startIndex < definitionEnd) continue;
    if (!inCombinator && definedNotRun(input, node, start)) {
      // The calls of its chain start where it does (`u.split('#')[0].replace(…)`): part of the definition.
      definitionEnd = node.endIndex;
      continue;
    }
    // A try made only of best-effort browser steps (waits, page input, code run in the page) loses nothing.
    if (isBrowserStepAt(calls, at) || inPageScript(input, node.startIndex)) continue;
    if (inCombinator && target.object !== undefined && /^(?:catch|finally)$/.test(target.name)) continue;
    if (
      !inCombinator &&
      PROMISE_COMBINATOR.test(target.text) &&
      /^\(\s*\[/.test(input.text.slice(target.nameRange.endIndex, target.nameRange.endIndex + 40))
    ) {
      combinatorEnd = node.endIndex;
      continue;
    }
    return true;
  }
  return false;
}

/** Closing a connection that is going away (`socket.disconnect()`, `stream.destroy()`, `client.quit()`). */
const CLOSE_METHOD = /^(?:disconnect|close|terminate|unsubscribe|removeAllListeners|quit)$/;
/** `destroy`/`end`/`abort` close a connection or a stream, but delete a row on a model (`robot.destroy()`). */
const CLOSE_CONNECTION_METHOD = /^(?:destroy|end|abort)$/;
const CONNECTION_OBJECT = /(?:socket|stream|conn(?:ection)?|ws|req|res|request|response|agent)$/i;

/**
 * A best-effort goodbye: every statement of the try block is a call on one receiver and one of them
 * closes it (`socket.emit('refresh'); socket.disconnect()`). A connection that fails while it is
 * being closed is gone either way: nothing is lost by not reporting it.
 */
function closesOneReceiver(input: CheckInput, start: number, end: number): boolean {
  const calls = jsCalls(input);
  let receiver: string | undefined;
  let closes = false;
  for (let at = firstCallFrom(calls, start); at < calls.length; at += 1) {
    const { node, target } = calls[at];
    if (node.startIndex >= end) break;
    if (!startsStatement(input.text, node.startIndex, start)) continue;
    if (target.object === undefined || (receiver !== undefined && target.object !== receiver)) return false;
    receiver = target.object;
    closes ||=
      CLOSE_METHOD.test(target.name) ||
      (CLOSE_CONNECTION_METHOD.test(target.name) && CONNECTION_OBJECT.test(target.object));
  }
  // Nothing else may happen in the block: every statement is one of those calls.
  const statements = input.text
    .slice(start, end)
    .split(/;|\n/)
    .filter((part) => part.trim() !== '');
  return closes && statements.every((part) => /^\s*(?:await\s+)?[\w$.]+\s*\(|^\s*(?:\/\/|[)\]},])/.test(part));
}

/** Usage reports sent home (`TelemetryService`, `sendAnalytics`): their failure must not matter to the user. */
const TELEMETRY_NAME = /telemetry|analytics|usage_?stats/i;

/**
 * The statement after the try reports the failure: the try returns on success, and what follows
 * replies with an error (`callback({ ok: false, msg: 'Not found' })`, `return res.status(500).json(…)`,
 * `return cb(err)`) or throws. The error is not dropped: the caller hears of it.
 */
const FAILURE_REPLY =
  /^(?:return\s+)?(?:throw\b|[\w$.]*\.\s*(?:status|sendStatus|code)\s*\(\s*[45]\d\d\b|(?:callback|cb|done|next|reject|reply|respond|sendError)\s*\((?=[^;]*(?:\bok\s*:\s*false\b|\berr(?:or)?\b|[Ff]ail|[Nn]ot found)))/;

function repliesWithFailure(input: CheckInput, tryStatement: Node, block: { start: number; end: number }): boolean {
  if (!/\breturn\b/.test(input.text.slice(block.start, block.end))) return false;
  let next = tryStatement.nextNamedSibling;
  while (next?.type === 'comment') next = next.nextNamedSibling;
  return !!next && FAILURE_REPLY.test(next.text);
}

/**
 * The braces of the try block a catch clause belongs to, from the text: the `{` after the try
 * statement's `try` and the last `}` before `catch`. Undefined when the text does not read so.
 */
function tryBlockRange(text: string, tryStart: number, catchStart: number): { start: number; end: number } | undefined {
  const open = text.indexOf('{', tryStart);
  const close = text.lastIndexOf('}', catchStart);
  return open >= 0 && close > open && /^try\s*$/.test(text.slice(tryStart, open))
    ? { start: open + 1, end: close }
    : undefined;
}

/**
 * The line above a statement explains it (`// Mark the rejection as handled: consumers awaiting it
 * still get the error` over `p.catch(() => undefined)`): at least three words in a comment that ends
 * on the line right above.
 */
function explainedAbove(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  if (lineStart === 0) return false;
  const previousStart = text.lastIndexOf('\n', lineStart - 2) + 1;
  const previous = text.slice(previousStart, lineStart - 1).trim();
  const comment = /^\/\/(.*)$/.exec(previous) ?? /^(?:\/\*+|\*)?(.*)\*\/$/.exec(previous);
  return !!comment && comment[1].trim().split(/\s+/).filter(Boolean).length >= 3;
}

/** A call that releases a resource and takes nothing: `context?.close()`, `this.stop()`, `client.quit()`. */
const RELEASE_CALL = /\.\s*(?:close|stop|quit|disconnect|terminate|dispose|kill)\s*\(\s*\)$/;

/**
 * A catch in code that runs only in development or test mode (`if (APP.IS_DEBUG) { try { load the
 * optional dev file } catch {} }`): production never runs it.
 */
function inDevOrTestBranch(input: CheckInput, clause: Node): boolean {
  if (!namesDevOrTestMode(input)) return false;
  for (const node of climb(clause)) {
    if (JS_FUNCTIONS.has(node.type)) return false;
    if (node.type !== 'if_statement') continue;
    const consequence = field(node, 'consequence');
    if (consequence && contains(consequence, clause) && DEV_OR_TEST_MODE.test(field(node, 'condition')?.text ?? ''))
      return true;
  }
  return false;
}

/** `…; throw …` right after a call, from the text (comments between allowed). */
const THROW_AFTER = /^\s*;?\s*(?:\/\/[^\n]*\n\s*)*throw\b/;

/** Whether the statement `call` opens is followed, in its block, by a `throw`. */
function throwsNext(call: Node): boolean {
  let statement: Node | null = call;
  while (statement && statement.type !== 'expression_statement') {
    const parent: Node | null = statement.parent;
    if (!parent || !/^(?:await_expression|parenthesized_expression|expression_statement)$/.test(parent.type))
      return false;
    statement = parent;
  }
  let next = statement?.nextNamedSibling ?? null;
  while (next?.type === 'comment') next = next.nextNamedSibling;
  return next?.type === 'throw_statement';
}

const silentCatch: RuleChecker = (input) => {
  // The empty catches of one function are one decision (a best-effort clean-up of five tables): one
  // finding at the first, the others as related locations.
  const byFunction = new Map<number, Array<{ startIndex: number; endIndex: number }>>();
  for (const clause of input.nodesOfType('catch_clause')) {
    const body = field(clause, 'body');
    if (!body || !isEmptyBlock(input, body) || ignoresOnPurpose(input, clause, body)) continue;
    // Code run in the page (`page.evaluate(() => { try { … } catch {} })`) is browser code.
    if (inPageScript(input, clause.startIndex)) continue;
    const tryStatement = clause.parent;
    const block = tryStatement && tryBlockRange(input.text, tryStatement.startIndex, clause.startIndex);
    if (
      block &&
      (!performsAction(input, block.start, block.end) ||
        CACHE_READ.test(input.text.slice(block.start, block.end)) ||
        closesOneReceiver(input, block.start, block.end) ||
        repliesWithFailure(input, tryStatement, block))
    )
      continue;
    if (inDevOrTestBranch(input, clause)) continue;
    const fn = enclosingFunction(input, clause);
    if (TELEMETRY_NAME.test(`${classBefore(input, clause.startIndex)} ${fn ? (functionName(fn) ?? '') : ''}`)) continue;
    // The `catch` keyword: five characters from the clause's start.
    const at = { startIndex: clause.startIndex, endIndex: clause.startIndex + 'catch'.length };
    // Outside any function (a script's top level) each stands alone.
    const key = fn ? fn.startIndex : -1 - clause.startIndex;
    const group = byFunction.get(key);
    if (group) group.push(at);
    else byFunction.set(key, [at]);
  }
  for (const [first, ...others] of byFunction.values()) {
    const more =
      others.length === 0
        ? ''
        : ` ${others.length} more empty catch${others.length === 1 ? '' : 'es'} in this function drop${others.length === 1 ? 's' : ''} errors the same way.`;
    input.report(
      first,
      'silent-catch',
      `The error is caught and dropped: the failure disappears without a log, metric or retry.${more}`,
      'Log it with context, rethrow, or handle it explicitly; if ignoring is intended, say why in a comment and count it.',
      undefined,
      undefined,
      others,
    );
  }
  // The swallowed rejections of one function are one decision too (three best-effort writes).
  const swallowed: Array<{ key: number; at: { startIndex: number; endIndex: number } }> = [];
  const calls = jsCalls(input);
  for (let index = 0; index < calls.length; index += 1) {
    const { node: call, target } = calls[index];
    if (target.name !== 'catch' || target.object === undefined) continue;
    const handler = unwrap(firstArg(call));
    if (
      !handler ||
      (handler.type !== 'arrow_function' && handler.type !== 'function_expression' && handler.type !== 'function')
    )
      continue;
    const body = field(handler, 'body');
    const swallows =
      isEmptyBlock(input, body) || (body !== null && (body.type === 'undefined' || body.type === 'null'));
    if (!swallows) continue;
    // `const user = await find(id).catch(() => null)`: a value with a fallback, which the code checks next.
    if (!startsStatement(input.text, call.startIndex, 0)) continue;
    // `context.close().catch(() => {})`, `job.stop().catch(() => {})`: releasing what is being let go.
    if (RELEASE_CALL.test(target.object)) continue;
    if (explainedAbove(input.text, call.startIndex)) continue;
    // `await reader.cancel().catch(() => undefined); throw new TooLargeError()`: best-effort clean-up on
    // the way out of a failure the next statement throws; that failure is the one reported.
    if (THROW_AFTER.test(input.text.slice(call.endIndex, call.endIndex + 200)) && throwsNext(call)) continue;
    // An optional wait, page input or code run in the page, or a rejection dropped inside the page.
    if (isBrowserStepAt(calls, index) || inPageScript(input, target.nameRange.startIndex)) continue;
    // Grouped by the named function around it: the callbacks inside it (`.then((r) => { a().catch(() => {}) })`) are its own.
    let fn = enclosingFunction(input, call);
    while (fn && functionName(fn) === undefined) fn = enclosingFunction(input, fn);
    swallowed.push({ key: fn ? fn.startIndex : -1 - call.startIndex, at: target.nameRange });
  }
  for (const group of groupedBy(swallowed, (item) => item.key)) {
    // A chain's `.catch` comes after the calls in its callbacks: the first in the text leads.
    const [first, ...others] = group.map((item) => item.at).sort((a, b) => a.startIndex - b.startIndex);
    const more =
      others.length === 0
        ? ''
        : ` ${others.length} more \`.catch(() => {})\` in this function swallow${others.length === 1 ? 's' : ''} the same way (related locations).`;
    input.report(
      first,
      'silent-catch',
      `The promise rejection is swallowed: \`.catch(() => {})\` hides every failure of this call.${more}`,
      'Log the error with context or let it propagate; if it is truly optional, record that it failed.',
      undefined,
      undefined,
      others,
    );
  }
};

function literalString(node: Node | null): string | undefined {
  const inner = unwrap(node);
  if (!inner) return undefined;
  if (inner.type === 'string') return unquote(inner.text);
  if (inner.type === 'template_string' && !inner.namedChildren.some((child) => child?.type === 'template_substitution'))
    return unquote(inner.text);
  return undefined;
}

const STRING_TYPES: ReadonlySet<string> = new Set(['string', 'template_string']);

/** Calls whose argument at `index` is a signing or HMAC key: `jwt.sign(payload, key)`, `createHmac(alg, key)`. */
function signingKeyIndex(target: { object?: string; name: string }): number | undefined {
  const object = target.object ?? '';
  if (target.name === 'createHmac') return 1;
  if (/(?:^|\.)(?:jwt|jsonwebtoken|jsonwt|jws|jose|JWT|JWS)$/i.test(object) || /jwt/i.test(object)) {
    if (/^(sign|verify|encode|decode)$/.test(target.name)) return 1;
  }
  return undefined;
}

/** Calls that turn their first argument into key material: `JWK.asKey('k')`, `Buffer.from('k')`, `new TextEncoder().encode('k')`. */
const KEY_WRAPPERS = /^(?:asKey|createSecretKey|from|encode)$/;

/** The literal a key expression holds: a string, a variable given one, or one wrapped by a KEY_WRAPPERS call. */
function keyLiteral(input: CheckInput, key: Node, depth = 0): Node | null {
  if (STRING_TYPES.has(key.type)) return key;
  if (depth > 2) return null;
  if (key.type === 'identifier') {
    // `const key = JWK.asKey(secret)`, `const secret = 'x'`: a wrapped literal through variables.
    const value = unwrap(valueAssigned(input, key, true));
    return value ? keyLiteral(input, value, depth + 1) : null;
  }
  if (key.type !== 'call_expression') return null;
  const wrapper = callee(key);
  const inner = unwrap(firstArg(key));
  return wrapper && KEY_WRAPPERS.test(wrapper.name) && inner ? keyLiteral(input, inner, depth + 1) : null;
}

/** Options whose value is a key by the library's contract. */
const KEY_OPTION_NAMES =
  'secret|secretOrKey|secretOrPrivateKey|clientSecret|privateKey|signingKey|jwtSecret|sessionSecret';
const KEY_OPTION = new RegExp(`\\b(?:${KEY_OPTION_NAMES})['"]?\\s*:`, 'g');
/** The pair found is the option itself, not one around a string that mentions the word (`example: '[{"secret":false}]'`). */
const KEY_OPTION_PAIR = new RegExp(`^['"]?(?:${KEY_OPTION_NAMES})['"]?\\s*:`);

/**
 * Whether a call or `new` is of a plain name the project defines: a class or function declared in the
 * file, or imported from a relative path (`import ApiUser from '../types/api-user'`).
 */
function callsProjectCode(input: CheckInput, call: Node | null): boolean {
  if (!call) return false;
  const callee = unwrap(field(call, call.type === 'new_expression' ? 'constructor' : 'function'));
  if (callee?.type !== 'identifier') return false;
  const name = callee.text.replace(/\$/g, '\\$');
  return (
    new RegExp(String.raw`\b(?:class|function\*?)\s+${name}\b`).test(input.text) ||
    importsFromProject(input, callee.text)
  );
}

/** The literal of `this.name` when the class sets it once from a literal (`this.jwtSecret = '…'`). */
function thisFieldLiteral(input: CheckInput, member: Node): Node | null {
  const match = /^this\s*\.\s*([A-Za-z_$][\w$]*)$/.exec(member.text);
  if (!match) return null;
  const assigned = new RegExp(`\\bthis\\s*\\.\\s*${match[1].replace(/\$/g, '\\$')}\\s*=(?!=)\\s*`, 'g');
  const found = [...input.text.matchAll(assigned)];
  if (found.length !== 1) return null;
  return stringAt(input, found[0].index + found[0][0].length);
}

/** `process.env.NAME || 'literal'` / `?? 'literal'`: the literal is the value when the variable is unset. */
const ENV_FALLBACK =
  /\bprocess\.env(?:\.([A-Za-z_]\w*)|\[\s*['"`]([A-Za-z_]\w*)['"`]\s*\])\s*(?:\|\||\?\?)\s*(?=['"`])/g;

/**
 * A setting read by name with a literal default: `configService.get('JWT_SECRET', 'dev')`,
 * `env('APP_KEY', '…')`, `config.get<string>('auth.secret') || '…'`, `getEnv('X') ?? '…'`.
 */
const CONFIG_FALLBACK =
  /\b(?:get|getOrThrow|getString|env|getEnv|readEnv|fromEnv)\s*(?:<[^<>()]*>\s*)?\(\s*['"`]([\w.:-]+)['"`]\s*(?:,|\)\s*(?:\|\||\?\?))\s*(?=['"`])/g;

/**
 * A literal fallback of a credential setting: the risk is less the literal than a service that starts
 * silently with it (a well-known development default) when the setting is missing.
 */
function fallbackMessage(name: string, what: string): string {
  return `\`${name}\` falls back to a credential written in the code when ${what}: the service then starts silently with a value anyone with the source knows.`;
}

function fallbackSuggestion(name: string): string {
  return `Fail at start-up when \`${name}\` is missing (or generate a random value per install and store it); keep a development default only behind an explicit development setting.`;
}

const hardcodedSecret: RuleChecker = (input) => {
  const reportedLiterals = new Set<number>();
  const reportedAt = new Set<number>();
  // A literal is reported once where it is written, or where a signing call uses it; a known key
  // format reported where it is written is reported again at each signing call that uses it.
  const report = (
    literal: Node,
    message: string,
    at: Node = literal,
    suggestion = 'Read it from the environment or a secret manager at startup, rotate this value, and remove it from the history.',
  ): void => {
    if (reportedAt.has(at.startIndex) || (at === literal && reportedLiterals.has(literal.startIndex))) return;
    reportedLiterals.add(literal.startIndex);
    reportedAt.add(at.startIndex);
    input.report(at, 'hardcoded-secret', message, suggestion, undefined, at === literal ? undefined : literal);
  };
  for (const { literal, format } of knownSecretLiterals(input, STRING_TYPES)) {
    report(literal, `A ${format} is written in the source: anyone with the code has the credential.`);
  }
  // Keys passed to signing and HMAC calls, directly or through a variable given a literal.
  for (const { node: call, target } of jsCalls(input)) {
    const index = signingKeyIndex(target);
    if (index === undefined) continue;
    const key = unwrap(args(call)[index] ?? null);
    const literal = key ? keyLiteral(input, key) : null;
    if (!key) continue;
    const value = literalString(literal);
    if (!literal || value === undefined || !isReportableKeyLiteral(value)) continue;
    report(
      literal,
      `\`${target.text}\` is given a key written in the source: anyone with the code can sign or verify as the service.`,
      key,
    );
  }
  // Key options given to a library call (passport strategies, express-session, express-jwt):
  // `new Strategy({ clientSecret: APP_SECRET })`, `session({ secret: this.sessionSecret })`.
  for (const pair of nodesAtMatches(input, KEY_OPTION, PAIR)) {
    if (!KEY_OPTION_PAIR.test(input.text.slice(pair.startIndex, pair.startIndex + 64))) continue;
    const holder = pair.parent?.parent;
    if (holder?.type !== 'arguments') continue;
    const value = unwrap(field(pair, 'value'));
    if (!value) continue;
    const literal = value.type === 'member_expression' ? thisFieldLiteral(input, value) : keyLiteral(input, value);
    const text = literalString(literal);
    if (!literal || text === undefined || !isReportableKeyLiteral(text)) continue;
    // The project's own class or function (`new ApiUser({ secret: 'unknown' })`): no library's contract
    // says the option is a key, so it is a field named like one and judged as `secret = '…'` is.
    const option = unquote(field(pair, 'key')?.text ?? 'secret');
    if (callsProjectCode(input, holder.parent) && !isReportableNamedSecret(option, text)) continue;
    report(
      literal,
      `\`${unquote(field(pair, 'key')?.text ?? 'secret')}\` is given a key written in the source: anyone with the code can sign or verify as the service.`,
      pair,
    );
  }
  // Secret-like names given a string, found in the text; the tree confirms the string is the value
  // of a declaration, assignment, property or field with that name.
  for (const { name, literalStart: quoteAt } of secretNamedStrings(input)) {
    if (!isSecretName(name)) continue;
    const found = stringWithParentAt(input.tree, quoteAt, STRING_TYPES);
    if (!found || !found.parent || !NAMED_HOLDERS.has(found.parent.type)) continue;
    if (isEnumKeyedEntry(found.parent)) continue;
    const literal = found.literal;
    const text = literalString(literal);
    if (text === undefined || !isReportableNamedSecret(name, text) || isMessageCode(text)) continue;
    if (isLabelWord(text) && namesLabelTable(tableOfEntry(found.parent, literal) ?? '')) continue;
    if (mentionsExample(input) && insideSchemaExample(found.parent)) continue;
    report(literal, `\`${name}\` is set to a literal credential: it ships with the code and every copy of it.`);
  }
  // Literal fallbacks of settings and environment variables: the literal is the value whenever it is unset.
  const fallbacks = [
    { regex: CONFIG_FALLBACK, what: 'the setting is missing' },
    { regex: ENV_FALLBACK, what: 'the variable is unset' },
  ];
  for (const { regex, what } of fallbacks) {
    for (const match of matchesInRegion(input, regex)) {
      const name = match[1] ?? match[2];
      if (!isSecretName(name) && !isSecretName(name.replace(/^.*[.:]/, ''))) continue;
      const literal = stringAt(input, match.index + match[0].length);
      const text = literalString(literal);
      if (!literal || text === undefined || !isReportableNamedSecret(name, text)) continue;
      report(literal, fallbackMessage(name, what), literal, fallbackSuggestion(name));
    }
  } // A credential checked against a literal (`if (user.password === "root")`): a built-in password.
  for (const { literal, message } of comparedSecretLiterals(input, STRING_TYPES, 'binary_expression', literalString))
    report(literal, message);
};

/**
 * The name of the table a literal is an entry of: `cssClasses` for `cssClasses['password'] = 'input'`,
 * `inputTypes` for `const inputTypes = { password: 'input' }`, `this.labels` for `this.labels = { … }`.
 */
function tableOfEntry(holder: Node, literal: Node): string | undefined {
  if (holder.type === 'assignment_expression') {
    const left = field(holder, 'left');
    if (left?.type !== 'subscript_expression' || unwrap(field(holder, 'right'))?.id !== literal.id) return undefined;
    return field(left, 'object')?.text;
  }
  if (holder.type !== 'pair' || unwrap(field(holder, 'value'))?.id !== literal.id) return undefined;
  let table: Node | null = holder.parent;
  let owner = table?.parent ?? null;
  // `const inputTypes: Record<string, string> = { … } as const`, `({ … } satisfies T)`.
  while (owner && /^(?:as_expression|satisfies_expression|parenthesized_expression)$/.test(owner.type)) {
    table = owner;
    owner = owner.parent;
  }
  if (!owner || !table) return undefined;
  if (owner.type === 'variable_declarator') return field(owner, 'name')?.text;
  if (owner.type === 'assignment_expression') return field(owner, 'left')?.text;
  if (owner.type === 'pair') return unquote(field(owner, 'key')?.text ?? '');
  if (owner.type === 'public_field_definition' || owner.type === 'field_definition')
    return (field(owner, 'name') ?? field(owner, 'property'))?.text;
  return undefined;
}

/** The key under which a schema documents a sample value: OpenAPI / JSON Schema `example`, `examples`. */
const EXAMPLE_KEY = /^['"]?examples?['"]?$/;
/** Any such key in the file (read once per file): without one, no tree is climbed. */
const mentionsExample = textMatchOncePerCheck(/\bexamples?['"]?\s*:/);

/**
 * Whether an entry is part of a sample value a schema documents (`example: [{ secret: 'a3c8…' }]` in
 * an OpenAPI schema, `@ApiProperty({ example: … })`): what the documentation shows, not a setting.
 * Climbs through the objects and arrays of literals the entry is written in.
 */
function insideSchemaExample(holder: Node): boolean {
  for (let node: Node | null = holder; node; node = node.parent) {
    if (node.type === 'pair') {
      if (node.id !== holder.id && EXAMPLE_KEY.test(field(node, 'key')?.text ?? '')) return true;
    } else if (!/^(?:object|array|as_expression|satisfies_expression|parenthesized_expression)$/.test(node.type))
      return false;
  }
  return false;
}

/**
 * `[Brand.OnePassword]: '1Password'`: an entry of a table keyed by an enum's members holds a label or
 * a message for that member; the secret word is in the member's name, not in what the entry is for.
 */
function isEnumKeyedEntry(holder: Node): boolean {
  if (holder.type !== 'pair') return false;
  const key = field(holder, 'key');
  return key?.type === 'computed_property_name' && named(key)[0]?.type === 'member_expression';
}

/** Words of validation results and error codes (`incorrectPassword`, `token_expired`, `passwordTooShort`). */
const MESSAGE_CODE_WORD =
  /^(?:invalid|incorrect|missing|wrong|required|mismatch|mismatched|expired|empty|not|too|weak|short|long|failed|failure|error|unknown|already|exists|needs|must|bad|forbidden|denied|unauthorized|unauthorised|revoked|reused|same)$/;

/**
 * A message or error code rather than a credential: an identifier-like value (camelCase, or words
 * joined by `_`/`-`, no digits) one of whose words reports a failed check. Error payloads keyed by
 * the field they are about (`{ password: 'incorrectPassword' }`) give these to secret-like names.
 */
function isMessageCode(value: string): boolean {
  if (!/^[A-Za-z]+(?:[-_][A-Za-z]+)*$/.test(value)) return false;
  const words = value
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[-_ ]+/);
  return words.length > 1 && words.some((word) => MESSAGE_CODE_WORD.test(word));
}

/** The string literal starting exactly at `offset`, or null. */
function stringAt(input: CheckInput, offset: number): Node | null {
  return stringWithParentAt(input.tree, offset, STRING_TYPES)?.literal ?? null;
}

const NAMED_HOLDERS: ReadonlySet<string> = new Set([
  // `const { JWT_SECRET = 'dev-secret' } = process.env`, `function connect(password = 'root1234')`:
  // a default that is the value whenever nothing else is given.
  'object_assignment_pattern',
  'assignment_pattern',
  'required_parameter',
  'optional_parameter',
  'variable_declarator',
  'assignment_expression',
  'pair',
  'public_field_definition',
  'field_definition',
]);

const SQL_METHODS = new Set([
  'query',
  'execute',
  'exec',
  'raw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'unsafe',
  'Query',
  'QueryRow',
  'QueryContext',
  'Exec',
  'ExecContext',
  'whereRaw',
  'orderByRaw',
]);

/**
 * Query builders' raw fragments (knex's `whereRaw`, `havingRaw`, `joinRaw`…, TypeORM's `where`,
 * `andWhere`, `having`…): SQL by the method's contract, often a clause too
 * short to read as SQL (`name = '${q}'`).
 */
const SQL_FRAGMENT_METHODS =
  /^(?:(?:where|having|orderBy|groupBy|join|leftJoin|innerJoin|from|select|on)Raw|(?:and|or)(?:Where|Having|On)Raw|(?:and|or)?(?:Where|Having)|where|having)$/;

const sqlInjection: RuleChecker = (input) => {
  for (const { node: call, target } of jsCalls(input)) {
    const fragment = SQL_FRAGMENT_METHODS.test(target.name);
    // Sequelize's `literal(…)` holding a statement (`(SELECT count(*) … WHERE x = '${v}')`).
    // Sequelize's `literal(…)`, a statement or a fragment (`now() - interval '${value}'`).
    const literal = target.name === 'literal' && /sequelize/i.test(target.object ?? '');
    if (!fragment && !literal && !SQL_METHODS.has(target.name)) continue;
    let first = unwrap(firstArg(call));
    // mysql's `conn.query({ sql, values })` and pg's `client.query({ text, values })` forms.
    if (first?.type === 'object') {
      const { props } = objectProps(first);
      first = props.get('sql') ?? props.get('text') ?? null;
    }
    if (!first) continue;
    const build = resolvedStringBuild(input, first);
    if (!build || !build.dynamic) continue;
    if (!looksLikeSql(build.literal) && !((fragment || literal) && splicesValue(input, first))) continue;
    if (fragment && target.object === undefined) continue;
    input.report(
      callSpan(input, call, target),
      'sql-injection',
      `SQL is built from values spliced into the text and run with \`${target.text}\`: input can change the query.`,
      'Use placeholders ($1 / ?) and pass the values as parameters, or a tagged template (sql`…`) that parameterises.',
    );
  }
};

const DATA_OBJECT =
  /(db|repo|repository|prisma|client|knex|pool|model|collection|dao|orm|sequelize|mongoose|em\b|entityManager)/i;
const DATA_METHODS = new Set([
  'query',
  'findOne',
  'findUnique',
  'findFirst',
  'findMany',
  'findById',
  'find',
  'get',
  'findByPk',
  'findAll',
  'count',
  'aggregate',
  'execute',
  'findUniqueOrThrow',
  'findFirstOrThrow',
  // Row helpers of SQL clients and ORMs (redbean-node, node-sqlite, Objection): `db.getAll(sql, args)`.
  'getAll',
  'getRow',
  'getCol',
  'getCell',
  'getOne',
  'findOneBy',
  'findBy',
  'findAndCountAll',
  'countDocuments',
]);

/**
 * Packages whose exports run queries (`const { R } = require('redbean-node')`, `import knex from
 * 'knex'`): a name bound from one is a data handle whatever it is called.
 */
const DB_PACKAGE = String.raw`['"](?:redbean-node|knex|objection|sequelize|typeorm|@mikro-orm/[\w-]+|kysely|pg|mysql2?(?:/promise)?|better-sqlite3|sqlite3?|mongodb|mongoose|@prisma/client)['"]`;
const DB_PACKAGE_BINDING = new RegExp(
  String.raw`\b(?:(?:const|let|var)\s+(\{[^{}]*\}|[A-Za-z_$][\w$]*)\s*=\s*require\(\s*${DB_PACKAGE}\s*\)|import\s+(?:([A-Za-z_$][\w$]*)\s*,?\s*)?(\{[^{}]*\}|\*\s+as\s+[A-Za-z_$][\w$]*)?\s*from\s*${DB_PACKAGE})`,
  'g',
);
/** Exports of those packages that are classes or helpers, not handles (`Pool`, `DataTypes`, `Op`). */
const DB_PACKAGE_TYPE = /^(?:[A-Z][a-z][\w$]*|Op|sql)$/;
/**
 * What a handle bound from a database package does that is a query: its readers, writers and raw
 * SQL (`R.getAll(sql)`, `R.findOne('bean', …)`, `R.store(bean)`, `R.exec(sql)`, `knex.raw(sql)`).
 */
const PACKAGE_QUERY_METHOD =
  /^(?:get(?:All|Row|Col|Cell|Assoc)|find\w*|load|loadAll|store\w*|trash\w*|exec\w*|query|raw|count\w*|insert\w*|update\w*|delete\w*|upsert\w*|select\w*)$/;

function dbPackageHandles(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(DB_PACKAGE_BINDING)) {
    for (const group of [match[1], match[2], match[3]]) {
      if (!group) continue;
      const bound = group.startsWith('{')
        ? group
            .slice(1, -1)
            .split(',')
            .map(
              (part) =>
                part
                  .split(/\s*(?::|\bas\b)\s*/)
                  .pop()
                  ?.trim() ?? '',
            )
        : [group.replace(/^\*\s+as\s+/, '')];
      for (const name of bound)
        if (/^[A-Za-z_$][\w$]*$/.test(name) && name !== 'type' && !DB_PACKAGE_TYPE.test(name)) names.add(name);
    }
  }
  return names;
}

/**
 * A repository or data-access object held by the class (`this.pagePermissionRepo`,
 * `this.userRepository`, `this.orderDao`): every method it offers runs a query, whatever it is
 * named (`getUserIdsWithPageAccess`). Builders that run nothing yet are not queries.
 */
const REPOSITORY_FIELD = /^this\.(?:[\w$]*[a-z0-9](?:Repo|Repository|Dao|DAO)|repo|repository|dao)$/;
const REPOSITORY_BUILDER = /^(?:create(?:QueryBuilder)?|merge|preload|metadata|manager|getId|hasId)$/;
/** A field declared as an in-memory, fake or mock repository: `private readonly repo: InMemoryUserRepository`. */
function inMemoryRepository(text: string, name: string): boolean {
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(String.raw`\b${escaped}\s*[?!]?\s*:\s*(?:InMemory|Fake|Mock|Stub|Memory)\w*`).test(text);
}

/** Variables holding a collection / repository / model handle, whatever their name (read from the text). */
const DATA_HANDLE_DECLARATION =
  /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:await\s+)?(?:[\w$.]|\([^()\n]*\))*(?:\.collection|\bgetRepository|\bgetCustomRepository|\.model|\bknex|\.table)\([^()\n]*\)\s*[;\n]/g;

function dataHandleNames(input: CheckInput): Set<string> {
  return new Set([...input.text.matchAll(DATA_HANDLE_DECLARATION)].map((match) => match[1]));
}

/** Static finders of model classes (Sequelize, Mongoose, TypeORM's BaseEntity, Objection): `Attachment.findByPk(id)`. */
const MODEL_CLASS = /^[A-Z][a-z]\w*$/;
const MODEL_FINDERS = new Set([
  'findByPk',
  'findOne',
  'findAll',
  'findById',
  'findOneBy',
  'findBy',
  'findAndCountAll',
  'count',
  'countDocuments',
]);
/** Statements that change the schema or the server, not rows: one per item is the only way to run them. */
const SCHEMA_STATEMENT =
  /^\s*(?:drop|create|alter|truncate|vacuum|analyze|refresh|reindex|grant|revoke|comment\s+on)\b/i;

/**
 * A handler registered with a queue, an emitter or a router (`boss.work(queue, async (job) => …)`,
 * `socket.on('x', …)`, `router.get(path, …)`): it runs on each event, not when the function that
 * registers it is called.
 */
const HANDLER_REGISTRATION_BEFORE =
  /(?:^|[^\w$])(?:on|once|addListener|addEventListener|work|process|subscribe|register[A-Z]\w*|use|get|post|put|patch|delete|all|route|schedule|listen|define|handle)\s*\((?:[^()]|\([^()]*\))*$/;

/** Whether `call` sits in a function nested in `fn` that `fn` registers as a handler (see HANDLER_REGISTRATION_BEFORE). */
function inRegisteredHandler(input: CheckInput, fn: Node, call: Node): boolean {
  const span = enclosingFunctionSpan(input, call.startIndex, call.endIndex);
  if (!span || span.start <= fn.startIndex) return false;
  return HANDLER_REGISTRATION_BEFORE.test(input.text.slice(Math.max(fn.startIndex, span.start - 300), span.start));
}

/** How many same-file functions deep a query is followed from a call in a loop (`load()` → `loadOne()` → query). */
const QUERY_FUNCTION_DEPTH = 2;

/** Whether `call` sits in a `case` of a switch inside `loop`. */
function inSwitchCase(call: Node, loop: Node): boolean {
  for (let at = call.parent; at && at.id !== loop.id; at = at.parent) if (at.type === 'switch_case') return true;
  return false;
}

/**
 * A call in a `case` of a `switch` on the loop's own element (`for (const kind of opts.kinds) { switch
 * (kind) { case 'users': await db.users.count(); … } }`): each case runs once for the kind it names,
 * so the loop dispatches over a few kinds the code lists; it does not query once per row.
 */
function inCaseOfLoopElement(call: Node, loop: Node): boolean {
  if (loop.type !== 'for_in_statement') return false;
  const element = loop.childForFieldName('left');
  if (element?.type !== 'identifier') return false;
  for (let at = call.parent; at && at.id !== loop.id; at = at.parent) {
    if (at.type !== 'switch_case') continue;
    const value = at.parent?.parent?.childForFieldName('value');
    if (value?.text.replace(/^\(\s*|\s*\)$/g, '') === element.text) return true;
  }
  return false;
}

/** Lists a folder: `fs.readdir(…)`, `readdirSync(…)`, `glob(…)`; the argument is read after. */
const LISTS_FOLDER = /(?<![\w$])(?:readdir(?:Sync)?|glob(?:Sync)?|globby(?:Sync)?)\s*\(/g;
/**
 * The names a path into the program's own code is built from: `path.join(__dirname, 'modules')`,
 * `resolve(process.cwd(), 'plugins')`, `path.join(APP.SERVER_PATH, 'modules/storage')`. A lower-case
 * name (a parameter, a user's folder, `this.root`) is not one of them.
 */
const CODE_PATH_NAME =
  /^(?:path|posix|join|resolve|__dirname|__filename|process|cwd|import|meta|dirname|url|fileURLToPath|[A-Z][A-Z0-9_]*)$/;

/** The names an expression's text uses, quoted text left out (what a template interpolates is kept). */
function literalFreeNames(text: string): string[] {
  const code = text.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, '').replace(/`(?:[^`$\\]|\\.|\$(?!\{))*`/g, '');
  return code.match(/[A-Za-z_$][\w$]*/g) ?? [];
}

/** Whether the text lists a folder of the program's own code (see CODE_PATH_NAME) anywhere in [from, to). */
function listsCodeFolder(text: string, from: number, to: number): boolean {
  const scope = text.slice(from, to);
  for (const match of scope.matchAll(LISTS_FOLDER)) {
    const open = (match.index ?? 0) + match[0].length - 1;
    const close = closingBracket(scope, open);
    if (close < 0) continue;
    const names = literalFreeNames(scope.slice(open + 1, close));
    if (names.length > 0 && names.every((name) => CODE_PATH_NAME.test(name))) return true;
  }
  return false;
}

const catalogSyncs = new WeakMap<CheckInput, Map<number, boolean>>();

/** declaredMethod's answers per check, by name: each was a scan of the whole file, for every loop naming it. */
const declaredMethods = new WeakMap<CheckInput, Map<string, ReturnType<typeof functionStartingIn>>>();

/** The function declared as a method or function named `name` (its first declaration in the file), if any. */
function declaredMethod(input: CheckInput, name: string): ReturnType<typeof functionStartingIn> {
  let known = declaredMethods.get(input);
  if (!known) declaredMethods.set(input, (known = new Map()));
  if (known.has(name)) return known.get(name);
  const declared = new RegExp(
    String.raw`(?<![\w$.])(?:async\s+)?(?:static\s+)?(?:async\s+)?${name.replace(/\$/g, '\\$')}\s*\([^()]*\)\s*\{`,
  ).exec(input.text);
  const span = declared ? functionStartingIn(input, declared.index, declared.index + declared[0].length) : undefined;
  known.set(name, span);
  return span;
}

/**
 * A loop that runs after its function read the program's own catalog from disk, itself or through a
 * function of this file it calls (`const dirs = await fs.readdir(path.join(__dirname, 'modules'))`,
 * or `await this.loadDefinitions()` that does): the function syncs the database with the modules
 * the code ships (insert the new ones, patch or delete the others), once per boot or upgrade; its
 * loops are as long as the code's own list of modules, not the data.
 */
function syncsCodeCatalog(input: CheckInput, loop: Node): boolean {
  const fn = enclosingFunctionSpan(input, loop.startIndex, loop.endIndex);
  if (!fn) return false;
  let known = catalogSyncs.get(input);
  if (!known) catalogSyncs.set(input, (known = new Map()));
  const key = fn.start * 1e7 + loop.startIndex;
  let answer = known.get(key);
  if (answer === undefined) {
    answer = listsCodeFolder(input.text, fn.start, loop.startIndex);
    if (!answer && /readdir|glob/.test(input.text)) {
      // `await Registry.loadDefinitions()`: a method of this file that lists the code's folder.
      for (const call of input.text.slice(fn.start, loop.startIndex).matchAll(/(?<![\w$])([A-Za-z_$][\w$]*)\s*\(/g)) {
        const name = call[1];
        if (!declaresFunction(input, name)) continue;
        const span = declaredMethod(input, name);
        if (span && span.start !== fn.start && listsCodeFolder(input.text, span.start, span.end)) {
          answer = true;
          break;
        }
      }
    }
    known.set(key, answer);
  }
  return answer;
}

/**
 * A loop that saves settings one key at a time: its queries pick the row by a `key` or `name` column
 * (`.where('key', entry.key)`, `where: { name: setting.name }`, SQL's `` `key` = ? ``) and it writes a setting's value,
 * config or enabled flag. A key-value settings table holds as many rows as the settings and modules
 * the code defines; an admin saving a form writes a handful. (A `key` column alone may be a storage
 * key of user files, a `name` a user's tag, so the settings write is asked for too.)
 */
const KEY_COLUMN =
  /\b(?:where|findOne|findOneBy|findBy|first)\s*\(\s*['"`](?:key|name)['"`]\s*,|\b(?:where\s*:\s*|(?:where|findOneBy|findBy)\s*\(\s*)\{\s*(?:key|name)\s*[:,}]|['"`][^'"`\n]*?(?<![\w$.])`?(?:key|name)`?\s*=\s*(?:\?|\$\d|:[A-Za-z_])/;
/** The setting written: an object's `value:`/`config:` field, or `row.value = …` on the row found. */
const SETTING_FIELD =
  /(?<![\w$.])(?:config|value|settings|options|isEnabled|enabled)\s*[:,}]|\.(?:config|value|settings)\s*=(?![=>])/;

function savesSettingsByKey(input: CheckInput, loop: Node): boolean {
  const text = input.text.slice(loop.startIndex, loop.endIndex);
  return KEY_COLUMN.test(text) && SETTING_FIELD.test(text);
}

/** A test of the database in use: `db.type === 'postgres'`, `knex.client.config.client !== 'pg'`, `dialect === "mysql"`. */
const DIALECT_TEST =
  /\b(?:type|dialect|client|driver|engine|dbType|dbClient)\s*[!=]==?\s*['"](?:postgres(?:ql)?|pg|mysql2?|mariadb|sqlite3?|better-sqlite3|mssql|oracle(?:db)?|cockroachdb)['"]/;

const testsDialect = textMatchOncePerCheck(DIALECT_TEST);

/**
 * A loop in the branch for the other databases of an `if` on the database in use, whose branch for
 * one database runs the same method once for the whole list (`if (db.type === 'postgres') await
 * Tags.query().insert(newTags) else for (const tag of newTags) await Tags.query().insert(tag)`): the
 * batch form exists there only; one statement per row is the deliberate fallback elsewhere.
 */
function dialectFallback(input: CheckInput, loop: Node, call: Node, target: Callee): boolean {
  if (!testsDialect(input)) return false;
  let inside: Node = loop;
  for (const node of climb(loop)) {
    if (JS_FUNCTIONS.has(node.type)) return false;
    if (node.type === 'if_statement') {
      const consequence = field(node, 'consequence');
      const condition = field(node, 'condition');
      if (consequence && condition && !contains(consequence, inside) && DIALECT_TEST.test(condition.text)) {
        // The same call and the same method chained on it (`Tags.query()` then `.insert(`).
        const chained = /^\s*\.\s*([A-Za-z_$][\w$]*)\s*\(/.exec(input.text.slice(call.endIndex, call.endIndex + 80));
        const branch = consequence.text.replace(/\s+/g, '');
        return (
          branch.includes(`${target.text.replace(/\s+/g, '')}(`) && (!chained || branch.includes(`.${chained[1]}(`))
        );
      }
      if (consequence && condition && contains(consequence, inside) && DIALECT_TEST.test(condition.text)) return false;
    }
    inside = node;
  }
  return false;
}

/**
 * A data-access function of the project named for one record by id (`updateLinkById`,
 * `getCollectionById`, `deleteUserById`): it reads or writes that row, whatever file it lives in.
 */
const RECORD_FUNCTION = /^(?:get|find|fetch|load|read|update|delete|remove|upsert|save)[A-Z][\w$]*ById$/;

/**
 * A lookup of the project given an id (`await getPermission({ userId, linkId })`, `loadOwner(link.ownerId)`):
 * a function imported from the project, named get/find/fetch/load…, whose arguments name an id. Read
 * from the call's text; the import is looked up last.
 */
const LOOKUP_FUNCTION = /^(?:get|find|fetch|load)[A-Z][\w$]*$/;
const NAMES_ID = /(?<![\w$])[a-z][\w$]*Ids?\b|\.id\b/;

function looksUpById(input: CheckInput, call: Node, target: Callee): boolean {
  if (target.object !== undefined || !LOOKUP_FUNCTION.test(target.name)) return false;
  const argumentText = input.text.slice(target.nameRange.endIndex, call.endIndex);
  return NAMES_ID.test(argumentText) && importsFromProject(input, target.name);
}

/** Whether the file imports `name` from its own project (a relative or `@/`/`~/` path), not a package. */
function importsFromProject(input: CheckInput, name: string): boolean {
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(
    String.raw`\bimport\s+(?:[\w$]+\s*,\s*)?(?:\{[^}]*\b${escaped}\b[^}]*\}|${escaped})\s+from\s+['"](?:\.|@\/|~\/)|\b${escaped}\s*=\s*require\(\s*['"]\.`,
  ).test(input.text);
}

/**
 * Prisma's writes on a model (`prisma.link.update(…)`, `tx.tag.upsert(…)`, `this.prisma.user.delete(…)`):
 * each one a statement, like its reads.
 */
const PRISMA_WRITE = /^(?:create|createMany|update|updateMany|upsert|delete|deleteMany)$/;
const PRISMA_MODEL = /^(?:(?:this\.)?[\w$]*prisma[\w$]*|tx|trx|db|this\.db)\.[a-z][\w$]*$/i;

/**
 * Names bound to a Prisma client taken from another object: `const { client } = prisma`,
 * `const db = this.prisma.client`: its models' methods are Prisma's (`client.sessionData.updateMany(…)`).
 */
const PRISMA_CLIENT_ALIAS =
  /\b(?:const|let|var)\s+(?:\{([^{}=]*)\}|([A-Za-z_$][\w$]*))\s*=\s*(?:this\.)?[\w$]*prisma[\w$]*(?:\.[A-Za-z_$][\w$]*)?\s*[;\n]/gi;

function prismaClientAliases(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(PRISMA_CLIENT_ALIAS)) {
    const bound = match[1] ? match[1].split(',').map((part) => part.split(':').pop()?.trim() ?? '') : [match[2]];
    for (const name of bound) if (/^[A-Za-z_$][\w$]*$/.test(name)) names.add(name);
  }
  return names;
}

/** Whether a call's target runs a query, read per file (the handles, repositories and models the file names). */
function dataCallTest(input: CheckInput): (target: Callee) => boolean {
  let dataHandles: Set<string> | undefined;
  const isDataHandle = (name: string): boolean => (dataHandles ??= dataHandleNames(input)).has(name);
  let packageHandles: Set<string> | undefined;
  const isPackageHandle = (name: string): boolean => (packageHandles ??= dbPackageHandles(input.text)).has(name);
  // Each field's declaration read once per check (a scan of the whole text), not once per call on it.
  const inMemoryFields = new Map<string, boolean>();
  const isInMemoryRepository = (name: string): boolean => {
    let answer = inMemoryFields.get(name);
    if (answer === undefined) inMemoryFields.set(name, (answer = inMemoryRepository(input.text, name)));
    return answer;
  };
  let prisma: boolean | undefined;
  const usesPrisma = (): boolean => (prisma ??= /prisma/i.test(input.text));
  let prismaAliases: Set<string> | undefined;
  const isPrismaAlias = (object: string): boolean =>
    /^[\w$]+\.[a-z][\w$]*$/.test(object) &&
    (prismaAliases ??= prismaClientAliases(input.text)).has(object.slice(0, object.indexOf('.')));
  return ({ object, name }: Callee): boolean =>
    (object === undefined && RECORD_FUNCTION.test(name) && importsFromProject(input, name)) ||
    (object !== undefined &&
      !IN_MEMORY_OBJECT.test(object.replace(/^.*\./, '')) &&
      ((DATA_METHODS.has(name) && (DATA_OBJECT.test(object) || isDataHandle(object))) ||
        (MODEL_FINDERS.has(name) && MODEL_CLASS.test(object)) ||
        (PACKAGE_QUERY_METHOD.test(name) && isPackageHandle(object)) ||
        (PRISMA_WRITE.test(name) && (PRISMA_MODEL.test(object) || isPrismaAlias(object)) && usesPrisma()) ||
        (REPOSITORY_FIELD.test(object) &&
          !REPOSITORY_BUILDER.test(name) &&
          !isInMemoryRepository(object.slice('this.'.length)))));
}

/**
 * Queries whose result is rows: the data calls of the file (a project's lookup of one record by id is
 * one row), and Prisma's readers on a transaction's client (`tx.watcher.findMany(…)`).
 */
function rowsQueryTest(isDataCall: (target: Callee) => boolean): QueryTest {
  return (_call, target) =>
    (isDataCall(target) && !RECORD_FUNCTION.test(target.name)) ||
    (target.object !== undefined &&
      ((DATA_METHODS.has(target.name) && PRISMA_MODEL.test(target.object)) ||
        (LIST_QUERY_METHOD.test(target.name) && !IN_MEMORY_OBJECT.test(target.object.replace(/^.*\./, '')))));
}

/**
 * Methods that only ORMs name so, each returning a table's rows: on a scoped model, on `this` in a
 * model's static method, on a query builder (`Attachment.unscoped().findAll(…)`, `this.findAll(…)`,
 * `qb.getMany()`).
 */
const LIST_QUERY_METHOD = /^(?:findAll|findMany|findAndCountAll|getMany|getManyAndCount|getRawMany)$/;

const queryInLoop: RuleChecker = (input) => {
  const isDataCall = dataCallTest(input);
  const isQuery = rowsQueryTest(isDataCall);
  const loopsThatGrow = new Map<number, boolean>();
  const calls = jsCalls(input);
  const found: CallInLoop[] = [];
  const throughFunctions = new Map<number, Array<{ call: Node; callee: string; query: JsCall }>>();
  // The first query a same-file function runs, directly or through functions of the file it calls.
  const queries = new Map<string, JsCall | null>();
  const queryInside = (fn: Node, depth: number): JsCall | undefined => {
    const key = `${fn.id}:${depth}`;
    if (queries.has(key)) return queries.get(key) ?? undefined;
    queries.set(key, null);
    let found: JsCall | undefined;
    for (let at = firstCallFrom(calls, fn.startIndex); at < calls.length && !found; at += 1) {
      const inner = calls[at];
      if (inner.node.startIndex >= fn.endIndex) break;
      if (inRegisteredHandler(input, fn, inner.node)) continue;
      if (inner.target.text === 'fetch' || isDataCall(inner.target)) found = inner;
      else if (depth < QUERY_FUNCTION_DEPTH) {
        const next = sameFileFunction(input, inner.target);
        if (next && next.id !== fn.id) found = queryInside(next, depth + 1);
      }
    }
    queries.set(key, found ?? null);
    return found;
  };
  for (const { node: call, target } of calls) {
    const isFetch = target.text === 'fetch';
    const isData = isDataCall(target) || looksUpById(input, call, target);
    // A function of this file named the way a call in a loop calls it (`this.latestBeat(id)`, `loadStats(id)`).
    const mayRunQueries =
      !isFetch &&
      !isData &&
      (target.object === undefined || target.object === 'this' || /^[A-Z]/.test(target.object)) &&
      declaresFunction(input, target.name);
    if (!isFetch && !isData && !mayRunQueries) continue;
    const before = input.text.slice(Math.max(0, call.startIndex - 16), call.startIndex);
    const awaited = /\bawait\s*$/.test(before);
    const returnedFromArrow = /=>\s*$/.test(before);
    if (!awaited && !returnedFromArrow) continue;
    const loop = loopKind(input, call.startIndex, call.endIndex);
    if (!loop || (!awaited && loop !== 'callback')) continue;
    if (loop === 'loop' && inPaginationLoop(input, call.startIndex, call.endIndex)) continue;
    const body = loop === 'loop' ? enclosingLoop(input, call.startIndex, call.endIndex) : undefined;
    // `await R.store(bean); return days;`: the loop ends with its first query (a `break` that ends a
    // `case` of a switch inside the loop does not end the loop).
    const exit = /^\s*\)?\s*;?\s*(return|break)\b/.exec(input.text.slice(call.endIndex, call.endIndex + 80));
    if (exit && (exit[1] === 'return' || !body || !inSwitchCase(call, body.loop))) continue;
    const loopNode = body ? body.loop : enclosingFunction(input, call);
    if (!loopNode) continue;
    // Only a loop shown to grow with the data: over a query's rows, a request's or an upload's list.
    if (!growsWithData(input, loopNode, isQuery, loopsThatGrow)) continue;
    if (body && walksFixedList(input, body, target)) continue;
    if (body && inCaseOfLoopElement(call, body.loop)) continue;
    if (inMigration(input, call)) continue;
    // Once at start-up (`onModuleInit`, `init()`, `initTargets()`), or after reading the code's own
    // catalog of modules from disk: as many rows as the program defines, once per boot.
    if (declaresStartupMethod(input)) {
      const fn = enclosingFunction(input, call);
      const startup = fn && startupFunctionAround(input, fn);
      if (startup && !inRegisteredHandler(input, startup, call)) continue;
    }
    if (body && syncsCodeCatalog(input, body.loop)) continue;
    if (body && savesSettingsByKey(input, body.loop)) continue;
    if (body && dialectFallback(input, body.loop, call, target)) continue;
    if (mayRunQueries) {
      const fn = sameFileFunction(input, target);
      const query = fn && !(fn.startIndex <= call.startIndex && call.endIndex <= fn.endIndex) && queryInside(fn, 1);
      // A query the function runs in a loop of its own is reported there.
      if (!query || loopKind(input, query.node.startIndex, query.node.endIndex)) continue;
      const group = throughFunctions.get(loopNode.id);
      if (group) group.push({ call, callee: target.text, query });
      else throughFunctions.set(loopNode.id, [{ call, callee: target.text, query }]);
      continue;
    }
    const statement = isData ? resolvedStringBuild(input, firstArg(call)) : null;
    if (statement && SCHEMA_STATEMENT.test(statement.literal)) continue;
    found.push({ node: call, loop: loopNode, callee: target.text });
  }
  // The calls of one loop that run queries through functions of the file are one finding too.
  for (const [first, ...others] of throughFunctions.values()) {
    const named = [...new Set(others.map((other) => `\`${other.callee}\``))].slice(0, 3).join(', ');
    const more =
      others.length === 0
        ? ''
        : ` So ${others.length === 1 ? 'does 1 more call' : `do ${others.length} more calls`} in the same loop (${named}), shown as related locations.`;
    input.report(
      first.call,
      'query-in-loop',
      `\`${first.callee}\` runs a query (\`${first.query.target.text}\`, shown as a related location) once per loop iteration (N+1): latency and load grow with the data.${more}`,
      'Load what the loop needs for all items in one query before the loop (`WHERE id IN (…)`, a join or a DataLoader), or give the function a batch form.',
      undefined,
      undefined,
      [first.query.node, ...others.map((other) => other.call)],
    );
  }
  // As in Python and Go: the queries of one loop are one finding, the others related locations.
  reportPerLoop(
    input,
    found,
    'Fetch all rows in one query (`WHERE id IN (…)`, `findMany({ where: { id: { in: ids } } })`, a join or a DataLoader) before the loop.',
  );
};

/**
 * Whether a loop around `call` walks a collection shown to grow with the data (see growthOrigin): the
 * innermost loop, or one around it (a constant list walked once per row of a query still runs per row).
 * A `while` loop, a loop over one record's children, a capped query, a constant or a parameter that
 * nothing explains is not reported: its size is not shown to be the data's.
 */
function growsWithData(input: CheckInput, innermost: Node, isQuery: QueryTest, known: Map<number, boolean>): boolean {
  // The loops around, innermost first: the loop (or array-method callback) the call is in, then the
  // `for` statements around that one, found through the index of loop bodies.
  for (
    let loop: Node | undefined = innermost;
    loop;
    loop = enclosingLoop(input, loop.startIndex, loop.endIndex)?.loop
  ) {
    let grows = known.get(loop.id);
    if (grows === undefined && !mayShowGrowth(input, loop)) known.set(loop.id, (grows = false));
    if (grows === undefined) {
      // One record's list, a capped query's rows and a constant show no growth (growthOrigin stops there).
      const collection = loopCollection(loop);
      grows = !!collection && !!growthOrigin(input, collection, isQuery);
      // `for (const spaceId of spaceIds)`: one pass per tenancy container, few (namesTenancyContainer).
      if (grows && TENANCY_HINT.test(input.text.slice(loop.startIndex, loop.startIndex + 120)))
        grows = !namesTenancyContainer(loopItemName(loop));
      if (grows && walksOneTree(input, loop)) grows = false;
      known.set(loop.id, grows);
    }
    if (grows) return true;
  }
  return false;
}

/**
 * A loop that walks one tree, whose passes are as many as that tree is deep or wide at one node, not
 * as the data: a function that calls itself per element of the loop (`for (const sub of children) {
 * await deleteTree(sub.id); … }`: each level holds one node's children), or a counted loop that takes
 * one more segment of a path on each pass (`names.slice(0, i + 1).join('/')`: one lookup per ancestor
 * of one path, as a walk up a parent chain is).
 */
function walksOneTree(input: CheckInput, loop: Node): boolean {
  // Read from the text (a window from the loop's start) before the tree: only a loop that may take a
  // prefix or call the function it is in reads its own end and kind.
  const window = input.text.slice(loop.startIndex, loop.startIndex + 2000);
  const counter = /^for\s*\(\s*(?:let|var)\s+([A-Za-z_$][\w$]*)\s*=/.exec(window)?.[1];
  const escape = (name: string): string => name.replace(/[$.]/g, '\\$&');
  if (
    counter &&
    new RegExp(String.raw`\.\s*slice\(\s*0\s*,\s*${escape(counter)}\s*\+\s*1\s*\)\s*\.\s*join\(`).test(window)
  ) {
    const collection = loop.type === 'for_statement' ? loopCollection(loop)?.text : undefined;
    const prefix =
      collection &&
      new RegExp(
        String.raw`(?<![\w$.])${escape(collection)}\s*\.\s*slice\(\s*0\s*,\s*${escape(counter)}\s*\+\s*1\s*\)\s*\.\s*join\(`,
      );
    if (prefix && prefix.test(input.text.slice(loop.startIndex, loop.endIndex))) return true;
  }
  // The function around the loop (a callback's own span is skipped: the function that hands it over is
  // the one that may recurse): its own name (a declaration, a method), else the variable it is assigned to.
  const span = enclosingFunctionSpan(input, Math.max(0, loop.startIndex - 1), loop.startIndex);
  if (!span) return false;
  const head = input.text.slice(span.start, Math.min(span.end, span.start + 200));
  const before = input.text.slice(Math.max(0, span.start - 120), span.start);
  const name = [
    /^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(head)?.[1],
    /^(?:(?:public|private|protected|static|async|override)\s+)*\*?\s*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(/.exec(
      head,
    )?.[1],
    /([A-Za-z_$][\w$]*)\s*(?::[^=\n]*)?=\s*(?:async\s+)?$/.exec(before)?.[1],
  ].find((found) => found !== undefined && !/^(?:function|async|if|for|while|switch|catch|return)$/.test(found));
  if (!name) return false;
  // `deleteTree(sub.id)` or `this.deleteTree(sub.id)`, not `prisma.deleteTree(…)`.
  const call = new RegExp(String.raw`(?:(?<![\w$.])|(?<=(?<![\w$.])this\s*\.\s*))${escape(name)}\s*\(`);
  if (!call.test(window)) return false;
  const text = input.text.slice(loop.startIndex, loop.endIndex);
  return call.test(text.slice(text.indexOf('{') + 1));
}

/** Text a loop's head holds when it may walk tenancy containers (namesTenancyContainer's words). */
const TENANCY_HINT = /space|org|team|tenant|realm/i;
/**
 * The name of what a loop walks: a for-of/for-in loop's variable, an array-method callback's first
 * parameter, or the list a counted loop counts (`i < orgs.length` → `orgs`).
 */
function loopItemName(loop: Node): string | undefined {
  if (loop.type === 'for_in_statement') {
    const left = field(loop, 'left');
    return left?.type === 'identifier' ? left.text : undefined;
  }
  if (loop.type === 'for_statement') return loopCollection(loop)?.text.split('.').pop();
  const parameters = field(loop, 'parameters') ?? field(loop, 'parameter');
  const first = parameters?.type === 'identifier' ? parameters : named(parameters)[0];
  const name = (first ? (field(first, 'pattern') ?? first) : undefined)?.text;
  return name && /^[A-Za-z_$][\w$]*$/.test(name) ? name : undefined;
}

/**
 * What growth evidence looks like in the text (see growthOrigin): a query, a parser, the request, a
 * folder listing, a name or type for row ids. A loop with none of it in the text of the functions
 * around it, up to its own header, is answered without reading the tree.
 */
const GROWTH_HINT =
  /[\w$]*(?:find|get|fetch|load|list|select|query|execute|exec|raw|parse|readdir|glob|json|formData)[\w$]*\s*(?:<[^<>()]*>)?\s*\(|\b(?:req|request|body|input|query)\b|(?:Ids|IDs|_ids)\b|\bids\b|@Body|Parser\.Output|Parsed[A-Z]|ParseResult|\{\s*id\s*:/i;

function mayShowGrowth(input: CheckInput, loop: Node): boolean {
  const from = outermostFunctionStart(input, loop);
  // The loop's own header: its collection (`for (const x of await db.x.findMany())`, `rows.map(`).
  const headerEnd = JS_FUNCTIONS.has(loop.type) ? loop.startIndex : (field(loop, 'body')?.startIndex ?? loop.endIndex);
  return GROWTH_HINT.test(input.text.slice(from, headerEnd));
}

/** Where the outermost function around `node` starts (the values it is given may be given out there). */
function outermostFunctionStart(input: CheckInput, node: Node): number {
  let from = node.startIndex;
  // The function holding the character before each start, outward (a callback's own span is skipped).
  for (let span = from > 0 ? enclosingFunctionSpan(input, from - 1, from) : undefined; span && span.start < from;) {
    from = span.start;
    span = from > 0 ? enclosingFunctionSpan(input, from - 1, from) : undefined;
  }
  return from;
}

/** `for (const x of SOURCE)`, `for (let k in SOURCE)`, `for await (…)`: the variable and the source, from the header's text. */
const FOR_OF_HEADER = /^for\s*(?:await\s*)?\(\s*(?:const|let|var)?\s*([\s\S]*?)\s+(?:of|in)\s+([\s\S]+?)\s*\)\s*$/;

const fixedLoopSets = new WeakMap<
  CheckInput,
  Map<number, { variable: string; source: string; fixed: boolean } | null>
>();

/** A list held in the program's configuration object: `config.regions`, `APP.config.lang.namespaces`. */
const CONFIG_MEMBER = /^(?:[\w$]+\.)*config(?:\.[A-Za-z_$][\w$]*)+$/;

/** What a for-of/for-in loop walks and whether that is a fixed list (read once per loop, from the text first). */
function loopSource(input: CheckInput, body: LoopBody): { variable: string; source: string; fixed: boolean } | null {
  let loops = fixedLoopSets.get(input);
  if (!loops) fixedLoopSets.set(input, (loops = new Map()));
  const start = body.loop.startIndex;
  let found = loops.get(start);
  if (found === undefined) {
    const header = FOR_OF_HEADER.exec(input.text.slice(start, body.start).replace(/\{\s*$/, ''));
    if (!header) found = null;
    else {
      const [, variable, source] = header;
      let fixed =
        FIXED_SOURCE.test(source) ||
        CONFIG_MEMBER.test(source) ||
        (source.startsWith('[') && !source.includes('...') && !/^\[\s*\]$/.test(source));
      if (!fixed && mayHoldFixedList(input, source)) fixed = givenOnlyFixedLists(input, source, start);
      found = { variable, source, fixed };
    }
    loops.set(start, found);
  }
  return found;
}

/**
 * Whether every value the name is given before `at` is a written list or configuration, read from the
 * text: in the function around `at` (`const tables = ['a', 'b']`), or at the top level when the
 * function gives it nothing (`const KINDS = [ … ]`). A parameter of that name is input.
 */
function givenOnlyFixedLists(input: CheckInput, name: string, at: number): boolean {
  const escaped = name.replace(/\$/g, '\\$');
  const fn = enclosingFunctionSpan(input, at, at + 1);
  const scope = input.text.slice(fn ? fn.start : 0, at);
  const head = /^[^{]*?(?:\{|=>)/.exec(scope)?.[0] ?? '';
  if (fn && new RegExp(String.raw`(?<![\w$.])${escaped}(?![\w$])`).test(head)) return false;
  // The value's first line, or the whole list when one opens there (`= [` … `]` over several lines).
  const valueOf = (text: string, match: RegExpMatchArray): string => {
    const value = match[1];
    if (!value.startsWith('[')) return value;
    const open = (match.index ?? 0) + match[0].length - value.length;
    const close = closingBracket(text, open);
    return close < 0 ? value : text.slice(open, close + 1);
  };
  const assignment = new RegExp(
    String.raw`(?<![\w$.])${escaped}\s*(?::[^=;\n]*)?=(?![=>])\s*(?:await\s+)?([^;\n]*)`,
    'g',
  );
  let values = [...scope.matchAll(assignment)].map((match) => valueOf(scope, match));
  if (values.length === 0 && fn) {
    const topLevel = new RegExp(
      String.raw`^(?:export\s+)?(?:const|let|var)\s+${escaped}\s*(?::[^=;\n]*)?=\s*([^;\n]*)`,
      'gm',
    );
    values = [...input.text.matchAll(topLevel)].map((match) => valueOf(input.text, match));
  }
  return (
    values.length > 0 &&
    values.every((value) => FIXED_SOURCE.test(value) || (/^\[(?!\s*\])/.test(value) && !value.includes('...')))
  );
}

/**
 * A loop that is not an N+1: it walks a list written in the code or read from configuration
 * (`for (const table of ['stat_minutely', 'stat_hourly'])`), or runs a list of statements
 * (`for (const statement of statements) await db.exec(statement)`), one query per statement by nature.
 */
function walksFixedList(input: CheckInput, body: LoopBody, target: Callee): boolean {
  const walked = loopSource(input, body);
  if (!walked) return false;
  if (walked.fixed) return true;
  // `await R.exec(statement)`: the loop variable is the SQL, named as such.
  const first = /^\s*\(\s*([A-Za-z_$][\w$]*)\s*[,)]/.exec(
    input.text.slice(target.nameRange.endIndex, target.nameRange.endIndex + 100),
  );
  return (
    !!first &&
    first[1] === walked.variable &&
    /statement|stmt|sql|quer(?:y|ies)|command/i.test(`${walked.variable} ${walked.source}`) &&
    /^(?:exec\w*|query|raw|run|unsafe)$/.test(target.name)
  );
}

/** Functions that migrate or seed the schema's data: run once per upgrade, not per request. */
const MIGRATION_FUNCTION = /^(?:migrat|seed)|Migrat/i;
/** A database class's `patch…` methods apply schema patches (`Database.patchSqlite2()`); elsewhere `patch` is an HTTP verb. */
const DATABASE_CLASS = /Database|Migrat|Schema|^Db$/;
const MIGRATION_TEXT = /migrat|seed|\bpatch/i;
/**
 * Where a function is declared under a name, from the text: `function migrate(`, `async migrateStats(…) {`,
 * `static async patchSqlite2() {`, `const seedUsers = async (…) =>`. The name is group 1.
 */
const FUNCTION_DECLARATION =
  /(?<![\w$.])(?:function\s*\*?\s*)?([A-Za-z_$][\w$]*)\s*(?:[=:]\s*(?:async\s*)?(?:function\b|\([^()]*\)\s*(?::[^=;{]*)?=>|[A-Za-z_$][\w$]*\s*=>)|(?:<[^<>()]*>)?\([^()]*\)\s*(?::[^;{}=]*)?\{)/g;
const migrationSpanLists = new WeakMap<CheckInput, Array<{ start: number; end: number }>>();

/**
 * The functions of a file named for a migration (`migrateAggregateTable`, `runMigrations`, `seedUsers`)
 * or a `patch…` method of a database class, as spans: found in the text, then matched to the
 * function that starts where the name is declared.
 */
function migrationSpans(input: CheckInput): Array<{ start: number; end: number }> {
  let spans = migrationSpanLists.get(input);
  if (spans) return spans;
  spans = [];
  if (MIGRATION_TEXT.test(input.text) && mayDeclareMigration(input)) {
    for (const match of input.text.matchAll(FUNCTION_DECLARATION)) {
      const name = match[1];
      const patch = /^patch/.test(name) && DATABASE_CLASS.test(classBefore(input, match.index));
      if (!MIGRATION_FUNCTION.test(name) && !patch) continue;
      const fn = functionStartingIn(input, match.index - 40, match.index + match[0].length);
      if (fn) spans.push(fn);
    }
  }
  migrationSpanLists.set(input, spans);
  return spans;
}

/** Where migrationSpans' names can stand: in a name, anywhere (MIGRATION_FUNCTION, `patch…`). */
const MIGRATION_WORD = /migrat|seed|patch/gi;
/** What follows a name in each of FUNCTION_DECLARATION's shapes (sticky, at the name's end). */
const AFTER_DECLARED_NAME = /\s*[=:(<]/y;

/**
 * Whether FUNCTION_DECLARATION can find a name migrationSpans keeps: some name holding one of its
 * words (or what follows a `function` written against it, `functionseedUsers`) that the name filter
 * accepts, not after a `.` (the pattern's lookbehind), followed by `=`, `:`, `(` or `<`. Without
 * one the spans are empty, and the scan of the whole text (the pattern starts at every word) is
 * skipped; `router.patch(`, a `patch:` key outside a database class and words in text do not count.
 */
function mayDeclareMigration(input: CheckInput): boolean {
  const text = input.text;
  for (const word of text.matchAll(MIGRATION_WORD)) {
    let start = word.index;
    while (start > 0 && isNameCharacter(text.charCodeAt(start - 1))) start -= 1;
    let end = word.index + word[0].length;
    while (end < text.length && isNameCharacter(text.charCodeAt(end))) end += 1;
    if (start > 0 && text.charCodeAt(start - 1) === 0x2e) continue;
    AFTER_DECLARED_NAME.lastIndex = end;
    if (!AFTER_DECLARED_NAME.test(text)) continue;
    const name = text.slice(start, end);
    for (const candidate of name.startsWith('function') ? [name, name.slice('function'.length)] : [name]) {
      if (MIGRATION_FUNCTION.test(candidate)) return true;
      if (/^patch/.test(candidate) && DATABASE_CLASS.test(classBefore(input, start))) return true;
    }
  }
  return false;
}

/** Whether the call is inside a function named for a migration (see migrationSpans). */
function inMigration(input: CheckInput, call: Node): boolean {
  return migrationSpans(input).some((span) => span.start <= call.startIndex && call.endIndex <= span.end);
}

const LIMITER_NAME = /(limit|throttle|semaphore|sem\b|queue|pool|mutex|bottleneck)/i;
/**
 * Names of a bounded piece of a collection: a batch, a chunk, a slice, a window, the first or top
 * few, one page of results (`page`, `pageItems`, `page.rows`). A list of pages is not one
 * (`documentPages`, `pages`: the plural names the elements, as many as the document or the data has).
 */
const BOUNDED_WORD = /(batch|chunk|slice|window|first|top)/i;
const ONE_PAGE = /[Pp]age(?!s(?![a-z]))|PAGE(?!S)/;
const BOUNDED_SOURCE = { test: (name: string): boolean => BOUNDED_WORD.test(name) || ONE_PAGE.test(name) };
const IO_CALL =
  /^(fetch|axios|got|request)$|\.(query|find\w*|get|post|put|patch|delete|send|request|fetch|read\w*|write\w*|save|create\w*|update\w*|upsert|insert\w*|publish|exec\w*|upload\w*|download\w*|invoke|call|emit|process\w*|handle\w*)$/;

/** Functions the program registered itself (shutdown handlers, hooks, listeners): as many as the code has, not the data. */
const CODE_COLLECTION =
  /(?:(?<=[a-z0-9])(?:Handlers|Callbacks|Hooks|Listeners|Middlewares|Plugins|Disposers|Finalizers|Cleanups)|(?<![A-Za-z0-9])(?:[Hh]andlers|[Cc]allbacks|[Hh]ooks|[Ll]isteners|[Mm]iddlewares|[Pp]lugins|[Dd]isposers|[Ff]inalizers|[Cc]leanups))$/;

/** What a model or schema declares (`relations`, `fields`, `columns`): as many as the code declares. */
const SCHEMA_LIST = /(?:^|[._$]|(?<=[a-z0-9])(?=[A-Z]))(?:[Rr]elations|[Cc]olumns|[Aa]ttributes)$/;
/** The program's own services (`this.getDataProviderServices()`): as many as the code registers, not rows. */
const SERVICE_LIST = /(?:^|[._$]|(?<=[a-z0-9])(?=[A-Z]))[Ss]ervices$/;

/** Where a fixed, small collection comes from: configuration, static data files, bundled JSON. */
const FIXED_SOURCE =
  /\b(?:config|settings|nconf)\s*\.\s*get\s*[<(]|\b(?:load|read|get)Static\w*\s*\(|\brequire\(\s*['"][^'"]+\.json['"]\s*\)/;

/**
 * Whether the text ever gives this name a written list or configuration (`const kinds = [`,
 * `regions = config.get(…)`): a name never given one is not looked up in the tree.
 */
function mayHoldFixedList(input: CheckInput, name: string): boolean {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return false;
  // Once per name and check: every loop over the same collection asked again, a scan of the whole text each.
  let known = fixedListNames.get(input);
  if (!known) fixedListNames.set(input, (known = new Map()));
  let answer = known.get(name);
  if (answer === undefined)
    known.set(
      name,
      (answer = new RegExp(
        String.raw`(?<![\w$.])${name.replace(/\$/g, '\\$')}\s*(?::[^=;]*)?=\s*(?:await\s+)?(?:\[|[^;\n]*(?:config|settings|nconf|Static|require\())`,
        'i',
      ).test(input.text)),
    );
  return answer;
}

const fixedListNames = new WeakMap<CheckInput, Map<string, boolean>>();

/**
 * A collection written out in the code (`const baskets = [ … ]`) or read from configuration or a
 * static data file: its size is fixed by the team, not by users or the database.
 */
function isFixedCollection(input: CheckInput, source: Node): boolean {
  const text = source.text;
  if (FIXED_SOURCE.test(text)) return true;
  if (!mayHoldFixedList(input, text) || source.type !== 'identifier') return false;
  const value = unwrap(valueAssigned(input, source));
  const inner = value?.type === 'await_expression' ? unwrap(value.namedChildren[0] ?? null) : value;
  // An empty `[]` is filled later, from anything.
  return !!inner && (isWrittenList(inner) || FIXED_SOURCE.test(inner.text));
}

/** A list written out item by item (`['eu', 'us']`); an empty one or one spreading another (`[...new Set(ids)]`) is not. */
function isWrittenList(node: Node): boolean {
  return (
    node.type === 'array' &&
    node.namedChildCount > 0 &&
    !node.namedChildren.some((child) => child?.type === 'spread_element')
  );
}

/** Array methods that take a callback: `rows.find((r) => r.id === id)` searches memory, not a table. */
const ARRAY_CALLBACK_METHODS =
  /^(?:find|findIndex|findLast|findLastIndex|filter|some|every|map|flatMap|forEach|reduce|sort)$/;
/** Waiting for work already started (`job.finished()`, `task.wait()`): nothing new begins per element. */
const WAIT_METHODS = /^(?:finished|wait\w*|done|settled?|join|whenReady)$/;
/** The arguments of a call open with a function: `(item) =>`, `(async (x) =>`, `(function (x)`, `(x =>`. */
const CALLBACK_ARGUMENT =
  /^\s*\(\s*(?:async\s*)?(?:\([^()]*(?:\([^()]*\)[^()]*)*\)|[A-Za-z_$][\w$]*)\s*(?::[^=()]*)?=>|^\s*\(\s*(?:async\s+)?function\b/;
/** Lookups in a collection held in memory: `lastPriceByKey.get(k)`, `seenIds.has(id)`. */
const IN_MEMORY_OBJECT = /(?:Map|Set|Cache|Index|Lookup|By[A-Z][\w$]*)$|^(?:map|set|cache|index|lookup)$/;

/**
 * Whether a mapping callback starts I/O for each element: it awaits a call, or it calls something
 * that reads or writes elsewhere (`return this.prisma.order.update(…)`). An `async` callback that
 * awaits only values already in flight and shapes data in memory (`rows.find((r) => …)`,
 * `priceMap.get(key)`) starts nothing.
 */
function startsIo(input: CheckInput, callback: Node, calls: readonly Node[], depth = 0): boolean {
  const { text } = input;
  const isAsync = isAsyncFunction(callback);
  const combines = /\bPromise\s*\.\s*(?:all|allSettled|race|any)\s*\(\s*\[/.test(
    text.slice(callback.startIndex, callback.endIndex),
  );
  for (const node of calls) {
    const before = text.slice(Math.max(callback.startIndex, node.startIndex - 40), node.startIndex);
    // Awaited or handed back to Promise.all: `await repo.save(x)`, `return item.archive()`, `(b) => b.archive()`.
    // An element of a combinator's list (`await Promise.all([svc.a(x), svc.b(x)])`) is started and awaited.
    const awaited =
      (isAsync && /\bawait\s*\(?\s*$/.test(before)) ||
      (combines && /[[,]\s*$/.test(before) && isCombinatorElement(node));
    const returned = /\breturn\s*\(?\s*$|=>\s*\(?\s*$/.test(before);
    const target = callee(node);
    if (!target) continue;
    if (target.object !== undefined && IN_MEMORY_OBJECT.test(target.object.replace(/^.*\./, ''))) continue;
    if (
      ARRAY_CALLBACK_METHODS.test(target.name) &&
      CALLBACK_ARGUMENT.test(text.slice(target.nameRange.endIndex, target.nameRange.endIndex + 200))
    )
      continue;
    // Waiting on work already started, combining promises (their arguments are read on their own),
    // and signing or reading a token in memory start nothing.
    if (WAIT_METHODS.test(target.name) || target.object === 'Promise' || isTokenComputation(target)) continue;
    // Closing or stopping what is held (`closeAsync(fd)`, `job.stop()`): releasing loads nothing.
    if (RELEASE_METHOD.test(target.name)) continue;
    if (!awaited && !returned && !IO_CALL.test(target.text)) continue;
    // A function of this file: what it does decides (`await this.prepareContent(item)` that only signs tokens).
    const fn = depth < 2 ? sameFileFunction(input, target) : undefined;
    if (fn && (fn.endIndex <= callback.startIndex || fn.startIndex >= callback.endIndex)) {
      if (startsIo(input, fn, descendants(fn, 'call_expression'), depth + 1)) return true;
      continue;
    }
    return true;
  }
  return false;
}

/** Releasing a resource held in memory: a descriptor, a timer, a job, a connection. */
const RELEASE_METHOD = /^(?:close|stop|quit|disconnect|terminate|dispose|kill|unref)(?:Async|Sync)?$/;

/** Whether a call is an item of the list given to `Promise.all([…])` / `allSettled` / `race` / `any`. */
function isCombinatorElement(node: Node): boolean {
  const list = node.parent;
  const argumentList = list?.type === 'array' ? list.parent : null;
  const combinator = argumentList?.type === 'arguments' ? argumentList.parent : null;
  return !!combinator && callee(combinator)?.object === 'Promise';
}

/** JWT libraries and services: `jwt.sign(payload, key)`, `this.jwtService.signAsync(payload)`. */
const JWT_OBJECT = /(?:^|\.)(?:jwt|jose|jsonwebtoken|[\w$]*[jJ]wt(?:Service|Helper)?)$/;
const JWT_METHOD = /^(?:sign|signAsync|verify|verifyAsync|decode)$/;
/** A service named for tokens (`this.tokenService`) making a signed token: `generateAttachmentToken`, `signDownloadToken`. */
const TOKEN_SERVICE = /(?:^|\.)[\w$]*[tT]oken(?:Service|Helper|Signer)$/;
/** Tokens that are usually stored when made (refresh, session, reset, API keys): their making writes somewhere. */
const STORED_TOKEN = /Refresh|Session|Reset|Api|Invite|Verification|Recovery|Persist|Store|Save/;

/**
 * A call that signs or verifies a JWT in memory: CPU work on a key the process holds, no I/O. A
 * fan-out of those floods nothing.
 */
function isTokenComputation({ object, name }: Callee): boolean {
  if (object === undefined) return false;
  if (JWT_OBJECT.test(object)) return JWT_METHOD.test(name);
  return TOKEN_SERVICE.test(object) && /^(?:sign\w*|generate\w*Token)$/.test(name) && !STORED_TOKEN.test(name);
}

/**
 * `for (const group of chunk(requests, 10)) { await Promise.all(group.map(…)) }`: the mapped name is
 * the variable of a loop over chunks, batches or pages, so each fan-out is one bounded group. Read
 * from the text of the 2,000 characters before the call.
 */
function isChunkOfLoop(text: string, name: string, at: number): boolean {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return false;
  const escaped = name.replace(/\$/g, '\\$');
  const loop = new RegExp(`\\bfor\\s*\\(\\s*(?:const|let|var)\\s+${escaped}\\s+of\\s+([^;{]{1,200})\\)\\s*\\{`, 'g');
  let last: RegExpExecArray | undefined;
  for (const match of text.slice(Math.max(0, at - 2000), at).matchAll(loop)) last = match;
  return !!last && BOUNDED_SOURCE.test(last[1]);
}

/**
 * `Promise.all(promises)` where `promises` was filled in a loop over a collection
 * (`for (const id in monitors) { promises.push(sendStats(id)) }`): the same fan-out as a `.map`,
 * one operation per element at once. Returns the collection the loop walks, or undefined.
 */
function pushedInLoop(input: CheckInput, call: Node, name: string): string | undefined {
  const fn = enclosingFunction(input, call);
  const calls = jsCalls(input);
  for (let at = firstCallFrom(calls, fn ? fn.startIndex : 0); at < calls.length; at += 1) {
    const { node, target } = calls[at];
    if (node.startIndex >= call.startIndex) break;
    if (target.object !== name || target.name !== 'push') continue;
    // The promise itself is pushed (`push(send(id))`), not its awaited value (`push(await send(id))`).
    const pushed = unwrap(firstArg(node));
    if (pushed?.type !== 'call_expression') continue;
    const pushedCallee = callee(pushed);
    if (
      !pushedCallee ||
      WAIT_METHODS.test(pushedCallee.name) ||
      LIMITER_NAME.test(pushedCallee.text) ||
      isTokenComputation(pushedCallee)
    )
      continue;
    const body = enclosingLoop(input, node.startIndex, node.endIndex);
    if (!body || (fn && body.loop.startIndex < fn.startIndex)) continue;
    // `for (const x of xs)` / `for (const k in map)`: the loop walks a collection whose size is the data's.
    const walked = loopSource(input, body);
    if (!walked || walked.fixed) continue;
    const { source } = walked;
    // `this.getDataProviderServices()`, `relations.values()` are named for what they hold.
    const named = source.replace(/\([^()]*\)$/, '').replace(/\.(?:values|keys|entries)$/, '');
    if (BOUNDED_SOURCE.test(source) || CODE_COLLECTION.test(named) || CONFIGURED_KINDS.test(named)) continue;
    if (SERVICE_LIST.test(named) || SCHEMA_LIST.test(named)) continue;
    if (isChunkOfLoop(input.text, source, body.loop.startIndex)) continue;
    const collection = loopCollection(body.loop);
    if (!collection || !fansOutOverData(input, collection)) continue;
    return source;
  }
  return undefined;
}

/** The collection a `Promise.all(xs.map(cb))` fans out over, when the mapping starts I/O per element without a cap. */
function mappedFanOut(input: CheckInput, call: Node, target: Callee): string | undefined {
  // Read from the text first: most `Promise.all` calls take a list of calls, not a mapping.
  const argumentText = input.text.slice(target.nameRange.endIndex, target.nameRange.endIndex + 400);
  if (!/\.\s*map\s*\(/.test(argumentText) || /^\s*\(\s*\[/.test(argumentText)) return undefined;
  const mapped = unwrap(firstArg(call));
  if (!mapped || mapped.type !== 'call_expression') return undefined;
  const mapCallee = callee(mapped);
  if (!mapCallee || mapCallee.name !== 'map' || mapCallee.object === undefined) return undefined;
  // The cheap tests first (the callee's text, then the callback), the source's assignments last.
  const { object } = mapCallee;
  if (BOUNDED_SOURCE.test(object) || CODE_COLLECTION.test(object) || CONFIGURED_KINDS.test(object)) return undefined;
  if (SERVICE_LIST.test(object)) return undefined;
  if (isChunkOfLoop(input.text, mapCallee.object, call.startIndex)) return undefined;
  const callback = unwrap(firstArg(mapped));
  if (!callback || !JS_FUNCTIONS.has(callback.type)) return undefined;
  const calls = descendants(callback, 'call_expression');
  const inner = calls.map((node) => callee(node)).filter((c) => c !== undefined);
  if (inner.some((c) => LIMITER_NAME.test(c.name) || (c.object !== undefined && LIMITER_NAME.test(c.object))))
    return undefined;
  if (!startsIo(input, callback, calls)) return undefined;
  const source = unwrap(field(field(mapped, 'function'), 'object'));
  if (!source || source.type === 'array' || BOUNDED_SOURCE.test(source.text) || CODE_COLLECTION.test(source.text))
    return undefined;
  if (source.type === 'identifier' && isBatchParameter(input, call, source.text)) return undefined;
  if (isFixedCollection(input, source)) return undefined;
  // Inside an interactive transaction the callback's queries share one connection: they queue.
  if (throughTransaction(input, call, callback)) return undefined;
  // Only a collection shown to grow with the data (a query's rows, a parsed document, a list of row
  // ids); one record's list, a capped query's rows, one request's list or a constant shows none.
  return fansOutOverData(input, source) ? source.text : undefined;
}

/**
 * Whether a fan-out's collection is shown to grow with the data (see growthOrigin): the rows of a query
 * without a limit, a parsed document, a list of row ids. One request's own list is as long as one
 * client sends, and the pool queues the rest; it is left to query-in-loop.
 */
function fansOutOverData(input: CheckInput, collection: Node): boolean {
  if (!GROWTH_HINT.test(input.text.slice(outermostFunctionStart(input, collection), collection.endIndex))) return false;
  const grown = growthOrigin(input, collection, rowsQueryTest(dataCallTest(input)));
  return grown !== undefined && grown !== 'request';
}

/** A function named for one batch of work: `processBatch(links)`, `handleChunk(rows)`, `sendBatch(messages)`. */
const BATCH_FUNCTION = /(?:^|[a-z0-9_$])(?:[Bb]atch|[Cc]hunk)(?:[A-Z_$]|$)|^(?:batch|chunk)/;

/**
 * Whether `name` is a parameter of a function named for a batch (see BATCH_FUNCTION): its callers cut
 * the batch to size, and fanning out over it is the point.
 */
function isBatchParameter(input: CheckInput, call: Node, name: string): boolean {
  if (!/[Bb]atch|[Cc]hunk/.test(input.text)) return false;
  // Read from the text first: the function's name is written just before or at its start.
  const span = enclosingFunctionSpan(input, call.startIndex, call.endIndex);
  if (!span || !/[Bb]atch|[Cc]hunk/.test(input.text.slice(Math.max(0, span.start - 80), span.start + 80))) return false;
  const fn = enclosingFunction(input, call);
  const fnName = fn && functionName(fn);
  if (!fn || !fnName || !BATCH_FUNCTION.test(fnName)) return false;
  return named(field(fn, 'parameters')).some(
    (param) => (field(param, 'pattern') ?? param).text.replace(/[:?=][\s\S]*$/, '').trim() === name,
  );
}

const unboundedConcurrency: RuleChecker = (input) => {
  // Fan-outs over the same collection in one function are one decision (load five facts for every
  // monitor at once): one finding at the first, the others as related locations.
  const fanOuts: Array<{ key: string; at: { startIndex: number; endIndex: number } }> = [];
  for (const { node: call, target } of jsCalls(input)) {
    if (target.object !== 'Promise' || (target.name !== 'all' && target.name !== 'allSettled')) continue;
    const first = unwrap(firstArg(call));
    const source =
      first?.type === 'identifier' ? pushedInLoop(input, call, first.text) : mappedFanOut(input, call, target);
    if (!source) continue;
    const at = field(call, 'function') ?? call;
    const fn = enclosingFunction(input, call);
    fanOuts.push({
      key: `${fn ? fn.startIndex : -1 - call.startIndex} ${source}`,
      at: { startIndex: at.startIndex, endIndex: at.endIndex },
    });
  }
  for (const group of groupedBy(fanOuts, (item) => item.key)) {
    const [first, ...others] = group.map((item) => item.at);
    const more =
      others.length === 0
        ? ''
        : ` ${others.length} more fan-out${others.length === 1 ? '' : 's'} over the same collection in this function (related locations) do the same.`;
    input.report(
      first,
      'unbounded-concurrency',
      `\`${input.text.slice(first.startIndex, first.endIndex).replace(/\s+/g, '')}\` starts one operation per element at once: a large input floods the database, the API or the socket pool.${more}`,
      'Cap concurrency: p-limit / p-map with `{ concurrency: n }`, or process the array in fixed-size chunks.',
      undefined,
      undefined,
      others,
    );
  }
};

const PAIR: ReadonlySet<string> = new Set(['pair']);
const MEMBER: ReadonlySet<string> = new Set(['member_expression']);
const ASSIGNMENT: ReadonlySet<string> = new Set(['assignment_expression']);

/** Options of HTTP clients and database drivers that turn certificate checks off when given this value. */
const TLS_OFF_OPTION =
  /\b(?:(?:rejectUnauthorized|strictSSL|sslValidate)['"`]?\s*:\s*false\b|(?:tlsAllowInvalidCertificates|tlsAllowInvalidHostnames|tlsInsecure)['"`]?\s*:\s*true\b|NODE_TLS_REJECT_UNAUTHORIZED['"`]?\s*:\s*(['"`]?)0\1(?![\w.]))/g;
/**
 * Browser automation told to accept any certificate: Playwright's `ignoreHTTPSErrors: true` (a context or
 * a launch), Puppeteer's `ignoreHTTPSErrors`/`acceptInsecureCerts: true`, WebDriver's `acceptInsecureCerts`.
 */
const BROWSER_TLS_OFF_OPTION = /\b(?:ignoreHTTPSErrors|acceptInsecureCerts)['"`]?\s*:\s*true\b/g;
/** `agent.options.rejectUnauthorized = false`, `opts['rejectUnauthorized'] = false`: the same option set after the object is built. */
const TLS_OFF_ASSIGNMENT = /\brejectUnauthorized['"`]?\]?\s*=\s*false\b/g;
/** `checkServerIdentity: () => undefined`: a hostname check that accepts every certificate's name. */
const SERVER_IDENTITY = /\bcheckServerIdentity['"`]?\s*:/g;

/** A function that does nothing and returns nothing: `() => {}`, `() => undefined`, `function () { return; }`. */
function acceptsEverything(fn: Node | null): boolean {
  const value = unwrap(fn);
  if (!value || !JS_FUNCTIONS.has(value.type)) return false;
  const body = unwrap(field(value, 'body'));
  if (!body) return false;
  if (body.type === 'undefined' || body.type === 'null') return true;
  if (body.type !== 'statement_block') return false;
  const statements = named(body).filter((child) => child.type !== 'comment');
  return (
    statements.length === 0 ||
    (statements.length === 1 &&
      statements[0].type === 'return_statement' &&
      /^return\s*(?:undefined|null)?\s*;?$/.test(statements[0].text))
  );
}

const tlsVerificationDisabled: RuleChecker = (input) => {
  // Written only on the branch taken when a setting named for it is on (`if (cfg.skipTlsVerify)`,
  // `opts.insecure ? { rejectUnauthorized: false } : {}`): that setting's value, as in Go and Python.
  for (const pair of nodesAtMatches(input, TLS_OFF_OPTION, PAIR)) {
    if (underTlsOptIn(pair, input)) continue;
    const key = unquote(field(pair, 'key')?.text ?? '');
    input.report(
      pair,
      'tls-verification-disabled',
      key === 'NODE_TLS_REJECT_UNAUTHORIZED'
        ? '`NODE_TLS_REJECT_UNAUTHORIZED: 0` in an environment turns off certificate checks for every TLS connection of that process.'
        : `\`${pair.text.replace(/\s+/g, ' ')}\` accepts any certificate: anyone on the path can read and change this traffic.`,
      "Remove it; for a private CA pass `ca: fs.readFileSync(caPath)` (or the driver's CA option) instead.",
    );
  }
  for (const assignment of nodesAtMatches(input, TLS_OFF_ASSIGNMENT, ASSIGNMENT)) {
    const left = field(assignment, 'left');
    if (
      !left ||
      !/rejectUnauthorized['"`]?\]?$/.test(left.text) ||
      unwrap(field(assignment, 'right'))?.type !== 'false' ||
      underTlsOptIn(assignment, input)
    )
      continue;
    input.report(
      assignment,
      'tls-verification-disabled',
      '`rejectUnauthorized = false` accepts any certificate: anyone on the path can read and change this traffic.',
      'Remove it; for a private CA pass `ca: fs.readFileSync(caPath)` instead.',
    );
  }
  for (const pair of nodesAtMatches(input, SERVER_IDENTITY, PAIR)) {
    if (!acceptsEverything(field(pair, 'value')) || underTlsOptIn(pair, input)) continue;
    input.report(
      pair,
      'tls-verification-disabled',
      '`checkServerIdentity` that returns nothing accepts a certificate issued for any host name.',
      'Remove it (Node checks the host name by default), or call `tls.checkServerIdentity(host, cert)` and add checks to it.',
    );
  }
  for (const pair of nodesAtMatches(input, BROWSER_TLS_OFF_OPTION, PAIR)) {
    if (unwrap(field(pair, 'value'))?.type !== 'true' || underTlsOptIn(pair, input)) continue;
    reportBrowserTlsOff(input, pair, 'option');
  }
  for (const literal of nodesAtMatches(input, BROWSER_TLS_OFF_SWITCH, STRING_TYPES, 1)) {
    // An element of the browser's argument list or an argument of a call (`args.push(…)`, `addArguments(…)`).
    const holder = literal.parent?.type;
    if ((holder !== 'array' && holder !== 'arguments') || underTlsOptIn(literal, input)) continue;
    reportBrowserTlsOff(input, literal, 'switch');
  }
  for (const assignment of nodesAtMatches(
    input,
    /\bNODE_TLS_REJECT_UNAUTHORIZED['"`]?\]?\s*=\s*(['"`]?)0\1(?![\w.])/g,
    ASSIGNMENT,
  )) {
    if (underTlsOptIn(assignment, input)) continue;
    input.report(
      assignment,
      'tls-verification-disabled',
      'Setting `NODE_TLS_REJECT_UNAUTHORIZED` to 0 turns off certificate checks for every TLS connection in the process.',
      'Remove it; trust a private CA with `NODE_EXTRA_CA_CERTS` or a per-client `ca` option.',
    );
  }
};

/** A doc comment that says the value must resist guessing. */
const SECURE_INTENT = /\b(?:secure(?:ly)?|cryptographic(?:ally)?|unguessable|unpredictable|hard to guess)\b/i;
/** ... unless it says the opposite (`not cryptographically secure, fine for jitter`). */
const NOT_SECURE = /\b(?:not|non|isn't|is not|no need|doesn't need|insecure)\b/i;
/** An authorisation flow's name: the values its store or service makes are anti-forgery handles. */
const AUTH_FLOW = /\b(?:oidc|o ?auth ?2?|open ?id|sso|saml|csrf|xsrf|pkce)\b/;
const FLOW_VALUE = /\b(?:state|states|handle|nonce|verifier|challenge)\b/;

/** Lower-case words of identifiers: `OidcStateStore generateHandle` → `oidc state store generate handle`. */
function identifierWords(names: string): string {
  return names
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ');
}

/** The comment right above the function starting at `start` (a `/** … *\/` block or `//` lines), or ''. */
function leadingComment(text: string, start: number): string {
  // `export function f`, `export const f = () =>`: the declaration's keywords stand between the comment and the function.
  const before = text
    .slice(Math.max(0, start - 1500), start)
    .replace(/(?:\b(?:export|default|async|const|let|var|[A-Za-z_$][\w$]*\s*=)\s*)+$/, '')
    .replace(/\s+$/, '');
  if (before.endsWith('*/')) return before.slice(before.lastIndexOf('/*'));
  const lines = before.split('\n');
  const comment: string[] = [];
  while (lines.length > 0 && /^\s*\/\//.test(lines[lines.length - 1])) comment.unshift(lines.pop() ?? '');
  return comment.join('\n');
}

const classDeclarations = new WeakMap<CheckInput, { starts: number[]; names: string[] }>();

/** The name of the last class declared before `offset` (the class a method most likely belongs to). */
function classBefore(input: CheckInput, offset: number): string {
  let classes = classDeclarations.get(input);
  if (!classes) {
    const found = [...input.text.matchAll(/\bclass\s+([A-Za-z_$][\w$]*)/g)];
    classes = { starts: found.map((match) => match.index), names: found.map((match) => match[1]) };
    classDeclarations.set(input, classes);
  }
  const at = lastStartingBy(classes.starts, offset - 1);
  return at >= 0 ? classes.names[at] : '';
}

/**
 * A random value made for a secret: its binding or function is named for one (randomBuildsSecret),
 * the function's doc comment asks for a secure value (`Generate a cryptographically secure random
 * handle`), or it makes the `state`/`nonce`/handle of an OAuth/OIDC flow (`OidcStateStore.generateHandle`).
 */
function buildsSecret(input: CheckInput, call: Node, fn: Node | null): boolean {
  const fnName = fn ? functionName(fn) : undefined;
  if (randomBuildsSecret(bindingName(call), fnName)) return true;
  if (!fn) return false;
  // A comment above the function, read from the text before any other tree read.
  const comment = leadingComment(input.text, fn.startIndex);
  if (SECURE_INTENT.test(comment) && !NOT_SECURE.test(comment)) return true;
  // An anonymous callback (`Array.from({ length: 4 }, () => Math.random()…)`) serves the function around it.
  let named: Node | null = fn;
  let name = fnName;
  for (let depth = 0; named && name === undefined && depth < 3; depth += 1) {
    named = enclosingFunction(input, named);
    name = named ? functionName(named) : undefined;
    if (named && depth === 0) {
      const outer = leadingComment(input.text, named.startIndex);
      if (SECURE_INTENT.test(outer) && !NOT_SECURE.test(outer)) return true;
    }
  }
  if (!named || name === undefined) return false;
  if (named !== fn && randomBuildsSecret(undefined, name)) return true;
  // The flow may be named by the class (`OidcStateStore`), the value must be named by the function (`generateHandle`).
  const fnWords = identifierWords(name);
  if (!FLOW_VALUE.test(fnWords)) return false;
  const className = named.type === 'method_definition' ? classBefore(input, named.startIndex) : '';
  return AUTH_FLOW.test(`${identifierWords(className)} ${fnWords}`);
}

const weakRandomSecret: RuleChecker = (input) => {
  let fakeData: boolean | undefined;
  for (const { node: call, target } of jsCalls(input)) {
    if (target.text !== 'Math.random') continue;
    const fn = enclosingFunction(input, call);
    if (!buildsSecret(input, call, fn)) continue;
    fakeData ??= isFakeDataModule(input.text);
    if (fakeData) return;
    input.report(
      call,
      'weak-random-secret',
      '`Math.random()` is predictable: a value built from it for a secret can be guessed.',
      'Use `crypto.randomBytes(32).toString("base64url")`, `crypto.randomUUID()` or `crypto.randomInt` for secrets.',
    );
  }
};

const EXEC_NAMES = new Set(['exec', 'execSync', 'execAsync', 'execPromise']);
const CHILD_PROCESS_OBJECT = /^(child_process|childProcess|cp|proc)$/;

/** `'child_process'`, `"node:child_process"`, `'shelljs'` as written in an import or a require. */
const SHELL_MODULE = String.raw`['"](?:node:)?(child_process|shelljs)['"]`;
const MODULE_NAMESPACE = new RegExp(
  String.raw`\bimport\s+(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)\s*(?:,\s*\{[^}]*\}\s*)?from\s*${SHELL_MODULE}|\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*${SHELL_MODULE}\s*\)`,
  'g',
);
const MODULE_MEMBERS = new RegExp(
  String.raw`\bimport\s*(?:[A-Za-z_$][\w$]*\s*,\s*)?\{([^}]*)\}\s*from\s*${SHELL_MODULE}|\b(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*${SHELL_MODULE}\s*\)`,
  'g',
);
/** `const run = promisify(exec)`, `= util.promisify(cp.execFile)`, `= promisify(require('child_process').exec)`. */
const PROMISIFIED =
  /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:[\w$]+\s*\.\s*)?promisify\(\s*((?:[\w$]+|require\(\s*['"][^'"]+['"]\s*\))\s*\.\s*)?([\w$]+)\s*\)/g;

/**
 * How the file names child_process and shelljs: namespaces (`import * as child from
 * 'child_process'`, `const sh = require('shelljs')`) and local names of their functions
 * (`const { exec: run } = require('child_process')`, `import { spawn as start }`, and
 * `const execP = promisify(exec)`). Read from the whole text once per file.
 */
interface ShellModuleNames {
  childProcess: Set<string>;
  shelljs: Set<string>;
  /** Local name → the module function it is (`run` → `exec`). */
  functions: Map<string, { name: string; shelljs: boolean }>;
}

const shellModuleNameCache = new WeakMap<CheckInput, ShellModuleNames>();

function shellModuleNames(input: CheckInput): ShellModuleNames {
  const cached = shellModuleNameCache.get(input);
  if (cached) return cached;
  const names: ShellModuleNames = { childProcess: new Set(), shelljs: new Set(), functions: new Map() };
  if (/child_process|shelljs/.test(input.text)) {
    for (const match of input.text.matchAll(MODULE_NAMESPACE)) {
      const local = match[1] ?? match[3];
      const module = match[2] ?? match[4];
      (module === 'shelljs' ? names.shelljs : names.childProcess).add(local);
    }
    for (const match of input.text.matchAll(MODULE_MEMBERS)) {
      const shelljs = (match[2] ?? match[4]) === 'shelljs';
      for (const entry of (match[1] ?? match[3]).split(',')) {
        const parts = /^\s*([\w$]+)\s*(?::|\bas\b)\s*([\w$]+)\s*$/.exec(entry) ?? /^\s*([\w$]+)\s*$/.exec(entry);
        if (parts) names.functions.set(parts[2] ?? parts[1], { name: parts[1], shelljs });
      }
    }
  }
  for (const match of input.text.includes('promisify') ? input.text.matchAll(PROMISIFIED) : []) {
    const [, local, object, name] = match;
    const receiver = object?.replace(/\s*\.\s*$/, '');
    const known =
      receiver === undefined
        ? names.functions.get(name)
        : CHILD_PROCESS_OBJECT.test(receiver) ||
            names.childProcess.has(receiver) ||
            /^require\(\s*['"](?:node:)?child_process['"]\s*\)$/.test(receiver)
          ? { name, shelljs: false }
          : undefined;
    if (known ?? EXEC_NAMES.has(name)) names.functions.set(local, { name: known?.name ?? name, shelljs: false });
  }
  shellModuleNameCache.set(input, names);
  return names;
}

/**
 * The child_process or shelljs function a call runs, or undefined: `cp.exec`, `child.spawn`,
 * `require('child_process').exec`, a bare `exec`, a local alias (`run` for `exec`).
 */
function shellFunction(input: CheckInput, target: Callee): { name: string; shelljs: boolean } | undefined {
  const names = shellModuleNames(input);
  if (target.object === undefined) return names.functions.get(target.name) ?? { name: target.name, shelljs: false };
  const object = target.object.replace(/\s+/g, '');
  if (/^(?:shell|shelljs|sh)$/.test(object) || names.shelljs.has(object)) return { name: target.name, shelljs: true };
  if (
    CHILD_PROCESS_OBJECT.test(object) ||
    names.childProcess.has(object) ||
    /^require\(['"](?:node:)?child_process['"]\)$/.test(object)
  )
    return { name: target.name, shelljs: false };
  return undefined;
}

const SPAWN_NAMES = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync']);
const SHELL_PROGRAM =
  /^(?:\/bin\/|\/usr\/bin\/|\/usr\/local\/bin\/)?(?:sh|bash|zsh|dash|ash|ksh|cmd(?:\.exe)?|powershell(?:\.exe)?|pwsh)$/i;
/** The flag after which a shell reads its command from the next argument: `-c`, `-ec`, `-lc`, `/c`, `/C`, `-Command`. */
const SHELL_COMMAND_FLAG = /^(?:-[a-z]*c|\/c|-command)$/i;

/** True when a value is not a fixed text: a variable, a call, a built string. */
function isDynamic(input: CheckInput, node: Node | null): boolean {
  const value = unwrap(node);
  if (!value) return false;
  const build = resolvedStringBuild(input, value);
  return build ? build.dynamic : value.type !== 'string' && value.type !== 'template_string';
}

/** `spawn(cmd, args, { shell: true })` or `spawn('sh', ['-c', script])` with values that are not fixed. */
function spawnsShellWithValues(input: CheckInput, call: Node): boolean {
  const list = args(call);
  // The options object written in the call or held by a variable (`const opts = { shell: true }`).
  const options = list
    .slice(1)
    .map((arg) => {
      const value = unwrap(arg);
      return value?.type === 'identifier' ? unwrap(valueAssigned(input, value)) : value;
    })
    .find((arg) => arg?.type === 'object');
  const shellOption = options ? unwrap(objectProps(options).props.get('shell') ?? null) : null;
  if (shellOption && shellOption.type !== 'false' && shellOption.type !== 'undefined' && shellOption.type !== 'null') {
    const argv = unwrap(list[1] ?? null);
    const argvDynamic = argv?.type === 'array' ? named(argv).some((arg) => isDynamic(input, arg)) : false;
    return isDynamic(input, list[0] ?? null) || argvDynamic;
  }
  const first = unwrap(list[0] ?? null);
  const program = literalString(first?.type === 'identifier' ? valueAssigned(input, first) : first);
  const argv = unwrap(list[1] ?? null);
  if (!program || argv?.type !== 'array') return false;
  let items = named(argv);
  // `spawn('/usr/bin/env', ['bash', '-c', script])`: env finds the shell on the PATH.
  if (/^(?:\/usr\/bin\/)?env$/.test(program) && SHELL_PROGRAM.test(literalString(items[0] ?? null) ?? ''))
    items = items.slice(1);
  else if (!SHELL_PROGRAM.test(program)) return false;
  const flag = items.findIndex((item) => SHELL_COMMAND_FLAG.test(literalString(item) ?? ''));
  return flag >= 0 && items.slice(flag + 1).some((item) => isDynamic(input, item));
}

/**
 * A value read straight from the request: `req.query.cmd`, `request.body['file']`, `ctx.request.body.x`,
 * a Lambda handler's `event.cmd` / `event['cmd']`. Such a value names the program or the whole command.
 */
const REQUEST_INPUT =
  /^(?:(?:req|request|ctx\.request|ctx)\s*\.\s*(?:body|query|params|headers|cookies)|event)\s*(?:\.\s*[A-Za-z_$]|\[)/;

function isRequestInput(node: Node | null): boolean {
  const value = unwrap(node);
  return (
    !!value &&
    (value.type === 'member_expression' || value.type === 'subscript_expression') &&
    REQUEST_INPUT.test(value.text)
  );
}

const commandInjection: RuleChecker = (input) => {
  for (const { node: call, target } of jsCalls(input)) {
    if (!SPAWN_NAMES.has(target.name) && !EXEC_NAMES.has(target.name) && target.object !== undefined) continue;
    const runs = shellFunction(input, target);
    if (!runs) continue;
    if (SPAWN_NAMES.has(runs.name) && !runs.shelljs) {
      if (isRequestInput(firstArg(call))) {
        input.report(
          callSpan(input, call, target),
          'command-injection',
          `\`${target.text}\` runs a program the request names: the caller chooses what runs on the server.`,
          'Map the request value to one of a fixed set of programs; never take the program or command from input.',
        );
        continue;
      }
      if (!spawnsShellWithValues(input, call)) continue;
      input.report(
        callSpan(input, call, target),
        'command-injection',
        `\`${target.text}\` hands a command built from values to a shell: a quote or \`;\` in the input runs other commands.`,
        'Run the program directly with an argument array and no shell (`spawn(cmd, args)` without `shell: true`).',
      );
      continue;
    }
    if (!EXEC_NAMES.has(runs.name) || (runs.shelljs && runs.name !== 'exec')) continue;
    const build = resolvedStringBuild(input, firstArg(call));
    if ((!build || !build.dynamic) && !isRequestInput(firstArg(call))) continue;
    input.report(
      callSpan(input, call, target),
      'command-injection',
      `\`${target.text}\` runs a shell command built from values: a quote or \`;\` in the input runs other commands.`,
      'Use `execFile`/`spawn` with an argument array (no shell), and validate the values against an allow-list.',
    );
  }
};

const ROUTER_OBJECT = /^(app|router|server|api|fastify|route|routes|\w*Router)$/;
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'use', 'all']);
const SYNC_IDENTIFIERS =
  /^(?:execSync|spawnSync|execFileSync|readFileSync|writeFileSync|appendFileSync|existsSync|readdirSync|statSync|mkdirSync|unlinkSync|copyFileSync|renameSync|rmSync|lstatSync|accessSync)$/;

function isRequestHandler(fn: Node): boolean {
  const params = named(field(fn, 'parameters') ?? field(fn, 'parameter'));
  const names = params.map((param) => (field(param, 'pattern') ?? param).text.replace(/[:?].*$/, '').trim());
  if (names.length >= 2 && /^(req|request)$/.test(names[0]) && /^(res|response|reply)$/.test(names[1])) return true;
  const call = fn.parent?.type === 'arguments' ? fn.parent.parent : null;
  const target = call ? callee(call) : undefined;
  return !!target && target.object !== undefined && ROUTE_METHODS.has(target.name) && ROUTER_OBJECT.test(target.object);
}

const IF_STATEMENT: ReadonlySet<string> = new Set(['if_statement']);
/** `!loaded`, `!this.cache`, `cache == null`, `cache === undefined`: a test that a value is not there yet. */
const NOT_YET = /^\(?\s*(?:!\s*([\w$.]+)|([\w$.]+)\s*===?\s*(?:null|undefined))\s*\)?$/;

/**
 * A blocking call that runs once per process, not per request: inside `if (!x) { … x = … }` (a
 * lazy load that sets its own flag or cache), or the value of `x ??= …` / `x ||= …`.
 */
function runsOnce(input: CheckInput, call: Node, fn: Node): boolean {
  let guards = onceGuards.get(input);
  if (!guards) onceGuards.set(input, (guards = new Map()));
  for (const node of climb(call)) {
    if (node.id === fn.id) return false;
    if (node.type === 'augmented_assignment_expression' && /^[\w$.]+\s*(?:\?\?|\|\|)=/.test(node.text)) return true;
    if (!IF_STATEMENT.has(node.type)) continue;
    const consequence = field(node, 'consequence');
    if (!consequence || !contains(consequence, call)) continue;
    // One answer per `if`: many blocking calls in one large block must not each rescan it.
    let guard = guards.get(node.id);
    if (guard === undefined) {
      const condition = NOT_YET.exec(field(node, 'condition')?.text.trim() ?? '');
      const name = condition ? (condition[1] ?? condition[2]).replace(/[$.]/g, (c) => `\\${c}`) : undefined;
      guard = !!name && new RegExp(`(?:^|[^\\w$.])${name}\\s*=(?!=)`).test(consequence.text);
      guards.set(node.id, guard);
    }
    if (guard) return true;
  }
  return false;
}

const onceGuards = new WeakMap<CheckInput, Map<number, boolean>>();

/**
 * A function that builds or starts the application itself before the blocking call
 * (`NestFactory.create(…)`, `app.listen(…)`, `express()`, `http.createServer(…)`): it runs once at
 * startup, before any request is served (a bootstrap, a one-off schema-emitting mode), so a blocking
 * read or write there delays nobody.
 */
const BUILDS_APPLICATION =
  /\bNestFactory\s*\.\s*create\w*\s*[<(]|\b(?:app|server|application|fastify)\s*\.\s*listen\s*\(|\bexpress\s*\(\s*\)|\bnew\s+Koa\s*\(|\bcreateServer\s*\(/;
const startupFunctions = new WeakMap<CheckInput, Map<number, boolean>>();

/**
 * Whether the function builds the application (before or after the blocking call: the TLS key and
 * certificate are read to create the HTTPS server with), scanned once per function. Its own
 * handlers are functions of their own, so what it registers is not covered.
 */
function buildsApplication(input: CheckInput, fn: Node): boolean {
  let known = startupFunctions.get(input);
  if (!known) startupFunctions.set(input, (known = new Map()));
  let found = known.get(fn.id);
  if (found === undefined)
    known.set(fn.id, (found = BUILDS_APPLICATION.test(input.text.slice(fn.startIndex, fn.endIndex))));
  return found;
}

/** Sync calls that are one metadata syscall on one path (see blockingCallInAsync). */
const ONE_SYSCALL = /^(?:existsSync|statSync|lstatSync|accessSync|unlinkSync)$/;

/**
 * Whether `readFileSync`'s path is built only from the program's own location and literal text
 * (`path.join(__dirname, 'templates/invite.html')`), directly or through a variable the function
 * (or the module) sets that way (`const dir = path.resolve(process.cwd(), 'templates')`).
 */
function readsShippedFile(input: CheckInput, call: Node, fn: Node): boolean {
  const path = firstArg(call);
  if (!path) return false;
  const scope = input.text.slice(fn.startIndex, call.startIndex);
  // Anchored in the program's location (`__dirname`, `process.cwd()`, a constant), not a bare name
  // relative to wherever the process was started.
  let anchored = false;
  const codePath = (text: string, depth: number): boolean => {
    const names = literalFreeNames(text);
    return names.every((name) => {
      if (CODE_PATH_NAME.test(name)) {
        anchored ||= CODE_LOCATION.test(name);
        return true;
      }
      if (depth > 1 || !/^[a-z_$][\w$]*$/.test(name)) return false;
      const escaped = name.replace(/\$/g, '\\$');
      const set = new RegExp(String.raw`(?<![\w$.])(?:const|let|var)\s+${escaped}\s*(?::[^=;\n]*)?=\s*([^;\n]+)`);
      const before = input.text.slice(0, fn.startIndex);
      const inScope = set.exec(scope);
      const match = inScope ?? set.exec(before);
      return !!match && codePath(wholeValue(inScope ? scope : before, match), depth + 1);
    });
  };
  return codePath(path.text, 0) && anchored;
}

/** An assigned value whose call opens on its first line and closes lines later (`join(\n  __dirname,\n  'dist',\n)`), whole. */
function wholeValue(text: string, match: RegExpExecArray): string {
  const value = match[1];
  const opened = (value.match(/\(/g) ?? []).length;
  if (opened === 0 || opened <= (value.match(/\)/g) ?? []).length) return value;
  const start = match.index + match[0].length - value.length;
  const close = closingBracket(text, start + value.indexOf('('));
  return close < 0 ? value : text.slice(start, close + 1);
}

/** Where the program's own files are: its folder, its working directory, a path constant. */
const CODE_LOCATION = /^(?:__dirname|__filename|cwd|meta|[A-Z][A-Z0-9_]*)$/;

/**
 * Methods that run once while the service starts or stops, not per request: NestJS's lifecycle hooks
 * (`onModuleInit`, `onApplicationBootstrap`, the shutdown hooks) and the set-up methods a start-up
 * calls by convention (`connect`, `init`, `setup`, `bootstrap`, `migrate…`). Like a bootstrap that
 * builds the application (BUILDS_APPLICATION), a blocking read there delays no request.
 */
const STARTUP_METHOD =
  /^(?:onModuleInit|onApplicationBootstrap|onModuleDestroy|beforeApplicationShutdown|onApplicationShutdown|connect|init|initiali[sz]e|setup|bootstrap|migrate\w*|runMigrations?)$/;
/**
 * `initTargets()`, `initializeProviders()`, `bootstrapPlugins()`: an initialiser of a part of the
 * program, when it takes nothing (a per-request `initSession(req)` takes the request).
 */
const STARTUP_PREFIX = /^(?:init|initiali[sz]e|bootstrap)[A-Z]\w*$/;

function isStartupMethod(fn: Node, name: string): boolean {
  if (STARTUP_METHOD.test(name)) return true;
  if (!STARTUP_PREFIX.test(name)) return false;
  return named(field(fn, 'parameters') ?? field(fn, 'parameter')).length === 0;
}

/** A function declared under a start-up name (see isStartupMethod), read from the text. */
const STARTUP_DECLARATION =
  /(?<![\w$.])(?:onModuleInit|onApplicationBootstrap|onModuleDestroy|beforeApplicationShutdown|onApplicationShutdown|connect|init|initiali[sz]e|setup|bootstrap|migrate\w*|runMigrations?|(?:init|initiali[sz]e|bootstrap)[A-Z]\w*)\s*(?:\(|[=:]\s*(?:async\b|function\b|\())/;

/** Whether the file declares a start-up method at all: most files do not, and their calls are not climbed. */
const declaresStartupMethod = textMatchOncePerCheck(STARTUP_DECLARATION);

/**
 * The start-up method `fn` is or sits in (see isStartupMethod), stopping at a request handler: a
 * route registered inside `setup(app)` runs per request.
 */
function startupFunctionAround(input: CheckInput, fn: Node): Node | undefined {
  for (let current: Node | null = fn; current; current = enclosingFunction(input, current)) {
    if (isRequestHandler(current)) return undefined;
    const name = functionName(current);
    if (name && isStartupMethod(current, name)) return current;
  }
  return undefined;
}
/** A route only end-to-end tests call: a path segment `e2e` or `_test`/`__tests__` (`/_e2e/take-snapshot`). */
const TEST_ROUTE = /^['"`](?:[^'"`]*\/)?(?:_*e2e|_+tests?_*)(?:[/_-][^'"`]*)?['"`]$/i;
/**
 * A condition that holds only in development or test mode (`isDev`, `inDevelopment`, `config.isTest()`,
 * `process.env.NODE_ENV === 'test'`, `process.env.E2E`): what it guards is never served in production.
 */
const DEV_OR_TEST_MODE =
  /^\(\s*(?:(?:[\w$]+\.)*(?:(?:is|in)(?:Dev|Development|Debug|Test|Testing|E2e|E2E)(?:Mode|Env)?|IS_(?:DEV|DEVELOPMENT|DEBUG|TEST))(?:\(\s*\))?|(?:process\.env\.NODE_ENV|(?:[\w$]+\.)*nodeEnv)\s*===?\s*['"](?:dev|development|test|testing|e2e)['"]|process\.env\.(?:E2E|TEST)(?:_[A-Z_]+)?)\s*\)$/;

/** Whether the file names a development or test mode at all (the `if` conditions are read only then). */
const DEV_OR_TEST_WORD =
  /\b(?:is|in)(?:Dev|Development|Debug|Test|Testing|E2e|E2E)(?:Mode|Env)?\b|\bIS_(?:DEV|DEVELOPMENT|DEBUG|TEST)\b|\bNODE_ENV\b|\bnodeEnv\b|process\.env\.(?:E2E|TEST)/;

/**
 * Whether the blocking call's function (or one around it) runs once at start or stop, or serves only
 * end-to-end tests: a start-up method by its name, a route whose path is a test route, or a route
 * registered inside a development- or test-mode `if`.
 */
function startupOrTestOnly(input: CheckInput, fn: Node): boolean {
  let known = startupOrTestFunctions.get(input);
  if (!known) startupOrTestFunctions.set(input, (known = new Map()));
  let answer = known.get(fn.id);
  if (answer === undefined) known.set(fn.id, (answer = readStartupOrTestOnly(input, fn)));
  return answer;
}

const startupOrTestFunctions = new WeakMap<CheckInput, Map<number, boolean>>();

/** DEV_OR_TEST_WORD tested on the file's text once per check, not once per route a blocking call is in. */
const namesDevOrTestMode = textMatchOncePerCheck(DEV_OR_TEST_WORD);

function readStartupOrTestOnly(input: CheckInput, fn: Node): boolean {
  for (let current: Node | null = fn; current; current = enclosingFunction(input, current)) {
    // A request handler runs per request, whatever the function that registered it is called
    // (`function setup(app) { app.get('/r', async (req, res) => …) }`, `async connect(req, res)`).
    if (isRequestHandler(current)) break;
    const name = functionName(current);
    if (name && isStartupMethod(current, name)) return true;
  }
  const call = fn.parent?.type === 'arguments' ? fn.parent.parent : null;
  const target = call ? callee(call) : undefined;
  if (!call || !target || target.object === undefined || !ROUTE_METHODS.has(target.name)) return false;
  if (TEST_ROUTE.test(firstArg(call)?.text ?? '')) return true;
  if (!namesDevOrTestMode(input)) return false;
  for (const node of climb(call)) {
    if (node.type !== 'if_statement') continue;
    const consequence = field(node, 'consequence');
    if (consequence && contains(consequence, call) && DEV_OR_TEST_MODE.test(field(node, 'condition')?.text ?? ''))
      return true;
  }
  return false;
}

/** bcrypt's and Node's key derivations in their blocking forms: CPU work of tens to hundreds of milliseconds each. */
const HASH_SYNC = /^(?:compareSync|hashSync|pbkdf2Sync|scryptSync)$/;
const BCRYPT_MODULE = String.raw`['"](?:bcrypt|bcryptjs|bcrypt-nodejs)['"]`;
const CRYPTO_MODULE = String.raw`['"](?:node:)?crypto['"]`;

/**
 * The names a file binds to bcrypt and to Node's crypto (`import bcrypt from 'bcryptjs'`,
 * `const crypto = require('node:crypto')`, `import * as c from 'crypto'`), and the hashing functions
 * it imports by name (`import { hashSync } from 'bcrypt'`, `const { pbkdf2Sync } = require('crypto')`),
 * each name with the module it comes from. Read once per check.
 */
function hashingBindings(text: string): Map<string, 'bcrypt' | 'crypto'> {
  const names = new Map<string, 'bcrypt' | 'crypto'>();
  if (!/Sync\b/.test(text)) return names;
  for (const [kind, module] of [
    ['bcrypt', BCRYPT_MODULE],
    ['crypto', CRYPTO_MODULE],
  ] as const) {
    const whole = new RegExp(
      String.raw`\bimport\s+(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)\s+from\s*${module}|\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*require\(\s*${module}\s*\)`,
      'g',
    );
    for (const match of text.matchAll(whole)) names.set(match[1] ?? match[2], kind);
    const parts = new RegExp(
      String.raw`\bimport\s*\{([^}]*)\}\s*from\s*${module}|\b(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*${module}\s*\)`,
      'g',
    );
    for (const match of text.matchAll(parts))
      for (const part of (match[1] ?? match[2]).split(',')) {
        const [imported, local] = part.split(/\s+as\s+|\s*:\s*/).map((word) => word.trim());
        if (HASH_SYNC.test(imported)) names.set(`${local ?? imported}()`, kind);
      }
  }
  return names;
}

const hashingBindingMaps = new WeakMap<CheckInput, Map<string, 'bcrypt' | 'crypto'>>();

/**
 * `bcrypt.compareSync(password, hash)`, `bcrypt.hashSync(password, 12)`, `crypto.pbkdf2Sync(…)`,
 * `scryptSync(…)` imported from crypto: a password hash computed on the event loop.
 */
function isHashingSync(input: CheckInput, target: Callee): boolean {
  if (!HASH_SYNC.test(target.name)) return false;
  let bindings = hashingBindingMaps.get(input);
  if (!bindings) hashingBindingMaps.set(input, (bindings = hashingBindings(input.text)));
  const kind =
    target.object === undefined
      ? bindings.get(`${target.name}()`)
      : (bindings.get(target.object) ?? (/^bcrypt(?:js)?$/.test(target.object) ? 'bcrypt' : undefined));
  if (kind === 'bcrypt') return /^(?:compareSync|hashSync)$/.test(target.name);
  return kind === 'crypto' && /^(?:pbkdf2Sync|scryptSync)$/.test(target.name);
}

const ARRAY_CALLBACK_OPENING =
  /\.\s*(?:find|findIndex|findLast|findLastIndex|filter|some|every|map|flatMap|forEach|reduce|sort)\s*\(\s*$/;

/** A function given to an array method that calls it at once: `xs.some((x) => …)`, `rows.map(function (r) { … })`. */
function isArrayMethodCallback(input: CheckInput, fn: Node): boolean {
  // Read from the text first: the method's name and its parenthesis just before the function.
  if (!ARRAY_CALLBACK_OPENING.test(input.text.slice(Math.max(0, fn.startIndex - 40), fn.startIndex))) return false;
  const argumentList = fn.parent;
  const call = argumentList?.type === 'arguments' ? argumentList.parent : null;
  const target = call?.type === 'call_expression' ? callee(call) : undefined;
  return !!target && target.object !== undefined && ARRAY_CALLBACK_METHODS.test(target.name);
}

const blockingCallInAsync: RuleChecker = (input) => {
  for (const { node: call, target } of jsCalls(input)) {
    const hashes = isHashingSync(input, target);
    const isSync =
      hashes ||
      (target.object !== undefined
        ? /Sync$/.test(target.name) && /^(fs|fse|fsExtra|child_process|childProcess|cp)$/.test(target.object)
        : SYNC_IDENTIFIERS.test(target.name));
    if (!isSync) continue;
    let fn = enclosingFunction(input, call);
    // A synchronous callback of an array method (`hashes.some((h) => bcrypt.compareSync(p, h))`) runs
    // inside the function that calls the method, before it goes on.
    while (fn && isArrayMethodCallback(input, fn) && !isAsyncFunction(fn)) fn = enclosingFunction(input, fn);
    if (!fn || !(isAsyncFunction(fn) || isRequestHandler(fn))) continue;
    if (runsOnce(input, call, fn) || buildsApplication(input, fn) || startupOrTestOnly(input, fn)) continue;
    // One metadata syscall (`existsSync`, `statSync`, `unlinkSync` of a temporary upload) costs
    // microseconds; reading a file the program ships (a template beside the code) reads a few
    // kilobytes from the page cache. Reading a user's file, running a program or removing a tree stays.
    if (ONE_SYSCALL.test(target.name)) continue;
    if (target.name === 'readFileSync' && readsShippedFile(input, call, fn)) continue;
    input.report(
      call,
      'blocking-call-in-async',
      hashes
        ? `\`${target.text}\` computes a password hash on the event loop (tens to hundreds of milliseconds at the usual cost): every other request waits while it runs.`
        : `\`${target.text}\` blocks the event loop: every other request waits while it runs.`,
      hashes
        ? 'Use the async form (`await bcrypt.compare(…)` / `bcrypt.hash(…)`, `crypto.pbkdf2`/`crypto.scrypt` with a callback or `util.promisify`), which does not hold the event loop.'
        : 'Use the async form (`fs.promises.*`, `execFile` / `spawn` with await) in handlers and async code.',
    );
  }
};

const AUTH_PROPERTY_NAMES =
  'role|roles|isAdmin|admin|permissions|scope|scopes|sub|userId|user_id|uid|tenantId|tenant|orgId|accountId|groups|claims';
const AUTH_PROPERTIES = new RegExp(`^(?:${AUTH_PROPERTY_NAMES})$`);

/** A literal that is truthy: `true`, a non-empty string, a number other than 0. */
function isTruthyLiteral(node: Node | null): boolean {
  const value = unwrap(node);
  if (!value) return false;
  if (value.type === 'true') return true;
  if (value.type === 'string' || value.type === 'template_string') return (literalString(value) ?? '') !== '';
  return value.type === 'number' && Number(value.text) !== 0;
}

const DECISION_PARENTS =
  /^(?:member_expression|subscript_expression|call_expression|binary_expression|unary_expression|parenthesized_expression|await_expression|as_expression|non_null_expression)$/;

/** Whether the value of `call` decides a branch: `if (jwt.decode(t).admin === true)`, `jwt.decode(t).ok ? a : b`. */
function decidesBranch(call: Node): boolean {
  let child: Node = call;
  for (let parent = call.parent, depth = 0; parent && depth < 8; parent = parent.parent, depth += 1) {
    if (parent.type === 'if_statement' || parent.type === 'while_statement')
      return field(parent, 'condition')?.startIndex === child.startIndex;
    if (parent.type === 'ternary_expression') return field(parent, 'condition')?.startIndex === child.startIndex;
    if (!DECISION_PARENTS.test(parent.type)) return false;
    child = parent;
  }
  return false;
}

/** Names a JWT library is imported under: `jwt`, `jsonwebtoken`, `jwtSimple`, `jwt_simple`, `JWT`. */
const JWT_MODULE_NAME = /^(?:[\w$]*jwt[\w$]*|jsonwebtoken|jsonwt)$/i;

const jwtVerificationDisabled: RuleChecker = (input) => {
  for (const { node: call, target } of jsCalls(input)) {
    if (target.name !== 'decode' || !JWT_MODULE_NAME.test(target.object ?? '')) continue;
    const list = args(call);
    // jwt-simple: decode(token, key, noVerify): any truthy third argument skips the signature check,
    // written in the call or held by a variable (`const noVerify = true`).
    const third = unwrap(list[2] ?? null);
    if (
      third &&
      (isTruthyLiteral(third) || (third.type === 'identifier' && isTruthyLiteral(valueAssigned(input, third))))
    ) {
      input.report(
        call,
        'jwt-verification-disabled',
        "`jwt.decode(token, key, …)` with a truthy third argument skips the signature check (jwt-simple's `noVerify`): a forged token is accepted.",
        'Drop the third argument (or pass `false`) so the signature is checked, and name the algorithm explicitly.',
      );
      continue;
    }
    if (target.text !== 'jwt.decode') continue;
    // A key as second argument is jwt-simple's decode, which verifies; jsonwebtoken's takes options.
    const second = unwrap(list[1] ?? null);
    if (second && second.type !== 'object' && second.type !== 'true' && second.type !== 'false') continue;
    // The function's text answers "does it verify?" and "are the claims used for authorisation?"
    // without visiting its nodes; the decode call itself was found through the tree. At the top
    // level that is the whole file's text (a part of a large file holds only some of it).
    const fn = enclosingFunction(input, call);
    const body = fn ? input.text.slice(fn.startIndex, fn.endIndex) : input.text;
    if (/\bverify\w*\s*\(/i.test(body)) continue;
    let binding = call.parent;
    while (
      binding &&
      /^(await_expression|as_expression|satisfies_expression|non_null_expression|parenthesized_expression)$/.test(
        binding.type,
      )
    )
      binding = binding.parent;
    let usedForAuth = decidesBranch(call);
    if (
      binding?.type === 'assignment_expression' &&
      /(^|\.)(user|auth|principal|claims|session)$/.test(field(binding, 'left')?.text ?? '')
    )
      usedForAuth = true;
    const name = binding?.type === 'variable_declarator' ? field(binding, 'name') : null;
    if (name?.type === 'identifier') {
      const claims = name.text.replace(/\$/g, '\\$');
      usedForAuth ||=
        new RegExp(`\\b${claims}\\s*(?:\\?\\.|\\.|!\\.)\\s*(?:${AUTH_PROPERTY_NAMES})\\b`).test(body) ||
        new RegExp(`(?:^|\\.)(?:user|auth|principal)\\s*=\\s*${claims}\\b`, 'm').test(body);
    } else if (name?.type === 'object_pattern') {
      usedForAuth ||= named(name).some((prop) => AUTH_PROPERTIES.test((field(prop, 'key') ?? prop).text));
    }
    // Claims read from a request's token inside a request handler or middleware are trusted by it.
    if (!usedForAuth && name && fn && isRequestHandler(fn)) usedForAuth = true;
    if (!usedForAuth) continue;
    input.report(
      call,
      'jwt-verification-disabled',
      '`jwt.decode` does not check the signature: anyone can forge this token and the claims are trusted.',
      'Use `jwt.verify(token, key, { algorithms: [...] })` and trust only its result.',
    );
  }
  for (const member of nodesAtMatches(input, /\bJWK\s*\.\s*None\b/g, MEMBER)) {
    input.report(
      member,
      'jwt-verification-disabled',
      '`JWK.None` is the `none` algorithm: unsigned tokens are accepted as valid.',
      'Verify with the real key (`JWK.asKey(…)` from configuration) and list the algorithms you issue.',
    );
  }
  for (const pair of nodesAtMatches(input, /\balgorithms['"]?\s*:\s*\[[^\]]*['"`]none['"`]/gi, PAIR)) {
    input.report(
      pair,
      'jwt-verification-disabled',
      'Accepting the `none` algorithm lets unsigned tokens through.',
      "List only the algorithms you issue, e.g. `algorithms: ['RS256']`.",
    );
  }
  // `algorithms: ACCEPTED` where `const ACCEPTED = ['HS256', 'none']`: the list is held by a variable.
  for (const pair of nodesAtMatches(input, /\balgorithms['"]?\s*:\s*[A-Za-z_$][\w$]*\s*[,}\n]/g, PAIR)) {
    const value = unwrap(field(pair, 'value'));
    const list = value?.type === 'identifier' ? unwrap(valueAssigned(input, value)) : null;
    if (list?.type !== 'array' || !named(list).some((item) => literalString(item)?.toLowerCase() === 'none')) continue;
    input.report(
      pair,
      'jwt-verification-disabled',
      `\`${value?.text}\` lists the \`none\` algorithm: unsigned tokens are accepted.`,
      "List only the algorithms you issue, e.g. `algorithms: ['RS256']`.",
    );
  }
  // jsonwebtoken's `sign(payload, key, { algorithm: 'none' })` issues tokens with no signature.
  for (const pair of nodesAtMatches(input, /\balgorithm['"]?\s*:\s*['"`]none['"`]/gi, PAIR)) {
    input.report(
      pair,
      'jwt-verification-disabled',
      "`algorithm: 'none'` issues unsigned tokens: anyone can write one the service will take as its own.",
      "Sign with a real algorithm (`algorithm: 'RS256'` or `'HS256'`) and a key from configuration.",
    );
  }
};

const corsWildcardCredentials: RuleChecker = (input) => {
  for (const pair of nodesAtMatches(input, /\bcredentials['"]?\s*:\s*true\b/g, PAIR)) {
    const object = pair.parent;
    if (!object || object.type !== 'object') continue;
    const { props } = objectProps(object);
    const origin = unwrap(props.get('origin') ?? null);
    const credentials = unwrap(props.get('credentials') ?? null);
    if (!origin || credentials?.type !== 'true') continue;
    const wildcard = (origin.type === 'string' && unquote(origin.text) === '*') || origin.type === 'true';
    if (!wildcard) continue;
    input.report(
      origin.parent?.type === 'pair' ? origin.parent : origin,
      'cors-wildcard-credentials',
      'CORS reflects any origin while allowing credentials: any site can make authenticated requests as your users.',
      'List the allowed origins explicitly (an array or a check against an allow-list) when credentials are on.',
    );
  }
  const headerCalls = new Map<number, { origin?: Node; credentials: boolean }>();
  for (const { node: call, target } of jsCalls(input)) {
    if (!/^(setHeader|header|set|append)$/.test(target.name)) continue;
    // Most `.set(...)` calls are maps; look at the arguments only when the text names a CORS header.
    if (
      !/^[^()]*\(\s*['"`]access-control-allow-(?:origin|credentials)['"`]/i.test(
        input.text.slice(call.startIndex, call.startIndex + 160),
      )
    )
      continue;
    const [name, value] = args(call).map((arg) => (arg.type === 'string' ? unquote(arg.text) : undefined));
    if (!name) continue;
    const fn = enclosingFunction(input, call);
    // Calls at the top level form one group for the whole file (a part of a file sees only its own).
    const key = fn ? fn.startIndex : (input.moduleScope(call.startIndex), -1);
    const entry = headerCalls.get(key) ?? { credentials: false };
    if (/^access-control-allow-origin$/i.test(name) && value === '*') entry.origin = call;
    if (/^access-control-allow-credentials$/i.test(name) && value === 'true') entry.credentials = true;
    headerCalls.set(key, entry);
  }
  for (const entry of headerCalls.values()) {
    if (!entry.origin || !entry.credentials) continue;
    input.report(
      entry.origin,
      'cors-wildcard-credentials',
      '`Access-Control-Allow-Origin: *` is sent together with `Access-Control-Allow-Credentials: true`.',
      'Echo only origins from an allow-list (and add `Vary: Origin`), or drop credentials.',
    );
  }
};

const explicitAny: RuleChecker = (input) => {
  if (input.grammar === 'javascript') return;
  for (const type of nodesAtMatches(input, /(?<![\w$.])any(?![\w$])/g, PREDEFINED_TYPE, 1)) {
    input.report(
      type,
      'explicit-any',
      '`any` turns off type checking for this value and everything it flows into.',
      'Use the real type, `unknown` plus a narrowing check (or a zod schema) at the boundary, or a generic.',
    );
  }
};

const PREDEFINED_TYPE: ReadonlySet<string> = new Set(['predefined_type']);

/** Every node type the JS rules ask for: the engine collects them in one walk of the tree. */
export const JS_NODE_TYPES: readonly string[] = ['call_expression', 'catch_clause', ...JS_FUNCTIONS, ...JS_LOOPS];

export const JS_RULES: Record<string, RuleChecker> = {
  'http-no-timeout': httpNoTimeout,
  'silent-catch': silentCatch,
  'hardcoded-secret': hardcodedSecret,
  'sql-injection': sqlInjection,
  'query-in-loop': queryInLoop,
  'unbounded-concurrency': unboundedConcurrency,
  'tls-verification-disabled': tlsVerificationDisabled,
  'weak-random-secret': weakRandomSecret,
  'command-injection': commandInjection,
  'blocking-call-in-async': blockingCallInAsync,
  'jwt-verification-disabled': jwtVerificationDisabled,
  'cors-wildcard-credentials': corsWildcardCredentials,
  'explicit-any': explicitAny,
};
