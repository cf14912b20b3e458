// The shape of bench/results/cost.json and its rendering as the cost section of BENCHMARKS.md.
import type { MachineInfo } from '../lambda/machine';
import type { DeployedFunction } from './construct-functions';
import { indexDifferences, type FoundExponent, type MeasuredSystem } from './inputs';
import { dynamoVectorIndexBytes, DYNAMO_VECTOR_RETURN_BYTES, s3VectorBytes, s3VectorsDataProcessedPerQuery, TOP_K, whiplashBytesPerVector, whiplashWriteUnitsPerVector, type ScalingRule } from './model';
import { writeUnits } from '../../lambda/core/capacity';
import type { Price, PriceTable } from './prices';
import type { StorageMeasurement } from './storage';
import type { CostRow } from './table';
import { standing, type RankedBill, type Workload } from './workloads';

/** What `npm run bench:cost` writes to bench/results/cost.json. */
export interface CostResult {
  readonly kind: 'cost';
  readonly command: string;
  readonly date: string;
  readonly commit: string;
  readonly machine: MachineInfo;
  readonly dim: number;
  readonly idBytes: number;
  readonly prices: Record<string, Price>;
  readonly inputs: {
    readonly whiplash: MeasuredSystem;
    readonly original: MeasuredSystem;
    readonly rule: ScalingRule;
    readonly exponent?: FoundExponent;
    readonly originalExponent?: FoundExponent;
    /** Whiplash read-unit exponents fitted in other files (other data sets), for reference. */
    readonly otherExponents?: FoundExponent[];
    readonly storage: StorageMeasurement;
    /** Bytes of a dense `dim`-d embedding's vector item (`denseVectorItemBytes`), priced in place of the measured ones. */
    readonly vectorItemBytes: number;
    readonly functions: DeployedFunction[];
    /** Every other Whiplash default-settings figure found (measured, or through the benchmark's model), for reference. */
    readonly otherWhiplash: MeasuredSystem[];
    /** The store's default index parameters at the commit the cost model ran. */
    readonly currentDefaults: Record<string, unknown>;
    /** The benchmark's model of the store, when a result reports its stored bytes per vector: a cross-check of the measured ingest. */
    readonly modelStorage?: MeasuredSystem;
  };
  readonly sizes: { readonly vectors: number; readonly rows: CostRow[] }[];
  /** Each workload's monthly bill per system (the same rows as `sizes`, put to the workload's query rate). */
  readonly workloads: (Workload & { readonly bills: RankedBill[] })[];
  /** $ per million queries of Whiplash if read units grew as N^0.5 instead (shown when no fitted exponent exists). */
  readonly sensitivity?: { readonly exponent: number; readonly perMillionQueries: Record<string, number> };
}

/** Dollars as the cost section prints them: whole above $100, cents above $1, tenths of a cent below. */
export const usd = (x: number) => (x >= 100 ? `$${Math.round(x).toLocaleString('en-US')}` : x >= 1 ? `$${x.toFixed(2)}` : `$${x.toFixed(3)}`);
const n = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const short = (x: number) => (x >= 1e6 && x % 1e6 === 0 ? `${x / 1e6}M` : x >= 1e3 && x % 1e3 === 0 ? `${x / 1e3}k` : n(x));

/** A table with one row per system and one column per workload, each cell `cell(bill)`. */
function workloadTable(r: CostResult, cell: (b: RankedBill) => string): string {
  const systems = r.workloads[0]?.bills ?? [];
  return [
    `| system | ${r.workloads.map((w) => `${short(w.vectors)} vectors, ${short(w.queriesPerMonth)} queries`).join(' | ')} |`,
    `|---|${r.workloads.map(() => '---:').join('|')}|`,
    ...systems.map((s) => {
      const cells = r.workloads.map((w) => {
        const b = w.bills.find((x) => x.system === s.system);
        return b ? `${cell(b)}${b.fails ? ' (fails)' : ''}` : '-';
      });
      return `| ${s.label} | ${cells.join(' | ')} |`;
    }),
  ].join('\n');
}

