import { createHmac, randomInt } from 'node:crypto';
import { shuffle } from '../support/queue-fixtures.js';

/*
 * The chaos test's sender: the deliveries prepared up front, and a client that sends each until
 * it gets a 2xx (at-least-once, as a real sender), keeping a ledger of every attempt.
 */

export const ZOHO_SECRET = 'chaos-zoho-secret';
export const SERVICE_KEY = 'chaos-service-key-0123456789';
export const VIEWER_KEY = 'chaos-viewer-key-0123456789';

/** One (entity, version) change as the source holds it. */
export interface Change {
  id: string;
  version: number;
  record: Record<string, unknown>;
}

export type Delivery =
  | { kind: 'webhook'; change: Change; body: string; signature: string }
  | { kind: 'bulk'; changes: Change[]; body: string; idempotencyKey: string };

export function changesOf(delivery: Delivery): Change[] {
  return delivery.kind === 'webhook' ? [delivery.change] : delivery.changes;
}

export interface Attempt {
  instance: string;
  startedAt: number;
  endedAt: number;
  /** The HTTP status, or undefined when the request got no answer. */
  status?: number;
  error?: string;
  code?: string;
}

export interface LedgerEntry {
  delivery: Delivery;
  /** A repeat of an earlier delivery (same body, same key): a duplicate sent on purpose. */
  repeat: boolean;
  attempts: Attempt[];
  /** The body of the 2xx that ended it. */
  accepted?: { status: number; body: { inboxId?: number; queueItemIds?: number[]; syncRunId?: number; duplicate?: boolean }; replayed: boolean };
}

const BASE_MS = Date.UTC(2026, 0, 1);

/** A Zoho item whose content is determined by (id, version), `last_modified_time` carrying the version. */
function itemRecord(id: string, version: number): Record<string, unknown> {
  return {
    item_id: id,
    name: `Chaos product ${id} rev ${version}`,
    sku: `CH-${id}`,
    rate: version * 2.5,
    unit: 'pcs',
    status: 'active',
    last_modified_time: new Date(BASE_MS + version * 1000).toISOString(),
  };
}

export interface WorkloadOptions {
  entities: number;
  versions: number;
  /** Share of the changes sent as webhooks; the rest by bulk enqueue. */
  webhookShare: number;
  bulkSize: number;
  /** Share of the deliveries sent twice. */
  duplicateRate: number;
}

/**
 * Every change of every entity once, versions shuffled; a share as signed webhooks, the rest in
 * bulk requests. Duplicates: a share of the webhooks and of the bulk requests sent again later
 * as they were (same body, same Idempotency-Key); a share of bulk items put twice in the bulk
 * stream (another request, or the same one).
 */
export function prepareDeliveries(options: WorkloadOptions): { deliveries: { delivery: Delivery; repeat: boolean }[]; changes: number } {
  const changes: Change[] = [];
  for (let e = 0; e < options.entities; e++) {
    const id = `chaos-${e}`;
    for (let v = 1; v <= options.versions; v++) {
      const record = itemRecord(id, v);
      changes.push({ id, version: BASE_MS + v * 1000, record });
    }
  }
  shuffle(changes);
  // Each delivery gets a random place in the sending order; a repeat a later one than its first.
  const placed: { delivery: Delivery; repeat: boolean; at: number }[] = [];
  const place = (delivery: Delivery) => {
    const at = Math.random();
    placed.push({ delivery, repeat: false, at });
    if (Math.random() < options.duplicateRate) placed.push({ delivery, repeat: true, at: at + (1 - at) * Math.random() });
  };
  const bulkChanges: Change[] = [];
  for (const change of changes) {
    if (Math.random() < options.webhookShare) {
      const body = JSON.stringify({ item: change.record });
      place({ kind: 'webhook', change, body, signature: createHmac('sha256', ZOHO_SECRET).update(body).digest('hex') });
    } else {
      bulkChanges.push(change);
      if (Math.random() < options.duplicateRate) bulkChanges.push(change);
    }
  }
  shuffle(bulkChanges);
  for (let i = 0; i < bulkChanges.length; i += options.bulkSize) {
    const slice = bulkChanges.slice(i, i + options.bulkSize);
    const body = JSON.stringify({
      source: 'zoho',
      items: slice.map((c) => ({ entityType: 'product', sourceEntityId: c.id, operation: 'update', version: c.record.last_modified_time, payload: c.record })),
    });
    place({ kind: 'bulk', changes: slice, body, idempotencyKey: `chaos-bulk-${i / options.bulkSize}` });
  }
  placed.sort((x, y) => x.at - y.at);
  return { deliveries: placed.map(({ delivery, repeat }) => ({ delivery, repeat })), changes: changes.length };
}

export interface Router {
  /** A live instance's base URL, other than `avoid` when there is a choice; waits while none is live. */
  pick(avoid?: string): Promise<string>;
}

/** Sends every delivery until it gets a 2xx, `concurrency` at a time; returns the ledger in sending order. */
export async function sendAll(
  deliveries: readonly { delivery: Delivery; repeat: boolean }[],
  router: Router,
  options: { concurrency: number; timeoutMs: number; deadline: number; onProgress?: (sent: number) => void },
): Promise<LedgerEntry[]> {
  const ledger: LedgerEntry[] = deliveries.map(({ delivery, repeat }) => ({ delivery, repeat, attempts: [] }));
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < ledger.length) {
      const entry = ledger[next++];
      await sendUntilAccepted(entry, router, options);
      options.onProgress?.(++done);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return ledger;
}

async function sendUntilAccepted(entry: LedgerEntry, router: Router, options: { timeoutMs: number; deadline: number }): Promise<void> {
  let last: string | undefined;
  for (;;) {
    if (Date.now() > options.deadline) throw new Error(`delivery not accepted before the deadline after ${entry.attempts.length} attempts`);
    const base = await router.pick(last);
    last = base;
    const attempt: Attempt = { instance: base, startedAt: Date.now(), endedAt: 0 };
    entry.attempts.push(attempt);
    const { delivery } = entry;
    try {
      const response = await fetch(
        delivery.kind === 'webhook' ? `${base}/api/tds/webhooks/zoho` : `${base}/api/tds/queue`,
        {
          method: 'POST',
          headers:
            delivery.kind === 'webhook'
              ? { 'content-type': 'application/json', 'x-zoho-webhook-signature': delivery.signature }
              : { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_KEY}`, 'idempotency-key': delivery.idempotencyKey },
          body: delivery.body,
          signal: AbortSignal.timeout(options.timeoutMs),
        },
      );
      const text = await response.text();
      attempt.endedAt = Date.now();
      attempt.status = response.status;
      if (response.status >= 200 && response.status < 300) {
        entry.accepted = { status: response.status, body: JSON.parse(text), replayed: response.headers.get('idempotent-replayed') === 'true' };
        return;
      }
      attempt.code = safeCode(text);
      // 4xx other than 429 will not get better by resending: a defect of the test or the app.
      if (response.status < 500 && response.status !== 429) throw new Error(`delivery refused ${response.status}: ${text.slice(0, 300)}`);
    } catch (error) {
      if (attempt.status !== undefined && attempt.status < 500 && attempt.status !== 429) throw error;
      if (attempt.status === undefined) {
        attempt.endedAt = Date.now();
        attempt.error = describe(error);
      }
    }
    await new Promise((r) => setTimeout(r, 50 + randomInt(100)));
  }
}

function safeCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { error?: string }).error;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.name ?? String(error);
}
