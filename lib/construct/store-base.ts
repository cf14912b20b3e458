// IWhiplashVectorStore, its attributes, and WhiplashVectorStoreBase: the grants and metrics shared by a
// store created in this app and one referenced by its attributes.
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { ActionPartitions, isReadAction, KMS_READ_ACTIONS, KMS_WRITE_ACTIONS, TABLE_ACCESS, WRITE_PARTITIONS, writes } from './access';
import { FUNCTION_ROLES, FunctionRole, TABLE_ROLES, TableRole } from './roles';


/** The DynamoDB actions of each function, per table (`TABLE_ACCESS`), as the grants use them. */
type TableAccess = Readonly<Record<TableRole, readonly string[]>>;
/** Per table, the partition-key patterns each write action is confined to (`WRITE_PARTITIONS`). */
type WritePartitions = Readonly<Partial<Record<TableRole, ActionPartitions>>>;

/** The union of two maps of string lists (per table: actions; per action: partition patterns), without duplicates; a key in either is in the union. */
function unionOfLists<K extends string>(a: Readonly<Partial<Record<K, readonly string[]>>>, b: Readonly<Partial<Record<K, readonly string[]>>>): Record<K, readonly string[]> {
  const out: Partial<Record<K, readonly string[]>> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)]) as Set<K>) out[key] = [...new Set([...(a[key] ?? []), ...(b[key] ?? [])])];
  return out as Record<K, readonly string[]>;
}

/** The union of two functions' write partitions, table by table and action by action. */
function unionPartitions(a: WritePartitions, b: WritePartitions): WritePartitions {
  const out: Partial<Record<TableRole, ActionPartitions>> = {};
  for (const role of TABLE_ROLES) if (a[role] || b[role]) out[role] = unionOfLists(a[role] ?? {}, b[role] ?? {});
  return out;
}

/**
 * A Whiplash vector store, created in this app ({@link WhiplashVectorStore}) or deployed elsewhere
 * and referenced with {@link WhiplashVectorStore.fromStoreAttributes}: its API, its tables, grants
 * for direct SDK access and CloudWatch metrics.
 */
export interface IWhiplashVectorStore extends IConstruct {
  /** URL of the API stage, e.g. `https://abc123.execute-api.us-east-1.amazonaws.com/prod/`. */
  readonly apiUrl: string;
  /** Id of the REST API. */
  readonly restApiId: string;
  /** Name of the REST API: the `ApiName` dimension of its API Gateway metrics. */
  readonly restApiName: string;
  /** Physical name of the metadata table. */
  readonly metadataTableName: string;
  /** Physical name of the vectors table. */
  readonly vectorsTableName: string;
  /** Physical name of the buckets table. */
  readonly bucketsTableName: string;

  /**
   * Lets `grantee` read the store directly through the AWS SDK, with the query function's
   * DynamoDB actions, per table ARN; `kms:Decrypt` and `kms:DescribeKey` on a customer key.
   */
  grantQuery(grantee: iam.IGrantable): iam.Grant;
  /**
   * Lets `grantee` upsert and delete vectors directly through the AWS SDK, with the write
   * function's DynamoDB actions, per table ARN; encrypt and decrypt on a customer key.
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant;
  /** {@link grantQuery} and {@link grantWrite} together. */
  grantReadWrite(grantee: iam.IGrantable): iam.Grant;

