// Writes the JSON Schemas generated from our zod schemas into schemas/ (shipped in the VSIX and
// contributed to VS Code through `jsonValidation`). Run `npm run schemas` after changing a schema;
// a unit test fails while the file and the schema differ.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { projectConfigJsonSchema } from '../src/core/config/projectConfig';

export const PROJECT_CONFIG_SCHEMA_FILE = path.join(__dirname, '..', 'schemas', 'backend-review.schema.json');

export function projectConfigSchemaText(): string {
  return JSON.stringify(projectConfigJsonSchema(), null, 2) + '\n';
}

if (require.main === module) {
  writeFileSync(PROJECT_CONFIG_SCHEMA_FILE, projectConfigSchemaText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), PROJECT_CONFIG_SCHEMA_FILE)}\n`);
}