/** One sentence per workload: who is cheapest, where Whiplash stands, and where the ranged price falls. */
export function verdict(w: Workload & { readonly bills: readonly RankedBill[] }): string {
  const st = standing(w.bills, 'whiplash');
  const head = `${short(w.vectors)} vectors and ${short(w.queriesPerMonth)} queries a month: `;
  const money = (b: RankedBill) => `${b.label} ${usd(b.bill.month)}${b.bill.minimumApplies ? ' (its plan minimum)' : ''}`;
  const cheapest = st.order[0];
  const me = st.order.find((b) => b.system === 'whiplash');
  const failing = w.bills.filter((b) => b.fails).map((b) => b.label);
  const parts: string[] = [];
  if (!cheapest) return `${head}no system can be priced.`;
  if (me && st.place === 1) {
    parts.push(`**Whiplash is the cheapest** at ${usd(me.bill.month)}; next is ${st.order[1] ? money(st.order[1]) : 'nothing'}`);
  } else if (me) {
    const above = st.order.slice(st.place!);
    parts.push(
      `the cheapest is ${money(cheapest)}; **Whiplash is not the cheapest**: ${usd(me.bill.month)}, ${ordinal(st.place!)} of ${st.order.length}` +
        (above.length > 0 ? `, cheaper than ${list(above.map(money))}` : ', the most expensive'),
    );
  } else {
    parts.push(`the cheapest is ${money(cheapest)}; Whiplash cannot be priced here`);
  }
  for (const r of st.ranges) {
    const span = `${usd(r.bill.bill.month)} to ${usd(r.bill.bill.monthHigh!)}`;
    parts.push(
      r.relation === 'below'
        ? `${r.bill.label} (${span}) is below Whiplash even at its high end`
        : r.relation === 'above'
          ? `${r.bill.label} (${span}) is above Whiplash even at its low end`
          : `${r.bill.label} lies between ${usd(r.bill.bill.month)} and ${usd(r.bill.bill.monthHigh!)}, a range that contains Whiplash's bill, so which is cheaper depends on the bytes its searches examine`,
    );
  }
  if (failing.length > 0) parts.push(`${list(failing)} cannot serve it`);
  return `${head}${parts.join('; ')}.`;
}

const list = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);
const ordinal = (k: number) => `${k}${k % 10 === 1 && k % 100 !== 11 ? 'st' : k % 10 === 2 && k % 100 !== 12 ? 'nd' : k % 10 === 3 && k % 100 !== 13 ? 'rd' : 'th'}`;