  /**
   * Latency of the API as clients see it (API Gateway's `Latency`: request received to response
   * sent, in milliseconds), p99 over 5 minutes by default.
   */
  metricApiLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** p99 duration of the query function per invocation (milliseconds), over 5 minutes. */
  metricQueryLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Server-side errors of the API (HTTP 5XX), summed over 5 minutes. */
  metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Client errors of the API (HTTP 4XX, including throttled and over-quota calls), summed over 5 minutes. */
  metricClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Invocations of one function that ended in an error, summed over 5 minutes. */
  metricFunctionErrors(role: FunctionRole, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Invocations of the three functions that Lambda throttled (concurrency limit), summed over 5 minutes. */
  metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /**
   * Requests DynamoDB throttled (`ReadThrottleEvents` + `WriteThrottleEvents`), of one table or
   * (default) of all three, summed over 5 minutes.
   */
  metricTableThrottles(table?: TableRole, props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** Read capacity units consumed, of one table or (default) of all three, summed over 5 minutes. */
  metricConsumedReadCapacity(table?: TableRole, props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
  /** Write capacity units consumed, of one table or (default) of all three, summed over 5 minutes. */
  metricConsumedWriteCapacity(table?: TableRole, props?: cloudwatch.MetricOptions): cloudwatch.IMetric;
}

/**
 * What {@link WhiplashVectorStore.fromStoreAttributes} needs to reference a deployed store. In the
 * same app, pass the store's own fields (CDK turns them into cross-stack references); across apps,
 * the values of its CloudFormation outputs.
 */
export interface WhiplashVectorStoreAttributes {
  /** Id of the REST API (`store.restApiId`). */
  readonly restApiId: string;
  /** Name of the REST API (`store.restApiName`): the `ApiName` dimension of its metrics. */
  readonly restApiName: string;
  /**
   * Name of the API stage.
   * @default 'prod'
   */
  readonly stageName?: string;
  /** Physical name of the metadata table (`store.metadataTableName`, output `MetadataTableName`). */
  readonly metadataTableName: string;
  /** Physical name of the vectors table (`store.vectorsTableName`, output `VectorsTableName`). */
  readonly vectorsTableName: string;
  /** Physical name of the buckets table (`store.bucketsTableName`, output `BucketsTableName`). */
  readonly bucketsTableName: string;
  /** Name of the query function (`store.queryFunction.functionName`), for its metrics. */
  readonly queryFunctionName: string;
  /** Name of the write function (`store.writeFunction.functionName`), for its metrics. */
  readonly writeFunctionName: string;
  /** Name of the admin function (`store.adminFunction.functionName`), for its metrics. */
  readonly adminFunctionName: string;
  /**
   * The customer managed KMS key of the tables (`encryptionKey` of the store), so that grants
   * include its use.
   * @default - the tables use the AWS managed key: grants include no KMS actions
   */
  readonly encryptionKey?: kms.IKey;
}

/** The store's three tables. Keys `pk`/`sk` (strings), no indexes. */
export interface WhiplashTables {
  /** Projects, collections, key bindings, purge queue. */
  readonly metadata: dynamodb.Table;
  /** One item per vector. */
  readonly vectors: dynamodb.Table;
  /** The index entries: one item per vector in k-means lists, or per (vector, hash table) in LSH buckets; also the filter index and metadata payloads. */
  readonly buckets: dynamodb.Table;
}

/** The store's three Lambda functions. */
export interface WhiplashFunctions {
  /** Serves searches, reads and listings: read-only access. */
  readonly query: lambda.Function;
  /** Serves upserts and deletes of vectors. */
  readonly write: lambda.Function;
  /** Serves projects, collections and API keys; purges dropped collections on a schedule. */
  readonly admin: lambda.Function;
}

/**
 * Grants and metrics shared by a store created here ({@link WhiplashVectorStore}) and one
 * referenced by its attributes ({@link WhiplashVectorStore.fromStoreAttributes}).
 */
export abstract class WhiplashVectorStoreBase extends Construct implements IWhiplashVectorStore {
  abstract readonly apiUrl: string;
  abstract readonly restApiId: string;
  abstract readonly restApiName: string;
  abstract readonly metadataTableName: string;
  abstract readonly vectorsTableName: string;
  abstract readonly bucketsTableName: string;

  /** The table of a role, for grants and metrics. @internal */
  protected abstract _tableOf(role: TableRole): dynamodb.ITable;
  /** The function of a role, for metrics. @internal */
  protected abstract _functionOf(role: FunctionRole): lambda.IFunction;
  /** The customer managed key of the tables, if any. @internal */
  protected abstract _tableEncryptionKey(): kms.IKey | undefined;

  /**
   * Lets `grantee` read the store directly through the AWS SDK (e.g. `WhiplashStore.query`), with
   * the query function's actions (`TABLE_ACCESS.query`): `GetItem`, `BatchGetItem`, `Query` on
   * metadata, `BatchGetItem`, `Query` on vectors, `Query` on buckets; and the writes by which
   * queries calibrate a collection, `UpdateItem` of its counter and `PutItem` of its calibration
   * window on metadata, each confined to those partitions (`dynamodb:LeadingKeys`: `UpdateItem` to
   * `P#*`, `PutItem` to `W#*`; `WRITE_PARTITIONS`); encrypt and decrypt on a customer key.
   */
  grantQuery(grantee: iam.IGrantable): iam.Grant {
    return this._grantTableAccess(grantee, TABLE_ACCESS.query, WRITE_PARTITIONS.query);
  }

  /**
   * Lets `grantee` upsert and delete vectors directly through the AWS SDK (`WhiplashStore.upsert`,
   * `deleteVectors`), with the write function's actions (`TABLE_ACCESS.write`): item batch reads
   * and writes on vectors and buckets, reads, counter updates and centroid sets on metadata;
   * encrypt and decrypt on a customer key. No table-level or scan actions. Writes of the metadata
   * table are confined by action (`dynamodb:LeadingKeys`, `WRITE_PARTITIONS`): `UpdateItem` to
   * project partitions (`P#*`), `PutItem` to centroid set partitions (`L#*`); the grantee cannot
   * write API key bindings or the purge queue, nor put over a collection's config or counter.
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    return this._grantTableAccess(grantee, TABLE_ACCESS.write, WRITE_PARTITIONS.write);
  }

  /**
   * {@link grantQuery} and {@link grantWrite} in one grant: the union of the query and write
   * functions' actions, per table (what `WhiplashDirectClient` needs for everything but creating
   * and deleting collections), with metadata writes confined by action to the partitions of both
   * (`UpdateItem` to `P#*`; `PutItem` to `W#*` and `L#*`).
   */
  grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return this._grantTableAccess(grantee, unionOfLists(TABLE_ACCESS.query, TABLE_ACCESS.write), unionPartitions(WRITE_PARTITIONS.query ?? {}, WRITE_PARTITIONS.write ?? {}));
  }

  /**
   * Latency of the API as its clients see it: API Gateway's `Latency` (milliseconds from the
   * request received to the response sent, integration included), p99 over 5 minutes.
   * Source: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
   */
  metricApiLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.apiMetric('Latency', { statistic: 'p99', ...props });
  }

  /** p99 duration of the query function per invocation (milliseconds), over 5 minutes. */
  metricQueryLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._functionOf(FunctionRole.QUERY).metricDuration({ statistic: 'p99', ...props });
  }

