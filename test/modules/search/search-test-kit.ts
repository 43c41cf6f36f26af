import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import { IndexDocumentsCommand } from '../../../src/modules/search/commands/index-documents/index-documents.command.js';
import { RemoveDocumentsCommand } from '../../../src/modules/search/commands/remove-documents/remove-documents.command.js';
import { documentWrites } from '../../../src/modules/search/domain/record-changes.js';
import type { RecordState } from '../../../src/modules/search/domain/record-changes.js';
import type { SearchableType } from '../../../src/modules/search/domain/search-document.js';
import type { EntityChange, EntityOperation } from '../../../src/modules/tds/public.js';
import { queryRows } from '../../../src/shared/database/sql.js';
import { entityChange as change } from '../../support/entity-changes.js';

/** One key per role, as TDS_API_KEYS takes them. */
export const KEYS = {
  viewer: 'viewer-key-0123456789abcd',
  operator: 'operator-key-0123456789abcd',
  admin: 'admin-key-0123456789abcd',
} as const;

export const appEnv = {
  TDS_WORKERS_ENABLED: 'false',
  TDS_OUTBOX_RELAY_ENABLED: 'false',
  TDS_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${role}:${key}`).join(','),
};

export interface SearchHit {
  type: string;
  source: string;
  sourceId: string;
  title: string;
  rank: number;
  snippet: string;
}

/** GET /api/search with the query parameters as given (URL-encoded here). */
export function getSearch(app: NestFastifyApplication, params: Record<string, string | number>, key: string | null = KEYS.viewer) {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return app.inject({ method: 'GET', url: `/api/search?${query}`, headers: key ? { authorization: `Bearer ${key}` } : {} });
}

/** The hits of a search that must succeed. */
export async function search(app: NestFastifyApplication, q: string, extra: Record<string, string | number> = {}): Promise<SearchHit[]> {
  const response = await getSearch(app, { q, ...extra });
  expect(response.statusCode).toBe(200);
  return (response.json() as { items: SearchHit[] }).items;
}

export const idsOf = (hits: SearchHit[]) => hits.map((hit) => hit.sourceId);

/** Runs `work` in a committed transaction, as a durable reaction would. */
export async function inTransaction<T>(app: NestFastifyApplication, work: (tx: QueryRunner) => Promise<T>): Promise<T> {
  const tx = app.get(DataSource).createQueryRunner();
  await tx.connect();
  try {
    await tx.startTransaction();
    const value = await work(tx);
    await tx.commitTransaction();
    return value;
  } catch (error) {
    if (tx.isTransactionActive) await tx.rollbackTransaction();
    throw error;
  } finally {
    await tx.release();
  }
}

/** Record states written straight through the commands (no events, no receipts). */
export function writeRecords(app: NestFastifyApplication, records: RecordState[]) {
  const { documents, removals } = documentWrites(records);
  const commands = app.get(CommandBus);
  return inTransaction(app, async (tx) => ({
    indexed: (await commands.execute(new IndexDocumentsCommand(tx, documents))).written,
    removed: (await commands.execute(new RemoveDocumentsCommand(tx, removals))).written,
  }));
}

export interface StoredDocument {
  title: string;
  body: string;
  deleted: boolean;
  version: number;
  arrivalSeq: number;
}

export async function storedDocument(app: NestFastifyApplication, type: string, sourceId: string, source = 'zoho'): Promise<StoredDocument | undefined> {
  const [row] = await queryRows<StoredDocument>(
    app.get(DataSource),
    `SELECT title, body, deleted, version, arrival_seq AS "arrivalSeq" FROM search_documents WHERE type = $1 AND source = $2 AND source_id = $3`,
    [type, source, sourceId],
  );
  return row;
}

/** An entity change as the relay composes it, operation first (the search tests vary it most). */
export function entityChange(
  entityType: SearchableType | string,
  sourceEntityId: string,
  operation: EntityOperation,
  version: number,
  data: Record<string, unknown>,
  overrides: Partial<EntityChange> = {},
): EntityChange {
  return change(entityType, sourceEntityId, version, data, { operation, ...overrides });
}

export { publishChanges } from '../../support/entity-changes.js';
