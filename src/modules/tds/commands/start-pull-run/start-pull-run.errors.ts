import { ConflictError, NotFoundError } from '../../../../shared/errors/domain-error.js';

/** No Zoho account pulls into that source (TDS_ZOHO_ACCOUNTS, TDS_ZOHO_<ACCOUNT>_SOURCE), or not the one named. */
export class PullAccountNotFoundError extends NotFoundError {
  constructor(source: string, account: string | undefined, known: readonly string[]) {
    super(
      'SOURCE.ACCOUNT_NOT_FOUND',
      account === undefined
        ? `No Zoho account pulls into source "${source}"`
        : `Source "${source}" has no Zoho account "${account}"${known.length > 0 ? `; it has ${known.join(', ')}` : ''}`,
    );
  }
}

/** The source has several accounts: which one must be said. */
export class PullAccountRequiredError extends ConflictError {
  constructor(source: string, known: readonly string[]) {
    super('SOURCE.ACCOUNT_REQUIRED', `Source "${source}" has several Zoho accounts (${known.join(', ')}): name one in "account"`);
  }
}

/** A run of the same source, account and entity type is still fetching: one at a time, or they would read the same pages twice. */
export class PullInProgressError extends ConflictError {
  constructor(syncRunId: number) {
    super('SYNC_RUN.PULL_IN_PROGRESS', `Sync run ${syncRunId} is still pulling this entity type from this account`, { syncRunId });
  }
}
