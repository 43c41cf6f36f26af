import { Module } from '@nestjs/common';

// Products and stock levels, kept current by sagas on TDS entity events, land here in a later issue.
@Module({})
export class InventoryModule {}
