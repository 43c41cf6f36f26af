import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
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
  private readonly keyFile: string;

  constructor(
    config: ConfigService,
    private readonly dataSource: DataSource,
  ) {
    this.keys = config.getOrThrow<ConfiguredApiKey[]>('auth.apiKeys');
    this.keyFile = config.getOrThrow<string>('auth.adminKeyFile');
  }

  /**
   * Without configured keys every instance offers the same generated admin key: the first
   * instance to insert its digest wins and is the only one to hand the key over; all then
   * accept whatever digest the table holds. Runs after migrations (module init) and before
   * listening. The file is written before the digest commits: a key stored but never written
   * would lock everyone out, while a failed write rolls the digest back for the next start.
   * (A second instance's insert waits for the first's transaction, so it cannot win meanwhile.)
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.keys.length > 0) return;
    const key = `tds_${randomBytes(32).toString('base64url')}`;
    await this.dataSource.transaction(async (manager) => {
      const inserted: unknown[] = await manager.query(
        `INSERT INTO tds_api_keys (id, role, key_hash) VALUES ($1, 'admin', $2)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [GENERATED_KEY_ID, hashApiKey(key).toString('hex')],
      );
      if (inserted.length > 0) await this.handOver(key);
    });
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

  /** The path is logged, never the key; the key is shown only to a person at a terminal. */
  private async handOver(key: string): Promise<void> {
    try {
      await writeKeyFile(this.keyFile, `${key}\n`);
    } catch (error) {
      throw new Error(`TDS_ADMIN_KEY_FILE: the generated admin API key could not be written to ${this.keyFile}`, { cause: error });
    }
    this.logger.warn(`generated an admin API key; it is in ${this.keyFile} (mode 0600)`);
    if (process.stdout.isTTY) printGeneratedKey(key, this.keyFile);
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
 * Written beside itself and renamed over the target, so a reader never sees half a key and a
 * file already there (another mode, an older key) is replaced whole by one with mode 0600.
 * Flushed before the rename: the digest commits only once the key is on disk.
 */
async function writeKeyFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    // `wx`: a fresh file, never one (or a link) found there; mode 0600 from its creation on.
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(content);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Straight to the terminal, not through the logger, and only to a terminal: a stdout that is
 * not one is usually a log pipeline, and the key must not become a line in a log aggregator.
 */
function printGeneratedKey(key: string, keyFile: string): void {
  const rule = '='.repeat(78);
  process.stdout.write(
    [
      '',
      rule,
      '  TDS generated an admin API key because TDS_API_KEYS is not set.',
      `  It is shown only here and kept in ${keyFile} (mode 0600);`,
      '  the database stores only its SHA-256 digest (tds_api_keys).',
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
