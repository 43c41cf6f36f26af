/**
 * Within one process, a batch that replays an item whose earlier batches died runs alone: a
 * crash then takes down only that batch, so only the suspect is blamed, not whatever the other
 * workers of the process happened to hold. Regular batches share the gate. Writer-preferring:
 * once an exclusive batch waits, new batches wait behind it.
 */
export class BatchGate {
  private active = 0;
  private exclusiveHeld = false;
  private exclusiveWaiting = 0;
  private readonly waiters: (() => void)[] = [];

  async shared(): Promise<() => void> {
    while (this.exclusiveHeld || this.exclusiveWaiting > 0) await this.wait();
    this.active++;
    return this.releaser(() => this.active--);
  }

  async exclusive(): Promise<() => void> {
    this.exclusiveWaiting++;
    while (this.exclusiveHeld || this.active > 0) await this.wait();
    this.exclusiveWaiting--;
    this.exclusiveHeld = true;
    return this.releaser(() => (this.exclusiveHeld = false));
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private releaser(undo: () => void): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      undo();
      for (const wake of this.waiters.splice(0)) wake();
    };
  }
}
