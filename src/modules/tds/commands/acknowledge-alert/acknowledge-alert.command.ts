import { Command } from '@nestjs/cqrs';
import type { AlertView } from '../../alerts/alert-view.js';

/**
 * An operator takes an alert on: it stops notifying again, and still resolves by itself when
 * its condition clears. Acknowledging an acknowledged alert returns it unchanged.
 */
export class AcknowledgeAlertCommand extends Command<AlertView> {
  constructor(
    readonly alertId: number,
    /** Who: recorded on the alert and in the acknowledged event. */
    readonly acknowledgedBy: string,
  ) {
    super();
  }
}
