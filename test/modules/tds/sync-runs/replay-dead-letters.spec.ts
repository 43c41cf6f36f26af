import { CommandBus } from '@nestjs/cqrs';
import { Client } from 'pg';
import { RETRY_JOB_ACTOR } from '../../../../src/modules/tds/domain/queue-item.js';
import { MIXED_SOURCE } from '../../../../src/modules/tds/commands/replay-dead-letters/replay-dead-letters.handler.js';
import {
  ReplayDeadLetterCommand,
  ReplayDeadLettersCommand,
  ResolveDeadLetterCommand,
} from '../../../../src/modules/tds/public.js';
import type { ReplayDeadLettersResult } from '../../../../src/modules/tds/public.js';
import { rows } from '../../../support/queue-fixtures.js';
import { describePostgres } from '../../../support/test-database.js';
import {
  cancelRun,
  drain,
  enqueue,
  failPermanently,
  getRun,
  itemStatuses,
  makeDeadLetters,
  newCustomer,
  newProducts,
  runEvents,
  useSyncRunApp,
} from './sync-run-test-kit.js';

const OPERATOR = 'operator:0123456789ab';

describePostgres('replaying dead letters in bulk as a replay run', () => {
  const suite = useSyncRunApp();

  const replay = (ids: number[], by = OPERATOR) =>
    suite.app.get(CommandBus).execute<ReplayDeadLettersCommand, ReplayDeadLettersResult>(new ReplayDeadLettersCommand(ids, by));

  const deadLetters = (items: { sourceEntityId: string }[], source?: string) => makeDeadLetters(suite, items, source);

  it('queues every open dead letter as an item of one replay run, which completes as they are applied', async () => {
    const items = newProducts(5);
    const ids = await deadLetters(items);

    const result = await replay(ids);
    expect(result.syncRunId).toEqual(expect.any(Number));
    expect(result.skipped).toEqual([]);
    expect(result.replayed.map((r) => r.deadLetterId)).toEqual(ids);
    const syncRunId = result.syncRunId!;

    expect(await getRun(suite.app, syncRunId)).toMatchObject({
      kind: 'replay',
      source: 'zoho',
      entityType: 'product',
      status: 'running',
      total: 5,
      processed: 0,
    });
    const queued = await rows<{ id: number; sync_run_id: number; status: string; attempt: number; source_entity_id: string; payload: unknown }>(
      suite.db,
      `SELECT id, sync_run_id, status, attempt, source_entity_id, payload FROM tds_sync_queue WHERE id = ANY ($1::bigint[]) ORDER BY id`,
      [result.replayed.map((r) => r.queueItemId)],
    );
    expect(queued.map((q) => q.id)).toEqual(result.replayed.map((r) => r.queueItemId));
    queued.forEach((q, i) => {
      expect(q).toMatchObject({ sync_run_id: syncRunId, status: 'pending', attempt: 0, source_entity_id: items[i].sourceEntityId });
      expect(q.payload).toEqual(items[i].payload);
    });

    const marked = await rows<{ id: number; replayed_by: string; replay_queue_item_id: number; replayed_at: Date | null }>(
      suite.db,
      `SELECT id, replayed_by, replay_queue_item_id, replayed_at FROM tds_dead_letters WHERE id = ANY ($1::bigint[]) ORDER BY id`,
      [ids],
    );
    expect(marked.map((d) => [d.id, d.replay_queue_item_id, d.replayed_by])).toEqual(
      result.replayed.map((r) => [r.deadLetterId, r.queueItemId, OPERATOR]),
    );
    marked.forEach((d) => expect(d.replayed_at).toBeInstanceOf(Date));

    const replayedEvents = await rows<{ correlation_id: string; causation_id: string; payload: unknown }>(
      suite.db,
      `SELECT correlation_id, causation_id, payload FROM tds_outbox
       WHERE event_type = 'tds.deadletter.replayed' AND (payload ->> 'deadLetterId')::bigint = ANY ($1::bigint[]) ORDER BY id`,
      [ids],
    );
    expect(replayedEvents).toEqual(
      result.replayed.map((r) => ({
        correlation_id: `sync-run:${syncRunId}`,
        causation_id: `dead-letter:${r.deadLetterId}`,
        payload: { deadLetterId: r.deadLetterId, queueItemId: r.queueItemId, replayedBy: OPERATOR },
      })),
    );
    const [started] = await runEvents(suite.db, syncRunId);
    expect(started).toMatchObject({
      eventType: 'tds.sync.started',
      payload: { syncRunId, kind: 'replay', source: 'zoho', entityType: 'product', total: 5 },
    });

    expect(await drain(suite.app)).toEqual([5]);
    expect(await getRun(suite.app, syncRunId)).toMatchObject({ status: 'completed', processed: 5, succeeded: 5, failed: 0, progress: 1 });
    expect((await runEvents(suite.db, syncRunId)).map((e) => e.eventType)).toEqual(['tds.sync.started', 'tds.sync.completed']);
  });

  it('skips dead letters that are resolved, replayed, unknown or listed twice; replays nothing when none is open', async () => {
    const ids = await deadLetters(newProducts(4));
    await suite.app.get(CommandBus).execute(new ResolveDeadLetterCommand(ids[0], OPERATOR, 'fixed by hand'));
    await suite.app.get(CommandBus).execute(new ReplayDeadLetterCommand(ids[1], OPERATOR));

    const result = await replay([ids[3], ids[0], 999_999, ids[1], ids[2], ids[3]]);
    expect(result.replayed.map((r) => r.deadLetterId)).toEqual([ids[2], ids[3]]);
    expect(result.skipped).toEqual([ids[0], 999_999, ids[1]]);
    expect(await getRun(suite.app, result.syncRunId!)).toMatchObject({ kind: 'replay', total: 2 });

    const [before] = await rows<{ n: number }>(suite.db, `SELECT count(*)::int AS n FROM tds_sync_runs`);
    expect(await replay(ids)).toEqual({ syncRunId: null, replayed: [], skipped: ids });
    expect(await replay([])).toEqual({ syncRunId: null, replayed: [], skipped: [] });
    const [after] = await rows<{ n: number }>(suite.db, `SELECT count(*)::int AS n FROM tds_sync_runs`);
    expect(after.n).toBe(before.n);
    await drain(suite.app);
  });

  it('replays each dead letter once when two bulk replays of the same ids run at the same time', async () => {
    const ids = await deadLetters(newProducts(30));
    const [first, second] = await Promise.all([replay(ids), replay([...ids].reverse())]);

    const replayedIds = [...first.replayed, ...second.replayed].map((r) => r.deadLetterId);
    expect([...replayedIds].sort((a, b) => a - b)).toEqual(ids);
    // What one replayed, the other skipped.
    expect([...first.skipped].sort((a, b) => a - b)).toEqual(second.replayed.map((r) => r.deadLetterId));
    expect([...second.skipped].sort((a, b) => a - b)).toEqual(first.replayed.map((r) => r.deadLetterId));
    const [queued] = await rows<{ n: number }>(
      suite.db,
      `SELECT count(*)::int AS n FROM tds_sync_queue q JOIN tds_dead_letters d ON d.replay_queue_item_id = q.id WHERE d.id = ANY ($1::bigint[])`,
      [ids],
    );
    expect(queued.n).toBe(30);
    const runs = [first, second].filter((r) => r.syncRunId !== null);
    let total = 0;
    for (const r of runs) total += (await getRun(suite.app, r.syncRunId!)).total;
    expect(total).toBe(30);
    await drain(suite.app);
  });

  it('skips a dead letter another transaction holds instead of waiting for it', async () => {
    const ids = await deadLetters(newProducts(3));
    const other = new Client({ connectionString: suite.database.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT id FROM tds_dead_letters WHERE id = $1 FOR UPDATE`, [ids[1]]);
      const result = await replay(ids);
      expect(result.replayed.map((r) => r.deadLetterId)).toEqual([ids[0], ids[2]]);
      expect(result.skipped).toEqual([ids[1]]);
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }
    expect((await replay([ids[1]])).replayed.map((r) => r.deadLetterId)).toEqual([ids[1]]);
    await drain(suite.app);
  });

  it('files dead letters of several sources and entity types under a mixed run', async () => {
    const fromZoho = await deadLetters(newProducts(1));
    const fromErp = await deadLetters([newCustomer()], 'erp');
    const result = await replay([...fromZoho, ...fromErp]);
    expect(await getRun(suite.app, result.syncRunId!)).toMatchObject({ source: MIXED_SOURCE, entityType: null, total: 2 });
    const items = await rows<{ source: string }>(
      suite.db,
      `SELECT source FROM tds_sync_queue WHERE id = ANY ($1::bigint[]) ORDER BY id`,
      [result.replayed.map((r) => r.queueItemId)],
    );
    expect(items.map((i) => i.source)).toEqual(['zoho', 'erp']);
    await drain(suite.app);
    expect(await getRun(suite.app, result.syncRunId!)).toMatchObject({ status: 'completed', succeeded: 2 });
  });

  it("closes a replay run whose items fail again as failed; the retry job's replays are counted on the new dead letters", async () => {
    const items = newProducts(2);
    const ids = await deadLetters(items);
    failPermanently(suite.app, items);
    const { syncRunId } = await replay(ids, RETRY_JOB_ACTOR);
    await drain(suite.app);

    expect(await getRun(suite.app, syncRunId!)).toMatchObject({ status: 'failed', processed: 2, failed: 2, succeeded: 0 });
    expect(await itemStatuses(suite.db, syncRunId!)).toEqual({ dead_letter: 2 });
    expect((await runEvents(suite.db, syncRunId!)).map((e) => e.eventType)).toEqual(['tds.sync.started', 'tds.sync.failed']);
    const again = await rows<{ auto_replays: number; sync_run_id: number }>(
      suite.db,
      `SELECT d.auto_replays, d.sync_run_id FROM tds_dead_letters d JOIN tds_sync_queue q ON q.id = d.queue_item_id
       WHERE q.sync_run_id = $1`,
      [syncRunId],
    );
    expect(again).toEqual([
      { auto_replays: 1, sync_run_id: syncRunId },
      { auto_replays: 1, sync_run_id: syncRunId },
    ]);
  });

  it('gives the dead letters of a cancelled replay back to the dead-letter queue, open and replayable', async () => {
    const ids = await deadLetters(newProducts(3));
    const { syncRunId } = await replay(ids);
    expect((await cancelRun(suite.app, syncRunId!)).statusCode).toBe(200);

    expect(await itemStatuses(suite.db, syncRunId!)).toEqual({ cancelled: 3 });
    const letters = await rows<{ replayed_at: Date | null; replay_queue_item_id: number | null }>(
      suite.db,
      `SELECT replayed_at, replay_queue_item_id FROM tds_dead_letters WHERE id = ANY ($1::bigint[])`,
      [ids],
    );
    expect(letters).toEqual(ids.map(() => ({ replayed_at: null, replay_queue_item_id: null })));

    const again = await replay(ids);
    expect(again.replayed.map((r) => r.deadLetterId)).toEqual(ids);
    await drain(suite.app);
    expect(await getRun(suite.app, again.syncRunId!)).toMatchObject({ status: 'completed', succeeded: 3 });
  });

  it("counts a cancelled replay of the retry job as one of its automatic replays; an operator's counts nothing", async () => {
    const ids = await deadLetters(newProducts(4));
    const byJob = ids.slice(0, 2);
    const byOperator = ids.slice(2);
    const letters = () =>
      rows<{ id: number; replayed_at: Date | null; replayed_by: string | null; replay_queue_item_id: number | null; auto_replays: number }>(
        suite.db,
        `SELECT id, replayed_at, replayed_by, replay_queue_item_id, auto_replays FROM tds_dead_letters WHERE id = ANY ($1::bigint[]) ORDER BY id`,
        [ids],
      );
    const reopened = (autoReplays: (id: number) => number) =>
      ids.map((id) => ({ id, replayed_at: null, replayed_by: null, replay_queue_item_id: null, auto_replays: autoReplays(id) }));

    const jobRun = await replay(byJob, RETRY_JOB_ACTOR);
    const operatorRun = await replay(byOperator);
    expect((await cancelRun(suite.app, jobRun.syncRunId!)).statusCode).toBe(200);
    expect((await cancelRun(suite.app, operatorRun.syncRunId!)).statusCode).toBe(200);
    expect(await letters()).toEqual(reopened((id) => (byJob.includes(id) ? 1 : 0)));

    // Every cancelled replay of the job counts: its "at most N times" is kept across cancels.
    const again = await replay(byJob, RETRY_JOB_ACTOR);
    expect(again.replayed.map((r) => r.deadLetterId)).toEqual(byJob);
    expect((await cancelRun(suite.app, again.syncRunId!)).statusCode).toBe(200);
    expect(await letters()).toEqual(reopened((id) => (byJob.includes(id) ? 2 : 0)));
    expect(await drain(suite.app)).toEqual([]);
  });
});
