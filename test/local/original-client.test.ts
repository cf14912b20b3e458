// Tests that the requests of the original whiplash Python client, replayed unchanged, get the answers it reads.
import type { LocalServer } from '../../lib/local/server';
import { createProject, startTestServer, vectors } from './http';

/**
 * The original whiplash Python API client (`whiplash/api/client`: `Whiplash` and `Collection`)
 * sends these requests, byte for byte in shape: the path without a leading slash joined to the
 * API URL, the key in `x-api-key`, JSON bodies as `requests` encodes them. This test replays them
 * unchanged against the local server and checks what the client reads from each answer.
 */
describe('the original whiplash Python client, replayed', () => {
  let server: LocalServer;
  let apiKey: string;
  const projectName = 'whiplash'; // the client's default project_name
  const dims = 16;
  const data = vectors(30, dims, 5);

  beforeAll(async () => {
    server = await startTestServer();
    ({ key: apiKey } = await createProject(server, projectName)); // the client's key is this project's key
  });
  afterAll(() => server?.stop());

  /** What `APIConfig.request(method, path, body)` sends: `requests.request(method, f"{url}/{path}", json=body, headers=...)`. */
  async function request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = {
      'x-api-key': apiKey,
      'User-Agent': 'python-requests/2.31.0',
      'Accept-Encoding': 'gzip, deflate',
      Accept: '*/*',
      Connection: 'keep-alive',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${server.url}/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    expect([method, path, res.status]).toEqual([method, path, 200]);
    return res.json();
  }

  test('Whiplash.create_collection(name, n_features) with the default n_planes, bit_start, bit_scale_factor', async () => {
    const metadata = await request('POST', `projects/${projectName}/collections`, {
      name: 'example-16',
      n_features: dims,
      n_planes: 6,
      bit_start: 8,
      bit_scale_factor: 2,
    });
    expect(metadata).toMatchObject({ name: 'example-16', n_features: dims });
  });

  test('Whiplash.get_collection(name) and get_collections() read name from each collection', async () => {
    const metadata = await request('GET', `projects/${projectName}/collections/example-16`);
    expect(metadata).toBeTruthy();
    const list = (await request('GET', `projects/${projectName}/collections`)) as { name: string }[];
    expect(list.map((c) => c['name'])).toEqual(['example-16']);
  });

  test('Collection.insert(vector) sends Vector.to_dict() = {id, vector}', async () => {
    await request('POST', `projects/${projectName}/collections/example-16/items`, { id: 'id_0', vector: data[0] });
  });

  test('Collection.insert_batch(vectors) sends {vectors: [to_dict(), ...]}', async () => {
    await request('POST', `projects/${projectName}/collections/example-16/items/batch`, {
      vectors: data.slice(1).map((vector, i) => ({ id: `id_${i + 1}`, vector })),
    });
  });

  test('Collection.get_item(id) reads Vector.from_dict: id and vector', async () => {
    const resp = await request('GET', `projects/${projectName}/collections/example-16/items/id_7`);
    expect(resp['id']).toBe('id_7');
    expect(resp['vector']).toHaveLength(dims);
    resp['vector'].forEach((x: number, j: number) => expect(x).toBeCloseTo(data[7][j], 5));
  });

  test('Collection.search(query, limit=5) reads CompVector.from_dict: id, vector, dist for each item of a list', async () => {
    const resp = (await request('POST', `projects/${projectName}/collections/example-16/search`, { query: data[12], limit: 5 })) as {
      id: string;
      vector: number[];
      dist: number;
    }[];
    expect(resp).toHaveLength(5);
    expect(resp[0]['id']).toBe('id_12');
    for (const item of resp) {
      expect(typeof item['id']).toBe('string');
      expect(item['vector']).toHaveLength(dims);
      expect(typeof item['dist']).toBe('number');
    }
  });
});
