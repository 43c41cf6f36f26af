import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catalogueRecords, zohoTimestamp } from './catalogue.js';
import type { CatalogueOptions } from './catalogue.js';

/**
 * A local stand-in for Zoho Inventory / Books and the Zoho accounts server, for TDS's tests, its
 * benchmark and the demo: the OAuth refresh-token grant, list endpoints with Zoho's paging and
 * `last_modified_time` filter, faults on demand (5xx, 429 storms, broken bodies, expired or
 * revoked tokens) and signed webhooks. Shapes: /work/pull-design.md; node:http only, so it costs
 * the process under test as little as possible.
 */

export const ZOHO_ENTITY_TYPES = ['product', 'customer', 'invoice', 'sales_order', 'price_list'] as const;
export type ZohoEntityType = (typeof ZOHO_ENTITY_TYPES)[number];

interface ZohoEntityShape {
  /** After /inventory/v1/ or /books/v3/. */
  readonly listPath: string;
  /** The list answer's key. */
  readonly responseKey: string;
  /** The webhook body's key (ZohoDeliveryMapper's module). */
  readonly module: string;
  readonly idField: string;
  /** Price books have no last_modified_time: sorted by id, the filter ignored. */
  readonly timestamped: boolean;
}

export const ZOHO_ENTITY_SHAPES: Readonly<Record<ZohoEntityType, ZohoEntityShape>> = {
  product: { listPath: 'items', responseKey: 'items', module: 'item', idField: 'item_id', timestamped: true },
  customer: { listPath: 'contacts', responseKey: 'contacts', module: 'contact', idField: 'contact_id', timestamped: true },
  invoice: { listPath: 'invoices', responseKey: 'invoices', module: 'invoice', idField: 'invoice_id', timestamped: true },
  sales_order: { listPath: 'salesorders', responseKey: 'salesorders', module: 'salesorder', idField: 'salesorder_id', timestamped: true },
  price_list: { listPath: 'pricebooks', responseKey: 'pricebooks', module: 'pricebook', idField: 'pricebook_id', timestamped: false },
};

const ENTITY_TYPE_BY_PATH = new Map(ZOHO_ENTITY_TYPES.map((type) => [ZOHO_ENTITY_SHAPES[type].listPath, type]));

export interface ZohoSimulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  organizationId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Default 3600. */
  accessTokenTtlS?: number;
  /** Per organisation, a sliding window over the calls it served; over it → 429 + Retry-After. Absent: no limit. */
  rateLimit?: { requests: number; windowMs: number };
  /** Epoch ms, default Date.now: token expiry, the rate window, fault durations and touch() times all read it. */
  clock?: () => number;
}

/** One request the simulator answered. Never holds a secret: the token endpoint's parameters are not kept. */
export interface SimulatorRequest {
  at: number;
  method: string;
  path: string;
  organizationId?: string;
  status: number;
  page?: number;
  /** An API call's query parameters (organization_id, page, per_page, last_modified_time, …). */
  query?: Record<string, string>;
  /** Why it was refused: `invalid_code` (OAuth), `unauthorized`, `organization`, `rate_limited`, `storm`, `server_error`, `malformed:<kind>`, … */
  error?: string;
}

/** A request as it arrives, before the simulator answers it (see onRequest). */
export type SimulatorRequestInfo = Omit<SimulatorRequest, 'status' | 'error'>;

export type WebhookEvent = 'created' | 'updated' | 'deleted';

/** Where and how to sign a webhook; the defaults are those of TDS's `zoho` source (src/shared/config/webhooks.config.ts). */
export interface WebhookTarget {
  /** The full URL, e.g. http://127.0.0.1:3000/api/tds/webhooks/zoho. */
  url: string;
  secret: string;
  /** Default x-zoho-webhook-signature. */
  signatureHeader?: string;
  /** Default `body`: the HMAC covers the raw body only (the source's SIGNED_CONTENT). */
  signedContent?: 'body' | 'query+body';
  /** When the source has a TIMESTAMP_HEADER: Unix seconds of the simulator's clock in it, signed as `<timestamp>.<content>`. */
  timestampHeader?: string;
}

