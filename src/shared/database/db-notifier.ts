import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { pglitePoolOf } from './pglite-pool.js';
import type { PglitePool } from './pglite-pool.js';

export type NotificationHandler = (payload: string) => void;

/** Plain lower-case identifiers: LISTEN folds case and pg_notify does not, so anything else is a trap. */
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const RECONNECT_BASE_MS = 250;
const RECONNECT_CAP_MS = 30_000;

type Dispatch = (channel: string, payload: string) => void;

interface ListenBackend {
  listen(channel: string): Promise<void>;
  unlisten(channel: string): Promise<void>;
  close(): Promise<void>;
}

interface ChannelState {
  handlers: Set<NotificationHandler>;
  /** Settles when the LISTEN is in place; later subscribers wait for it too. */
  ready: Promise<void>;
}

/**
 * PostgreSQL LISTEN/NOTIFY for waking pollers early. A wake-up only: notifications sent while
 * the listening connection is down are lost, so every consumer must also poll.
 *
 * On `pg` one dedicated connection (outside the pool, which would otherwise lose a connection
 * per listener) carries every LISTEN and is re-established with backoff. On PGlite a LISTEN
 * through the one-session pool would hold the session for good; PGlite's own listen() is used.
 */
@Injectable()
export class DbNotifier implements OnApplicationShutdown {
  private readonly logger = new Logger(DbNotifier.name);
  private readonly channels = new Map<string, ChannelState>();
  private readonly backend: ListenBackend;
  private closed = false;

  constructor(private readonly dataSource: DataSource) {
    const dispatch: Dispatch = (channel, payload) => this.dispatch(channel, payload);
    const pool = pglitePoolOf(dataSource);
    this.backend = pool
      ? new PgliteListener(pool, dispatch)
      : new PgListener(
          dataSource.options as PostgresDataSourceOptions,
          () => this.channels.keys(),
          dispatch,
          this.logger,
        );
  }

  /** Subscribes `handler`; resolves once the LISTEN is active, with a function that unsubscribes. */
  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    assertChannel(channel);
    if (this.closed) throw new Error('DbNotifier is closed');
    // Wrapped so that the same function subscribed twice is two subscriptions.
    const subscription: NotificationHandler = (payload) => handler(payload);
    let state = this.channels.get(channel);
    if (!state) {
      const created: ChannelState = { handlers: new Set(), ready: this.backend.listen(channel) };
      created.ready.catch(() => {
        if (this.channels.get(channel) === created) this.channels.delete(channel);
      });
      this.channels.set(channel, created);
      state = created;
    }
    state.handlers.add(subscription);
    try {
      await state.ready;
    } catch (err) {
      state.handlers.delete(subscription);
      throw err;
    }
    const subscribed = state;
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      subscribed.handlers.delete(subscription);
      if (subscribed.handlers.size > 0 || this.channels.get(channel) !== subscribed) return;
      this.channels.delete(channel);
      if (!this.closed) await this.backend.unlisten(channel);
    };
  }

  /**
   * Sends a notification. Inside a transaction pass its manager (`queryRunner.manager`): the
   * notification is then delivered at commit, and not at all on rollback. Without one it goes
   * through a pooled connection, which on PGlite waits for any open transaction to finish.
   */
  async notify(channel: string, payload = '', manager: EntityManager = this.dataSource.manager): Promise<void> {
    assertChannel(channel);
    await manager.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
    await this.backend.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private dispatch(channel: string, payload: string): void {
    for (const handler of this.channels.get(channel)?.handlers ?? []) {
      try {
        handler(payload);
      } catch (err) {
        // Thrown inside pg's socket handling (or PGlite's query) it would take those down.
        this.logger.error(`notification handler for "${channel}" failed: ${(err as Error).message}`);
      }
    }
  }
}

function assertChannel(channel: string): void {
  if (!CHANNEL_NAME.test(channel)) throw new Error(`invalid notification channel name "${channel}"`);
}

class PgliteListener implements ListenBackend {
  private readonly unlistens = new Map<string, () => Promise<void>>();

  constructor(
    private readonly pool: PglitePool,
    private readonly dispatch: Dispatch,
  ) {}

  async listen(channel: string): Promise<void> {
    const unlisten = await this.pool.listen(channel, (payload) => this.dispatch(channel, payload));
    this.unlistens.set(channel, unlisten);
  }

  async unlisten(channel: string): Promise<void> {
    const unlisten = this.unlistens.get(channel);
    this.unlistens.delete(channel);
    await unlisten?.();
  }

  /**
   * Nothing to send: the notifier has dropped its handlers, and PGlite's registrations go with
   * the database when the DataSource closes (which may already have happened).
   */
  async close(): Promise<void> {
    this.unlistens.clear();
  }
}

class PgListener implements ListenBackend {
  private client?: Client;
  private connecting?: Promise<Client>;
  private retryTimer?: NodeJS.Timeout;
  private failures = 0;
  private closed = false;
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: PostgresDataSourceOptions,
    private readonly channels: () => Iterable<string>,
    private readonly dispatch: Dispatch,
    private readonly logger: Logger,
  ) {}

  async listen(channel: string): Promise<void> {
    const client = await this.connection();
    await this.inTurn(() => client.query(`LISTEN ${channel}`));
  }

  async unlisten(channel: string): Promise<void> {
    // Without a connection there is nothing to undo, and a reconnect only restores channels
    // that still have subscribers.
    const client = this.client;
    if (!client) return;
    try {
      await this.inTurn(() => client.query(`UNLISTEN ${channel}`));
    } catch (err) {
      this.logger.warn(`UNLISTEN ${channel} failed: ${(err as Error).message}`);
    }
  }

  /**
   * One statement at a time on the shared connection: the services subscribe together at boot,
   * and pg queues concurrent queries on a client only by a path it deprecates (gone in pg 9).
   */
  private inTurn<T>(statement: () => Promise<T>): Promise<T> {
    const run = this.turn.then(statement);
    this.turn = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end();
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: `${this.options.applicationName ?? 'tds'}/listener`,
      keepAlive: true,
      // DATABASE_CONNECT_TIMEOUT_MS bounds opening it and its own statements (LISTEN, UNLISTEN,
      // all instant), so neither a reconnect nor a shutdown can hang on a server that stopped answering.
      connectionTimeoutMillis: this.options.connectTimeoutMS,
      query_timeout: this.options.connectTimeoutMS,
    });
    client.on('notification', (msg) => this.dispatch(msg.channel, msg.payload ?? ''));
    // Without an 'error' listener a dropped connection would crash the process.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.channels()) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end();
      throw new Error('DbNotifier is closed');
    }
    this.client = client;
    this.failures = 0;
    return client;
  }

  private lost(client: Client, err?: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.closed) return;
    // With no subscribers the next listen() connects on demand.
    if ([...this.channels()].length === 0) return;
    this.logger.warn(`LISTEN connection lost (${err?.message ?? 'closed by the server'}); reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retryTimer) return;
    const delay = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** this.failures);
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closed || this.client) return;
      this.connection().then(
        () => this.logger.log('LISTEN connection restored'),
        (err: Error) => {
          this.logger.warn(`LISTEN reconnect failed: ${err.message}`);
          this.scheduleReconnect();
        },
      );
    }, delay);
    // A pending reconnect alone should not keep the process alive.
    this.retryTimer.unref();
  }
}
