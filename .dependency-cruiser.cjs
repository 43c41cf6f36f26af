/**
 * Module boundaries (ARCHITECTURE §2): a module reaches another only through the buses and the
 * other's public contract (`src/modules/<name>/public.ts`); `src/shared` depends on no module.
 */
module.exports = {
  forbidden: [
    {
      name: 'module-reaches-into-another',
      comment: 'Import another module only through its public.ts (events, commands, queries).',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/public\\.ts$'] },
    },
    {
      name: 'bff-touches-no-database',
      comment:
        'The BFF owns no table and runs no SQL: it reads and acts through the buses (ARCHITECTURE §2). ' +
        'Other modules stay behind their public.ts (module-reaches-into-another).',
      severity: 'error',
      from: { path: '^src/modules/bff/' },
      to: { path: ['^src/shared/database/', '(^|/)node_modules/(typeorm|pg|pg-pool|@nestjs/typeorm|@electric-sql/pglite)/'] },
    },
    {
      name: 'shared-depends-on-a-module',
      comment: 'src/shared sits below every module.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'tds-runtime-sends-commands-through-the-bus',
      comment:
        'The loops and services around the use cases (workers, apply, queue, outbox, jobs, alerts, pull, reactions) reach a ' +
        'use case only by sending its command or query on a bus: they may import its .command/.query class and its errors, ' +
        'never its handler, SQL or DTOs. Handlers are registered in tds.module.ts.',
      severity: 'error',
      from: { path: '^src/modules/tds/(workers|apply|queue|outbox|jobs|alerts|pull|reactions)/' },
      to: { path: '^src/modules/tds/(commands|queries)/', pathNot: '\\.(command|query|errors)\\.ts$' },
    },
    {
      name: 'tds-domain-depends-on-nothing-in-tds',
      comment: 'domain/ holds the rules (statuses, versions, retry policy) everything else builds on.',
      severity: 'error',
      from: { path: '^src/modules/tds/domain/' },
      to: { path: '^src/modules/tds/', pathNot: '^src/modules/tds/domain/' },
    },
    {
      name: 'tds-events-depend-on-the-domain-only',
      comment: 'Event classes are the public contract: they carry domain types, nothing of how TDS produces them.',
      severity: 'error',
      from: { path: '^src/modules/tds/events/' },
      to: { path: '^src/modules/tds/', pathNot: '^src/modules/tds/(domain|events)/' },
    },
    {
      name: 'tds-apply-stage-belongs-to-the-workers',
      comment:
        'Applying claimed items happens inside a worker batch transaction; no use case may apply or close an item itself. ' +
        'The outbox relay shares only the test fault hook.',
      severity: 'error',
      from: { path: '^src/modules/tds/', pathNot: ['^src/modules/tds/(workers|apply)/', '^src/modules/tds/tds\\.module\\.ts$', '^src/modules/tds/outbox/'] },
      to: { path: '^src/modules/tds/apply/' },
    },
    {
      name: 'tds-use-cases-do-not-reach-the-workers',
      comment: 'commands/ and queries/ hold use cases sent through the buses; the worker loop is not theirs to call.',
      severity: 'error',
      from: { path: '^src/modules/tds/(commands|queries)/' },
      to: { path: '^src/modules/tds/(workers|apply)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
