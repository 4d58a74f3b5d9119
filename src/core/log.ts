/** The engine logs through this; the extension backs it with an output channel, the CLI with stderr. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Collects log lines in memory: for tests, and for callers that show them later. */
export class InMemoryLogger implements Logger {
  readonly lines: { level: 'debug' | 'info' | 'warn' | 'error'; message: string }[] = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  messages(level?: 'debug' | 'info' | 'warn' | 'error'): string[] {
    return this.lines.filter((l) => !level || l.level === level).map((l) => l.message);
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
