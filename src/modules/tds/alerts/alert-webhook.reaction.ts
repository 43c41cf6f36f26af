import { createHmac } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventsHandler } from '@nestjs/cqrs';
import type { IEventHandler } from '@nestjs/cqrs';
import type { AlertsConfig } from '../../../shared/config/alerts.config.js';
import { DurableReactions } from '../../../shared/reactions/durable-reactions.js';
import { TdsAlertAcknowledgedEvent } from '../events/tds-alert-acknowledged.event.js';
import { TdsAlertTriggeredEvent } from '../events/tds-alert-triggered.event.js';

type AlertEvent = TdsAlertTriggeredEvent | TdsAlertAcknowledgedEvent;

const ALERT_EVENT_TYPES = [...TdsAlertTriggeredEvent.types, ...TdsAlertAcknowledgedEvent.types];

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`): the timestamp is signed with the
 * body so a receiver can refuse a replayed old call, and checks X-TDS-Event-Id to drop a
 * redelivery (delivery is at least once).
 */
function signAlertWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Sends every alert event to each configured receiver (TDS_ALERT_WEBHOOK_URLS), signed. Each
 * receiver is a durable reaction of its own: a failure (no answer within the timeout, or any
 * answer but 2xx) is recorded and retried with backoff by the redelivery sweep, and when the
 * attempts run out it stays open, where the failing_reactions alert finds it; the other
 * receivers' receipts keep them from receiving the event again meanwhile. The call is made
 * inside the reaction's transaction, before its receipt commits: a duplicate delivery racing
 * it waits for the receipt instead of calling too.
 */
@EventsHandler(TdsAlertTriggeredEvent, TdsAlertAcknowledgedEvent)
export class AlertWebhookReaction implements IEventHandler<AlertEvent>, OnModuleInit {
  private readonly logger = new Logger(AlertWebhookReaction.name);
  private readonly webhook: AlertsConfig['webhook'];

  constructor(
    config: ConfigService,
    private readonly reactions: DurableReactions,
  ) {
    this.webhook = config.getOrThrow<AlertsConfig>('alerts').webhook;
  }

  onModuleInit(): void {
    for (const receiver of this.webhook.receivers) this.reactions.register({ name: receiver.name, eventTypes: ALERT_EVENT_TYPES, startAt: 'registration' });
    if (this.webhook.receivers.length > 0) {
      this.logger.log(`alert webhooks: ${this.webhook.receivers.map((receiver) => receiver.name).join(', ')}`);
    }
  }

  async handle(event: AlertEvent): Promise<void> {
    await Promise.all(
      this.webhook.receivers.map((receiver) =>
        this.reactions.run(receiver.name, [event], async (_tx, fresh) => {
          for (const alertEvent of fresh) await this.post(receiver.url, alertEvent);
        }),
      ),
    );
  }

  private async post(url: string, event: AlertEvent): Promise<void> {
    const body = JSON.stringify({ ...event, eventType: event.eventType });
    const timestamp = String(Math.floor(Date.now() / 1000));
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'tds-alerts',
          'x-tds-event-id': event.eventId,
          'x-tds-event-type': event.eventType,
          'x-tds-timestamp': timestamp,
          'x-tds-signature': signAlertWebhook(this.webhook.secret, timestamp, body),
        },
        body,
        // A redirect is not followed: the signed alert goes only where it was configured to.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.webhook.timeoutMs),
      });
    } catch (error) {
      // Recorded as the failure's last error: the reason, never the URL (it may carry a token).
      // By name: the abort's DOMException need not be an instance of this realm's Error.
      const failure = error as { name?: string; cause?: { code?: string } };
      if (failure.name === 'TimeoutError') throw new Error(`alert webhook gave no answer within ${this.webhook.timeoutMs} ms`);
      const cause = failure.cause;
      throw new Error(`alert webhook unreachable${cause?.code ? `: ${cause.code}` : ''}`);
    }
    // The answer's content is not used; reading it to the end frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`alert webhook answered ${response.status}`);
  }
}
