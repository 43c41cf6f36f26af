import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { Client } from 'pg';
import { CurrentPrincipal, Public, Roles } from '../../../src/shared/auth/auth.decorators.js';
import type { Principal } from '../../../src/shared/auth/principal.js';
import { ROLES, type Role } from '../../../src/shared/auth/role.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../support/test-database.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the live module object, so the spy sees the guard's calls
const nodeCrypto: typeof import('node:crypto') = require('node:crypto');

@Controller('probe/auth')
class AuthProbeController {
  @Get('default')
  byDefault(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('viewer') @Roles('viewer')
  viewer(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('service') @Roles('service')
  service(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('operator') @Roles('operator')
  operator(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('admin') @Roles('admin')
  admin(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('public') @Public()
  open(@CurrentPrincipal() principal?: Principal) {
    return { principal: principal ?? null };
  }
}

@Module({ controllers: [AuthProbeController] })
class AuthProbeModule {}

const KEYS: Record<Role, string> = {
  viewer: 'viewer-key-0123456789abcd',
  service: 'service-key-0123456789abcd',
  operator: 'operator-key-0123456789abcd',
  admin: 'admin-key-0123456789abcd',
};

const keyIdOf = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 12);
const sha256Hex = (key: string) => createHash('sha256').update(key).digest('hex');

const quietApp = { TDS_WORKERS_ENABLED: 'false', TDS_OUTBOX_RELAY_ENABLED: 'false' };
const PGLITE = { ...quietApp, DATABASE_URL: '', TDS_DATA_DIR: 'memory' };

async function storedKeys(url: string): Promise<Array<{ id: string; role: string; key_hash: string }>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT id, role, key_hash FROM tds_api_keys ORDER BY id')).rows;
  } finally {
    await client.end();
  }
}

/**
 * Boots apps with stdout captured (the generated key's banner goes there, not to the log) and
 * seen as a terminal or not, whatever Jest's own stdout is.
 */
async function bootCapturingStdout(
  boot: () => Promise<TestApp[]>,
  { terminal }: { terminal: boolean },
): Promise<{ apps: TestApp[]; printed: string }> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const isTTY = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  Object.defineProperty(process.stdout, 'isTTY', { value: terminal, configurable: true, writable: true });
  try {
    return { apps: await boot(), printed: chunks.join('') };
  } finally {
    if (isTTY) Object.defineProperty(process.stdout, 'isTTY', isTTY);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
    spy.mockRestore();
  }
}

function captureLogs() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

async function readKeyFile(path: string): Promise<{ key: string; mode: number }> {
  const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  return { key: content.trim(), mode: info.mode & 0o777 };
}

const GENERATED_KEY = /tds_[A-Za-z0-9_-]{43}\b/g;

const getWithKey = (testApp: TestApp, url: string, key: string) =>
  testApp.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

describePostgres('ApiKeyGuard with TDS_API_KEYS', () => {
  let db: TestDatabase;
  let testApp: TestApp;
  const get = (url: string, authorization?: string) =>
    testApp.app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

  beforeAll(async () => {
    db = await createTestDatabase();
    testApp = await createTestApp(
      { ...quietApp, DATABASE_URL: db.url, TDS_API_KEYS: ROLES.map((role) => `${role}:${KEYS[role]}`).join(',') },
      { imports: [AuthProbeModule] },
    );
  });

  afterAll(async () => {
    await testApp?.close();
    await db?.drop();
  });

  it('answers a request without a key with 401 AUTH.MISSING_API_KEY and a Bearer challenge', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer   ']) {
      const res = await get('/probe/auth/viewer', authorization);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toMatchObject({ statusCode: 401, error: 'AUTH.MISSING_API_KEY' });
    }
  });

  it('answers an unknown key with 401 AUTH.INVALID_API_KEY', async () => {
    const res = await get('/probe/auth/viewer', 'Bearer not-a-configured-key');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toEqual({ statusCode: 401, error: 'AUTH.INVALID_API_KEY', message: 'The API key is not valid' });
  });

