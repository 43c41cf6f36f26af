import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandBus } from '@nestjs/cqrs';
import { AcknowledgeAlertCommand, EvaluateAlertsCommand } from '../../../../src/modules/tds/public.js';
import type { AlertView, EvaluateAlertsResult } from '../../../../src/modules/tds/public.js';
import { insertQueueItems, productPayload, rows } from '../../../support/queue-fixtures.js';
import type { Db } from '../../../support/queue-fixtures.js';

/** No workers and no job timers in these tests (evaluations are sent through the CommandBus); a configured key keeps boot quiet. */
export const ALERT_TEST_ENV = {
  TDS_API_KEYS: 'admin:alerts-test-key-0123456789',
  TDS_WORKERS_ENABLED: 'false',
  TDS_JOBS_ENABLED: 'false',
};

export function evaluate(app: NestFastifyApplication): Promise<EvaluateAlertsResult> {
  return app.get(CommandBus).execute(new EvaluateAlertsCommand());
}

export function acknowledge(app: NestFastifyApplication, alertId: number, by: string): Promise<AlertView> {
  return app.get(CommandBus).execute(new AcknowledgeAlertCommand(alertId, by));
}

export interface AlertRow {
  id: number;
  rule: string;
  severity: string;
  status: string;
  entityType: string | null;
  message: string;
  actual: Record<string, unknown>;
  lastNotifiedAt: Date | null;
  resolvedAt: Date | null;
}

const ALERT_COLUMNS = `id, rule, severity, status, entity_type AS "entityType", message, actual,
  last_notified_at AS "lastNotifiedAt", resolved_at AS "resolvedAt"`;

/** Every alert ever opened for the fingerprint, oldest first. */
export const alertsOf = (db: Db, fingerprint: string) =>
  rows<AlertRow>(db, `SELECT ${ALERT_COLUMNS} FROM tds_alerts WHERE fingerprint = $1 ORDER BY id`, [fingerprint]);

export const alertById = async (db: Db, id: number) =>
  (await rows<AlertRow>(db, `SELECT ${ALERT_COLUMNS} FROM tds_alerts WHERE id = $1`, [id]))[0];

/** The outbox payloads of one alert's events of a type, in order. */
export const eventsOf = (db: Db, type: 'tds.alert.triggered' | 'tds.alert.acknowledged', alertId: number) =>
  rows<{ payload: Record<string, unknown> }>(
    db,
    `SELECT payload FROM tds_outbox WHERE event_type = $1 AND (payload ->> 'alertId')::bigint = $2 ORDER BY id`,
    [type, alertId],
  ).then((found) => found.map((row) => row.payload));

/** `n` queue items waiting; optionally due since `dueSecondsAgo`. Returns their ids. */
export async function waitingItems(db: Db, n: number, dueSecondsAgo = 0): Promise<number[]> {
  const ids = await insertQueueItems(
    db,
    Array.from({ length: n }, (_, i) => ({
      entityType: 'product',
      sourceEntityId: `alert-${Date.now()}-${i}`,
      operation: 'update' as const,
      version: 1,
      payload: productPayload(`alert-${i}`, 1),
    })),
  );
  if (dueSecondsAgo > 0) {
    await db.query(`UPDATE tds_sync_queue SET next_attempt_at = now() - make_interval(secs => $2) WHERE id = ANY ($1::bigint[])`, [ids, dueSecondsAgo]);
  }
  return ids;
}

export const completeItems = (db: Db, ids: number[]) =>
  db.query(`UPDATE tds_sync_queue SET status = 'completed', completed_at = now() WHERE id = ANY ($1::bigint[])`, [ids]);

/** One metric delta row, `minutesAgo` minutes before the current minute. */
export function metricRow(db: Db, entityType: string, counts: Partial<Record<'received' | 'applied' | 'unchanged' | 'failed', number>>, minutesAgo = 0) {
  return db.query(
    `INSERT INTO tds_metrics (bucket, source, entity_type, received, applied, unchanged, failed)
     VALUES (date_trunc('minute', now()) - make_interval(mins => $6), 'zoho', $1, $2, $3, $4, $5)`,
    [entityType, counts.received ?? 0, counts.applied ?? 0, counts.unchanged ?? 0, counts.failed ?? 0, minutesAgo],
  );
}

export async function deadLetters(db: Db, n: number): Promise<number[]> {
  const inserted = await rows<{ id: number }>(
    db,
    `INSERT INTO tds_dead_letters (queue_item_id, source, entity_type, source_entity_id, operation, version, failure_reason, error_code, attempts, last_payload)
     SELECT g, 'zoho', 'invoice', 'inv-' || g, 'update', 1, 'broken', 'VALIDATION', 5, '{}'::jsonb FROM generate_series(1, $1) AS g
     RETURNING id`,
    [n],
  );
  return inserted.map((row) => Number(row.id));
}

export async function reactionFailures(db: Db, n: number, exhausted = false): Promise<number[]> {
  const inserted = await rows<{ id: number }>(
    db,
    `INSERT INTO tds_reaction_failures (reaction, event_id, event_type, attempts, last_error, next_attempt_at, exhausted_at)
     SELECT 'test.reaction', gen_random_uuid(), 'tds.entity.update', 1, 'Error: boom', now() + interval '1 hour',
            CASE WHEN $2 THEN now() END
     FROM generate_series(1, $1)
     RETURNING id`,
    [n, exhausted],
  );
  return inserted.map((row) => Number(row.id));
}

/** Back to a healthy state: no waiting work, metrics, dead letters or failures, the outbox relayed, no alert. */
export async function healthy(db: Db): Promise<void> {
  for (const sql of [
    `DELETE FROM tds_sync_queue`,
    `DELETE FROM tds_batch_claims`,
    `DELETE FROM tds_metrics`,
    `DELETE FROM tds_dead_letters`,
    `DELETE FROM tds_reaction_failures`,
    `UPDATE tds_outbox SET dispatched_at = now() WHERE dispatched_at IS NULL`,
    `DELETE FROM tds_alerts`,
  ]) {
    await db.query(sql);
  }
}

export interface Call {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A receiver on 127.0.0.1 that answers each call with `answer(n)` (n: 1-based call number), or never when it returns null. */
export class Receiver {
  readonly calls: Call[] = [];
  private readonly server: Server;

  constructor(private readonly answer: (n: number) => number | null) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const status = this.answer(this.calls.length + 1);
        this.calls.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status: status ?? 0 });
        if (status !== null) response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/alerts?token=receiver-token`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  bodies(): Record<string, unknown>[] {
    return this.calls.map((call) => JSON.parse(call.body) as Record<string, unknown>);
  }
}

/** The receivers' signing secret in these tests. */
export const WEBHOOK_SECRET = 'alert-webhook-test-secret-0123456789';

/** A receiver's reaction name, as the alerts configuration derives it from its URL. */
export const receiverReaction = (url: string) => `alerts.webhook.${createHash('sha256').update(url).digest('hex').slice(0, 12)}`;
