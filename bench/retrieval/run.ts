// `npm run bench:retrieval`: recall@10, read units and round trips of MiniLM with its full texts as
// non-filterable metadata, filtered and unfiltered, against the same collection without texts.
/**
 * `npm run bench:retrieval`: three collections of the MiniLM base rows on one seed through
 * `WhiplashStore` against DynamoDB Local: `bare` (two filterable fields), `texts` (the same and
 * each chunk's text as non-filterable metadata, cut to the metadata limit) and `padded40` (the text
 * repeated or cut to just under the limit, the worst case); every held-out query unfiltered and
 * under each filter, without metadata and, on `texts`, with it. Writes bench/results/retrieval.json
 * and retrieval.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { storeClient } from '../../lambda/store/store-client';
import { Command } from 'commander';
import { logger } from '../../lambda/api/logger';
import { MAX_METADATA_BYTES } from '../../lambda/core/limits';
import type { Filter, Metadata, VectorInput } from '../../lambda/core/types';
import { compileFilter } from '../../lambda/core/filter';
import { ensureTables } from '../../lambda/store/local-tables';
import { prefixedTableNames } from '../../lambda/store/table-definitions';
import { WhiplashStore } from '../../lambda/store/store';
import { int } from '../../lib/cli/parse';
import { DynamoDBLocalHandle, LOCAL_CLIENT_CONFIG, startDynamoDBLocal } from '../../lib/local/dynamodb-local';
import { REPO_ROOT } from '../datasets/fashion-mnist';
import { loadMiniLm, loadMiniLmRecords, miniLmSplit } from '../datasets/minilm';
import { pickRows, row } from '../datasets/types';
import { distance } from '../distance';
import { GroundTruth, groundTruth } from '../ground-truth';
import { gitCommit, machine } from '../lambda/machine';
import { attachCapacityMeter } from '../meter';
import { log, progress } from '../progress';
import { mean } from '../recall';
import { QueryRecord, storeQueryRecord, summarise } from '../summary';
import { fitText, matchingRows, metadataBytes } from './metadata';
import { ratioCheck, RetrievalCollection, RetrievalConfiguration, RetrievalFilter, RetrievalResult, retrievalMarkdown } from './report';

/** The non-filterable key of the texts. */
const TEXT_KEY = 'text';
const PROJECT = 'bench';

/** Filters on the two filterable fields; each keeps a fair share of the 678 base rows (the run reports how many). */
const FILTERS: readonly { name: string; filter?: Filter }[] = [
  { name: 'none' },
  { name: 'category', filter: { category: { $eq: 'Btp Fiori Tools' } } },
  { name: 'wordCount', filter: { wordCount: { $gte: 250, $lt: 750 } } },
  { name: 'both', filter: { category: { $eq: 'Sapui5' }, wordCount: { $gte: 500 } } },
];

/** The collections: what each vector's text becomes. */
const COLLECTIONS = [
  { name: 'bare', texts: 'none', description: 'category, wordCount' },
  { name: 'texts', texts: 'whole', description: `category, wordCount, ${TEXT_KEY}: the chunk's text (cut to ${MAX_METADATA_BYTES} bytes of metadata)` },
  { name: 'padded40', texts: 'padded', description: `category, wordCount, ${TEXT_KEY}: the text repeated or cut to fill the ${MAX_METADATA_BYTES} bytes of metadata allowed` },
] as const;

/** Metadata as JSON with its keys sorted, to compare regardless of key order. */
const canonical = (m: Metadata | undefined) => (m === undefined ? 'undefined' : JSON.stringify(Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b)))));

const positiveInt = int(1);

const opts = new Command()
  .name('npm run bench:retrieval --')
  .description('Recall@10 and read units of MiniLM with its texts as non-filterable metadata, filtered and unfiltered, on DynamoDB Local')
  .option('--queries <n>', 'held-out queries to run (at most 100)', positiveInt, 100)
  .option('--k <n>', 'top-k', positiveInt, 10)
  .option('--seed <n>', 'hyperplane seed of every collection', positiveInt, 1)
  .option('--batch-size <n>', 'vectors per upsert call (at most 500)', positiveInt, 500)
  .option('--endpoint <url>', 'use this DynamoDB endpoint instead of starting DynamoDB Local')
  .option('--no-save', 'do not write bench/results/retrieval.json and retrieval.md')
  .option('--out <dir>', 'where retrieval.json and retrieval.md go', path.join(REPO_ROOT, 'bench', 'results'))
  .option('--render', 'only re-write retrieval.md from retrieval.json, measuring nothing')
  .parse()
  .opts<{ queries: number; k: number; seed: number; batchSize: number; endpoint?: string; save: boolean; out: string; render?: boolean }>();

