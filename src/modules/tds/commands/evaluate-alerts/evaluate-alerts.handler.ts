import { ConfigService } from '@nestjs/config';
import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import { ALERT_RULES } from '../../../../shared/config/alerts.config.js';
import type { AlertRuleName, AlertsConfig } from '../../../../shared/config/alerts.config.js';
import { queryRows } from '../../../../shared/database/sql.js';
import { ALERT_RULE_DETECTORS } from './alert-rules.js';
import type { AlertCondition } from './alert-rules.js';
import { EvaluateAlertsCommand } from './evaluate-alerts.command.js';
import type { EvaluateAlertsResult } from './evaluate-alerts.command.js';
import { APPLY_EVALUATION_SQL, REOPEN_RECENT_ALERTS_SQL } from './evaluate-alerts.sql.js';

/**
 * The rules' statements and the write run in one transaction, so an evaluation is applied
 * whole or not at all. The rules read with the transaction's clock (now()): every window in
 * one evaluation ends at the same instant.
 */
@CommandHandler(EvaluateAlertsCommand)
export class EvaluateAlertsHandler implements ICommandHandler<EvaluateAlertsCommand, EvaluateAlertsResult> {
  private readonly config: AlertsConfig;
  private readonly evaluated: AlertRuleName[];

  constructor(
    config: ConfigService,
    private readonly dataSource: DataSource,
  ) {
    this.config = config.getOrThrow<AlertsConfig>('alerts');
    this.evaluated = ALERT_RULES.filter((name) => this.config.rules[name].enabled);
  }

  execute(): Promise<EvaluateAlertsResult> {
    return this.dataSource.transaction(async (manager) => {
      const tx = manager.queryRunner as QueryRunner;
      const conditions: AlertCondition[] = [];
      for (const name of this.evaluated) conditions.push(...(await this.detect(name, tx)));
      const found = JSON.stringify(conditions);
      if (this.config.reopenWithinSeconds > 0) await tx.query(REOPEN_RECENT_ALERTS_SQL, [found, this.config.reopenWithinSeconds]);
      const [result] = await queryRows<EvaluateAlertsResult>(tx, APPLY_EVALUATION_SQL, [
        found,
        this.evaluated,
        this.config.renotifySeconds,
      ]);
      return { triggered: result.triggered, renotified: result.renotified, resolved: result.resolved, open: result.open };
    });
  }

  private detect<N extends AlertRuleName>(name: N, tx: QueryRunner): Promise<AlertCondition[]> {
    return ALERT_RULE_DETECTORS[name](tx, this.config.rules[name]);
  }
}
