import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Where `npm run build` bundles the operator dashboard page (tools/build-dashboard.mjs):
 * dist/web/dashboard, found from this file whether it runs compiled (dist/src/shared/http) or
 * from its source under Jest (src/shared/http).
 */
function dashboardDir(): string {
  const up = resolve(__dirname, '..', '..', '..');
  return join(basename(up) === 'dist' ? up : join(up, 'dist'), 'web', 'dashboard');
}

/**
 * Serves the dashboard page at / and its two assets under /assets/. These routes carry no
 * access rule, so the onRequest hook asks them for no key: the page holds no data, it asks for
 * a key and sends it with every API call. `wildcard: false` registers one route per file built,
 * nothing else under / is answered from the disk. Helmet's headers (the CSP the page is written
 * for) reach these routes like every other.
 */
export function serveDashboardPage(app: NestFastifyApplication): void {
  const root = dashboardDir();
  if (!existsSync(join(root, 'index.html'))) {
    app.getHttpAdapter().getInstance().log.warn(`The dashboard page is not built (${root} is missing): run npm run build; / answers 404 until then`);
    return;
  }
  // Swagger UI registers @fastify/static too; only one registration may decorate the reply.
  app.useStaticAssets({ root, prefix: '/', wildcard: false, decorateReply: false });
}
