import { Command } from '@nestjs/cqrs';

/** A type, not an interface: the job scheduler stores it as the run's detail, a Record. */
export type EvaluateAlertsResult = {
  /** Alerts opened by this evaluation. */
  triggered: number;
  /** Open alerts notified again (re-notification due, or severity risen). */
  renotified: number;
  resolved: number;
  /** Open alerts (active or acknowledged) after this evaluation, every rule's. */
  open: number;
};

/**
 * Evaluates every enabled alert rule against the current state, in one transaction: opens an
 * alert per new condition, keeps open ones up to date, resolves those whose condition is gone.
 * Safe to run on several instances at once (the scheduler runs it once per tick anyway).
 */
export class EvaluateAlertsCommand extends Command<EvaluateAlertsResult> {}
