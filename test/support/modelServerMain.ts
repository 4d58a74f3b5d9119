/**
 * Starts the scripted OpenAI-compatible model server from the command line, for browser checks
 * and manual runs of the CLI/extension against a predictable "model".
 *
 *   npx tsx test/support/modelServerMain.ts [--port 8765] [--script findings.json]
 *
 * The script file holds one of: a list of findings; `{ "summary": ..., "findings": [...] }`;
 * or `{ "replies": [ScriptedReply, ...] }` played in order, the last one repeating.
 * Prints the base URL (e.g. http://127.0.0.1:8765/v1) on the first line of stdout.
 */
import * as fs from 'node:fs';
import { findingsAnswer, startModelServer, type ReplyHandler, type ScriptedReply } from './modelServer';

function fail(message: string): never {
  process.stderr.write(`model server: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { port: number; script?: string } {
  let port = 0;
  let script: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--port') {
      if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535)
        fail(`--port needs a number from 0 to 65535, got ${value ?? 'nothing'}`);
      port = Number(value);
      i++;
    } else if (arg === '--script') {
      if (value === undefined) fail('--script needs a JSON file path');
      script = value;
      i++;
    } else {
      fail(`unknown argument ${arg}; usage: modelServerMain [--port N] [--script file.json]`);
    }
  }
  return { port, script };
}

function handlerFromScript(file: string): ReplyHandler {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`cannot read the script ${file}: ${(error as Error).message}`);
  }
  if (Array.isArray(parsed)) return () => findingsAnswer(parsed as unknown[]);
  if (parsed && typeof parsed === 'object') {
    const record = parsed as Record<string, unknown>;
    if (Array.isArray(record.replies)) {
      const replies = record.replies as ScriptedReply[];
      if (replies.length === 0) fail(`${file}: "replies" is empty`);
      return (_request, index) => replies[Math.min(index, replies.length - 1)];
    }
    if (Array.isArray(record.findings)) {
      return () =>
        findingsAnswer(record.findings as unknown[], typeof record.summary === 'string' ? record.summary : undefined);
    }
  }
  fail(`${file}: expected a list of findings, {"summary", "findings"} or {"replies": [...]}`);
}

async function main(): Promise<void> {
  const { port, script } = parseArgs(process.argv.slice(2));
  const server = await startModelServer({ port, handler: script ? handlerFromScript(script) : undefined });
  process.stdout.write(`${server.url}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
