import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { deadLetterNotOpen } from './dead-letter.errors.js';
import { RESOLVE_DEAD_LETTER_SQL } from './resolve-dead-letter.sql.js';
import { ResolveDeadLetterCommand } from './resolve-dead-letter.command.js';
import type { ResolveDeadLetterResult } from './resolve-dead-letter.command.js';

@CommandHandler(ResolveDeadLetterCommand)
export class ResolveDeadLetterHandler implements ICommandHandler<ResolveDeadLetterCommand, ResolveDeadLetterResult> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ deadLetterId, resolvedBy, note }: ResolveDeadLetterCommand): Promise<ResolveDeadLetterResult> {
    const [row] = await queryRows<{ resolvedAt: Date }>(
      this.dataSource,
      RESOLVE_DEAD_LETTER_SQL,
      [deadLetterId, resolvedBy, note],
    );
    if (!row) throw await deadLetterNotOpen(this.dataSource, deadLetterId);
    return { deadLetterId, resolvedAt: new Date(row.resolvedAt).toISOString(), resolvedBy, note };
  }
}
