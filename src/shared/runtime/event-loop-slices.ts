import { performance } from 'node:perf_hooks';

/**
 * How long a slice of a long loop may run before it lets the event loop go: well under the
 * ~50 ms one request may hold it (issue 12), with room for the one step that ends a slice.
 */
const SLICE_BUDGET_MS = 10;

/**
 * Lets the event loop run what is waiting (timers, I/O) before going on. setImmediate twice:
 * called from an I/O callback (a request's body has just been read, a query has answered), the
 * first one runs in that same turn of the loop, before any timer and any further I/O.
 */
export async function yieldToEventLoop(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Calls `step` for each value, in order, and lets the event loop run whenever a slice of steps
 * has taken SLICE_BUDGET_MS: a loop over a 10 MiB request (400 invoices of 1,000 lines
 * validated one at a time) would otherwise hold it for seconds. Cut by elapsed time, not by a
 * count of steps, since one step may cost microseconds or milliseconds; a short loop never yields.
 */
export async function forEachInSlices<T>(values: readonly T[], step: (value: T, index: number) => void): Promise<void> {
  let sliceStart = performance.now();
  for (let index = 0; index < values.length; index++) {
    step(values[index], index);
    if (performance.now() - sliceStart >= SLICE_BUDGET_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
}
