import { PglitePool } from '../../src/shared/database/pglite-pool.js';
it('opens and closes', async () => { const p = new PglitePool({}); await p.query('SELECT 1'); await p.end(); });
