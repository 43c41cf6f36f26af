import { CommandBus } from '@nestjs/cqrs';
import { ResolveDeadLetterCommand } from '../../../../src/modules/tds/public.js';
import { rows } from '../../../support/queue-fixtures.js';
import { describePostgres } from '../../../support/test-database.js';
import { KEYS, getRun, itemStatuses, makeDeadLetters, newCustomer, newProducts, useSyncRunApp } from './sync-run-test-kit.js';

type Key = string | null;

describePostgres('the dead-letter routes: GET /api/tds/dead-letter, POST /api/tds/dead-letter/replay', () => {
  const suite = useSyncRunApp();

  const auth = (key: Key) => (key ? { authorization: `Bearer ${key}` } : {});
  const list = (query: string, key: Key = KEYS.viewer) =>
    suite.app.inject({ method: 'GET', url: `/api/tds/dead-letter${query}`, headers: auth(key) });
  const replay = (body: unknown, key: Key = KEYS.operator) =>
    suite.app.inject({ method: 'POST', url: '/api/tds/dead-letter/replay', headers: auth(key), payload: body as object });

  /**
   * Dead letters of items that failed permanently, in id order; the fault is lifted afterwards.
   * A distinct error code keeps each test's dead letters apart from the others' in one database.
   */
  async function deadLetters(items: { sourceEntityId: string }[], errorCode?: string): Promise<number[]> {
    const ids = await makeDeadLetters(suite, items);
    if (errorCode) await rows(suite.db, `UPDATE tds_dead_letters SET error_code = $2 WHERE id = ANY ($1::bigint[])`, [ids, errorCode]);
    return ids;
  }

  const idsOf = (res: { json: () => { items: { id: number }[] } }) => res.json().items.map((item) => item.id);

  it('lists dead letters newest first with their fields, filtered by entity type, error code and open or closed', async () => {
    const products = await deadLetters(newProducts(3), 'FILTER_TEST');
    const [customer] = await deadLetters([newCustomer()], 'FILTER_TEST');
    await suite.app.get(CommandBus).execute(new ResolveDeadLetterCommand(products[0], 'operator:test', 'fixed in Zoho'));
    expect((await replay({ ids: [products[1]] })).statusCode).toBe(202);

    const all = await list('?errorCode=FILTER_TEST');
    expect(all.statusCode).toBe(200);
    expect(all.json().nextCursor).toBeNull();
    // Newest first: the customer's batch ran last; within a batch (one created_at) the higher id first.
    expect(idsOf(all)).toEqual([customer, products[2], products[1], products[0]]);
    const [, , replayed, resolved] = all.json().items;
    expect(resolved).toEqual({
      id: products[0],
      queueItemId: expect.any(Number),
      entityType: 'product',
      sourceEntityId: expect.any(String),
      errorCode: 'FILTER_TEST',
      failureReason: expect.stringContaining('injected permanent fault'),
      attempts: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      resolvedAt: expect.stringMatching(/Z$/),
      resolvedBy: 'operator:test',
      resolutionNote: 'fixed in Zoho',
      replayedAt: null,
      replayedBy: null,
      replayQueueItemId: null,
    });
    expect(replayed).toMatchObject({ resolvedAt: null, replayedAt: expect.stringMatching(/Z$/), replayedBy: expect.stringMatching(/^operator:/) });
    expect(replayed.replayQueueItemId).toEqual(expect.any(Number));

    expect(idsOf(await list('?errorCode=FILTER_TEST&entityType=customer'))).toEqual([customer]);
    expect(idsOf(await list('?errorCode=FILTER_TEST&resolved=false'))).toEqual([customer, products[2]]);
    expect(idsOf(await list('?errorCode=FILTER_TEST&resolved=true'))).toEqual([products[1], products[0]]);
    expect(idsOf(await list('?errorCode=FILTER_TEST&entityType=product&resolved=false'))).toEqual([products[2]]);
    expect(idsOf(await list('?errorCode=NO_SUCH_CODE'))).toEqual([]);
  });

  it('pages with a keyset cursor: each dead letter once, while new ones arrive between pages', async () => {
    // Three batches: dead letters of one batch share created_at, so the id decides within it.
    const existing = [
      ...(await deadLetters(newProducts(10), 'PAGE_TEST')),
      ...(await deadLetters(newProducts(8), 'PAGE_TEST')),
      ...(await deadLetters(newProducts(7), 'PAGE_TEST')),
    ];
    const seen: number[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(`?errorCode=PAGE_TEST&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: { id: number }[]; nextCursor: string | null };
      seen.push(...page.items.map((item) => item.id));
      pageSizes.push(page.items.length);
      cursor = page.nextCursor;
      // Newer than every page so far: they belong before the first page, never after it.
      await deadLetters(newProducts(2), 'PAGE_TEST');
    } while (cursor);

    expect(pageSizes).toEqual([10, 10, 5]);
    expect(seen).toEqual([...existing].reverse());
  });

  it('refuses bad parameters with a 422 naming them', async () => {
    for (const [query, path] of [
      ['?limit=0', 'limit'],
      ['?limit=201', 'limit'],
      ['?limit=abc', 'limit'],
      ['?resolved=yes', 'resolved'],
      ['?entityType=a%00b', 'entityType'],
      ['?errorCode=a%1Fb', 'errorCode'],
      ['?cursor=abc', 'cursor'],
      ['?cursor=bad%20cursor', 'cursor'],
      [`?cursor=${Buffer.from(JSON.stringify(['yesterday', 1])).toString('base64url')}`, 'cursor'],
      ['?offset=10', 'offset'],
    ]) {
      const res = await list(query);
      expect({ query, statusCode: res.statusCode }).toEqual({ query, statusCode: 422 });
      expect(res.json().error).toBe('VALIDATION_FAILED');
      expect(res.json().details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });

  it('replays by ids as one replay run; ids no longer open are reported skipped, and a second replay replays nothing', async () => {
    const items = newProducts(4);
    const ids = await deadLetters(items);
    await suite.app.get(CommandBus).execute(new ResolveDeadLetterCommand(ids[3], 'operator:test', 'not needed'));

    const res = await replay({ ids: [ids[0], ids[1], ids[2], ids[3], 987654321] });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toEqual({ syncRunId: expect.any(Number), replayed: 3, skipped: [ids[3], 987654321], more: false });
    expect(await getRun(suite.app, body.syncRunId)).toMatchObject({ kind: 'replay', entityType: 'product', total: 3 });
    expect(await itemStatuses(suite.db, body.syncRunId)).toEqual({ pending: 3 });
    const marked = await rows<{ id: number; replayed_by: string; replay_queue_item_id: number | null }>(
      suite.db,
      `SELECT id, replayed_by, replay_queue_item_id FROM tds_dead_letters WHERE id = ANY ($1::bigint[]) ORDER BY id`,
      [ids],
    );
    expect(marked.slice(0, 3).every((d) => d.replayed_by.startsWith('operator:') && d.replay_queue_item_id !== null)).toBe(true);
    expect(marked[3].replay_queue_item_id).toBeNull();

    const again = await replay({ ids: ids.slice(0, 3) });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ syncRunId: null, replayed: 0, skipped: ids.slice(0, 3), more: false });
  });

  it('replays by filter: the open dead letters matching it, and says how many', async () => {
    const products = await deadLetters(newProducts(3), 'REPLAY_FILTER_TEST');
    const [customer] = await deadLetters([newCustomer()], 'REPLAY_FILTER_TEST');
    await suite.app.get(CommandBus).execute(new ResolveDeadLetterCommand(products[0], 'operator:test', 'not needed'));

    const res = await replay({ filter: { entityType: 'product', errorCode: 'REPLAY_FILTER_TEST' } });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toEqual({ syncRunId: expect.any(Number), replayed: 2, skipped: [], more: false });
    expect(await itemStatuses(suite.db, body.syncRunId)).toEqual({ pending: 2 });
    expect(idsOf(await list('?errorCode=REPLAY_FILTER_TEST&resolved=false'))).toEqual([customer]);

    const again = await replay({ filter: { entityType: 'product', errorCode: 'REPLAY_FILTER_TEST' } });
    expect(again.json()).toEqual({ syncRunId: null, replayed: 0, skipped: [], more: false });
  });

  it('refuses a replay body with both or neither of ids and filter, or a malformed one, with a 422 naming the field', async () => {
    for (const [body, path] of [
      [{}, 'ids'],
      [{ ids: [1], filter: {} }, 'ids'],
      [{ ids: [] }, 'ids'],
      [{ ids: Array.from({ length: 1001 }, (_, i) => i + 1) }, 'ids'],
      [{ ids: [1, 'two'] }, 'ids'],
      [{ ids: [0] }, 'ids'],
      [{ ids: [1e30] }, 'ids'],
      [{ ids: 5 }, 'ids'],
      [{ filter: 'product' }, 'filter'],
      [{ filter: { entityType: 'a\u0000b' } }, 'filter.entityType'],
      [{ filter: { errorCode: 7 } }, 'filter.errorCode'],
      [{ filter: { status: 'open' } }, 'filter.status'],
      [{ ids: [1], extra: true }, 'extra'],
    ] as const) {
      const res = await replay(body);
      expect({ body, statusCode: res.statusCode }).toEqual({ body, statusCode: 422 });
      expect(res.json().error).toBe('VALIDATION_FAILED');
      expect(res.json().details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });

  it('takes the literal `replay` as the bulk route, never as a dead letter id', async () => {
    // The bulk route's own validation answers, not the single replay's id check.
    const res = await replay({});
    expect(res.json().details).toContainEqual({ path: 'ids', message: 'exactly one of ids and filter must be given' });
    const single = await suite.app.inject({ method: 'POST', url: '/api/tds/dead-letter/replay/replay', headers: auth(KEYS.operator) });
    expect(single.statusCode).toBe(422);
    expect(single.json().details).toEqual([{ path: 'id', message: 'id must be a positive integer' }]);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await suite.app.inject({ method: 'GET', url: '/api/docs-json' })).json();
    expect(doc.paths['/api/tds/dead-letter']).toHaveProperty('get');
    expect(doc.paths['/api/tds/dead-letter/replay']).toHaveProperty('post');
    expect(doc.components.schemas.ReplayDeadLettersDto.properties).toHaveProperty('filter');
  });

  it('needs a key to list (401) and an operator to replay (403 for viewer and service)', async () => {
    expect((await list('', null)).statusCode).toBe(401);
    expect((await list('?limit=1', KEYS.viewer)).statusCode).toBe(200);
    expect((await replay({ ids: [1] }, null)).statusCode).toBe(401);
    for (const key of [KEYS.viewer, KEYS.service]) {
      const res = await replay({ ids: [1] }, key);
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('AUTH.INSUFFICIENT_ROLE');
    }
    expect((await replay({ ids: [987654321] }, KEYS.admin)).json()).toEqual({ syncRunId: null, replayed: 0, skipped: [987654321], more: false });
  });
});
