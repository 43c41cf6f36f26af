import { parseArgs } from 'node:util';
import { CatalogueChanges, zohoTimestamp } from './catalogue.js';
import type { CatalogueOptions } from './catalogue.js';
import { ZOHO_ENTITY_TYPES, ZohoSimulator } from './zoho-simulator.js';
import type { ZohoSimulatorOptions } from './zoho-simulator.js';

/**
 * The simulator on its own: `node dist/tools/zoho-simulator/cli.js --port 4010 --products 5000`.
 * It seeds a catalogue, prints its URL (first line of stdout) and, with --changes-per-second,
 * keeps editing records, sending a share of the edits as signed webhooks when --webhook-url and
 * --webhook-secret are given. Ctrl-C stops it.
 */

const USAGE = `Usage: node dist/tools/zoho-simulator/cli.js [options]

Server
  --port <n>                 port to listen on (default 0: any free port)
  --host <address>           default 127.0.0.1
  --organization-id <id>     default sim-org
  --client-id <id>           default sim-client-id
  --client-secret <secret>   default sim-client-secret
  --refresh-token <token>    default sim-refresh-token
  --token-ttl-s <n>          access token lifetime (default 3600)
  --rate-per-minute <n>      API calls per organisation per minute, then 429 (default 100; 0: no limit)

Catalogue
  --products <n>             default 5000
  --warehouses <n>           default 3
  --customers <n>            default 500
  --invoices <n>             default 2000
  --sales-orders <n>         default 1000
  --price-books <n>          default 4
  --seed <n>                 default 1
  --same-timestamp-runs <n>  groups of >= 250 records sharing one last_modified_time (default 0)

Changes over time
  --changes-per-second <n>   edits per second (default 0: none)
  --webhook-url <url>        e.g. http://127.0.0.1:3000/api/tds/webhooks/zoho
  --webhook-secret <secret>  the zoho source's secret (TDS_SOURCES_ZOHO_SECRETS)
  --webhook-share <0..1>     share of the edits sent as webhooks (default 0.5)
  --quiet                    print only the URL
  --help`;

export interface CliOptions {
  simulator: ZohoSimulatorOptions;
  catalogue: CatalogueOptions;
  changesPerSecond: number;
  webhook?: { url: string; secret: string };
  webhookShare: number;
  quiet: boolean;
}

/** The CLI's flags as options; throws an Error naming the flag (never its value) on a bad one. */
export function parseCliArgs(argv: readonly string[]): CliOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'organization-id': { type: 'string', default: 'sim-org' },
      'client-id': { type: 'string', default: 'sim-client-id' },
      'client-secret': { type: 'string', default: 'sim-client-secret' },
      'refresh-token': { type: 'string', default: 'sim-refresh-token' },
      'token-ttl-s': { type: 'string', default: '3600' },
      'rate-per-minute': { type: 'string', default: '100' },
      products: { type: 'string', default: '5000' },
      warehouses: { type: 'string', default: '3' },
      customers: { type: 'string', default: '500' },
      invoices: { type: 'string', default: '2000' },
      'sales-orders': { type: 'string', default: '1000' },
      'price-books': { type: 'string', default: '4' },
      seed: { type: 'string', default: '1' },
      'same-timestamp-runs': { type: 'string', default: '0' },
      'changes-per-second': { type: 'string', default: '0' },
      'webhook-url': { type: 'string' },
      'webhook-secret': { type: 'string' },
      'webhook-share': { type: 'string', default: '0.5' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const whole = (flag: keyof typeof values): number => {
    const text = String(values[flag]);
    if (!/^\d{1,9}$/.test(text)) throw new Error(`--${flag} must be a whole number`);
    return Number(text);
  };
  const fraction = (flag: keyof typeof values): number => {
    const value = Number(values[flag]);
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`--${flag} must be a number from 0 to 1`);
    return value;
  };
  const changesPerSecond = Number(values['changes-per-second']);
  if (!Number.isFinite(changesPerSecond) || changesPerSecond < 0 || changesPerSecond > 10_000) {
    throw new Error('--changes-per-second must be a number from 0 to 10000');
  }
  if ((values['webhook-url'] === undefined) !== (values['webhook-secret'] === undefined)) {
    throw new Error('--webhook-url and --webhook-secret go together');
  }
  if (values['webhook-url'] !== undefined && !URL.canParse(values['webhook-url'])) throw new Error('--webhook-url must be a URL');
  const ratePerMinute = whole('rate-per-minute');
  return {
    simulator: {
      port: whole('port'),
      host: String(values.host),
      organizationId: String(values['organization-id']),
      clientId: String(values['client-id']),
      clientSecret: String(values['client-secret']),
      refreshToken: String(values['refresh-token']),
      accessTokenTtlS: whole('token-ttl-s'),
      ...(ratePerMinute > 0 ? { rateLimit: { requests: ratePerMinute, windowMs: 60_000 } } : {}),
    },
    catalogue: {
      products: whole('products'),
      warehouses: whole('warehouses'),
      customers: whole('customers'),
      invoices: whole('invoices'),
      salesOrders: whole('sales-orders'),
      priceBooks: whole('price-books'),
      seed: whole('seed'),
      sameTimestampRuns: whole('same-timestamp-runs'),
      // Now, so that the edits to come are newer than every seeded record.
      baseTime: Date.now(),
    },
    changesPerSecond,
    webhook: values['webhook-url'] === undefined ? undefined : { url: values['webhook-url'], secret: String(values['webhook-secret']) },
    webhookShare: fraction('webhook-share'),
    quiet: values.quiet === true,
  };
}

