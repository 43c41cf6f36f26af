import { Injectable, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { EventsHandler } from '@nestjs/cqrs';
import type { IEventHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { TdsEntitiesSyncedEvent, TdsEntitySyncedEvent } from '../../../../src/modules/tds/public.js';
import type { EntityChange } from '../../../../src/modules/tds/public.js';
import { ReactionRedeliveryService } from '../../../../src/modules/tds/reactions/reaction-redelivery.service.js';
import { DurableReactions } from '../../../../src/shared/reactions/durable-reactions.js';
import { createTestApp, type TestApp } from '../../../support/create-test-app.js';
import { insertQueueItems, productPayload, rows, waitUntilDrained, type TestItem } from '../../../support/queue-fixtures.js';
import { eventually } from '../../../support/spawn-app.js';
import { describeEachBackend } from '../../../support/test-database.js';

/** What the probe reactions should do, per source entity id. */
@Injectable()
class ProbeRules {
  /** Fails until this many failed attempts are recorded for the event, then succeeds. */
  readonly failTimes = new Map<string, number>();
  readonly alwaysFail = new Set<string>();
}

/** A durable reaction whose effect is one row per change it handled: effects can be counted. */
function probeReaction(name: string, obeysRules: boolean) {
  @EventsHandler(TdsEntitiesSyncedEvent)
  class ProbeReaction implements IEventHandler<TdsEntitiesSyncedEvent>, OnModuleInit {
    constructor(
      readonly reactions: DurableReactions,
      readonly rules: ProbeRules,
    ) {}

    onModuleInit(): void {
      this.reactions.register({ name, eventTypes: TdsEntitySyncedEvent.types, entityTypes: ['product'] });
    }

    handle(event: TdsEntitiesSyncedEvent): Promise<void> {
      const relevant = event.changes.filter((change) => change.entityType === 'product');
      return this.reactions.run(name, relevant, async (tx, fresh: EntityChange[]) => {
        for (const change of fresh) {
          const id = change.sourceEntityId;
          if (obeysRules && this.rules.alwaysFail.has(id)) throw new Error(`${id} always fails`);
          const times = obeysRules ? (this.rules.failTimes.get(id) ?? 0) : 0;
          if (times > 0) {
            // Counted by recorded attempts, not by calls: a failing batch is retried in halves within one delivery.
            // The latest failure row: this transaction's receipt claim has just marked it resolved (undone if this fails).
            const [recorded] = await tx.query(
              `SELECT attempts FROM tds_reaction_failures WHERE reaction = $1 AND event_id = $2 ORDER BY id DESC LIMIT 1`,
              [name, change.eventId],
            );
            if ((recorded?.attempts ?? 0) < times) throw new Error(`${id} fails (${recorded?.attempts ?? 0} failures so far)`);
          }
        }
        await tx.query(
          `INSERT INTO test_reaction_effects (reaction, event_id, source_entity_id) SELECT $1, e, s FROM unnest($2::uuid[], $3::text[]) AS x (e, s)`,
          [name, fresh.map((c) => c.eventId), fresh.map((c) => c.sourceEntityId)],
        );
      });
    }
  }
  return ProbeReaction;
}

@Module({ providers: [ProbeRules, probeReaction('test.flaky', true), probeReaction('test.steady', false)] })
class ProbeModule {}

const ENV = {
  TDS_API_KEYS: 'admin:reactions-admin-key-0123456789',
  TDS_POLL_INTERVAL_MS: '50',
  TDS_OUTBOX_POLL_INTERVAL_MS: '50',
  TDS_REACTION_BACKOFF_BASE_MS: '20',
  TDS_REACTION_BACKOFF_CAP_MS: '100',
  TDS_REACTION_MAX_ATTEMPTS: '4',
  TDS_REACTION_SWEEP_INTERVAL_MS: '100',
  TDS_REACTION_REDELIVER_AFTER_MS: '500',
};

const item = (id: string, version: number): TestItem => ({
  entityType: 'product',
  sourceEntityId: id,
  operation: 'update',
  version,
  payload: productPayload(id, version),
});

describeEachBackend('durable reactions', (backend) => {
  let testApp: TestApp;
  let db: DataSource;
  let rules: ProbeRules;

  const effects = (reaction: string, id: string) =>
    rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM test_reaction_effects WHERE reaction = $1 AND source_entity_id = $2`, [reaction, id]).then(
      ([row]) => row.n,
    );
  const failures = (reaction: string, id: string) =>
    rows<{ attempts: number; resolved: boolean; exhausted: boolean }>(
      db,
      `SELECT f.attempts, f.resolved_at IS NOT NULL AS resolved, f.exhausted_at IS NOT NULL AS exhausted
       FROM tds_reaction_failures f JOIN tds_outbox o ON o.event_id = f.event_id
       WHERE f.reaction = $1 AND o.payload ->> 'sourceEntityId' = $2`,
      [reaction, id],
    );

  beforeAll(async () => {
    testApp = await createTestApp({ ...backend.env, ...ENV }, { imports: [ProbeModule] });
    db = testApp.app.get(DataSource);
    rules = testApp.app.get(ProbeRules);
    await db.query(`CREATE TABLE test_reaction_effects (reaction text, event_id uuid, source_entity_id text)`);
  });
  afterAll(async () => {
    await testApp?.close();
    await backend.cleanup();
  });

  it('a reaction that fails 3 times then succeeds: applied once, its failures recorded and resolved; the other reaction unaffected', async () => {
    rules.failTimes.set('flaky-1', 3);
    await insertQueueItems(db, [item('flaky-1', 1), item('calm-1', 1), item('calm-2', 1)]);
    await waitUntilDrained(db);
    await eventually(async () => expect(await effects('test.flaky', 'flaky-1')).toBe(1), 30_000);
    expect(await failures('test.flaky', 'flaky-1')).toEqual([{ attempts: 3, resolved: true, exhausted: false }]);
    // Its batch-mates were not held back by it, and nothing happened twice.
    for (const id of ['calm-1', 'calm-2']) {
      expect(await effects('test.flaky', id)).toBe(1);
      expect(await failures('test.flaky', id)).toEqual([]);
    }
    for (const id of ['flaky-1', 'calm-1', 'calm-2']) expect(await effects('test.steady', id)).toBe(1);
  });

  it('a reaction that always fails is given up on after max attempts and stays visible; the handler still serves the next event', async () => {
    rules.alwaysFail.add('doomed-1');
    await insertQueueItems(db, [item('doomed-1', 1), item('fine-1', 1)]);
    await waitUntilDrained(db);
    await eventually(async () => expect(await failures('test.flaky', 'doomed-1')).toEqual([{ attempts: 4, resolved: false, exhausted: true }]), 30_000);
    expect(await effects('test.flaky', 'doomed-1')).toBe(0);
    expect(await effects('test.flaky', 'fine-1')).toBe(1);
    expect(await effects('test.steady', 'doomed-1')).toBe(1);

    const res = await testApp.app.inject({ method: 'GET', url: '/api/tds/reaction-failures?exhausted=true', headers: { authorization: 'Bearer reactions-admin-key-0123456789' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({ reaction: 'test.flaky', eventType: 'tds.entity.create', attempts: 4, lastError: 'Error: doomed-1 always fails', exhaustedAt: expect.any(String) }),
    ]);

    // Exhausted means no more attempts: sweeps deliver nothing and change nothing.
    const sweep = testApp.app.get(ReactionRedeliveryService);
    for (let i = 0; i < 3; i++) expect(await sweep.sweepOnce()).toBe(0);
    expect(await failures('test.flaky', 'doomed-1')).toEqual([{ attempts: 4, resolved: false, exhausted: true }]);

    await insertQueueItems(db, [item('after-1', 1)]);
    await eventually(async () => expect(await effects('test.flaky', 'after-1')).toBe(1), 30_000);
  });

  it('an event dispatched without reaching a reaction (e.g. published just before a crash) is delivered again by the sweep', async () => {
    // As if the relay had published it and died before the reactions ran: dispatched, no receipt, no failure.
    await db.query(
      `INSERT INTO tds_outbox (event_type, causation_id, payload, created_at, dispatched_at)
       VALUES ('tds.entity.create', 'queue-item:0', $1, now() - interval '1 hour', now() - interval '1 hour')`,
      [
        JSON.stringify({
          source: 'zoho', entityType: 'product', sourceEntityId: 'lost-1', operation: 'create', version: 1, queueItemId: 0,
          changes: {}, data: productPayload('lost-1', 1),
        }),
      ],
    );
    await eventually(async () => {
      expect(await effects('test.flaky', 'lost-1')).toBe(1);
      expect(await effects('test.steady', 'lost-1')).toBe(1);
    }, 30_000);
  });

  it('replaying the whole outbox twice changes nothing', async () => {
    const before = await rows(db, `SELECT reaction, source_entity_id, count(*)::int AS n FROM test_reaction_effects GROUP BY 1, 2 ORDER BY 1, 2`);
    for (let replay = 0; replay < 2; replay++) {
      await db.query(`UPDATE tds_outbox SET dispatched_at = NULL`);
      await eventually(async () => {
        const [{ n }] = await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM tds_outbox WHERE dispatched_at IS NULL`);
        expect(n).toBe(0);
      }, 30_000);
      await testApp.app.get(DurableReactions).settled();
    }
    expect(await rows(db, `SELECT reaction, source_entity_id, count(*)::int AS n FROM test_reaction_effects GROUP BY 1, 2 ORDER BY 1, 2`)).toEqual(before);
  });
});
