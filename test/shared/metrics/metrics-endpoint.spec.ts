import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { describeEachBackend } from '../../support/test-database.js';
import { parseSamples, promtoolFindings, sampleValue, sampleValueOr, scrape } from './prometheus-text.js';

const VIEWER = 'metrics-spec-viewer-key-0123';

describeEachBackend('GET /metrics', (backend) => {
  let testApp: TestApp;
  const get = (url: string) => testApp.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${VIEWER}` } });

  beforeAll(async () => {
    testApp = await createTestApp({
      ...backend.env,
      TDS_WORKERS_ENABLED: 'false',
      TDS_OUTBOX_RELAY_ENABLED: 'false',
      TDS_API_KEYS: `viewer:${VIEWER}`,
      LOG_LEVEL: 'silent',
    });
  });
  afterAll(async () => {
    await testApp?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  it('needs no key and answers in the Prometheus text format that promtool accepts, every name prefixed tds_', async () => {
    await get('/api/tds/queue/1');
    const text = await scrape(testApp.app);
    expect(promtoolFindings(text) ?? '').toBe('');

    const samples = parseSamples(text);
    expect(samples.filter((s) => !s.name.startsWith('tds_'))).toEqual([]);
    const names = new Set(samples.map((s) => s.name));
    for (const name of [
      'tds_process_cpu_user_seconds_total',
      'tds_http_requests_total',
      'tds_http_request_duration_seconds_bucket',
      'tds_queue_items_processed_total',
      'tds_queue_batch_duration_seconds_count',
      'tds_queue_depth',
      'tds_outbox_pending_events',
      'tds_alerts_open',
      'tds_database_metrics_up',
    ]) {
      expect(names).toContain(name);
    }
    expect(sampleValue(samples, 'tds_database_metrics_up')).toBe(1);
  });

  it('counts requests by route template, exactly, never by raw URL', async () => {
    const labels = { method: 'GET', route: '/api/tds/queue/:id', status_code: '404' };
    const before = parseSamples(await scrape(testApp.app));
    for (const id of [900001, 900002, 900003]) expect((await get(`/api/tds/queue/${id}`)).statusCode).toBe(404);
    expect((await get('/no/such/route/42')).statusCode).toBe(404);
    const after = parseSamples(await scrape(testApp.app));

    // A series may not exist before its first request: absent there reads as 0, never after.
    const delta = (name: string, l: Record<string, string>) => sampleValue(after, name, l) - sampleValueOr(before, name, l, 0);
    expect(delta('tds_http_requests_total', labels)).toBe(3);
    expect(delta('tds_http_request_duration_seconds_count', labels)).toBe(3);
    expect(delta('tds_http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    // The scrape before `after` was itself counted.
    expect(delta('tds_http_requests_total', { method: 'GET', route: '/metrics', status_code: '200' })).toBe(1);
    const routes = after.filter((s) => s.name === 'tds_http_requests_total').map((s) => s.labels.route);
    expect(routes.filter((route) => /\d{6}|42/.test(route))).toEqual([]);
  });

  it('still answers when the database cannot be read: the database gauges read NaN and say so', async () => {
    jest.spyOn(testApp.app.get(DataSource), 'createQueryRunner').mockImplementationOnce(() => {
      throw new Error('connect ECONNREFUSED');
    });
    const text = await scrape(testApp.app);
    const samples = parseSamples(text);
    expect(sampleValue(samples, 'tds_database_metrics_up')).toBe(0);
    expect(sampleValue(samples, 'tds_queue_depth', { status: 'pending' })).toBeNaN();
    expect(sampleValue(samples, 'tds_dead_letters_open')).toBeNaN();
    expect(promtoolFindings(text) ?? '').toBe('');
    // The next scrape reads again.
    expect(sampleValue(parseSamples(await scrape(testApp.app)), 'tds_database_metrics_up')).toBe(1);
  });
});
