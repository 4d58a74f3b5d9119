import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The bundled `skills/` folder. Bundled code runs from `dist/*.js` (skills is `../skills`); tests and
 * tsx run this file from `src/core/personas/` (skills is `../../../skills`). The first that exists wins.
 */
export function bundledSkillsDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'skills'), path.resolve(__dirname, '..', '..', '..', 'skills')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'backendpe', 'SKILL.md')));
  if (!found)
    throw new Error(`bundled personas not found: looked for skills/backendpe/SKILL.md in ${candidates.join(' and ')}`);
  return found;
}
