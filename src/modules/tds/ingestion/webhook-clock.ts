/** Epoch milliseconds. Injected (WEBHOOK_CLOCK, Date.now in the app) so tests can move time. */
export type Clock = () => number;
export const WEBHOOK_CLOCK = Symbol('WEBHOOK_CLOCK');
