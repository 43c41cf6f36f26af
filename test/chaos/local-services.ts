import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/spawn-app.js';

/*
 * A PostgreSQL and a Redis of the chaos test's own, in its temporary folder, on free ports: the
 * test restarts and stops them, which it must never do to the machine's shared servers.
 */

/** The newest installed PostgreSQL's bin folder holding initdb and pg_ctl, or undefined. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const candidates = versions.map((v) => join(root, v, 'bin'));
  const fromPgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromPgConfig.status === 0) candidates.push(fromPgConfig.stdout.trim());
  return candidates.find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** initdb refuses to run as root: as root (CI) the server runs as the postgres user, owning the folder. */
function asPostgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root, but there is no postgres user to run PostgreSQL as');
  return { uid, gid };
}

/** Asynchronous: the test's clients keep sending while PostgreSQL restarts. */
function run(command: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<void> {
  const [file, argv] = user ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return new Promise((resolve, reject) =>
    execFile(file, argv, { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args[0]} failed (${error.code}): ${stderr || stdout}`)) : resolve(),
    ),
  );
}

export class LocalPostgres {
  private constructor(
    private readonly bin: string,
    private readonly dataDir: string,
    private readonly logFile: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  /** initdb and start in `dir` (created here). */
  static async start(bin: string, dir: string): Promise<LocalPostgres> {
    const user = asPostgresUser();
    mkdirSync(dir, { recursive: true });
    if (user) chownSync(dir, user.uid, user.gid);
    const pg = new LocalPostgres(bin, join(dir, 'data'), join(dir, 'postgres.log'), await freePort(), user);
    await run(join(bin, 'initdb'), ['-D', pg.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], user);
    await pg.ctl('start');
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * `-m immediate` is a crash as far as the database goes: every backend killed, WAL replayed on
   * start. fsync off only spares the shared disk: the OS keeps what was written, so no commit is lost.
   */
  restartImmediately(): Promise<void> {
    return this.ctl('restart', ['-m', 'immediate']);
  }

  stop(): Promise<void> {
    return this.ctl('stop', ['-m', 'immediate']);
  }

  private ctl(action: string, extra: string[] = []): Promise<void> {
    const options = `-p ${this.port} -k ${join(this.dataDir, '..')} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=150`;
    return run(join(this.bin, 'pg_ctl'), [action, '-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', ...extra, '-o', options], this.user);
  }
}

export class LocalRedis {
  private process: ChildProcess | undefined;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(dir: string): Promise<LocalRedis> {
    const redis = new LocalRedis(dir, await freePort());
    await redis.startProcess();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** SIGKILL: Redis gone at once, as in a crash; nothing persisted (the cache holds nothing that matters). */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts it again on the same port; resolves once it accepts commands. */
  startProcess(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          child.stdout.off('data', onData);
          child.stdout.resume();
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.resume();
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }
}
