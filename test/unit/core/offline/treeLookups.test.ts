import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import { parserFor } from '../../../../src/core/offline/grammars';
import {
  ancestor,
  ancestorsOf,
  descendants,
  enclosingOfType,
  nodeAtIndex,
  nodeOfTypeAt,
  shareCollectedNodes,
} from '../../../../src/core/offline/syntax';
import type { CheckInput, GrammarName } from '../../../../src/core/offline/types';

// The fast tree lookups in syntax.ts (binary search over the root's children, offsets among the
// collected nodes) must give exactly the node web-tree-sitter's own calls give, on valid code, on
// code that does not parse, and on files with many top-level statements.

const FIXTURES = path.join(__dirname, '../../../fixtures/offline');

function fixture(language: string, name: string): string {
  return fs.readFileSync(path.join(FIXTURES, language, name), 'utf8');
}

function firstFixture(language: string): string {
  const name = fs
    .readdirSync(path.join(FIXTURES, language))
    .filter((file) => !file.endsWith('.tsx'))
    .sort()[0];
  return fixture(language, name);
}

interface Case {
  name: string;
  grammar: GrammarName;
  text: string;
  functions: ReadonlySet<string>;
  loops: ReadonlySet<string>;
}

const JS_FUNCTIONS = new Set([
  'function_declaration',
  'function_expression',
  'arrow_function',
  'method_definition',
  'generator_function_declaration',
  'generator_function',
]);
const JS_LOOPS = new Set(['for_statement', 'for_in_statement', 'while_statement', 'do_statement', 'arrow_function']);
const PY_FUNCTIONS = new Set(['function_definition', 'lambda']);
const PY_LOOPS = new Set(['for_statement', 'while_statement', 'function_definition']);
const GO_FUNCTIONS = new Set(['function_declaration', 'method_declaration', 'func_literal']);
const GO_LOOPS = new Set(['for_statement', ...GO_FUNCTIONS]);

function cases(): Case[] {
  const ts = firstFixture('typescript');
  const py = firstFixture('python');
  const go = firstFixture('go');
  const manyStatements = Array.from(
    { length: 400 },
    (_, index) => `export const limit${index} = compute(${index}, () => ${index});`,
  ).join('\n');
  return [
    { name: 'typescript fixture', grammar: 'typescript', text: ts, functions: JS_FUNCTIONS, loops: JS_LOOPS },
    {
      name: 'typescript fixture cut in the middle',
      grammar: 'typescript',
      text: ts.slice(0, Math.floor(ts.length / 2)),
      functions: JS_FUNCTIONS,
      loops: JS_LOOPS,
    },
    {
      name: '400 top-level statements',
      grammar: 'typescript',
      text: manyStatements,
      functions: JS_FUNCTIONS,
      loops: JS_LOOPS,
    },
    {
      name: 'javascript that does not parse',
      grammar: 'javascript',
      text: '\n// c\n x => y => { for (;;) { z(() => 1) } }; function( {\n\n',
      functions: JS_FUNCTIONS,
      loops: JS_LOOPS,
    },
    { name: 'python fixture', grammar: 'python', text: py, functions: PY_FUNCTIONS, loops: PY_LOOPS },
    {
      name: 'python that does not parse',
      grammar: 'python',
      text: 'def f(:\n  x = (\n  lambda: (lambda: 1)\nfor a in b:\n',
      functions: PY_FUNCTIONS,
      loops: PY_LOOPS,
    },
    { name: 'go fixture', grammar: 'go', text: go, functions: GO_FUNCTIONS, loops: GO_LOOPS },
    {
      name: 'go that does not parse',
      grammar: 'go',
      text: 'package x\n\nfunc f() { go func( }\n\n\nfunc g() {\n',
      functions: GO_FUNCTIONS,
      loops: GO_LOOPS,
    },
    { name: 'empty file', grammar: 'go', text: '', functions: GO_FUNCTIONS, loops: GO_LOOPS },
  ];
}

/** Every node of the tree, in document order, through one cursor walk. */
function allNodes(tree: Tree): Node[] {
  const nodes: Node[] = [];
  const cursor = tree.walk();
  for (;;) {
    nodes.push(cursor.currentNode);
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return nodes;
    }
  }
}

function rootDescent(node: Node): number[] {
  const path: number[] = [];
  let current: Node | null = node.tree.rootNode;
  while (current && current.id !== node.id) {
    path.push(current.id);
    current = current.childWithDescendant(node);
  }
  return path.reverse();
}

