import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { GetDashboardSummaryQuery } from './get-dashboard-summary.query.js';
import type { DashboardSummary } from './get-dashboard-summary.query.js';
import { GET_DASHBOARD_SUMMARY_SQL } from './get-dashboard-summary.sql.js';

type SummaryRow = DashboardSummary['queue'] & Omit<DashboardSummary['last24h'], 'successRate'> & { generatedAt: Date };

@QueryHandler(GetDashboardSummaryQuery)
export class GetDashboardSummaryHandler implements IQueryHandler<GetDashboardSummaryQuery, DashboardSummary> {
  constructor(private readonly dataSource: DataSource) {}

  async execute(): Promise<DashboardSummary> {
    const [row] = await queryRows<SummaryRow>(this.dataSource, GET_DASHBOARD_SUMMARY_SQL);
    const succeeded = row.applied + row.unchanged + row.superseded;
    const outcomes = succeeded + row.failed;
    return {
      generatedAt: row.generatedAt.toISOString(),
      queue: {
        pending: row.pending,
        processing: row.processing,
        retry: row.retry,
        openDeadLetters: row.openDeadLetters,
        oldestPendingAgeSeconds: row.oldestPendingAgeSeconds,
      },
      last24h: {
        received: row.received,
        applied: row.applied,
        unchanged: row.unchanged,
        superseded: row.superseded,
        failed: row.failed,
        deadLettered: row.deadLettered,
        successRate: outcomes > 0 ? succeeded / outcomes : null,
      },
    };
  }
}
