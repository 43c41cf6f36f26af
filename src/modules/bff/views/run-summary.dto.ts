import { ApiProperty } from '@nestjs/swagger';
import { SYNC_RUN_KINDS, SYNC_RUN_STATUSES } from '../../tds/public.js';
import type { SyncRunDto, SyncRunErrorCount } from '../../tds/public.js';
import { formatDuration } from '../domain/duration.js';
import { runProgressPercent, runSuccessRate } from '../domain/run-progress.js';

export class RunSummaryDto {
  @ApiProperty({ example: 17 }) id: number;
  @ApiProperty({ enum: SYNC_RUN_KINDS }) kind: SyncRunDto['kind'];
  @ApiProperty({ example: 'zoho' }) source: string;
  @ApiProperty({ type: String, nullable: true, example: 'product' }) entityType: string | null;
  @ApiProperty({ enum: SYNC_RUN_STATUSES }) status: SyncRunDto['status'];
  @ApiProperty({ example: 200 }) total: number;
  @ApiProperty({ example: 150 }) processed: number;
  @ApiProperty({ example: 140 }) succeeded: number;
  @ApiProperty({ example: 5 }) failed: number;
  @ApiProperty({ example: 5 }) skipped: number;
  @ApiProperty({
    minimum: 0,
    maximum: 100,
    example: 75,
    description: 'processed / total in percent, one decimal, rounded down; a pull run still fetching shows at most its estimated fetch share',
  })
  progressPercent: number;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 1, example: 0.9655, description: 'succeeded / (succeeded + failed); null before either' })
  successRate: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 135000 }) durationMs: number | null;
  @ApiProperty({ type: String, nullable: true, example: '2m 15s' }) duration: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
}

export class RunErrorCountDto {
  @ApiProperty({ example: 'VALIDATION_FAILED' }) errorCode: string;
  @ApiProperty({ example: 3 }) count: number;
  @ApiProperty({ example: 'sku must be a string' }) lastMessage: string;
}

export class RunErrorSummaryDto {
  @ApiProperty({ type: [RunErrorCountDto], description: 'Failures by error code, most frequent first' }) byCode: RunErrorCountDto[];
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'What the run recorded about its end, e.g. { cancelledBy, cancelledItems }' })
  note: Record<string, unknown> | null;
}

export class RunDetailDto extends RunSummaryDto {
  @ApiProperty({ type: RunErrorSummaryDto }) errorSummary: RunErrorSummaryDto;
  @ApiProperty({ type: String, nullable: true }) cursorFrom: string | null;
  @ApiProperty({ type: String, nullable: true }) cursorTo: string | null;
}

export class RunPageDto {
  @ApiProperty({ type: [RunSummaryDto], description: 'Newest first' }) items: RunSummaryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor: string | null;
}

export function toRunSummary(run: SyncRunDto): RunSummaryDto {
  return {
    id: run.id,
    kind: run.kind,
    source: run.source,
    entityType: run.entityType,
    status: run.status,
    total: run.total,
    processed: run.processed,
    succeeded: run.succeeded,
    failed: run.failed,
    skipped: run.skipped,
    progressPercent: runProgressPercent(run.processed, run.total, run.pull?.fetching ? run.pull.estimatedPercent : undefined),
    successRate: runSuccessRate(run.succeeded, run.failed),
    durationMs: run.durationMs,
    duration: formatDuration(run.durationMs),
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    completedAt: run.completedAt,
  };
}

export function toRunDetail(run: SyncRunDto, errors: SyncRunErrorCount[]): RunDetailDto {
  return {
    ...toRunSummary(run),
    errorSummary: { byCode: errors.map(({ errorCode, count, lastMessage }) => ({ errorCode, count, lastMessage })), note: run.errorSummary },
    cursorFrom: run.cursorFrom,
    cursorTo: run.cursorTo,
  };
}
