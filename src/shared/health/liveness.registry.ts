import { Injectable } from '@nestjs/common';
import type { LoopLiveness } from '../runtime/polling-loop.js';

/** Anything that can say whether its loops are alive; a PollingLoop is one. */
export interface LivenessSource {
  liveness(stallAfterMs: number): LoopLiveness;
}

/**
 * Where background services (queue workers, outbox relay) register their loops under a name,
 * for readiness to report each. Lives in src/shared so the health module needs no import of
 * the modules that own the loops.
 */
@Injectable()
export class LivenessRegistry {
  private readonly sources = new Map<string, LivenessSource>();

  register(name: string, source: LivenessSource): void {
    if (this.sources.has(name)) throw new Error(`liveness source "${name}" is registered twice`);
    this.sources.set(name, source);
  }

  entries(): IterableIterator<[string, LivenessSource]> {
    return this.sources.entries();
  }
}
