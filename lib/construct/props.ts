import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { FunctionRole } from '../../lambda/api/routes';
import type { TableRole } from '../../lambda/store/table-definitions';

/** API Gateway's integration timeout: a function behind the API cannot answer later than this. */
export const API_INTEGRATION_TIMEOUT = Duration.seconds(29);

/** Request rate limits of a usage plan (API Gateway throttling, token bucket per API key). */
export interface ThrottleLimits {
  /** Steady-state requests per second. Must be positive. */
  readonly rateLimit: number;
  /** Largest burst, in requests (the token bucket's size). A positive integer. */
  readonly burstLimit: number;
}

/** How many requests an API key may make per period. */
export interface QuotaLimits {
  /** Requests per period. A positive integer. */
  readonly limit: number;
  /** @default apigw.Period.MONTH */
  readonly period?: apigw.Period;
}

/** One usage plan tier. Project API keys are attached to the `defaultUsagePlan` tier. */
export interface UsagePlanTier {
  /** Tier name, `^[A-Za-z0-9_-]{1,64}$`, unique among the tiers; also part of the plan's name. */
  readonly name: string;
  /**
   * Throttle per API key.
   * @default - rate 100 requests/s, burst 200
   */
  readonly throttle?: ThrottleLimits;
  /**
   * Quota per API key.
   * @default - no quota
   */
  readonly quota?: QuotaLimits;
  /** @default - none */
  readonly description?: string;
}

