import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import type { LabelValues } from 'prom-client';
import { DataSource } from 'typeorm';
import { ALERT_SEVERITIES } from '../../../shared/config/alerts.config.js';
import { queryRows } from '../../../shared/database/sql.js';
import { DATABASE_GAUGES_SQL } from './database-gauges.sql.js';

interface RecentItems {
  source: string;
  entityType: string;
  /** Per outcome column of tds_metrics (received, applied, ... dead_lettered). */
  outcomes: Record<string, number>;
}

interface GaugesRow {
  queuePending: number;
  queueRetry: number;
  oldestPendingAgeSeconds: number;
  claimedItems: number;
  openDeadLetters: number;
  outboxPending: number;
  outboxOldestAgeSeconds: number;
  reactionFailuresRetrying: number;
  reactionFailuresExhausted: number;
  alertsBySeverity: Record<string, number>;
  recentItems: RecentItems[];
}

type Sample = [labels: LabelValues<string>, value: number];

interface GaugeSpec {
  name: string;
  help: string;
  labelNames?: string[];
  /**
   * The gauge's samples from this scrape's row; `row` is undefined when the read failed, and a
   * figure then reads NaN (unknown), not 0 and not the last scrape's, which would both look true.
   */
  samples(row: GaugesRow | undefined): Sample[];
}

const CLUSTER_WIDE = '(cluster-wide: every instance reports the same figure)';

const GAUGES: GaugeSpec[] = [
  {
    name: 'tds_queue_depth',
    help: `Queue items waiting, by open status, including those a batch is applying ${CLUSTER_WIDE}`,
    labelNames: ['status'],
    samples: (row) => [
      [{ status: 'pending' }, row?.queuePending ?? NaN],
      [{ status: 'retry' }, row?.queueRetry ?? NaN],
    ],
  },
  {
    name: 'tds_queue_claimed_items',
    help: `Queue items held by batch claims: batches in flight, and batches that died whose items wait to be retried ${CLUSTER_WIDE}`,
    samples: (row) => [[{}, row?.claimedItems ?? NaN]],
  },
  {
    name: 'tds_queue_oldest_pending_age_seconds',
    help: `Age since enqueue of the oldest pending item that is due; 0 when none is ${CLUSTER_WIDE}`,
    samples: (row) => [[{}, row?.oldestPendingAgeSeconds ?? NaN]],
  },
  {
    name: 'tds_dead_letters_open',
    help: `Dead letters neither resolved nor replayed ${CLUSTER_WIDE}`,
    samples: (row) => [[{}, row?.openDeadLetters ?? NaN]],
  },
  {
    name: 'tds_outbox_pending_events',
    help: `Outbox events not dispatched yet ${CLUSTER_WIDE}`,
    samples: (row) => [[{}, row?.outboxPending ?? NaN]],
  },
  {
    name: 'tds_outbox_oldest_pending_age_seconds',
    help: `Age of the oldest outbox event not dispatched yet; 0 when none is ${CLUSTER_WIDE}`,
    samples: (row) => [[{}, row?.outboxOldestAgeSeconds ?? NaN]],
  },
  {
    name: 'tds_reaction_failures_open',
    help: `Unresolved reaction failures: retrying (waiting for a retry) or exhausted (no retries left) ${CLUSTER_WIDE}`,
    labelNames: ['state'],
    samples: (row) => [
      [{ state: 'retrying' }, row?.reactionFailuresRetrying ?? NaN],
      [{ state: 'exhausted' }, row?.reactionFailuresExhausted ?? NaN],
    ],
  },
  {
    name: 'tds_alerts_open',
    help: `Alerts not resolved (active or acknowledged), by severity ${CLUSTER_WIDE}`,
    labelNames: ['severity'],
    samples: (row) => ALERT_SEVERITIES.map((severity) => [{ severity }, row ? (row.alertsBySeverity[severity] ?? 0) : NaN]),
  },
  {
    name: 'tds_sync_items_last_5m',
    help: `Items per outcome in the five whole minutes before the current one, from the per-minute buckets; a source and entity type without items is absent ${CLUSTER_WIDE}`,
    labelNames: ['source', 'entity_type', 'outcome'],
    samples: (row) =>
      (row?.recentItems ?? []).flatMap(({ source, entityType, outcomes }) =>
        Object.entries(outcomes).map(([outcome, value]): Sample => [{ source, entity_type: entityType, outcome }, value]),
      ),
  },
  {
    name: 'tds_database_metrics_up',
    help: 'Whether this scrape could read the database-backed gauges (1) or not (0: they read NaN)',
    samples: (row) => [[{}, row ? 1 : 0]],
  },
];

/**
 * Gauges of the cluster's state, read from the database when Prometheus scrapes. Every gauge's
 * collect() runs at once during a scrape; they share one read (DATABASE_GAUGES_SQL), so a
 * scrape is one round trip whatever the number of gauges.
 */
@Injectable()
export class TdsDatabaseGauges {
  private readonly logger = new Logger(TdsDatabaseGauges.name);
  private inFlight?: Promise<GaugesRow | undefined>;

  constructor(
    registry: Registry,
    private readonly dataSource: DataSource,
  ) {
    const read = () => this.read();
    for (const spec of GAUGES) {
      new Gauge({
        name: spec.name,
        help: spec.help,
        labelNames: spec.labelNames ?? [],
        registers: [registry],
        async collect() {
          const row = await read();
          // Label sets absent from this scrape (a quiet entity type) must not linger.
          this.reset();
          for (const [labels, value] of spec.samples(row)) this.set(labels, value);
        },
      });
    }
  }

  private read(): Promise<GaugesRow | undefined> {
    this.inFlight ??= this.query().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** A failed read must not fail the scrape: the process and HTTP metrics are still worth having. */
  private async query(): Promise<GaugesRow | undefined> {
    try {
      const [row] = await queryRows<GaugesRow>(this.dataSource, DATABASE_GAUGES_SQL);
      return row;
    } catch (error) {
      this.logger.warn(`database gauges unavailable: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
}
