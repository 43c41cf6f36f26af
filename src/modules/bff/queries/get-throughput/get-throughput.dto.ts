import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, ValidateBy } from 'class-validator';
import { OptionalTextFilter } from '../../../../shared/validation/text-filter.decorator.js';
import { BffThroughputPointDto } from '../../views/throughput-point.dto.js';

/** The spans and widths a chart may ask for, in minutes. */
export const THROUGHPUT_WINDOWS = { '5m': 5, '15m': 15, '1h': 60, '6h': 360, '24h': 1440, '7d': 10080 } as const;
export const THROUGHPUT_STEPS = { '1m': 1, '5m': 5, '15m': 15, '1h': 60 } as const;
export type ThroughputWindow = keyof typeof THROUGHPUT_WINDOWS;
export type ThroughputStep = keyof typeof THROUGHPUT_STEPS;

/** A chart draws at most this many points; 7d by the minute would be 10,080. */
export const MAX_THROUGHPUT_POINTS = 1440;

const fits = (windowMinutes: number, stepMinutes: number) =>
  windowMinutes % stepMinutes === 0 && windowMinutes / stepMinutes <= MAX_THROUGHPUT_POINTS;

/** Without a step: by the minute, or the finest step that stays within the points a chart draws (7d: 15m). */
export function defaultStep(window: ThroughputWindow): ThroughputStep {
  const steps = Object.keys(THROUGHPUT_STEPS) as ThroughputStep[];
  return steps.find((step) => fits(THROUGHPUT_WINDOWS[window], THROUGHPUT_STEPS[step])) ?? '1h';
}

/** Reported on `step`: whether the pair fits is the step's question (the window alone is always valid). */
const FitsWindow = () =>
  ValidateBy({
    name: 'fitsWindow',
    validator: {
      validate: (step: unknown, args) => {
        const window = THROUGHPUT_WINDOWS[((args?.object as ThroughputParamsDto).window ?? '1h') as ThroughputWindow];
        const width = THROUGHPUT_STEPS[step as ThroughputStep];
        // An unknown window or step is reported by its own IsIn.
        if (window === undefined || width === undefined) return true;
        return fits(window, width);
      },
      defaultMessage: () => `step must divide the window and give at most ${MAX_THROUGHPUT_POINTS} points`,
    },
  });

export class ThroughputParamsDto {
  @ApiPropertyOptional({ enum: Object.keys(THROUGHPUT_WINDOWS), default: '1h', description: 'The span ending at the current minute' })
  @IsOptional()
  @IsIn(Object.keys(THROUGHPUT_WINDOWS))
  window?: ThroughputWindow;

  @ApiPropertyOptional({ enum: Object.keys(THROUGHPUT_STEPS), description: 'Width of one point; must divide the window, at most 1440 points. Default 1m, or for 7d the finest that fits (15m)' })
  @IsOptional()
  @IsIn(Object.keys(THROUGHPUT_STEPS))
  @FitsWindow()
  step?: ThroughputStep;

  @ApiPropertyOptional({ description: 'Only this entity type', example: 'product' })
  @OptionalTextFilter(100)
  entityType?: string;
}

export class ThroughputDto {
  @ApiProperty({ enum: Object.keys(THROUGHPUT_WINDOWS), example: '1h' }) window: ThroughputWindow;
  @ApiProperty({ enum: Object.keys(THROUGHPUT_STEPS), example: '1m' }) step: ThroughputStep;
  @ApiProperty({ format: 'date-time', description: 'Start of the first point' }) from: string;
  @ApiProperty({ format: 'date-time', description: 'End of the last point' }) to: string;
  @ApiProperty({ type: [BffThroughputPointDto], description: 'Oldest first, one per step, zeros where nothing happened' }) points: BffThroughputPointDto[];
}
