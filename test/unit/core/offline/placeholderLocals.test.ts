import * as assert from 'node:assert/strict';
import type { OfflineConfig } from '../../../../src/core/offline';
import { hits } from './helpers';

const base: OfflineConfig = { mode: 'backendpe' };

describe('offline checks: Python sql-injection follows a local that holds only placeholders', () => {
  it('a placeholder list or a number held in a local is no injection; a local with input in it is', async () => {
    const text = [
      'def by_ids(conn, ids):', // 1
      '    marks = ",".join("?" for _ in ids)',
      '    conn.execute("SELECT * FROM orders WHERE id IN (" + marks + ")", ids)', // 3: placeholders only
      '',
      'def by_ids_built(conn, ids, limit):', // 5
      '    marks = ", ".join(["%s"] * len(ids))',
      '    n = int(limit)',
      '    query = "SELECT * FROM orders WHERE id IN (" + marks + ") LIMIT " + n',
      '    conn.execute(query, ids)', // 9: through a second local
      '',
      'def by_names(conn, names):', // 11
      '    marks = ",".join(names)',
      '    conn.execute("SELECT * FROM orders WHERE name IN (" + marks + ")")', // 13: the values themselves
      '',
      'def grown(conn, ids, extra):', // 15
      '    marks = ",".join("?" for _ in ids)',
      '    marks += extra',
      '    conn.execute("SELECT * FROM t WHERE id IN (" + marks + ")", ids)', // 18: grown with input
      '',
      'def shadowed(conn, marks, ids):', // 20
      '    if not marks:',
      '        marks = "?"',
      '    conn.execute("SELECT * FROM t WHERE id IN (" + marks + ")", ids)', // 23: a parameter
      '',
    ].join('\n');
    assert.deepEqual(await hits('app/orders.py', text, base), [
      '13 sql-injection',
      '18 sql-injection',
      '23 sql-injection',
    ]);
  });
});
