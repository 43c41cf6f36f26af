import { Client } from 'pg';
import type { TestApp } from '../../../support/create-test-app.js';
import { createTestApp } from '../../../support/create-test-app.js';
import { eventually } from '../../../support/spawn-app.js';
import { createTestDatabase, describePostgres } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { zohoContact } from '../fixtures/zoho-payloads.js';
import { countStored, deliver, sql, webhookEnv } from './webhook-test-kit.js';

/** A contact delivery (one queue item), distinct per `n`. */
const contact = (n: number, overrides: Record<string, unknown> = {}) => ({
  contact: { ...zohoContact, contact_id: `92000000${n}`, contact_name: `Customer ${n}`, ...overrides },
});

/** How many transactions wrote these inbox rows (rows written by one transaction share its xmin). */
async function transactionsOf(testApp: TestApp, inboxIds: number[]): Promise<number> {
  const [{ n }] = await sql<{ n: number }>(
    testApp.app,
    `SELECT count(DISTINCT xmin::text)::int AS n FROM tds_inbox_events WHERE id = ANY ($1::bigint[])`,
    [inboxIds],
  );
  return n;
}

/**
 * The group commit behind POST /api/tds/webhooks/:source: concurrent deliveries share one
 * transaction, a key seen twice (in one group, in two groups, on two instances) is stored once
 * and never answered with a 500, and one delivery the database refuses fails alone.
 */
