import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { WebhooksConfig } from '../../../shared/config/webhooks.config.js';
import type { WebhookSource } from './webhook-delivery.js';

/** The webhook sources named in TDS_SOURCES; any other name is unknown (404). */
@Injectable()
export class WebhookSourceRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger(WebhookSourceRegistry.name);
  private readonly byName: ReadonlyMap<string, WebhookSource>;
  private readonly replayWindowS: number;

  constructor(config: ConfigService) {
    const { sources, replayWindowS } = config.getOrThrow<WebhooksConfig>('webhooks');
    this.byName = new Map(sources.map((source) => [source.name, source]));
    this.replayWindowS = replayWindowS;
  }

  get(name: string): WebhookSource | undefined {
    return this.byName.get(name);
  }

  all(): WebhookSource[] {
    return [...this.byName.values()];
  }

  /**
   * Said once at start-up rather than discovered later: a source without a secret refuses
   * everything (401s), and one without a signed timestamp accepts an old signed body replayed
   * at any time, which only the replay window guards for records versioned by receipt time.
   */
  onApplicationBootstrap(): void {
    for (const source of this.all()) {
      const prefix = `TDS_SOURCES_${source.name.toUpperCase()}_`;
      if (source.secrets.length === 0) {
        this.logger.warn(`Webhook source "${source.name}" has no secret (${prefix}SECRETS is unset): every delivery to it will be refused with 401`);
      } else if (source.timestampHeader === undefined) {
        this.logger.warn(
          `Webhook source "${source.name}" signs no timestamp (${prefix}TIMESTAMP_HEADER is unset): an old signed delivery can be replayed ` +
            `at any time; a record versioned by its receipt time (a Zoho price book, an item without last_modified_time) is protected ` +
            `from a replay of its earlier content only within TDS_WEBHOOK_REPLAY_WINDOW_S (${this.replayWindowS} s)`,
        );
      }
    }
  }
}
