import { PGlite } from '@electric-sql/pglite';
it('raw pglite', async () => { const p = await PGlite.create(); await p.query('SELECT 1'); await p.close(); });
