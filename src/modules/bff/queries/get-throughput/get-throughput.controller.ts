import { Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { GetThroughputQuery } from '../../../tds/public.js';
import type { ThroughputSeries } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { BffController, BffReadResponses } from '../../http/bff-routes.js';
import { toThroughputPoint } from '../../views/throughput-point.dto.js';
import { defaultStep, THROUGHPUT_STEPS, THROUGHPUT_WINDOWS, ThroughputDto, ThroughputParamsDto } from './get-throughput.dto.js';

@BffController()
export class BffGetThroughputController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly cache: BffCache,
  ) {}

  @Get('throughput')
  @Roles('viewer')
  @ApiOperation({ summary: 'A time series for charts: received, applied, unchanged, superseded, failed, dead-lettered and latency per step' })
  @ApiResponse({ status: 200, type: ThroughputDto })
  @BffReadResponses()
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: an unknown window or step, a step that does not divide the window or gives over 1440 points' })
  get(@Query() { window = '1h', step = defaultStep(window), entityType }: ThroughputParamsDto): Promise<ThroughputDto> {
    return this.cache.read('throughput', { window, step, entityType }, async () => {
      const series = await this.queryBus.execute<GetThroughputQuery, ThroughputSeries>(
        new GetThroughputQuery({ windowMinutes: THROUGHPUT_WINDOWS[window], stepMinutes: THROUGHPUT_STEPS[step], entityType }),
      );
      return { window, step, from: series.from, to: series.to, points: series.points.map(toThroughputPoint) };
    });
  }
}
