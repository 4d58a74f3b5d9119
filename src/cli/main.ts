import { dismissalsCommand } from './dismissalsCommand';
import { evalCommand } from './evalCommand';
import { terminalSafe, terminalSafeStream } from '../core/output/terminal';
import { maskSecrets, secretsToMask } from '../core/providers/secretScrub';
import { EXIT, isClosedOutput, UsageError } from './errors';
import { mergeCommand } from './mergeCommand';
import { personasCommand } from './personasCommand';
import { reviewCommand } from './reviewCommand';
import { rulesCommand } from './rulesCommand';

/** A CLI sub-command: gets its arguments (after the command name), returns the exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

// One line per sub-command; each lives in its own *Command.ts. Static imports: the CLI is one bundle,
// so lazy loading would save nothing and would need an ESM loader under the tests' CommonJS hook.
const commands: Record<string, { summary: string; run: CliCommand }> = {
  review: {
    summary: 'Review files, folders or git changes with a persona (model and offline checks)',
    run: reviewCommand,
  },
  personas: { summary: 'List personas, or show one as the model receives it', run: personasCommand },
  rules: { summary: 'List offline rules, or explain one', run: rulesCommand },
  merge: { summary: 'Combine JSON/SARIF reports (for example of --shard jobs) into one', run: mergeCommand },
  dismissals: { summary: "List, prune or count the team's dismissed findings", run: dismissalsCommand },
  eval: {
    summary: 'Measure how well a model reviews: a labeled set with seeded bugs, per persona and mode',
    run: evalCommand,
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    'Usage: backend-review <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `backend-review <command> --help` for options.',
  ].join('\n');
}

export async function runCli(argv: string[], given: CliIo): Promise<number> {
  // Every message on stderr is for people and may quote a server, a model or a file name: none of it
  // may drive the terminal (control characters and escapes become visible escapes).
  const io: CliIo = { ...given, stderr: terminalSafeStream(given.stderr) };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    // Asked for help: stdout, exit 0. No command at all is a usage error: stderr, exit 2.
    (name ? io.stdout : io.stderr).write(usage() + '\n');
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`backend-review: unknown command "${name}". Commands: ${Object.keys(commands).join(', ')}.\n`);
    return EXIT.usage;
  }
  // A reader that went away (`| head -1`) makes the streams emit EPIPE: not a crash, the exit code stays.
  const onStreamError = (error: Error): void => {
    if (!isClosedOutput(error)) process.emitWarning(`backend-review: output stream error: ${error.message}`);
  };
  io.stdout.on('error', onStreamError);
  io.stderr.on('error', onStreamError);
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`backend-review ${name}: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  } finally {
    io.stdout.off('error', onStreamError);
    io.stderr.off('error', onStreamError);
  }
}

if (require.main === module) {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: Error) => {
      if (!isClosedOutput(error)) process.exitCode = EXIT.usage;
    });
  }
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
  })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      // A stack trace helps us, not the user: shown only when asked for.
      const detail =
        error instanceof Error
          ? process.env.BACKEND_REVIEW_DEBUG
            ? (error.stack ?? error.message)
            : `${error.message} (set BACKEND_REVIEW_DEBUG=1 to see where)`
          : String(error);
      // The message may quote a request, and so the key it carried.
      const masked = maskSecrets(detail, secretsToMask([process.env.OPENAI_API_KEY]));
      process.stderr.write(terminalSafe(`backend-review: unexpected error: ${masked}\n`));
      process.exitCode = EXIT.usage;
    });
}
