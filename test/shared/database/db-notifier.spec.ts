import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { databaseConfig } from '../../../src/shared/config/database.config.js';
import { DatabaseInfo } from '../../../src/shared/database/database-info.js';
import { DatabaseModule } from '../../../src/shared/database/database.module.js';
import { DbNotifier } from '../../../src/shared/database/db-notifier.js';
import { describeEachBackend } from '../../support/test-database.js';

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

/** The DatabaseModule as the app wires it, with the environment applied while it boots. */
async function bootDatabaseModule(env: Record<string, string>): Promise<TestingModule> {
  const previous = new Map(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [databaseConfig] }), DatabaseModule],
    }).compile();
    return await moduleRef.init();
  } finally {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describeEachBackend('DbNotifier', (backend) => {
  let moduleRef: TestingModule;
  let db: DataSource;
  let notifier: DbNotifier;

  beforeAll(async () => {
    moduleRef = await bootDatabaseModule(backend.env);
    db = moduleRef.get(DataSource);
    notifier = moduleRef.get(DbNotifier);
  });
  afterAll(async () => {
    await moduleRef?.close();
  });

  it('provides a migrated DataSource and DatabaseInfo for the configured backend', async () => {
    expect(moduleRef.get(DatabaseInfo)).toEqual({ kind: backend.kind, singleSession: backend.kind === 'pglite' });
    expect(await db.query(`SELECT count(*) AS n FROM tds_sync_queue`)).toEqual([{ n: 0 }]);
  });

  it('delivers a NOTIFY sent in a transaction at commit, and not after a rollback', async () => {
    const received: string[] = [];
    const unlisten = await notifier.listen('tds_test', (payload) => received.push(payload));

    const tx = db.createQueryRunner();
    await tx.startTransaction();
    await notifier.notify('tds_test', 'committed', tx.manager);
    await settle();
    expect(received).toEqual([]);
    await tx.commitTransaction();
    await waitFor(() => received.length === 1);

    await tx.startTransaction();
    await tx.query(`SELECT pg_notify('tds_test', 'rolled back')`);
    await tx.rollbackTransaction();
    await tx.release();
    // Notifications arrive in commit order: once the marker is in, the rolled-back one never will.
    await notifier.notify('tds_test', 'marker');
    await waitFor(() => received.length === 2);
    expect(received).toEqual(['committed', 'marker']);

    await unlisten();
  });

  it('fans out to every subscriber and stops after unlisten', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const unlistenA = await notifier.listen('tds_fanout', (p) => a.push(p));
    const unlistenB = await notifier.listen('tds_fanout', (p) => b.push(p));
    const unlistenOther = await notifier.listen('tds_other', () => {
      throw new Error('a failing handler must not affect the others');
    });

    await notifier.notify('tds_other', 'x');
    await notifier.notify('tds_fanout', 'one');
    await waitFor(() => a.length === 1 && b.length === 1);

    await unlistenA();
    await notifier.notify('tds_fanout', 'two');
    await waitFor(() => b.length === 2);
    expect(a).toEqual(['one']);
    expect(b).toEqual(['one', 'two']);

    await unlistenB();
    await unlistenOther();
  });

  it('rejects channel names that LISTEN would fold or need quoting for', async () => {
    await expect(notifier.listen('Tds-Queue', () => undefined)).rejects.toThrow('invalid notification channel');
    await expect(notifier.notify('a;b')).rejects.toThrow('invalid notification channel');
  });

  if (backend.kind === 'postgres') {
    it('subscribes many channels at once one statement at a time on its connection (pg deprecates overlapping queries)', async () => {
      const inFlight = new Map<Client, number>();
      let overlapping = 0;
      const query = Client.prototype.query;
      const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
        const running = (inFlight.get(this) ?? 0) + 1;
        inFlight.set(this, running);
        if (running > 1) overlapping++;
        const result = (query as (...a: unknown[]) => unknown).apply(this, args) as Promise<unknown>;
        const done = () => inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
        result.then(done, done);
        return result;
      } as typeof query);
      try {
        const channels = ['tds_many_a', 'tds_many_b', 'tds_many_c', 'tds_many_d', 'tds_many_e'];
        const unlistens = await Promise.all(channels.map((channel) => notifier.listen(channel, () => undefined)));
        await Promise.all(unlistens.map((unlisten) => unlisten()));
      } finally {
        spy.mockRestore();
      }
      expect(overlapping).toBe(0);
    });

    it('re-establishes its LISTEN connection after losing it', async () => {
      const received: string[] = [];
      const unlisten = await notifier.listen('tds_reconnect', (p) => received.push(p));
      const listenerPids = () =>
        db.query(
          `SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'tds/%/listener' AND datname = current_database()`,
        ) as Promise<{ pid: number }[]>;
      const [{ pid }] = await listenerPids();
      await db.query(`SELECT pg_terminate_backend($1)`, [pid]);

      // Notifications sent while it is down are lost; keep sending until one gets through.
      const deadline = Date.now() + 10_000;
      while (received.length === 0 && Date.now() < deadline) {
        await notifier.notify('tds_reconnect', 'after');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(received[0]).toBe('after');
      expect((await listenerPids()).map((r) => r.pid)).not.toContain(pid);
      await unlisten();
    });

    it('closes its LISTEN connection when the application shuts down', async () => {
      const other = await bootDatabaseModule(backend.env);
      await other.get(DbNotifier).listen('tds_shutdown', () => undefined);
      const count = async () =>
        (await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'tds/%/listener' AND datname = current_database()`,
        ))[0].n as number;
      expect(await count()).toBe(2);
      await other.close();
      await waitFor(async () => (await count()) === 1);
    });
  }
});