  const matrix = ROLES.flatMap((keyRole) =>
    ROLES.map((routeRole) => [keyRole, routeRole, ROLES.indexOf(keyRole) >= ROLES.indexOf(routeRole)] as const),
  );

  it.each(matrix)('a %s key on a %s route is allowed: %s', async (keyRole, routeRole, allowed) => {
    const res = await get(`/probe/auth/${routeRole}`, `Bearer ${KEYS[keyRole]}`);
    if (allowed) {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ keyId: keyIdOf(KEYS[keyRole]), role: keyRole });
    } else {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ statusCode: 403, error: 'AUTH.INSUFFICIENT_ROLE' });
    }
  });

  it('requires viewer on a route without @Roles()', async () => {
    expect((await get('/probe/auth/default')).statusCode).toBe(401);
    const res = await get('/probe/auth/default', `bearer ${KEYS.viewer}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ keyId: keyIdOf(KEYS.viewer), role: 'viewer' });
  });

  it('lets anyone through to @Public() routes, health, and the API docs', async () => {
    expect((await get('/probe/auth/public')).json()).toEqual({ principal: null });
    expect((await get('/health/live')).statusCode).toBe(200);
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    const docs = await get('/api/docs');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
    expect(docs.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect((await get('/api/docs/swagger-ui-bundle.js')).statusCode).toBe(200);
    const json = await get('/api/docs-json');
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({
      openapi: expect.any(String),
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    });
  });

  it('compares the presented key with every configured key in constant time', async () => {
    const spy = jest.spyOn(nodeCrypto, 'timingSafeEqual');
    await get('/probe/auth/viewer', 'Bearer not-a-configured-key');
    expect(spy).toHaveBeenCalledTimes(ROLES.length);
    spy.mockClear();
    await get('/probe/auth/viewer', `Bearer ${KEYS.viewer}`);
    expect(spy).toHaveBeenCalledTimes(ROLES.length);
    for (const [a, b] of spy.mock.calls) {
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
    spy.mockRestore();
  });
});

describePostgres('generated admin key, several instances on one database', () => {
  let db: TestDatabase;
  let dir: string;
  let keyFile: string;
  const apps: TestApp[] = [];
  let generatedKey: string;
  const env = () => ({ ...quietApp, DATABASE_URL: db.url, TDS_API_KEYS: '', TDS_ADMIN_KEY_FILE: keyFile, LOG_LEVEL: 'silent' });

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'tds-admin-key-'));
    keyFile = join(dir, 'admin-api-key');
    // Left by someone else, readable by all: replaced whole, not written into.
    await writeFile(keyFile, 'an older key, and then some more text\n', { mode: 0o644 });
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is generated once for the cluster, written to the key file by its creator, shown once on a terminal, stored only as a digest', async () => {
    const { apps: started, printed } = await bootCapturingStdout(
      () =>
        Promise.all([
          createTestApp(env(), { imports: [AuthProbeModule] }),
          createTestApp(env(), { imports: [AuthProbeModule] }),
        ]),
      { terminal: true },
    );
    apps.push(...started);
    const keys = printed.match(GENERATED_KEY) ?? [];
    expect(keys).toHaveLength(1);
    expect(printed.match(/generated an admin API key/g)).toHaveLength(1);
    expect(printed).toContain(keyFile);
    generatedKey = keys[0] as string;
    expect(await readKeyFile(keyFile)).toEqual({ key: generatedKey, mode: 0o600 });

    for (const testApp of started) {
      const res = await getWithKey(testApp, '/probe/auth/admin', generatedKey);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ keyId: keyIdOf(generatedKey), role: 'admin' });
      expect((await getWithKey(testApp, '/probe/auth/admin', 'tds_wrong')).statusCode).toBe(401);
    }

    const rows = await storedKeys(db.url);
    expect(rows).toEqual([{ id: 'generated-admin', role: 'admin', key_hash: sha256Hex(generatedKey) }]);
    expect(JSON.stringify(rows)).not.toContain(generatedKey.slice(4));
  });

  it('is not shown or written again on a restart, and still works', async () => {
    await writeFile(keyFile, 'moved aside by the operator\n');
    const { apps: [restarted], printed } = await bootCapturingStdout(
      async () => [await createTestApp(env(), { imports: [AuthProbeModule] })],
      { terminal: true },
    );
    apps.push(restarted!);
    expect(printed).not.toMatch(GENERATED_KEY);
    expect(await readFile(keyFile, 'utf8')).toBe('moved aside by the operator\n');
    expect((await getWithKey(restarted!, '/probe/auth/admin', generatedKey)).statusCode).toBe(200);
  });

  it('is ignored once keys are configured', async () => {
    const configured = await createTestApp(
      { ...env(), TDS_API_KEYS: `admin:${KEYS.admin}` },
      { imports: [AuthProbeModule] },
    );
    apps.push(configured);
    expect(await storedKeys(db.url)).toHaveLength(1);
    expect((await getWithKey(configured, '/probe/auth/viewer', generatedKey)).statusCode).toBe(401);
    expect((await getWithKey(configured, '/probe/auth/admin', KEYS.admin)).statusCode).toBe(200);
  });
});

// The default set-up of a developer machine: embedded database, no keys configured.
describe('generated admin key on the embedded database', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tds-admin-key-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is written to TDS_ADMIN_KEY_FILE (its directory created, mode 0600) and logged by path only; a stdout that is no terminal never sees it', async () => {
    const keyFile = join(dir, 'not', 'there', 'yet', 'admin-api-key');
    const logs = captureLogs();
    const { apps: [testApp], printed } = await bootCapturingStdout(
      async () => [
        await createTestApp(
          { ...PGLITE, TDS_API_KEYS: '', TDS_ADMIN_KEY_FILE: keyFile, LOG_LEVEL: 'info' },
          { logDestination: logs.destination },
        ),
      ],
      { terminal: false },
    );
    try {
      const { key, mode } = await readKeyFile(keyFile);
      expect(key).toMatch(/^tds_[A-Za-z0-9_-]{43}$/);
      expect(mode).toBe(0o600);
      const stats = await getWithKey(testApp!, '/api/tds/queue/stats', key);
      expect(stats.statusCode).toBe(200);

      const output = logs.lines.join('');
      expect(output).toContain(keyFile);
      expect(output).not.toContain(key.slice(4));
      expect(printed).not.toContain(key.slice(4));
    } finally {
      await testApp?.close();
    }
  });

});

describePostgres('generated admin key that cannot be written', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'tds-admin-key-'));
  });

  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops boot and stores no digest, so the next start generates a key it can hand over', async () => {
    // A regular file where the key file's directory should be.
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, '');
    const unwritable = join(blocker, 'admin-api-key');
    const env = { ...quietApp, DATABASE_URL: db.url, TDS_API_KEYS: '', LOG_LEVEL: 'silent' };
    await expect(createTestApp({ ...env, TDS_ADMIN_KEY_FILE: unwritable })).rejects.toThrow(
      `TDS_ADMIN_KEY_FILE: the generated admin API key could not be written to ${unwritable}`,
    );
    expect(await storedKeys(db.url)).toEqual([]);

    const keyFile = join(dir, 'admin-api-key');
    const testApp = await createTestApp({ ...env, TDS_ADMIN_KEY_FILE: keyFile });
    try {
      const { key } = await readKeyFile(keyFile);
      expect(await storedKeys(db.url)).toEqual([{ id: 'generated-admin', role: 'admin', key_hash: sha256Hex(key) }]);
      expect((await getWithKey(testApp, '/api/tds/queue/stats', key)).statusCode).toBe(200);
    } finally {
      await testApp.close();
    }
  });
});
