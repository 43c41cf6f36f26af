import { ApiProperty } from '@nestjs/swagger';

export const BFF_HEALTH_STATUSES = ['ok', 'degraded', 'down'] as const;
export type BffHealthStatus = (typeof BFF_HEALTH_STATUSES)[number];
export type Dependency = 'up' | 'down';

export class BffHealthDto {
  @ApiProperty({ enum: BFF_HEALTH_STATUSES, description: 'down: the database does not answer; degraded: the cache does not (reads go to the database)' })
  status: BffHealthStatus;
  @ApiProperty({ enum: ['up', 'down'] }) database: Dependency;
  @ApiProperty({ enum: ['up', 'down'] }) cache: Dependency;
  @ApiProperty({ format: 'date-time' }) checkedAt: string;
}

/** The database carries everything; without the cache the BFF still answers, from the database. */
export function bffHealthStatus(database: Dependency, cache: Dependency): BffHealthStatus {
  if (database === 'down') return 'down';
  return cache === 'down' ? 'degraded' : 'ok';
}
