import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/main';

/** A stream that keeps what was written, standing in for stdout/stderr; `isTTY` is settable. */
export class CapturedStream extends Writable {
  text = '';
  isTTY = false;
  _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output, as `backend-review ARGV...` would in a shell. */
export async function runCliCaptured(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; tty?: boolean } = {},
): Promise<CliRun> {
  const stdout = new CapturedStream();
  const stderr = new CapturedStream();
  stdout.isTTY = options.tty ?? false;
  stderr.isTTY = options.tty ?? false;
  const code = await runCli(argv, { stdout, stderr, cwd: options.cwd ?? process.cwd(), env: options.env ?? {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
