import { BatchGate } from '../../../src/modules/tds/workers/batch-gate.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('BatchGate', () => {
  it('lets regular batches run together', async () => {
    const gate = new BatchGate();
    const a = await gate.shared();
    const b = await gate.shared();
    a();
    b();
  });

  it('runs an exclusive batch alone: after the running ones, before the ones that came later', async () => {
    const gate = new BatchGate();
    const order: string[] = [];
    const first = await gate.shared();
    const exclusive = gate.exclusive().then((release) => (order.push('exclusive'), release));
    const later = gate.shared().then((release) => (order.push('later'), release));
    await tick();
    expect(order).toEqual([]);
    first();
    const releaseExclusive = await exclusive;
    await tick();
    expect(order).toEqual(['exclusive']);
    releaseExclusive();
    (await later)();
    expect(order).toEqual(['exclusive', 'later']);
  });

  it('ignores a second release', async () => {
    const gate = new BatchGate();
    const release = await gate.shared();
    release();
    release();
    (await gate.exclusive())();
  });
});