function parentClimb(tree: Tree, index: number, types: ReadonlySet<string>, maxDepth: number): number | undefined {
  let node = tree.rootNode.descendantForIndex(index);
  for (let depth = 0; node && !types.has(node.type) && depth < maxDepth; depth += 1) node = node.parent;
  return node && types.has(node.type) ? node.id : undefined;
}

function checkInput(tree: Tree, text: string, grammar: GrammarName): CheckInput {
  const cache = new Map<string, Node[]>();
  return {
    tree,
    text,
    grammar,
    region: { start: 0, end: text.length },
    moduleScope: () => tree.rootNode,
    needsWholeFile: () => undefined,
    nodesOfType(type) {
      let nodes = cache.get(type);
      if (!nodes) {
        nodes = tree.rootNode.descendantsOfType(type).filter((node): node is Node => node !== null);
        cache.set(type, nodes);
      }
      return nodes;
    },
    report() {
      throw new Error('not used');
    },
  };
}

describe('offline checks: fast tree lookups agree with web-tree-sitter', () => {
  for (const testCase of cases()) {
    it(`${testCase.name}: ancestors, enclosing nodes, node at offset`, async () => {
      const tree = (await parserFor(testCase.grammar)).parse(testCase.text);
      assert.ok(tree, 'parsed');
      try {
        const input = checkInput(tree, testCase.text, testCase.grammar);
        const nodes = allNodes(tree);
        assert.ok(nodes.length > 0);
        let enclosed = 0;
        for (const node of nodes) {
          assert.deepEqual(
            ancestorsOf(node).map((each) => each.id),
            rootDescent(node),
            `ancestors of ${node.type} at ${node.startIndex}`,
          );
          for (const types of [testCase.functions, testCase.loops]) {
            const fast = enclosingOfType(input, node, types);
            assert.equal(fast?.id, ancestor(node, types)?.id, `enclosing of ${node.type} at ${node.startIndex}`);
            if (fast) enclosed += 1;
          }
        }
        if (testCase.text.includes('('))
          assert.ok(enclosed > 0, 'some node has an enclosing function or loop (the comparison is not vacuous)');
        const typeSets = [
          new Set(['string', 'interpreted_string_literal', 'template_string']),
          new Set(['call_expression', 'call', 'pair', 'keyword_argument']),
          testCase.functions,
        ];
        for (let index = 0; index <= testCase.text.length; index += 1) {
          assert.equal(nodeAtIndex(tree, index)?.id, tree.rootNode.descendantForIndex(index)?.id, `node at ${index}`);
          if (index % 5 !== 0) continue;
          for (const types of typeSets) {
            for (const depth of [0, 1, 3, 6]) {
              assert.equal(
                nodeOfTypeAt(tree, index, types, depth)?.id,
                parentClimb(tree, index, types, depth),
                `node of type at ${index}, depth ${depth}`,
              );
            }
          }
        }
      } finally {
        tree.delete();
      }
    });
  }

  for (const testCase of cases()) {
    it(`${testCase.name}: descendants read from the collected nodes`, async () => {
      const tree = (await parserFor(testCase.grammar)).parse(testCase.text);
      assert.ok(tree, 'parsed');
      try {
        const collectedTypes = [
          ...testCase.functions,
          ...testCase.loops,
          'call_expression',
          'call',
          'identifier',
          'assignment',
          'short_var_declaration',
          'variable_declarator',
        ];
        const byType = new Map<string, Node[]>(collectedTypes.map((type) => [type, []]));
        for (const node of tree.rootNode.descendantsOfType(collectedTypes)) if (node) byType.get(node.type)?.push(node);
        const queries: Array<string | string[]> = [
          'identifier',
          ['call_expression', 'call'],
          [...testCase.functions],
          ['identifier', 'variable_declarator', 'assignment', 'short_var_declaration'],
          // Not collected: asked of the tree.
          'comment',
        ];
        const nodes = allNodes(tree);
        const wasm = nodes.map((node) => queries.map((types) => node.descendantsOfType(types).map((each) => each?.id)));
        shareCollectedNodes(tree, byType);
        let compared = 0;
        nodes.forEach((node, at) => {
          queries.forEach((types, query) => {
            const fast = descendants(node, types).map((each) => each.id);
            assert.deepEqual(
              fast,
              wasm[at][query],
              `descendants ${String(types)} of ${node.type} at ${node.startIndex}`,
            );
            compared += fast.length;
          });
        });
        if (testCase.text.includes('(')) assert.ok(compared > 0, 'some descendants were compared');
      } finally {
        shareCollectedNodes(tree, undefined);
        tree.delete();
      }
    });
  }
});
