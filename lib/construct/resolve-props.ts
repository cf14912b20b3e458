// Props with their defaults applied, in one block, and the eager validation that names the prop and the rule.
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { TIER_NAME_PATTERN } from '../../lambda/core/limits';
import { FunctionOptions, LogLevel, QuotaLimits, TableOverrides, ThrottleLimits, UsagePlanTier, WhiplashVectorStoreProps } from './props';
import { FunctionRole, TABLE_ROLES, TableRole } from './roles';

/** API Gateway's integration timeout: a function behind the API cannot answer later than this. */
export const API_INTEGRATION_TIMEOUT = Duration.seconds(29);

/** A tier with its defaults applied. */
export interface ResolvedTier {
  readonly name: string;
  readonly description: string;
  readonly throttle: ThrottleLimits;
  readonly quota?: Required<QuotaLimits>;
}

/** A function's options with its defaults applied. */
export interface ResolvedFunction extends FunctionOptions {
  readonly memorySize: number;
  readonly timeout: Duration;
}

/** Props with every default applied. */
export interface ResolvedProps {
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly pointInTimeRecovery: boolean;
  readonly billingMode: dynamodb.BillingMode;
  readonly tableOverrides: { readonly [role in TableRole]?: TableOverrides };
  readonly functions: { readonly [role in FunctionRole]: ResolvedFunction };
  readonly runtime: lambda.Runtime;
  readonly logLevel: LogLevel;
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
  readonly alarmActions: readonly cloudwatch.IAlarmAction[];
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
const TIER_NAME = new RegExp(TIER_NAME_PATTERN);
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const FUNCTION_DEFAULTS: Record<FunctionRole, { memorySize: number; timeout: Duration }> = {
  [FunctionRole.QUERY]: { memorySize: 1024, timeout: API_INTEGRATION_TIMEOUT },
  [FunctionRole.WRITE]: { memorySize: 1024, timeout: API_INTEGRATION_TIMEOUT },
  [FunctionRole.ADMIN]: { memorySize: 512, timeout: Duration.minutes(2) },
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

function resolveFunction(role: FunctionRole, opts: FunctionOptions | undefined): ResolvedFunction {
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
    if (role !== FunctionRole.ADMIN) {
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
  const tableOverrides: { readonly [role in TableRole]?: TableOverrides } = props.tableOverrides ?? {};
  for (const role of TABLE_ROLES) {
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
    // origins become quoted static values of the gateway responses' headers
    const quoted = [...cors.allowOrigins, ...(cors.exposeHeaders ?? [])].find((o) => o.includes("'"));
    check(quoted === undefined, 'cors', `origins and exposeHeaders must not contain a single quote (got ${quoted})`);
  }

  const purgeInterval = props.purgeInterval ?? Duration.minutes(15);
  if (!purgeInterval.isUnresolved()) {
    const minutes = purgeInterval.toSeconds() / 60;
    check(Number.isInteger(minutes) && minutes >= 1, 'purgeInterval', `must be a whole number of minutes, at least 1 (EventBridge schedule granularity; got ${purgeInterval.toHumanString()})`);
  }

  const alarms = props.alarms ?? true;
  check(alarms || props.queryLatencyAlarmThreshold === undefined, 'queryLatencyAlarmThreshold', 'must not be set when alarms is false');
  check(alarms || props.alarmActions === undefined, 'alarmActions', 'must not be set when alarms is false');

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
      [FunctionRole.QUERY]: resolveFunction(FunctionRole.QUERY, props.functions?.query),
      [FunctionRole.WRITE]: resolveFunction(FunctionRole.WRITE, props.functions?.write),
      [FunctionRole.ADMIN]: resolveFunction(FunctionRole.ADMIN, props.functions?.admin),
    },
    runtime,
    logLevel: props.logLevel ?? LogLevel.INFO,
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
    alarmActions: props.alarmActions ?? [],
    queryLatencyAlarmThreshold: props.queryLatencyAlarmThreshold ?? Duration.seconds(2),
    outputs: props.outputs ?? true,
  };
}
