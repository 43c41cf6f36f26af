import { Get, Query } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { DatabaseHealthIndicator } from '../../../../shared/health/database.health.js';
import type { AlertsConfig } from '../../../../shared/config/alerts.config.js';
import {
  GetDashboardSummaryQuery,
  GetThroughputQuery,
  ListAlertsQuery,
  ListEntityTypesQuery,
  ListSyncRunsQuery,
} from '../../../tds/public.js';
import type { AlertPage, DashboardSummary, EntityTypeStatusDto, SyncRunPage, ThroughputSeries } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { assessHealth, healthThresholds } from '../../domain/health-state.js';
import type { HealthInputs, HealthThresholds } from '../../domain/health-state.js';
import { BffController, BffReadResponses } from '../../http/bff-routes.js';
import { NoQueryParamsPipe } from '../../http/no-query-params.pipe.js';
import { toAlert } from '../../views/alert.dto.js';
import { toEntityTypeSummary } from '../../views/entity-type-summary.dto.js';
import { toRunSummary } from '../../views/run-summary.dto.js';
import { toThroughputPoint } from '../../views/throughput-point.dto.js';
import type { BffThroughputPointDto } from '../../views/throughput-point.dto.js';
import { DashboardDto } from './get-dashboard.dto.js';
import type { ThroughputWindowDto } from './get-dashboard.dto.js';

const RECENT_RUNS = 5;
const SHOWN_ALERTS = 10;
/** Every unacknowledged alert, for the health verdict: one per fingerprint, so a few dozen at most. */
const ACTIVE_ALERTS_LIMIT = 500;

function throughputWindow(points: BffThroughputPointDto[]): ThroughputWindowDto {
  const sum = (field: 'received' | 'applied' | 'failed') => points.reduce((total, point) => total + point[field], 0);
  return { received: sum('received'), applied: sum('applied'), failed: sum('failed'), perMinute: points };
}

/**
 * The health inputs as far as a dashboard shows them (its alerts are the newest ten open ones),
 * with the database's state now: for re-assessing a dashboard read earlier.
 */
function healthInputsShown(dashboard: DashboardDto, databaseUp: boolean): HealthInputs {
  return {
    databaseUp,
    activeAlertSeverities: dashboard.activeAlerts.filter((alert) => alert.status === 'active').map((alert) => alert.severity),
    openDeadLetters: dashboard.queue.deadLetters,
    oldestPendingAgeSeconds: dashboard.queue.oldestPendingAgeSeconds,
    successRate24h: dashboard.successRate24h,
  };
}

@BffController()
export class GetDashboardController {
  private readonly thresholds: HealthThresholds;
  /** This instance's last dashboard read in full, shown (marked critical) while the database is down. */
  private lastRead?: DashboardDto;

  constructor(
    private readonly queryBus: QueryBus,
    private readonly cache: BffCache,
    private readonly database: DatabaseHealthIndicator,
    config: ConfigService,
  ) {
    this.thresholds = healthThresholds(config.getOrThrow<AlertsConfig>('alerts').rules);
  }

  @Get('dashboard')
  @Roles('viewer')
  @ApiOperation({
    summary: 'The home screen in one call: health, queue, throughput, recent runs, open alerts, entity types',
    description:
      'Cached for 30 s and dropped as soon as a run, dead letter or alert changes. While the database is down it answers the ' +
      "last figures this instance read (generatedAt says when) with health critical, DATABASE_DOWN; 503 if it has none.",
  })
  @ApiResponse({ status: 200, type: DashboardDto })
  @BffReadResponses()
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: a query parameter (this route takes none)' })
  @ApiResponse({ status: 503, description: 'DATABASE.UNAVAILABLE: the database is down and this instance has read no dashboard yet' })
  async get(@Query(NoQueryParamsPipe) _query: unknown): Promise<DashboardDto> {
    try {
      this.lastRead = await this.cache.read('dashboard', {}, () => this.load());
      return this.lastRead;
    } catch (error) {
      // The operator's screen is where a database outage must show, not turn into an error
      // page: the last figures, marked as such. Any other failure is the failure it is.
      const ping = await this.database.ping('database');
      if (ping.database?.status !== 'down' || !this.lastRead) throw error;
      return { ...this.lastRead, health: assessHealth(healthInputsShown(this.lastRead, false), this.thresholds) };
    }
  }

  private async load(): Promise<DashboardDto> {
    // Independent reads, each through an index or the metric buckets; in parallel on the pool.
    const [summary, series, runs, openAlerts, activeAlerts, types] = await Promise.all([
      this.queryBus.execute<GetDashboardSummaryQuery, DashboardSummary>(new GetDashboardSummaryQuery()),
      this.queryBus.execute<GetThroughputQuery, ThroughputSeries>(new GetThroughputQuery({ windowMinutes: 60, stepMinutes: 1 })),
      this.queryBus.execute<ListSyncRunsQuery, SyncRunPage>(new ListSyncRunsQuery({ limit: RECENT_RUNS })),
      this.queryBus.execute<ListAlertsQuery, AlertPage>(new ListAlertsQuery({ status: 'open', limit: SHOWN_ALERTS })),
      this.queryBus.execute<ListAlertsQuery, AlertPage>(new ListAlertsQuery({ status: 'active', limit: ACTIVE_ALERTS_LIMIT })),
      this.queryBus.execute<ListEntityTypesQuery, EntityTypeStatusDto[]>(new ListEntityTypesQuery({ mirrorCounts: false })),
    ]);
    const perMinute = series.points.map(toThroughputPoint);
    const health = assessHealth(
      {
        // The figures above were just read from it.
        databaseUp: true,
        activeAlertSeverities: activeAlerts.items.map((alert) => alert.severity),
        openDeadLetters: summary.queue.openDeadLetters,
        oldestPendingAgeSeconds: summary.queue.oldestPendingAgeSeconds,
        successRate24h: summary.last24h.successRate,
      },
      this.thresholds,
    );
    return {
      generatedAt: summary.generatedAt,
      health,
      queue: {
        pending: summary.queue.pending,
        processing: summary.queue.processing,
        retry: summary.queue.retry,
        deadLetters: summary.queue.openDeadLetters,
        oldestPendingAgeSeconds: summary.queue.oldestPendingAgeSeconds,
      },
      throughput: { last5m: throughputWindow(perMinute.slice(-5)), last1h: throughputWindow(perMinute) },
      successRate24h: summary.last24h.successRate,
      recentRuns: runs.items.map(toRunSummary),
      activeAlerts: openAlerts.items.map(toAlert),
      entityTypes: types.map((type) => toEntityTypeSummary(type, this.thresholds)),
    };
  }
}
