import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { TestApp } from '../../support/create-test-app.js';
import { createTestApp } from '../../support/create-test-app.js';
import { zohoContact } from '../../modules/tds/fixtures/zoho-payloads.js';
import { countStored, embeddedWebhookEnv, SECRETS, sign } from '../../modules/tds/webhooks/webhook-test-kit.js';

const REQUEST_TIMEOUT_MS = 500;

interface Exchange {
  /** Everything the server sent before the connection closed. */
  response: string;
  closedAfterMs: number;
}

/**
 * Opens a connection and writes `parts` one after the other, `gapMs` apart, then nothing more;
 * resolves once the server has closed the connection.
 */
function exchange(port: number, parts: string[], gapMs = 0): Promise<Exchange> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    let response = '';
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (response += chunk));
    // A reset after the answer is still the end of the exchange.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ response, closedAfterMs: Date.now() - startedAt }));
    const writeFrom = (index: number) => {
      if (index >= parts.length || socket.destroyed) return;
      socket.write(parts[index]);
      setTimeout(() => writeFrom(index + 1), gapMs);
    };
    socket.on('connect', () => writeFrom(0));
  });
}

function head(body: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ host: '127.0.0.1', 'content-type': 'application/json', connection: 'close', ...headers });
  return `POST /api/tds/webhooks/generic HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${body}`;
}

/**
 * A sender that trickles or stalls (slow loris) cannot hold a connection: the request must have
 * arrived within TDS_REQUEST_TIMEOUT_MS, else it is answered 408 and the connection closed,
 * promptly (Node would otherwise look only every 30 s), and nothing of it is stored.
 */
describe('request timeouts on a listening app', () => {
  let testApp: TestApp;
  let port: number;

  beforeAll(async () => {
    testApp = await createTestApp({
      ...embeddedWebhookEnv,
      TDS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      TDS_CONNECTION_TIMEOUT_MS: '4000',
    });
    await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    port = (testApp.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => testApp?.close());

  function expect408(result: Exchange): void {
    expect(result.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(result.response.slice(result.response.indexOf('\r\n\r\n') + 4))).toEqual({
      statusCode: 408,
      error: 'REQUEST_TIMEOUT',
      message: 'The request was not received in time',
    });
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    // The timeout plus Node's check interval (a tenth of it) and scheduling slack.
    expect(result.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1000);
  }

  it('answers a body that stops short of its content-length 408, closes the connection and stores nothing', async () => {
    const before = await countStored(testApp.app);
    const result = await exchange(port, [head('{"entityType":"customer",', { 'content-length': '1000', 'x-tds-signature': 'a'.repeat(64) })]);
    expect408(result);
    expect(await countStored(testApp.app)).toEqual(before);
  });

  it('answers headers that never end 408', async () => {
    expect408(await exchange(port, ['POST /api/tds/webhooks/generic HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-ty']));
  });

  it('serves a slow request that arrives in time', async () => {
    const before = await countStored(testApp.app);
    const body = JSON.stringify({
      entityType: 'customer',
      sourceEntityId: 'slow-1',
      operation: 'update',
      version: 1,
      payload: { ...zohoContact, contact_id: 'slow-1' },
    });
    const request = head(body, { 'content-length': String(Buffer.byteLength(body)), 'x-tds-signature': sign(body, SECRETS.generic) });
    const half = request.length - Math.floor(body.length / 2);
    const result = await exchange(port, [request.slice(0, half), request.slice(half)], REQUEST_TIMEOUT_MS / 2);
    expect(result.response).toMatch(/^HTTP\/1\.1 202 /);
    expect(await countStored(testApp.app)).toEqual({ inbox: before.inbox + 1, queue: before.queue + 1 });
  });

  it('gives the HTTP server the connection timeout (no byte either way for that long closes it)', () => {
    const server = testApp.app.getHttpServer() as Server;
    expect(server.timeout).toBe(4000);
    expect(server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    expect(server.headersTimeout).toBe(REQUEST_TIMEOUT_MS);
  });
});
