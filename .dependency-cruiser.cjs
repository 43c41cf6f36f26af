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
