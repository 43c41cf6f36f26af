import { NotFoundError } from '../../../../shared/errors/domain-error.js';

export class SyncRunNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('SYNC_RUN.NOT_FOUND', `Sync run ${id} does not exist`);
  }
}
