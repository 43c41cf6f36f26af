import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { OPENAPI_ACCESS } from '../../../src/shared/auth/auth.decorators.js';
import { ROLES, type Role } from '../../../src/shared/auth/role.js';
import { createTestApp, type TestApp } from '../../support/create-test-app.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../../support/test-database.js';
import { appEnv, KEYS } from '../../modules/tds/enqueue/enqueue-test-kit.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: Method[] = ['get', 'post', 'put', 'patch', 'delete'];

interface Route {
  method: Method;
  path: string;
  url: string;
  access: 'public' | Role;
  body?: unknown;
  label: string;
}

/**
 * A value the schema accepts, from its examples first: the document's examples are what a
 * client copies, so a route whose example the route itself refuses fails here.
 */
function sample(schema: OpenAPIV3.SchemaObject): unknown {
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  const first = schema.oneOf?.[0] ?? schema.anyOf?.[0] ?? schema.allOf?.[0];
  if (first) return sample(first as OpenAPIV3.SchemaObject);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        (schema.required ?? []).map((name) => [name, sample(schema.properties?.[name] as OpenAPIV3.SchemaObject)]),
      );
    case 'array':
      return [sample(schema.items as OpenAPIV3.SchemaObject)];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return 'x';
  }
}

function parameterValue(parameter: OpenAPIV3.ParameterObject): string {
  const schema = parameter.schema as OpenAPIV3.SchemaObject | undefined;
  return String(parameter.example ?? schema?.example ?? (schema ? sample(schema) : '1'));
}

/** Every documented operation with a request the document itself describes: its examples for path, required query and body. */
function routesOf(document: OpenAPIV3.Document): Route[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item?.[method]).map((method) => {
      const operation = item![method] as OpenAPIV3.OperationObject & { [OPENAPI_ACCESS]?: Route['access'] };
      const parameters = (operation.parameters ?? []) as OpenAPIV3.ParameterObject[];
      let url = path;
      for (const p of parameters.filter((p) => p.in === 'path')) url = url.replace(`{${p.name}}`, encodeURIComponent(parameterValue(p)));
      const query = parameters.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(parameterValue(p))}`);
      if (query.length) url += `?${query.join('&')}`;
      const content = (operation.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content?.['application/json'];
      const named = Object.values(content?.examples ?? {})[0] as OpenAPIV3.ExampleObject | undefined;
      const body = content ? (content.example ?? named?.value ?? sample(content.schema as OpenAPIV3.SchemaObject)) : undefined;
      return { method, path, url, access: operation[OPENAPI_ACCESS]!, body, label: `${method.toUpperCase()} ${path}` };
    }),
  );
}

const BAD_KEY = 'not-a-configured-key-0123456789';

describePostgres('every route in the OpenAPI document', () => {
  let db: TestDatabase;
  let testApp: TestApp;
  let document: OpenAPIV3.Document;
  let routes: Route[];

  const call = (route: Route, key: string | null) =>
    testApp.app.inject({
      method: route.method.toUpperCase() as 'GET',
      url: route.url,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(route.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(route.body === undefined ? {} : { payload: JSON.stringify(route.body) }),
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    testApp = await createTestApp({ ...appEnv, DATABASE_URL: db.url });
    document = (await testApp.app.inject({ method: 'GET', url: '/api/docs-json' })).json();
    // dereference works on a copy: the document keeps its $refs for the validator below.
    routes = routesOf((await SwaggerParser.dereference(structuredClone(document) as never)) as OpenAPIV3.Document);
  });

  afterAll(async () => {
    await testApp?.close();
    await db?.drop();
  });

  it('is a valid OpenAPI document', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    expect(document.openapi).toMatch(/^3\./);
  });

  it('states who may call each route (public or the least role), so no route can skip the matrix', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const unstated = routes.filter((route) => route.access !== 'public' && !ROLES.includes(route.access as Role));
    expect(unstated.map((route) => route.label)).toEqual([]);
  });

  it('answers no key and a bad key with 401 on every keyed route', async () => {
    const answers: string[] = [];
    for (const route of routes.filter((r) => r.access !== 'public')) {
      for (const key of [null, BAD_KEY]) answers.push(`${route.label} ${key ? 'bad key' : 'no key'} → ${(await call(route, key)).statusCode}`);
    }
    expect(answers.filter((line) => !line.endsWith('→ 401'))).toEqual([]);
  });

  it('answers a role below the route\'s with 403 and the route\'s own role with 2xx or 404', async () => {
    const wrong: string[] = [];
    for (const route of routes.filter((r) => r.access !== 'public')) {
      const required = ROLES.indexOf(route.access as Role);
      if (required > 0) {
        const below = await call(route, KEYS[ROLES[required - 1]]);
        if (below.statusCode !== 403 || below.json().error !== 'AUTH.INSUFFICIENT_ROLE') wrong.push(`${route.label} as ${ROLES[required - 1]} → ${below.statusCode}`);
      }
      const allowed = await call(route, KEYS[route.access as Role]);
      if (!(allowed.statusCode >= 200 && allowed.statusCode < 300) && allowed.statusCode !== 404) {
        wrong.push(`${route.label} as ${route.access} → ${allowed.statusCode} ${allowed.body.slice(0, 300)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lists at least one viewer read, one service write and one operator action, so the matrix covers each kind', () => {
    const roles = new Set(routes.map((route) => route.access));
    expect([...roles].sort()).toEqual(expect.arrayContaining(['operator', 'public', 'service', 'viewer']));
  });
});