describePostgres('InboxWriter: group commit of webhook deliveries', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let admin: Client;
  const env = () => ({ ...webhookEnv, DATABASE_URL: database.url, TDS_WORKERS_ENABLED: 'false' });

  beforeAll(async () => {
    database = await createTestDatabase();
    // A wide window, so that concurrent test requests land in one group.
    testApp = await createTestApp({ ...env(), TDS_INGEST_GROUP_WINDOW_MS: '50' });
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await testApp?.close();
    await database?.drop();
  });

  it('writes concurrent deliveries in one transaction, each answered with its own ids', async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, (_, n) => deliver(testApp.app, 'zoho', contact(n))));
    expect(responses.map((res) => res.statusCode)).toEqual(Array(20).fill(202));
    const bodies = responses.map((res) => res.json());
    expect(new Set(bodies.map((body) => body.inboxId)).size).toBe(20);
    expect(await transactionsOf(testApp, bodies.map((body) => body.inboxId))).toBe(1);
    const items = await sql<{ id: number; inboxEventId: number; sourceEntityId: string }>(
      testApp.app,
      `SELECT id, inbox_event_id AS "inboxEventId", source_entity_id AS "sourceEntityId" FROM tds_sync_queue WHERE id = ANY ($1::bigint[])`,
      [bodies.flatMap((body) => body.queueItemIds)],
    );
    bodies.forEach((body, n) => {
      expect(body.queueItemIds).toHaveLength(1);
      expect(items.find((item) => item.id === body.queueItemIds[0])).toEqual({
        id: body.queueItemIds[0],
        inboxEventId: body.inboxId,
        sourceEntityId: contact(n).contact.contact_id,
      });
    });
  });

  it('writes a full group at once, without waiting for its window', async () => {
    const eager = await createTestApp({ ...env(), TDS_INGEST_GROUP_WINDOW_MS: '1000', TDS_INGEST_GROUP_MAX: '5' });
    try {
      const started = Date.now();
      const responses = await Promise.all(Array.from({ length: 10 }, (_, n) => deliver(eager.app, 'zoho', contact(100 + n))));
      expect(Date.now() - started).toBeLessThan(900);
      expect(responses.map((res) => res.statusCode)).toEqual(Array(10).fill(202));
      expect(await transactionsOf(eager, responses.map((res) => res.json().inboxId))).toBe(2);
    } finally {
      await eager.close();
    }
  });

  it('the same key twice in one group: the first is accepted, the second is its duplicate', async () => {
    const before = await countStored(testApp.app);
    const [first, second] = await Promise.all([deliver(testApp.app, 'zoho', contact(200)), deliver(testApp.app, 'zoho', contact(200))]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 202]);
    const accepted = first.statusCode === 202 ? first : second;
    const duplicate = first.statusCode === 202 ? second : first;
    expect(duplicate.json()).toEqual({ duplicate: true, inboxId: accepted.json().inboxId });
    expect(await countStored(testApp.app)).toEqual({ inbox: before.inbox + 1, queue: before.queue + 1 });
  });

  it('an invalid delivery twice in one group: both refused with the same errors, stored once', async () => {
    const before = await countStored(testApp.app);
    const body = contact(201, { contact_name: 7 });
    const responses = await Promise.all([deliver(testApp.app, 'zoho', body), deliver(testApp.app, 'zoho', body)]);
    expect(responses.map((res) => res.statusCode)).toEqual([422, 422]);
    expect(responses[1].json().details).toEqual(responses[0].json().details);
    expect(await countStored(testApp.app)).toEqual({ inbox: before.inbox + 1, queue: before.queue });
  });

  describe('the unique race: a key another transaction holds uncommitted', () => {
    /** The idempotency key the app gives `body`: delivered once, then forgotten again. */
    async function keyOf(body: unknown): Promise<string> {
      const res = await deliver(testApp.app, 'zoho', body);
      expect(res.statusCode).toBe(202);
      const [{ key }] = await sql<{ key: string }>(testApp.app, `SELECT idempotency_key AS key FROM tds_inbox_events WHERE id = $1`, [res.json().inboxId]);
      await sql(testApp.app, `DELETE FROM tds_sync_queue WHERE inbox_event_id = $1`, [res.json().inboxId]);
      await sql(testApp.app, `DELETE FROM tds_inbox_events WHERE id = $1`, [res.json().inboxId]);
      return key;
    }

    /**
     * Starts a delivery and resolves once its insert is waiting for the other transaction's
     * row lock, with the response still to come (wrapped: an async function would adopt it).
     */
    async function deliverBlocked(body: unknown) {
      let settled = false;
      const response = deliver(testApp.app, 'zoho', body).finally(() => (settled = true));
      await eventually(async () => {
        const [{ waiting }] = await sql<{ waiting: number }>(
          testApp.app,
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO tds_inbox_events%'`,
        );
        expect(waiting).toBe(1);
      }, 10_000, 20);
      expect(settled).toBe(false);
      return { response };
    }

    it('waits for it, then answers 200 duplicate of the row it committed, never a 500', async () => {
      const body = contact(300);
      const key = await keyOf(body);
      await admin.query('BEGIN');
      const { rows } = await admin.query(
        `INSERT INTO tds_inbox_events (source, idempotency_key, status) VALUES ('zoho', $1, 'queued') RETURNING id::int AS id`,
        [key],
      );
      const { response } = await deliverBlocked(body);
      await admin.query('COMMIT');
      const res = await response;
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ duplicate: true, inboxId: rows[0].id });
    });

    it('waits for it, then stores the delivery itself when the other transaction rolls back', async () => {
      const body = contact(301);
      const key = await keyOf(body);
      await admin.query('BEGIN');
      await admin.query(`INSERT INTO tds_inbox_events (source, idempotency_key, status) VALUES ('zoho', $1, 'queued')`, [key]);
      const { response } = await deliverBlocked(body);
      await admin.query('ROLLBACK');
      const res = await response;
      expect(res.statusCode).toBe(202);
      const [row] = await sql(testApp.app, `SELECT idempotency_key AS key, status FROM tds_inbox_events WHERE id = $1`, [res.json().inboxId]);
      expect(row).toEqual({ key, status: 'queued' });
    });

    it('50 concurrent identical deliveries over two instances: one row, one queue item, no 5xx', async () => {
      const other = await createTestApp({ ...env(), TDS_INGEST_GROUP_WINDOW_MS: '3' });
      try {
        const before = await countStored(testApp.app);
        const body = contact(302);
        const responses = await Promise.all(Array.from({ length: 50 }, (_, n) => deliver(n % 2 ? other.app : testApp.app, 'zoho', body)));
        const statuses = responses.map((res) => res.statusCode);
        expect(statuses.filter((s) => s === 202)).toHaveLength(1);
        expect(statuses.filter((s) => s === 200)).toHaveLength(49);
        const inboxId = responses.find((res) => res.statusCode === 202)!.json().inboxId;
        expect(new Set(responses.map((res) => res.json().inboxId))).toEqual(new Set([inboxId]));
        expect(await countStored(testApp.app)).toEqual({ inbox: before.inbox + 1, queue: before.queue + 1 });
      } finally {
        await other.close();
      }
    });
  });

  describe('a failing group', () => {
    afterEach(async () => {
      await admin.query(`DROP TRIGGER IF EXISTS test_inbox_fault ON tds_inbox_events`);
      await admin.query(`DROP FUNCTION IF EXISTS test_inbox_fault()`);
      await admin.query(`DROP SEQUENCE IF EXISTS test_inbox_fault_seq`);
    });

    it('is retried, so a transient failure (a deadlock) costs no delivery', async () => {
      await admin.query(`CREATE SEQUENCE test_inbox_fault_seq`);
      await admin.query(`CREATE FUNCTION test_inbox_fault() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- nextval survives the rollback: only the very first insert fails.
          IF nextval('test_inbox_fault_seq') = 1 THEN RAISE EXCEPTION 'simulated deadlock' USING ERRCODE = '40P01'; END IF;
          RETURN NEW;
        END $$`);
      await admin.query(`CREATE TRIGGER test_inbox_fault BEFORE INSERT ON tds_inbox_events FOR EACH ROW EXECUTE FUNCTION test_inbox_fault()`);
      const before = await countStored(testApp.app);
      const responses = await Promise.all(Array.from({ length: 5 }, (_, n) => deliver(testApp.app, 'zoho', contact(400 + n))));
      expect(responses.map((res) => res.statusCode)).toEqual(Array(5).fill(202));
      expect(await countStored(testApp.app)).toEqual({ inbox: before.inbox + 5, queue: before.queue + 5 });
    });

    it('fails only the delivery the database refuses; the rest of its group is accepted', async () => {
      const refused = contact(500).contact.contact_id;
      await admin.query(`CREATE FUNCTION test_inbox_fault() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.source_entity_id = '${refused}' THEN RAISE EXCEPTION 'simulated refusal'; END IF;
          RETURN NEW;
        END $$`);
      await admin.query(`CREATE TRIGGER test_inbox_fault BEFORE INSERT ON tds_inbox_events FOR EACH ROW EXECUTE FUNCTION test_inbox_fault()`);
      const before = await countStored(testApp.app);
      const responses = await Promise.all(Array.from({ length: 5 }, (_, n) => deliver(testApp.app, 'zoho', contact(500 + n))));
      // The database's refusal is not the client's fault: a 503 to retry later, and nothing stored.
      expect(responses.map((res) => res.statusCode)).toEqual([503, 202, 202, 202, 202]);
      expect(responses[0].json()).toMatchObject({ statusCode: 503, error: 'INBOX.UNAVAILABLE' });
      expect(responses[0].headers['retry-after']).toBe('5');
      expect(await countStored(testApp.app)).toEqual({ inbox: before.inbox + 4, queue: before.queue + 4 });
    });
  });
});
