import { Query } from '@nestjs/cqrs';
import type { InboxEventDto } from './get-inbox-event.dto.js';

export class GetInboxEventQuery extends Query<InboxEventDto> {
  constructor(readonly id: number) {
    super();
  }
}
