import { Client } from 'pg';
import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { eventually } from '../../../support/spawn-app.js';
import { createTestDatabase, describePostgres } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { zohoContact } from '../fixtures/zoho-payloads.js';
import { deliver, webhookEnv } from './webhook-test-kit.js';

type Response = Awaited<ReturnType<typeof deliver>>;

/** A contact delivery (one queue item) with a distinct id; ids of one prefix are equally long. */
const contact = (prefix: string, n: number) => ({
  contact: { ...zohoContact, contact_id: `${prefix}${String(n).padStart(4, '0')}`, contact_name: `Customer ${prefix} ${n}` },
});

interface Tracked {
  response: Promise<Response>;
  settled: boolean;
}

function track(response: Promise<Response>): Tracked {
  const tracked: Tracked = { response, settled: false };
  void response.finally(() => (tracked.settled = true)).catch(() => undefined);
  return tracked;
}

const settled = (deliveries: Tracked[]) => deliveries.filter((delivery) => delivery.settled);

/**
 * Back-pressure of the inbox writer with the database hung — a lock the inbox insert needs,
 * held from another connection: deliveries past the waiting bound are refused at once with a
 * 503 (nothing of them stored) while the others wait; shutdown gives up on the hung database
 * after TDS_SHUTDOWN_TIMEOUT_MS, answering 503, never 2xx. Whatever got a 2xx is committed.
 */
