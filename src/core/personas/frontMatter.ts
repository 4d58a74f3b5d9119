import matter from 'gray-matter';
import { errorMessage } from '../errorMessage';

export interface SplitFrontMatter {
  /** Parsed front matter; `{}` when the file has none. */
  data: Record<string, unknown>;
  /** The text after the front matter. */
  body: string;
  hasFrontMatter: boolean;
}

class ExecutableFrontMatterError extends Error {}

function refuseExecutableFrontMatter(): never {
  throw new ExecutableFrontMatterError(
    'JavaScript front matter (---js) is not supported: reading it would run code from the file',
  );
}

/**
 * Splits YAML front matter from a Markdown body. Throws an Error whose message says what is wrong
 * (malformed YAML, JavaScript front matter, not a mapping); callers add the file name.
 */
export function splitFrontMatter(text: string): SplitFrontMatter {
  // Front matter needs an opening `---` line and a closing one; a lone `---` is a Markdown rule.
  const opening = /^---[^\n-]*\n/.exec(text);
  if (!opening || !/(^|\n)---[ \t]*(\n|$)/.test(text.slice(opening[0].length))) {
    return { data: {}, body: text, hasFrontMatter: false };
  }
  // Options are always passed: gray-matter caches by content when called without options, and
  // caches the file before parsing, so a failed parse would later come back as "no front matter".
  // Its JavaScript engine evaluates the block with eval(); workspace files must never run code.
  let parsed;
  try {
    parsed = matter(text, {
      engines: { js: refuseExecutableFrontMatter, javascript: refuseExecutableFrontMatter },
    });
  } catch (error) {
    if (error instanceof ExecutableFrontMatterError) throw error;
    // js-yaml messages continue with a code excerpt over several lines; the first line names the problem and position.
    throw new Error(`front matter is not valid YAML: ${errorMessage(error).split('\n')[0]}`);
  }
  const data: unknown = parsed.data;
  if (data === null || data === undefined) return { data: {}, body: parsed.content, hasFrontMatter: true };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(
      `front matter must be a YAML mapping of keys to values, got ${Array.isArray(data) ? 'a list' : typeof data}`,
    );
  }
  return { data: { ...(data as Record<string, unknown>) }, body: parsed.content, hasFrontMatter: true };
}

/** Short human description of a YAML value's type, for messages such as "`name` must be a string, got number". */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
