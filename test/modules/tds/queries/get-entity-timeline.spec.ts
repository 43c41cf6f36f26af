import { CommandBus } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { ResolveDeadLetterCommand } from '../../../../src/modules/tds/public.js';
import type { EntityTimeline } from '../../../../src/modules/tds/public.js';
import { TestFaults } from '../../../../src/modules/tds/apply/test-faults.js';
import { createTestApp } from '../../../support/create-test-app.js';
import type { TestApp } from '../../../support/create-test-app.js';
import { rows } from '../../../support/queue-fixtures.js';
import { createTestDatabase, describePostgres } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { getAs } from '../enqueue/enqueue-test-kit.js';
import { zohoContact } from '../fixtures/zoho-payloads.js';
import { drain, enqueue, runBatch, SYNC_RUN_ENV } from '../sync-runs/sync-run-test-kit.js';
import { deliver, webhookEnv } from '../webhooks/webhook-test-kit.js';

const CONTACT_ID = '460000000099001';
/** The fixture's last_modified_time, 2025-11-18T02:02:51+0300, as the version it becomes. */
const WEBHOOK_VERSION = Date.UTC(2025, 10, 17, 23, 2, 51);
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const contact = (overrides: Record<string, unknown> = {}) => ({ ...zohoContact, contact_id: CONTACT_ID, ...overrides });
/** A bulk item for the contact at `version` (epoch ms), its name telling the versions apart. */
const bulkContact = (version: number) => ({
  entityType: 'customer',
  sourceEntityId: CONTACT_ID,
  operation: 'update',
  version,
  payload: contact({ contact_name: `Bowman v${version}` }),
});

