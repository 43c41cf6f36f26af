import { Module } from '@nestjs/common';

// The mobile and dashboard read models under /api/bff/tds land here in a later issue.
@Module({})
export class BffModule {}
