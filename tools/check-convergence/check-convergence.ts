import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { parseVersion } from '../../src/modules/tds/domain/version.js';
import { checkConvergence, formatReport } from './convergence-checks.js';
import type { TruthRecord } from './convergence-checks.js';

/**
 * `npm run check:convergence -- --database-url <url> [--truth <file.ndjson>] [--json]`: checks a
 * TDS database (a live deployment's too: it only reads) and exits 0 when converged, 1 when
 * not, 2 on bad usage or when the database cannot be read.
 */

const USAGE = `Usage: node dist/tools/check-convergence/check-convergence.js [options]

  --database-url <url>   the TDS PostgreSQL database (default: DATABASE_URL)
  --truth <file>         NDJSON, one {"source","entityType","sourceEntityId","version","data"?} a line,
                         what the source holds (several lines per record: the highest version counts);
                         adds the lost, data mismatch and ahead-of-truth checks
  --json                 print the report as JSON instead of text
  --help

Without --truth it checks the database's own invariants: the mirror is at each entity's newest
applied item, no change applied twice, every applied item has its event, inventory and search are
in step with the mirror, and no work is left open (pending, retry, processing, dead letters,
undispatched events).`;

/** Versions as the API takes them (an integer, a digit string, an ISO-8601 timestamp with a zone), by the API's own rule. */
function toVersion(value: unknown, line: number): number {
  const parsed = parseVersion(value);
  if (!parsed.ok) throw new Error(`truth line ${line}: ${parsed.message}`);
  return parsed.value;
}

function readTruth(path: string): TruthRecord[] {
  const records: TruthRecord[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim() === '') return;
      const line = index + 1;
      const raw = JSON.parse(text) as Record<string, unknown>;
      for (const field of ['source', 'entityType', 'sourceEntityId'] as const) {
        if (typeof raw[field] !== 'string' || raw[field] === '') throw new Error(`truth line ${line}: ${field} must be a non-empty string`);
      }
      records.push({
        source: raw.source as string,
        entityType: raw.entityType as string,
        sourceEntityId: raw.sourceEntityId as string,
        version: toVersion(raw.version, line),
        ...(raw.data === undefined ? {} : { data: raw.data }),
      });
    });
  return records;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'database-url': { type: 'string' },
      truth: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const url = values['database-url'] ?? process.env.DATABASE_URL;
  if (!url) throw new Error('--database-url (or DATABASE_URL) is required');
  const truth = values.truth === undefined ? undefined : readTruth(values.truth);
  const client = new Client({ connectionString: url, application_name: 'tds-check-convergence' });
  await client.connect();
  try {
    // One snapshot for every check: a live deployment moves on between statements otherwise.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const report = await checkConvergence(client, truth);
    await client.query('COMMIT');
    console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.converged ? 0 : 1;
  } finally {
    await client.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(`check-convergence: ${error.message} (--help for usage)`);
    process.exitCode = 2;
  },
);