const MAX_PER_PAGE = 200;
/** The request log keeps this many entries; past it the oldest half goes, so a long demo stays small. */
const REQUEST_LOG_LIMIT = 100_000;
const MAX_TOKEN_BODY_BYTES = 64 * 1024;
const API_ROUTE = /^\/(inventory\/v1|books\/v3)\/([a-z_]+)(?:\/([^/]+))?\/?$/;
const TOKEN_PATH = '/oauth/v2/token';
const AUTHORIZATION = /^Zoho-oauthtoken\s+(\S+)\s*$/i;
const WHOLE_NUMBER = /^\d{1,9}$/;
const DIGITS = /^\d+$/;
/** Zoho's form and ISO-8601 with a zone; what TDS's version parser accepts. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/i;

/** Epoch ms of a timestamp in Zoho's format (or any ISO-8601 one with a zone); undefined when it is none. */
export function parseZohoTimestamp(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0));
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (new Date(local).getUTCDate() !== day) return undefined;
  return local - offsetMinutes * 60_000;
}

// ---------------------------------------------------------------------------------------------
// The records of one entity type, kept sorted

/**
 * A record as served: its JSON text (what a page is made of, so serving costs no stringify and the
 * store holds one compact string per record) and its sort key.
 */
interface Entry {
  readonly id: string;
  /** Zoho ids are digit strings: those sort numerically, before any other. */
  readonly numericId: boolean;
  /** Epoch ms of last_modified_time; 0 for a price book or a record without a readable one. */
  readonly time: number;
  readonly json: string;
}

function compareIds(a: Entry, b: Entry): number {
  if (a.numericId !== b.numericId) return a.numericId ? -1 : 1;
  if (a.numericId && a.id.length !== b.id.length) return a.id.length - b.id.length;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** (last_modified_time, id) ascending: a total order, so pages are stable whatever shares a second. */
function compareEntries(a: Entry, b: Entry): number {
  return a.time - b.time || compareIds(a, b);
}

class EntityStore {
  private entries: Entry[] = [];
  private readonly byId = new Map<string, Entry>();

  constructor(readonly shape: ZohoEntityShape) {}

  get size(): number {
    return this.entries.length;
  }

  entry(record: Record<string, unknown>): Entry {
    const raw = record[this.shape.idField];
    if ((typeof raw !== 'string' || raw === '') && typeof raw !== 'number') {
      throw new TypeError(`A ${this.shape.module} record needs its ${this.shape.idField} (a string or a number)`);
    }
    const id = String(raw);
    const time = this.shape.timestamped ? (parseZohoTimestamp(record.last_modified_time) ?? 0) : 0;
    return { id, numericId: DIGITS.test(id), time, json: JSON.stringify(record) };
  }

  /** Replaces every record: one sort, not one insertion each. */
  replaceAll(entries: Entry[]): void {
    this.byId.clear();
    for (const entry of entries) this.byId.set(entry.id, entry);
    this.entries = [...this.byId.values()].sort(compareEntries);
  }

  get(id: string): Entry | undefined {
    return this.byId.get(id);
  }

  upsert(entry: Entry): void {
    this.remove(entry.id);
    this.entries.splice(this.insertionPoint(entry), 0, entry);
    this.byId.set(entry.id, entry);
  }

  remove(id: string): Entry | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    const index = this.insertionPoint(entry) - 1;
    if (this.entries[index] !== entry) throw new Error(`The ${this.shape.module} store lost its order at ${id}`);
    this.entries.splice(index, 1);
    this.byId.delete(id);
    return entry;
  }

  /** The first index whose time is >= `time`. */
  lowerBound(time: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle].time < time) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  slice(from: number, to: number): Entry[] {
    return this.entries.slice(from, to);
  }

  all(): readonly Entry[] {
    return this.entries;
  }

  /** The index after every entry that sorts before or equal to `entry`. */
  private insertionPoint(entry: Entry): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareEntries(this.entries[middle], entry) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

// ---------------------------------------------------------------------------------------------
// Answers

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  log?: Partial<SimulatorRequest>;
}

