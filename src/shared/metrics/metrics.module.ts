import { Global, Module } from '@nestjs/common';

// TODO(helper): the Prometheus registry, GET /metrics and HTTP metrics.
@Global()
@Module({})
export class MetricsModule {}
