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
    unit: 'million QueryVectors requests (request charge only)',
    source: 'https://aws.amazon.com/s3/pricing/',
    read: READ,
    note: 'same transcription. S3 Vectors also bills the data a query processes (per TB, growing with the index size; cut for indexes over 10 million vectors on 2026-06-16, https://dev.classmethod.jp/en/articles/20260616-s3-vectors-query-charges/): that rate was not in any stored page, so it is LEFT OUT and S3 Vectors query costs here are lower bounds',
  },
  pineconeReadPerMillion: {
    usd: 16,
    unit: 'million read units (serverless, Standard plan; a query costs 1 RU per GB of namespace, at least 0.25)',
    source: 'https://usagepricing.com/blueprint/pinecone',
    read: READ,
    note: 'third-party page "verified against pinecone.io/pricing on 2026-06-09": Standard ~$16-18 per million RU by region, the low end used; RU rule from https://docs.pinecone.io/guides/organizations/manage-cost/understanding-cost. Standard has a $50/month minimum',
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
    note: 'third-party page: ~$0.33/GB/month',
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;
export type PriceTable = Record<PriceName, Price>;