const json = (status: number, body: unknown, log?: Partial<SimulatorRequest>, headers?: Record<string, string>): Answer => ({
  status,
  body: JSON.stringify(body),
  log,
  headers,
});

const NOT_AUTHORIZED = { code: 57, message: 'You are not authorized to perform this operation' };
const SERVER_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Timeout',
};

function invalidValue(name: string): Answer {
  return json(400, { code: 2, message: `Invalid value passed for ${name}` }, { error: 'invalid_value' });
}

/** A query value as Zoho reads it: an unencoded `+` of a timestamp's zone arrives as a space. */
function timestampParameter(value: string): string {
  return value.replace(/ (\d{2}:?\d{2})$/, '+$1');
}

function positive(name: string, value: string | null, fallback: number): number | Answer {
  if (value === null) return fallback;
  if (!WHOLE_NUMBER.test(value) || Number(value) < 1) return invalidValue(name);
  return Number(value);
}

// ---------------------------------------------------------------------------------------------
// The simulator

export class ZohoSimulator {
  readonly requests: SimulatorRequest[] = [];
  private readonly stores: Record<ZohoEntityType, EntityStore>;
  /** Records removed (a `deleted` webhook), so a webhook about one can still be sent. */
  private readonly removed = new Map<string, string>();
  private readonly clock: () => number;
  private readonly accessTokenTtlMs: number;
  private readonly tokens = new Map<string, number>();
  private refreshTokenRevoked = false;
  private refreshes = 0;
  private readonly failures: number[] = [];
  private failingUntil = 0;
  private failingStatus = 500;
  private stormUntil = 0;
  private stormRetryAfterS: number | undefined;
  private readonly malformed: ('non-json' | 'truncated')[] = [];
  /** Times of the calls served inside the rate window, oldest first. */
  private window: number[] = [];
  private readonly listeners = new Set<(request: SimulatorRequestInfo) => void>();
  private server: Server | undefined;
  private address = '';

  private constructor(private readonly options: ZohoSimulatorOptions) {
    for (const name of ['organizationId', 'clientId', 'clientSecret', 'refreshToken'] as const) {
      if (typeof options[name] !== 'string' || options[name] === '') throw new TypeError(`ZohoSimulatorOptions.${name} must be a non-empty string`);
    }
    const { rateLimit } = options;
    if (rateLimit && !(Number.isInteger(rateLimit.requests) && rateLimit.requests >= 1 && rateLimit.windowMs > 0)) {
      throw new RangeError('ZohoSimulatorOptions.rateLimit needs requests >= 1 and windowMs > 0');
    }
    this.clock = options.clock ?? Date.now;
    this.accessTokenTtlMs = (options.accessTokenTtlS ?? 3600) * 1000;
    this.stores = Object.fromEntries(ZOHO_ENTITY_TYPES.map((type) => [type, new EntityStore(ZOHO_ENTITY_SHAPES[type])])) as Record<
      ZohoEntityType,
      EntityStore
    >;
  }

  static async start(options: ZohoSimulatorOptions): Promise<ZohoSimulator> {
    const simulator = new ZohoSimulator(options);
    await simulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return simulator;
  }

  /** Serves /oauth/v2/token and /inventory/v1/*, /books/v3/* alike: use it as both accounts and API URL. */
  get url(): string {
    return this.address;
  }

  get tokenRefreshes(): number {
    return this.refreshes;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections would hold close() open until they idle out.
    server.closeAllConnections();
    await closed;
  }

  // ---- records ------------------------------------------------------------------------------

  /** Replaces every record with a generated catalogue (see generateCatalogue). */
  seed(catalogue: CatalogueOptions): void {
    const entries: Record<ZohoEntityType, Entry[]> = { product: [], customer: [], invoice: [], sales_order: [], price_list: [] };
    for (const [type, record] of catalogueRecords(catalogue)) entries[type].push(this.stores[type].entry(record));
    for (const type of ZOHO_ENTITY_TYPES) this.stores[type].replaceAll(entries[type]);
    this.removed.clear();
  }

  /** Inserts or replaces a record verbatim (tests build edge cases: shared timestamps, malformed fields). */
  put(entityType: ZohoEntityType, record: Record<string, unknown>): void {
    const store = this.store(entityType);
    const entry = store.entry(record);
    store.upsert(entry);
    this.removed.delete(`${entityType}:${entry.id}`);
  }

