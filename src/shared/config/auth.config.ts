import { resolve } from 'node:path';
import { registerAs } from '@nestjs/config';
import { IsOptional, IsString } from 'class-validator';
import { apiKeyId, hashApiKey } from '../auth/api-key-hash.js';
import { isRole, ROLES, type Role } from '../auth/role.js';
import { validateConfig } from './validate-config.js';

/** Short keys are guessable and usually typed by hand; the generated one has 47 characters. */
export const MIN_API_KEY_LENGTH = 24;

class AuthEnv {
  /** `role:key,role:key`; unset means a generated admin key (see ApiKeyService). */
  @IsOptional() @IsString() TDS_API_KEYS?: string;
  /** Where the instance that generates the admin key writes it (mode 0600); beside the embedded database by default. */
  @IsString() TDS_ADMIN_KEY_FILE: string = './data/admin-api-key';
}

export interface ConfiguredApiKey {
  keyId: string;
  role: Role;
  hash: Buffer;
}

function invalid(reason: string): Error {
  return new Error(`Invalid configuration:\n  TDS_API_KEYS: ${reason}`);
}

/** Messages name the entry by position only: any fragment of an entry may be (part of) a key. */
function parseApiKeys(raw: string): ConfiguredApiKey[] {
  const keys: ConfiguredApiKey[] = [];
  raw.split(',').forEach((entry, index) => {
    const position = `entry ${index + 1}`;
    const separator = entry.indexOf(':');
    if (separator < 0) throw invalid(`${position} is not of the form role:key`);
    const role = entry.slice(0, separator).trim();
    const key = entry.slice(separator + 1).trim();
    if (!isRole(role)) throw invalid(`${position} has an unknown role (expected one of ${ROLES.join(', ')})`);
    if (key === '' || /\s/.test(key)) throw invalid(`${position} has an empty key or one containing whitespace`);
    if (key.length < MIN_API_KEY_LENGTH) throw invalid(`${position} has a key shorter than ${MIN_API_KEY_LENGTH} characters`);
    const hash = hashApiKey(key);
    if (keys.some((k) => k.hash.equals(hash))) throw invalid(`${position} repeats a key listed before it`);
    keys.push({ keyId: apiKeyId(hash), role, hash });
  });
  return keys;
}

export const authConfig = registerAs('auth', () => {
  const env = validateConfig(AuthEnv);
  // Only digests are kept in the config object, so dumping it cannot reveal a key.
  return {
    apiKeys: env.TDS_API_KEYS ? parseApiKeys(env.TDS_API_KEYS) : [],
    // Absolute, so the path logged says where the file is whatever the working directory.
    adminKeyFile: resolve(env.TDS_ADMIN_KEY_FILE),
  };
});
export type AuthConfig = ReturnType<typeof authConfig>;
