import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of the test PostgreSQL that can play a database gone wrong, which the
 * shared server itself must not: `freeze()` stops every byte both ways while keeping the
 * connections open (a server that stopped answering: frozen, or cut off by the network);
 * `dropNext(n)` closes the next n connections as soon as they open (a server restarting).
 */
export class TcpProxy {
  private readonly connections = new Set<{ client: Socket; upstream: Socket }>();
  private frozen = false;
  private toDrop = 0;

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  static async start(databaseUrl: string): Promise<TcpProxy> {
    const target = new URL(databaseUrl);
    const server = createServer();
    const proxy = new TcpProxy(server, target);
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** `databaseUrl` with its host and port replaced by the proxy's. */
  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return url.toString();
  }

  freeze(): void {
    this.frozen = true;
    for (const { client, upstream } of this.connections) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Carries on, with what was sent meanwhile. */
  thaw(): void {
    this.frozen = false;
    for (const pair of this.connections) this.pipe(pair);
  }

  dropNext(n: number): void {
    this.toDrop = n;
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.connections) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.toDrop > 0) {
      this.toDrop--;
      client.destroy();
      return;
    }
    client.pause();
    const upstream = connect(Number(this.target.port || 5432), this.target.hostname);
    upstream.pause();
    const pair = { client, upstream };
    this.connections.add(pair);
    const end = () => {
      this.connections.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
    if (!this.frozen) this.pipe(pair);
  }

  private pipe({ client, upstream }: { client: Socket; upstream: Socket }): void {
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