  /** Server-side errors of the API (HTTP 5XX), summed over 5 minutes. */
  metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.apiMetric('5XXError', { statistic: 'Sum', ...props });
  }

  /** Client errors of the API (HTTP 4XX, including throttled and over-quota calls), summed over 5 minutes. */
  metricClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.apiMetric('4XXError', { statistic: 'Sum', ...props });
  }

  /** Invocations of one function that ended in an error, summed over 5 minutes. */
  metricFunctionErrors(role: FunctionRole, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._functionOf(role).metricErrors({ statistic: 'Sum', ...props });
  }

  /**
   * Invocations of the three functions that Lambda throttled (concurrency limit), summed over 5
   * minutes: a math expression over the three functions' `Throttles`. `label`, `color`, `period`,
   * `account` and `region` of `props` apply to the expression, the rest to each function's metric.
   */
  metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    const metrics = Object.fromEntries(FUNCTION_ROLES.map((r) => [r, this._functionOf(r).metricThrottles(this.partOptions(props))]));
    return this.sum('query + write + admin', 'Lambda throttles', metrics, props);
  }

  /**
   * Requests DynamoDB throttled, of one table or (default) of all three, summed over 5 minutes:
   * `ReadThrottleEvents` + `WriteThrottleEvents` per table (on-demand tables throttle too, above
   * their partitions' limits or `maxRead/WriteRequestUnits`).
   * Source: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
   */
  metricTableThrottles(table?: TableRole, props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    const roles = table ? [table] : TABLE_ROLES;
    const metrics: Record<string, cloudwatch.IMetric> = {};
    for (const r of roles) {
      metrics[`${r}Reads`] = this._tableOf(r).metric('ReadThrottleEvents', this.partOptions(props));
      metrics[`${r}Writes`] = this._tableOf(r).metric('WriteThrottleEvents', this.partOptions(props));
    }
    return this.sum(Object.keys(metrics).join(' + '), table ? `DynamoDB throttles (${table})` : 'DynamoDB throttles', metrics, props);
  }

  /** Read capacity units consumed, of one table or (default) of all three, summed over 5 minutes. */
  metricConsumedReadCapacity(table?: TableRole, props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.tableSum('ConsumedReadCapacityUnits', (t) => t.metricConsumedReadCapacityUnits(this.partOptions(props)), table, props);
  }

  /** Write capacity units consumed, of one table or (default) of all three, summed over 5 minutes. */
  metricConsumedWriteCapacity(table?: TableRole, props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.tableSum('ConsumedWriteCapacityUnits', (t) => t.metricConsumedWriteCapacityUnits(this.partOptions(props)), table, props);
  }

  /** An `AWS/ApiGateway` metric of this API (dimension `ApiName`, as `RestApi.metric*`). */
  private apiMetric(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: { ApiName: this.restApiName }, ...props });
  }

  /** Options of one metric inside a sum: a summed statistic; label and color belong to the sum. */
  private partOptions(props?: cloudwatch.MetricOptions): cloudwatch.MetricOptions {
    const { label: _label, color: _color, ...rest } = props ?? {};
    return { statistic: 'Sum', ...rest };
  }

  private sum(expression: string, label: string, usingMetrics: Record<string, cloudwatch.IMetric>, props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return new cloudwatch.MathExpression({
      expression,
      label: props?.label ?? label,
      color: props?.color,
      period: props?.period,
      searchAccount: props?.account,
      searchRegion: props?.region,
      usingMetrics,
    });
  }

  private tableSum(label: string, metric: (t: dynamodb.ITable) => cloudwatch.Metric, table: TableRole | undefined, props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    const roles = table ? [table] : TABLE_ROLES;
    const metrics = Object.fromEntries(roles.map((r) => [r, metric(this._tableOf(r))]));
    return this.sum(roles.join(' + '), table ? `${label} (${table})` : label, metrics, props);
  }

  /**
   * The actions of `access` on each table's ARN, and the key's use when the tables have a customer
   * key. Writes of a table listed in `partitions` are a separate statement, allowed only when every
   * partition key of the request matches one of its patterns (`dynamodb:LeadingKeys`). @internal
   */
  protected _grantTableAccess(grantee: iam.IGrantable, access: TableAccess, partitions: WritePartitions = {}): iam.Grant {
    let grant: iam.Grant | undefined;
    const add = (g: iam.Grant): void => {
      grant = grant ? grant.combine(g) : g;
    };
    for (const role of TABLE_ROLES) {
      const resourceArns = [this._tableOf(role).tableArn];
      const confined = partitions[role];
      if (!confined) {
        add(iam.Grant.addToPrincipal({ grantee, actions: [...access[role]], resourceArns }));
        continue;
      }
      const reads = access[role].filter(isReadAction);
      if (reads.length > 0) add(iam.Grant.addToPrincipal({ grantee, actions: reads, resourceArns }));
      // one statement per set of patterns, with the write actions confined to it
      const byPatterns = new Map<string, string[]>();
      for (const action of access[role].filter((a) => !isReadAction(a))) {
        const patterns = confined[action];
        if (!patterns) throw new Error(`${action} on the ${role} table has no partitions to confine it to (WRITE_PARTITIONS)`);
        const key = JSON.stringify(patterns);
        byPatterns.set(key, [...(byPatterns.get(key) ?? []), action]);
      }
      for (const [patterns, actions] of byPatterns) {
        add(iam.Grant.addToPrincipal({ grantee, actions, resourceArns, conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': JSON.parse(patterns) } } }));
      }
    }
    const key = this._tableEncryptionKey();
    if (key) add(key.grant(grantee, ...(writes(access) ? KMS_WRITE_ACTIONS : KMS_READ_ACTIONS)));
    return grant!;
  }
}