describePostgres('GET /api/tds/entities/:entityType/:sourceEntityId (GetEntityTimelineQuery)', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  const app = (): NestFastifyApplication => testApp.app;
  const timeline = (path: string, key?: string | null) => getAs(app(), `/api/tds/entities/${path}`, key);

  beforeAll(async () => {
    database = await createTestDatabase();
    // Webhook sources, and nothing running on its own: each batch is driven by the test.
    testApp = await createTestApp({ ...webhookEnv, ...SYNC_RUN_ENV, TDS_INGEST_GROUP_WINDOW_MS: '0', DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  it("assembles the record's deliveries, versions, attempts and dead letters, newest first", async () => {
    // A delivery, its duplicate (refused as one: nothing new) and an invalid delivery of the record.
    const first = await deliver(app(), 'zoho', { contact: contact() });
    expect(first.statusCode).toBe(202);
    const { inboxId, queueItemIds: [delivered] } = first.json();
    expect((await deliver(app(), 'zoho', { contact: contact() })).statusCode).toBe(200);
    expect((await deliver(app(), 'zoho', { contact: contact({ contact_name: 42 }) })).statusCode).toBe(422);
    const [invalid] = await rows<{ id: number; version: number | null }>(
      app().get(DataSource),
      `SELECT id::int AS id, version FROM tds_inbox_events WHERE status = 'invalid' AND source_entity_id = $1`,
      [CONTACT_ID],
    );
    await drain(app());

    // An older version arriving later: superseded.
    const older = WEBHOOK_VERSION - 1000;
    const supersededRun = await enqueue(app(), [bulkContact(older)]);
    await drain(app());

    // A newer version whose first attempt fails (transient), applied by its retry.
    const retried = WEBHOOK_VERSION + 1000;
    app().get(TestFaults).set(`transient:${CONTACT_ID}:1`);
    const retriedRun = await enqueue(app(), [bulkContact(retried)]);
    expect(await runBatch(app())).toBe(1);
    await rows(app().get(DataSource), `UPDATE tds_sync_queue SET next_attempt_at = now() WHERE id = $1`, [retriedRun.queueItemIds[0]]);
    expect(await runBatch(app())).toBe(1);

    // A newer one still that fails permanently: dead-lettered, then resolved by an operator.
    const dead = WEBHOOK_VERSION + 2000;
    app().get(TestFaults).set(`permanent:${CONTACT_ID}`);
    const deadRun = await enqueue(app(), [bulkContact(dead)]);
    await drain(app());
    app().get(TestFaults).set('');
    const [{ id: deadLetterId }] = await rows<{ id: number }>(
      app().get(DataSource),
      `SELECT id::int AS id FROM tds_dead_letters WHERE source_entity_id = $1`,
      [CONTACT_ID],
    );
    await app().get(CommandBus).execute(new ResolveDeadLetterCommand(deadLetterId, 'operator:test', 'fixed in Zoho'));

    const res = await timeline(`customer/${CONTACT_ID}`);
    expect(res.statusCode).toBe(200);
    const body: EntityTimeline = res.json();
    const [{ webhookRun }] = await rows<{ webhookRun: number }>(
      app().get(DataSource),
      `SELECT sync_run_id::int AS "webhookRun" FROM tds_sync_queue WHERE id = $1`,
      [delivered],
    );
    const [q1, q2, q3, q4] = [delivered, supersededRun.queueItemIds[0], retriedRun.queueItemIds[0], deadRun.queueItemIds[0]];
    const event = (kind: string, version: number | null, refs: Record<string, number>, errorCode: string | null = null, message: string | null = null) => ({
      at: expect.stringMatching(ISO_MS),
      kind,
      version,
      refs,
      errorCode,
      message,
    });
    expect(body.events).toEqual([
      event('dead_letter_resolved', dead, { deadLetterId }, null, 'fixed in Zoho'),
      event('dead_lettered', dead, { deadLetterId, queueItemId: q4 }, 'TEST_PERMANENT', `injected permanent fault for ${CONTACT_ID}`),
      event('attempt_failed', dead, { queueItemId: q4, attempt: 1 }, 'TEST_PERMANENT', `injected permanent fault for ${CONTACT_ID}`),
      event('queued', dead, { queueItemId: q4, syncRunId: deadRun.syncRunId }),
      event('applied', retried, { queueItemId: q3 }),
      event('attempt_failed', retried, { queueItemId: q3, attempt: 1 }, 'TEST_TRANSIENT', `injected transient fault for ${CONTACT_ID}`),
      event('queued', retried, { queueItemId: q3, syncRunId: retriedRun.syncRunId }),
      event('superseded', older, { queueItemId: q2 }),
      event('queued', older, { queueItemId: q2, syncRunId: supersededRun.syncRunId }),
      event('applied', WEBHOOK_VERSION, { queueItemId: q1 }),
      event('delivery_invalid', invalid.version, { inboxEventId: invalid.id }, 'VALIDATION_FAILED', expect.stringContaining('contact.contact_name')),
      // A webhook item belongs to its source's rolling run.
      event('queued', WEBHOOK_VERSION, { queueItemId: q1, inboxEventId: inboxId, syncRunId: webhookRun }),
      event('delivery_received', WEBHOOK_VERSION, { inboxEventId: inboxId }),
    ]);
    const times = body.events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(body).toMatchObject({
      entityType: 'customer',
      sourceEntityId: CONTACT_ID,
      current: {
        source: 'zoho',
        version: retried,
        deleted: false,
        contentHash: expect.any(String),
        syncedAt: expect.stringMatching(ISO_MS),
        data: bulkContact(retried).payload,
      },
    });

    // A limit keeps the newest.
    const newest = await timeline(`customer/${CONTACT_ID}?limit=3`);
    expect(newest.statusCode).toBe(200);
    expect(newest.json().events).toEqual(body.events.slice(0, 3));
  });

  it('a record TDS never saw: 404 ENTITY.NOT_FOUND; bad input: 422 naming the field, never a 500', async () => {
    const missing = await timeline('customer/never-seen-1');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ statusCode: 404, error: 'ENTITY.NOT_FOUND' });
    // The longest ids enqueue takes (200 UTF-16 units), percent-encoded in the path: looked up, not 414.
    for (const id of ['a'.repeat(200), 'é'.repeat(200), '\u{1D11E}'.repeat(100)]) {
      const long = await timeline(`customer/${encodeURIComponent(id)}`);
      expect({ length: id.length, status: long.statusCode, error: long.json().error }).toEqual({ length: 200, status: 404, error: 'ENTITY.NOT_FOUND' });
    }

    const refused: [string, string][] = [
      ['customer/x?limit=0', 'limit'],
      ['customer/x?limit=501', 'limit'],
      ['customer/x?limit=abc', 'limit'],
      ['customer/x?limit=1.5', 'limit'],
      ['customer/x?limit=1&limit=2', 'limit'],
      ['customer/x?since=2025-01-01', 'since'],
      ['widget/x', 'entityType'],
      ['customer/a%01b', 'sourceEntityId'],
      ['customer/a%00b', 'sourceEntityId'],
    ];
    for (const [path, field] of refused) {
      const res = await timeline(path);
      expect({ path, status: res.statusCode }).toEqual({ path, status: 422 });
      expect(res.json().error).toBe('VALIDATION_FAILED');
      expect(res.json().details.map((d: { path: string }) => d.path)).toContain(field);
    }
  });

  it('needs a viewer key', async () => {
    expect((await timeline('customer/x', null)).statusCode).toBe(401);
    expect((await timeline('customer/x', 'not-a-key-0123456789abcdef')).statusCode).toBe(401);
  });
});
