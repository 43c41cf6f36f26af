import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/**
 * Cruises one probe file placed where a real file would be (the rules match on paths), and
 * returns the rules it breaks. The probe is removed whatever happens.
 */
async function violationsOf(dir: string, source: string): Promise<string[]> {
  const file = join('src', dir, `probe-${randomBytes(4).toString('hex')}.ts`);
  writeFileSync(join(ROOT, file), source);
  try {
    const { stdout } = await run(
      process.execPath,
      [join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), file, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
    return report.summary.violations.filter((v) => v.from === file).map((v) => v.rule.name);
  } finally {
    rmSync(join(ROOT, file), { force: true });
  }
}

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  jest.setTimeout(60_000);

  it('let the worker loop import the apply stage and a job send a command', async () => {
    expect(await violationsOf('modules/tds/workers', `import '../apply/mark-completed.service.js';\n`)).toEqual([]);
    expect(await violationsOf('modules/tds/jobs', `import '../commands/run-retention/run-retention.command.js';\n`)).toEqual([]);
  });

  it('refuse a job, worker or alert reaching a handler or the SQL of a use case', async () => {
    expect(await violationsOf('modules/tds/jobs', `import '../commands/run-retention/run-retention.handler.js';\n`)).toContain(
      'tds-runtime-sends-commands-through-the-bus',
    );
    expect(await violationsOf('modules/tds/workers', `import '../commands/enqueue-items/enqueue-items.sql.js';\n`)).toContain(
      'tds-runtime-sends-commands-through-the-bus',
    );
    expect(await violationsOf('modules/tds/alerts', `import '../queries/list-alerts/list-alerts.handler.js';\n`)).toContain(
      'tds-runtime-sends-commands-through-the-bus',
    );
  });

  it('refuse a use case applying items itself or calling the worker', async () => {
    expect(await violationsOf('modules/tds/commands/enqueue-items', `import '../../apply/mark-completed.service.js';\n`)).toEqual(
      expect.arrayContaining(['tds-apply-stage-belongs-to-the-workers', 'tds-use-cases-do-not-reach-the-workers']),
    );
    expect(await violationsOf('modules/tds/queries/get-queue-stats', `import '../../workers/queue-worker.service.js';\n`)).toContain(
      'tds-use-cases-do-not-reach-the-workers',
    );
  });

  it('keep the domain and the event classes free of the rest of TDS', async () => {
    expect(await violationsOf('modules/tds/domain', `import '../queue/queue-item-inserter.js';\n`)).toContain('tds-domain-depends-on-nothing-in-tds');
    expect(await violationsOf('modules/tds/events', `import '../outbox/outbox-publisher.js';\n`)).toContain('tds-events-depend-on-the-domain-only');
    expect(await violationsOf('modules/tds/events', `import '../domain/queue-item.js';\n`)).toEqual([]);
  });

  it('keep the BFF off the database and other modules behind their public.ts', async () => {
    expect(await violationsOf('modules/bff', `import 'typeorm';\n`)).toContain('bff-touches-no-database');
    expect(await violationsOf('modules/bff', `import '../../shared/database/sql.js';\n`)).toContain('bff-touches-no-database');
    expect(await violationsOf('modules/inventory', `import '../tds/workers/queue-worker.service.js';\n`)).toContain('module-reaches-into-another');
    expect(await violationsOf('modules/inventory', `import '../tds/public.js';\n`)).toEqual([]);
  });
});
