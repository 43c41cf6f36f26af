import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BodyGates } from '../../../shared/http/body-gates.js';
import type { WebhookSource } from './webhook-delivery.js';
import { WebhookRateLimiter } from './webhook-rate.limiter.js';
import { WebhookSignatureVerifier } from './webhook-signature.verifier.js';
import type { SignedRequest } from './webhook-signature.verifier.js';
import { WebhookSourceRegistry } from './webhook-source.registry.js';
import { UnknownWebhookSourceError, WebhookUnauthorizedError } from './webhook.errors.js';

/** The body gate of POST /api/tds/webhooks/:source. */
export const WEBHOOK_SIGNATURE_GATE = 'webhook-signature';

/**
 * Authenticates a webhook delivery from its raw bytes, as the route's body gate: before the
 * body is parsed, so a forged, unsigned or replayed-and-altered delivery costs one HMAC and no
 * JSON.parse, validation or database work. Checks, cheapest first: the source exists (404),
 * the signature (401; a client address that keeps failing gets 429 instead, from its own
 * bucket), then the source's rate (429), which only authenticated deliveries spend.
 */
@Injectable()
export class WebhookAuthenticator implements OnModuleInit {
  /** Requests authenticated by the gate, so the controller does not pay for the HMAC twice. */
  private readonly authenticated = new WeakMap<FastifyRequest, WebhookSource>();

  constructor(
    private readonly sources: WebhookSourceRegistry,
    private readonly verifier: WebhookSignatureVerifier,
    private readonly rateLimiter: WebhookRateLimiter,
    private readonly gates: BodyGates,
  ) {}

  onModuleInit(): void {
    this.gates.register(WEBHOOK_SIGNATURE_GATE, (request, rawBody) => {
      this.authenticate(request, rawBody);
    });
  }

  /**
   * The source whose secret signed this request. Called by the gate, and again by the
   * controller for a request that had no body to parse (Fastify runs no parser then).
   */
  authenticate(request: FastifyRequest, rawBody: Buffer): WebhookSource {
    const known = this.authenticated.get(request);
    if (known) return known;
    const source = this.sources.get((request.params as { source?: string }).source ?? '');
    if (!source) throw new UnknownWebhookSourceError();
    const signed: SignedRequest = {
      source,
      rawBody,
      headers: request.headers,
      query: request.query as SignedRequest['query'],
    };
    try {
      this.verifier.verify(signed);
    } catch (error) {
      if (error instanceof WebhookUnauthorizedError) this.rateLimiter.failedAuthentication(request.ip);
      throw error;
    }
    this.rateLimiter.take(source.name);
    this.authenticated.set(request, source);
    return source;
  }
}
