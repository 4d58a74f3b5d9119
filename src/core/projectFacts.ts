import path from 'node:path';
import { listIfPresent, readIfPresent } from './projectFiles';
import type { UnitFacts } from './review/types';

/** A NestJS module file: `orders.module.ts`, `app.module.js`. */
const MODULE_FILE = /\.module\.[cm]?[jt]s$/;
/** `import { HttpModule } from '@nestjs/axios'` (or the older `@nestjs/common`), with other names beside it. */
const HTTP_MODULE_IMPORT = /\bimport\s*\{[^}]*\bHttpModule\b[^}]*\}\s*from\s*['"]@nestjs\/(?:axios|common)['"]/;
/** `HttpModule.register(…)`, `HttpModule.registerAsync(…)`: options given, a timeout among them or not visible. */
const HTTP_MODULE_REGISTERED = /\bHttpModule\s*\.\s*register(?:Async)?\s*\(/;
/** `HttpModule` as it is in a module's `imports: [...]`. */
const HTTP_MODULE_LISTED = /\bimports\s*:\s*\[[^\]]*\bHttpModule\b(?!\s*\.)/;

/**
 * Facts about a file that only the files beside it hold (ReviewUnit.facts), read once per folder.
 * `list` names a folder's files and `read` returns a file's text (undefined when absent; a file that is
 * there and cannot be read throws, see projectFiles.ts); tests pass maps.
 */
export class ProjectFacts {
  private readonly byDir = new Map<string, UnitFacts | undefined>();

  constructor(
    private readonly root: string,
    private readonly list: (absoluteDir: string) => string[] = listIfPresent,
    private readonly read: (absolutePath: string) => string | undefined = readIfPresent,
  ) {}

  /** The facts of a `/`-separated path relative to the root; undefined when its neighbours say nothing. */
  of(relativePath: string): UnitFacts | undefined {
    if (/^(?:\/|[A-Za-z]:)/.test(relativePath) || !/\.[cm]?[jt]sx?$/.test(relativePath)) return undefined;
    const parts = relativePath.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) return undefined;
    parts.pop();
    const dir = parts.join('/');
    if (!this.byDir.has(dir)) this.byDir.set(dir, this.factsOf(dir));
    return this.byDir.get(dir);
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
