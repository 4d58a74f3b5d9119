import path from 'node:path';
import { listIfPresent, readIfPresent } from './projectFiles';
import type { UnitFacts } from './review/types';
import { calledPackageQueries, goPackageName, packageQueryFunctions } from './offline/goQueries';
import type { PackageQueryFunction } from './offline/goQueries';
import { mentionedIdentifiers, packageFixedText, usedFixedText } from './offline/goFixedText';
import { pyBlockingFunctions, pyFromImports, pyImportCandidates } from './offline/pyImports';

/** A folder of more Go files than this is not read for its package's functions (cost). */
const GO_PACKAGE_MAX_FILES = 400;

/**
 * A Go folder's files (tests left out) with their package clause, and each package's querying
 * functions. The texts are not kept: the functions are all a check needs from them, and an editor
 * holds a folder's facts for as long as its files do not change (up to GO_PACKAGE_MAX_FILES texts).
 */
interface GoFolder {
  packages: Map<string, string>;
  functions: Map<string, Map<string, PackageQueryFunction>>;
  /** Each package's names that stand for fixed text (see goFixedText.ts). */
  fixedText: Map<string, Set<string>>;
  /** How many of the folder's files were read (the functions need two or more). */
  files: number;
}

/** A NestJS module file: `orders.module.ts`, `app.module.js`. */
const MODULE_FILE = /\.module\.[cm]?[jt]s$/;
/** `import { HttpModule } from '@nestjs/axios'` (or the older `@nestjs/common`), with other names beside it. */
const HTTP_MODULE_IMPORT = /\bimport\s*\{[^}]*\bHttpModule\b[^}]*\}\s*from\s*['"]@nestjs\/(?:axios|common)['"]/;
/** `HttpModule.register(…)`, `HttpModule.registerAsync(…)`: options given, a timeout among them or not visible. */
const HTTP_MODULE_REGISTERED = /\bHttpModule\s*\.\s*register(?:Async)?\s*\(/;
/** `HttpModule` as it is in a module's `imports: [...]`. */
const HTTP_MODULE_LISTED = /\bimports\s*:\s*\[[^\]]*\bHttpModule\b(?!\s*\.)/;

/**
 * Whether a change to the file at `relativePath` can change the facts of the files beside it (or, for
 * a go.mod, below it): a Go source file (its package's querying functions), a NestJS module, a go.mod.
 * Front ends re-check the open files of that folder when one changes on disk.
 */
export function changesNeighbourFacts(relativePath: string): boolean {
  const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  return (
    (name.endsWith('.go') && !name.endsWith('_test.go')) ||
    name === 'go.mod' ||
    MODULE_FILE.test(name) ||
    (name.endsWith('.py') && isPySettingsPath(relativePath))
  );
}

/**
 * Facts about a file that only the files beside it hold (ReviewUnit.facts), read once per folder.
 * `list` names a folder's files and `read` returns a file's text (undefined when absent; a file that is
 * there and cannot be read throws, see projectFiles.ts); tests pass maps.
 */
export class ProjectFacts {
  private readonly byDir = new Map<string, UnitFacts | undefined>();

  /** Each folder's stamp when it was read (with `stamp` given). */
  private readonly stamps = new Map<string, string | undefined>();

  /**
   * `stamp`, when given (the editor: folderStamp), is asked for a folder's stamp before each answer
   * about it, and what was read there is read again when the stamp changed: a change the file
   * watcher did not report (or has not yet) is not answered from stale files. The CLI, whose files do
   * not change during a run, reads each folder once.
   */
  constructor(
    private readonly root: string,
    private readonly list: (absoluteDir: string) => string[] = listIfPresent,
    private readonly read: (absolutePath: string) => string | undefined = readIfPresent,
    private readonly stamp?: (absoluteDir: string, read: (name: string) => boolean) => string | undefined,
  ) {}

  /** Forgets a folder's facts when its stamp changed since they were read (see the constructor). */
  private revalidate(dir: string): void {
    if (!this.stamp) return;
    const now = this.stamp(path.join(this.root, ...dir.split('/').filter(Boolean)), readForFacts);
    if (this.stamps.has(dir) && this.stamps.get(dir) === now) return;
    // As if its go.mod changed too: the module facts are cheap to read again.
    this.forget(dir === '' ? 'go.mod' : `${dir}/go.mod`);
    this.stamps.set(dir, now);
  }

  /**
   * The facts of a `/`-separated path relative to the root; undefined when its neighbours say nothing.
   * `text` is the file as it is being checked (an editor's unsaved buffer); without it the file on disk.
   */
  of(relativePath: string, text?: string): UnitFacts | undefined {
    if (relativePath.endsWith('.py')) {
      const settings = this.pySettingsOf(relativePath);
      const blocking = this.pyBlockingImportsOf(relativePath, text);
      return blocking ? { ...settings, pyBlockingImports: blocking } : settings;
    }
    const isGo = relativePath.endsWith('.go');
    if (/^(?:\/|[A-Za-z]:)/.test(relativePath) || (!isGo && !/\.[cm]?[jt]sx?$/.test(relativePath))) return undefined;
    const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) return undefined;
    const name = parts.pop() ?? '';
    const dir = parts.join('/');
    this.revalidate(dir);
    if (isGo) {
      const module = this.goModuleOf(dir);
      const called = name.endsWith('_test.go') ? undefined : this.goPackageOf(dir, name, text);
      const fixed = this.goFixedTextOf(dir, name, text);
      if (!called && !fixed) return module;
      return { ...module, ...(called ? { goPackageQueries: called } : {}), ...(fixed ? { goFixedText: fixed } : {}) };
    }
    if (!this.byDir.has(dir)) this.byDir.set(dir, this.factsOf(dir));
    return this.byDir.get(dir);
  }

  /**
   * Forgets what was read about the folder of `relativePath` (a file there was created, changed or
   * deleted), so the next `of` reads it again; a go.mod forgets every folder's module facts, since
   * it decides those of the folders below it.
   */
  forget(relativePath: string): void {
    const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
    const name = parts.pop() ?? '';
    const dir = parts.join('/');
    this.byDir.delete(dir);
    this.goPackages.delete(dir);
    this.pySettingsFolders.delete(dir);
    this.pyModules.delete([...parts, name].join('/'));
    this.pyListings.delete(dir);
    if (name === 'go.mod') {
      this.goByDir.clear();
      this.goModules.clear();
    }
  }

  private readonly goByDir = new Map<string, UnitFacts | undefined>();

  /** What the nearest go.mod at or above folder `dir` (up to the root) says, read once per folder. */
  private goModuleOf(dir: string): UnitFacts | undefined {
    if (this.goByDir.has(dir)) return this.goByDir.get(dir);
    const text = this.read(path.join(this.root, ...dir.split('/').filter(Boolean), 'go.mod'));
    let facts: UnitFacts | undefined;
    if (text !== undefined) facts = goModuleDatabase(text) === 'embedded' ? { goDatabase: 'embedded' } : undefined;
    else if (dir !== '') facts = this.goModuleOf(dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '');
    this.goByDir.set(dir, facts);
    return facts;
  }

  private readonly goPackages = new Map<string, GoFolder>();

  /**
   * The querying functions of the Go package that file `name` of folder `dir` belongs to, declared in
   * the package's other files and called by this one (`text`, else the file on disk) by name (see
   * goQueries.ts). The folder's files are read once until `forget`; a folder of more than
   * GO_PACKAGE_MAX_FILES files is not read.
   */
  private goPackageOf(dir: string, name: string, text: string | undefined): UnitFacts['goPackageQueries'] {
    const folder = this.goFolder(dir);
    if (folder.files < 2) return undefined;
    // The file as it is checked says which package it is in (an unsaved buffer may have moved it).
    const packageName = text === undefined ? folder.packages.get(name) : goPackageName(text);
    const functions = packageName === undefined ? undefined : folder.functions.get(packageName);
    if (!functions || functions.size === 0) return undefined;
    const own = text ?? this.read(path.join(this.root, ...dir.split('/').filter(Boolean), name));
    return own === undefined ? undefined : calledPackageQueries(own, functions);
  }

  /** A Go folder's files read once (until `forget`): each package's querying functions and fixed names. */
  private goFolder(dir: string): GoFolder {
    let folder = this.goPackages.get(dir);
    if (folder) return folder;
    const absolute = path.join(this.root, ...dir.split('/').filter(Boolean));
    const names = this.list(absolute).filter((file) => file.endsWith('.go') && !file.endsWith('_test.go'));
    folder = { packages: new Map(), functions: new Map(), fixedText: new Map(), files: 0 };
    const byPackage = new Map<string, Array<{ name: string; text: string }>>();
    if (names.length <= GO_PACKAGE_MAX_FILES)
      for (const file of names) {
        const fileText = this.read(path.join(absolute, file));
        const packageName = fileText === undefined ? undefined : goPackageName(fileText);
        if (fileText === undefined || !packageName) continue;
        folder.files += 1;
        folder.packages.set(file, packageName);
        const files = byPackage.get(packageName) ?? [];
        files.push({ name: file, text: fileText });
        byPackage.set(packageName, files);
      }
    for (const [packageName, files] of byPackage) {
      if (folder.files >= 2) folder.functions.set(packageName, packageQueryFunctions(files));
      folder.fixedText.set(packageName, packageFixedText(files.map((file) => file.text)));
    }
    this.goPackages.set(dir, folder);
    return folder;
  }

  /** The nearest go.mod at or above folder `dir`: its folder and module path, read once per folder. */
  private readonly goModules = new Map<string, { dir: string; module: string } | undefined>();

  private goModuleRoot(dir: string): { dir: string; module: string } | undefined {
    if (this.goModules.has(dir)) return this.goModules.get(dir);
    const text = this.read(path.join(this.root, ...dir.split('/').filter(Boolean), 'go.mod'));
    let found: { dir: string; module: string } | undefined;
    if (text !== undefined) {
      const module = /^module[ \t]+"?([^\s"]+)"?/m.exec(text)?.[1];
      found = module ? { dir, module } : undefined;
    } else if (dir !== '') found = this.goModuleRoot(dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '');
    this.goModules.set(dir, found);
    return found;
  }

  /**
   * The names standing for fixed text that the Go file uses (see goFixedText.ts): of its own package's
   * other files, bare, and of the packages of its module it imports, qualified by the name it imports
   * them under. A change to an imported folder is seen after that folder's `forget`.
   */
  private goFixedTextOf(dir: string, name: string, text: string | undefined): string[] | undefined {
    const own = text ?? this.read(path.join(this.root, ...dir.split('/').filter(Boolean), name));
    if (own === undefined) return undefined;
    const used = new Set<string>();
    const folder = this.goFolder(dir);
    const packageName = goPackageName(own);
    const local = packageName === undefined ? undefined : folder.fixedText.get(packageName);
    const mentioned = mentionedIdentifiers(own);
    if (local) for (const found of usedFixedText(own, local, undefined, mentioned)) used.add(found);
    const module = this.goModuleRoot(dir);
    if (module)
      for (const { path: imported, alias } of goImports(own)) {
        if (imported !== module.module && !imported.startsWith(`${module.module}/`)) continue;
        const rest = imported.slice(module.module.length).split('/').filter(Boolean);
        const target = [...module.dir.split('/').filter(Boolean), ...rest].join('/');
        if (target === dir || alias === '_' || alias === '.') continue;
        const other = this.goFolder(target);
        // A package main beside it (a `//go:build ignore` generator) cannot be imported.
        const packages = new Set([...other.packages.values()].filter((found) => found !== 'main'));
        if (packages.size !== 1) continue;
        const [otherPackage] = packages;
        const names = other.fixedText.get(otherPackage);
        if (names) for (const found of usedFixedText(own, names, alias ?? otherPackage, mentioned)) used.add(found);
      }
    return used.size > 0 ? [...used].sort() : undefined;
  }

  /** Per settings folder, its Python modules' texts (read once). */
  private readonly pySettingsFolders = new Map<string, Map<string, string>>();

  /**
   * For a Python settings module (in a folder named for settings or configuration, or named for
   * settings itself), the names a module beside it assigns again after star-importing it. Only such
   * folders of up to PY_SETTINGS_MAX_FILES modules are read, once each.
   */
  private pySettingsOf(relativePath: string): UnitFacts | undefined {
    if (/^(?:\/|[A-Za-z]:)/.test(relativePath)) return undefined;
    const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) return undefined;
    const name = parts.pop() ?? '';
    if (!isPySettingsPath(relativePath)) return undefined;
    const dir = parts.join('/');
    this.revalidate(dir);
    let folder = this.pySettingsFolders.get(dir);
    if (!folder) {
      folder = new Map();
      const absolute = path.join(this.root, ...parts);
      const names = this.list(absolute).filter((file) => file.endsWith('.py'));
      if (names.length <= PY_SETTINGS_MAX_FILES)
        for (const file of names) {
          const text = this.read(path.join(absolute, file));
          if (text !== undefined) folder.set(file, text);
        }
      this.pySettingsFolders.set(dir, folder);
    }
    const replaced = replacedSettings(
      name.slice(0, -3),
      [...folder].filter(([file]) => file !== name).map(([file, text]) => ({ name: file, text })),
    );
    return replaced.length > 0 ? { pySettingsReplaced: replaced } : undefined;
  }

  /** Per project module read for its blocking functions (see pyBlockingFunctions), by path from the root; null when absent. */
  private readonly pyModules = new Map<string, Map<string, { call: string; line: number }> | null>();

  /** Each folder's entry names, listed once (a module path is looked up in its folder before it is read). */
  private readonly pyListings = new Map<string, Set<string>>();

  private pyModule(relative: string): Map<string, { call: string; line: number }> | null {
    let found = this.pyModules.get(relative);
    if (found !== undefined) return found;
    const parts = relative.split('/');
    const name = parts.pop() ?? '';
    const folder = parts.join('/');
    let listing = this.pyListings.get(folder);
    if (!listing) this.pyListings.set(folder, (listing = new Set(this.list(path.join(this.root, ...parts)))));
    const text = listing.has(name) ? this.read(path.join(this.root, ...parts, name)) : undefined;
    found = text === undefined ? null : pyBlockingFunctions(text);
    this.pyModules.set(relative, found);
    return found;
  }

  /**
   * For a Python file with an `async def`, the plain functions it imports by name from other modules of
   * the project whose own body blocks the thread (UnitFacts.pyBlockingImports). Each module is read once;
   * a change to it is seen after `forget` of its path.
   */
  private pyBlockingImportsOf(relativePath: string, text: string | undefined): UnitFacts['pyBlockingImports'] {
    if (/^(?:\/|[A-Za-z]:)/.test(relativePath)) return undefined;
    const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) return undefined;
    const own = text ?? this.read(path.join(this.root, ...parts));
    if (own === undefined || !/^[ \t]*async[ \t]+def\b/m.test(own)) return undefined;
    parts.pop();
    const dir = parts.join('/');
    const found: NonNullable<UnitFacts['pyBlockingImports']> = {};
    for (const imported of pyFromImports(own)) {
      for (const candidate of pyImportCandidates(dir, imported)) {
        if (candidate === relativePath) break;
        const functions = this.pyModule(candidate);
        if (functions === null) continue;
        for (const { imported: name, local } of imported.names) {
          const blocking = functions.get(name);
          if (blocking) found[local] = { file: candidate, ...blocking };
        }
        break;
      }
    }
    return Object.keys(found).length > 0 ? found : undefined;
  }

  private factsOf(dir: string): UnitFacts | undefined {
    const absolute = path.join(this.root, ...dir.split('/').filter(Boolean));
    const nest = nestHttpModuleIn(
      this.list(absolute)
        .filter((name) => MODULE_FILE.test(name))
        .map((name) => this.read(path.join(absolute, name)) ?? ''),
    );
    return nest ? { nestHttpModule: nest } : undefined;
  }
}