  /**
   * An edit: `changes` merged into the record (shallow) and last_modified_time set to `at`
   * (default the clock), at second precision, as Zoho stamps it; the record moves to its new place
   * in the order. A price book keeps its empty last_modified_time. Returns the new version.
   */
  touch(entityType: ZohoEntityType, id: string, changes: Record<string, unknown> = {}, at: number = this.clock()): Record<string, unknown> {
    const store = this.store(entityType);
    const current = store.get(id);
    if (!current) throw new Error(`No ${entityType} ${id} in the simulator`);
    const before = JSON.parse(current.json) as Record<string, unknown>;
    // The id stays: a change naming another one would silently become a second record.
    const record = { ...before, ...changes, [store.shape.idField]: before[store.shape.idField] };
    if (store.shape.timestamped) record.last_modified_time = zohoTimestamp(at);
    store.upsert(store.entry(record));
    return record;
  }

  /** Deletes a record from the lists (as a deletion in Zoho); returns it, or undefined when there was none. */
  remove(entityType: ZohoEntityType, id: string): Record<string, unknown> | undefined {
    const entry = this.store(entityType).remove(id);
    if (!entry) return undefined;
    this.removed.set(`${entityType}:${id}`, entry.json);
    return JSON.parse(entry.json) as Record<string, unknown>;
  }

  /** The current version of one record, a copy. */
  record(entityType: ZohoEntityType, id: string): Record<string, unknown> | undefined {
    const entry = this.store(entityType).get(id);
    return entry ? (JSON.parse(entry.json) as Record<string, unknown>) : undefined;
  }

  /** The source's truth: every current record of the type, copies, in the lists' order. */
  records(entityType: ZohoEntityType): Record<string, unknown>[] {
    return this.store(entityType)
      .all()
      .map((entry) => JSON.parse(entry.json) as Record<string, unknown>);
  }

  count(entityType: ZohoEntityType): number {
    return this.store(entityType).size;
  }

  // ---- faults -------------------------------------------------------------------------------

