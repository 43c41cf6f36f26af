import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { ConflictError, NotFoundError } from '../../../../shared/errors/domain-error.js';
import { toAlertView } from '../../alerts/alert-view.js';
import type { AlertRow, AlertView } from '../../alerts/alert-view.js';
import { AcknowledgeAlertCommand } from './acknowledge-alert.command.js';
import { ACKNOWLEDGE_ALERT_SQL, GET_ALERT_SQL } from './acknowledge-alert.sql.js';

@CommandHandler(AcknowledgeAlertCommand)
export class AcknowledgeAlertHandler implements ICommandHandler<AcknowledgeAlertCommand, AlertView> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ alertId, acknowledgedBy }: AcknowledgeAlertCommand): Promise<AlertView> {
    const [acknowledged] = await queryRows<AlertRow>(this.dataSource, ACKNOWLEDGE_ALERT_SQL, [alertId, acknowledgedBy]);
    if (acknowledged) return toAlertView(acknowledged);
    // Not active: tell why, or hand back the acknowledgement already made.
    const [alert] = await queryRows<AlertRow>(this.dataSource, GET_ALERT_SQL, [alertId]);
    if (!alert) throw new NotFoundError('ALERT.NOT_FOUND', `Alert ${alertId} does not exist`);
    if (alert.status === 'resolved') throw new ConflictError('ALERT.ALREADY_RESOLVED', `Alert ${alertId} is already resolved`);
    return toAlertView(alert);
  }
}
