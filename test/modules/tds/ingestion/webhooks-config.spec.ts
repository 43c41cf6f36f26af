import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadWebhooksConfig } from '../../../../src/shared/config/webhooks.config.js';
import { WebhookSourceRegistry } from '../../../../src/modules/tds/ingestion/webhook-source.registry.js';
import { configService, genericSource, zohoSource } from './webhook-test-kit.js';

function configError(env: Record<string, string>): string {
  try {
    loadWebhooksConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('webhooks configuration', () => {
  it('defaults to the zoho and generic sources, with no secret', () => {
    expect(loadWebhooksConfig({})).toEqual({
      timestampToleranceS: 300,
      failedAuthRateLimit: 10,
      replayWindowS: 86400,
      sources: [
        {
          name: 'zoho',
          shape: 'zoho',
          secrets: [],
          signatureHeader: 'x-zoho-webhook-signature',
          timestampHeader: undefined,
          deliveryIdHeader: undefined,
          signedContent: 'body',
          rateLimit: 20000,
        },
        {
          name: 'generic',
          shape: 'generic',
          secrets: [],
          signatureHeader: 'x-tds-signature',
          timestampHeader: undefined,
          deliveryIdHeader: 'x-tds-delivery-id',
          signedContent: 'body',
          rateLimit: 20000,
        },
      ],
    });
  });

  it('reads per-source overrides, header names lower-cased, secrets trimmed', () => {
    const config = loadWebhooksConfig({
      TDS_SOURCES: 'zoho, zoho_eu',
      TDS_WEBHOOK_TIMESTAMP_TOLERANCE_S: '60',
      TDS_WEBHOOK_FAILED_AUTH_RATE_LIMIT: '3',
      TDS_WEBHOOK_REPLAY_WINDOW_S: '0',
      TDS_SOURCES_ZOHO_SECRETS: ' old-secret-1 , new-secret-2 ',
      TDS_SOURCES_ZOHO_SIGNED_CONTENT: 'query+body',
      TDS_SOURCES_ZOHO_RATE_LIMIT: '500',
      TDS_SOURCES_ZOHO_EU_SHAPE: 'zoho',
      TDS_SOURCES_ZOHO_EU_SECRETS: 'eu-secret-3',
      TDS_SOURCES_ZOHO_EU_SIGNATURE_HEADER: 'X-Eu-Signature',
      TDS_SOURCES_ZOHO_EU_TIMESTAMP_HEADER: 'X-Eu-Timestamp',
      TDS_SOURCES_ZOHO_EU_DELIVERY_ID_HEADER: 'X-Request-Id',
    });
    expect(config).toMatchObject({ timestampToleranceS: 60, failedAuthRateLimit: 3, replayWindowS: 0 });
    expect(config.sources).toEqual([
      expect.objectContaining({ name: 'zoho', secrets: ['old-secret-1', 'new-secret-2'], signedContent: 'query+body', rateLimit: 500 }),
      expect.objectContaining({
        name: 'zoho_eu',
        shape: 'zoho',
        secrets: ['eu-secret-3'],
        signatureHeader: 'x-eu-signature',
        timestampHeader: 'x-eu-timestamp',
        deliveryIdHeader: 'x-request-id',
        rateLimit: 20000,
      }),
    ]);
  });

  it.each([
    ['TDS_SOURCES', { TDS_SOURCES: 'Zoho' }],
    ['TDS_SOURCES', { TDS_SOURCES: 'zoho,1st' }],
    ['TDS_SOURCES', { TDS_SOURCES: 'zoho,zoho' }],
    ['TDS_SOURCES', { TDS_SOURCES: 'zoho,' }],
    ['TDS_SOURCES_SHOP_SHAPE', { TDS_SOURCES: 'shop' }],
    ['TDS_SOURCES_SHOP_SHAPE', { TDS_SOURCES: 'shop', TDS_SOURCES_SHOP_SHAPE: 'xml' }],
    ['TDS_SOURCES_ZOHO_SIGNED_CONTENT', { TDS_SOURCES_ZOHO_SIGNED_CONTENT: 'body+query' }],
    ['TDS_SOURCES_GENERIC_RATE_LIMIT', { TDS_SOURCES_GENERIC_RATE_LIMIT: '0' }],
    ['TDS_SOURCES_GENERIC_RATE_LIMIT', { TDS_SOURCES_GENERIC_RATE_LIMIT: '12.5' }],
    ['TDS_SOURCES_ZOHO_SIGNATURE_HEADER', { TDS_SOURCES_ZOHO_SIGNATURE_HEADER: 'X Sig' }],
    ['TDS_SOURCES_ZOHO_TIMESTAMP_HEADER', { TDS_SOURCES_ZOHO_TIMESTAMP_HEADER: 'ts:' }],
    ['TDS_WEBHOOK_TIMESTAMP_TOLERANCE_S', { TDS_WEBHOOK_TIMESTAMP_TOLERANCE_S: '-5' }],
    ['TDS_WEBHOOK_FAILED_AUTH_RATE_LIMIT', { TDS_WEBHOOK_FAILED_AUTH_RATE_LIMIT: '0' }],
    ['TDS_WEBHOOK_REPLAY_WINDOW_S', { TDS_WEBHOOK_REPLAY_WINDOW_S: '-1' }],
  ])('refuses a bad value naming %s', (variable, env) => {
    expect(configError(env)).toMatch(new RegExp(`Invalid configuration:[\\s\\S]*${variable}:`));
  });

  it('names the secrets variable and the entry by position, never echoing a secret', () => {
    const message = configError({ TDS_SOURCES_ZOHO_SECRETS: 'first-secret-abc,,third secret-xyz' });
    expect(message).toContain('TDS_SOURCES_ZOHO_SECRETS: entry 2 is empty');
    expect(message).toContain('TDS_SOURCES_ZOHO_SECRETS: entry 3');
    for (const fragment of ['first-secret-abc', 'third', 'secret-xyz']) expect(message).not.toContain(fragment);
  });

  it('reports every problem at once', () => {
    const message = configError({ TDS_SOURCES: 'zoho,shop', TDS_SOURCES_ZOHO_RATE_LIMIT: 'fast' });
    expect(message).toContain('TDS_SOURCES_ZOHO_RATE_LIMIT');
    expect(message).toContain('TDS_SOURCES_SHOP_SHAPE');
  });
});

describe('WebhookSourceRegistry', () => {
  afterEach(() => jest.restoreAllMocks());

  it('finds the configured sources by name, and no other', () => {
    const registry = new WebhookSourceRegistry(configService());
    expect(registry.get('zoho')).toEqual(zohoSource());
    expect(registry.get('shopify')).toBeUndefined();
    expect(registry.get('__proto__')).toBeUndefined();
    expect(registry.all().map((source) => source.name)).toEqual(['zoho', 'generic']);
  });

  it('warns at start-up about each source without a secret, never logging a secret', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const registry = new WebhookSourceRegistry(
      configService({ sources: [zohoSource({ timestampHeader: 'x-ts' }), genericSource({ secrets: [] })] }),
    );
    registry.onApplicationBootstrap();
    expect(warn).toHaveBeenCalledTimes(1);
    const [line] = warn.mock.calls[0] as [string];
    expect(line).toContain('"generic"');
    expect(line).toContain('TDS_SOURCES_GENERIC_SECRETS');
    expect(line).toContain('401');
    expect(JSON.stringify(warn.mock.calls)).not.toContain(zohoSource().secrets[0]);
  });

  it('warns at start-up about each source whose signature carries no timestamp: its old deliveries can be replayed', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const registry = new WebhookSourceRegistry(
      configService({ sources: [zohoSource(), genericSource({ timestampHeader: 'x-tds-timestamp' })], replayWindowS: 3600 }),
    );
    registry.onApplicationBootstrap();
    expect(warn).toHaveBeenCalledTimes(1);
    const [line] = warn.mock.calls[0] as [string];
    expect(line).toContain('"zoho" signs no timestamp');
    expect(line).toContain('TDS_SOURCES_ZOHO_TIMESTAMP_HEADER');
    expect(line).toContain('TDS_WEBHOOK_REPLAY_WINDOW_S (3600 s)');
    expect(JSON.stringify(warn.mock.calls)).not.toContain(zohoSource().secrets[0]);
  });
});
