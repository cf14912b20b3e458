// Tests that a search answer never exceeds Lambda's 6 MB response limit: a request whose answer
// would is refused with a 400 that names the limit and a request that fits, which then succeeds.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createQueryHandler } from '../../lambda/api/handlers/query';
import { logger } from '../../lambda/api/logger';
import { MAX_LAMBDA_PAYLOAD_BYTES } from '../../lambda/core/limits';
import { WhiplashStore } from '../../lambda/store/store';
import { useTestTables } from '../support/tables';

const DIM = 4096;

function searchEvent(body: unknown): APIGatewayProxyEvent {
  return {
    resource: '/projects/{projectId}/collections/{collectionId}/search',
    path: '/projects/p/collections/big/search',
    httpMethod: 'POST',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { projectId: 'p', collectionId: 'big' },
    stageVariables: null,
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'r', identity: { apiKeyId: 'admin' } },
  } as never;
}

describe('search answers within the Lambda response limit', () => {
  const db = useTestTables();
  // 100 vectors of 4096 dimensions around one direction: with enough probes every one is a
  // candidate, and with their vectors (about 20 characters a component) the answer is about 8 MB
  const base = Array.from({ length: DIM }, (_, j) => 0.5 + 0.4 * Math.sin(j * 0.37));
  const vector = (i: number) => base.map((x, j) => x + 1e-3 * Math.cos(i * 7.1 + j));

  beforeAll(async () => {
    logger.setLogLevel('ERROR');
    const store = new WhiplashStore(db);
    await store.createProject({ projectId: 'p' });
    await store.createCollection('p', { name: 'big', dimension: DIM });
    await store.upsert('p', 'big', Array.from({ length: 100 }, (_, i) => ({ id: `v${i}`, vector: vector(i) })));
  });

  it('refuses a search whose answer is over 6 MB, names the limit and a limit that fits, and that one succeeds', async () => {
    const query = createQueryHandler({ store: new WhiplashStore(db), adminKeyId: 'admin' });
    const tooBig = await query(searchEvent({ query: vector(0), limit: 100, probes: 16 }));
    expect(tooBig.statusCode).toBe(400);
    const error = JSON.parse(tooBig.body).error;
    expect(error).toMatchObject({ code: 'ValidationError', field: 'limit' });
    expect(error.message).toContain(`above Lambda's response limit of ${MAX_LAMBDA_PAYLOAD_BYTES} bytes`);
    expect(error.message).toContain('include_vector: false');
    const fits = Number(/at most (\d+) results/.exec(error.message)![1]);
    expect(fits).toBeGreaterThan(10);
    expect(fits).toBeLessThan(100);

    const smaller = await query(searchEvent({ query: vector(0), limit: fits, probes: 16 }));
    expect(smaller.statusCode).toBe(200);
    expect(JSON.parse(smaller.body)).toHaveLength(fits);
    expect(Buffer.byteLength(JSON.stringify(smaller))).toBeLessThanOrEqual(MAX_LAMBDA_PAYLOAD_BYTES);

    const noVectors = await query(searchEvent({ query: vector(0), limit: 100, probes: 16, include_vector: false }));
    expect(noVectors.statusCode).toBe(200);
    expect(JSON.parse(noVectors.body)).toHaveLength(100);
  });
});
