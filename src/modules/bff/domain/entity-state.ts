import type { HealthThresholds } from './health-state.js';

export type EntityState = 'on_time' | 'delayed' | 'error';

export interface EntityStateInputs {
  openDeadLetters: number;
  /** Age of the type's oldest pending item; null when none is pending. */
  lagSeconds: number | null;
  successRate24h: number | null;
}

/**
 * One entity type's state, by the dashboard's thresholds:
 * - error: items of the type wait in the dead-letter queue, or its 24 h success rate is under
 *   the failure_rate threshold (records are not reaching the mirror);
 * - delayed: its oldest pending item is older than the sync_lag threshold (they will, late);
 * - on_time otherwise.
 */
export function entityState(inputs: EntityStateInputs, thresholds: HealthThresholds): EntityState {
  if (inputs.openDeadLetters > 0) return 'error';
  if (inputs.successRate24h !== null && inputs.successRate24h < thresholds.minSuccessRate) return 'error';
  if (inputs.lagSeconds !== null && inputs.lagSeconds > thresholds.maxPendingAgeSeconds) return 'delayed';
  return 'on_time';
}