describePostgres('InboxWriter back-pressure with the database hung', () => {
  let database: TestDatabase;
  let admin: Client;
  const apps: TestApp[] = [];

  const start = async (env: Record<string, string>) => {
    const testApp = await createTestApp({ ...webhookEnv, DATABASE_URL: database.url, TDS_POLL_INTERVAL_MS: '50', ...env });
    apps.push(testApp);
    return testApp.app;
  };

  /** Holds ACCESS EXCLUSIVE on the inbox in an open transaction; resolves with its release. */
  async function lockInbox(): Promise<() => Promise<void>> {
    const locker = new Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE tds_inbox_events IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await locker.query('COMMIT');
      await locker.end();
    };
  }

  async function untilInsertsBlocked(n: number): Promise<void> {
    await eventually(async () => {
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO tds_inbox_events%'`,
      );
      expect(rows[0].n).toBe(n);
    }, 10_000, 20);
  }

  async function storedIds(prefix: string): Promise<string[]> {
    const { rows } = await admin.query(
      `SELECT source_entity_id AS id FROM tds_inbox_events WHERE source_entity_id LIKE $1 ORDER BY 1`,
      [`${prefix}%`],
    );
    return rows.map((row: { id: string }) => row.id);
  }

  const ids = (prefix: string, ns: number[]) => ns.map((n) => contact(prefix, n).contact.contact_id).sort();

  function expectRefused(res: Response, code: string): void {
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ statusCode: 503, error: code });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  afterEach(async () => {
    for (const testApp of apps.splice(0)) await testApp.close();
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it('refuses deliveries past TDS_INGEST_MAX_WAITING at once with 503 INBOX.BUSY; the waiting ones are committed and applied once the database answers', async () => {
    const app = await start({ TDS_INGEST_MAX_WAITING: '20', TDS_INGEST_GROUPS_IN_FLIGHT: '1' });
    const release = await lockInbox();
    const inFlight = track(deliver(app, 'zoho', contact('91', 0)));
    await untilInsertsBlocked(1);

    const startedAt = Date.now();
    const burst = Array.from({ length: 60 }, (_, n) => track(deliver(app, 'zoho', contact('91', n + 1))));
    await eventually(() => expect(settled(burst)).toHaveLength(40), 5000, 10);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    const refused = settled(burst);
    for (const delivery of refused) expectRefused(await delivery.response, 'INBOX.BUSY');
    // The bound holds: exactly 20 wait, with the one in flight.
    expect(inFlight.settled).toBe(false);
    expect(settled(burst)).toHaveLength(40);

    await release();
    const waited = [inFlight, ...burst.filter((delivery) => !refused.includes(delivery))];
    const answers = await Promise.all(waited.map((delivery) => delivery.response));
    expect(answers.map((res) => res.statusCode)).toEqual(Array(21).fill(202));
    // Nothing of a refused delivery was kept.
    const waitedNs = [0, ...burst.map((delivery, n) => (refused.includes(delivery) ? -1 : n + 1)).filter((n) => n >= 0)];
    expect(await storedIds('91')).toEqual(ids('91', waitedNs));

    // Their senders retry (one after the other: 40 at once would be past the bound again): now accepted.
    const refusedNs = burst.map((delivery, n) => (refused.includes(delivery) ? n + 1 : -1)).filter((n) => n >= 0);
    for (const n of refusedNs) expect((await deliver(app, 'zoho', contact('91', n))).statusCode).toBe(202);
    const all = ids('91', Array.from({ length: 61 }, (_, n) => n));
    expect(await storedIds('91')).toEqual(all);
    await eventually(async () => {
      const { rows } = await admin.query(
        `SELECT source_entity_id AS id FROM tds_entities WHERE entity_type = 'customer' AND source_entity_id LIKE '91%' ORDER BY 1`,
      );
      expect(rows.map((row: { id: string }) => row.id)).toEqual(all);
    }, 20_000);
  });

  it('bounds the waiting bodies by TDS_INGEST_MAX_WAITING_BYTES too', async () => {
    const size = Buffer.byteLength(JSON.stringify(contact('92', 0)));
    const app = await start({
      TDS_INGEST_MAX_WAITING_BYTES: String(Math.floor(size * 2.5)),
      TDS_INGEST_GROUPS_IN_FLIGHT: '1',
      TDS_WORKERS_ENABLED: 'false',
    });
    const release = await lockInbox();
    const inFlight = track(deliver(app, 'zoho', contact('92', 0)));
    await untilInsertsBlocked(1);
    const burst = Array.from({ length: 5 }, (_, n) => track(deliver(app, 'zoho', contact('92', n + 1))));
    await eventually(() => expect(settled(burst)).toHaveLength(3), 5000, 10);
    const refused = settled(burst);
    for (const delivery of refused) expectRefused(await delivery.response, 'INBOX.BUSY');
    await release();
    // One in flight and two waiting: a third body would pass the bound.
    const waited = [inFlight, ...burst.filter((delivery) => !refused.includes(delivery))];
    expect((await Promise.all(waited.map((delivery) => delivery.response))).map((res) => res.statusCode)).toEqual(Array(3).fill(202));
    expect(await storedIds('92')).toHaveLength(3);
  });

  it('shutdown gives up on the hung database after TDS_SHUTDOWN_TIMEOUT_MS: what was not committed is answered 503, and nothing is lost', async () => {
    const testApp = await createTestApp({
      ...webhookEnv,
      DATABASE_URL: database.url,
      TDS_INGEST_GROUPS_IN_FLIGHT: '1',
      TDS_WORKERS_ENABLED: 'false',
      TDS_SHUTDOWN_TIMEOUT_MS: '1000',
    });
    const before = await Promise.all([0, 1, 2].map((n) => deliver(testApp.app, 'zoho', contact('93', n))));
    expect(before.map((res) => res.statusCode)).toEqual([202, 202, 202]);

    const release = await lockInbox();
    const hung = [track(deliver(testApp.app, 'zoho', contact('93', 3)))];
    await untilInsertsBlocked(1);
    for (let n = 4; n < 14; n++) hung.push(track(deliver(testApp.app, 'zoho', contact('93', n))));

    const startedAt = Date.now();
    await testApp.close();
    const closedAfterMs = Date.now() - startedAt;
    expect(closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(closedAfterMs).toBeLessThan(4000);
    // Answered, and none with a 2xx: the one in flight may yet be committed, the others are not stored.
    expect(settled(hung)).toHaveLength(11);
    for (const delivery of hung) expectRefused(await delivery.response, 'INBOX.SHUTTING_DOWN');

    await release();
    expect(await storedIds('93')).toEqual(expect.arrayContaining(ids('93', [0, 1, 2])));
    // The senders retry against another instance: each is stored once (the one in flight as its own duplicate, if its insert went through after all).
    const other = await start({ TDS_WORKERS_ENABLED: 'false' });
    const retries = await Promise.all(Array.from({ length: 11 }, (_, n) => deliver(other, 'zoho', contact('93', n + 3))));
    for (const res of retries) expect([200, 202]).toContain(res.statusCode);
    expect(await storedIds('93')).toEqual(ids('93', Array.from({ length: 14 }, (_, n) => n)));
  });
});
