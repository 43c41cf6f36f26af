import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import type { Results } from '@electric-sql/pglite';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/**
 * A `pg`-compatible pool over one embedded PGlite database, for TypeORM's postgres driver
 * (DataSource option `driver: { Pool: PglitePool }`, pool options through `extra`).
 *
 * PGlite is a single PostgreSQL session. Sharing it between concurrent callers interleaves their
 * transactions (typeorm-pglite: lost updates, SKIP LOCKED handing one row out twice), so the
 * session is leased to one caller at a time, FIFO, until released: it behaves like `pg` with
 * `max: 1`. The usual consequence holds: code inside a transaction must use that transaction's
 * query runner, not the DataSource, or it waits for itself forever.
 */

export interface PglitePoolOptions {
  /** Directory of the database files; absent or null keeps the database in memory. */
  dataDir?: string | null;
}

/** The subset of `pg`'s QueryResult that TypeORM reads. */
export interface PgliteQueryResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
  /** From the command tag, as `pg` reports it: TypeORM switches on UPDATE/DELETE. */
  command: string | null;
  fields: { name: string; dataTypeID: number }[];
}

/** SQL text, or `pg`'s query config (a named statement: PGlite, which has no named statements, runs its text). */
type QueryText = string | { text: string; name?: string };
const textOf = (query: QueryText) => (typeof query === 'string' ? query : query.text);

type QueryCallback = (err: Error | null, result?: PgliteQueryResult) => void;
type ConnectCallback = (
  err: Error | null,
  client: PgliteClient | undefined,
  release: (err?: Error | boolean) => void,
) => void;

/**
 * int8 as a JS number, as the `pg` side is configured (data-source-options.ts). PGlite's
 * default gives a number only within 2^53 and a BigInt beyond, which JSON cannot serialise.
 */
const PARSERS = { [types.INT8]: (value: string) => Number(value) };

export class PglitePool extends EventEmitter {
  private readonly db: PGlite;
  private readonly ready: Promise<void>;
  private busy = false;
  private readonly waiters: (() => void)[] = [];
  private ending?: Promise<void>;

