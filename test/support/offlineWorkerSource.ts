import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReviewUnit } from '../../src/core/review/types';

/** The offline checks worker's TypeScript source, for tests of worker threads run from source. */
export const WORKER_SOURCE = join(__dirname, '../../src/core/offline/worker.ts');
/** How the worker runs the TypeScript source, as the bundled dist/offlineWorker.js does the built one. */
export const WORKER_EXEC_ARGV = ['--require', 'tsx/cjs'];

const FIXTURES = join(__dirname, '../fixtures/offline');

/** Every offline fixture file of the three languages, as review units (`typescript/name.ts`, …). */
export function offlineFixtureUnits(): ReviewUnit[] {
  return ['typescript', 'python', 'go'].flatMap((language) =>
    readdirSync(join(FIXTURES, language)).map((name) => ({
      path: `${language}/${name}`,
      text: readFileSync(join(FIXTURES, language, name), 'utf8'),
    })),
  );
}