/** The BENCHMARKS.md section of a cost result (kept in bench/results/cost.md). */
export function costMarkdown(r: CostResult): string {
  const { whiplash: wl, original: or, storage: st, rule } = r.inputs;
  const vib = r.inputs.vectorItemBytes;
  const denseText =
    `Vector items here average ${n(st.vectorItemWriteUnits, 2)} write units (${st.dataset.split(' ')[0]}'s pixels take few distinct values, so the store holds them deflated: \`lambda/store/vector-bytes.ts\`). ` +
    `Priced at ${r.dim}-d with a dense embedding's vector item instead: ${n(vib)} bytes with an ${r.idBytes}-byte id (bench/cost/storage.ts \`denseVectorItemBytes\`, the store's \`vectorItem\` on the MiniLM embeddings' values, which barely deflate), ${writeUnits(vib)} write units, twice that in its transaction: ` +
    `**${n(whiplashWriteUnitsPerVector(st, vib), 2)}** write units and **${n(whiplashBytesPerVector(st, vib, r.idBytes))}** billed bytes per vector (index entries, list or bucket, plus ${n(st.itemsPerVector - 1, 0)} x (${r.idBytes} - ${st.idBytes.toFixed(1)}) bytes of longer ids).`;
  const q = r.inputs.functions.find((f) => f.role === 'query');
  const w = r.inputs.functions.find((f) => f.role === 'write');
  const ruleText =
    rule.kind === 'power'
      ? `read units per query grow as N^${rule.exponent.toFixed(3)} (${rule.why}), extrapolated from the measured sizes up to ${n(wl.base)} vectors`
      : rule.kind === 'constant'
        ? `read units per query held constant (${rule.why})`
        : `read units grow linearly (${rule.why})`;
  const prices = r.prices as PriceTable;
  const lines: string[] = [
    `## Cost model: monthly bills for ${r.workloads.map((x) => `${short(x.vectors)} vectors and ${short(x.queriesPerMonth)} queries a month`).join('; ')} (${r.dim}-d)`,
    '',
    '```sh',
    r.command,
    '```',
    '',
    `Computed ${r.date} at commit \`${r.commit}\` from measured units and published list prices (US East, no free tier, no savings plans). ` +
      `Assumptions: ${r.dim}-dimensional float32 vectors (a common embedding size; Whiplash's units were measured at ${wl.dim}-d and carried over, see Inputs), ids of ${r.idBytes} bytes, no metadata, top-${TOP_K} queries. ` +
      'A steady month is storage plus that month\'s queries; where a plan has a monthly minimum (turbopuffer Launch $' +
      `${prices.turbopufferMonthlyMinimum.usd}, Pinecone Standard $${prices.pineconeMonthlyMinimum.usd}) the month costs at least that. ` +
      'The initial ingest (writing every vector once) is not amortised: it is shown in its own table, once; the first month costs the steady month plus the ingest. ' +
      'Whiplash and the original layout include API Gateway REST and Lambda on every request (queries and write batches), as the construct deploys them; the other systems are priced as called directly with their own SDKs, with nothing in front.',
    '',
    '### Monthly bill, steady state',
    '',
    workloadTable(r, (b) => (b.bill.monthHigh === undefined ? `${usd(b.bill.month)}${b.bill.minimumApplies ? ' (minimum)' : ''}` : `${usd(b.bill.month)} to ${usd(b.bill.monthHigh)}`)),
    '',
    '### Initial ingest, once',
    '',
    workloadTable(r, (b) => usd(b.bill.ingest)),
    '',
    ...r.workloads.map((x) => `- ${verdict(x)}`),
    '',
    `What sets Whiplash's floor: every query pays API Gateway REST ($${prices.apiGatewayRestPerMillion.usd} per million) and a Lambda request ($${prices.lambdaRequestsPerMillion.usd} per million) before it reads anything, so even at zero read units and zero Lambda duration its month would be ${r.workloads
      .map((x) => {
        const row = r.sizes.find((z) => z.vectors === x.vectors)?.rows.find((y) => y.system === 'whiplash');
        return row ? `${usd(row.storagePerMonth + (x.queriesPerMonth / 1e6) * (prices.apiGatewayRestPerMillion.usd + prices.lambdaRequestsPerMillion.usd))} (${short(x.vectors)} / ${short(x.queriesPerMonth)})` : '?';
      })
      .join(', ')}, storage included.`,
    '',
    '### DynamoDB vector search: the bytes a search examines',
    '',
    `DynamoDB's SearchVectors bills $${prices.dynamoVectorSearchPerGb.usd} per GB of \`VectorSearchRequestBytes\`, which "scales with the size of the vector data the search examines and returns"; AWS does not publish how many bytes a search examines, so each figure above is a range. ` +
      `Low end: a search has at least compared the ${TOP_K} vectors it returns: ${TOP_K} index entries of ${dynamoVectorIndexBytes(r.dim)} bytes (${r.dim} x 4 bytes + key) plus ${TOP_K} x ${DYNAMO_VECTOR_RETURN_BYTES} bytes of returned keys (AWS's own cost script measured ${DYNAMO_VECTOR_RETURN_BYTES} bytes a KEYS_ONLY result). ` +
      'High end: every entry of the index, as a brute-force scan would read. ' +
      "The truth lies between: an ANN index examines a fraction of the index, and that fraction is unknown; AWS's cost script refuses to price searches for this reason, having measured 12.8 % of an unpartitioned 60-item index's vector bytes and 1.3 % of a partitioned 200-item one (fractions of tiny indexes, which shrink as an index grows). " +
      'The low end is not a reachable price at any recall worth having; the high end is a ceiling. Storage (base item with the vector as a list of numbers, plus the index entry; the index graph is not published, so a lower bound) and writes (base write units plus the bytes replicated to the index) are priced from published rates.',
    '',
  ];
  lines.push(
    '### Inputs (measured)',
    '',
    `- Whiplash read units per query: **${wl.readUnits.toFixed(1)}** at recall@10 ${wl.recall.toFixed(3)} on ${wl.dataset} (${n(wl.base)} x ${wl.dim}, ${wl.queries} queries), \`bench/results/${wl.file}\`, commit \`${wl.commit}\`, ${wl.date}. ` +
      `At ${wl.dim}-d a fetched vector item (~${Math.round(st.vectorItemBytes)} bytes) costs 0.5 read units eventually consistent, as it would at ${r.dim}-d (under 4 KB either way), and index entries (list or bucket) do not depend on the dimension, so the units carry over to ${r.dim}-d unchanged.`,
    `- Scaling to larger N: ${ruleText}.`,
    `- Original layout: **${or.readUnits.toFixed(1)}** read units per query (${n(or.candidates)} candidates, ${((100 * or.candidates) / or.base).toFixed(1)} % of the collection) at recall@10 ${or.recall.toFixed(3)}, same file set (\`bench/results/${or.file}\`, commit \`${or.commit}\`): it fetches every candidate's full vector and its buckets have fixed bit counts, so read units grow with N: ${r.inputs.originalExponent ? `as N^${r.inputs.originalExponent.value.toFixed(3)}, the exponent fitted in \`bench/results/${r.inputs.originalExponent.file}\` (${r.inputs.originalExponent.path})` : 'linearly (no fitted exponent in bench/results)'}. Its Lambda duration is scaled the same way.`,
    `- Lambda: memory from the construct's synthesized template with default props (query ${q?.memoryMb ?? '?'} MB, write ${w?.memoryMb ?? '?'} MB, ${q?.architecture ?? '?'}, ${q?.runtime ?? '?'}). Duration: **assumed** equal to the measured in-process p50 of a query on this machine (Whiplash ${wl.p50Ms.toFixed(0)} ms, original ${or.p50Ms.toFixed(0)} ms at ${n(or.base)}; at larger N both scaled as their read units, conservative for Whiplash, whose round trips stay 2; the original's benchmark ran 4 vector fetches in flight where its own code makes them one after another), i.e. DynamoDB Local round trips and re-ranking on a loaded 2-core machine; on Lambda the CPU share at ${q?.memoryMb ?? '?'} MB and DynamoDB's own latency differ.`,
    `- Whiplash storage and writes: measured by upserting ${n(st.vectors)} real vectors (${st.dataset}, ${st.dim}-d) with the index settings of the run above (\`${JSON.stringify(st.index)}\`) into ${st.engine} and sizing every item by DynamoDB's rules (lambda/store/layout.ts \`itemSize\`) plus 100 bytes per item: ${n(st.itemsPerVector, 0)} items per vector (vector item ${n(st.vectorItemBytes)} bytes, ${st.indexMethod === 'ivf' ? 'list' : 'bucket'} entries ${n(st.bucketEntryBytes, 1)} bytes${st.indexMethod === 'ivf' ? '; the write units include the splits of full lists' : ''}), **${n(st.bytesPerVector)}** billed bytes per vector at ${st.dim}-d; **${n(st.writeUnitsPerVector, 2)}** write units per vector (bench/cost/model.ts \`whiplashWriteUnitsPerVector\`), of which ${n(st.transactionalWriteUnitsPerVector ?? 0, 2)} in transactions: DynamoDB Local reported ${n(st.transactionalReportedPerVector ?? 0, 2)} for those (one action's units per TransactWriteItems call), so they are computed from the actions' items at 2 units per KB as DynamoDB bills them (bench/meter.ts \`transactWriteUnits\`), the rest as DynamoDB Local reported them; ${n(st.readUnitsPerVector ?? 0, 2)} read units per vector (the upsert reads each id's current version; DynamoDB Local bills a missing item nothing where DynamoDB bills half a unit, at most $0.06 more per million vectors); ${st.batchSeconds.toFixed(1)} s per batch of 500. ${denseText}`,
    ...(r.inputs.otherWhiplash.length > 0
      ? [
          `- Other Whiplash default-settings figures in bench/results (not priced: other data, sizes or code): ${r.inputs.otherWhiplash
            .map((o) => `${o.label} on ${o.dataset} ${n(o.base)} x ${o.dim}: ${o.readUnits.toFixed(1)} read units at recall@10 ${o.recall.toFixed(3)} (\`${o.file}\`, \`${o.commit}\`)`)
            .join('; ')}.${(() => {
            const others = r.inputs.otherExponents ?? [];
            return others.length > 0 ? ` Fitted read-unit exponents elsewhere: ${others.map((e) => `N^${e.value.toFixed(2)} (\`${e.file}\` ${e.path})`).join(', ')}.` : '';
          })()}`,
        ]
      : []),
    ...(r.inputs.modelStorage?.storedBytesPerVector !== undefined
      ? [
          `- Cross-check: the benchmark's model of the store (\`bench/results/${r.inputs.modelStorage.file}\`, ${r.inputs.modelStorage.label}, ${n(r.inputs.modelStorage.base)} x ${r.inputs.modelStorage.dim}) reports ${n(r.inputs.modelStorage.storedBytesPerVector)} stored bytes per vector${indexDifferences(r.inputs.modelStorage.index, st.index).length > 0 ? ` at other index settings (${indexDifferences(r.inputs.modelStorage.index, st.index).join('; ')})` : ''}, against ${n(st.bytesPerVector)} measured here.`,
        ]
      : []),
    ...(() => {
      const diff = indexDifferences(wl.index, st.index);
      const defaults = indexDifferences(wl.index, r.inputs.currentDefaults);
      return [
        ...(diff.length > 0 ? [`- **Mismatch:** the read units and the storage ingest ran with different index settings (${diff.join('; ')}).`] : []),
        ...(defaults.length > 0
          ? [`- The store's default index settings changed since the priced run (${defaults.join('; ')}, run vs now): these figures are of the run's settings; re-run \`npm run bench\` on Fashion-MNIST, then this command, to price the new defaults.`]
          : []),
      ];
    })(),
    '',
  );
  for (const size of r.sizes) {
    lines.push(
      `### ${n(size.vectors)} vectors x ${r.dim}`,
      '',
      '| system | $ / 1M queries | read units / query (the store\'s own unit) | stored GB | $ / month storage | $ / 1M vectors written |',
      '|---|---:|---:|---:|---:|---:|',
      ...size.rows.map(
        (row) =>
          `| ${row.label}${row.lowerBound ? ' (lower bound)' : ''}${row.fails ? ' (fails)' : ''} | ${usd(row.perMillionQueries)}${row.perMillionQueriesHigh === undefined ? '' : ` to ${usd(row.perMillionQueriesHigh)}`} | ${row.readUnits === undefined ? '-' : n(row.readUnits, row.readUnits < 10 ? 2 : 0)} | ${n(row.storedGb, 2)} | ${usd(row.storagePerMonth)} | ${usd(row.perMillionWrites)} |`,
      ),
      '',
      ...size.rows.flatMap((row) => [`- ${row.label}: ${row.basis.join('; ')}.${row.fails ? ` **${row.fails}.**` : ''}`]),
      '',
    );
  }
  if (r.sensitivity) {
    lines.push(
      `Sensitivity (not measured): if Whiplash's read units grew as N^${r.sensitivity.exponent} from the measured ${n(wl.base)} instead of staying constant, its $ per 1M queries would be ${Object.entries(r.sensitivity.perMillionQueries)
        .map(([k, v]) => `${usd(v)} at ${n(Number(k))}`)
        .join(', ')}.`,
      '',
    );
  }
  lines.push(
    '### Prices',
    '',
    '| price | per | source (read) |',
    '|---:|---|---|',
    ...Object.values(r.prices).map((p) => `| $${p.usd} | ${p.unit} | <${p.source}> (${p.read})${p.note ? `: ${p.note}` : ''} |`),
    '',
    `- A third-party page (<https://www.exploreagentic.ai/insights/s3-vectors-enterprise-rag/>) quotes an AWS pricing example of $11.38 a month for 10 million vectors and 1 million queries. Its dimension and index layout are not quoted, and it does not reconcile with the per-TB rates above: one 10-million-vector ${r.dim}-d index would pay ${usd(1e6 * s3VectorsDataProcessedPerQuery(1e7, s3VectorBytes(r.dim, r.idBytes), prices))} a month for the data its 1 million queries process alone. It is not used.`,
    '- Whiplash and the original include API Gateway REST and Lambda in front of DynamoDB; the managed services are priced as called directly (their own request charges only). Monthly minimums (turbopuffer, Pinecone) enter the monthly bills, not the per-size tables.',
    "- Not checked, and each could move a figure: whether Upstash's pay-as-you-go plan holds 10 million 768-d vectors (its size limits were not in the stored pages) and how it counts a batch upsert; turbopuffer's batch-write discount (up to 50 %, schedule not in the stored page: its writes are at list price); the index graph bytes DynamoDB's vector index stores (not published: its storage is a lower bound).",
    "- The Whiplash figures are for the read units of the run named in Inputs and the write units of this run's ingest (the code at this run's commit): a run of `npm run bench` with a new layout changes the first, a change to the write protocol the second; re-run this command after either.",
    "- DynamoDB and S3 storage in GB of 2^30 bytes (billed per item: its size plus 100 bytes of indexing overhead, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html); should AWS count GB as 10^9 bytes, those storage figures are 7.4 % higher. Pinecone's namespace size, turbopuffer's and Upstash's storage in GB of 10^9 bytes. DynamoDB's first 25 GB a month are free, not deducted (that alone would make Whiplash's storage free for the 100k and 1M workloads).",
    "- The original layout's storage and write units are modelled (uniform buckets), not measured at these sizes; with real, skewed buckets its largest bucket items, and the write units of inserting into them, are larger, and at 10 million vectors its 8-bit table's items approach DynamoDB's 400 KB item limit.",
    '',
  );
  return lines.join('\n');
}