  constructor(options: PglitePoolOptions = {}) {
    super();
    const dataDir = options.dataDir ?? undefined;
    // PGlite creates the database directory but not its missing parents.
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    this.db = new PGlite(dataDir, { parsers: PARSERS });
    this.ready = this.db.waitReady;
    // A failed start is reported by connect(); this only keeps it from being an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  connect(): Promise<PgliteClient>;
  connect(callback: ConnectCallback): void;
  connect(callback?: ConnectCallback): Promise<PgliteClient> | void {
    const leased = this.acquire();
    if (!callback) return leased;
    leased.then(
      (client) => callback(null, client, (err) => client.release(err)),
      (err: Error) => callback(err, undefined, () => undefined),
    );
  }

  query(text: QueryText, params?: unknown[]): Promise<PgliteQueryResult>;
  query(text: QueryText, callback: QueryCallback): void;
  query(text: QueryText, params: unknown[] | undefined, callback: QueryCallback): void;
  query(
    text: QueryText,
    paramsOrCallback?: unknown[] | QueryCallback,
    callback?: QueryCallback,
  ): Promise<PgliteQueryResult> | void {
    const [params, cb] = splitArgs(paramsOrCallback, callback);
    const result = this.exclusive(() => this.execute(textOf(text), params));
    if (!cb) return result;
    result.then((r) => cb(null, r), (err: Error) => cb(err));
  }

  /**
   * LISTEN through PGlite's own notification API. It runs under the lease so the LISTEN cannot
   * land inside another caller's open transaction (and vanish with its rollback).
   */
  async listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>> {
    const unlisten = await this.exclusive(() => this.db.listen(channel, callback));
    return () => this.exclusive(() => unlisten());
  }

  /** Like `pg`: waits for the session to be released by its holders, then closes the database. */
  end(): Promise<void>;
  end(callback: (err?: Error) => void): void;
  end(callback?: (err?: Error) => void): Promise<void> | void {
    this.ending ??= this.lock().then(() => this.db.close());
    if (!callback) return this.ending;
    this.ending.then(() => callback(), (err: Error) => callback(err));
  }

  /** @internal Runs one query (or a parameterless multi-statement script) on the leased session. */
  async execute(text: string, params: unknown[] | undefined): Promise<PgliteQueryResult> {
    // Like `pg`: without parameters the simple protocol, which accepts several statements; with
    // parameters the extended protocol, one statement. For a script this returns the last
    // statement's result where `pg` returns an array (which TypeORM's query() turns into
    // undefined), so portable code does not read a script's result.
    const results: Results[] = params?.length
      ? [await this.db.query(text, params.map(prepareValue))]
      : await this.db.exec(text);
    const last = results.at(-1);
    return {
      rows: last?.rows ?? [],
      rowCount: last?.rowCount ?? null,
      command: last?.command ?? null,
      fields: last?.fields ?? [],
    };
  }

  /** @internal */
  async releaseSession(): Promise<void> {
    try {
      // A holder that leaves a transaction open would hand it to the next caller; `pg` would
      // too, but on one shared session that corrupts every later transaction.
      if (this.db.isInTransaction()) {
        await this.db.exec('ROLLBACK');
        this.report(new Error('PGlite session released inside an open transaction: rolled back'));
      }
    } catch (err) {
      this.report(err as Error);
    } finally {
      this.unlock();
    }
  }

  private async acquire(): Promise<PgliteClient> {
    if (this.ending) throw new Error('Cannot use a pool after calling end on the pool');
    // Queued before any await, so a caller admitted before end() is served before the close.
    await this.lock();
    try {
      await this.ready;
    } catch (err) {
      this.unlock();
      throw err;
    }
    return new PgliteClient(this);
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const client = await this.acquire();
    try {
      return await fn();
    } finally {
      client.release();
    }
  }

  private lock(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.busy = false;
  }

  private report(err: Error): void {
    // An 'error' event without a listener would throw; TypeORM always attaches one.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

/**
 * One lease of the session. A released lease refuses queries, so a caller that kept a
 * reference cannot run statements inside the next holder's transaction.
 */
export class PgliteClient extends EventEmitter {
  private released = false;

  constructor(private readonly pool: PglitePool) {
    super();
  }

  query(text: QueryText, params?: unknown[]): Promise<PgliteQueryResult>;
  query(text: QueryText, callback: QueryCallback): void;
  query(text: QueryText, params: unknown[] | undefined, callback: QueryCallback): void;
  query(
    text: QueryText,
    paramsOrCallback?: unknown[] | QueryCallback,
    callback?: QueryCallback,
  ): Promise<PgliteQueryResult> | void {
    const [params, cb] = splitArgs(paramsOrCallback, callback);
    const result = this.released
      ? Promise.reject(new Error('Client was released to the pool and cannot run queries'))
      : this.pool.execute(textOf(text), params);
    if (!cb) return result;
    result.then((r) => cb(null, r), (err: Error) => cb(err));
  }

  /** `pg` destroys a client released with an error; the one session can only be reset. */
  release(_err?: Error | boolean): void {
    if (this.released) return;
    this.released = true;
    void this.pool.releaseSession();
  }
}

/** The PGlite pool behind a DataSource, or undefined when it runs on `pg`. */
export function pglitePoolOf(dataSource: DataSource): PglitePool | undefined {
  const pool: unknown = (dataSource.driver as PostgresDriver).master;
  return pool instanceof PglitePool ? pool : undefined;
}

function splitArgs(
  paramsOrCallback: unknown[] | QueryCallback | undefined,
  callback: QueryCallback | undefined,
): [unknown[] | undefined, QueryCallback | undefined] {
  return typeof paramsOrCallback === 'function'
    ? [undefined, paramsOrCallback]
    : [paramsOrCallback, callback];
}

/**
 * PGlite serialises a parameter by its inferred type and turns a plain object bound to a text
 * parameter into "[object Object]"; `pg` sends JSON. Dates, arrays and byte arrays PGlite
 * handles itself.
 */
function prepareValue(value: unknown): unknown {
  if (
    value === null ||
    typeof value !== 'object' ||
    value instanceof Date ||
    Array.isArray(value) ||
    ArrayBuffer.isView(value)
  ) {
    return value;
  }
  return JSON.stringify(value);
}
