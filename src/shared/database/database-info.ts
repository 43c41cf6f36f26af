import type { DatabaseConfig, DatabaseKind } from '../config/database.config.js';

/** Which database the app runs on, for code whose strategy depends on it. */
export class DatabaseInfo {
  constructor(
    readonly kind: DatabaseKind,
    /**
     * True on PGlite: one session, leased to one caller at a time, so a second connection
     * while holding one waits forever, and row locks never contend.
     */
    readonly singleSession: boolean,
  ) {}

  static of(config: DatabaseConfig): DatabaseInfo {
    return new DatabaseInfo(config.kind, config.kind === 'pglite');
  }
}
