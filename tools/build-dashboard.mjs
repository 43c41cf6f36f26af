// Bundles the operator dashboard page (web/dashboard) into dist/web/dashboard, which the app
// serves at / (src/shared/http/dashboard-page.ts): uPlot and the page's code in one script file,
// uPlot's CSS and the page's in one style sheet, no CDN. Type-checking is `tsc -p web` before it.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}web/dashboard`;
const out = `${root}dist/web/dashboard`;

// A file dropped from the sources must not stay servable from an earlier build.
await rm(out, { recursive: true, force: true });
await mkdir(`${out}/assets`, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: [`${source}/dashboard.ts`, `${source}/dashboard.css`],
  outdir: `${out}/assets`,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
await copyFile(`${source}/index.html`, `${out}/index.html`);
