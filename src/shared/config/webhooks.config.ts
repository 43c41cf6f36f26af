import { registerAs } from '@nestjs/config';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { ConfigProblems, validateConfig } from './validate-config.js';

/** How a source's deliveries are shaped: Zoho's module-keyed records, or TDS's canonical envelope. */
export type SourceShape = 'zoho' | 'generic';
export const SOURCE_SHAPES: readonly SourceShape[] = ['zoho', 'generic'];

/** What is signed: the raw body, or the sorted query parameters followed by the raw body. */
export type SignedContent = 'body' | 'query+body';
export const SIGNED_CONTENTS: readonly SignedContent[] = ['body', 'query+body'];

/** One configured webhook source (TDS_SOURCES and TDS_SOURCES_<NAME>_*). Secrets never reach a log line. */
export interface WebhookSource {
  name: string;
  shape: SourceShape;
  /** Every secret valid right now (rotation: old and new together). Empty: every delivery is refused. */
  secrets: readonly string[];
  /** Lower-case header names. */
  signatureHeader: string;
  timestampHeader?: string;
  deliveryIdHeader?: string;
  signedContent: SignedContent;
  /** Deliveries per second, per instance. */
  rateLimit: number;
}

export interface WebhooksConfig {
  sources: WebhookSource[];
  /** How far a signed timestamp may be from this instance's clock, either way. */
  timestampToleranceS: number;
  /** Failed authentications per second per client address, per instance, before they are answered 429. */
  failedAuthRateLimit: number;
  /**
   * How long a delivery of a record versioned by its receipt time is a duplicate when it repeats
   * that record's earlier content: a replayed old body cannot roll the record back meanwhile.
   */
  replayWindowS: number;
}

/** Well above the benchmark's few thousand deliveries per second: the limit guards against floods, not load. */
const DEFAULT_RATE_LIMIT = 20000;
const MAX_RATE_LIMIT = 1_000_000;

class WebhooksEnv {
  @IsString() TDS_SOURCES: string = 'zoho,generic';
  @Type(() => Number) @IsInt() @Min(1) @Max(86400) TDS_WEBHOOK_TIMESTAMP_TOLERANCE_S: number = 300;
  /** A real sender fails only while a secret rotation is half done: a handful per second is plenty. */
  @Type(() => Number) @IsInt() @Min(1) @Max(MAX_RATE_LIMIT) TDS_WEBHOOK_FAILED_AUTH_RATE_LIMIT: number = 10;
  /**
   * A day: long past any redelivery a sender makes, short enough that a genuine edit back to an
   * earlier content (a price reverted after a promotion) waits at most that long for the next
   * change or pull. 0 turns the check off. The inbox keeps deliveries for TDS_RETENTION_INBOX_DAYS.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(30 * 86400) TDS_WEBHOOK_REPLAY_WINDOW_S: number = 86400;
}

const SOURCE_NAME = /^[a-z][a-z0-9_]*$/;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const DEFAULT_SIGNATURE_HEADER: Record<SourceShape, string> = {
  zoho: 'x-zoho-webhook-signature',
  generic: 'x-tds-signature',
};
/** Zoho sends no delivery id; its redeliveries are recognised by content. */
const DEFAULT_DELIVERY_ID_HEADER: Record<SourceShape, string | undefined> = {
  zoho: undefined,
  generic: 'x-tds-delivery-id',
};

function readSource(name: string, env: NodeJS.ProcessEnv, problems: ConfigProblems): WebhookSource {
  const prefix = `TDS_SOURCES_${name.toUpperCase()}_`;
  const read = (suffix: string): [string, string | undefined] => {
    const value = env[prefix + suffix]?.trim();
    return [prefix + suffix, value === '' ? undefined : value];
  };
  // On a bad value these record the problem and go on with a valid stand-in, so that every
  // problem is reported before start-up stops.
  const oneOf = <T extends string>(suffix: string, allowed: readonly T[], fallback: T | undefined): T => {
    const [variable, value] = read(suffix);
    if (allowed.includes(value as T)) return value as T;
    if (value !== undefined) problems.add(variable, `must be one of ${allowed.join(', ')}`);
    else if (fallback === undefined) problems.add(variable, `required for source "${name}": one of ${allowed.join(', ')}`);
    return fallback ?? allowed[0];
  };
  const header = <F extends string | undefined>(suffix: string, fallback: F): string | F => {
    const [variable, value] = read(suffix);
    if (value !== undefined && !HEADER_NAME.test(value)) problems.add(variable, 'must be an HTTP header name');
    return value === undefined ? fallback : value.toLowerCase();
  };

  const shape = oneOf('SHAPE', SOURCE_SHAPES, SOURCE_SHAPES.find((s) => s === name));
  const [secretsVariable, secretList] = read('SECRETS');
  const secrets = secretList?.split(',').map((secret) => secret.trim()) ?? [];
  // By position only: any fragment of the value may be (part of) a secret.
  secrets.forEach((secret, index) => {
    if (secret === '' || /\s/.test(secret)) problems.add(secretsVariable, `entry ${index + 1} is empty or contains whitespace`);
  });
  const [rateVariable, rateText] = read('RATE_LIMIT');
  const rateLimit = rateText === undefined ? DEFAULT_RATE_LIMIT : Number(rateText);
  if (rateText !== undefined && !(/^\d{1,7}$/.test(rateText) && rateLimit >= 1 && rateLimit <= MAX_RATE_LIMIT)) {
    problems.add(rateVariable, `must be a whole number of deliveries per second, 1 to ${MAX_RATE_LIMIT}`);
  }
  return {
    name,
    shape,
    secrets: [...new Set(secrets)],
    signatureHeader: header('SIGNATURE_HEADER', DEFAULT_SIGNATURE_HEADER[shape]),
    timestampHeader: header('TIMESTAMP_HEADER', undefined),
    deliveryIdHeader: header('DELIVERY_ID_HEADER', DEFAULT_DELIVERY_ID_HEADER[shape]),
    signedContent: oneOf('SIGNED_CONTENT', SIGNED_CONTENTS, 'body'),
    rateLimit,
  };
}

/** Reads the webhook sources; also used outside Nest (tests). */
export function loadWebhooksConfig(env: NodeJS.ProcessEnv = process.env): WebhooksConfig {
  const e = validateConfig(WebhooksEnv, env);
  const problems = new ConfigProblems();
  const names = e.TDS_SOURCES.split(',').map((name) => name.trim());
  names.forEach((name, index) => {
    if (!SOURCE_NAME.test(name)) problems.add('TDS_SOURCES', `entry ${index + 1} must be a lowercase name: a-z first, then a-z 0-9 _`);
    else if (names.indexOf(name) !== index) problems.add('TDS_SOURCES', `entry ${index + 1} repeats a source listed before it`);
  });
  problems.throwIfAny();
  const sources = names.map((name) => readSource(name, env, problems));
  problems.throwIfAny();
  return {
    sources,
    timestampToleranceS: e.TDS_WEBHOOK_TIMESTAMP_TOLERANCE_S,
    failedAuthRateLimit: e.TDS_WEBHOOK_FAILED_AUTH_RATE_LIMIT,
    replayWindowS: e.TDS_WEBHOOK_REPLAY_WINDOW_S,
  };
}

export const webhooksConfig = registerAs('webhooks', (): WebhooksConfig => loadWebhooksConfig());
