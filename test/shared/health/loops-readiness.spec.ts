import 'reflect-metadata';
import { QueueWorkerService } from '../../../src/modules/tds/workers/queue-worker.service.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { eventually } from '../../support/spawn-app.js';
import { describeEachBackend } from '../../support/test-database.js';

/** Far above an idle step (an empty claim), so only the hung step below can pass it. */
const STALL_MS = 1_500;

describeEachBackend('readiness of the background loops', (backend) => {
  let testApp: TestApp;
  const ready = () => testApp.app.inject({ method: 'GET', url: '/health/ready' });

  beforeAll(async () => {
    testApp = await createTestApp({
      ...backend.env,
      TDS_INSTANCE_ID: 'loops-spec',
      TDS_WORKER_COUNT: '2',
      TDS_POLL_INTERVAL_MS: '50',
      TDS_OUTBOX_POLL_INTERVAL_MS: '50',
      TDS_LOOP_STALL_MS: String(STALL_MS),
      TDS_API_KEYS: 'viewer:loops-spec-key-0123456789',
      TDS_SHUTDOWN_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'silent',
    });
  });
  afterAll(async () => {
    await testApp?.close();
  });

  it('is ready while the workers and the relay run', async () => {
    const res = await ready();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', info: { workers: { status: 'up' }, relay: { status: 'up' } } });
    expect(res.json().info.workers).not.toHaveProperty('state');
  });

  it('is not ready while a worker step hangs past the stall limit, naming the loop, and ready again once it ends', async () => {
    const worker = testApp.app.get(QueueWorkerService);
    let release: (claimed: number) => void = () => undefined;
    const hung = new Promise<number>((resolve) => {
      release = resolve;
    });
    // The next step either worker starts never ends, until released.
    jest.spyOn(worker, 'runBatch').mockReturnValueOnce(hung);
    try {
      const res = await eventually(async () => {
        const r = await ready();
        expect(r.statusCode).toBe(503);
        return r;
      }, 30_000);
      expect(res.json()).toMatchObject({
        details: {
          status: 'error',
          info: { database: { status: 'up' }, relay: { status: 'up' } },
          error: { workers: { status: 'down', message: 'stalled', stalledLoops: [expect.stringMatching(/^loops-spec\/worker\/[12]$/)] } },
        },
      });
    } finally {
      release(0);
      jest.restoreAllMocks();
    }
    await eventually(async () => expect((await ready()).statusCode).toBe(200), 30_000);
  });
});
