import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

export type SourceAuthState = 'ok' | 'failed';
export type SourceBreakerState = 'closed' | 'open' | 'half_open';

/** What the instances share about one source account: its access token and refresh lease, its health. */
@Entity('tds_source_accounts')
@Check('tds_source_accounts_auth_state_check', `auth_state IN ('ok', 'failed')`)
@Check('tds_source_accounts_breaker_state_check', `breaker_state IN ('closed', 'open', 'half_open')`)
export class SourceAccountEntity {
  @PrimaryColumn('text')
  source: string;

  @PrimaryColumn('text')
  account: string;

  @Column('text', { name: 'access_token', nullable: true })
  accessToken: string | null;

  @Column('timestamptz', { name: 'token_expires_at', nullable: true })
  tokenExpiresAt: Date | null;

  @Column('text', { name: 'refresh_holder', nullable: true })
  refreshHolder: string | null;

  @Column('timestamptz', { name: 'refresh_until', nullable: true })
  refreshUntil: Date | null;

  @Column('text', { name: 'auth_state', default: 'ok' })
  authState: SourceAuthState;

  @Column('text', { name: 'auth_error', nullable: true })
  authError: string | null;

  @Column('text', { name: 'breaker_state', default: 'closed' })
  breakerState: SourceBreakerState;

  @Column('timestamptz', { name: 'breaker_changed_at', default: () => 'now()' })
  breakerChangedAt: Date;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
