// The shape of bench/results/cost.json and its rendering as the cost section of BENCHMARKS.md.
import type { MachineInfo } from '../lambda/machine';
import type { DeployedFunction } from './construct-functions';
import { indexDifferences, type FoundExponent, type MeasuredSystem } from './inputs';
import type { ScalingRule } from './model';
import type { Price } from './prices';
import type { StorageMeasurement } from './storage';
import type { CostRow } from './table';

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
    readonly functions: DeployedFunction[];
    /** Every other Whiplash default-settings figure found (measured, or through the benchmark's model), for reference. */
    readonly otherWhiplash: MeasuredSystem[];
    /** The store's default index parameters at the commit the cost model ran. */
    readonly currentDefaults: Record<string, unknown>;
    /** The benchmark's model of the store, when a result reports its stored bytes per vector: a cross-check of the measured ingest. */
    readonly modelStorage?: MeasuredSystem;
  };
  readonly sizes: { readonly vectors: number; readonly rows: CostRow[] }[];
  /** $ per million queries of Whiplash if read units grew as N^0.5 instead (shown when no fitted exponent exists). */
  readonly sensitivity?: { readonly exponent: number; readonly perMillionQueries: Record<string, number> };
}

const usd = (x: number) => (x >= 100 ? `$${Math.round(x).toLocaleString('en-US')}` : x >= 1 ? `$${x.toFixed(2)}` : `$${x.toFixed(3)}`);
const n = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** The BENCHMARKS.md section of a cost result (kept in bench/results/cost.md). */
export function costMarkdown(r: CostResult): string {
  const { whiplash: wl, original: or, storage: st, rule } = r.inputs;
  const q = r.inputs.functions.find((f) => f.role === 'query');
  const w = r.inputs.functions.find((f) => f.role === 'write');
  const ruleText =
    rule.kind === 'power'
      ? `read units per query grow as N^${rule.exponent.toFixed(3)} (${rule.why}), extrapolated from the measured sizes up to ${n(wl.base)} vectors`
      : rule.kind === 'constant'
        ? `read units per query held constant (${rule.why})`
        : `read units grow linearly (${rule.why})`;
  const lines: string[] = [
    `## Cost model: dollars for ${r.sizes.map((s) => n(s.vectors)).join(' and ')} vectors of ${r.dim} dimensions`,
    '',
    '```sh',
    r.command,
    '```',
    '',
    `Computed ${r.date} at commit \`${r.commit}\` from measured units and published list prices (US East, no free tier, no savings plans). Modelled collections: ${r.dim}-d float32 vectors, ids of ${r.idBytes} bytes, no metadata.`,
    '',
    '### Inputs (measured)',
    '',
    `- Whiplash read units per query: **${wl.readUnits.toFixed(1)}** at recall@10 ${wl.recall.toFixed(3)} on ${wl.dataset} (${n(wl.base)} x ${wl.dim}, ${wl.queries} queries), \`bench/results/${wl.file}\`, commit \`${wl.commit}\`, ${wl.date}. ` +
      `At ${wl.dim}-d a fetched vector item (~${Math.round(st.vectorItemBytes)} bytes) costs 0.5 read units eventually consistent, as it would at ${r.dim}-d (under 4 KB either way), and bucket entries do not depend on the dimension, so the units carry over to ${r.dim}-d unchanged.`,
    `- Scaling to larger N: ${ruleText}.`,
    `- Original layout: **${or.readUnits.toFixed(1)}** read units per query (${n(or.candidates)} candidates, ${((100 * or.candidates) / or.base).toFixed(1)} % of the collection) at recall@10 ${or.recall.toFixed(3)}, same file set (\`bench/results/${or.file}\`, commit \`${or.commit}\`): it fetches every candidate's full vector and its buckets have fixed bit counts, so read units grow with N: ${r.inputs.originalExponent ? `as N^${r.inputs.originalExponent.value.toFixed(3)}, the exponent fitted in \`bench/results/${r.inputs.originalExponent.file}\` (${r.inputs.originalExponent.path})` : 'linearly (no fitted exponent in bench/results)'}. Its Lambda duration is scaled the same way.`,
    `- Lambda: memory from the construct's synthesized template with default props (query ${q?.memoryMb ?? '?'} MB, write ${w?.memoryMb ?? '?'} MB, ${q?.architecture ?? '?'}, ${q?.runtime ?? '?'}). Duration: **assumed** equal to the measured in-process p50 of a query on this machine (Whiplash ${wl.p50Ms.toFixed(0)} ms, original ${or.p50Ms.toFixed(0)} ms at ${n(or.base)}; at larger N both scaled as their read units, conservative for Whiplash, whose round trips stay 2; the original's benchmark ran 4 vector fetches in flight where its own code makes them one after another), i.e. DynamoDB Local round trips and re-ranking on a loaded 2-core machine; on Lambda the CPU share at ${q?.memoryMb ?? '?'} MB and DynamoDB's own latency differ.`,
    `- Whiplash storage and writes: measured by upserting ${n(st.vectors)} real vectors (${st.dataset}, ${st.dim}-d) with the index settings of the run above (\`${JSON.stringify(st.index)}\`) into ${st.engine} and sizing every item by DynamoDB's rules (lambda/store/layout.ts \`itemSize\`) plus 100 bytes per item: ${n(st.itemsPerVector, 0)} items per vector (vector item ${n(st.vectorItemBytes)} bytes, bucket entries ${n(st.bucketEntryBytes, 1)} bytes), **${n(st.bytesPerVector)}** billed bytes per vector at ${st.dim}-d; ${n(st.writeUnitsPerVector, 1)} write units per vector reported by DynamoDB; ${st.batchSeconds.toFixed(1)} s per batch of 500. At ${r.dim}-d: minus 4 x ${st.dim - r.dim} bytes of vector, plus ${n(st.itemsPerVector, 0)} x (${r.idBytes} - ${st.idBytes.toFixed(1)}) bytes of longer ids.`,
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
  ];
  for (const size of r.sizes) {
    lines.push(
      `### ${n(size.vectors)} vectors x ${r.dim}`,
      '',
      '| system | $ / 1M queries | read units / query (the store\'s own unit) | stored GB | $ / month storage | $ / 1M vectors written |',
      '|---|---:|---:|---:|---:|---:|',
      ...size.rows.map(
        (row) =>
          `| ${row.label}${row.lowerBound ? ' (lower bound)' : ''}${row.fails ? ' (fails)' : ''} | ${usd(row.perMillionQueries)} | ${row.readUnits === undefined ? '-' : n(row.readUnits, row.readUnits < 10 ? 2 : 0)} | ${n(row.storedGb, 2)} | ${usd(row.storagePerMonth)} | ${usd(row.perMillionWrites)} |`,
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
    "- A cross-check for S3 Vectors' missing data-processed charge: AWS's own pricing example, as quoted by <https://www.exploreagentic.ai/insights/s3-vectors-enterprise-rag/>, puts a 10-million-vector collection with 1 million queries a month at $11.38 in total (storage included; its dimension is not quoted there).",
    '- S3 Vectors and Pinecone are priced as called directly (their own request charges only); Whiplash and the original include API Gateway REST and Lambda in front of DynamoDB. Pinecone Standard also has a $50 monthly minimum, not added.',
    "- DynamoDB and S3 storage in GB of 2^30 bytes (billed per item: its size plus 100 bytes of indexing overhead, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html); should AWS count GB as 10^9 bytes, those storage figures are 7.4 % higher. Pinecone's namespace size in GB of 10^9 bytes (its documentation's table). DynamoDB's first 25 GB a month are free, not deducted.",
    "- The original layout's storage and write units are modelled (uniform buckets), not measured at these sizes; with real, skewed buckets its largest bucket items, and the write units of inserting into them, are larger, and at 10 million vectors its 8-bit table's items approach DynamoDB's 400 KB item limit.",
    '',
  );
  return lines.join('\n');
}
