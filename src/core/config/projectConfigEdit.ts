import { readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { errorMessage } from '../errorMessage';
import { PROJECT_CONFIG_FILE, PROJECT_RULE_LEVELS, RULE_IDS, type ProjectRuleLevel } from './projectConfig';

/**
 * Sets `rules[id]` in the project's `.backend-review.json` (the one-click change the dismissal
 * stats offer), keeping every other field as it is. A file that is not a JSON object is left
 * unchanged and named in the error; an unknown rule id or level is refused. Returns the file written.
 */
export async function setProjectRules(root: string, rules: Readonly<Record<string, string>>): Promise<string> {
  for (const [id, level] of Object.entries(rules)) {
    if (!RULE_IDS.includes(id)) throw new Error(`"${id}" is not an offline rule id (backend-review rules lists them)`);
    if (!PROJECT_RULE_LEVELS.includes(level as ProjectRuleLevel))
      throw new Error(`"${level}" is not a rule level for ${id}: one of ${PROJECT_RULE_LEVELS.join(', ')}`);
  }
  const file = path.join(root, PROJECT_CONFIG_FILE);
  let config: Record<string, unknown> = {};
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${file}: cannot be read (${errorMessage(error)}); left unchanged`);
  }
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new Error(`${file}: not valid JSON (${errorMessage(error)}); left unchanged`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error(`${file}: expected a JSON object at the top level; left unchanged`);
    config = parsed as Record<string, unknown>;
  }
  const current = config.rules;
  if (current !== undefined && (typeof current !== 'object' || current === null || Array.isArray(current)))
    throw new Error(`${file}: "rules" is not an object; left unchanged`);
  config.rules = { ...(current as Record<string, unknown> | undefined), ...rules };
  // Written next to it and renamed: a reader never sees half a file.
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(config, null, 2) + '\n', 'utf8');
  await rename(temp, file);
  return file;
}
