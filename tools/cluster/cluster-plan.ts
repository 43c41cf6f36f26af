import { instanceRoles } from '../../src/shared/config/role.config.js';

export interface ClusterInstance {
  /** 1-based, in start order. */
  index: number;
  /** A TDS_ROLE value. */
  role: string;
  port: number;
}

export interface ClusterOptions {
  instances: ClusterInstance[];
}

const USAGE = `usage: npm run cluster -- [--instances N | --roles "all;worker;api,scheduler"] [--port FIRST_PORT]
  --instances N   N instances (default 3): the first runs every role, then worker and api alternate,
                  so every role runs somewhere and API and workers each survive one lost instance
  --roles LIST    one TDS_ROLE value per instance, separated by ';'
  --port P        the first instance's port (default PORT or 3000); the others take the next ones`;

/** The default layout for `n` instances: all, worker, api, worker, api, … */
export function defaultRoles(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? 'all' : i % 2 === 1 ? 'worker' : 'api'));
}

/** Reads the launcher's arguments; throws a message with the usage on anything it does not take. */
export function parseClusterArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ClusterOptions {
  let roles: string[] | undefined;
  let count: number | undefined;
  let port = Number(env.PORT ?? 3000);
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--instances':
        count = Number(value);
        if (!Number.isInteger(count) || count < 1 || count > 32) throw new Error(`--instances takes 1..32\n${USAGE}`);
        i++;
        break;
      case '--roles':
        roles = (value ?? '').split(';').map((role) => role.trim());
        if (roles.some((role) => role === '')) throw new Error(`--roles takes TDS_ROLE values separated by ';'\n${USAGE}`);
        i++;
        break;
      case '--port':
        port = Number(value);
        i++;
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
    }
  }
  if (roles && count !== undefined && roles.length !== count) throw new Error(`--roles names ${roles.length} instances, --instances ${count}\n${USAGE}`);
  const layout = roles ?? defaultRoles(count ?? 3);
  if (!Number.isInteger(port) || port < 1 || port + layout.length - 1 > 65535) throw new Error(`--port takes a port number\n${USAGE}`);
  // Each value is checked as the instance would check it, so a typo fails here, not in N processes.
  for (const role of layout) instanceRoles({ TDS_ROLE: role });
  const running = new Set(layout.flatMap((role) => [...instanceRoles({ TDS_ROLE: role })]));
  for (const needed of ['api', 'worker', 'scheduler'] as const) {
    if (!running.has(needed)) throw new Error(`no instance runs the ${needed} role: nothing would ${needed === 'api' ? 'take work in' : needed === 'worker' ? 'apply it' : 'run the scheduled jobs'}\n${USAGE}`);
  }
  return { instances: layout.map((role, i) => ({ index: i + 1, role, port: port + i })) };
}
