import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { defaultRoles, parseClusterArgs } from '../../tools/cluster/cluster-plan.js';
import { eventually } from '../support/spawn-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/test-database.js';

const CLUSTER = join(__dirname, '..', '..', 'dist', 'tools', 'cluster', 'cluster.js');

describe('the cluster launcher plan', () => {
  it('lays out N instances so that every role runs and API and workers each run twice from three on', () => {
    expect(defaultRoles(1)).toEqual(['all']);
    expect(defaultRoles(3)).toEqual(['all', 'worker', 'api']);
    expect(parseClusterArgs(['--instances', '3', '--port', '4000'], {}).instances).toEqual([
      { index: 1, role: 'all', port: 4000 },
      { index: 2, role: 'worker', port: 4001 },
      { index: 3, role: 'api', port: 4002 },
    ]);
    expect(parseClusterArgs([], { PORT: '5000' }).instances.map((i) => i.port)).toEqual([5000, 5001, 5002]);
    expect(parseClusterArgs(['--roles', 'api,scheduler;worker'], {}).instances.map((i) => i.role)).toEqual(['api,scheduler', 'worker']);
  });

  it('refuses what would not make a working cluster, naming the problem', () => {
    expect(() => parseClusterArgs(['--roles', 'api;wroker'], {})).toThrow('unknown role "wroker"');
    expect(() => parseClusterArgs(['--roles', 'api;worker'], {})).toThrow('no instance runs the scheduler role');
    expect(() => parseClusterArgs(['--instances', '0'], {})).toThrow('--instances takes 1..32');
    expect(() => parseClusterArgs(['--instances', '2', '--roles', 'all'], {})).toThrow('--roles names 1 instances, --instances 2');
    expect(() => parseClusterArgs(['--replicas', '2'], {})).toThrow('unknown argument --replicas');
  });
});

/** A first port with `n - 1` free ports after it, on loopback, right now. */
async function freePortRun(n: number): Promise<number> {
  const isFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer().once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let i = 0; i < n && free; i++) free = await isFree(base + i);
    if (free) return base;
  }
}

describePostgres('npm run cluster', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('starts three instances by role on one database and stops them all on Ctrl-C', async () => {
    const base = await freePortRun(3);
    const child = spawn(process.execPath, [CLUSTER, '--instances', '3', '--port', String(base)], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, HOST: '127.0.0.1', LOG_LEVEL: 'warn', TDS_API_KEYS: 'admin:cluster-admin-key-0123456789' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const roles = await eventually(
        async () =>
          Promise.all(
            [0, 1, 2].map(async (i) => {
              const res = await fetch(`http://127.0.0.1:${base + i}/health/ready`);
              if (!res.ok) throw new Error(`instance ${i + 1}: ${res.status}`);
              return ((await res.json()) as { info: { role: { roles: string[] } } }).info.role.roles;
            }),
          ),
        90_000,
        250,
      );
      expect(roles).toEqual([['api', 'worker', 'scheduler'], ['worker'], ['api']]);
      // The worker instance serves no API; the api one does.
      expect((await fetch(`http://127.0.0.1:${base + 1}/api/tds/queue/stats`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${base + 2}/api/tds/queue/stats`)).status).toBe(401);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('[cluster] SIGINT: stopping 3 instance(s)');
    for (const i of [0, 1, 2]) await expect(fetch(`http://127.0.0.1:${base + i}/health/live`)).rejects.toThrow();
  });
});
