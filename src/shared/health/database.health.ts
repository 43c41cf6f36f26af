import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

const PING_TIMEOUT_MS = 2000;

@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger(DatabaseHealthIndicator.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  /** Bounded, so an exhausted pool makes the instance unready instead of hanging the probe. */
  async ping(key = 'database') {
    const indicator = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
        }),
      ]);
      return indicator.up();
    } catch (error) {
      // The probe is public: the reason goes to the log, not into the response.
      this.logger.warn(`database ping failed: ${error instanceof Error ? error.message : String(error)}`);
      return indicator.down({ message: 'database unavailable' });
    } finally {
      clearTimeout(timer);
    }
  }
}
