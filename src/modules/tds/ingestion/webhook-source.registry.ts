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

  constructor(config: ConfigService) {
    const { sources } = config.getOrThrow<WebhooksConfig>('webhooks');
    this.byName = new Map(sources.map((source) => [source.name, source]));
  }

  get(name: string): WebhookSource | undefined {
    return this.byName.get(name);
  }

  all(): WebhookSource[] {
    return [...this.byName.values()];
  }

  /** A source without a secret refuses everything: said once at start-up, not discovered from 401s. */
  onApplicationBootstrap(): void {
    for (const source of this.all().filter((s) => s.secrets.length === 0)) {
      this.logger.warn(
        `Webhook source "${source.name}" has no secret (TDS_SOURCES_${source.name.toUpperCase()}_SECRETS is unset): ` +
          'every delivery to it will be refused with 401',
      );
    }
  }
}
