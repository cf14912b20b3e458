// The store's public types: metrics, index parameters, metadata and filters, vectors, projects, collections,
// queries and their results.
import type { INDEX_METHODS } from './limits';

/** Distance metrics. Results are ordered by ascending `distance`. */
export type Metric = 'cosine' | 'euclidean' | 'dot';

/**
 * How a collection's index groups its vectors (`INDEX_METHODS`): `lsh`, random-hyperplane hash
 * tables (`IndexParams`); `ivf`, k-means lists, which a query reads a few of (metrics cosine and
 * euclidean only).
 */
export type IndexMethod = (typeof INDEX_METHODS)[number];

/**
 * Parameters of a collection's random-hyperplane LSH index. Fixed when the collection is created.
 * Defaults: `DEFAULT_INDEX_PARAMS` in `lambda/core/params.ts`; their recall and read cost on
 * Fashion-MNIST, GloVe-100 and all-MiniLM-L6-v2 embeddings are in BENCHMARKS.md.
 */
export interface IndexParams {
  /**
   * Number of hash tables (L), 1 to 32. Each table is one bucket entry per vector: one more write
   * unit and its bytes per vector written. The planner makes up for fewer tables with more probes
   * (up to 64 per table); more tables need fewer probes, which lowers the read units per query on
   * data whose neighbours lie far apart (BENCHMARKS.md, "Fewer hash tables by default").
   * @default 8
   */
  readonly hashTables: number;
  /**
   * Leading code bits that go into the bucket partition key. Each hash table is spread over
   * 2^partitionBits partition keys, so writes of one collection never share one hot partition.
   * @default 4
   */
  readonly partitionBits: number;
  /**
   * Vectors per bucket: a query reads buckets of depth `log2(vectorCount / bucketSize)`, so they
   * keep this size as the collection grows. Undefined: the query planner chooses the depth for
   * the collection's size from its data profile (`lambda/core/planner.ts`).
   * @default undefined (planned)
   */
  readonly bucketSize?: number;
  /**
   * Extra buckets probed per hash table by flipping low-margin bits (multi-probe LSH).
   * Undefined: the query planner chooses them.
   * @default undefined (planned)
   */
  readonly probes?: number;
  /**
   * Share of a query's 10 nearest neighbours the query planner aims to find (0.5 to 0.999): it
   * picks the bucket depth and probes predicted to reach it at the fewest read units.
   * @default 0.95
   */
  readonly recallTarget: number;
  /**
   * Bits of the sketch stored with each bucket entry and used to rank candidates (a multiple of
   * 8, 32 to 2048): one bit per direction below twice the dimension, two from there; with a
   * hashing subspace, split between its coordinates and the residual (`splitSketchLayout`).
   * @default 384, or twice the dimension rounded up to a multiple of 8 when that is smaller
   */
  readonly sketchBits: number;
  /**
   * The most candidates whose full vectors a query fetches for the exact re-rank. A query fetches
   * only those whose sketch distance bound can still reach its top-k (`selectForRerank`), so most
   * queries fetch far fewer; this caps the hard ones.
   * @default 500
   */
  readonly rerank: number;
}

/** Metadata of one vector: strings, finite numbers, booleans and lists of strings. */
export type MetadataValue = string | number | boolean | string[];
export type Metadata = Record<string, MetadataValue>;

/** Filter on metadata, with the operators of Pinecone and S3 Vectors. */
export type Filter = Record<string, unknown>;

/** A vector as a client sends it. */
export interface VectorInput {
  readonly id: string;
  readonly vector: ArrayLike<number>;
  readonly metadata?: Metadata;
}

/** A stored vector as a client gets it back. */
export interface StoredVector {
  readonly id: string;
  readonly vector: number[];
  readonly metadata: Metadata;
}

/** A project: a tenant that owns collections and API keys. */
export interface Project {
  readonly projectId: string;
  readonly name: string;
  /** ISO 8601 */
  readonly createdAt: string;
  /** Usage plan tier of the project's keys; absent on projects made before tiers (they are on the default tier). */
  readonly tier?: string;
}

