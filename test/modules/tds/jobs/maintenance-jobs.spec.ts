import { DataSource } from 'typeorm';
import { RETRY_JOB_ACTOR } from '../../../../src/modules/tds/domain/queue-item.js';
import { ReactionRedeliveryService } from '../../../../src/modules/tds/reactions/reaction-redelivery.service.js';
import { createTestApp } from '../../../support/create-test-app.js';
import type { TestApp } from '../../../support/create-test-app.js';
import { insertQueueItems, productPayload, waitUntilDrained } from '../../../support/queue-fixtures.js';
import type { TestItem } from '../../../support/queue-fixtures.js';
import { eventually } from '../../../support/spawn-app.js';
import { createTestDatabase, describePostgres } from '../../../support/test-database.js';
import type { TestDatabase } from '../../../support/test-database.js';
import { EVERY_SECOND, runJob, sql } from './jobs-test-kit.js';

/**
 * The maintenance jobs on one app whose workers, relay and reactions keep running, driven one
 * run at a time through the scheduler (timers off). Old rows are made old by setting their
 * timestamps.
 */
describePostgres('maintenance jobs: retention, retry, metrics roll-up', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  const q = <T = Record<string, any>>(text: string, params: unknown[] = []) => sql<T>(testApp.app, text, params);
  const ids = (rows: { id: number | string }[]) => rows.map((r) => Number(r.id)).sort((a, b) => a - b);

  beforeAll(async () => {
    database = await createTestDatabase();
    testApp = await createTestApp({
      ...EVERY_SECOND,
      DATABASE_URL: database.url,
      TDS_API_KEYS: 'admin:jobs-admin-key-0123456789',
      TDS_POLL_INTERVAL_MS: '50',
      TDS_RETENTION_BATCH_SIZE: '3',
      TDS_DLQ_AUTO_RETRY_BATCH_SIZE: '1',
      // The tests move the reactions' cursors themselves (sweepOnce), so the outbox bound is theirs to set.
      TDS_REACTION_SWEEP_INTERVAL_MS: '3600000',
    });
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
  });

  /** Queue items already closed in `status`, `daysAgo`; returns their ids. */
  async function closedItems(prefix: string, count: number, status: string, daysAgo: number): Promise<number[]> {
    return ids(
      await q(
        `INSERT INTO tds_sync_queue (source, entity_type, source_entity_id, operation, version, payload, status, max_attempts, completed_at)
         SELECT 'zoho', 'retention-test', $1 || '-' || g, 'update', 1, '{}', $3, 5, now() - make_interval(days => $4)
         FROM generate_series(1, $2::int) AS g RETURNING id`,
        [prefix, count, status, daysAgo],
      ),
    );
  }

  async function attempts(itemIds: number[]): Promise<void> {
    await q(
      `INSERT INTO tds_queue_attempts (queue_item_id, attempt, started_at, failed_at, outcome, error_code, error)
       SELECT id, 1, now() - interval '40 days', now() - interval '40 days', 'retry', 'TIMEOUT', 'timed out' FROM unnest($1::bigint[]) AS id`,
      [itemIds],
    );
  }

  interface DeadLetterRow {
    queueItemId?: number;
    entityType?: string;
    sourceEntityId?: string;
    payload?: unknown;
    inboxEventId?: number | null;
    createdAgo: string;
    resolvedAgo?: string;
    replayQueueItemId?: number;
    /** With replayQueueItemId; default now. */
    replayedAgo?: string;
    transient?: boolean;
    autoReplays?: number;
  }

  async function deadLetter(d: DeadLetterRow): Promise<number> {
    const [{ id }] = await q<{ id: number }>(
      `INSERT INTO tds_dead_letters (queue_item_id, source, entity_type, source_entity_id, operation, version, inbox_event_id,
         failure_reason, error_code, attempts, last_payload, created_at, resolved_at, replayed_at, replay_queue_item_id, transient, auto_replays)
       VALUES ($1, 'zoho', $2, $3, 'update', 1, $4, 'failed', 'TEST', 5, $5::jsonb, now() - $6::interval,
               now() - $7::interval, CASE WHEN $8::bigint IS NOT NULL THEN now() - COALESCE($11::interval, '0') END, $8::bigint, $9, $10)
       RETURNING id`,
      [
        d.queueItemId ?? 0,
        d.entityType ?? 'retention-test',
        d.sourceEntityId ?? 'dl',
        d.inboxEventId ?? null,
        JSON.stringify(d.payload ?? {}),
        d.createdAgo,
        d.resolvedAgo ?? null,
        d.replayQueueItemId ?? null,
        d.transient ?? false,
        d.autoReplays ?? 0,
        d.replayedAgo ?? null,
      ],
    );
    return Number(id);
  }

  async function inbox(prefix: string, count: number, daysAgo: number): Promise<number[]> {
    return ids(
      await q(
        `INSERT INTO tds_inbox_events (source, idempotency_key, status, received_at)
         SELECT 'zoho', $1 || '-' || g, 'queued', now() - make_interval(days => $3)
         FROM generate_series(1, $2::int) AS g RETURNING id`,
        [prefix, count, daysAgo],
      ),
    );
  }

  /** Dispatched outbox events with one receipt each, both `ago` old; returns the event ids. */
  async function dispatchedEvents(count: number, ago: string): Promise<string[]> {
    const rows = await q<{ eventId: string }>(
      `INSERT INTO tds_outbox (event_type, payload, created_at, dispatched_at)
       SELECT 'test.retention', '{}', now() - $2::interval, now() - $2::interval FROM generate_series(1, $1::int)
       RETURNING event_id AS "eventId"`,
      [count, ago],
    );
    const eventIds = rows.map((r) => r.eventId);
    await q(
      `INSERT INTO tds_reaction_receipts (reaction, event_id, created_at) SELECT 'test.reaction', e, now() - $2::interval FROM unnest($1::uuid[]) AS e`,
      [eventIds, ago],
    );
    return eventIds;
  }

  async function reactionFailure(eventId: string, ago: string, resolvedAgo: string | null): Promise<number> {
    const [{ id }] = await q<{ id: number }>(
      `INSERT INTO tds_reaction_failures (reaction, event_id, event_type, attempts, last_error, next_attempt_at, created_at,
                                          exhausted_at, resolved_at)
       VALUES ('test.reaction', $1, 'test.retention', 5, 'failed', now(), now() - $2::interval, now() - $2::interval, now() - $3::interval)
       RETURNING id`,
      [eventId, ago, resolvedAgo],
    );
    return Number(id);
  }

  async function alerts(prefix: string, count: number, status: string, triggeredAgo: string, resolvedAgo: string | null) {
    return ids(
      await q(
        `INSERT INTO tds_alerts (rule, fingerprint, severity, title, message, status, triggered_at, resolved_at)
         SELECT 'test.rule', $1 || '-' || g, 'warning', 't', 'm', $3, now() - $4::interval, now() - $5::interval
         FROM generate_series(1, $2::int) AS g RETURNING id`,
        [prefix, count, status, triggeredAgo, resolvedAgo],
      ),
    );
  }

  const remainingOf = async (table: string, column: string, values: unknown[], type = 'bigint') =>
    (await q<{ v: unknown }>(`SELECT ${column}::text AS v FROM ${table} WHERE ${column} = ANY($1::${type}[])`, [values])).map((r) => r.v);

  it('retention deletes what is old, in batches, beside running workers, and keeps what is still needed', async () => {
    // Queue: old finished items (some with attempts) go; recent ones stay.
    const oldFinished = [
      ...(await closedItems('old-completed', 4, 'completed', 5)),
      ...(await closedItems('old-unchanged', 2, 'unchanged', 5)),
      ...(await closedItems('old-superseded', 2, 'superseded', 5)),
      ...(await closedItems('old-cancelled', 2, 'cancelled', 5)),
    ];
    await attempts(oldFinished.slice(0, 3));
    const recentFinished = await closedItems('recent', 2, 'completed', 1);

    // An unresolved dead letter keeps its item, the item's attempts and its delivery, however old.
    const [openInbox] = await inbox('open-dl', 1, 40);
    const [openItem] = await closedItems('open-dl', 1, 'dead_letter', 40);
    await attempts([openItem]);
    const openDeadLetter = await deadLetter({ queueItemId: openItem, inboxEventId: openInbox, createdAgo: '40 days' });
    // A replay closes its dead letter. Replayed recently: the dead letter stays, with its item and its (recent) replay item.
    const [replayItem] = await closedItems('replay', 1, 'completed', 1);
    const [replayedItem] = await closedItems('replayed', 1, 'dead_letter', 40);
    const replayedDeadLetter = await deadLetter({ queueItemId: replayedItem, createdAgo: '40 days', replayQueueItemId: replayItem, replayedAgo: '2 days' });
    // Replayed before the cutoff: the dead letter goes with its item, the replay item as any old finished one, and
    // the delivery goes too (the replay has served it).
    const [oldReplayInbox] = await inbox('old-replay', 1, 40);
    const [oldReplayItem] = await closedItems('old-replay', 1, 'completed', 39);
    const [oldReplayedItem] = await closedItems('old-replayed', 1, 'dead_letter', 45);
    const oldReplayedDeadLetter = await deadLetter({
      queueItemId: oldReplayedItem, inboxEventId: oldReplayInbox, createdAgo: '45 days', replayQueueItemId: oldReplayItem, replayedAgo: '40 days',
    });
    // Replayed before the cutoff but its replay is still waiting for a retry: the dead letter stays (cancelling the
    // replay reopens it), and the delivery stays with the open item.
    const [pendingReplayInbox] = await inbox('pending-replay', 1, 40);
    const [{ id: pendingReplayItem }] = await q<{ id: number }>(
      `INSERT INTO tds_sync_queue (source, entity_type, source_entity_id, operation, version, payload, status, max_attempts, attempt, inbox_event_id, next_attempt_at)
       VALUES ('zoho', 'retention-test', 'pending-replay', 'update', 1, '{}', 'retry', 5, 1, $1, now() + interval '1 day') RETURNING id`,
      [pendingReplayInbox],
    );
    const [pendingReplayedItem] = await closedItems('pending-replayed', 1, 'dead_letter', 45);
    const pendingReplayDeadLetter = await deadLetter({
      queueItemId: pendingReplayedItem, inboxEventId: pendingReplayInbox, createdAgo: '45 days', replayQueueItemId: pendingReplayItem, replayedAgo: '40 days',
    });
    // Resolved long ago: the dead letter goes with its item and the item's attempts.
    const resolvedItems = await closedItems('resolved-dl', 4, 'dead_letter', 45);
    await attempts(resolvedItems);
    const resolvedDeadLetters = [];
    for (const item of resolvedItems) resolvedDeadLetters.push(await deadLetter({ queueItemId: item, createdAgo: '45 days', resolvedAgo: '40 days' }));
    const [recentlyResolvedItem] = await closedItems('recent-dl', 1, 'dead_letter', 45);
    const recentlyResolved = await deadLetter({ queueItemId: recentlyResolvedItem, createdAgo: '45 days', resolvedAgo: '5 days' });

    const oldInbox = await inbox('old', 7, 10);
    const recentInbox = await inbox('recent', 1, 1);

    // Outbox and receipts: old dispatched events go, and their receipts after them; an event a
    // reaction failure still waits on stays, with its receipts (other reactions may get it again).
    const oldEvents = await dispatchedEvents(7, '2 days');
    const [waitedOn] = await dispatchedEvents(1, '2 days');
    const openFailure = await reactionFailure(waitedOn, '2 days', null);
    const [recentEvent] = await dispatchedEvents(1, '1 hour');
    // Every registered reaction's sweep checks the events so far; the two after them are old but unchecked, so they
    // stay with their receipts (a sweep that found them without a receipt would deliver them again).
    const redelivery = testApp.app.get(ReactionRedeliveryService);
    await redelivery.sweepOnce();
    const unchecked = await dispatchedEvents(2, '2 days');
    const [{ slowest, reactions }] = await q(`SELECT min(checked_up_to)::int AS slowest, count(*)::int AS reactions FROM tds_reaction_cursors`);
    expect(reactions).toBeGreaterThan(0);
    const uncheckedIds = await q(`SELECT id::int FROM tds_outbox WHERE event_id = ANY($1::uuid[])`, [unchecked]);
    expect(uncheckedIds.every((r) => r.id > slowest)).toBe(true);
    const oldFailures = [];
    for (const event of oldEvents.slice(0, 5)) oldFailures.push(await reactionFailure(event, '45 days', '40 days'));
    const recentlyResolvedFailure = await reactionFailure(oldEvents[5], '45 days', '5 days');

    const oldMetrics = ids(
      await q(`INSERT INTO tds_metrics (bucket, source, entity_type, received)
               SELECT date_trunc('minute', now() - interval '40 days') + make_interval(mins => g), 'zoho', 'retention-test', 1
               FROM generate_series(1, 8) AS g RETURNING id`),
    );
    const [{ id: keptMetric }] = await q(
      `INSERT INTO tds_metrics (bucket, source, entity_type, received) VALUES (date_trunc('minute', now() - interval '29 days'), 'zoho', 'retention-test', 1) RETURNING id`,
    );
    await q(`INSERT INTO tds_job_runs (job, tick, instance, started_at, outcome)
             SELECT 'test.old', g, 'x', now() - interval '10 days', 'succeeded' FROM generate_series(1, 6) AS g`);
    await q(`INSERT INTO tds_job_runs (job, tick, instance, started_at, outcome) VALUES ('test.old', 7, 'x', now() - interval '6 days', 'succeeded')`);
    const oldAlerts = await alerts('old', 4, 'resolved', '45 days', '40 days');
    const keptAlerts = [
      ...(await alerts('active', 1, 'active', '40 days', null)),
      ...(await alerts('recent', 1, 'resolved', '40 days', '5 days')),
    ];

    // Fresh work keeps arriving and being applied while the retention runs.
    const fresh: TestItem[] = Array.from({ length: 200 }, (_, i) => ({
      entityType: 'product', sourceEntityId: `fresh-${i}`, operation: 'update', version: 1, payload: productPayload(`fresh-${i}`, 1),
    }));
    const db = testApp.app.get(DataSource);
    const enqueue = async () => {
      for (let i = 0; i < fresh.length; i += 40) await insertQueueItems(db, fresh.slice(i, i + 40));
    };
    const [run] = await Promise.all([runJob(testApp.app, 'maintenance.retention'), enqueue()]);

    // Batches of 3: a table with n old rows takes floor(n / 3) + 1 statements, the last one short.
    const batchesFor = (deleted: number) => ({ deleted, batches: Math.floor(deleted / 3) + 1 });
    expect(run).toMatchObject({ outcome: 'succeeded' });
    expect(run.detail).toEqual({
      inbox: batchesFor(8),
      queueItems: batchesFor(11),
      deadLetters: batchesFor(5),
      outbox: batchesFor(7),
      reactionReceipts: batchesFor(7),
      reactionFailures: batchesFor(5),
      metrics: batchesFor(8),
      jobRuns: batchesFor(6),
      alerts: batchesFor(4),
    });

    // The replay still waiting is cancelled (as cancelling its run does), which reopens its dead letter: why it had to
    // stay. Closed, the item also lets the queue drain.
    await q(`UPDATE tds_sync_queue SET status = 'cancelled', completed_at = now() WHERE id = $1`, [pendingReplayItem]);
    await q(`UPDATE tds_dead_letters SET replayed_at = NULL, replayed_by = NULL, replay_queue_item_id = NULL WHERE id = $1 RETURNING id`, [
      pendingReplayDeadLetter,
    ]);

    await waitUntilDrained(db);
    const freshLeft = await q<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM tds_sync_queue WHERE source_entity_id LIKE 'fresh-%' GROUP BY status`,
    );
    expect(freshLeft).toEqual([{ status: 'completed', n: 200 }]);

    const allItems = [
      ...oldFinished, ...recentFinished, openItem, replayItem, replayedItem, oldReplayItem, oldReplayedItem, pendingReplayItem, pendingReplayedItem,
      ...resolvedItems, recentlyResolvedItem,
    ];
    expect((await remainingOf('tds_sync_queue', 'id', allItems)).map(Number).sort((a, b) => a - b)).toEqual(
      [...recentFinished, openItem, replayItem, replayedItem, pendingReplayItem, pendingReplayedItem, recentlyResolvedItem].sort((a, b) => a - b),
    );
    expect((await remainingOf('tds_queue_attempts', 'queue_item_id', [...oldFinished, openItem, ...resolvedItems])).map(Number)).toEqual([openItem]);
    const allDeadLetters = [openDeadLetter, replayedDeadLetter, oldReplayedDeadLetter, pendingReplayDeadLetter, ...resolvedDeadLetters, recentlyResolved];
    expect((await remainingOf('tds_dead_letters', 'id', allDeadLetters)).map(Number).sort((a, b) => a - b)).toEqual(
      [openDeadLetter, replayedDeadLetter, pendingReplayDeadLetter, recentlyResolved].sort((a, b) => a - b),
    );
    const allInbox = [...oldInbox, openInbox, oldReplayInbox, pendingReplayInbox, ...recentInbox];
    expect((await remainingOf('tds_inbox_events', 'id', allInbox)).map(Number).sort((a, b) => a - b)).toEqual(
      [openInbox, pendingReplayInbox, ...recentInbox].sort((a, b) => a - b),
    );
    const allEvents = [...oldEvents, waitedOn, recentEvent, ...unchecked];
    expect((await remainingOf('tds_outbox', 'event_id', allEvents, 'uuid')).sort()).toEqual([waitedOn, recentEvent, ...unchecked].sort());
    expect((await remainingOf('tds_reaction_receipts', 'event_id', allEvents, 'uuid')).sort()).toEqual([waitedOn, recentEvent, ...unchecked].sort());
    expect((await remainingOf('tds_reaction_failures', 'id', [...oldFailures, recentlyResolvedFailure, openFailure])).map(Number).sort((a, b) => a - b)).toEqual(
      [recentlyResolvedFailure, openFailure].sort((a, b) => a - b),
    );
    expect((await remainingOf('tds_metrics', 'id', [...oldMetrics, keptMetric])).map(Number)).toEqual([Number(keptMetric)]);
    expect(await q(`SELECT tick::int FROM tds_job_runs WHERE job = 'test.old'`)).toEqual([{ tick: 7 }]);
    expect((await remainingOf('tds_alerts', 'id', [...oldAlerts, ...keptAlerts])).map(Number).sort((a, b) => a - b)).toEqual(keptAlerts);

    // The fresh work's own rows (outbox events, receipts, metrics) are all recent: a second run finds nothing.
    const again = await runJob(testApp.app, 'maintenance.retention');
    expect(Object.values(again.detail!).map((t: any) => t.deleted)).toEqual(Array(9).fill(0));

    // The sweeps check the two events, but one registered reaction has no cursor (as a reaction added by a
    // deploy, before its first sweep): it has checked nothing, so nothing is deleted.
    await redelivery.sweepOnce();
    const [{ reaction }] = await q(`DELETE FROM tds_reaction_cursors WHERE reaction = (SELECT min(reaction) FROM tds_reaction_cursors) RETURNING reaction`);
    expect(await runJob(testApp.app, 'maintenance.retention')).toMatchObject({ detail: { outbox: { deleted: 0 }, reactionReceipts: { deleted: 0 } } });
    expect((await remainingOf('tds_outbox', 'event_id', unchecked, 'uuid')).sort()).toEqual([...unchecked].sort());
    // Once it has swept, they go, receipts after them.
    await redelivery.sweepOnce();
    expect(await q(`SELECT count(*)::int AS n FROM tds_reaction_cursors WHERE reaction = $1`, [reaction])).toEqual([{ n: 1 }]);
    expect(await runJob(testApp.app, 'maintenance.retention')).toMatchObject({
      detail: { outbox: { deleted: 2 }, reactionReceipts: { deleted: 2 } },
    });
    expect(await remainingOf('tds_outbox', 'event_id', unchecked, 'uuid')).toEqual([]);
  });

  it('the retry job replays transient dead letters past the wait and under the limit, and no others', async () => {
    const product = (id: string) => ({ entityType: 'product', sourceEntityId: id, payload: productPayload(id, 1) });
    const due = [
      await deadLetter({ ...product('retry-due-1'), createdAgo: '2 hours', transient: true }),
      await deadLetter({ ...product('retry-due-2'), createdAgo: '3 hours', transient: true, autoReplays: 2 }),
    ];
    const notDue = {
      permanent: await deadLetter({ ...product('retry-permanent'), createdAgo: '2 hours', transient: false }),
      atLimit: await deadLetter({ ...product('retry-at-limit'), createdAgo: '2 hours', transient: true, autoReplays: 3 }),
      young: await deadLetter({ ...product('retry-young'), createdAgo: '10 minutes', transient: true }),
      resolved: await deadLetter({ ...product('retry-resolved'), createdAgo: '2 hours', resolvedAgo: '1 hour', transient: true }),
    };

    const run = await runJob(testApp.app, 'maintenance.retry');
    expect(run).toMatchObject({ outcome: 'succeeded', detail: { deadLetters: { replayed: 2, skipped: 0 } } });
    const { deadLetters, reactionsRedelivered } = run.detail as any;
    expect(typeof reactionsRedelivered).toBe('number');
    // One replay run per batch (TDS_DLQ_AUTO_RETRY_BATCH_SIZE=1).
    expect(deadLetters.syncRunIds).toHaveLength(2);
    const runs = await q(`SELECT id::int, kind, total FROM tds_sync_runs WHERE id = ANY($1::bigint[]) ORDER BY id`, [deadLetters.syncRunIds]);
    expect(runs).toEqual(deadLetters.syncRunIds.map((id: number) => ({ id, kind: 'replay', total: 1 })));

    const replayed = await q(
      `SELECT d.id::int, d.replayed_by, q.source_entity_id, q.sync_run_id::int AS run
       FROM tds_dead_letters d JOIN tds_sync_queue q ON q.id = d.replay_queue_item_id
       WHERE d.id = ANY($1::bigint[]) ORDER BY d.created_at`,
      [[...due, ...Object.values(notDue)]],
    );
    expect(replayed.map((r) => [r.id, r.replayed_by, r.source_entity_id])).toEqual([
      [due[1], RETRY_JOB_ACTOR, 'retry-due-2'],
      [due[0], RETRY_JOB_ACTOR, 'retry-due-1'],
    ]);
    expect(replayed.map((r) => r.run).sort()).toEqual([...deadLetters.syncRunIds].sort());
    // The replays are ordinary queue items: the workers apply them.
    await eventually(async () => {
      const statuses = await q(`SELECT status FROM tds_sync_queue WHERE source_entity_id IN ('retry-due-1', 'retry-due-2')`);
      expect(statuses).toEqual([{ status: 'completed' }, { status: 'completed' }]);
    });

    const untouched = await q(`SELECT count(*)::int AS n FROM tds_dead_letters WHERE id = ANY($1::bigint[]) AND replayed_at IS NULL`, [Object.values(notDue)]);
    expect(untouched).toEqual([{ n: 4 }]);
    // Nothing is due any more.
    expect(await runJob(testApp.app, 'maintenance.retry')).toMatchObject({ detail: { deadLetters: { replayed: 0, skipped: 0, syncRunIds: [] } } });
  });

  it('the roll-up folds each past minute into one row with the sums and the max, and leaves recent minutes alone', async () => {
    // Buckets are named by the database's minute: a test begun in a minute's last seconds would
    // write one group across two minutes, so it waits for the next one (it takes a few seconds).
    const [{ left }] = await q(`SELECT extract(epoch FROM date_trunc('minute', now()) + interval '1 minute' - now())::float8 AS left`);
    if (Number(left) < 15) await new Promise((resolve) => setTimeout(resolve, Number(left) * 1000 + 500));
    const insert = (bucket: string, source: string, values: Record<string, number | boolean>) =>
      q(
        `INSERT INTO tds_metrics (bucket, source, entity_type, ${Object.keys(values).join(', ')})
         VALUES (${bucket}, $1, 'rollup-test', ${Object.keys(values).map((_, i) => `$${i + 2}`).join(', ')}) RETURNING id`,
        [source, ...Object.values(values)],
      );
    const tenMinutesAgo = `date_trunc('minute', now()) - interval '10 minutes'`;
    await insert(tenMinutesAgo, 'zoho', { received: 1, applied: 2, latency_sum_ms: 10, latency_max_ms: 7 });
    await insert(tenMinutesAgo, 'zoho', { received: 3, failed: 1, retried: 1, latency_sum_ms: 5, latency_max_ms: 9 });
    await insert(tenMinutesAgo, 'zoho', { unchanged: 4, superseded: 5, dead_lettered: 1, latency_sum_ms: 1, latency_max_ms: 2 });
    const [{ id: lone }] = await insert(tenMinutesAgo, 'other', { received: 6 });
    const [{ id: alreadyRolled }] = await insert(`date_trunc('minute', now()) - interval '20 minutes'`, 'zoho', { received: 9, rolled_up: true });
    const recent = [
      ...(await insert(`date_trunc('minute', now())`, 'zoho', { received: 1 })),
      ...(await insert(`date_trunc('minute', now())`, 'zoho', { received: 2 })),
      ...(await insert(`date_trunc('minute', now()) - interval '1 minute'`, 'zoho', { received: 3 })),
      ...(await insert(`date_trunc('minute', now()) - interval '1 minute'`, 'zoho', { received: 4 })),
    ].map((r) => Number(r.id));

    const rows = () =>
      q(
        `SELECT id::int, round(extract(epoch FROM date_trunc('minute', now()) - bucket) / 60)::int AS "minutesAgo", source,
                received, applied, unchanged, superseded, failed, retried, dead_lettered, latency_sum_ms::int, latency_max_ms::int, rolled_up
         FROM tds_metrics WHERE entity_type = 'rollup-test' ORDER BY bucket, source, id`,
      );
    const run = await runJob(testApp.app, 'maintenance.metrics-rollup');
    expect(run).toMatchObject({ outcome: 'succeeded' });
    const after = await rows();
    expect(after.filter((r) => r.minutesAgo >= 10)).toEqual([
      { id: Number(alreadyRolled), minutesAgo: 20, source: 'zoho', received: 9, applied: 0, unchanged: 0, superseded: 0, failed: 0, retried: 0, dead_lettered: 0, latency_sum_ms: 0, latency_max_ms: 0, rolled_up: true },
      { id: expect.any(Number), minutesAgo: 10, source: 'other', received: 6, applied: 0, unchanged: 0, superseded: 0, failed: 0, retried: 0, dead_lettered: 0, latency_sum_ms: 0, latency_max_ms: 0, rolled_up: true },
      { id: expect.any(Number), minutesAgo: 10, source: 'zoho', received: 4, applied: 2, unchanged: 4, superseded: 5, failed: 1, retried: 1, dead_lettered: 1, latency_sum_ms: 16, latency_max_ms: 9, rolled_up: true },
    ]);
    expect(after.find((r) => r.source === 'other')!.id).not.toBe(Number(lone));
    // The current and the previous minute may still be written to.
    expect(after.filter((r) => r.minutesAgo < 10).map((r) => [r.id, r.rolled_up]).sort()).toEqual(recent.map((id) => [id, false]).sort());

    // Folded groups are left as they are by the next run, not even rewritten (their ids stay).
    expect(await runJob(testApp.app, 'maintenance.metrics-rollup')).toMatchObject({ outcome: 'succeeded' });
    expect((await rows()).filter((r) => r.minutesAgo >= 10)).toEqual(after.filter((r) => r.minutesAgo >= 10));

    // A late delta for a folded group is folded with the group's rolled-up row; the other groups stay as they are.
    await insert(tenMinutesAgo, 'zoho', { received: 2, latency_max_ms: 11 });
    expect(await runJob(testApp.app, 'maintenance.metrics-rollup')).toMatchObject({ outcome: 'succeeded' });
    const late = (await rows()).filter((r) => r.minutesAgo >= 10);
    expect(late.filter((r) => r.source !== 'zoho' || r.minutesAgo !== 10)).toEqual(
      after.filter((r) => r.minutesAgo >= 10 && (r.source !== 'zoho' || r.minutesAgo !== 10)),
    );
    expect(late.filter((r) => r.source === 'zoho' && r.minutesAgo === 10)).toEqual([
      { ...after.find((r) => r.source === 'zoho' && r.minutesAgo === 10), id: expect.any(Number), received: 6, latency_max_ms: 11 },
    ]);
  });
});
