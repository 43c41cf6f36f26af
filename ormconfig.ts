import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from './src/shared/config/database.config.js';
import { createDataSourceOptions } from './src/shared/database/data-source-options.js';

/**
 * For the TypeORM CLI (`npm run migration:run`, i.e. `typeorm migration:run -d dist/ormconfig.js`),
 * configured from the same environment variables as the app. The app itself migrates at start-up
 * under an advisory lock (src/shared/database/migration-runner.ts). Both run without the statement
 * and idle-in-transaction timeouts: a long CREATE INDEX must finish.
 */
export default new DataSource(createDataSourceOptions({ ...loadDatabaseConfig(), statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 }));
