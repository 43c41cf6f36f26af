import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { checkConvergence, type ConvergenceReport, type TruthRecord } from '../../tools/check-convergence/convergence-checks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { insertQueueItems, productPayload, rows, shuffledDeliveries, waitUntilDrained } from '../support/queue-fixtures.js';
import { eventually } from '../support/spawn-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/test-database.js';

const CLI = join(__dirname, '..', '..', 'dist', 'tools', 'check-convergence', 'check-convergence.js');

/** The built CLI (`npm test` builds first): its exit code and parsed --json report. */
function runCli(args: string[]): Promise<{ code: number; report: ConvergenceReport }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args, '--json'], { env: { PATH: process.env.PATH ?? '' } }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: number }).code) : 0;
      try {
        resolve({ code, report: JSON.parse(stdout) as ConvergenceReport });
      } catch {
        reject(new Error(`check-convergence exited ${code}: ${stderr || stdout}`));
      }
    });
  });
}

/**
 * The convergence checker against a real database the app converged itself, then tampered
 * with one way at a time: each tamper must be found, and the untouched state must pass.
 */
describePostgres('check-convergence', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let db: DataSource;
  let dir: string;
  const truth: TruthRecord[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tds-check-convergence-'));
    database = await createTestDatabase();
    testApp = await createTestApp({
      DATABASE_URL: database.url,
      TDS_WORKER_COUNT: '2',
      TDS_BATCH_SIZE: '200',
      TDS_POLL_INTERVAL_MS: '50',
      TDS_OUTBOX_POLL_INTERVAL_MS: '50',
      TDS_API_KEYS: 'service:service-key-0123456789abcd',
    });
    db = testApp.app.get(DataSource);
    const { deliveries, newest } = shuffledDeliveries(200, 5, 0.3);
    await insertQueueItems(db, deliveries);
    await waitUntilDrained(db);
    for (const [id, version] of newest) {
      truth.push({ source: 'zoho', entityType: 'product', sourceEntityId: id, version, data: productPayload(id, version) });
    }
    // Converged once the reactions caught up with the mirror.
    await eventually(async () => expect((await checkConvergence(db, truth)).converged).toBe(true), 60_000, 200);
  });
  afterAll(async () => {
    await testApp?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `tamper` in a transaction, checks inside it, and rolls it back: each case starts from the converged state. */
  async function whileTampered(tamper: string, params: unknown[] = [], withTruth: readonly TruthRecord[] = truth): Promise<ConvergenceReport> {
    const runner = db.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(tamper, params);
      return await checkConvergence(runner, withTruth);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it('passes the converged state, and the CLI exits 0 with the same report', async () => {
    const report = await checkConvergence(db, truth);
    expect(report.totals.entities).toBe(200);
    for (const finding of [report.lost, report.staleOverwrites, report.appliedTwice, report.missingEvents, report.downstream, report.dataMismatches]) {
      expect(finding).toEqual({ count: 0, sample: [] });
    }
    const file = join(dir, 'truth.ndjson');
    writeFileSync(file, truth.map((t) => JSON.stringify(t)).join('\n'));
    const cli = await runCli(['--database-url', database.url, '--truth', file]);
    expect(cli.code).toBe(0);
    expect(cli.report.converged).toBe(true);
    expect(cli.report.totals.truthRecords).toBe(200);
  });

  it('finds a lost item: the source has a newer version than the mirror, or a record the mirror lacks', async () => {
    const newer = truth.map((t) => (t.sourceEntityId === 'p7' ? { ...t, version: t.version + 1 } : t));
    const report = await checkConvergence(db, [...newer, { source: 'zoho', entityType: 'product', sourceEntityId: 'never-arrived', version: 1 }]);
    expect(report.converged).toBe(false);
    expect(report.lost.count).toBe(2);
    expect(report.lost.sample).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sourceEntityId: 'p7', problem: 'behind' }),
        expect.objectContaining({ sourceEntityId: 'never-arrived', problem: 'missing' }),
      ]),
    );
  });

  it('finds a lost item without truth: an item marked superseded above the mirror', async () => {
    const report = await whileTampered(
      `INSERT INTO tds_sync_queue (source, entity_type, source_entity_id, operation, version, payload, max_attempts, status, completed_at)
       SELECT source, entity_type, source_entity_id, operation, version + 1, payload, max_attempts, 'superseded', now()
       FROM tds_sync_queue WHERE id = (SELECT arrival_seq FROM tds_entities WHERE source_entity_id = 'p3')`,
      [],
      [],
    );
    expect(report.lost.sample).toEqual([expect.objectContaining({ sourceEntityId: 'p3', problem: 'superseded above the mirror' })]);
    expect(report.converged).toBe(false);
  });

  it('finds a stale overwrite: an older item written over a newer one', async () => {
    const report = await whileTampered(
      `UPDATE tds_entities e SET version = q.version, arrival_seq = q.id, data = q.payload, content_hash = q.content_hash
       FROM tds_sync_queue q
       WHERE e.source_entity_id = 'p5' AND q.source_entity_id = 'p5' AND q.version = 1`,
    );
    expect(report.staleOverwrites.count).toBe(1);
    expect(report.staleOverwrites.sample[0]).toEqual(
      expect.objectContaining({ sourceEntityId: 'p5', mirrorVersion: 1, appliedVersion: 5, problem: 'mirror behind its newest applied item' }),
    );
    // The truth agrees (and the newer items now read as superseded above the mirror); the downstream stayed at the newer version.
    expect(report.lost.sample).toEqual(expect.arrayContaining([expect.objectContaining({ sourceEntityId: 'p5', problem: 'behind' })]));
    expect(report.downstream.count).toBeGreaterThan(0);
  });

  it('finds a double apply: a second event for one item, and a redelivery completed again', async () => {
    const secondEvent = await whileTampered(
      `INSERT INTO tds_outbox (event_type, correlation_id, causation_id, payload, dispatched_at)
       SELECT event_type, correlation_id, causation_id, payload, dispatched_at FROM tds_outbox
       WHERE causation_id = (SELECT causation_id FROM tds_outbox WHERE payload ->> 'sourceEntityId' = 'p9' ORDER BY id DESC LIMIT 1)`,
    );
    expect(secondEvent.appliedTwice.sample).toEqual([expect.objectContaining({ problem: 'events for one item', times: 2 })]);
    expect(secondEvent.converged).toBe(false);

    // A redelivery of p11's newest change, enqueued later and marked completed instead of unchanged.
    const [{ id }] = await rows<{ id: string }>(
      db,
      `INSERT INTO tds_sync_queue (source, entity_type, source_entity_id, operation, version, payload, max_attempts, status, completed_at)
       SELECT source, entity_type, source_entity_id, operation, version, payload, max_attempts, 'unchanged', now()
       FROM tds_sync_queue WHERE id = (SELECT arrival_seq FROM tds_entities WHERE source_entity_id = 'p11')
       RETURNING id`,
    );
    try {
      const redelivery = await whileTampered(
        `WITH flipped AS (UPDATE tds_sync_queue SET status = 'completed' WHERE id = $1 RETURNING id)
         UPDATE tds_entities SET arrival_seq = (SELECT id FROM flipped) WHERE source_entity_id = 'p11'`,
        [id],
      );
      expect(redelivery.appliedTwice.sample).toEqual([
        expect.objectContaining({ problem: 'one change completed by several items', sourceEntityId: 'p11', times: 2 }),
      ]);
      expect(redelivery.staleOverwrites.count).toBe(0);
    } finally {
      await db.query(`DELETE FROM tds_sync_queue WHERE id = $1`, [id]);
    }
  });

  it('exits 1 and names the problem when not converged, and 2 without a database', async () => {
    await db.query(`UPDATE tds_entities SET version = version - 1 WHERE source_entity_id = 'p13'`);
    try {
      const cli = await runCli(['--database-url', database.url]);
      expect(cli.code).toBe(1);
      expect(cli.report.converged).toBe(false);
      expect(cli.report.staleOverwrites.sample).toEqual([expect.objectContaining({ sourceEntityId: 'p13' })]);
    } finally {
      await db.query(`UPDATE tds_entities SET version = version + 1 WHERE source_entity_id = 'p13'`);
    }
    const usage = await new Promise<number>((resolve) =>
      execFile(process.execPath, [CLI], { env: { PATH: process.env.PATH ?? '' } }, (error) => resolve(Number((error as { code?: number } | null)?.code ?? 0))),
    );
    expect(usage).toBe(2);
  });
});
