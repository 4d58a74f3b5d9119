import type { Node } from '@vscode/tree-sitter-wasm';

/** Small, language-neutral helpers over tree-sitter nodes. */

export function named(node: Node | null | undefined): Node[] {
  if (!node) return [];
  return node.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
}

export function field(node: Node | null | undefined, name: string): Node | null {
  return node ? node.childForFieldName(name) : null;
}

/** Nearest ancestor (not the node itself) whose type is in `types`; stops at `stopTypes`. */
export function ancestor(node: Node, types: ReadonlySet<string>, stopTypes?: ReadonlySet<string>): Node | null {
  for (let current = node.parent; current; current = current.parent) {
    if (types.has(current.type)) return current;
    if (stopTypes?.has(current.type)) return null;
  }
  return null;
}

/** True when `inner` lies within `outer` (same or descendant). */
export function contains(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** Descendants of a type inside one node, in document order. */
export function descendants(node: Node, types: string | string[]): Node[] {
  return node.descendantsOfType(types).filter((child): child is Node => child !== null);
}

/** The content of a quoted literal without its quotes and prefixes ('x', "x", `x`, f"x", r'x', """x"""). */
export function unquote(literal: string): string {
  const match = /^[A-Za-z]*("""|'''|"|'|`)([\s\S]*)\1$/.exec(literal);
  return match ? match[2] : literal;
}

const SQL_SHAPE = /\b(?:select\s[\s\S]*\bfrom|insert\s+into|update\s+[\w."`[\]]+\s+set|delete\s+from|replace\s+into|merge\s+into|upsert\s+into|create\s+table|drop\s+table|alter\s+table|truncate\s+table|where\s|order\s+by|values\s*\()/i;

/** True when text reads like a SQL statement or clause (used to tell SQL strings from others). */
export function looksLikeSql(text: string): boolean {
  return SQL_SHAPE.test(text);
}

/** `generateApiKey` / `reset_code` → `generate api key` / `reset code`, so patterns match whole words. */
export function nameWords(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join(' ');
}

/** Names that say a value is a credential (for the weak-random rule: what the random value builds). */
const SECRET_PURPOSE = /\b(tokens?|secrets?|password|passwd|pwd|passphrase|nonce|otp|totp|salt|csrf|xsrf|credentials?|apikey|sid|pin)\b|\bsession (id|key)\b|\bapi key\b|\b(reset|verification|verify|invite|invitation|auth|confirmation|magic|login|access) (codes?|links?|keys?)\b/;

/** Names that say randomness is for timing, statistics or looks, never a credential. */
const BENIGN_RANDOM_PURPOSE = /\b(jitter|delay|backoff|sleep|wait|samples?|sampling|sampled|shuffle|shuffled|retry|retries|timeout|interval|percent|percentage|ratio|weight|colou?r|offset|spread|probability|chance|rate|latency|pick|index|idx)\b/;

/** Decide whether a random value built for `bindingName` (or inside `functionName`) is a secret. */
export function randomBuildsSecret(bindingName: string | undefined, functionName: string | undefined): boolean {
  if (bindingName) {
    const words = nameWords(bindingName);
    if (SECRET_PURPOSE.test(words)) return true;
    if (BENIGN_RANDOM_PURPOSE.test(words)) return false;
  }
  if (functionName) {
    const words = nameWords(functionName);
    if (BENIGN_RANDOM_PURPOSE.test(words)) return false;
    return SECRET_PURPOSE.test(words);
  }
  return false;
}

/** Identifier-ish names that look like placeholders rather than credentials. */
export function isPlaceholderSecret(value: string): boolean {
  if (value.length < 8) return true;
  if (/\s/.test(value)) return true;
  if (/^(?:<.*>|\{\{.*\}\}|\$\{.*\}|\$[A-Z_]+|%\(.*\)s|x+|\*+|\.+|-+|changeme|change-me|your[-_].*|example.*|placeholder.*|dummy.*|redacted.*|test[-_]?(?:secret|token|password)?)$/i.test(value)) return true;
  // Paths, URLs without credentials and dotted config keys are names of secrets, not secrets.
  if (/^(?:\/|\.\/|https?:\/\/[^:@]*$)/.test(value)) return true;
  if (/^[a-z]+(?:[._][a-z]+)+$/.test(value)) return true;
  return false;
}
