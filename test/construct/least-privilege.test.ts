// Tests that each function's IAM grants are exactly the DynamoDB calls its handler makes.
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ApiDeps } from '../../lambda/api/deps';
import { createAdminHandler } from '../../lambda/api/handlers/admin';
import { createQueryHandler } from '../../lambda/api/handlers/query';
import { createWriteHandler } from '../../lambda/api/handlers/write';
import { FunctionRole, ROUTES } from '../../lambda/api/routes';
import { FIRST_CALIBRATION_QUERIES, QUERIES_TO_FIRST_SETTING } from '../../lambda/core/list-calibration';
import { vectorKey } from '../../lambda/store/key-format';
import { codesToBytes } from '../../lambda/store/layout';
import { TableNames, TableRole } from '../../lambda/store/table-definitions';
import { WhiplashStore } from '../../lambda/store/store';
import { LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import { LocalKeyIssuer } from '../../lib/local/local-keys';
import { isReadAction, TABLE_ACCESS, WRITE_PARTITIONS } from '../../lib/construct/access';
import { createTestTables, testClient, testEndpoint } from '../support/tables';
import { apiEvent } from './support';

/**
 * The IAM actions the construct grants each function are exactly the DynamoDB calls that function
 * makes. Every route (and the scheduled purge) runs through its real handler against DynamoDB
 * Local; each function has its own client (as each Lambda has), whose middleware records the
 * operation and table of every call.
 */
type Used = Record<FunctionRole, Record<TableRole, Set<string>>>;

const ADMIN = 'admin-key-id';
const C = '/projects/{projectId}/collections/{collectionId}';
const P = { projectId: 'acme' };
const PC = { projectId: 'acme', collectionId: 'docs' };

let tables: TableNames & { drop(): Promise<void> };
const clients: DynamoDBClient[] = [];
const used: Used = {
  query: { metadata: new Set(), vectors: new Set(), buckets: new Set() },
  write: { metadata: new Set(), vectors: new Set(), buckets: new Set() },
  admin: { metadata: new Set(), vectors: new Set(), buckets: new Set() },
};
const exercised = new Set<string>();
/** Partition keys of the single-item writes each function made, per table and action (a transaction's items as the actions IAM authorizes them as). */
const writtenKeys: Record<FunctionRole, Record<TableRole, Map<string, Set<string>>>> = {
  query: { metadata: new Map(), vectors: new Map(), buckets: new Map() },
  write: { metadata: new Map(), vectors: new Map(), buckets: new Map() },
  admin: { metadata: new Map(), vectors: new Map(), buckets: new Map() },
};

function recordingDeps(role: FunctionRole): ApiDeps {
  const client = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: testEndpoint() });
  clients.push(client);
  const roleOf = (table: string): TableRole => (Object.keys(tables) as TableRole[]).find((r) => tables[r] === table)!;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      type One = { TableName?: string; Key?: { pk?: { S?: string } }; Item?: { pk?: { S?: string } } };
      const input = args.input as One & { RequestItems?: Record<string, unknown>; TransactItems?: Record<string, One>[] };
      // a transaction is authorized as the action of each of its items (PutItem, UpdateItem, DeleteItem, ConditionCheckItem)
      const singles: [string, One][] = input.TransactItems
        ? input.TransactItems.flatMap((t) => Object.entries(t).map(([kind, one]): [string, One] => [`dynamodb:${kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`}`, one]))
        : [[`dynamodb:${String(context.commandName).replace(/Command$/, '')}`, input]];
      for (const [action, one] of singles) {
        const names = one.TableName ? [one.TableName] : Object.keys(input.RequestItems ?? {});
        for (const name of names) used[role][roleOf(name)].add(action);
        const pk = (one.Key ?? one.Item)?.pk?.S;
        if (one.TableName && pk !== undefined && !isReadAction(action)) {
          const byAction = writtenKeys[role][roleOf(one.TableName)];
          byAction.set(action, (byAction.get(action) ?? new Set()).add(pk));
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordTableAccess' },
  );
  return { store: new WhiplashStore({ client, tables }), adminKeyId: ADMIN, keyIssuer: role === 'admin' ? new LocalKeyIssuer() : undefined };
}

beforeAll(async () => {
  const setup = testClient();
  tables = await createTestTables(setup);
  setup.destroy();
  const handlers = {
    query: createQueryHandler(recordingDeps('query')),
    write: createWriteHandler(recordingDeps('write')),
    admin: createAdminHandler(recordingDeps('admin')),
  };
  const call = async (method: string, path: string, params: Record<string, string>, key: string, body?: unknown, query?: Record<string, string>) => {
    const route = ROUTES.find((r) => r.method === method && r.path === path)!;
    const res = (await handlers[route.function](apiEvent(method, path, params, key, body, query))) as APIGatewayProxyResult;
    if (res.statusCode >= 300) throw new Error(`${route.operationId} answered ${res.statusCode}: ${res.body}`);
    exercised.add(route.operationId);
    return JSON.parse(res.body);
  };
  const vec = (i: number) => Array.from({ length: 8 }, (_, j) => Math.sin(i * 7 + j));

  const project = await call('POST', '/projects', {}, ADMIN, { name: 'acme' });
  const key = project.apiKeyId as string;
  await call('GET', '/projects', {}, ADMIN);
  await call('GET', '/projects/{projectId}', P, key);
  await call('PUT', '/projects/{projectId}/tier', P, ADMIN, { tier: 'default' });
  await call('POST', '/projects/{projectId}/collections', P, key, { name: 'docs', n_features: 8, indexMethod: 'lsh' });
  await call('GET', '/projects/{projectId}/collections', P, key);
  await call('GET', C, PC, key);
  await call('POST', `${C}/items`, PC, key, { id: 'a', vector: vec(0), metadata: { kind: 'x' } });
  await call('POST', `${C}/items/batch`, PC, key, { vectors: Array.from({ length: 30 }, (_, i) => ({ id: `v${i}`, vector: vec(i) })) });
  await call('POST', `${C}/items/batch`, PC, key, { vectors: Array.from({ length: 10 }, (_, i) => ({ id: `v${i}`, vector: vec(i + 100) })) }); // overwrites: stale bucket entries go
  await call('GET', `${C}/items`, PC, key, undefined, { limit: '5' });
  await call('GET', `${C}/items/{itemId}`, { ...PC, itemId: 'a' }, key);
  await call('POST', `${C}/search`, PC, key, { query: vec(3), limit: 3, filter: { kind: 'x' }, include_metadata: true });
  await call('POST', `${C}/search`, PC, key, { id: 'a', limit: 3 });
  await call('POST', `${C}/items/batch-get`, PC, key, { ids: ['a', 'v3', 'none'] });
  await call('GET', `${C}/items`, PC, key, undefined, { prefix: 'v', include_vector: 'true', include_metadata: 'true' });
  await call('PATCH', `${C}/items/{itemId}`, { ...PC, itemId: 'v4' }, key, { metadata: { kind: 'y' } });
  await call('POST', `${C}/items/batch-delete`, PC, key, { ids: ['v5', 'none'] });
  await call('POST', `${C}/items/delete-by-filter`, PC, key, { filter: { kind: 'y' } });
  // a delete and a replace stopped part way (written outside the functions), for the repair to finish
  const outside = testClient();
  clients.push(outside);
  const config = await outside.send(new GetItemCommand({ TableName: tables.metadata, Key: { pk: { S: 'P#acme' }, sk: { S: 'C#docs' } } }));
  const itemKey = (id: string) => {
    const k = vectorKey(config.Item!.uid.S!, id);
    return { pk: { S: k.pk }, sk: { S: k.sk } };
  };
  await outside.send(new UpdateItemCommand({ TableName: tables.vectors, Key: itemKey('v1'), UpdateExpression: 'SET t = :t', ExpressionAttributeValues: { ':t': { BOOL: true } } }));
  await outside.send(new UpdateItemCommand({ TableName: tables.vectors, Key: itemKey('v2'), UpdateExpression: 'ADD o :o', ExpressionAttributeValues: { ':o': { BS: [codesToBytes(new Uint32Array(32))] } } }));
  const repaired = await call('POST', `${C}/repair`, PC, ADMIN);
  expect(repaired).toMatchObject({ settled: 1, finishedDeletes: 1 });
  await call('DELETE', `${C}/items/{itemId}`, { ...PC, itemId: 'a' }, key);
  await call('DELETE', C, PC, key);
  const purged = (await handlers.admin({ source: 'aws.events' } as never)) as APIGatewayProxyResult;
  expect(JSON.parse(purged.body).purged).toBeGreaterThan(0);
  // a collection in k-means lists (the default), written past a split and searched
  await call('POST', '/projects/{projectId}/collections', P, key, { name: 'other', n_features: 8, listSize: 16 });
  const other = { ...P, collectionId: 'other' };
  for (const from of [200, 240, 280]) await call('POST', `${C}/items/batch`, other, key, { vectors: Array.from({ length: 40 }, (_, i) => ({ id: `w${from + i}`, vector: vec(from + i) })) });
  await call('POST', `${C}/search`, other, key, { query: vec(203), limit: 3 });
  // unfiltered top-10 searches enough for the first calibration of its nprobe, and the one that joins
  // them: the query function writes the counter and the collection's calibration window
  for (let i = 0; i <= QUERIES_TO_FIRST_SETTING; i++) await call('POST', `${C}/search`, other, key, { query: vec(300 + i), limit: 10 });
  expect((await call('GET', C, other, key)).queryPlan.calibratedBy).toBe(FIRST_CALIBRATION_QUERIES);
  await call('DELETE', `${C}/items/{itemId}`, { ...other, itemId: 'w201' }, key);
  await call('DELETE', '/projects/{projectId}', P, ADMIN); // drops 'other' too
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await tables?.drop();
});

test('every route was exercised through its handler', () => {
  expect([...exercised].sort()).toEqual(ROUTES.map((r) => r.operationId).sort());
});

test.each(['query', 'write', 'admin'] as const)('the %s function is granted exactly the DynamoDB actions it calls, per table', (role) => {
  const granted = Object.fromEntries(Object.entries(TABLE_ACCESS[role]).map(([t, a]) => [t, [...a].sort()]));
  const calls = Object.fromEntries(Object.entries(used[role]).map(([t, a]) => [t, [...a].sort()]));
  expect(granted).toEqual(calls);
});

/**
 * The IAM condition that confines each write action of a function (and of `grantWrite`) to some
 * partitions (`WRITE_PARTITIONS`, `dynamodb:LeadingKeys` StringLike) must admit every partition key
 * the function really writes with that action, or the function would be denied on AWS.
 */
const like = (p: string) => new RegExp(`^${p.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
const admits = (patterns: readonly string[], pk: string) => patterns.some((p) => like(p).test(pk));

test.each(
  Object.entries(WRITE_PARTITIONS).flatMap(([role, tables]) =>
    Object.entries(tables ?? {}).flatMap(([table, actions]) => Object.entries(actions).map(([action, patterns]) => [role, action, table, patterns] as const)),
  ),
)('the %s function calls %s on the %s table only in partitions its LeadingKeys condition admits (%j)', (role, action, table, patterns) => {
  const keys = [...(writtenKeys[role as FunctionRole][table as TableRole].get(action) ?? [])];
  expect(keys.length).toBeGreaterThan(0);
  for (const pk of keys) expect(admits(patterns, pk)).toBe(true);
  // the admin function writes metadata outside them (e.g. key bindings, the purge queue): the check can tell
  expect([...writtenKeys.admin.metadata.values()].flatMap((pks) => [...pks]).some((pk) => !admits(patterns, pk))).toBe(true);
});

test.each(Object.entries(WRITE_PARTITIONS).flatMap(([role, tables]) => Object.entries(tables ?? {}).map(([table, actions]) => [role, table, actions] as const)))(
  'every write action the %s function calls on the %s table is confined to its own partitions',
  (role, table, actions) => {
    expect(Object.keys(actions).sort()).toEqual([...writtenKeys[role as FunctionRole][table as TableRole].keys()].sort());
  },
);