  /** The next `count` API calls answer `status` (5xx, default 500); calls add up. */
  failRequests(count: number, status = 500): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('failRequests: count must be a whole number');
    this.failures.push(...Array<number>(count).fill(serverErrorStatus(status)));
  }

  /** Every API call answers `status` (5xx, default 500) for the next `ms` of the clock. */
  failFor(ms: number, status = 500): void {
    this.failingStatus = serverErrorStatus(status);
    this.failingUntil = this.clock() + ms;
  }

  /** Every API call answers 429 for the next `ms`; Retry-After is `retryAfterS`, or the storm's remaining seconds. */
  rateLimitStorm(ms: number, retryAfterS?: number): void {
    this.stormUntil = this.clock() + ms;
    this.stormRetryAfterS = retryAfterS;
  }

  /** The next `count` list answers are 200 with a broken body: an HTML error page, or the page's JSON cut short. */
  malformResponses(count: number, kind: 'non-json' | 'truncated'): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError('malformResponses: count must be a whole number');
    this.malformed.push(...Array<'non-json' | 'truncated'>(count).fill(kind));
  }

  /** Every access token issued so far answers 401 from now on; a refresh issues a working one. */
  expireAccessTokens(): void {
    this.tokens.clear();
  }

  /** The refresh token stops working (invalid_code), and so do the access tokens issued from it, as when a user revokes the grant. */
  revokeRefreshToken(): void {
    this.refreshTokenRevoked = true;
    this.tokens.clear();
  }

  restoreRefreshToken(): void {
    this.refreshTokenRevoked = false;
  }

  /**
   * Calls `listener` on every request (token endpoint included, without its parameters) before it
   * is answered, so what the listener does (an edit, a fault) already applies to that request:
   * tests make things happen mid-run, e.g. expire the tokens at page 2. Returns the unsubscribe.
   */
  onRequest(listener: (request: SimulatorRequestInfo) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ---- webhooks -----------------------------------------------------------------------------

  /**
   * POSTs the record as Zoho's default webhook body, `{"<module>": record}`, with
   * `?event=<module>.<event>` on the URL (ZohoDeliveryMapper's operation), signed as TDS's zoho
   * source verifies: hex HMAC-SHA256 of the raw body in x-zoho-webhook-signature. A `deleted`
   * event removes the record from the lists first (Zoho deletes, then tells) and carries
   * `"event_type": "<module>.deleted"` in the body too, since a source that signs only the body
   * refuses a delete named by the unsigned query alone. Resolves to the HTTP status.
   */
  async sendWebhook(target: WebhookTarget, entityType: ZohoEntityType, id: string, event: WebhookEvent = 'updated'): Promise<number> {
    const { module } = this.store(entityType).shape;
    const json = event === 'deleted' ? this.deletedJson(entityType, id) : this.store(entityType).get(id)?.json;
    if (json === undefined) throw new Error(`No ${entityType} ${id} in the simulator`);
    const eventName = `${module}.${event}`;
    const body = event === 'deleted' ? `{"${module}":${json},"event_type":"${eventName}"}` : `{"${module}":${json}}`;
    const url = new URL(target.url);
    url.searchParams.set('event', eventName);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    let timestamp: string | undefined;
    if (target.timestampHeader !== undefined) {
      timestamp = String(Math.floor(this.clock() / 1000));
      headers[target.timestampHeader] = timestamp;
    }
    headers[target.signatureHeader ?? 'x-zoho-webhook-signature'] = webhookSignature(target, url, body, timestamp);
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
    await response.arrayBuffer();
    return response.status;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private store(entityType: ZohoEntityType): EntityStore {
    const store = this.stores[entityType];
    if (!store) throw new TypeError(`Unknown Zoho entity type "${String(entityType)}"; known: ${ZOHO_ENTITY_TYPES.join(', ')}`);
    return store;
  }

  private deletedJson(entityType: ZohoEntityType, id: string): string | undefined {
    const current = this.store(entityType).get(id);
    if (current) this.remove(entityType, id);
    return current?.json ?? this.removed.get(`${entityType}:${id}`);
  }

  private async listen(port: number, host: string): Promise<void> {
    const server = createServer({ keepAliveTimeout: 10_000 }, (request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!response.headersSent) this.send(request, response, json(500, { code: -1, message: `Simulator error: ${message}` }), request.url?.split('?')[0] ?? '/');
        else response.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.address = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator');
    if (this.listeners.size > 0) {
      const info = requestInfo(this.clock(), request.method ?? 'GET', url);
      for (const listener of [...this.listeners]) listener(info);
    }
    if (url.pathname === TOKEN_PATH) {
      const body = await readBody(request);
      this.send(request, response, this.token(request.method ?? 'GET', url, body), url.pathname);
      return;
    }
    request.resume();
    this.send(request, response, this.api(request, url), url.pathname);
  }

  private send(request: IncomingMessage, response: ServerResponse, answer: Answer, path: string): void {
    this.log({ at: this.clock(), method: request.method ?? 'GET', path, status: answer.status, ...answer.log });
    response.writeHead(answer.status, {
      'content-type': answer.log?.error === 'malformed:non-json' ? 'text/html; charset=UTF-8' : 'application/json;charset=UTF-8',
      'content-length': Buffer.byteLength(answer.body),
      ...answer.headers,
    });
    response.end(answer.body);
  }

  private log(entry: SimulatorRequest): void {
    if (this.requests.length >= REQUEST_LOG_LIMIT) this.requests.splice(0, REQUEST_LOG_LIMIT / 2);
    this.requests.push(entry);
  }

  /** The refresh-token grant. Zoho answers a refused grant 200 with an `error` field. */
  private token(method: string, url: URL, body: string): Answer {
    if (method !== 'POST') return json(405, { error: 'invalid_request' }, { error: 'method' });
    const params = new URLSearchParams(url.search);
    for (const [name, value] of new URLSearchParams(body)) if (!params.has(name)) params.set(name, value);
    if (params.get('grant_type') !== 'refresh_token') return json(200, { error: 'unsupported_grant_type' }, { error: 'unsupported_grant_type' });
    const granted =
      !this.refreshTokenRevoked &&
      params.get('refresh_token') === this.options.refreshToken &&
      params.get('client_id') === this.options.clientId &&
      params.get('client_secret') === this.options.clientSecret;
    if (!granted) return json(200, { error: 'invalid_code' }, { error: 'invalid_code' });
    const accessToken = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    const now = this.clock();
    // A demo refreshing for days keeps only the tokens still alive.
    if (this.tokens.size >= 1000) for (const [token, expiresAt] of this.tokens) if (expiresAt <= now) this.tokens.delete(token);
    this.tokens.set(accessToken, now + this.accessTokenTtlMs);
    this.refreshes += 1;
    return json(200, {
      access_token: accessToken,
      // Where to call the API: this simulator, never the real Zoho.
      api_domain: this.address,
      token_type: 'Bearer',
      expires_in: Math.round(this.accessTokenTtlMs / 1000),
    });
  }

  /**
   * An API call, checked in this order: the route (404), faults on demand (429 storm, 5xx), the
   * token (401), organization_id (400), the rate window (429), the parameters (400); then the
   * answer, broken on demand.
   */
  private api(request: IncomingMessage, url: URL): Answer {
    const route = API_ROUTE.exec(url.pathname);
    const entityType = route ? ENTITY_TYPE_BY_PATH.get(route[2]) : undefined;
    if (!route || !entityType) return json(404, { code: 5, message: 'Invalid URL Passed' }, { error: 'not_found' });
    const now = this.clock();
    const log = callFields(url);
    const { organizationId } = log;
    if (request.method !== 'GET') return json(405, { code: 37, message: 'The HTTP method is not allowed for this resource' }, { ...log, error: 'method' });

    if (now < this.stormUntil) {
      const retryAfter = this.stormRetryAfterS ?? Math.max(1, Math.ceil((this.stormUntil - now) / 1000));
      return json(429, { code: 44, message: 'You have exceeded the maximum number of API calls allowed' }, { ...log, error: 'storm' }, { 'retry-after': String(retryAfter) });
    }
    const failure = now < this.failingUntil ? this.failingStatus : this.failures.shift();
    if (failure !== undefined) return json(failure, { code: -1, message: SERVER_ERROR_MESSAGES[failure] ?? 'Internal Server Error' }, { ...log, error: 'server_error' });

    const token = AUTHORIZATION.exec(request.headers.authorization ?? '')?.[1];
    const expiresAt = token === undefined ? undefined : this.tokens.get(token);
    if (expiresAt === undefined || expiresAt <= now) return json(401, NOT_AUTHORIZED, { ...log, error: 'unauthorized' });
    if (organizationId === undefined || organizationId === '') {
      return json(400, { code: 6041, message: 'The organization_id parameter is required' }, { ...log, error: 'organization' });
    }
    if (organizationId !== this.options.organizationId) {
      return json(400, { code: 6041, message: 'This organization_id does not belong to the authorised user' }, { ...log, error: 'organization' });
    }
    const retryAfter = this.takeRateToken(now);
    if (retryAfter !== undefined) {
      return json(429, { code: 44, message: 'You have exceeded the maximum number of API calls allowed in a minute' }, { ...log, error: 'rate_limited' }, {
        'retry-after': String(retryAfter),
      });
    }

    const answer = route[3] === undefined ? this.list(entityType, url.searchParams) : this.one(entityType, decodeURIComponent(route[3]));
    answer.log = { ...log, ...answer.log };
    const broken = answer.status === 200 && route[3] === undefined ? this.malformed.shift() : undefined;
    if (broken === 'non-json') {
      return { status: 200, body: '<html><head><title>Zoho</title></head><body>Service is temporarily unavailable. Please try again later.</body></html>', log: { ...answer.log, error: 'malformed:non-json' } };
    }
    if (broken === 'truncated') return { status: 200, body: answer.body.slice(0, Math.max(1, Math.floor(answer.body.length / 2))), log: { ...answer.log, error: 'malformed:truncated' } };
    return answer;
  }

  /** Seconds to wait when the window is full, else undefined (and the call is counted). */
  private takeRateToken(now: number): number | undefined {
    const limit = this.options.rateLimit;
    if (!limit) return undefined;
    const since = now - limit.windowMs;
    let expired = 0;
    while (expired < this.window.length && this.window[expired] <= since) expired += 1;
    if (expired > 0) this.window = this.window.slice(expired);
    if (this.window.length >= limit.requests) return Math.max(1, Math.ceil((this.window[0] + limit.windowMs - now) / 1000));
    this.window.push(now);
    return undefined;
  }

  private list(entityType: ZohoEntityType, params: URLSearchParams): Answer {
    const store = this.stores[entityType];
    const page = positive('page', params.get('page'), 1);
    if (typeof page !== 'number') return page;
    const requested = positive('per_page', params.get('per_page'), MAX_PER_PAGE);
    if (typeof requested !== 'number') return requested;
    const perPage = Math.min(requested, MAX_PER_PAGE);
    const sortColumn = params.get('sort_column');
    if (sortColumn !== null && sortColumn !== 'last_modified_time') return invalidValue('sort_column');
    const sortOrder = params.get('sort_order');
    if (sortOrder !== null && sortOrder !== 'A') return invalidValue('sort_order');
    const since = params.get('last_modified_time');
    let from = 0;
    if (since !== null && since !== '') {
      const time = parseZohoTimestamp(timestampParameter(since));
      if (time === undefined) return invalidValue('last_modified_time');
      // Price books have no timestamp: always all of them.
      if (store.shape.timestamped) from = store.lowerBound(time);
    }
    const start = from + (page - 1) * perPage;
    const entries = start < store.size ? store.slice(start, start + perPage) : [];
    const hasMore = start + perPage < store.size;
    const records = entries.map((entry) => entry.json).join(',');
    const pageContext = `{"page":${page},"per_page":${perPage},"has_more_page":${hasMore},"sort_column":"last_modified_time","sort_order":"A"}`;
    return { status: 200, body: `{"code":0,"message":"success","${store.shape.responseKey}":[${records}],"page_context":${pageContext}}` };
  }

  private one(entityType: ZohoEntityType, id: string): Answer {
    const store = this.stores[entityType];
    const entry = store.get(id);
    if (!entry) return json(404, { code: 1002, message: `${store.shape.module} does not exist.` }, { error: 'not_found' });
    return { status: 200, body: `{"code":0,"message":"success","${store.shape.module}":${entry.json}}` };
  }
}

/** What the log and the listeners see of a request: an API call's query, never the token endpoint's (it carries secrets). */
function requestInfo(at: number, method: string, url: URL): SimulatorRequestInfo {
  return { at, method, path: url.pathname, ...(url.pathname === TOKEN_PATH ? {} : callFields(url)) };
}

function callFields(url: URL): Pick<SimulatorRequest, 'organizationId' | 'page' | 'query'> {
  const fields: Pick<SimulatorRequest, 'organizationId' | 'page' | 'query'> = {};
  const organizationId = url.searchParams.get('organization_id');
  if (organizationId !== null) fields.organizationId = organizationId;
  const page = url.searchParams.get('page');
  if (page !== null && WHOLE_NUMBER.test(page)) fields.page = Number(page);
  fields.query = Object.fromEntries(url.searchParams);
  return fields;
}

function serverErrorStatus(status: number): number {
  if (!Number.isInteger(status) || status < 500 || status > 599) throw new RangeError('The status of a server fault must be 500-599');
  return status;
}

/** What TDS's WebhookSignatureVerifier checks: `[<timestamp>.][sorted query name+value…]<raw body>`. */
function webhookSignature(target: WebhookTarget, url: URL, body: string, timestamp: string | undefined): string {
  const hmac = createHmac('sha256', target.secret);
  if (timestamp !== undefined) hmac.update(`${timestamp}.`);
  if (target.signedContent === 'query+body') {
    const names = [...new Set(url.searchParams.keys())].sort();
    for (const name of names) for (const value of url.searchParams.getAll(name)) hmac.update(name + value);
  }
  return hmac.update(body).digest('hex');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_TOKEN_BODY_BYTES) throw new Error('The token request body is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