/** The files whose text the facts come from (the rest of a folder counts by name only): see `of`. */
function readForFacts(name: string): boolean {
  return name.endsWith('.go') || name.endsWith('.py') || name === 'go.mod' || MODULE_FILE.test(name);
}

/** Folders Django and Flask projects keep their settings modules in. */
const SETTINGS_FOLDER = /^(?:settings|config|conf|configs|configuration)$/i;
/** A Python module in a settings folder, or named for settings (`settings_prod.py`). */
function isPySettingsPath(relativePath: string): boolean {
  const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
  const name = parts.pop() ?? '';
  return SETTINGS_FOLDER.test(parts.at(-1) ?? '') || /settings/i.test(name);
}

/** A settings folder of more Python modules than this is not read. */
const PY_SETTINGS_MAX_FILES = 40;

/** Settings modules of a developer's machine, tests or CI: what they replace says nothing of a deployment. */
const NON_DEPLOYED_SETTINGS = /(?:^|_)(?:tests?|testing|dev|develop|development|local|ci)(?:_|\.py$)/i;

/** `KEY = value` (any indentation), the value not a string literal, `None` or nothing: indentation, name, value. */
const SETTING_ASSIGNED = /^([ \t]*)([A-Z][A-Z0-9_]*)[ \t]*=(?!=)[ \t]*(?![ \t]*(?:[rRbBuU]{0,2}["']|None\b|$))(.*)$/;
/** Blocks a module-level statement runs through on every path: a `try`, its handlers, `finally`, a `with`. */
const EVERY_PATH_BLOCK = /^(?:try|except|finally|with|async[ \t]+with)\b/;
/** Python string literals, emptied before a value is searched for a name. */
const PY_STRING =
  /[rRbBuUfF]{0,2}("""|''')[\s\S]*?\1|[rRbBuUfF]{0,2}"(?:[^"\\\n]|\\.)*"|[rRbBuUfF]{0,2}'(?:[^'\\\n]|\\.)*'/g;

/**
 * Whether the statement on line `index`, indented by `indent`, runs whenever the module is imported:
 * at the top level, or only inside `try`/`except`/`finally`/`with` blocks there (`try: KEY = read()
 * except OSError: KEY = generate()`). Not inside an `if`, a loop, a function or a class, nor an
 * argument of a call written over several lines (`dict(\n    PASSWORD=…`).
 */
function runsOnEveryPath(lines: readonly string[], index: number, indent: number): boolean {
  for (let i = index - 1; i >= 0 && indent > 0; i -= 1) {
    const code = lines[i].trimStart();
    if (code === '' || code.startsWith('#')) continue;
    const own = lines[i].length - code.length;
    if (own >= indent) continue;
    if (!EVERY_PATH_BLOCK.test(code)) return false;
    indent = own;
  }
  return indent === 0;
}

/**
 * The value assigned on line `index` (with the lines that continue it), strings emptied, to see whether it
 * falls back on the imported value: `SECRET_KEY = os.environ.get("SECRET_KEY", SECRET_KEY)`.
 */
function assignedValue(lines: readonly string[], index: number, indent: number, first: string): string {
  const parts = [first];
  for (let i = index + 1; i < lines.length; i += 1) {
    const code = lines[i].trimStart();
    if (code === '') break;
    if (lines[i].length - code.length <= indent && !/^[)\]}]/.test(code)) break;
    parts.push(code);
  }
  return parts.join('\n').replace(PY_STRING, '""');
}

/**
 * The UPPER_CASE names that some of `siblings` (modules beside it) assign again, from anything but a
 * string literal, after `from .module import *` (or `from pkg.module import *`): a production
 * settings module that takes the base's values and replaces the secret ones from the environment
 * or a file. Only an assignment that runs on every import counts (not under an `if` or in a
 * function), and not one that falls back on the imported value itself (`env("KEY", KEY)`: the
 * literal is still the value wherever the variable is unset). Modules named for development,
 * tests or CI do not count.
 */
export function replacedSettings(module: string, siblings: ReadonlyArray<{ name: string; text: string }>): string[] {
  const names = new Set<string>();
  const starImport = new RegExp(`^[ \\t]*from[ \\t]+(?:\\.|[\\w.]+\\.)${module}[ \\t]+import[ \\t]+\\*`, 'm');
  for (const { name, text } of siblings) {
    if (NON_DEPLOYED_SETTINGS.test(name)) continue;
    const imported = starImport.exec(text);
    if (!imported) continue;
    const lines = text.slice(imported.index).split(/\r?\n/);
    lines.forEach((line, index) => {
      const assigned = SETTING_ASSIGNED.exec(line);
      if (!assigned) return;
      const [, indentation, key, value] = assigned;
      if (!runsOnEveryPath(lines, index, indentation.length)) return;
      if (new RegExp(`(?<![\\w.])${key}\\b`).test(assignedValue(lines, index, indentation.length, value))) return;
      names.add(key);
    });
  }
  return [...names].sort();
}

/**
 * How the NestJS modules of one folder (their texts) provide `HttpService`: `configured` when any
 * registers HttpModule with options (its timeout cannot be told apart from none: not reported),
 * `default` when one lists it as it is (axios's defaults: no timeout), undefined when none imports it.
 */
export function nestHttpModuleIn(moduleTexts: readonly string[]): UnitFacts['nestHttpModule'] {
  let listed = false;
  for (const text of moduleTexts) {
    if (!HTTP_MODULE_IMPORT.test(text)) continue;
    if (HTTP_MODULE_REGISTERED.test(text)) return 'configured';
    if (HTTP_MODULE_LISTED.test(text)) listed = true;
  }
  return listed ? 'default' : undefined;
}

/** In-process SQL engines: SQLite through cgo, in pure Go, or gorm's SQLite drivers. */
const EMBEDDED_SQL_MODULE =
  /^(?:github\.com\/mattn\/go-sqlite3|modernc\.org\/sqlite|github\.com\/glebarez\/(?:go-)?sqlite|gorm\.io\/driver\/sqlite|github\.com\/ncruces\/go-sqlite3|zombiezen\.com\/go\/sqlite|crawshaw\.io\/sqlite)$/;

/**
 * Clients of databases and data stores reached over the network: SQL drivers (PostgreSQL, MySQL, SQL
 * Server, Oracle, ClickHouse, Firebird, Snowflake, libSQL's remote client), ORMs' networked dialects,
 * and document, key-value, search and cloud stores.
 */
const NETWORKED_STORE_MODULE =
  /^(?:github\.com\/(?:lib\/pq|jackc\/pgx|go-sql-driver\/mysql|ziutek\/mymysql|(?:denisenkom|microsoft)\/go-mssqldb|go-pg\/pg|uptrace\/bun\/(?:driver\/pgdriver|dialect\/(?:pg|mysql|mssql)dialect)|ClickHouse\/clickhouse-go|gocql\/gocql|godror\/godror|sijms\/go-ora|mattn\/go-oci8|nakagami\/firebirdsql|snowflakedb\/gosnowflake|alexbrainman\/odbc|tursodatabase\/libsql-client-go|(?:redis|go-redis)\/\w|gomodule\/redigo|elastic\/go-elasticsearch|olivere\/elastic|aws\/aws-sdk-go(?:$|-v2\/service\/dynamodb)|couchbase\/|neo4j\/|arangodb\/|influxdata\/)|gorm\.io\/driver\/(?:postgres|mysql|sqlserver|clickhouse)|go\.mongodb\.org\/|cloud\.google\.com\/go\/(?:spanner|bigquery|bigtable|firestore|datastore)|gopkg\.in\/(?:mgo|redis)\.|go\.etcd\.io\/etcd)/;

/** Words in the path of a data store's client: a driver the list above does not know yet. */
const STORE_WORD =
  /sql|postgres|\bpg|mongo|redis|valkey|cassandra|cql|clickhouse|oracle|spanner|dynamo|elastic|opensearch|couch|neo4j|arango|influx|etcd|trino|presto|vertica|snowflake|tidb|cockroach|scylla|memcache|surreal|firebird|hana|db2|odbc|bigquery|bigtable|firestore|datastore/i;
/** Query builders, ORM cores and migration tools: they run on whatever driver sits beside them. */
const DRIVERLESS_SQL_MODULE =
  /^(?:github\.com\/(?:pocketbase\/dbx|jmoiron\/sqlx|huandu\/go-sqlbuilder|Masterminds\/squirrel|doug-martin\/goqu|pressly\/goose|golang-migrate\/migrate|rubenv\/sql-migrate)|gorm\.io\/gorm|xorm\.io\/xorm)(?:\/|$)/;

/**
 * A module that may be a networked store's client the list does not name (a new driver path, a
 * vendor's SDK): when in doubt the module is not taken as SQLite-only, so its loops are still checked.
 */
function mayBeStoreClient(module: string): boolean {
  return STORE_WORD.test(module) && !EMBEDDED_SQL_MODULE.test(module) && !DRIVERLESS_SQL_MODULE.test(module);
}

/**
 * `embedded` when a go.mod requires an in-process SQL engine and no networked store's client. Only
 * direct requirements count: the module's own code imports those (an ORM's networked driver is one),
 * while `// indirect` ones are what its dependencies use (a push SDK's unused document store).
 */
export function goModuleDatabase(goMod: string): 'embedded' | undefined {
  // `require x v1` lines and the entries of `require ( … )` blocks: the module path is a line's first word.
  const modules = [
    ...goMod.matchAll(/^(?:require[ \t]+)?[ \t]*([\w.-]+\.[\w.-]+\/\S+)[ \t]+v\S+[ \t]*(\/\/[ \t]*indirect\b)?/gm),
  ].flatMap((match) => (match[2] ? [] : [match[1]]));
  if (modules.some((module) => NETWORKED_STORE_MODULE.test(module) || mayBeStoreClient(module))) return undefined;
  return modules.some((module) => EMBEDDED_SQL_MODULE.test(module)) ? 'embedded' : undefined;
}

/** A Go file's imports: each path with its alias when one is written (`store "example.com/app/internal/db"`). */
export function goImports(text: string): Array<{ path: string; alias?: string }> {
  const found: Array<{ path: string; alias?: string }> = [];
  const spec = /^[ \t]*(?:import[ \t]+)?(?:([A-Za-z_]\w*|\.)[ \t]+)?"([^"\n]+)"/gm;
  const sections = [...text.matchAll(/^import[ \t]*\(([^]*?)^\)/gm)].map((block) => block[1]);
  sections.push(...[...text.matchAll(/^import[ \t]+[^(\n][^\n]*$/gm)].map((line) => line[0]));
  for (const section of sections)
    for (const match of section.matchAll(spec))
      found.push(match[1] ? { path: match[2], alias: match[1] } : { path: match[2] });
  return found;
}