/** A collection's immutable configuration. */
export interface CollectionConfig {
  readonly projectId: string;
  readonly name: string;
  /** Random id that prefixes every key of this collection's items; a re-created name gets a new one. */
  readonly uid: string;
  /** 1 to 4096 */
  readonly dimension: number;
  readonly metric: Metric;
  readonly index: IndexParams;
  /** Seed of the hyperplane generator (uint32). */
  readonly seed: number;
  /**
   * How the hyperplanes are regenerated from `seed` (`prng.ts`): 1, Gaussian sketch directions and
   * the Hamming estimate; 2, orthonormal sketch directions and the asymmetric estimate
   * (`sketch-estimator.ts`); 3 (new collections), as 2, and with a hashing subspace a split sketch
   * (`splitSketchLayout`). All keep the same hash codes.
   */
  readonly prngVersion: number;
  /** ISO 8601 */
  readonly createdAt: string;
  /**
   * 1 when every vector of the collection has its filter index entries (collections created since
   * the filter index, or indexed by a repair); absent before, and then queries leave the index alone.
   * Internal: not part of the API's description of a collection.
   */
  readonly filterIndex?: number;
  /** Which metadata keys take part in filters. @default every key filterable */
  readonly metadataConfiguration?: MetadataConfiguration;
  /**
   * How bucket entries are keyed (`key-format.ts` `bucketSortKey`): 2 (collections created since
   * version tokens) puts the writing version's token in each sort key; absent means 1, without.
   * Internal, like `filterIndex`.
   */
  readonly bucketLayout?: number;
  /**
   * Entries a k-means list holds before it splits (`LIST_SIZE_BOUNDS`): collections of
   * `indexMethod` 'ivf' (bucket layout 3) only.
   * @default DEFAULT_LIST_SIZE (1000) with 'ivf'
   */
  readonly listSize?: number;
}

/**
 * How a collection keeps its vectors' metadata, as S3 Vectors' `metadataConfiguration`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_S3VectorBuckets_MetadataConfiguration.html).
 * Filterable keys (every key not listed here) travel in bucket entries and take part in filters:
 * at most `MAX_FILTERABLE_METADATA_BYTES` (2 KiB) per vector. Non-filterable keys (a chunk's
 * text, say) are kept in a payload item of their own, out of what a query reads to rank, and read
 * only for the results returned with metadata: the whole metadata may reach `MAX_METADATA_BYTES`
 * (40 KiB). A filter on a non-filterable key is refused (400).
 */
export interface MetadataConfiguration {
  /** 1 to `MAX_NON_FILTERABLE_KEYS` (10) distinct metadata keys, fixed when the collection is created. */
  readonly nonFilterableMetadataKeys: string[];
}

/** A collection as listed: its configuration and its approximate size. */
export interface CollectionInfo extends CollectionConfig {
  /** How its index groups vectors; with 'ivf', `listSize` is present too. */
  readonly indexMethod: IndexMethod;
  /** Number of vectors (kept with atomic counters; exact once writes settle). */
  readonly vectorCount: number;
  /** What a query of the collection reads at its current size (see `QueryStats`). */
  readonly queryPlan: {
    readonly depth: number;
    /** In k-means lists, the mean lists a query reads, to two decimals: each query reads the whole number below it or one more (`lambda/core/nprobe.ts`). */
    readonly probes: number;
    /** Hash tables, the first ones, that probe one bucket more than `probes`. */
    readonly extraProbes: number;
    readonly expectedRecall?: number;
    /** False until an upsert batch of at least 100 vectors gave the collection a data profile. */
    readonly profiled: boolean;
    /**
     * Present once the plan is made from the collection's own queries rather than its profile:
     * how many unfiltered queries of top-k 10 or more it has observed (`lambda/core/calibration.ts`);
     * in k-means lists, how many wide queries the nprobe (`probes`) was last calibrated on
     * (`lambda/core/list-calibration.ts`).
     */
    readonly calibratedBy?: number;
    /**
     * With `calibratedBy`, once the observed results' hits per hash table are kept: the factor on
     * each table's hit probability that they show, 0.5..1.5 (`lambda/core/table-hits.ts`).
     */
    readonly hitScale?: number;
    /**
     * Dimensions the hash codes see, once the first write fixed them: the hashing subspace's
     * (`lambda/core/subspace.ts`), or the whole space's (the dimension, plus one under the `dot` lift).
     */
    readonly hashDimensions?: number;
  };
}

