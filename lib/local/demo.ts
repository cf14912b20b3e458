#!/usr/bin/env node
// `npm run demo`: loads real sentence embeddings into the running local store and prints their neighbours
// and the index's recall@10.
/**
 * `npm run demo`: loads real sentence embeddings (npm package `@sap-ux/fiori-docs-embeddings`:
 * 778 SAP Fiori documentation chunks embedded with all-MiniLM-L6-v2, 384 dimensions) into the
 * running local store through the REST API, then prints, for a few documents, the titles of their
 * nearest neighbours and the recall@10 of the index against exact search.
 *
 * Needs `npm start` running. Environment: WHIPLASH_URL (default `http://127.0.0.1:$PORT`, port
 * 3000), WHIPLASH_ADMIN_KEY (default: read from `$WHIPLASH_DATA_DIR/admin-key`, `.whiplash/`).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { mapLimit } from '../../lambda/core/concurrency';
import { int } from '../cli/parse';
import { DEFAULT_IMPORT_BATCH, DEFAULT_IMPORT_CONCURRENCY, FIRST_IMPORT_BATCH } from '../cli/import';

interface Doc {
  readonly id: string;
  readonly title: string;
  readonly category: string;
  readonly text: string;
  readonly vector: number[];
}

/** Reads the embeddings and their texts from the npm package's files. */
export function loadFioriDocs(): Doc[] {
  const dir = path.join(path.dirname(require.resolve('@sap-ux/fiori-docs-embeddings/package.json')), 'data', 'embeddings');
  const meta = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8')) as { dimensions: number; totalVectors: number };
  const bin = readFileSync(path.join(dir, 'embeddings.bin'));
  const records = readFileSync(path.join(dir, 'records.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { id: string; title?: string; category?: string; content?: string });
  const d = meta.dimensions;
  return records.slice(0, meta.totalVectors).map((r, i) => ({
    id: r.id,
    title: (r.title ?? r.id).slice(0, 200),
    category: (r.category ?? '').slice(0, 100),
    text: (r.content ?? '').replace(/\*\*[A-Z ]+\*\*:\s*/g, '').replace(/\s+/g, ' ').slice(0, 280),
    vector: Array.from({ length: d }, (_, j) => bin.readFloatLE((i * d + j) * 4)),
  }));
}

function cosineTopK(docs: Doc[], q: number[], k: number): string[] {
  const norm = (v: number[]): number => Math.hypot(...v);
  const nq = norm(q);
  return docs
    .map((doc) => ({ id: doc.id, s: doc.vector.reduce((a, x, j) => a + x * q[j], 0) / (norm(doc.vector) * nq) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

class Api {
  constructor(
    readonly url: string,
    private key: string,
  ) {}

  withKey(key: string): Api {
    return new Api(this.url, key);
  }

  async send(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${this.url}${p}`, {
        method,
        headers: { 'x-api-key': this.key, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status === 429 && attempt < 5) {
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        continue;
      }
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    }
  }

  async ok(method: string, p: string, body?: unknown): Promise<any> {
    const r = await this.send(method, p, body);
    if (r.status >= 300) throw new Error(`${method} ${p}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

async function main(): Promise<void> {
  const dataDir = process.env.WHIPLASH_DATA_DIR ?? '.whiplash';
  const keyFile = path.join(dataDir, 'admin-key');
  const o = new Command()
    .name('whiplash-demo')
    .description('Load the SAP Fiori docs embeddings (778 x 384, all-MiniLM-L6-v2) into the running local store and search them')
    .option('--url <url>', 'the local server (env WHIPLASH_URL)', process.env.WHIPLASH_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`)
    .option('--admin-key <key>', `admin API key (env WHIPLASH_ADMIN_KEY; default: ${keyFile})`, process.env.WHIPLASH_ADMIN_KEY)
    .option('--project <id>', 'project to (re)create for the demo', 'fiori-demo')
    .option('--queries <n>', 'documents to show neighbours for', int(0), 3)
    .parse()
    .opts<{ url: string; adminKey?: string; project: string; queries: number }>();
  const adminKey = o.adminKey ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
  if (!adminKey) throw new Error(`no admin key: set WHIPLASH_ADMIN_KEY or start the server with npm start (which writes ${keyFile})`);
  const started = Date.now();
  const admin = new Api(o.url, adminKey);
  try {
    await fetch(o.url);
  } catch {
    throw new Error(`no server at ${o.url}: start it with npm start (in another terminal) first`);
  }

  const docs = loadFioriDocs();
  console.log(`Loaded ${docs.length} documents x ${docs[0].vector.length} dimensions from @sap-ux/fiori-docs-embeddings`);

  const gone = await admin.send('DELETE', `/projects/${o.project}`);
  if (gone.status !== 200 && gone.status !== 404) throw new Error(`DELETE /projects/${o.project}: HTTP ${gone.status} ${JSON.stringify(gone.body)}`);
  const project = await admin.ok('POST', '/projects', { name: o.project });
  const api = admin.withKey(project.apiKey);
  const C = `/projects/${o.project}/collections/fiori-docs`;
  await api.ok('POST', `/projects/${o.project}/collections`, { name: 'fiori-docs', n_features: docs[0].vector.length, metric: 'cosine' });
  console.log(`Created project ${o.project} (its own API key) and collection fiori-docs (cosine)`);

  const insertStarted = Date.now();
  const bar = new SingleBar({ format: 'Inserting |{bar}| {value}/{total} vectors', hideCursor: true }, Presets.shades_classic);
  bar.start(docs.length, 0);
  // As the CLI's import into an empty collection: the first FIRST_IMPORT_BATCH documents alone (the
  // first write fixes the collection's hash frame and profile), then its defaults (batch size,
  // requests in flight), within the 29 s integration timeout that local mode enforces, on disk too.
  const rest = docs.slice(FIRST_IMPORT_BATCH);
  const slices = Array.from({ length: Math.ceil(rest.length / DEFAULT_IMPORT_BATCH) }, (_, i) => rest.slice(i * DEFAULT_IMPORT_BATCH, (i + 1) * DEFAULT_IMPORT_BATCH));
  let done = 0;
  const insert = async (slice: Doc[]): Promise<void> => {
    const batch = slice.map((d) => ({ id: d.id, vector: d.vector, metadata: { title: d.title, category: d.category, text: d.text } }));
    await api.ok('POST', `${C}/items/batch`, { vectors: batch });
    done += slice.length;
    bar.update(done);
  };
  await insert(docs.slice(0, FIRST_IMPORT_BATCH));
  await mapLimit(slices, DEFAULT_IMPORT_CONCURRENCY, insert);
  bar.stop();
  console.log(`Inserted ${docs.length} vectors in ${((Date.now() - insertStarted) / 1000).toFixed(1)} s`);
  const searchStarted = Date.now();

  const step = Math.floor(docs.length / Math.max(1, o.queries));
  for (let q = 0; q < o.queries; q++) {
    const doc = docs[(q * step + 17) % docs.length];
    const hits = (await api.ok('POST', `${C}/search`, {
      query: doc.vector,
      limit: 4,
      include_vector: false,
      include_metadata: true,
    })) as { id: string; dist: number; metadata: { title: string; text: string } }[];
    console.log(`\n"${doc.title}" (${doc.category})`);
    for (const h of hits.filter((h) => h.id !== doc.id).slice(0, 3)) {
      console.log(`  ${h.dist.toFixed(3)}  ${h.metadata.title}`);
      console.log(`         ${h.metadata.text.slice(0, 110)}...`);
    }
  }

  // How close the index comes to exact search, with 20 documents as queries.
  const sample = 20;
  const queries = Array.from({ length: sample }, (_, q) => docs[(q * 37 + 3) % docs.length]);
  let found = 0;
  for (let i = 0; i < sample; i += 4) {
    const hits = await Promise.all(
      queries.slice(i, i + 4).map(async (doc) => {
        const res = (await api.ok('POST', `${C}/search`, { query: doc.vector, limit: 10, include_vector: false })) as { id: string }[];
        const exact = new Set(cosineTopK(docs, doc.vector, 10));
        return res.filter((h) => exact.has(h.id)).length;
      }),
    );
    found += hits.reduce((a, b) => a + b, 0);
  }
  console.log(`\nrecall@10 against exact search over ${sample} queries: ${(found / (sample * 10)).toFixed(3)}`);
  console.log(`${o.queries + sample} searches in ${((Date.now() - searchStarted) / 1000).toFixed(1)} s`);
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Try it yourself:`);
  console.log(`  curl -s ${o.url}${C}/items?limit=5 -H 'x-api-key: ${project.apiKey}'`);
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
