import type { MigrationInterface, QueryRunner } from 'typeorm';

/** TODO(helper): search_documents. */
export class Search1764520000000 implements MigrationInterface {
  name = 'Search1764520000000';

  async up(_q: QueryRunner): Promise<void> {}

  async down(_q: QueryRunner): Promise<void> {}
}
