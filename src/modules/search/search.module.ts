import { Module } from '@nestjs/common';

// Search documents and GET /api/search, fed by TDS entity events, land here in a later issue.
@Module({})
export class SearchModule {}
