/**
 * Text from outside (a model's titles and messages, a server's error, a file name from the
 * repository) must not drive the terminal or the log it is shown in: an escape sequence can clear
 * the screen, rewrite earlier lines, set the window title or plant a hyperlink; C1 controls do the
 * same on some terminals; BiDi overrides make code read differently from what it is (the
 * "Trojan Source" trick); NUL and backspace hide text. Each such character becomes a visible escape
 * (`\x1b`, `\u202e`), never a silent deletion, so what was there stays visible. Tabs and newlines
 * stay; a CRLF becomes a newline. JSON and SARIF are not passed through this: they stay exact.
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One control or BiDi character as a visible escape: `\x1b`, `\u202e`. */
export function visibleEscape(character: string): string {
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every terminal control, escape and BiDi override shown as a visible escape. */
export function terminalSafe(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(UNSAFE, visibleEscape);
}

/** The CLI's own progress line starts by clearing the line; only that prefix is ours to keep. */
const LINE_CLEAR = '\r\u001b[2K';

/**
 * A stream whose writes are made terminal-safe (for stderr: every message there is for people). A
 * write may start with the CLI's own line clear (its progress line); everything after it is
 * neutralised like the rest.
 */
export function terminalSafeStream<T extends NodeJS.WritableStream>(stream: T): T {
  // Delegates everything but write to the real stream (isTTY, columns, on/once for errors).
  const safe = Object.create(stream) as T;
  safe.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return (stream.write as (...args: unknown[]) => boolean)(chunk, ...rest);
    const text = chunk.startsWith(LINE_CLEAR)
      ? LINE_CLEAR + terminalSafe(chunk.slice(LINE_CLEAR.length))
      : terminalSafe(chunk);
    return (stream.write as (...args: unknown[]) => boolean).call(stream, text, ...rest);
  }) as T['write'];
  return safe;
}
