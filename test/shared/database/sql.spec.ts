import { preparedSql, queryRows } from '../../../src/shared/database/sql.js';
import { describeEachBackend, openTestDataSource } from '../../support/test-database.js';
import type { TestDataSource } from '../../support/test-database.js';

const DOUBLE = preparedSql('test_double', `SELECT x::int * 2 AS doubled FROM jsonb_array_elements_text($1::jsonb) AS t (x)`);

describeEachBackend('queryRows with a prepared statement', (backend) => {
  let db: TestDataSource;

  beforeAll(async () => {
    db = await openTestDataSource(backend.kind);
  });
  afterAll(() => db.close());

  it('runs by name again and again on one connection, each time with its own parameters', async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      for (const values of [[1, 2], [5], [7, 8, 9]]) {
        const rows = await queryRows<{ doubled: number }>(runner, DOUBLE, [JSON.stringify(values)]);
        expect(rows.map((row) => row.doubled)).toEqual(values.map((v) => v * 2));
      }
      // PostgreSQL keeps it prepared on the connection; PGlite runs the text.
      const prepared = await runner.query(`SELECT name FROM pg_prepared_statements WHERE name = 'test_double'`);
      expect(prepared).toHaveLength(backend.kind === 'postgres' ? 1 : 0);
    } finally {
      await runner.release();
    }
  });

  it('works inside a transaction, after a savepoint rollback, and from the pool', async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query('SAVEPOINT s');
      await expect(runner.query('SELECT 1/0')).rejects.toThrow();
      await runner.query('ROLLBACK TO SAVEPOINT s');
      expect(await queryRows(runner, DOUBLE, ['[21]'])).toEqual([{ doubled: 42 }]);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    const fromPool = await Promise.all([1, 2, 3, 4].map((n) => queryRows(db.dataSource, DOUBLE, [`[${n}]`])));
    expect(fromPool).toEqual([[{ doubled: 2 }], [{ doubled: 4 }], [{ doubled: 6 }], [{ doubled: 8 }]]);
  });

  it('reports a failing statement with its SQLSTATE, as a plain query does', async () => {
    await expect(queryRows(db.dataSource, DOUBLE, ['["x"]'])).rejects.toMatchObject({ driverError: { code: '22P02' } });
  });
});
