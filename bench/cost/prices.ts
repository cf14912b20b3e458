// Published prices the cost model uses, each with its source page and date.
/**
 * Published prices the cost model uses (US East (N. Virginia), USD, list prices, no free tier, no
 * savings plans). Every figure names the page it was read from and the date it was read here; the
 * pages are stored copies found with the project's `search` tool (no live web on this machine), so a
 * figure can be older than the provider's current page: check `source` before relying on it.
 */

/** One price and where it comes from. */
export interface Price {
  /** Dollars per `unit`. */
  readonly usd: number;
  readonly unit: string;
  /** URL of the page the figure was read from. */
  readonly source: string;
  /** ISO date the stored copy was read for this model. */
  readonly read: string;
  /** How the figure relates to the provider's own page (e.g. a third-party transcription). */
  readonly note?: string;
}

const READ = '2026-11-22';
/** Prices added or re-checked for the workload totals (issue #17). */
const READ_2 = '2026-11-30';

/** The prices, by name. */
export const PRICES = {
  dynamoReadPerMillion: {
    usd: 0.125,
    unit: 'million read request units (on-demand, Standard table class)',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
    read: READ,
    note: "third-party page quoting US East on-demand prices; AWS's own page (https://aws.amazon.com/dynamodb/pricing/on-demand/) defines the unit (4 KB strongly consistent, half for eventually consistent) but its stored copy did not show the price",
  },
  dynamoWritePerMillion: {
    usd: 0.625,
    unit: 'million write request units (on-demand, Standard table class)',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing',
    read: READ,
    note: 'third-party page quoting US East on-demand prices (1 unit per 1 KB written)',
  },
  dynamoStoragePerGbMonth: {
    usd: 0.25,
    unit: 'GB-month of table storage (Standard table class; first 25 GB a month free, not deducted here)',
    source: 'https://aws.amazon.com/dynamodb/pricing/',
    read: READ,
    note: 'AWS page: "prices start from $0.25 per GB-month"',
  },
  lambdaArmPerGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second of Lambda duration on arm64 (first 7.5 billion GB-seconds a month)',
    source: 'https://cloudchipr.com/blog/aws-lambda-pricing',
    read: READ,
    note: "third-party page quoting US East tiers; AWS's page (https://aws.amazon.com/lambda/pricing/) describes the model (duration x memory, 1 ms granularity, init included)",
  },
  lambdaRequestsPerMillion: {
    usd: 0.2,
    unit: 'million Lambda requests',
    source: 'https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html',
    read: READ,
  },
  apiGatewayRestPerMillion: {
    usd: 3.5,
    unit: 'million REST API calls (first 333 million a month)',
    source: 'https://docs.aws.amazon.com/pt_br/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html',
    read: READ,
    note: 'AWS whitepaper, Table 4 (English text)',
  },
  s3VectorsStoragePerGbMonth: {
    usd: 0.06,
    unit: 'logical GB-month of S3 Vectors storage (vector data + key + metadata)',
    source: 'https://aws.amazon.com/s3/pricing/',
    read: READ,
    note: 'as transcribed verbatim from that page on 2026-09-20 in api-evangelist/amazon-s3 plans/amazon-s3-plans-pricing.yml; also https://www.exploreagentic.ai/insights/s3-vectors-enterprise-rag/. One other stored page (oflight.co.jp, April 2026) gives $0.05: not used',
  },
  s3VectorsPutPerGb: {
    usd: 0.2,
    unit: 'logical GB uploaded with PutVectors',
    source: 'https://aws.amazon.com/s3/pricing/',
    read: READ,
    note: 'same transcription as the storage price',
  },
  s3VectorsQueryPerMillion: {
    usd: 2.5,
    unit: 'million QueryVectors requests (request charge; the data-processed charge below is added per query)',
    source: 'https://aws.amazon.com/s3/pricing/',
    read: READ_2,
    note: 'same transcription; the price feed behind that page (published 2026-09-28) gives $0.0025 per 1,000 requests, as transcribed in a fact sheet verified against it on 2026-10-02 (stored copy found with the search tool)',
  },
  s3VectorsDataProcessedFirst100kPerTb: {
    usd: 0.004,
    unit: 'TB (2^40 bytes) of data processed by a query, for the first 100,000 vectors of the index',
    source: 'https://aws.amazon.com/s3/pricing/',
    read: READ_2,
    note: 'US East, from the price feed behind that page (published 2026-09-28) as transcribed in a fact sheet verified against it on 2026-10-02; the same $0.004 per TB for the first 100K vectors is quoted by two other stored pages. Data processed = vectors in the index x their average size (vector data + key + filterable metadata); each query pays it on the whole index, whatever it returns',
  },
  s3VectorsDataProcessedTo10MPerTb: {
    usd: 0.002,
    unit: 'TB (2^40 bytes) of data processed by a query, for the index\'s vectors from 100,000 to 10 million',
    source: 'https://aws.amazon.com/s3/pricing/',
    read: READ_2,
    note: 'same price feed and transcription as the first tier',
  },
  s3VectorsDataProcessedOver10MPerTb: {
    usd: 0.0004,
    unit: 'TB (2^40 bytes) of data processed by a query, for the index\'s vectors beyond 10 million',
    source: 'https://aws.amazon.com/s3/pricing/',
    read: READ_2,
    note: 'same price feed; the cut of up to 80 % for indexes over 10 million vectors announced 2026-06-16 (https://dev.classmethod.jp/en/articles/20260616-s3-vectors-query-charges/). No workload here goes past 10 million vectors, so this tier only enters larger runs',
  },
  s3VectorsDataReturnedPerGb: {
    usd: 0.01,
    unit: 'GB (2^30 bytes) of data returned by a query beyond its first 512 KB (each result billed at 256 bytes or more)',
    source: 'https://aws.amazon.com/s3/pricing/',
    read: READ_2,
    note: 'same price feed; a top-10 query returning keys and distances stays inside the free 512 KB, so this charge is 0 here',
  },
  dynamoVectorSearchPerGb: {
    usd: 0.002,
    unit: 'GB (2^30 bytes) of vector data a SearchVectors call examines and returns (DynamoDB vector search, Standard table class)',
    source: 'https://raw.githubusercontent.com/aws/agent-toolkit-for-aws/main/skills/specialized-skills/database-skills/amazon-dynamodb/scripts/calculate_costs.py',
    read: READ_2,
    note: "AWS's own DynamoDB cost script, rate \"taken from the AWS Pricing API (usage type VectorSearch)\", us-east-1; the unit it bills is VectorSearchRequestBytes, which \"scales with the size of the vector data the search examines and returns\" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/VectorSearchMonitoring.html). AWS does not publish how many bytes a search examines: the model gives a range (see the cost section)",
  },
  dynamoVectorWritePerGb: {
    usd: 0.52,
    unit: 'GB (2^30 bytes) replicated into a vector index (VectorWriteRequestBytes, at least 1 KB per request)',
    source: 'https://raw.githubusercontent.com/aws/agent-toolkit-for-aws/main/skills/specialized-skills/database-skills/amazon-dynamodb/scripts/calculate_costs.py',
    read: READ_2,
    note: 'same script and Pricing API usage type (VectorWriteRequest); on top of the base table write units. The script also notes there is no separate vector-storage usage type: index storage is billed as table storage',
  },
  turbopufferQueriedPerPb: {
    usd: 1,
    unit: 'PB (10^15 bytes) of data queried (the namespace\'s logical size per query, at least 1.28 GB; 80 % off the part between 32 and 128 GB, 96 % off above 128 GB)',
    source: 'https://turbopuffer.com/pricing.md',
    read: READ_2,
    note: 'Launch and Scale plans; cut from $5 per PB in February 2026 (pricing changelog https://turbopuffer.com/docs/pricing-log.md)',
  },
  turbopufferReturnedPerGb: {
    usd: 0.05,
    unit: 'GB (10^9 bytes) of data returned by a query',
    source: 'https://turbopuffer.com/pricing.md',
    read: READ_2,
  },
  turbopufferWritePerGb: {
    usd: 2,
    unit: 'GB (10^9 bytes) written (vectors charged at 4 bytes a dimension; at least 10 KB per request)',
    source: 'https://turbopuffer.com/pricing.md',
    read: READ_2,
    note: 'list rate before batch discounts ("up to 50%"); the discount schedule was cut off in the stored page, so writes here are at list price: an upper bound',
  },
  turbopufferStoragePerGbMonth: {
    usd: 0.33,
    unit: 'GB-month (10^9 bytes) of indexed logical storage',
    source: 'https://turbopuffer.com/pricing.md',
    read: READ_2,
  },
  turbopufferMonthlyMinimum: {
    usd: 16,
    unit: 'month (Launch plan minimum usage: a month billed less is billed $16)',
    source: 'https://turbopuffer.com/pricing.md',
    read: READ_2,
    note: 'cut from $64 in June 2026 (https://turbopuffer.com/docs/pricing-log.md); Scale is $256',
  },
  upstashOpsPerMillion: {
    usd: 4,
    unit: 'million operations (Upstash Vector pay as you go: queries, fetches, upserts and deletes counted equally)',
    source: 'https://upstash.com/docs/vector/help/faq',
    read: READ_2,
    note: 'the FAQ says "$0.40 per 100,000 operations". Each upserted vector is counted as one operation here (the FAQ does not say how a batch upsert counts); the plan\'s size limits were not in the stored pages, so whether 10 million 768-d vectors fit pay as you go is not checked',
  },
  upstashStoragePerGbMonth: {
    usd: 0.25,
    unit: 'GB-month (taken as 10^9 bytes: the FAQ does not say) of vector storage (vector count x dimension x 4 bytes, plus metadata)',
    source: 'https://upstash.com/docs/vector/help/faq',
    read: READ_2,
    note: 'first 200 GB of bandwidth a month free, then $0.03 per GB: top-10 answers stay inside it here',
  },
  pineconeReadPerMillion: {
    usd: 16,
    unit: 'million read units (serverless, Standard plan; a query costs 1 RU per GB of namespace, at least 0.25)',
    source: 'https://usagepricing.com/blueprint/pinecone',
    read: READ,
    note: 'third-party page "verified against pinecone.io/pricing on 2026-06-09": Standard ~$16-18 per million RU by region, the low end used; the same $16-$18 transcribed from https://www.pinecone.io/pricing/ on 2026-10-07 in api-evangelist/pinecone plans/pinecone-plans-pricing.yml. RU rule from https://docs.pinecone.io/guides/organizations/manage-cost/understanding-cost',
  },
  pineconeWritePerMillion: {
    usd: 4,
    unit: 'million write units (serverless, Standard plan; 1 WU per KB written, at least 5 per request)',
    source: 'https://usagepricing.com/blueprint/pinecone',
    read: READ,
    note: 'third-party page: Standard ~$4-4.50 per million WU, the low end used',
  },
  pineconeStoragePerGbMonth: {
    usd: 0.33,
    unit: 'GB-month of serverless storage',
    source: 'https://usagepricing.com/blueprint/pinecone',
    read: READ,
    note: 'third-party page: ~$0.33/GB/month; also in the 2026-10-07 transcription of https://www.pinecone.io/pricing/',
  },
  pineconeMonthlyMinimum: {
    usd: 50,
    unit: 'month (Standard plan minimum usage)',
    source: 'https://raw.githubusercontent.com/api-evangelist/pinecone/refs/heads/main/plans/pinecone-plans-pricing.yml',
    read: READ_2,
    note: 'transcribed from https://www.pinecone.io/pricing/ on 2026-10-07: "Standard: $50/month min. usage"',
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;
export type PriceTable = Record<PriceName, Price>;
