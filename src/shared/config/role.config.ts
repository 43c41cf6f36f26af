import { registerAs } from '@nestjs/config';

/**
 * What an instance runs (TDS_ROLE, comma-separated, default `all`), so the HTTP API and the
 * workers scale separately against one database:
 *   api        the HTTP API and webhook ingestion; claims no work
 *   worker     queue workers, the outbox relay with reaction redelivery, pull runs; over HTTP
 *              only /health and /metrics
 *   scheduler  the scheduled jobs (retry, retention, alerts, roll-ups, pull schedule)
 * The per-loop switches (TDS_WORKERS_ENABLED, TDS_OUTBOX_RELAY_ENABLED, TDS_PULL_ENABLED,
 * TDS_JOBS_ENABLED) still turn a loop off inside a role; they cannot turn one on outside it.
 */
export const ROLES = ['api', 'worker', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

/** The roles TDS_ROLE names; an unknown one stops start-up with a message naming it. */
export function instanceRoles(env: NodeJS.ProcessEnv = process.env): ReadonlySet<Role> {
  const names = (env.TDS_ROLE ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) return new Set(ROLES);
  const unknown = names.filter((name) => name !== 'all' && !(ROLES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `Invalid configuration:\n  TDS_ROLE: unknown role ${unknown.map((name) => `"${name}"`).join(', ')} (known: all, ${ROLES.join(', ')})`,
    );
  }
  return new Set(names.includes('all') ? ROLES : (names as Role[]));
}

export const roleConfig = registerAs('role', () => {
  const roles = instanceRoles();
  return {
    /** In their canonical order, for readiness and logs. */
    roles: ROLES.filter((role) => roles.has(role)),
    api: roles.has('api'),
    worker: roles.has('worker'),
    scheduler: roles.has('scheduler'),
  };
});
export type RoleConfig = ReturnType<typeof roleConfig>;
