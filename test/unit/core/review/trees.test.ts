import { strict as assert } from 'node:assert';
import type { Tree } from '@vscode/tree-sitter-wasm';
import { parserFor } from '../../../../src/core/offline/grammars';
import type { ModelFinding } from '../../../../src/core/findings';
import type { RenderedPersona } from '../../../../src/core/personas/types';
import type { ChatProvider, ChatRequest, ChatResponse } from '../../../../src/core/providers/provider';
import { runReview } from '../../../../src/core/review/engine';
import { SharedTrees } from '../../../../src/core/review/trees';

const source = [
  'import { db } from "./db";',
  '',
  'export async function refund(id: string) {',
  '  const order = await db.orders.find(id);',
  '  const res = await fetch(`https://pay.example/refund/${id}`);',
  '  order.refunded = true;',
  '  return res.json();',
  '}',
  '',
].join('\n');

const unitOf = (text = source) => ({ path: 'src/refund.ts', text });

/** The s-expression of a tree: equal trees print equal. */
const shape = (tree: Tree): string => tree.rootNode.toString();

async function freshShape(text: string): Promise<string> {
  const tree = (await parserFor('typescript')).parse(text);
  assert.ok(tree);
  try {
    return shape(tree);
  } finally {
    tree.delete();
  }
}

describe('shared trees: one parse per reviewed file', () => {
  it('keeps a tree for the reads a review expects, and parses anew once they are done', async () => {
    const trees = new SharedTrees();
    const unit = unitOf();
    trees.expect(unit, 2);
    const first = await trees.read(unit, 'typescript', (tree) => tree);
    const second = await trees.read(unit, 'typescript', (tree) => tree);
    assert.equal(second, first, 'the second expected read gets the same tree');
    assert.equal(shape(first), await freshShape(source));
    trees.done(unit);
    assert.equal(await trees.read(unit, 'typescript', (tree) => tree), first, 'one read is still expected');
    trees.done(unit);
    const after = await trees.read(unit, 'typescript', (tree) => shape(tree));
    assert.equal(after, await freshShape(source), 'a read nobody expected parses (and frees) its own tree');
    trees.dispose();
  });

  it('gives every unexpected read its own tree, keeps nothing beyond its budget, and never reads a stale tree', async () => {
    const unit = unitOf();
    const unshared = new SharedTrees();
    const a = await unshared.read(unit, 'typescript', (tree) => tree);
    const b = await unshared.read(unit, 'typescript', (tree) => tree);
    assert.notEqual(a, b);

    const small = new SharedTrees(source.length - 1);
    small.expect(unit, 2);
    const c = await small.read(unit, 'typescript', (tree) => tree);
    assert.notEqual(await small.read(unit, 'typescript', (tree) => tree), c, 'over the budget: not kept');
    small.dispose();

    const trees = new SharedTrees();
    const edited = unitOf();
    trees.expect(edited, 3);
    await trees.read(edited, 'typescript', (tree) => tree);
    edited.text = source.replace('refunded = true', 'refunded = false');
    assert.equal(await trees.read(edited, 'typescript', (tree) => shape(tree)), await freshShape(edited.text));
    assert.ok(
      await trees.read(edited, 'typescript', (tree) => tree.rootNode.text === edited.text),
      'the tree read is of the unit text as it is now',
    );
    trees.dispose();
  });

  it('a read that spans an await keeps its tree usable when the review frees its trees meanwhile', async () => {
    const trees = new SharedTrees();
    const unit = unitOf();
    trees.expect(unit, 1);
    const read = trees.read(unit, 'typescript', async (tree) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return shape(tree);
    });
    await new Promise((resolve) => setTimeout(resolve, 1));
    trees.done(unit);
    trees.dispose();
    assert.equal(await read, await freshShape(source));
  });

  it('runReview parses a reviewed file at most once, and only when its context or an answer needs the tree', async () => {
    const finding = (over: Partial<ModelFinding>): ModelFinding => ({
      title: 't',
      severity: 'high',
      category: 'reliability',
      startLine: 5,
      endLine: 5,
      quote: 'const res = await fetch(`https://pay.example/refund/${id}`);',
      message: 'm',
      suggestion: 's',
      fix: null,
      confidence: 0.9,
      ...over,
    });
    const timeout = finding({ title: 'Refund call without a timeout', message: 'No timeout on the refund call.' });
    const race = finding({
      title: 'Race on the refunded flag',
      category: 'concurrency',
      startLine: 6,
      endLine: 6,
      quote: 'order.refunded = true;',
      message: 'Concurrent refunds race on the flag.',
    });
    const reviewWith = (findings: ModelFinding[]): ChatProvider => ({
      id: 'fake:trees',
      modelName: 'trees',
      maxInputTokens: 100_000,
      countTokens: (text) => Math.ceil(text.length / 4),
      async complete(_request: ChatRequest): Promise<ChatResponse> {
        return {
          text: JSON.stringify({ summary: 's', findings }),
          usage: { promptTokens: 10, completionTokens: 10 },
          format: 'json_schema',
          truncated: false,
        };
      },
    });
    const persona: RenderedPersona = { id: 'p', name: 'P', mode: 'pragmatic', text: 'Review.', warnings: [] };
    const parser = await parserFor('typescript');
    const parse = parser.parse;
    const parsed: string[] = [];
    parser.parse = function (this: typeof parser, ...args: Parameters<typeof parse>) {
      if (typeof args[0] === 'string') parsed.push(args[0]);
      return parse.apply(this, args);
    } as typeof parse;
    const parsesOf = async (
      unit: ReturnType<typeof unitOf> & { changedLines?: number[] },
      findings: ModelFinding[],
    ): Promise<number> => {
      parsed.length = 0;
      const result = await runReview({ units: [unit], persona, mode: 'pragmatic', provider: reviewWith(findings) });
      // Every finding was read and kept (the race claim too: the function writes through a member).
      assert.deepEqual(result.findings.map((f) => f.startLine).sort(), findings.map((f) => f.startLine).sort());
      return parsed.filter((text) => text === source).length;
    };
    try {
      // A whole file in one request, a claimed timeout with no deadline anywhere: no tree needed.
      assert.equal(await parsesOf(unitOf(), [timeout]), 0);
      // A race claim needs the function around the line: one parse, shared by both checks.
      assert.equal(await parsesOf(unitOf(), [timeout, race]), 1);
      // A diff review needs the tree for its context: one parse for the context and both checks.
      assert.equal(await parsesOf({ ...unitOf(), changedLines: [5, 6] }, [timeout, race]), 1);
    } finally {
      parser.parse = parse;
    }
  });
});
