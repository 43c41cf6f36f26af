import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A replayable response to `POST /api/tds/queue`, per API key and Idempotency-Key. */
@Entity('tds_idempotency_keys')
export class IdempotencyKeyEntity {
  @PrimaryColumn('text', { name: 'api_key_id' })
  apiKeyId: string;

  @PrimaryColumn('text')
  key: string;

  @Column('text', { name: 'request_hash' })
  requestHash: string;

  @Column('integer', { name: 'status_code', nullable: true })
  statusCode: number | null;

  @Column('jsonb', { nullable: true })
  response: unknown;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
