import type { Node } from '@vscode/tree-sitter-wasm';
import { descendants, field, named, scopeAssignmentLists, textMatchOncePerCheck } from '../syntax';
import type { CheckInput } from '../types';
import {
  args,
  callee,
  enclosingFunction,
  firstArg,
  functionName,
  jsCalls,
  unwrap,
  unwrapTyped,
  type Callee,
} from './jsSyntax';

/** A query that returns one row (Prisma, TypeORM, Sequelize, Mongoose, Kysely, Knex, Objection). */
const SINGLE_ROW_METHOD =
  /^(?:find(?:First|Unique)(?:OrThrow)?|findOne(?:By)?(?:OrFail)?|findBy(?:Pk|Id)|executeTakeFirst(?:OrThrow)?|first(?:OrFail)?)$/;
/**
 * A helper named for one record found by a unique key: `getEnvelopeById`, `findDocumentByToken`
 * (not a plural, and not `findEnabledByTeamId`: a team's rows).
 */
const SINGLE_ROW_FUNCTION =
  /^(?:get|find|fetch|load)[A-Z][A-Za-z]*[a-rt-z]By(?:Id|ID|Pk|PK|Uuid|UUID|Key|Slug|Token|Email|Username|Code)$/;
/** A query given a limit: `take: 1000`, `limit: n`, `.limit(100)`, `LIMIT 50`. */
const CAPPED_QUERY =
  /\b(?:take|limit|pageSize|perPage)\s*:\s*[\w$]|\.\s*(?:limit|take)\s*\(\s*[\w$]|\bLIMIT\s+(?:\d|\$|\?|:)/i;
/** Array methods that keep the elements of the collection they are called on (at most as many). */
const SHAPING_METHOD =
  /^(?:filter|map|flatMap|slice|sort|toSorted|toReversed|reverse|concat|flat|values|keys|entries)$/;
/** `Array.from(xs)`, `Object.values(map)`: the same elements. */
const SHAPING_FUNCTION = /^(?:Array\.from|Object\.(?:values|keys|entries))$/;
/** The body or query of the request being served. */
const REQUEST_PART = /^(?:req|request|ctx\.request|c\.req)\.(?:body|query)$/;

const declarators = scopeAssignmentLists<Node>(['variable_declarator', 'assignment_expression'], (node) => node);

/** The most steps followed back from a use to an origin. */
const MAX_DEPTH = 10;

/** Whether the text declares or assigns `name`: `const name =`, `let { a, name } =`, `name = …`. */
function givesValue(text: string, name: string): boolean {
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(
    String.raw`\b(?:const|let|var)\s+${escaped}(?![\w$])|\b(?:const|let|var)\s*[{[][^;=]*(?<![\w$])${escaped}(?![\w$])|(?<![\w$.])${escaped}\s*=(?![=>])`,
  ).test(text);
}

interface GivenValue {
  kind: 'whole' | 'key' | 'index';
  node: Node | null;
  key?: string;
  index?: number;
}

/** The values `fn`'s own declarations and assignments give `name` before `at` (nested functions' are theirs). */
function valuesGiven(input: CheckInput, fn: Node, name: string, at: number, word: RegExp): GivenValue[] {
  const given: GivenValue[] = [];
  const { text } = input;
  for (const node of declarators(input, fn)) {
    const start = node.startIndex;
    if (start >= at) break;
    // Read from the text first: the target opens the declarator (`name =`, `{ a, name } =`, `[a, name] =`).
    const opens = text.charCodeAt(start);
    if (
      opens !== 123 &&
      opens !== 91 &&
      !(text.startsWith(name, start) && !/[\w$]/.test(text.charAt(start + name.length)))
    )
      continue;
    // `items = items.map(…)`: the value it had before is read, not this assignment.
    if (node.endIndex > at) continue;
    const isDeclarator = node.type === 'variable_declarator';
    const target = isDeclarator ? field(node, 'name') : field(node, 'left');
    if (!target || !word.test(target.text)) continue;
    if (enclosingFunction(input, node)?.id !== fn.id) continue;
    const value = isDeclarator ? field(node, 'value') : field(node, 'right');
    if (target.type === 'identifier') {
      if (target.text === name) given.push({ kind: 'whole', node: value });
    } else if (target.type === 'object_pattern') {
      const key = destructuredKey(target, name);
      if (key !== undefined) given.push({ kind: 'key', node: value, key });
    } else if (target.type === 'array_pattern') {
      const index = named(target).findIndex((element) => element.type === 'identifier' && element.text === name);
      if (index >= 0) given.push({ kind: 'index', node: value, index });
    }
  }
  return given;
}

/** The key `{ name }` or `{ key: name }` reads in an object pattern; undefined when it is not there plainly. */
function destructuredKey(pattern: Node, name: string): string | undefined {
  for (const element of named(pattern)) {
    if (element.type === 'shorthand_property_identifier_pattern' && element.text === name) return name;
    // `{ files = [] }`: the key, or an empty default.
    if (element.type === 'object_assignment_pattern' && unwrap(field(element, 'left'))?.text === name)
      return unwrap(field(element, 'left'))?.type === 'shorthand_property_identifier_pattern' ? name : undefined;
    if (element.type === 'pair_pattern' && unwrap(field(element, 'value'))?.text === name)
      return field(element, 'key')?.text;
  }
  return undefined;
}

/** Calls that open an interactive transaction and run their callback on its one connection. */
const TRANSACTION_CALL = /(?:^|\.)\$?transaction(?:al)?$|(?:^|\.)transaction\(\)\.execute$/;

/** Whether the file says `transaction` anywhere: asked for every call throughTransaction looks at, answered once per check. */
const mentionsTransaction = textMatchOncePerCheck(/transaction/);

/**
 * Whether `node` runs inside the callback of an interactive database transaction
 * (`prisma.$transaction(async (tx) => …)`, `knex.transaction(async (trx) => …)`,
 * `db.transaction().execute(async (trx) => …)`) and `work` goes through that transaction's client:
 * its queries share the transaction's one connection and run one after another, whatever the
 * fan-out around them.
 */
export function throughTransaction(input: CheckInput, node: Node, work: Node): boolean {
  if (!mentionsTransaction(input)) return false;
  for (let fn = enclosingFunction(input, node); fn; fn = enclosingFunction(input, fn)) {
    const argumentList = fn.parent;
    const call = argumentList?.type === 'arguments' ? argumentList.parent : null;
    if (call?.type !== 'call_expression') continue;
    const target = callee(call);
    if (!target || !TRANSACTION_CALL.test(target.text)) continue;
    const parameters = field(fn, 'parameters') ?? field(fn, 'parameter');
    const client = parameters?.type === 'identifier' ? parameters : named(parameters)[0];
    const clientName = unwrap(client ?? null)?.text.replace(/\s*:.*$/s, '');
    if (!clientName || !/^[A-Za-z_$][\w$]*$/.test(clientName)) return false;
    return new RegExp(`(?<![\\w$.])${clientName.replace(/\$/g, '\\$')}(?![\\w$])`).test(work.text);
  }
  return false;
}

/**
 * Evidence that a collection grows with the data (JS/TS), read back through the assignments of the
 * functions around its use:
 * - `rows`: the rows of a query given no limit (`findMany({ where })`, `.execute()`, `R.getAll(sql)`,
 *   `this.attachmentRepo.findBySpaceId(id)`), or a list made from them;
 * - `request`: a request's own list (`req.body.items`, a handler's `input`, `@Body() dto`);
 * - `parsed`: a document parsed from text, an upload or a feed (`JSON.parse(raw)`, `Papa.parse(csv).data`,
 *   `parser.parseURL(url)`);
 * - `ids`: a list named for row ids (`linkIds`, `attachmentIds`) that nothing else explains: the
 *   caller's selection of rows, one row per element.
 * A loop variable of a loop over such a collection carries it (`for (const e of data.collections)
 * for (const link of e.links)`), and so does a callback's parameter (`rows.forEach((row) => …)`).
 * Anything else (one record's list, a capped query, a constant, a parameter, a helper's result) is
 * undefined: nothing shows that it grows.
 */
export type GrowthOrigin = 'rows' | 'request' | 'parsed' | 'ids';

/** Whether a call runs a query (the rule's own reading of data calls). */
export type QueryTest = (call: Node, target: Callee) => boolean;

/** Parsers of documents: `JSON.parse`, `Papa.parse`, `parser.parseString(xml)`, `csv.parse(text)`, a bare `parse(html)`. */
const DOCUMENT_PARSER_OBJECT = /^(?:JSON|Papa|papa|csv\w*|parser|\w*Parser|xml\w*|feed\w*|rss\w*|yaml|YAML|sax)$/;
const DOCUMENT_PARSE_METHOD = /^(?:parse|parseString|parseURL|parseFile|parseCsv|parseCSV|parseXml|parseXML|load)$/;
/** Lodash helpers that keep (some of) the elements of their first argument. */
const LODASH_SHAPING =
  /^_\.(?:uniq\w*|filter|reject|map|flatMap|compact|difference\w*|intersection\w*|union\w*|flatten\w*|sortBy|orderBy|values|keys|toArray|take\w*|drop\w*)$/;
/** Callbacks of array methods that walk every element. */
const WALKING_METHOD = /^(?:map|flatMap|forEach|filter|some|every|reduce|find|findIndex)$/;
/** A name for a list of row ids: `linkIds`, `ids`, `attachmentIDs`. */
const IDS_NAME = /^(?:ids|[A-Za-z_$][\w$]*(?:Ids|IDs|_ids))$/;
/** A helper named for the rows of one parent: `findActiveByTeamId`, `getMembersByProjectId`, `listAllByOwnerId`. */
const ROWS_OF_PARENT_FUNCTION = /^(?:get|find|fetch|load|list)[A-Z][\w$]*By[A-Z][\w$]*Id$/;
/**
 * A helper named for the groups one person belongs to (`getOrganizationsByUserId`,
 * `findTeamsByMemberId`, `getAllUserTeams`): memberships are made by hand, a few per person, not
 * rows that pile up.
 */
const MEMBERSHIP_LIST =
  /(?:Organi[sz]ations|Orgs|Teams|Workspaces|Memberships|Groups|Roles|Tenants)(?:(?:By|For|Of)[A-Z][\w$]*)?$/;
const PERSON = /User|Member|Person|Account/;
function namesMembershipsOfPerson(name: string): boolean {
  return MEMBERSHIP_LIST.test(name) && PERSON.test(name);
}
/**
 * A helper named for a plural list: `listOrdersForUser`, `getActiveMonitors`, `findInvoices` (not
 * `getAddress`, nor an English singular that ends in -s: `getStatus`, `getAnalysis`, `getCanvas`).
 */
const PLURAL_LIST_FUNCTION =
  /^(?:get|find|list|load|fetch)(?:All)?[A-Z][\w$]*[a-rt-z]s(?<!(?:[Ss]tatus|[Bb]onus|[Ff]ocus|[Rr]adius|[Vv]irus|[Cc]orpus|[Cc]ensus|[Cc]onsensus|[Cc]ampus|[Aa]lias|[Cc]anvas|[Aa]tlas|[Bb]ias|[Gg]as|[Aa]nalysis|[Bb]asis|[Aa]xis|[Tt]hesis|[Ss]ynopsis|[Dd]iagnosis))(?:For[A-Z][\w$]*|By[A-Z][\w$]*|Of[A-Z][\w$]*)?$/;
/** Next.js route handlers: `export async function GET(request)`. */
const ROUTE_EXPORT = /^(?:GET|POST|PUT|PATCH|DELETE)$/;
/** The text a server action module or a tRPC procedure shows. */
const HANDLER_HINT =
  /^\s*['"]use server['"]|\.\s*(?:query|mutation)\s*\(|\b(?:GET|POST|PUT|PATCH|DELETE)\b|\breq\b|\brequest\b/m;

/** Whether the file shows a handler at all, and whether it is a server actions module: read once per check. */
const mentionsHandler = textMatchOncePerCheck(HANDLER_HINT);
const isServerActionModule = textMatchOncePerCheck(/^\s*(?:\/\/[^\n]*\n\s*)*['"]use server['"]/);

/**
 * Whether `node` runs in a function that serves a request: a Next.js route handler (`export async
 * function GET`), an exported function of a `'use server'` module (a server action), a tRPC
 * procedure (`.query(async ({ ctx, input }) => …)`, `.mutation(…)`), or a function taking
 * `(req, res)`.
 */
function inRequestHandler(input: CheckInput, node: Node): boolean {
  if (!mentionsHandler(input)) return false;
  const serverActions = isServerActionModule(input);
  for (let fn = enclosingFunction(input, node); fn; fn = enclosingFunction(input, fn)) {
    const name = functionName(fn);
    // `export async function GET(…)`, `export const save = async (…) => …`.
    const exported = fn.parent?.type === 'export_statement' || fn.parent?.parent?.parent?.type === 'export_statement';
    if (name && ROUTE_EXPORT.test(name) && exported) return true;
    if (serverActions && exported) return true;
    const params = named(field(fn, 'parameters') ?? field(fn, 'parameter'));
    const names = params.map((param) => (field(param, 'pattern') ?? param).text.replace(/[:?].*$/s, '').trim());
    if (names.length >= 2 && /^(?:req|request)$/.test(names[0]) && /^(?:res|response|reply)$/.test(names[1]))
      return true;
    const argumentList = fn.parent;
    const call = argumentList?.type === 'arguments' ? argumentList.parent : null;
    const method = call?.type === 'call_expression' ? callee(call) : undefined;
    if (method?.object !== undefined && /^(?:query|mutation)$/.test(method.name) && /procedure/i.test(method.object))
      return true;
  }
  return false;
}

/** A parameter's type that says a parser made it: `Parser.Output<T>`, `ParsedFeed`, `ParseResult<Row>`. */
const PARSED_TYPE = String.raw`(?:[\w$]*Parser\.Output\b|Parsed[A-Z][\w$]*|ParseResult\b)`;
/** A parameter's type that is a list of row references: `{ id: number }[]`, `Array<{ id: string }>`. */
const ROW_REFERENCES = String.raw`(?:\{\s*id\s*:\s*[\w$]+\s*;?\s*\}\s*\[\]|Array<\s*\{\s*id\s*:\s*[\w$]+\s*;?\s*\}\s*>)`;

const forLoops = (input: CheckInput, scope: Node): Node[] => forLoopLists(input, scope);
const forLoopLists = scopeAssignmentLists<Node>(['for_in_statement'], (node) => node);

/** The growth of the collection `node`, or undefined when nothing shows it grows. */
export function growthOrigin(
  input: CheckInput,
  node: Node | null,
  isQuery: QueryTest,
  depth = 0,
): GrowthOrigin | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const typed = unwrapTyped(node);
  if (!typed) return undefined;
  const value = typed.node;
  switch (typed.type) {
    case 'await_expression':
      return growthOrigin(input, value.namedChildren[0] ?? null, isQuery, depth + 1);
    case 'identifier':
      return nameGrowth(input, value, isQuery, depth);
    case 'member_expression': {
      if (REQUEST_PART.test(value.text.replace(/\s+/g, ''))) return 'request';
      // A list held by a grown row, a parsed document or a request (`data.collections`, `result.rows`),
      // else one named for ids (`job.data.pageIds`).
      return (
        growthOrigin(input, field(value, 'object'), isQuery, depth + 1) ??
        (IDS_NAME.test(field(value, 'property')?.text ?? '') && !oneRecordsField(value) ? 'ids' : undefined)
      );
    }
    case 'subscript_expression':
      return growthOrigin(input, field(value, 'object'), isQuery, depth + 1);
    case 'call_expression':
      return callGrowth(input, value, isQuery, depth);
    case 'new_expression': {
      // `new Set(ids)`, `new Map(rows.map(…))`: the same elements.
      if (!/^(?:Set|Map)$/.test(field(value, 'constructor')?.text ?? '')) return undefined;
      return growthOrigin(input, firstArg(value), isQuery, depth + 1);
    }
    case 'binary_expression':
      if (!/^(?:\?\?|\|\|)$/.test(field(value, 'operator')?.text ?? '')) return undefined;
      return (
        growthOrigin(input, field(value, 'left'), isQuery, depth + 1) ??
        growthOrigin(input, field(value, 'right'), isQuery, depth + 1)
      );
    case 'ternary_expression':
      return (
        growthOrigin(input, field(value, 'consequence'), isQuery, depth + 1) ??
        growthOrigin(input, field(value, 'alternative'), isQuery, depth + 1)
      );
    case 'array':
      // `[...referencedIds, sourceId]`: as large as the largest part spread into it.
      for (const element of named(value)) {
        if (element.type !== 'spread_element') continue;
        const grown = growthOrigin(input, element.namedChildren[0] ?? null, isQuery, depth + 1);
        if (grown) return grown;
      }
      return undefined;
    default:
      return undefined;
  }
}

function callGrowth(input: CheckInput, call: Node, isQuery: QueryTest, depth: number): GrowthOrigin | undefined {
  const target = callee(call);
  if (!target) return undefined;
  if (SHAPING_FUNCTION.test(target.text) || LODASH_SHAPING.test(target.text))
    return growthOrigin(input, firstArg(call), isQuery, depth + 1);
  if (target.object !== undefined && SHAPING_METHOD.test(target.name))
    return growthOrigin(input, field(field(call, 'function'), 'object'), isQuery, depth + 1);
  if (target.name === 'getAll' && /searchParams$/i.test(target.object ?? '')) return 'request';
  if (/^(?:json|formData)$/.test(target.name) && /^(?:req|request|c\.req)$/.test(target.object ?? '')) return 'request';
  if (/^(?:parse|safeParse|parseAsync|validate)$/.test(target.name) && target.object !== undefined) {
    // `Schema.parse(req.body)`: the input it validates.
    const validated = growthOrigin(input, firstArg(call), isQuery, depth + 1);
    if (validated) return validated;
  }
  if (
    (target.object === undefined ? target.name === 'parse' : DOCUMENT_PARSER_OBJECT.test(target.object)) &&
    DOCUMENT_PARSE_METHOD.test(target.name)
  )
    return 'parsed';
  // `fs.readdir(uploadDir)`, `glob(pattern)`: the files found there (a folder of the code's own is a catalog, read elsewhere).
  if (/^(?:readdir(?:Sync)?|glob(?:Sync)?|globby)$/.test(target.name)) return 'parsed';
  if (SINGLE_ROW_METHOD.test(target.name) || SINGLE_ROW_FUNCTION.test(target.name)) return undefined;
  // `findActiveByTeamId(teamId)`: a helper named for the rows of one parent, not one record by its key.
  if (target.object === undefined && ROWS_OF_PARENT_FUNCTION.test(target.name))
    return namesMembershipsOfPerson(target.name) ? undefined : 'rows';
  // `const orders = await listOrdersForUser(id)` in a request handler: a helper named for a plural
  // list, awaited while a client waits, brings rows unless it is given a limit.
  if (
    target.object === undefined &&
    PLURAL_LIST_FUNCTION.test(target.name) &&
    !namesMembershipsOfPerson(target.name) &&
    call.parent?.type === 'await_expression' &&
    !CAPPED_QUERY.test(call.text) &&
    inRequestHandler(input, call)
  )
    return 'rows';
  if (isQuery(call, target)) return CAPPED_QUERY.test(call.text) ? undefined : 'rows';
  return undefined;
}

/** Names of a message handed to a handler (its payload is the sender's selection): `job`, `event`, `input`, `body`. */
const MESSAGE_NAME =
  /^(?:job|jobs|message|msg|event|evt|payload|data|body|task|command|cmd|input|args|params|query|req|request|ctx|context|options|opts)$/i;

/** A plain name for one record or object (`invite`, `notification`, `keyAuth`), not a message or request. */
function oneRecord(node: Node | null): boolean {
  const value = unwrap(node);
  return value?.type === 'identifier' && !MESSAGE_NAME.test(value.text);
}

/**
 * A list held in a field of one record the function has (`invite.teamIds`, `notification.groupIds ||
 * []`): that record's own list, as many as one record holds. A message's payload (`job.data.pageIds`,
 * `input.ids`) is the sender's selection and stays evidence.
 */
function oneRecordsField(node: Node | null): boolean {
  let value = unwrap(node);
  if (value?.type === 'binary_expression' && /^(?:\?\?|\|\|)$/.test(field(value, 'operator')?.text ?? ''))
    value = unwrap(field(value, 'left'));
  return value?.type === 'member_expression' && oneRecord(field(value, 'object'));
}

/**
 * Whether a value is made from another list's elements, which growthOrigin has read: `xs.map(…)`,
 * `Array.from(new Set(…))`, `[...new Set(…)]`, `_.uniq(…)`.
 */
function takenFromList(node: Node | null): boolean {
  const typed = unwrapTyped(node);
  if (!typed) return false;
  const value = typed.node;
  switch (typed.type) {
    case 'await_expression':
      return false;
    case 'array': {
      // `[...new Set(ids)]`, `[sourceId, ...referenceIds]`: the lists spread into it, and a few more.
      return named(value).some((element) => element.type === 'spread_element');
    }
    case 'new_expression':
      return /^(?:Set|Map)$/.test(field(value, 'constructor')?.text ?? '') && !!firstArg(value);
    case 'call_expression': {
      const target = callee(value);
      if (!target) return false;
      if (SHAPING_FUNCTION.test(target.text) || LODASH_SHAPING.test(target.text)) return true;
      return target.object !== undefined && SHAPING_METHOD.test(target.name);
    }
    default:
      return false;
  }
}

/**
 * A name's growth: any value the innermost function declaring it gives it, the collection of the loop
 * or the array method whose element it is, a handler's request input, or a parameter named for ids.
 */
function nameGrowth(input: CheckInput, name: Node, isQuery: QueryTest, depth: number): GrowthOrigin | undefined {
  const text = name.text;
  const at = name.startIndex;
  const word = new RegExp(`(?<![\\w$])${text.replace(/\$/g, '\\$')}(?![\\w$])`);
  for (let fn = enclosingFunction(input, name); fn; fn = enclosingFunction(input, fn)) {
    const before = input.text.slice(fn.startIndex, at);
    if (!word.test(before)) continue;
    // `if (segmentIds.length > this.config.limit) throw …`: the function refuses more than a cap.
    if (lengthCapped(before, text)) return undefined;
    // `for (const link of links)`: the element of a grown collection (nested loops multiply).
    const loopVariable = new RegExp(
      String.raw`\bfor\s*(?:await\s*)?\(\s*(?:const|let|var)\s[^;)]*(?<![\w$.])${text.replace(/\$/g, '\\$')}(?![\w$])[^;)]*\s(?:of|in)\s`,
    );
    for (const loop of loopVariable.test(before) ? forLoops(input, fn) : []) {
      if (loop.startIndex >= at) continue;
      const body = field(loop, 'body');
      if (!body || body.startIndex > at || body.endIndex < at) continue;
      const left = field(loop, 'left');
      if (!left || !word.test(left.text) || enclosingFunction(input, loop)?.id !== fn.id) continue;
      return growthOrigin(input, field(loop, 'right'), isQuery, depth + 1);
    }
    const given = givesValue(before, text) ? valuesGiven(input, fn, text, at, word) : [];
    if (given.length > 0) {
      for (const value of given) {
        let grown: GrowthOrigin | undefined;
        if (value.kind === 'whole' || value.kind === 'key') grown = growthOrigin(input, value.node, isQuery, depth + 1);
        else {
          // `const [a, b] = await Promise.all([findA(), findB()])`: the result of the call at that place.
          let source = unwrap(value.node);
          if (source?.type === 'await_expression') source = unwrap(source.namedChildren[0] ?? null);
          const list =
            source?.type === 'call_expression' && callee(source)?.object === 'Promise'
              ? unwrap(firstArg(source))
              : null;
          if (list?.type === 'array' && value.index !== undefined)
            grown = growthOrigin(input, named(list)[value.index] ?? null, isQuery, depth + 1);
        }
        if (grown) return grown;
      }
      // `const attachmentIds = getAttachmentIds(doc)`: ids collected from data (a string split into
      // parts is a setting's list, not rows). Ids taken from a list read above (`rows.map((r) => r.id)`,
      // `[...new Set(items.flatMap(…))]`) are as many as that list, and it showed no growth.
      // Ids a helper named for one person's memberships gives (`getProjectRolesForUser(project, userId)`) are few.
      return IDS_NAME.test(text) &&
        !given.some((value) => /\.\s*split\s*\(/.test(value.node?.text ?? '')) &&
        !given.every((value) => givenByMembershipHelper(value.node)) &&
        !given.every((value) =>
          value.kind === 'whole' ? takenFromList(value.node) || oneRecordsField(value.node) : oneRecord(value.node),
        )
        ? 'ids'
        : undefined;
    }
    const parameters = field(fn, 'parameters') ?? field(fn, 'parameter');
    if (parameters && word.test(parameters.text)) {
      if (text === 'input' && /^\(?\s*\{/.test(parameters.text)) return 'request';
      if (new RegExp(`@Body\\([^()]*\\)\\s*${text.replace(/\$/g, '\\$')}\\b`).test(parameters.text)) return 'request';
      // `rows.forEach((row) => …)`: an element of the collection the method walks (asked of the text first).
      const opening = input.text.slice(Math.max(0, fn.startIndex - 40), fn.startIndex);
      const argumentList =
        /\.\s*(?:map|flatMap|forEach|filter|some|every|reduce|find|findIndex)\s*\(\s*(?:async\s*)?$/.test(opening)
          ? fn.parent
          : null;
      const call = argumentList?.type === 'arguments' ? argumentList.parent : null;
      const method = call?.type === 'call_expression' ? callee(call) : undefined;
      if (call && method?.object !== undefined && WALKING_METHOD.test(method.name)) {
        const first = named(parameters)[0] ?? (parameters.type === 'identifier' ? parameters : null);
        if (first && word.test(first.text))
          return growthOrigin(input, field(field(call, 'function'), 'object'), isQuery, depth + 1);
      }
      // `linkIds: number[]`, `links: { id: number }[]`: the caller's selection of rows, one row each,
      // unless the file's own calls of the function show what it is given (see growthFromCallers).
      const escaped = text.replace(/\$/g, '\\$');
      if (
        IDS_NAME.test(text) ||
        new RegExp(`(?<![\\w$])${escaped}\\s*\\??\\s*:\\s*${ROW_REFERENCES}`).test(parameters.text)
      ) {
        const fromCallers = growthFromCallers(input, fn, parameters, text, isQuery, depth);
        return fromCallers ? fromCallers.grown : 'ids';
      }
      // `feed: Parser.Output<Item>`, `rows: ParsedCsv`: a document a parser made.
      if (new RegExp(`(?<![\\w$])${escaped}\\s*\\??\\s*:\\s*${PARSED_TYPE}`).test(parameters.text)) return 'parsed';
      return undefined;
    }
  }
  // Declared in no function around it: a list named for ids is still the caller's selection of rows.
  return IDS_NAME.test(text) ? 'ids' : undefined;
}

/** `if (ids.length > limit) throw`, `if (items.length >= MAX) { return … }`: a length refused above a cap. */
function lengthCapped(text: string, name: string): boolean {
  if (!text.includes('.length')) return false;
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(
    String.raw`\bif\s*\(\s*(?<![\w$.])${escaped}\s*\??\.\s*length\s*>=?\s*[\w$.]+\s*\)\s*\{?\s*(?:throw|return)\b`,
  ).test(text);
}

/** `await this.accessService.getProjectRolesForUser(project, id)`: a call named for one person's memberships. */
function givenByMembershipHelper(node: Node | null): boolean {
  let value = unwrap(node);
  if (value?.type === 'await_expression') value = unwrap(value.namedChildren[0] ?? null);
  if (value?.type !== 'call_expression') return false;
  const target = callee(value);
  return !!target && namesMembershipsOfPerson(target.name);
}

/**
 * What the file's own calls of `fn` give the parameter `name`: a private method's ids
 * (`this.addToStrategy(strategyId, segmentIds.filter(…))`) are what its callers pass, and they show
 * whether that list grows (a request's list refused above a cap does not). Undefined when the file
 * never calls `fn` by its name; `grown` is the first growth a call shows.
 */
function growthFromCallers(
  input: CheckInput,
  fn: Node,
  parameters: Node,
  name: string,
  isQuery: QueryTest,
  depth: number,
): { grown: GrowthOrigin | undefined } | undefined {
  const fnName = functionName(fn);
  if (!fnName || depth >= MAX_DEPTH - 2) return undefined;
  const index = named(parameters).findIndex(
    (parameter) => (field(parameter, 'pattern') ?? parameter).text.replace(/[:?=][\s\S]*$/, '').trim() === name,
  );
  if (index < 0) return undefined;
  const isMethod = fn.type === 'method_definition';
  let calls = 0;
  for (const { node, target } of jsCalls(input)) {
    if (target.name !== fnName || (isMethod ? target.object !== 'this' : target.object !== undefined)) continue;
    // A recursive call passes on what it was given.
    if (node.startIndex >= fn.startIndex && node.endIndex <= fn.endIndex) continue;
    calls += 1;
    const grown = growthOrigin(input, args(node)[index] ?? null, isQuery, depth + 1);
    if (grown) return { grown };
  }
  return calls > 0 ? { grown: undefined } : undefined;
}

/**
 * The collection a loop walks: the right side of `for (x of xs)` / `for (k in map)`, the `xs` of a
 * counted loop's `i < xs.length`, the receiver of the array method a callback is given to
 * (`xs.forEach(async (x) => …)`). Null for `while` loops, a counted loop that steps by a batch it slices
 * out (one pass per batch), and anything else.
 */
export function loopCollection(loop: Node): Node | null {
  if (loop.type === 'for_in_statement') return field(loop, 'right');
  if (loop.type === 'for_statement') {
    const condition = field(loop, 'condition');
    const length = /(?<![\w$.])([A-Za-z_$][\w$.]*)\s*\.\s*length\b/.exec(condition?.text ?? '');
    if (!condition || !length) return null;
    for (const member of descendants(condition, 'member_expression'))
      if (field(member, 'property')?.text === 'length') {
        const collection = field(member, 'object');
        return collection && stepsByBatchesOf(loop, collection.text) ? null : collection;
      }
    return null;
  }
  if (JS_FUNCTIONS_SET.has(loop.type)) {
    const argumentList = loop.parent;
    const call = argumentList?.type === 'arguments' ? argumentList.parent : null;
    if (call?.type !== 'call_expression') return null;
    return field(field(call, 'function'), 'object');
  }
  return null;
}

/**
 * `for (let i = 0; i < ids.length; i += size) { const batch = ids.slice(i, i + size); … }`: a counted
 * loop that steps by more than one and slices that batch out of the collection it counts (not out of
 * another value: `label.slice(i, …)` leaves the loop one pass per element it visits).
 */
function stepsByBatchesOf(loop: Node, collection: string): boolean {
  const step = /^([A-Za-z_$][\w$]*)\s*\+=\s*(?!1\b)[\w$.]+$/.exec(field(loop, 'increment')?.text.trim() ?? '');
  if (!step) return false;
  const escape = (text: string): string => text.replace(/[$.*+?^()[\]{}|\\]/g, '\\$&');
  return new RegExp(
    String.raw`(?<![\w$.])${escape(collection)}\s*\.\s*(?:slice|subarray)\s*\(\s*${escape(step[1])}\b`,
  ).test(field(loop, 'body')?.text ?? '');
}

const JS_FUNCTIONS_SET: ReadonlySet<string> = new Set([
  'function_expression',
  'arrow_function',
  'function_declaration',
  'method_definition',
]);
