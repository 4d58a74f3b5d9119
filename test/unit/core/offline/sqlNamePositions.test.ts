import * as assert from 'node:assert/strict';
import { splicedAsName } from '../../../../src/core/offline/syntax';

/**
 * Where a spliced value stands in SQL text: where the statement names a table, a column or a sort key
 * (placeholders cannot bind those), or where it gives a value (placeholders can). Unclear is a value.
 */
describe('splicedAsName: a splice in a name position of SQL (issue 12)', () => {
  const names: Array<[string, string]> = [
    ['SELECT * FROM ', ' WHERE id = ?'],
    ['SELECT ', ' FROM t'],
    ['SELECT a, ', ' FROM t'],
    ['SELECT * FROM t ORDER BY ', ''],
    ['SELECT * FROM t ORDER BY a ', ''],
    ['INSERT INTO t (a, ', ') VALUES (?, ?)'],
    ['UPDATE t SET ', ' = ?'],
    ['SELECT * FROM t WHERE ', ' = ?'],
    ['SELECT * FROM t WHERE a = ? AND ', ' > ?'],
    ['SELECT * FROM t WHERE ', ' IN (?)'],
    ['SELECT * FROM "', '" WHERE id = 1'],
    ['SELECT x FROM t JOIN ', ' ON a = b'],
    ['DELETE FROM ', ' WHERE id = ?'],
    ['ALTER TABLE ', ' ADD COLUMN x int'],
    ['SELECT ', '.id FROM x'],
    ['SELECT * FROM app.', ' WHERE 1 = 1'],
    ['INSERT INTO %s (%s, ', ') VALUES (?, ?)'],
    ['SELECT {} FROM {table} JOIN ', ' ON 1 = 1'],
    ['UPDATE OR IGNORE ', ' SET a = ?'],
    ['INSERT OR REPLACE INTO ', ' (a) VALUES (?)'],
  ];
  const values: Array<[string, string]> = [
    ['SELECT * FROM t WHERE id = ', ''],
    ["SELECT * FROM t WHERE name = '", "'"],
    ['SELECT * FROM "users" WHERE note = \'it\'\'s "', '"\''],
    ['INSERT INTO t (a, b) VALUES (', ', ?)'],
    ['UPDATE t SET a = ', ''],
    ['SELECT * FROM t WHERE ', ''],
    ['SELECT * FROM t WHERE a = 1 AND ', ''],
    ['SELECT * FROM t LIMIT ', ''],
    ['SELECT * FROM t WHERE id IN (', ')'],
    ['SELECT * FROM t WHERE a LIKE ', ''],
    ['SELECT * FROM t WHERE id = ', '.5'],
    ['', ''],
    ['SELECT * FROM t WHERE a = ', ' = b'],
    ['SELECT * FROM t WHERE a = 1 OR ', ''],
    ['SELECT * FROM t WHERE a = %s AND b = ', ''],
  ];
  for (const [before, after] of names)
    it(`name: ${before}…${after}`, () => assert.equal(splicedAsName(before, after), true));
  for (const [before, after] of values)
    it(`value: ${before}…${after}`, () => assert.equal(splicedAsName(before, after), false));
});