async function main(): Promise<void> {
  if (opts.render) {
    const result = JSON.parse(readFileSync(path.join(opts.out, 'retrieval.json'), 'utf8')) as RetrievalResult;
    writeFileSync(path.join(opts.out, 'retrieval.md'), retrievalMarkdown(result));
    log(`wrote ${path.relative(process.cwd(), path.join(opts.out, 'retrieval.md'))} from retrieval.json`);
    return;
  }
  // The code under measurement is what was loaded at start: name the commit now.
  const commit = gitCommit();
  logger.setLogLevel('ERROR');
  const ds = loadMiniLm({ queries: opts.queries });
  const records = loadMiniLmRecords();
  const base = miniLmSplit(records.length).baseRows.map((i) => records[i]);
  if (base.length !== ds.base.rows) throw new Error(`records.jsonl has ${records.length} records: ${base.length} base rows against ${ds.base.rows} embeddings`);
  const filterable: Metadata[] = base.map((r) => ({ category: r.category, wordCount: r.wordCount }));
  log(`${ds.name}: ${ds.base.rows} x ${ds.dim} base, ${ds.queries.rows} queries, from ${ds.source}`);

  // Exact top-k among the base rows each filter keeps; recall compares distances, so row numbers need no mapping.
  const truths = FILTERS.map((f) => {
    const rows = matchingRows(filterable, f.filter);
    const gt: GroundTruth = groundTruth(f.filter ? { ...ds, name: `${ds.name}-${f.name}`, base: pickRows(ds.base, rows) } : ds, opts.k, { log });
    return { ...f, rows, gt };
  });
  const distanceOf = (q: number, id: number) => distance(ds.metric, row(ds.queries, q), row(ds.base, id));

  let ddb: DynamoDBLocalHandle | undefined;
  const onSigint = () => {
    log('interrupted: stopping DynamoDB Local');
    void (ddb?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  let engine = `DynamoDB at ${opts.endpoint}`;
  const collections: RetrievalCollection[] = [];
  const configurations: RetrievalConfiguration[] = [];
  try {
    let endpoint = opts.endpoint;
    if (!endpoint) {
      ddb = await startDynamoDBLocal({ engine: 'java' });
      endpoint = ddb.endpoint;
      engine = 'DynamoDB Local (java, in memory)';
      log(`DynamoDB Local at ${endpoint}`);
    }
    const client = storeClient({ ...LOCAL_CLIENT_CONFIG, endpoint });
    const meter = attachCapacityMeter(client);
    const tables = prefixedTableNames(`retr${Date.now().toString(36)}-`);
    await ensureTables(client, tables);
    const store = new WhiplashStore({ client, tables });
    await store.createProject({ projectId: PROJECT, name: 'retrieval benchmark' });

    // Ids of every query without metadata on `bare`, per filter, to compare the others' with.
    const bareIds = new Map<string, string[][]>();
    for (const c of COLLECTIONS) {
      const fitted = base.map((r, i) => (c.texts === 'none' ? { metadata: filterable[i], cut: false } : fitText(filterable[i], TEXT_KEY, r.content, MAX_METADATA_BYTES, { pad: c.texts === 'padded' })));
      const metadata = fitted.map((f) => f.metadata);
      const nonFilterableKeys = c.texts === 'none' ? [] : [TEXT_KEY];
      await store.createCollection(PROJECT, {
        name: c.name,
        dimension: ds.dim,
        metric: ds.metric,
        seed: opts.seed,
        ...(nonFilterableKeys.length > 0 ? { metadataConfiguration: { nonFilterableMetadataKeys: nonFilterableKeys } } : {}),
      });
      const bar = progress(`${c.name}: upsert`, ds.base.rows);
      meter.reset();
      const t0 = performance.now();
      // One batch after another: the store derives the collection's centre and plan from its first batch.
      for (let i = 0; i < ds.base.rows; i += opts.batchSize) {
        const batch: VectorInput[] = [];
        for (let j = i; j < Math.min(ds.base.rows, i + opts.batchSize); j++) batch.push({ id: String(j), vector: row(ds.base, j), metadata: metadata[j] });
        await store.upsert(PROJECT, c.name, batch);
        bar.update(Math.min(ds.base.rows, i + opts.batchSize));
      }
      bar.stop();
      const seconds = (performance.now() - t0) / 1000;
      const writeUnits = meter.writeUnits;
      const info = await store.getCollection(PROJECT, c.name);
      const bytes = metadata.map(metadataBytes);
      collections.push({
        name: c.name,
        description: c.description,
        nonFilterableKeys,
        vectors: ds.base.rows,
        metadataBytes: { mean: mean(bytes), max: Math.max(...bytes) },
        textsCut: fitted.filter((f) => f.cut).length,
        writeUnits,
        writeUnitsPerVector: writeUnits / ds.base.rows,
        seconds,
        index: info.index,
        queryPlan: info.queryPlan,
      });
      log(`${c.name}: ${ds.base.rows} vectors in ${seconds.toFixed(1)} s, ${(writeUnits / ds.base.rows).toFixed(1)} write units per vector; plan ${JSON.stringify(info.queryPlan)}`);

      for (const t of truths) {
        const keep = t.filter ? compileFilter(t.filter) : () => true;
        const without: number[] = [];
        for (const includeMetadata of c.texts === 'whole' ? [false, true] : [false]) {
          const label = `${c.name} ${t.name}${includeMetadata ? ' +metadata' : ''}`;
          const qbar = progress(label, ds.queries.rows);
          const records: QueryRecord[] = [];
          const ids: string[][] = [];
          let exact = 0;
          let entries = 0;
          let violations = 0;
          let mismatches = 0;
          let returnedBytes = 0;
          for (let q = 0; q < ds.queries.rows; q++) {
            meter.reset();
            const tq = performance.now();
            const res = await store.query(PROJECT, c.name, { vector: row(ds.queries, q), topK: opts.k, filter: t.filter, includeMetadata });
            const ms = performance.now() - tq;
            const record = storeQueryRecord(res, meter, ms);
            const rows = record.ids;
            ids.push(res.matches.map((m) => m.id));
            records.push(record);
            if (res.stats.path === 'exact') exact++;
            entries += res.stats.entriesRead;
            violations += rows.filter((r) => !keep(filterable[r])).length;
            if (includeMetadata) {
              for (const m of res.matches) {
                returnedBytes += m.metadata ? metadataBytes(m.metadata) : 0;
                if (canonical(m.metadata) !== canonical(metadata[Number(m.id)])) mismatches++;
              }
            } else without.push(res.stats.readUnits);
            qbar.update(q + 1);
          }
          qbar.stop();
          const s = summarise({ system: 'whiplash', label, settings: {}, queries: records }, t.gt, opts.k, distanceOf);
          const bare = bareIds.get(t.name);
          if (c.name === 'bare') bareIds.set(t.name, ids);
          const bareConfig = configurations.find((x) => x.collection === 'bare' && x.filter === t.name && !x.includeMetadata);
          configurations.push({
            collection: c.name,
            filter: t.name,
            includeMetadata,
            queries: s.queries,
            recall: s.recall,
            readUnits: s.readUnits,
            meteredReadUnits: s.meteredReadUnits ?? NaN,
            roundTrips: s.roundTrips,
            maxRoundTrips: s.maxRoundTrips,
            entriesRead: entries / ds.queries.rows,
            candidates: s.candidates,
            reranked: s.reranked ?? NaN,
            exactPath: exact / ds.queries.rows,
            p50Ms: s.p50Ms,
            filterViolations: violations,
            ...(includeMetadata
              ? { extraReadUnits: mean(records.map((r, q) => r.readUnits - without[q])), returnedMetadataBytes: returnedBytes / ds.queries.rows, metadataMismatches: mismatches }
              : {}),
            ...(bare && bareConfig && !includeMetadata
              ? { readUnitRatio: s.readUnits / bareConfig.readUnits, sameResultsAsBare: ids.filter((x, q) => x.join() === bare[q].join()).length }
              : {}),
          });
        }
      }
    }
    client.destroy();
  } finally {
    await ddb?.stop();
    process.removeListener('SIGINT', onSigint);
  }

  const args = process.argv.slice(2);
  const filters: RetrievalFilter[] = truths.map((t) => ({ name: t.name, ...(t.filter ? { filter: t.filter } : {}), matching: t.rows.length }));
  const result: RetrievalResult = {
    kind: 'retrieval',
    command: `npm run bench:retrieval${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    date: new Date().toISOString(),
    commit,
    machine: machine(),
    engine,
    data: { name: ds.name, source: path.relative(REPO_ROOT, ds.source), metric: ds.metric, dim: ds.dim, base: ds.base.rows, queries: ds.queries.rows },
    k: opts.k,
    seed: opts.seed,
    batchSize: opts.batchSize,
    filters,
    collections,
    configurations,
    ratios: COLLECTIONS.filter((c) => c.name !== 'bare').flatMap((c) => ratioCheck(configurations, c.name) ?? []),
  };
  const md = retrievalMarkdown(result);
  process.stdout.write(`\n${md}\n`);
  if (opts.save) {
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(path.join(opts.out, 'retrieval.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(opts.out, 'retrieval.md'), md);
    log(`wrote ${path.relative(process.cwd(), path.join(opts.out, 'retrieval.json'))} and retrieval.md`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:retrieval failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
