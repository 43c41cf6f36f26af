import { CommandHandler, QueryBus } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { PullConfig } from '../../../../shared/config/pull.config.js';
import type { ZohoConfig } from '../../../../shared/config/zoho.config.js';
import { queryRows } from '../../../../shared/database/sql.js';
import { initialProgress } from '../../pull/pull-progress.js';
import type { SyncRunDto } from '../../queries/get-sync-run/get-sync-run.dto.js';
import { GetSyncRunQuery } from '../../queries/get-sync-run/get-sync-run.query.js';
import { PullAccountNotFoundError, PullAccountRequiredError, PullInProgressError } from './start-pull-run.errors.js';
import { StartPullRunCommand } from './start-pull-run.command.js';
import { FIND_FETCHING_RUN_SQL, START_PULL_RUN_SQL } from './start-pull-run.sql.js';

@CommandHandler(StartPullRunCommand)
export class StartPullRunHandler implements ICommandHandler<StartPullRunCommand, SyncRunDto> {
  private readonly zoho: ZohoConfig;
  private readonly overlapSeconds: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queryBus: QueryBus,
    config: ConfigService,
  ) {
    this.zoho = config.getOrThrow<ZohoConfig>('zoho');
    this.overlapSeconds = config.getOrThrow<PullConfig>('pull').overlapSeconds;
  }

  async execute({ source, entityType, mode, account }: StartPullRunCommand): Promise<SyncRunDto> {
    const accountName = this.account(source, account);
    const params = [source, accountName, entityType];
    const [run] = await queryRows<{ id: number }>(this.dataSource, START_PULL_RUN_SQL, [
      ...params,
      mode,
      JSON.stringify(initialProgress(new Date())),
      this.overlapSeconds,
    ]);
    if (run === undefined) {
      const [fetching] = await queryRows<{ id: number }>(this.dataSource, FIND_FETCHING_RUN_SQL, params);
      // Gone between the two statements: it has just finished fetching, and a new run may start now.
      if (fetching === undefined) return this.execute(new StartPullRunCommand(source, entityType, mode, accountName));
      throw new PullInProgressError(Number(fetching.id));
    }
    return this.queryBus.execute(new GetSyncRunQuery(Number(run.id)));
  }

  private account(source: string, name: string | undefined): string {
    const accounts = this.zoho.accounts.filter((candidate) => candidate.source === source).map((candidate) => candidate.name);
    if (name !== undefined) {
      if (!accounts.includes(name)) throw new PullAccountNotFoundError(source, name, accounts);
      return name;
    }
    if (accounts.length === 0) throw new PullAccountNotFoundError(source, undefined, accounts);
    if (accounts.length > 1) throw new PullAccountRequiredError(source, accounts);
    return accounts[0];
  }
}
