import { PollingLoop } from '../../../src/shared/runtime/polling-loop.js';
import type { DbNotifier } from '../../../src/shared/database/db-notifier.js';

/** A notifier whose NOTIFYs the test sends by hand. */
function fakeNotifier() {
  const listeners: (() => void)[] = [];
  const notifier = {
    listen: async (_channel: string, onNotify: () => void) => {
      listeners.push(onNotify);
      return async () => undefined;
    },
  } as unknown as DbNotifier;
  return { notifier, notify: () => listeners.forEach((listener) => listener()) };
}

/** A step that reports the next of `results` (then 0) and records when it ran (on Jest's fake clock). */
function scriptedStep(results: number[]) {
  const calls: number[] = [];
  const step = async () => {
    calls.push(Date.now());
    return results.shift() ?? 0;
  };
  return { step, calls };
}

/** Moves the fake clock, running the timers and the promise chains they start. */
const delay = (ms: number) => jest.advanceTimersByTimeAsync(ms);

describe('PollingLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs full steps back to back, lingers after a partial one, and a NOTIFY does not cut the linger short', async () => {
    const { notifier, notify } = fakeNotifier();
    const { step, calls } = scriptedStep([10, 10, 3, 10]);
    const loop = new PollingLoop({ name: 'test', step, pollIntervalMs: 60_000, wakeOn: { notifier, channel: 'c' }, linger: { full: 10, ms: 300 } });
    await loop.start(1, 'l');
    await delay(100);
    // Two full steps and the partial one ran at once; the loop now lingers.
    expect(calls).toHaveLength(3);
    notify();
    await delay(50);
    expect(calls).toHaveLength(3);
    await delay(300);
    // After the linger: the full step, then an empty one, then asleep for the poll interval.
    expect(calls).toHaveLength(5);
    expect(calls[3] - calls[2]).toBe(300);
    expect(await loop.stop(1_000)).toBe(true);
  });

  it('an idle loop sleeps until a NOTIFY wakes it', async () => {
    const { notifier, notify } = fakeNotifier();
    const { step, calls } = scriptedStep([]);
    const loop = new PollingLoop({ name: 'test', step, pollIntervalMs: 60_000, wakeOn: { notifier, channel: 'c' }, linger: { full: 10, ms: 300 } });
    await loop.start(1, 'l');
    await delay(50);
    expect(calls).toHaveLength(1);
    notify();
    await delay(50);
    expect(calls).toHaveLength(2);
    expect(await loop.stop(1_000)).toBe(true);
  });

  it('stopping ends a linger at once', async () => {
    const { notifier } = fakeNotifier();
    const { step, calls } = scriptedStep([3]);
    const loop = new PollingLoop({ name: 'test', step, pollIntervalMs: 60_000, wakeOn: { notifier, channel: 'c' }, linger: { full: 10, ms: 60_000 } });
    await loop.start(1, 'l');
    await delay(50);
    // Resolves with the clock standing still: nothing waited for the minute-long linger.
    expect(await loop.stop(5_000)).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('without linger, a partial step is followed at once by the next', async () => {
    const { notifier } = fakeNotifier();
    const { step, calls } = scriptedStep([3, 3, 3]);
    const loop = new PollingLoop({ name: 'test', step, pollIntervalMs: 60_000, wakeOn: { notifier, channel: 'c' } });
    await loop.start(1, 'l');
    await delay(100);
    expect(calls).toHaveLength(4);
    expect(await loop.stop(1_000)).toBe(true);
  });

  describe('liveness', () => {
    const STALL_MS = 1_000;

    it('is idle before start, running while it runs, stopped after stop', async () => {
      const { notifier } = fakeNotifier();
      const loop = new PollingLoop({ name: 'test', step: scriptedStep([]).step, pollIntervalMs: 60_000, wakeOn: { notifier, channel: 'c' } });
      expect(loop.liveness(STALL_MS)).toEqual({ state: 'idle', stalledLoops: [] });
      await loop.start(2, 'l');
      await delay(10);
      expect(loop.liveness(STALL_MS)).toEqual({ state: 'running', stalledLoops: [] });
      expect(await loop.stop(1_000)).toBe(true);
      expect(loop.liveness(STALL_MS)).toEqual({ state: 'stopped', stalledLoops: [] });
    });

    it('a loop asleep for longer than the stall limit is not stalled: it is due when its sleep ends', async () => {
      const { notifier } = fakeNotifier();
      const loop = new PollingLoop({ name: 'test', step: scriptedStep([]).step, pollIntervalMs: 60_000, wakeOn: { notifier, channel: 'c' } });
      await loop.start(1, 'l');
      await delay(59_000);
      expect(loop.liveness(STALL_MS).stalledLoops).toEqual([]);
      expect(await loop.stop(1_000)).toBe(true);
    });

    it('names the loop whose step has run past the stall limit, and only it, until the step ends', async () => {
      const { notifier } = fakeNotifier();
      let release: (done: number) => void = () => undefined;
      let hung = false;
      // Loop l/2's first step hangs until released; every other step finds nothing to do.
      const step = async (loopId: string): Promise<number> => {
        if (loopId !== 'l/2' || hung) return 0;
        hung = true;
        return new Promise<number>((resolve) => {
          release = resolve;
        });
      };
      const loop = new PollingLoop({ name: 'test', step, pollIntervalMs: 100, wakeOn: { notifier, channel: 'c' } });
      await loop.start(2, 'l');
      await delay(STALL_MS);
      expect(loop.liveness(STALL_MS).stalledLoops).toEqual([]);
      await delay(1);
      expect(loop.liveness(STALL_MS)).toEqual({ state: 'running', stalledLoops: ['l/2'] });
      release(0);
      await delay(1);
      expect(loop.liveness(STALL_MS).stalledLoops).toEqual([]);
      expect(await loop.stop(1_000)).toBe(true);
    });

    it('a step that never ends keeps its loop stalled while stopping, and stop() times out', async () => {
      const { notifier } = fakeNotifier();
      const loop = new PollingLoop({ name: 'test', step: () => new Promise<number>(() => undefined), pollIntervalMs: 100, wakeOn: { notifier, channel: 'c' } });
      await loop.start(1, 'l');
      await delay(STALL_MS + 1);
      expect(loop.liveness(STALL_MS).stalledLoops).toEqual(['l/1']);
      const stopped = loop.stop(500);
      await delay(500);
      expect(await stopped).toBe(false);
      expect(loop.liveness(STALL_MS)).toEqual({ state: 'stopped', stalledLoops: ['l/1'] });
    });
  });
});
