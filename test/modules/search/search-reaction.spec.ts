import { DataSource } from 'typeorm';
import { SEARCH_DOCUMENTS_REACTION } from '../../../src/modules/search/reactions/search-documents.reaction.js';
import { queryRows } from '../../../src/shared/database/sql.js';
import { DurableReactions } from '../../../src/shared/reactions/durable-reactions.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { describeEachBackend } from '../../support/test-database.js';
import { zohoContact, zohoItem, zohoPricebook } from '../tds/fixtures/zoho-payloads.js';
import { appEnv, entityChange, idsOf, KEYS, publishChanges, search, storedDocument } from './search-test-kit.js';

const product = (id: string, name: string, sku: string) => ({ ...zohoItem, item_id: id, name, sku });

describeEachBackend('search documents reaction', (backend) => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp({ ...backend.env, ...appEnv });
  });
  afterAll(() => testApp?.close());

  it('registers as a durable reaction for the four searchable entity types', () => {
    const registration = testApp.app.get(DurableReactions).registrations.find((r) => r.name === SEARCH_DOCUMENTS_REACTION);
    expect(registration).toEqual({
      name: 'search.documents',
      eventTypes: ['tds.entity.create', 'tds.entity.update', 'tds.entity.delete'],
      entityTypes: ['product', 'customer', 'invoice', 'sales_order'],
    });
  });

  it('indexes created records, ignores types it does not search, and receipts what it handled', async () => {
    const changes = [
      entityChange('product', 'r-1', 'create', 100, product('r-1', 'Walnut bookshelf', 'SHF-WAL-5')),
      entityChange('customer', 'r-2', 'create', 100, { ...zohoContact, contact_id: 'r-2', contact_name: 'Quixotic Traders' }),
      entityChange('price_list', 'r-3', 'create', 100, { ...zohoPricebook, name: 'Walnut wholesale' }),
    ];
    await publishChanges(testApp.app, changes);

    expect(idsOf(await search(testApp.app, 'walnut'))).toEqual(['r-1']);
    expect(idsOf(await search(testApp.app, 'SHF-WAL-5'))).toEqual(['r-1']);
    expect(idsOf(await search(testApp.app, 'quixotic'))).toEqual(['r-2']);
    const receipts = await queryRows<{ eventId: string }>(
      testApp.app.get(DataSource),
      `SELECT event_id AS "eventId" FROM tds_reaction_receipts WHERE reaction = $1 AND event_id = ANY ($2::uuid[])`,
      [SEARCH_DOCUMENTS_REACTION, changes.map((c) => c.eventId)],
    );
    expect(receipts.map((r) => r.eventId).sort()).toEqual([changes[0].eventId, changes[1].eventId].sort());
  });

  it('updates a document and stops returning it once deleted, even when an older update comes late', async () => {
    await publishChanges(testApp.app, [entityChange('product', 'r-10', 'create', 100, product('r-10', 'Mahogany desk', 'DSK-MAH-1'))]);
    await publishChanges(testApp.app, [entityChange('product', 'r-10', 'update', 200, product('r-10', 'Mahogany writing desk', 'DSK-MAH-1'))]);
    expect((await search(testApp.app, 'writing'))[0]).toMatchObject({ sourceId: 'r-10', title: 'Mahogany writing desk' });

    await publishChanges(testApp.app, [entityChange('product', 'r-10', 'delete', 300, product('r-10', 'Mahogany writing desk', 'DSK-MAH-1'))]);
    expect(await search(testApp.app, 'mahogany')).toEqual([]);

    await publishChanges(testApp.app, [entityChange('product', 'r-10', 'update', 250, product('r-10', 'Mahogany desk', 'DSK-MAH-1'))]);
    expect(await search(testApp.app, 'mahogany')).toEqual([]);
    expect(await storedDocument(testApp.app, 'product', 'r-10')).toMatchObject({ deleted: true, version: 300 });
  });

  it('ends in the same documents whatever order the changes of one batch come in', async () => {
    const v1 = entityChange('product', 'r-20', 'create', 100, product('r-20', 'Teak stool', 'STL-1'));
    const v2 = entityChange('product', 'r-20', 'update', 200, product('r-20', 'Teak bar stool', 'STL-1'));
    const other1 = entityChange('product', 'r-21', 'create', 100, product('r-21', 'Cedar chest', 'CHS-1'));
    const other2 = entityChange('product', 'r-21', 'update', 200, product('r-21', 'Cedar blanket chest', 'CHS-1'));
    await publishChanges(testApp.app, [v2, v1]);
    await publishChanges(testApp.app, [other1, other2]);
    expect(await storedDocument(testApp.app, 'product', 'r-20')).toMatchObject({ title: 'Teak bar stool', version: 200 });
    expect(await storedDocument(testApp.app, 'product', 'r-21')).toMatchObject({ title: 'Cedar blanket chest', version: 200 });
  });

  it('does nothing with an event it already handled, whatever the redelivery carries', async () => {
    const original = entityChange('product', 'r-30', 'create', 100, product('r-30', 'Bamboo lamp', 'LMP-BAM-1'));
    await publishChanges(testApp.app, [original]);
    const before = await storedDocument(testApp.app, 'product', 'r-30');

    const replayed = { ...original, operation: 'update' as const, version: 999, queueItemId: original.queueItemId + 1000, data: product('r-30', 'Rattan lamp', 'LMP-RAT-1') };
    await publishChanges(testApp.app, [replayed]);
    await publishChanges(testApp.app, [{ ...original, operation: 'delete', eventType: 'tds.entity.delete', version: 999 }]);

    expect(await storedDocument(testApp.app, 'product', 'r-30')).toEqual(before);
    expect(await search(testApp.app, 'rattan')).toEqual([]);
    expect(idsOf(await search(testApp.app, 'bamboo'))).toEqual(['r-30']);
  });

  it('handles a batch mixing new and already handled events, applying only the new ones', async () => {
    const seen = entityChange('product', 'r-40', 'create', 100, product('r-40', 'Oak cabinet', 'CAB-1'));
    await publishChanges(testApp.app, [seen]);
    const fresh = entityChange('product', 'r-41', 'create', 100, product('r-41', 'Oak sideboard', 'SDB-1'));
    await publishChanges(testApp.app, [{ ...seen, data: product('r-40', 'Pine cabinet', 'CAB-1'), version: 500 }, fresh]);
    expect(idsOf(await search(testApp.app, 'oak')).sort()).toEqual(['r-40', 'r-41']);
    expect(await search(testApp.app, 'pine')).toEqual([]);
  });
});

