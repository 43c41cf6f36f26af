import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { validateConfig } from './validate-config.js';

/**
 * Group commit of webhook deliveries (the InboxWriter): deliveries arriving within one window
 * share one transaction, so one commit (one WAL flush) serves many. The window is added to
 * every delivery's latency; a group that reaches the maximum is written at once, if one of
 * the groups-in-flight slots (each a pooled connection) is free.
 */
class IngestEnv {
  @Type(() => Number) @IsInt() @Min(0) @Max(1000) TDS_INGEST_GROUP_WINDOW_MS: number = 2;
  @Type(() => Number) @IsInt() @Min(1) @Max(5000) TDS_INGEST_GROUP_MAX: number = 200;
  @Type(() => Number) @IsInt() @Min(1) @Max(64) TDS_INGEST_GROUPS_IN_FLIGHT: number = 2;
  /**
   * Deliveries waiting for a group slot, by count and by the bytes of their bodies: past either,
   * a delivery is refused at once (503 INBOX.BUSY, nothing kept) instead of piling up in memory
   * while the database does not keep up or does not answer. The list grows only while every
   * slot is busy, so normally it holds what arrives during one commit (tens of milliseconds);
   * an empty list takes any delivery, whatever its size.
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) TDS_INGEST_MAX_WAITING: number = 2000;
  @Type(() => Number) @IsInt() @Min(1024) TDS_INGEST_MAX_WAITING_BYTES: number = 32 * 1024 * 1024;
  /**
   * The stock levels one Zoho item may yield (its `warehouses[]` entries). A delivery's work
   * (validation, queue items, the apply) grows with this count, so one signed 1 MiB item of
   * 20,000 entries must be refused (422) before any entry is looked at.
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(100000) TDS_INGEST_MAX_STOCK_LEVELS_PER_ITEM: number = 1000;
  /**
   * The entries any array of a record's payload may hold (an invoice's `line_items`, a price
   * book's items, an adjustment's lines), from a webhook or a bulk enqueue. Validation grows with
   * the entries: a 960 KB invoice of 40,000 lines held the event loop ~500 ms. Over the limit the
   * payload is refused (422) before any entry is looked at. A Zoho webhook item's `warehouses[]`
   * are bounded by the stock level cap above instead, as each entry becomes a queue item.
   */
  @Type(() => Number) @IsInt() @Min(1) @Max(100000) TDS_INGEST_MAX_ARRAY_ENTRIES: number = 1000;
}

export const ingestConfig = registerAs('ingest', () => {
  const env = validateConfig(IngestEnv);
  return {
    groupWindowMs: env.TDS_INGEST_GROUP_WINDOW_MS,
    groupMax: env.TDS_INGEST_GROUP_MAX,
    groupsInFlight: env.TDS_INGEST_GROUPS_IN_FLIGHT,
    maxWaiting: env.TDS_INGEST_MAX_WAITING,
    maxWaitingBytes: env.TDS_INGEST_MAX_WAITING_BYTES,
    maxStockLevelsPerItem: env.TDS_INGEST_MAX_STOCK_LEVELS_PER_ITEM,
    maxArrayEntries: env.TDS_INGEST_MAX_ARRAY_ENTRIES,
  };
});
export type IngestConfig = ReturnType<typeof ingestConfig>;
