import { collectDefaultMetrics, Registry } from 'prom-client';

const METRIC_PREFIX = 'tds_';

/**
 * prom-client's gauges of active handles, requests and resources end in `_total`, a suffix
 * Prometheus keeps for counters (promtool check metrics rejects them); they are debugging aids
 * more than health signals, so they are left out.
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * A registry per application, not prom-client's global one: several apps live in one Jest
 * process, and the global registry refuses a metric registered twice. Default process metrics
 * (CPU, memory, event loop lag, GC) come along, prefixed like ours (ARCHITECTURE §5).
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(`${METRIC_PREFIX}${name}`);
  return registry;
}
