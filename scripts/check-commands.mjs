#!/usr/bin/env node
// Checks that package.json and the code agree on commands, both ways:
// - every command in contributes.commands is in src/vscode/common/commandIds.ts and registered in code;
// - every id in the table is contributed and registered (via `registerCommand(COMMANDS.<key>`);
// - no command is registered with a string literal (ids live in the table only);
// - menus and keybindings name only contributed commands;
// - the chat participant id, name and slash commands match the table.
// Usage: node scripts/check-commands.mjs [--root DIR]   (exit 0 when they agree, 1 otherwise)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

function tsFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `key: 'id'` pairs of the COMMANDS table, and the chat constants. */
function readTable(file) {
  const text = fs.readFileSync(file, 'utf8');
  const block = /export const COMMANDS = \{([\s\S]*?)\} as const;/.exec(text);
  if (!block) throw new Error(`${file}: no "export const COMMANDS = { ... } as const;" table found`);
  const commands = new Map([...block[1].matchAll(/^\s*(\w+):\s*'([^']+)'/gm)].map((m) => [m[1], m[2]]));
  const constant = (name) => new RegExp(`export const ${name} = '([^']+)'`).exec(text)?.[1];
  const slash = /export const CHAT_SLASH_COMMANDS = \[([^\]]*)\]/.exec(text)?.[1];
  return {
    commands,
    participantId: constant('CHAT_PARTICIPANT_ID'),
    participantName: constant('CHAT_PARTICIPANT_NAME'),
    slashCommands: slash ? [...slash.matchAll(/'([^']+)'/g)].map((m) => m[1]) : [],
  };
}

export function checkCommands(root) {
  const errors = [];
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const table = readTable(path.join(root, 'src', 'vscode', 'common', 'commandIds.ts'));
  const contributed = (pkg.contributes?.commands ?? []).map((c) => c.command);
  const tableIds = new Set(table.commands.values());

  const registeredKeys = new Set();
  for (const file of tsFiles(path.join(root, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    const relative = path.relative(root, file);
    for (const m of text.matchAll(/registerCommand\(\s*COMMANDS\.(\w+)/g)) registeredKeys.add(m[1]);
    for (const m of text.matchAll(/registerCommand\(\s*(['"`])([^'"`]+)\1/g)) {
      errors.push(
        `${relative}: registers "${m[2]}" with a string literal; add it to COMMANDS in src/vscode/common/commandIds.ts and use COMMANDS.<key>.`,
      );
    }
  }

  const seen = new Set();
  for (const id of contributed) {
    if (seen.has(id)) errors.push(`package.json: command "${id}" is contributed twice.`);
    seen.add(id);
    if (!tableIds.has(id))
      errors.push(
        `package.json: command "${id}" is contributed but not in COMMANDS (src/vscode/common/commandIds.ts).`,
      );
  }
  for (const [key, id] of table.commands) {
    if (!seen.has(id))
      errors.push(
        `src/vscode/common/commandIds.ts: COMMANDS.${key} ("${id}") is not in package.json contributes.commands.`,
      );
    if (!registeredKeys.has(key))
      errors.push(
        `src/vscode/common/commandIds.ts: COMMANDS.${key} ("${id}") is never registered (no registerCommand(COMMANDS.${key}, ...) in src).`,
      );
  }
  for (const key of registeredKeys) {
    if (!table.commands.has(key))
      errors.push(`src: registerCommand(COMMANDS.${key}) names a key that is not in the COMMANDS table.`);
  }
  for (const command of pkg.contributes?.commands ?? []) {
    if (command.category !== 'Backend Reviewer')
      errors.push(
        `package.json: command "${command.command}" has category "${command.category}", expected "Backend Reviewer".`,
      );
  }

  for (const [menu, items] of Object.entries(pkg.contributes?.menus ?? {})) {
    for (const item of items)
      if (item.command && !seen.has(item.command))
        errors.push(`package.json: menu "${menu}" names "${item.command}", which is not contributed.`);
  }
  for (const binding of pkg.contributes?.keybindings ?? []) {
    if (!seen.has(binding.command))
      errors.push(`package.json: keybinding ${binding.key} names "${binding.command}", which is not contributed.`);
  }

  const participants = pkg.contributes?.chatParticipants ?? [];
  const participant = participants.find((p) => p.id === table.participantId);
  if (!participant) {
    errors.push(`package.json: no chat participant with id "${table.participantId}" (CHAT_PARTICIPANT_ID).`);
  } else {
    if (participant.name !== table.participantName)
      errors.push(
        `package.json: chat participant name "${participant.name}" differs from CHAT_PARTICIPANT_NAME "${table.participantName}".`,
      );
    const declared = (participant.commands ?? [])
      .map((c) => c.name)
      .sort()
      .join(',');
    const expected = [...table.slashCommands].sort().join(',');
    if (declared !== expected)
      errors.push(`package.json: chat slash commands [${declared}] differ from CHAT_SLASH_COMMANDS [${expected}].`);
  }
  return errors;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const rootFlag = process.argv.indexOf('--root');
  const root =
    rootFlag > 0
      ? path.resolve(process.argv[rootFlag + 1])
      : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const errors = checkCommands(root);
    if (errors.length > 0) {
      for (const error of errors) console.error(`check-commands: ${error}`);
      process.exit(1);
    }
    console.log('check-commands: package.json and the code agree on every command.');
  } catch (error) {
    console.error(`check-commands: ${error.message}`);
    process.exit(1);
  }
}