export interface ChangeOptions {
  /** The catalogue the simulator was seeded with (its counts and seed pick the records to edit). */
  catalogue: CatalogueOptions;
  changesPerSecond: number;
  webhook?: { url: string; secret: string };
  /** Share of the changes also sent as webhooks, 0..1. */
  webhookShare?: number;
  /** A change or webhook that failed; default: ignored. Never given a secret. */
  onError?: (error: unknown) => void;
}

export interface ChangeStats {
  changes: number;
  created: number;
  webhooksSent: number;
  webhooksFailed: number;
}

/** How often the driver wakes up; each tick makes its share of the per-second changes. */
const TICK_MS = 100;
/** Webhooks in flight at once: a slow receiver makes the driver skip webhooks, not pile them up. */
const MAX_WEBHOOKS_IN_FLIGHT = 16;

/**
 * Records changing over time, as a business edits them (see CatalogueChanges), with a share of
 * the edits announced by signed webhook: the rest reach TDS only by its pulls, as when a webhook
 * is lost. Used by the CLI and the demo.
 */
export function startChanges(simulator: ZohoSimulator, options: ChangeOptions): { stop(): Promise<void>; stats: ChangeStats } {
  const changes = new CatalogueChanges(options.catalogue);
  const stats: ChangeStats = { changes: 0, created: 0, webhooksSent: 0, webhooksFailed: 0 };
  const inFlight = new Set<Promise<void>>();
  const share = options.webhookShare ?? 0.5;
  let owed = 0;
  let webhookRoll = 0;

  const webhook = (entityType: (typeof ZOHO_ENTITY_TYPES)[number], id: string, event: 'created' | 'updated'): void => {
    if (!options.webhook || inFlight.size >= MAX_WEBHOOKS_IN_FLIGHT) return;
    // Every 1/share-th change, evenly, rather than by chance: the share holds over short runs too.
    webhookRoll += share;
    if (webhookRoll < 1) return;
    webhookRoll -= 1;
    const sent = simulator.sendWebhook(options.webhook, entityType, id, event).then(
      (status) => {
        if (status >= 200 && status < 300) stats.webhooksSent += 1;
        else {
          stats.webhooksFailed += 1;
          options.onError?.(new Error(`The webhook for ${entityType} ${id} was answered ${status}`));
        }
      },
      (error: unknown) => {
        stats.webhooksFailed += 1;
        options.onError?.(error);
      },
    );
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  };

  const tick = (): void => {
    owed += (options.changesPerSecond * TICK_MS) / 1000;
    for (; owed >= 1; owed -= 1) {
      try {
        const at = Date.now();
        const change = changes.next((type, id) => simulator.record(type, id), at);
        if (!change) continue;
        if (change.event === 'created') {
          simulator.put(change.entityType, change.record);
          stats.created += 1;
        } else {
          simulator.touch(change.entityType, change.id, change.changes, at);
        }
        stats.changes += 1;
        webhook(change.entityType, change.id, change.event);
      } catch (error) {
        options.onError?.(error);
      }
    }
  };

  const timer = options.changesPerSecond > 0 ? setInterval(tick, TICK_MS) : undefined;
  return {
    stats,
    async stop() {
      if (timer) clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}

export interface RunningSimulator {
  simulator: ZohoSimulator;
  options: CliOptions;
  stop(): Promise<void>;
}

/** Starts the simulator as the CLI's flags say; resolves once it listens and is seeded (undefined after --help). */
export async function main(argv: readonly string[], out: (line: string) => void = console.log): Promise<RunningSimulator | undefined> {
  const options = parseCliArgs(argv);
  if (options === 'help') {
    out(USAGE);
    return undefined;
  }
  const simulator = await ZohoSimulator.start(options.simulator);
  const started = Date.now();
  simulator.seed(options.catalogue);
  out(simulator.url);
  if (!options.quiet) {
    const counts = ZOHO_ENTITY_TYPES.map((type) => `${simulator.count(type)} ${type}`).join(', ');
    out(`Zoho simulator at ${simulator.url}: ${counts} (seeded in ${Date.now() - started} ms, newest ${zohoTimestamp(options.catalogue.baseTime ?? Date.now())})`);
    out(`  organization id ${options.simulator.organizationId}, client id ${options.simulator.clientId}; client secret and refresh token as given (see --help)`);
    out(`  point TDS at it: TDS_ZOHO_<NAME>_ACCOUNTS_URL=${simulator.url} TDS_ZOHO_<NAME>_API_URL=${simulator.url}`);
  }
  const changes = startChanges(simulator, {
    catalogue: options.catalogue,
    changesPerSecond: options.changesPerSecond,
    webhook: options.webhook,
    webhookShare: options.webhookShare,
    onError: options.quiet ? undefined : (error) => out(`  change failed: ${error instanceof Error ? error.message : String(error)}`),
  });
  if (options.changesPerSecond > 0 && !options.quiet) {
    out(`  changing ${options.changesPerSecond} records a second${options.webhook ? `, ${Math.round(options.webhookShare * 100)}% announced by webhook to ${options.webhook.url}` : ''}`);
  }
  return {
    simulator,
    options,
    async stop() {
      await changes.stop();
      await simulator.stop();
    },
  };
}

/** Run as a program: until SIGINT or SIGTERM. */
async function run(): Promise<void> {
  let running: RunningSimulator | undefined;
  try {
    running = await main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error('Run with --help for the options.');
    process.exitCode = 1;
    return;
  }
  if (!running) return;
  const stopping = running;
  const shutdown = (): void => {
    void stopping.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

// Compiled to CommonJS: started as a program, not when a test or the demo imports it.
if (require.main === module) void run();
