import { Injectable } from '@nestjs/common';
import { PermanentApplyError, TransientApplyError } from './apply-errors.js';
import type { ClaimedItem } from './claimed-item.js';

type Fault = { kind: 'crash' } | { kind: 'relay-crash' } | { kind: 'permanent' } | { kind: 'transient'; failBelowAttempt: number };

/**
 * Test-only fault hook, off unless TDS_TEST_FAULTS is set, so crash and poison tests are
 * deterministic. Keyed by source entity id:
 *   `crash:<id>`           the process dies (SIGKILL) while a batch holding <id> is open
 *   `transient:<id>[:n]`   applying <id> fails with a transient error (only its first n attempts)
 *   `permanent:<id>`       applying <id> fails with a permanent error
 *   `relay-crash:<id>`     the process dies (SIGKILL) right after the relay committed a batch
 *                          holding <id>'s entity event, before the reactions to it finish
 * separated by `;`. In-process tests may also change the rules through `set()`.
 */
@Injectable()
export class TestFaults {
  private rules = new Map<string, Fault>();

  constructor() {
    this.set(process.env.TDS_TEST_FAULTS ?? '');
  }

  get enabled(): boolean {
    return this.rules.size > 0;
  }

  set(spec: string): void {
    this.rules = new Map();
    for (const rule of spec.split(';').filter(Boolean)) {
      const [kind, id, n] = rule.split(':');
      if (kind === 'crash' || kind === 'permanent' || kind === 'relay-crash') this.rules.set(id, { kind });
      else if (kind === 'transient') this.rules.set(id, { kind, failBelowAttempt: n ? Number(n) : Infinity });
      else throw new Error(`TDS_TEST_FAULTS: unknown fault kind in "${rule}"`);
    }
  }

  /** Kills the process when the batch holds an item marked `crash`. */
  crashIfMarked(items: readonly ClaimedItem[]): void {
    if (items.some((i) => this.rules.get(i.sourceEntityId)?.kind === 'crash')) {
      process.kill(process.pid, 'SIGKILL');
    }
  }

  /** Kills the process when a relayed batch holds the entity event of an id marked `relay-crash`. */
  crashIfRelayed(rows: readonly { payload: Record<string, unknown> }[]): void {
    if (rows.some((row) => this.rules.get(String(row.payload.sourceEntityId))?.kind === 'relay-crash')) {
      process.kill(process.pid, 'SIGKILL');
    }
  }

  /** Throws the apply error configured for this item, if any. */
  check(item: ClaimedItem): void {
    const fault = this.rules.get(item.sourceEntityId);
    if (fault?.kind === 'permanent') throw new PermanentApplyError('TEST_PERMANENT', `injected permanent fault for ${item.sourceEntityId}`);
    if (fault?.kind === 'transient' && item.attempt < fault.failBelowAttempt) {
      throw new TransientApplyError('TEST_TRANSIENT', `injected transient fault for ${item.sourceEntityId}`);
    }
  }
}
