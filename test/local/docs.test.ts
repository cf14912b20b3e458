// Tests /openapi.json against the route table and the Swagger UI at /docs (no CDN), rendered in headless Chromium
// when one is available.
import { spawn, spawnSync } from 'node:child_process';
import { INDEX_METHODS, LIST_SIZE_BOUNDS } from '../../lambda/core/limits';
import { ROUTES } from '../../lambda/api/routes';
import type { LocalServer } from '../../lib/local/server';
import { call, startTestServer } from './http';

const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * A headless Chromium: the one on PATH, else Debian's `chromium` installed with apt-get (root
 * only). Returns the binary, or the reason there is none.
 */
function findOrInstallChromium(): { bin?: string; reason?: string } {
  const found = BROWSERS.map(which).find(Boolean);
  if (found) return { bin: found };
  if (process.env.WHIPLASH_SKIP_BROWSER_INSTALL) return { reason: 'no Chromium on PATH and WHIPLASH_SKIP_BROWSER_INSTALL is set' };
  if (!which('apt-get')) return { reason: 'no Chromium on PATH and no apt-get to install Debian\'s chromium' };
  if (process.getuid?.() !== 0) return { reason: 'no Chromium on PATH, and installing it with apt-get needs root' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { env, timeout: 300_000 });
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, encoding: 'utf8', timeout: 600_000 });
  }
  const bin = BROWSERS.map(which).find(Boolean);
  return bin ? { bin } : { reason: `apt-get install chromium failed: ${(r.stderr ?? '').split('\n').slice(-3).join(' ')}` };
}

describe('OpenAPI document and docs page', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  test('/openapi.json describes every route of the route table with its schemas, no key needed', async () => {
    const r = await call(server, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: server.url }]);
    expect(doc.components.securitySchemes.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    const ops: string[] = [];
    for (const [p, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [m, op] of Object.entries(methods)) {
        ops.push(`${m.toUpperCase()} ${p} ${op.operationId}`);
        const route = ROUTES.find((x) => x.operationId === op.operationId)!;
        if (route.requestSchema) expect(op.requestBody.content['application/json'].schema).toEqual(route.requestSchema);
        expect(op.responses['403']).toBeDefined();
      }
    }
    expect(ops.sort()).toEqual(ROUTES.map((x) => `${x.method} ${x.path} ${x.operationId}`).sort());
    const search = doc.paths['/projects/{projectId}/collections/{collectionId}/search'].post;
    expect(Object.keys(search.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['query', 'limit', 'filter', 'include_vector', 'include_metadata']),
    );
    // the create request's index method and list size, with their bounds, and the collection answered with them
    const create = doc.paths['/projects/{projectId}/collections'].post;
    expect(create.requestBody.content['application/json'].schema.properties).toMatchObject({
      indexMethod: { enum: [...INDEX_METHODS] },
      listSize: { type: 'integer', minimum: LIST_SIZE_BOUNDS[0], maximum: LIST_SIZE_BOUNDS[1] },
    });
    expect(Object.keys(create.responses['200'].content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['indexMethod', 'listSize']));
    const list = doc.paths['/projects/{projectId}/collections/{collectionId}/items'].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:projectId', 'path:collectionId', 'query:limit', 'query:cursor']),
    );
  });

  test('/docs serves Swagger UI from the npm package, with no external (CDN) references', async () => {
    const html = await fetch(`${server.url}/docs`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const text = await html.text();
    expect(text).not.toMatch(/https?:\/\//);
    for (const src of [...text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])) {
      const asset = await fetch(`${server.url}${src}`);
      expect([src, asset.status]).toEqual([src, 200]);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect((await fetch(`${server.url}/docs/../package.json`)).status).not.toBe(200);
  });

  const browser = findOrInstallChromium();
  if (!browser.bin) console.warn(`Skipping the headless browser check of /docs: ${browser.reason}`);
  (browser.bin ? test : test.skip)('headless Chromium renders every operation of the API on /docs', async () => {
    // Asynchronous: the server under test runs in this process and must keep answering.
    const child = spawn(
      browser.bin!,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--virtual-time-budget=15000', '--dump-dom', `${server.url}/docs`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let dom = '';
    child.stdout.on('data', (d: Buffer) => (dom += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(dom).toContain('Whiplash vector store'); // the document's title, fetched from /openapi.json
    for (const route of ROUTES) expect(dom).toContain(route.summary);
    expect((dom.match(/class="opblock opblock-/g) ?? []).length).toBe(ROUTES.length);
  }, 120_000);
});
