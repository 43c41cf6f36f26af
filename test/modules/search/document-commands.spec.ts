import { CommandBus } from '@nestjs/cqrs';
import { IndexDocumentsCommand } from '../../../src/modules/search/commands/index-documents/index-documents.command.js';
import { RemoveDocumentsCommand } from '../../../src/modules/search/commands/remove-documents/remove-documents.command.js';
import type { DocumentKey, SearchDocument } from '../../../src/modules/search/domain/search-document.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { describeEachBackend } from '../../support/test-database.js';
import { appEnv, idsOf, inTransaction, search, storedDocument } from './search-test-kit.js';

let n = 0;
/** A fresh product id per test, so tests do not see each other's rows. */
const newId = () => `cmd-${++n}`;

const key = (sourceId: string, version: number, arrivalSeq: number): DocumentKey => ({ type: 'product', source: 'zoho', sourceId, version, arrivalSeq });
const doc = (sourceId: string, version: number, arrivalSeq: number, title: string): SearchDocument => ({
  ...key(sourceId, version, arrivalSeq),
  title,
  keywords: '',
  body: `${title} body`,
});

describeEachBackend('search document commands', (backend) => {
  let testApp: TestApp;
  const index = (documents: SearchDocument[], rewriteSameVersion = false) =>
    inTransaction(testApp.app, async (tx) => (await testApp.app.get(CommandBus).execute(new IndexDocumentsCommand(tx, documents, rewriteSameVersion))).written);
  const remove = (keys: DocumentKey[]) =>
    inTransaction(testApp.app, async (tx) => (await testApp.app.get(CommandBus).execute(new RemoveDocumentsCommand(tx, keys))).written);
  const stored = (id: string) => storedDocument(testApp.app, 'product', id);

  beforeAll(async () => {
    testApp = await createTestApp({ ...backend.env, ...appEnv });
  });
  afterAll(() => testApp?.close());

  it('writes a newer version and ignores an older one', async () => {
    const id = newId();
    expect(await index([doc(id, 2, 10, 'Second')])).toBe(1);
    expect(await index([doc(id, 1, 20, 'First')])).toBe(0);
    expect(await stored(id)).toMatchObject({ title: 'Second', version: 2, arrivalSeq: 10, deleted: false });
    expect(await index([doc(id, 3, 5, 'Third')])).toBe(1);
    expect(await stored(id)).toMatchObject({ title: 'Third', version: 3, arrivalSeq: 5 });
  });

  it('breaks a tie of versions by arrival sequence', async () => {
    const id = newId();
    await index([doc(id, 5, 11, 'Later')]);
    expect(await index([doc(id, 5, 10, 'Earlier')])).toBe(0);
    expect(await index([doc(id, 5, 12, 'Latest')])).toBe(1);
    expect(await stored(id)).toMatchObject({ title: 'Latest', arrivalSeq: 12 });
  });

  it('lets a delete beat an update of the same version, whichever arrives later', async () => {
    const first = newId();
    await index([doc(first, 7, 1, 'Kept alive?')]);
    expect(await remove([key(first, 7, 1)])).toBe(1);
    expect(await stored(first)).toMatchObject({ deleted: true, version: 7 });

    const second = newId();
    expect(await remove([key(second, 7, 1)])).toBe(1);
    // same version, later arrival: still loses to the delete
    expect(await index([doc(second, 7, 99, 'Resurrected?')])).toBe(0);
    expect(await stored(second)).toMatchObject({ deleted: true });
  });

  it('keeps a deleted document deleted when an older update arrives late', async () => {
    const id = newId();
    await index([doc(id, 1, 1, 'Zanzibarite lamp')]);
    expect(idsOf(await search(testApp.app, 'zanzibarite'))).toEqual([id]);
    await remove([key(id, 2, 2)]);
    expect(await index([doc(id, 1, 3, 'Zanzibarite lamp')])).toBe(0);
    expect(await stored(id)).toMatchObject({ deleted: true, version: 2, title: '', body: '' });
    expect(await search(testApp.app, 'zanzibarite')).toEqual([]);
  });

  it('tombstones a record it never indexed, which holds back its older updates', async () => {
    const id = newId();
    expect(await remove([key(id, 4, 4)])).toBe(1);
    expect(await index([doc(id, 3, 9, 'Too old')])).toBe(0);
    expect(await stored(id)).toMatchObject({ deleted: true, version: 4 });
  });

  it('brings a record back with an update newer than its delete', async () => {
    const id = newId();
    await index([doc(id, 1, 1, 'Quetzalcoatl mug')]);
    await remove([key(id, 2, 2)]);
    expect(await index([doc(id, 3, 3, 'Quetzalcoatl mug')])).toBe(1);
    expect(idsOf(await search(testApp.app, 'quetzalcoatl'))).toEqual([id]);
  });

  it('takes the highest change per record within one batch, in any order', async () => {
    const id = newId();
    expect(await index([doc(id, 1, 1, 'One'), doc(id, 3, 3, 'Three'), doc(id, 2, 2, 'Two')])).toBe(1);
    expect(await stored(id)).toMatchObject({ title: 'Three', version: 3 });
    const other = newId();
    expect(await remove([key(other, 2, 5), key(other, 1, 9)])).toBe(1);
    expect(await stored(other)).toMatchObject({ deleted: true, version: 2, arrivalSeq: 5 });
  });

  it('gives the same state whatever order the changes of a record are applied in', async () => {
    const changes: Array<() => Promise<number>> = [];
    const ids = [newId(), newId()];
    const apply = (id: string, step: number) =>
      [
        () => index([doc(id, 1, 1, 'v1')]),
        () => index([doc(id, 2, 2, 'v2')]),
        () => remove([key(id, 2, 3)]),
        () => index([doc(id, 2, 4, 'v2 again')]),
      ][step]();
    for (const step of [0, 1, 2, 3]) changes.push(() => apply(ids[0], step));
    for (const step of [3, 2, 1, 0]) changes.push(() => apply(ids[1], step));
    for (const change of changes) await change();
    const [a, b] = await Promise.all(ids.map(stored));
    expect(a).toMatchObject({ deleted: true, version: 2, arrivalSeq: 3 });
    expect(b).toEqual(a);
  });

  it('rewrites a document at its own precedence only when asked (reindexing)', async () => {
    const id = newId();
    await index([doc(id, 1, 1, 'Old text')]);
    expect(await index([doc(id, 1, 1, 'New mapping')])).toBe(0);
    expect(await stored(id)).toMatchObject({ title: 'Old text' });
    expect(await index([doc(id, 1, 1, 'New mapping')], true)).toBe(1);
    expect(await stored(id)).toMatchObject({ title: 'New mapping' });
    // never an older version, and never over a tombstone of the same version
    expect(await index([doc(id, 0, 1, 'Older')], true)).toBe(0);
    await remove([key(id, 1, 1)]);
    expect(await index([doc(id, 1, 1, 'Back?')], true)).toBe(0);
    expect(await stored(id)).toMatchObject({ deleted: true });
  });

  it('writes nothing for an empty batch', async () => {
    expect(await index([])).toBe(0);
    expect(await remove([])).toBe(0);
  });
});
