import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryFailedError } from 'typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { PglitePool } from '../../../src/shared/database/pglite-pool.js';
import { describeEachBackend, openTestDataSource } from '../../support/test-database.js';
import type { TestDataSource } from '../../support/test-database.js';

/** Runs `work` in a transaction on its own query runner, as application code does. */
async function inTransaction<T>(db: DataSource, work: (tx: QueryRunner) => Promise<T>): Promise<T> {
  const tx = db.createQueryRunner();
  await tx.startTransaction();
  try {
    const result = await work(tx);
    await tx.commitTransaction();
    return result;
  } catch (err) {
    if (tx.isTransactionActive) await tx.rollbackTransaction();
    throw err;
  } finally {
    await tx.release();
  }
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

describeEachBackend('database pool', (backend) => {
  let opened: TestDataSource;
  let db: DataSource;

  beforeAll(async () => {
    opened = await openTestDataSource(backend.kind, backend.env.DATABASE_URL);
    db = opened.dataSource;
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('serialises 50 concurrent read-modify-write transactions', async () => {
    await db.query(`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)`);
    await db.query(`INSERT INTO counter VALUES (1, 0)`);

    await Promise.all(
      Array.from({ length: 50 }, () =>
        inTransaction(db, async (tx) => {
          const [{ n }] = await tx.query(`SELECT n FROM counter WHERE id = 1 FOR UPDATE`);
          // Give other transactions every chance to interleave between the read and the write.
          await pause();
          await tx.query(`UPDATE counter SET n = $1 WHERE id = 1`, [n + 1]);
        }),
      ),
    );

    expect(await db.query(`SELECT n FROM counter`)).toEqual([{ n: 50 }]);
  });

  it('never hands one row to two concurrent FOR UPDATE SKIP LOCKED claimers', async () => {
    await db.query(`CREATE TABLE jobs (id int PRIMARY KEY, done boolean NOT NULL DEFAULT false, claims int NOT NULL DEFAULT 0)`);
    await db.query(`INSERT INTO jobs (id) SELECT g FROM generate_series(1, 200) g`);

    const claimed: number[] = [];
    const worker = async () => {
      for (;;) {
        const ids = await inTransaction(db, async (tx) => {
          const rows: { id: number }[] = await tx.query(
            `SELECT id FROM jobs WHERE NOT done ORDER BY id LIMIT 7 FOR UPDATE SKIP LOCKED`,
          );
          await pause();
          const ids = rows.map((r) => r.id);
          await tx.query(`UPDATE jobs SET done = true, claims = claims + 1 WHERE id = ANY($1::int[])`, [ids]);
          return ids;
        });
        if (ids.length === 0) return;
        claimed.push(...ids);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed).toHaveLength(200);
    expect(await db.query(`SELECT count(*) AS n FROM jobs WHERE claims <> 1`)).toEqual([{ n: 0 }]);
  });

  it('rejects a failing query inside a transaction with its SQLSTATE and stays usable', async () => {
    await db.query(`CREATE TABLE uniq (k text PRIMARY KEY)`);
    await db.query(`INSERT INTO uniq VALUES ('a')`);

    const tx = db.createQueryRunner();
    await tx.startTransaction();
    const failure = tx.query(`INSERT INTO uniq VALUES ($1)`, ['a']);
    await expect(failure).rejects.toBeInstanceOf(QueryFailedError);
    await expect(failure).rejects.toMatchObject({ code: '23505', driverError: { code: '23505' } });
    // An aborted transaction refuses further statements until rolled back, as on any PostgreSQL.
    await expect(tx.query(`SELECT 1`)).rejects.toMatchObject({ code: '25P02' });
    await tx.rollbackTransaction();
    await tx.release();

    await expect(db.query(`SELECT 1/0`)).rejects.toMatchObject({ code: '22012' });
    // Concurrent callers keep going after the failures.
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => db.query(`SELECT $1::int AS i`, [i])));
    expect(results.map(([r]) => r.i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('returns int8 as a number, timestamptz as a Date and jsonb as an object', async () => {
    const [row] = await db.query(
      `SELECT 42::int8 AS small, 1764300000000::int8 AS epoch_ms, count(*) AS n, ARRAY[1, 2]::int8[] AS arr,
              now() AS ts, '{"a": [1, {"b": null}]}'::jsonb AS doc, NULL::int8 AS nothing
         FROM generate_series(1, 3)`,
    );
    expect(row).toEqual({
      small: 42,
      epoch_ms: 1764300000000,
      n: 3,
      arr: [1, 2],
      ts: expect.any(Date),
      doc: { a: [1, { b: null }] },
      nothing: null,
    });
  });

  it('binds parameters like pg: objects as JSON, Dates, arrays, nulls', async () => {
    const when = new Date('2025-01-02T03:04:05.678Z');
    const [row] = await db.query(
      `SELECT $1::text AS obj_text, $2::jsonb AS obj_json, $3::timestamptz AS ts, $4::text[] AS arr, $5::int8 AS nothing`,
      [{ a: 1 }, { b: [2] }, when, ['x', 'y,z'], null],
    );
    expect(JSON.parse(row.obj_text)).toEqual({ a: 1 });
    expect(row).toMatchObject({ obj_json: { b: [2] }, ts: when, arr: ['x', 'y,z'], nothing: null });
  });

  it('reports UPDATE/DELETE row counts to TypeORM and runs parameterless multi-statement SQL', async () => {
    await db.query(`CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL DEFAULT 0)`);
    // Several statements in one call all run. (What comes back differs: pg gives TypeORM an
    // array of results, which it turns into undefined; PGlite the last statement's rows.)
    await db.query(`INSERT INTO items (id) VALUES (1), (2), (3); UPDATE items SET v = 9 WHERE id > 1`);
    expect(await db.query(`SELECT id, v FROM items ORDER BY id`)).toEqual([
      { id: 1, v: 0 },
      { id: 2, v: 9 },
      { id: 3, v: 9 },
    ]);

    expect(await db.query(`UPDATE items SET v = v + 1 WHERE id >= $1`, [2])).toEqual([[], 2]);
    const result = await db.createQueryBuilder().delete().from('items').where('id = :id', { id: 3 }).execute();
    expect(result.affected).toBe(1);
  });
});

describe('PglitePool', () => {
  let pool: PglitePool;

  beforeAll(async () => {
    pool = new PglitePool({});
    await pool.query(`SELECT 1`);
  });
  afterAll(async () => {
    await pool?.end();
  });

  it('leases its session to one client at a time, first come first served', async () => {
    const order: string[] = [];
    const first = await pool.connect();
    const second = pool.connect().then((c) => (order.push('second'), c));
    const third = pool.connect().then((c) => (order.push('third'), c));
    const direct = pool.query(`SELECT 'direct' AS v`).then((r) => (order.push('direct'), r));
    await pause();
    expect(order).toEqual([]);

    first.release();
    (await second).release();
    (await third).release();
    expect((await direct).rows).toEqual([{ v: 'direct' }]);
    expect(order).toEqual(['second', 'third', 'direct']);
  });

  it('refuses queries on a released client', async () => {
    const client = await pool.connect();
    client.release();
    await expect(client.query(`SELECT 1`)).rejects.toThrow('released');
  });

  it('rolls back a transaction left open by a released client', async () => {
    await pool.query(`CREATE TABLE leak (v int)`);
    const errors: Error[] = [];
    pool.on('error', (err: Error) => errors.push(err));
    const client = await pool.connect();
    await client.query(`BEGIN`);
    await client.query(`INSERT INTO leak VALUES (1)`);
    client.release();

    expect((await pool.query(`SELECT count(*) AS n FROM leak`)).rows).toEqual([{ n: 0 }]);
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('open transaction')]);
  });

  it('supports the callback forms TypeORM uses', async () => {
    const rows = await new Promise((resolve, reject) =>
      pool.connect((err, client, release) => {
        if (err || !client) return reject(err);
        client.query(`SELECT 7 AS seven`, (queryErr, result) => {
          release();
          if (queryErr) reject(queryErr);
          else resolve(result?.rows);
        });
      }),
    );
    expect(rows).toEqual([{ seven: 7 }]);
  });
});

describe('PglitePool on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'tds-pglite-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates missing parent directories and keeps the data across reopening', async () => {
    const dataDir = join(root, 'nested', 'deeper', 'db');
    const first = new PglitePool({ dataDir });
    await first.query(`CREATE TABLE kept (v text)`);
    await first.query(`INSERT INTO kept VALUES ($1)`, ['still here']);
    await first.end();

    const second = new PglitePool({ dataDir });
    try {
      expect((await second.query(`SELECT v FROM kept`)).rows).toEqual([{ v: 'still here' }]);
    } finally {
      await second.end();
    }
  });

  it('refuses new clients once ended', async () => {
    const pool = new PglitePool({});
    await pool.end();
    await expect(pool.connect()).rejects.toThrow('end');
  });
});
