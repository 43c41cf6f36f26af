import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IndexDocumentsHandler } from './commands/index-documents/index-documents.handler.js';
import { ReindexAllController } from './commands/reindex-all/reindex-all.controller.js';
import { ReindexAllHandler } from './commands/reindex-all/reindex-all.handler.js';
import { RemoveDocumentsHandler } from './commands/remove-documents/remove-documents.handler.js';
import { SEARCH_ENTITIES } from './entities/index.js';
import { SearchDocumentsController } from './queries/search-documents/search-documents.controller.js';
import { SearchDocumentsHandler } from './queries/search-documents/search-documents.handler.js';
import { SearchDocumentsReaction } from './reactions/search-documents.reaction.js';

/** Full-text search over synced records (GET /api/search), fed by TDS entity events. */
@Module({
  imports: [CqrsModule, TypeOrmModule.forFeature(SEARCH_ENTITIES)],
  controllers: [SearchDocumentsController, ReindexAllController],
  providers: [IndexDocumentsHandler, RemoveDocumentsHandler, ReindexAllHandler, SearchDocumentsHandler, SearchDocumentsReaction],
})
export class SearchModule {}