/** A top-k query. */
export interface QueryRequest {
  readonly vector: ArrayLike<number>;
  /**
   * Number of results, 1 to 1000.
   * @default 10
   */
  readonly topK?: number;
  readonly filter?: Filter;
  /** @default false */
  readonly includeVector?: boolean;
  /** @default false */
  readonly includeMetadata?: boolean;
  /** Override of the collection's `probes` for this query. */
  readonly probes?: number;
  /** Override of the collection's `rerank` for this query. */
  readonly rerank?: number;
}

/** One result of a query. */
export interface QueryMatch {
  readonly id: string;
  /** Distance under the collection's metric: 1 - cos, L2, or -dot. Smaller is closer. */
  readonly distance: number;
  /** Similarity: cos, -L2, or dot. Larger is closer. */
  readonly score: number;
  readonly vector?: number[];
  readonly metadata?: Metadata;
}

/** What a query cost. */
export interface QueryStats {
  /** Bucket depth (code prefix bits) that was read. */
  readonly depth: number;
  /** Extra buckets probed per hash table. */
  readonly probes: number;
  /**
   * Hash tables, the first ones, that probed one bucket more than `probes`: the plan spreads its
   * probes one at a time, not a multiple of the hash tables (0 with a probes override).
   */
  readonly extraProbes: number;
  /**
   * Share of the 10 nearest neighbours the collection's query plan predicts a query finds among
   * its candidates; absent before the collection has a data profile, or with a probes override.
   */
  readonly expectedRecall?: number;
  /** Bucket reads (DynamoDB Query calls), all in the first round trip. */
  readonly bucketReads: number;
  /** Bucket entries read (an entry found through several reads counts each time). */
  readonly entriesRead: number;
  /**
   * Bucket reads that stopped at their limit (`bucketReadLimit`) or at 1 MB, typically a bucket
   * crowded by many equal vectors: entries beyond it, if any, were not read, so the search may miss
   * vectors that only they held. Nothing else in the answer changes (README, "Reliability").
   */
  readonly truncatedReads: number;
  /** Distinct candidates found in the buckets. */
  readonly candidates: number;
  /**
   * How the results were ranked: `buckets`, the buckets' filtered candidates re-ranked (the
   * approximate search); `exact`, every vector the filter index named for a selective filter,
   * fetched and ranked exactly (README, "Filters").
   */
  readonly path: 'buckets' | 'exact';
  /** Filter index reads (DynamoDB Query calls), in the first round trip beside the bucket reads. */
  readonly indexReads: number;
  /** Filter index entries read. */
  readonly indexEntriesRead: number;
  /** Vectors whose full vector was fetched for exact ranking: the best candidates, or the filter index's matches on the `exact` path. */
  readonly reranked: number;
  /** Sequential DynamoDB round trips (at most 2 once the collection's config is cached). */
  readonly roundTrips: number;
  /** Read capacity units DynamoDB reported (ReturnConsumedCapacity: TOTAL). */
  readonly readUnits: number;
}

export interface QueryResult {
  readonly matches: QueryMatch[];
  readonly stats: QueryStats;
}

/** One page of ids. */
export interface IdPage {
  readonly ids: string[];
  /** Opaque cursor for the next page; absent on the last page. */
  readonly cursor?: string;
}