/** Mirror rows as TDS writes them; the search module reads them only through ListMirrorEntitiesQuery. */
async function insertMirror(
  dataSource: DataSource,
  rows: Array<{ entityType: string; id: string; version: number; arrivalSeq: number; deleted?: boolean; data: Record<string, unknown> }>,
) {
  await queryRows(
    dataSource,
    `INSERT INTO tds_entities (source, entity_type, source_entity_id, version, arrival_seq, content_hash, data, deleted)
     SELECT 'zoho', r."entityType", r.id, r.version, r."arrivalSeq", md5(r.data::text), r.data, COALESCE(r.deleted, false)
     FROM jsonb_to_recordset($1::jsonb) AS r ("entityType" text, id text, version bigint, "arrivalSeq" bigint, deleted boolean, data jsonb)
     ON CONFLICT (source, entity_type, source_entity_id) DO UPDATE
     SET version = excluded.version, arrival_seq = excluded.arrival_seq, data = excluded.data, deleted = excluded.deleted`,
    [JSON.stringify(rows)],
  );
}

describeEachBackend('POST /api/search/reindex', (backend) => {
  let testApp: TestApp;
  const reindex = (key: string | null = KEYS.admin) =>
    testApp.app.inject({ method: 'POST', url: '/api/search/reindex', headers: key ? { authorization: `Bearer ${key}` } : {} });

  beforeAll(async () => {
    testApp = await createTestApp({ ...backend.env, ...appEnv });
  });
  afterAll(() => testApp?.close());

  it('is for admins only', async () => {
    expect((await reindex(null)).statusCode).toBe(401);
    expect((await reindex(KEYS.viewer)).statusCode).toBe(403);
    expect((await reindex(KEYS.operator)).statusCode).toBe(403);
  });

  it('rebuilds documents from the mirror, tombstones its deleted records, and is idempotent', async () => {
    const dataSource = testApp.app.get(DataSource);
    // More records than one page (500), to cross pages.
    const many = Array.from({ length: 520 }, (_, i) => ({
      entityType: 'product',
      id: `m-${i}`,
      version: 10,
      arrivalSeq: 1000 + i,
      data: product(`m-${i}`, `Filler item ${i}`, `FIL-${i}`),
    }));
    await insertMirror(dataSource, [
      ...many,
      { entityType: 'product', id: 'm-live', version: 10, arrivalSeq: 1, data: product('m-live', 'Sandalwood incense', 'INC-SAN-1') },
      { entityType: 'product', id: 'm-deleted', version: 20, arrivalSeq: 2, deleted: true, data: product('m-deleted', 'Sandalwood soap', 'SOP-SAN-1') },
      { entityType: 'customer', id: 'm-cust', version: 10, arrivalSeq: 3, data: { ...zohoContact, contact_id: 'm-cust', contact_name: 'Sandalwood Spa' } },
      { entityType: 'price_list', id: 'm-pl', version: 10, arrivalSeq: 4, data: { ...zohoPricebook, name: 'Sandalwood list' } },
    ]);
    // A document indexed earlier from a now-deleted record: the reindex must not leave it searchable.
    await publishChanges(testApp.app, [entityChange('product', 'm-deleted', 'create', 5, product('m-deleted', 'Sandalwood soap', 'SOP-SAN-1'))]);
    expect(idsOf(await search(testApp.app, 'sandalwood'))).toEqual(['m-deleted']);

    const first = await reindex();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ scanned: 523, indexed: 522, removed: 1, pages: 2 });
    expect(idsOf(await search(testApp.app, 'sandalwood')).sort()).toEqual(['m-cust', 'm-live']);
    expect(idsOf(await search(testApp.app, 'FIL-519'))).toEqual(['m-519']);

    const snapshot = () =>
      queryRows(dataSource, `SELECT type, source, source_id, title, body, tsv::text, deleted, version, arrival_seq FROM search_documents ORDER BY 1, 2, 3`);
    const before = await snapshot();
    const second = await reindex();
    expect(second.statusCode).toBe(200);
    // rows at the same precedence are rewritten (a changed mapping would reach them), tombstones stay as they are
    expect(second.json()).toEqual({ scanned: 523, indexed: 522, removed: 0, pages: 2 });
    expect(await snapshot()).toEqual(before);
  });

  it('never takes a document back to the older version of a stale mirror page', async () => {
    const dataSource = testApp.app.get(DataSource);
    await insertMirror(dataSource, [{ entityType: 'product', id: 'm-race', version: 10, arrivalSeq: 7, data: product('m-race', 'Juniper vase', 'VAS-1') }]);
    // A live change newer than what the reindex will read (the mirror moved on after the page was read).
    await publishChanges(testApp.app, [entityChange('product', 'm-race', 'update', 20, product('m-race', 'Juniper tall vase', 'VAS-1'))]);
    expect((await reindex()).statusCode).toBe(200);
    expect(await storedDocument(testApp.app, 'product', 'm-race')).toMatchObject({ title: 'Juniper tall vase', version: 20 });
  });
});
