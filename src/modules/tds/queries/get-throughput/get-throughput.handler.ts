import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { ValidationFailedError } from '../../../../shared/errors/domain-error.js';
import type { FieldError } from '../../../../shared/errors/domain-error.js';
import { hasControlCharacters } from '../../../../shared/validation/control-characters.js';
import { GetThroughputQuery } from './get-throughput.query.js';
import type { ThroughputParams, ThroughputPoint, ThroughputSeries } from './get-throughput.query.js';
import { GET_THROUGHPUT_SQL } from './get-throughput.sql.js';

/** A week of minutes. */
export const MAX_WINDOW_MINUTES = 10_080;
/** What a chart can show; also bounds the statement's generate_series. */
export const MAX_POINTS = 1_440;
const MINUTE_MS = 60_000;

type PointRow = Omit<ThroughputPoint, 'at'> & { at: Date };

/**
 * The checks live here rather than in a route's DTO: the query is sent through the bus by the
 * BFF (and whoever comes next), and a bad window must be a 422 naming its field, never a
 * statement PostgreSQL refuses. Paths are the parameters' names on the routes (`window`, `step`).
 */
function validate({ windowMinutes, stepMinutes, entityType }: ThroughputParams): void {
  const errors: FieldError[] = [];
  const windowOk = Number.isInteger(windowMinutes) && windowMinutes >= 1 && windowMinutes <= MAX_WINDOW_MINUTES;
  if (!windowOk) errors.push({ path: 'window', message: `window must be a whole number of minutes from 1 to ${MAX_WINDOW_MINUTES}` });
  if (!Number.isInteger(stepMinutes) || stepMinutes < 1) {
    errors.push({ path: 'step', message: 'step must be a whole number of minutes, at least 1' });
  } else if (windowOk && windowMinutes % stepMinutes !== 0) {
    errors.push({ path: 'step', message: 'step must divide window' });
  } else if (windowOk && windowMinutes / stepMinutes > MAX_POINTS) {
    errors.push({ path: 'step', message: `window / step must be at most ${MAX_POINTS} points` });
  }
  if (entityType !== undefined && (typeof entityType !== 'string' || !entityType || entityType.length > 200 || hasControlCharacters(entityType))) {
    errors.push({ path: 'entityType', message: 'entityType must be 1-200 characters without control characters' });
  }
  if (errors.length) throw new ValidationFailedError(errors);
}

@QueryHandler(GetThroughputQuery)
export class GetThroughputHandler implements IQueryHandler<GetThroughputQuery, ThroughputSeries> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ params }: GetThroughputQuery): Promise<ThroughputSeries> {
    validate(params);
    const { windowMinutes, stepMinutes, entityType } = params;
    const rows = await queryRows<PointRow>(this.dataSource, GET_THROUGHPUT_SQL, [windowMinutes, stepMinutes, entityType ?? null]);
    const from = rows[0].at;
    return {
      windowMinutes,
      stepMinutes,
      from: from.toISOString(),
      to: new Date(from.getTime() + windowMinutes * MINUTE_MS).toISOString(),
      points: rows.map((row) => ({ ...row, at: row.at.toISOString() })),
    };
  }
}
