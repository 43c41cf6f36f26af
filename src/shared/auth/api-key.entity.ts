import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from './role.js';

/** The digest of the generated admin key, shared by every instance (see ApiKeyService). */
@Entity('tds_api_keys')
@Check('tds_api_keys_role_check', `role IN ('viewer', 'service', 'operator', 'admin')`)
export class ApiKeyEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  role: Role;

  /** Hex SHA-256 of the key. */
  @Column('text', { name: 'key_hash' })
  keyHash: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
