import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import type { ConfiguredApiKey } from '../config/auth.config.js';
import { apiKeyId, hashApiKey, hashesEqual } from './api-key-hash.js';
import type { Principal } from './principal.js';
import type { Role } from './role.js';

const GENERATED_KEY_ID = 'generated-admin';

interface StoredKeyRow {
  role: Role;
  key_hash: string;
}

@Injectable()
export class ApiKeyService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeyService.name);
  private keys: ConfiguredApiKey[];

  constructor(
    config: ConfigService,
    private readonly dataSource: DataSource,
  ) {
    this.keys = config.getOrThrow<ConfiguredApiKey[]>('auth.apiKeys');
  }

  /**
   * Without configured keys every instance offers the same generated admin key: the first
   * instance to insert its digest wins and is the only one to show the key; all then accept
   * whatever digest the table holds. Runs after migrations (module init) and before listening.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.keys.length > 0) return;
    const key = `tds_${randomBytes(32).toString('base64url')}`;
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO tds_api_keys (id, role, key_hash) VALUES ($1, 'admin', $2)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [GENERATED_KEY_ID, hashApiKey(key).toString('hex')],
    );
    if (inserted.length > 0) printGeneratedKey(key);
    const rows: StoredKeyRow[] = await this.dataSource.query('SELECT role, key_hash FROM tds_api_keys');
    this.keys = rows.map((row) => {
      const hash = Buffer.from(row.key_hash, 'hex');
      return { keyId: apiKeyId(hash), role: row.role, hash };
    });
    this.logger.warn(
      `TDS_API_KEYS is not set: accepting the generated admin key (${this.keys.map((k) => k.keyId).join(', ')}) ` +
        'stored in tds_api_keys; set TDS_API_KEYS for real deployments',
    );
  }

  /** Compares against every key, matched or not, so the time taken does not reveal which one matched. */
  authenticate(presented: string): Principal | undefined {
    const hash = hashApiKey(presented);
    let match: ConfiguredApiKey | undefined;
    for (const key of this.keys) {
      if (hashesEqual(hash, key.hash) && !match) match = key;
    }
    return match && { keyId: match.keyId, role: match.role };
  }
}

/**
 * Straight to stdout, not through the logger: the key must not become a field in a log
 * aggregator, and it is shown once only, by the instance that created it.
 */
function printGeneratedKey(key: string): void {
  const rule = '='.repeat(78);
  process.stdout.write(
    [
      '',
      rule,
      '  TDS generated an admin API key because TDS_API_KEYS is not set.',
      '  It is shown only this once; only its SHA-256 digest is stored (tds_api_keys).',
      '',
      `      ${key}`,
      '',
      '  Use it as: Authorization: Bearer <key>',
      `  To replace it, delete the row '${GENERATED_KEY_ID}' from tds_api_keys and restart,`,
      '  or configure keys with TDS_API_KEYS=role:key,role:key.',
      rule,
      '',
      '',
    ].join('\n'),
  );
}