/** Memory and timeout of one Lambda function. */
export interface FunctionOptions {
  /**
   * Memory in MiB, 128 to 10240. Lambda allots CPU in proportion to memory; re-ranking is CPU bound.
   * @default 1024 for query and write, 512 for admin
   */
  readonly memorySize?: number;
  /**
   * Timeout. At most 29 seconds for query and write (API Gateway's integration timeout); the admin
   * function may run up to 15 minutes because it also purges dropped collections on a schedule.
   * @default 29 seconds for query and write, 2 minutes for admin
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency.
   * @default - unreserved (the account's pool)
   */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * Overrides of one table's properties. Keys (`pk`, `sk`) come from `TABLE_DEFINITIONS` and
 * encryption from `encryptionKey`; they cannot be overridden.
 */
export type TableOverrides = Omit<
  Partial<dynamodb.TableProps>,
  'partitionKey' | 'sortKey' | 'encryption' | 'encryptionKey' | 'removalPolicy' | 'pointInTimeRecovery' | 'pointInTimeRecoverySpecification'
>;

/** Properties of a {@link WhiplashVectorStore}. Every field is optional. */
export interface WhiplashVectorStoreProps {
  /**
   * Customer managed KMS key that encrypts the three tables and the admin key secret.
   * @default - the AWS managed keys (`aws/dynamodb`, `aws/secretsmanager`)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the tables when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Point-in-time recovery of the three tables.
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;
  /**
   * Billing mode of the three tables. With `PROVISIONED`, give `readCapacity` and `writeCapacity`
   * for every table in `tableOverrides`.
   * @default dynamodb.BillingMode.PAY_PER_REQUEST (on demand)
   */
  readonly billingMode?: dynamodb.BillingMode;
  /**
   * Escape hatch: extra table properties, per table.
   * @default - none
   */
  readonly tableOverrides?: { readonly [role in TableRole]?: TableOverrides };
  /**
   * Memory and timeout per function.
   * @default - see {@link FunctionOptions}
   */
  readonly functions?: { readonly [role in FunctionRole]?: FunctionOptions };
  /**
   * Lambda runtime: Node.js 22 or later.
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;
  /**
   * Powertools log level of the functions (`POWERTOOLS_LOG_LEVEL`).
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * Retention of the function and access log groups.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Name of the API stage, `^[A-Za-z0-9_-]{1,128}$`.
   * @default 'prod'
   */
  readonly stageName?: string;
  /**
   * Endpoint type of the REST API.
   * @default apigw.EndpointType.REGIONAL
   */
  readonly endpointType?: apigw.EndpointType;
  /**
   * CORS preflight on every resource. `allowHeaders` always includes `x-api-key` and `Content-Type`.
   * @default - no CORS (server-to-server clients)
   */
  readonly cors?: apigw.CorsOptions;
  /**
   * Usage plan tiers. Each becomes one API Gateway usage plan on the stage.
   * @default - one tier, `default`: rate 100 requests/s, burst 200, no quota
   */
  readonly usagePlans?: UsagePlanTier[];
  /**
   * The tier that new project API keys are attached to.
   * @default - the first of `usagePlans`
   */
  readonly defaultUsagePlan?: string;
  /**
   * Throttle of the admin API key, which has a usage plan of its own (no quota), so that a tier's
   * quota never locks the administrator out.
   * @default - rate 100 requests/s, burst 200
   */
  readonly adminThrottle?: ThrottleLimits;
  /**
   * Whether to let API Gateway write execution logs through an account-level CloudWatch role
   * that this construct creates (one per account and region is enough).
   * @default true
   */
  readonly cloudWatchRole?: boolean;
  /**
   * ARN of a WAFv2 web ACL (regional scope) to associate with the API stage.
   * @default - no web ACL
   */
  readonly webAclArn?: string;
  /**
   * How often the admin function purges the items of dropped collections. Whole minutes, at least 1.
   * @default Duration.minutes(15)
   */
  readonly purgeInterval?: Duration;
  /**
   * CloudWatch alarms on function errors and throttles, API 5XX errors and query latency.
   * They have no actions: add yours to `alarms`.
   * @default true
   */
  readonly alarms?: boolean;
  /**
   * Threshold of the query latency alarm (p99 duration of the query function over 5 minutes).
   * @default Duration.seconds(2)
   */
  readonly queryLatencyAlarmThreshold?: Duration;
  /**
   * Whether to add CloudFormation outputs (API URL, admin key secret ARN, table names).
   * @default true
   */
  readonly outputs?: boolean;
}

/** A tier with its defaults applied. */
export interface ResolvedTier {
  readonly name: string;
  readonly description: string;
  readonly throttle: ThrottleLimits;
  readonly quota?: Required<QuotaLimits>;
}

/** Props with every default applied. */
export interface ResolvedProps {
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly pointInTimeRecovery: boolean;
  readonly billingMode: dynamodb.BillingMode;
  readonly tableOverrides: { readonly [role in TableRole]?: TableOverrides };
  readonly functions: { readonly [role in FunctionRole]: Required<Omit<FunctionOptions, 'reservedConcurrentExecutions'>> & FunctionOptions };
  readonly runtime: lambda.Runtime;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly logRetention: logs.RetentionDays;
  readonly stageName: string;
  readonly endpointType: apigw.EndpointType;
  readonly cors?: apigw.CorsOptions;
  readonly usagePlans: readonly ResolvedTier[];
  readonly defaultUsagePlan: string;
  readonly adminThrottle: ThrottleLimits;
  readonly cloudWatchRole: boolean;
  readonly webAclArn?: string;
  readonly purgeInterval: Duration;
  readonly alarms: boolean;
  readonly queryLatencyAlarmThreshold: Duration;
  readonly outputs: boolean;
}

/** Thrown at synth time for props that cannot work. The message names the prop and the rule. */
export class WhiplashPropsError extends Error {
  constructor(
    readonly prop: string,
    readonly rule: string,
  ) {
    super(`WhiplashVectorStore: ${prop} ${rule}`);
    this.name = 'WhiplashPropsError';
  }
}

/** Throttle of a tier without one, and of the admin key. */
export const DEFAULT_THROTTLE: ThrottleLimits = { rateLimit: 100, burstLimit: 200 };
const TIER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const FUNCTION_DEFAULTS: Record<FunctionRole, { memorySize: number; timeout: Duration }> = {
  query: { memorySize: 1024, timeout: API_INTEGRATION_TIMEOUT },
  write: { memorySize: 1024, timeout: API_INTEGRATION_TIMEOUT },
  admin: { memorySize: 512, timeout: Duration.minutes(2) },
};

const known = (n: number | undefined): n is number => n !== undefined && !Token.isUnresolved(n);

function check(ok: boolean, prop: string, rule: string): void {
  if (!ok) throw new WhiplashPropsError(prop, rule);
}

function validateThrottle(t: ThrottleLimits | undefined, at: string): void {
  if (!t) return;
  if (known(t.rateLimit)) check(Number.isFinite(t.rateLimit) && t.rateLimit > 0, `${at}.rateLimit`, `must be a positive number of requests per second (got ${t.rateLimit})`);
  if (known(t.burstLimit)) check(Number.isInteger(t.burstLimit) && t.burstLimit >= 1, `${at}.burstLimit`, `must be a positive integer (got ${t.burstLimit})`);
}

function validateTier(tier: UsagePlanTier, i: number): void {
  const at = `usagePlans[${i}]`;
  check(TIER_NAME.test(tier.name ?? ''), `${at}.name`, `must match ${TIER_NAME.source} (got '${tier.name}')`);
  check(tier.name !== 'admin', `${at}.name`, "must not be 'admin' (the admin key's own plan)");
  validateThrottle(tier.throttle, `${at}.throttle`);
  const q = tier.quota;
  if (q && known(q.limit)) check(Number.isInteger(q.limit) && q.limit >= 1, `${at}.quota.limit`, `must be a positive integer (got ${q.limit})`);
}

function resolveFunction(role: FunctionRole, opts: FunctionOptions | undefined) {
  const d = FUNCTION_DEFAULTS[role];
  const memorySize = opts?.memorySize ?? d.memorySize;
  const timeout = opts?.timeout ?? d.timeout;
  const at = `functions.${role}`;
  if (known(memorySize)) {
    check(Number.isInteger(memorySize) && memorySize >= 128 && memorySize <= 10240, `${at}.memorySize`, `must be an integer from 128 to 10240 MiB, Lambda's limits (got ${memorySize})`);
  }
  if (!timeout.isUnresolved()) {
    const s = timeout.toSeconds();
    check(s >= 1 && s <= 900, `${at}.timeout`, `must be from 1 second to 15 minutes, Lambda's limits (got ${timeout.toHumanString()})`);
    if (role !== 'admin') {
      check(s <= API_INTEGRATION_TIMEOUT.toSeconds(), `${at}.timeout`, `must be at most 29 seconds, API Gateway's integration timeout (got ${timeout.toHumanString()})`);
    }
  }
  if (known(opts?.reservedConcurrentExecutions)) {
    check(Number.isInteger(opts.reservedConcurrentExecutions) && opts.reservedConcurrentExecutions >= 1, `${at}.reservedConcurrentExecutions`, `must be a positive integer (got ${opts.reservedConcurrentExecutions})`);
  }
  return { ...opts, memorySize, timeout };
}

function nodeMajor(runtime: lambda.Runtime): number | undefined {
  const m = /^nodejs(\d+)\.x$/.exec(runtime.name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Applies the defaults and checks the combinations.
 * @throws WhiplashPropsError naming the offending prop and the rule it breaks.
 */
export function resolveProps(props: WhiplashVectorStoreProps = {}): ResolvedProps {
  const usagePlans = props.usagePlans ?? [{ name: 'default', throttle: DEFAULT_THROTTLE }];
  check(usagePlans.length >= 1, 'usagePlans', 'must hold at least one tier');
  usagePlans.forEach(validateTier);
  const names = usagePlans.map((t) => t.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  check(dup === undefined, 'usagePlans', `must have unique names ('${dup}' appears twice)`);
  const defaultUsagePlan = props.defaultUsagePlan ?? usagePlans[0].name;
  check(names.includes(defaultUsagePlan), 'defaultUsagePlan', `must name one of usagePlans (${names.join(', ')}); got '${defaultUsagePlan}'`);

  validateThrottle(props.adminThrottle, 'adminThrottle');

  const stageName = props.stageName ?? 'prod';
  if (!Token.isUnresolved(stageName)) check(STAGE_NAME.test(stageName), 'stageName', `must match ${STAGE_NAME.source} (got '${stageName}')`);

  const runtime = props.runtime ?? lambda.Runtime.NODEJS_24_X;
  const major = nodeMajor(runtime);
  check(runtime.family === lambda.RuntimeFamily.NODEJS && major !== undefined && major >= 22, 'runtime', `must be Node.js 22 or later: the handlers are bundled for node22 (got ${runtime.name})`);

  const billingMode = props.billingMode ?? dynamodb.BillingMode.PAY_PER_REQUEST;
  const tableOverrides = props.tableOverrides ?? {};
  for (const role of ['metadata', 'vectors', 'buckets'] as const) {
    const o = tableOverrides[role];
    if (o?.billingMode !== undefined && o.billingMode !== billingMode) {
      throw new WhiplashPropsError(`tableOverrides.${role}.billingMode`, 'must not differ from billingMode: set billingMode for all three tables');
    }
    if (billingMode === dynamodb.BillingMode.PROVISIONED) {
      check(o?.readCapacity !== undefined && o?.writeCapacity !== undefined, `tableOverrides.${role}`, 'must give readCapacity and writeCapacity when billingMode is PROVISIONED');
    } else {
      check(o?.readCapacity === undefined && o?.writeCapacity === undefined, `tableOverrides.${role}`, 'must not give readCapacity or writeCapacity with on-demand billing (billingMode PAY_PER_REQUEST)');
    }
  }

  const cors = props.cors;
  if (cors) {
    check(cors.allowOrigins.length > 0, 'cors.allowOrigins', 'must hold at least one origin');
    check(!(cors.allowCredentials && cors.allowOrigins.includes('*')), 'cors', "must not combine allowCredentials with the '*' origin (browsers reject it)");
  }

  const purgeInterval = props.purgeInterval ?? Duration.minutes(15);
  if (!purgeInterval.isUnresolved()) {
    const minutes = purgeInterval.toSeconds() / 60;
    check(Number.isInteger(minutes) && minutes >= 1, 'purgeInterval', `must be a whole number of minutes, at least 1 (EventBridge schedule granularity; got ${purgeInterval.toHumanString()})`);
  }

  const alarms = props.alarms ?? true;
  check(alarms || props.queryLatencyAlarmThreshold === undefined, 'queryLatencyAlarmThreshold', 'must not be set when alarms is false');

  if (props.webAclArn !== undefined && !Token.isUnresolved(props.webAclArn)) {
    check(/^arn:aws[\w-]*:wafv2:[\w-]+:\d{12}:regional\/webacl\//.test(props.webAclArn), 'webAclArn', `must be the ARN of a regional WAFv2 web ACL (got '${props.webAclArn}')`);
  }
  const endpointType = props.endpointType ?? apigw.EndpointType.REGIONAL;
  check(endpointType !== apigw.EndpointType.PRIVATE, 'endpointType', 'PRIVATE is not supported: a private API needs a VPC endpoint and resource policy this construct does not create');

  return {
    encryptionKey: props.encryptionKey,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    pointInTimeRecovery: props.pointInTimeRecovery ?? true,
    billingMode,
    tableOverrides,
    functions: {
      query: resolveFunction('query', props.functions?.query),
      write: resolveFunction('write', props.functions?.write),
      admin: resolveFunction('admin', props.functions?.admin),
    },
    runtime,
    logLevel: props.logLevel ?? 'INFO',
    logRetention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    stageName,
    endpointType,
    cors,
    usagePlans: usagePlans.map((t) => ({
      name: t.name,
      description: t.description ?? `Whiplash usage plan '${t.name}'`,
      throttle: t.throttle ?? DEFAULT_THROTTLE,
      quota: t.quota && { limit: t.quota.limit, period: t.quota.period ?? apigw.Period.MONTH },
    })),
    defaultUsagePlan,
    adminThrottle: props.adminThrottle ?? DEFAULT_THROTTLE,
    cloudWatchRole: props.cloudWatchRole ?? true,
    webAclArn: props.webAclArn,
    purgeInterval,
    alarms,
    queryLatencyAlarmThreshold: props.queryLatencyAlarmThreshold ?? Duration.seconds(2),
    outputs: props.outputs ?? true,
  };
}
