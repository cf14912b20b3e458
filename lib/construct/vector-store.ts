// The WhiplashVectorStore construct: tables, functions, REST API, keys, purge schedule and alarms.
import { ArnFormat, Aws, CfnOutput, Duration, Names, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { FunctionRole } from '../../lambda/api/routes';
import { TABLE_DEFINITIONS, TABLE_ENV, TableRole } from '../../lambda/store/table-definitions';
import { API_KEY_MANAGEMENT, KMS_READ_ACTIONS, KMS_WRITE_ACTIONS, TABLE_ACCESS, writes } from './access';
import { handlerCode } from './handler-code';
import { acknowledgeNagFindings } from './nag';
import { ResolvedProps, resolveProps, WhiplashVectorStoreProps } from './props';
import { buildRestApi } from './rest-api';

export { API_INTEGRATION_TIMEOUT, WhiplashPropsError } from './props';
export type { FunctionOptions, QuotaLimits, TableOverrides, ThrottleLimits, UsagePlanTier, WhiplashVectorStoreProps } from './props';
export { TABLE_ACCESS } from './access';

const TABLE_ROLES: readonly TableRole[] = ['metadata', 'vectors', 'buckets'];
const FUNCTION_ROLES: readonly FunctionRole[] = ['query', 'write', 'admin'];
const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A serverless vector store: three DynamoDB tables, three Lambda functions (query, write, admin;
 * Node.js, arm64, least privilege each), an API Gateway REST API built from the route table with
 * API keys and usage plans, an admin API key kept in Secrets Manager, a purge schedule, and alarms.
 *
 * ```ts
 * const vectors = new WhiplashVectorStore(this, 'Vectors');
 * vectors.grantQuery(myFunction); // direct SDK access to the tables, read-only
 * ```
 *
 * The Lambda code is pre-bundled in the package (`assets/handlers`): synth needs neither esbuild
 * nor Docker.
 *
 * @throws WhiplashPropsError at construction for invalid props (the message names the prop and the rule).
 */
export class WhiplashVectorStore extends Construct {
  /** The three tables, by role. Keys `pk`/`sk` (strings), no indexes: see `TABLE_DEFINITIONS`. */
  readonly tables: Readonly<Record<TableRole, dynamodb.Table>>;
  /** Projects, collections, key bindings, purge queue. */
  readonly metadataTable: dynamodb.Table;
  /** One item per vector. */
  readonly vectorsTable: dynamodb.Table;
  /** One item per (vector, hash table): the LSH buckets. */
  readonly bucketsTable: dynamodb.Table;

  /** The three functions, by role. */
  readonly functions: Readonly<Record<FunctionRole, lambda.Function>>;
  /** Serves searches, reads and listings: read-only access. */
  readonly queryFunction: lambda.Function;
  /** Serves upserts and deletes of vectors. */
  readonly writeFunction: lambda.Function;
  /** Serves projects, collections and API keys; purges dropped collections on a schedule. */
  readonly adminFunction: lambda.Function;

  /** The REST API (one method per route of `ROUTES`, all requiring an API key). */
  readonly api: apigw.RestApi;
  /** URL of the API stage, e.g. `https://abc123.execute-api.us-east-1.amazonaws.com/prod/`. */
  readonly apiUrl: string;
  /** The usage plans of the tiers, by tier name (the admin key's plan is {@link adminUsagePlan}). */
  readonly usagePlans: Readonly<Record<string, apigw.UsagePlan>>;
  /** The plan that new project keys are attached to (`defaultUsagePlan`). */
  readonly defaultUsagePlan: apigw.UsagePlan;
  /** The admin key's own plan: `adminThrottle`, no quota. */
  readonly adminUsagePlan: apigw.UsagePlan;
  /** The admin API key. Its value is in {@link adminKeySecret}, never in the template. */
  readonly adminApiKey: apigw.IApiKey;
  /** Secrets Manager secret whose string value is the admin API key. */
  readonly adminKeySecret: secretsmanager.ISecret;
  /** The schedule that runs the purge of dropped collections. */
  readonly purgeRule: events.Rule;
  /** Alarms (empty when `alarms` is false). They have no actions: add yours. */
  readonly alarms: readonly cloudwatch.Alarm[];

  private readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: WhiplashVectorStoreProps = {}) {
    super(scope, id);
    const p = resolveProps(props);
    this.encryptionKey = p.encryptionKey;

    this.tables = this.createTables(p);
    this.metadataTable = this.tables.metadata;
    this.vectorsTable = this.tables.vectors;
    this.bucketsTable = this.tables.buckets;

    this.adminKeySecret = new secretsmanager.Secret(this, 'AdminKeySecret', {
      description: 'Whiplash admin API key (x-api-key header)',
      encryptionKey: p.encryptionKey,
      // API key values: 20 to 128 characters, no punctuation needed.
      generateSecretString: { passwordLength: 40, excludePunctuation: true, includeSpace: false },
    });
    // A dynamic reference: CloudFormation resolves it at deploy time; the template holds no value.
    this.adminApiKey = new apigw.ApiKey(this, 'AdminApiKey', {
      description: 'Whiplash admin key: creates projects and their keys',
      value: this.adminKeySecret.secretValue.unsafeUnwrap(),
    });

    // Functions are named up front and the API integrates with them by ARN, because the admin
    // function's environment names the usage plan, which references the stage, whose deployment
    // references the methods: integrating by reference would close that cycle.
    const names = Object.fromEntries(
      FUNCTION_ROLES.map((role) => [role, `${Names.uniqueResourceName(this, { maxLength: 50, separator: '-' })}-${role}`]),
    ) as Record<FunctionRole, string>;
    const integrations = Object.fromEntries(
      FUNCTION_ROLES.map((role) => [
        role,
        new apigw.Integration({
          type: apigw.IntegrationType.AWS_PROXY,
          integrationHttpMethod: 'POST',
          uri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${this.functionArn(names[role])}/invocations`,
        }),
      ]),
    ) as Record<FunctionRole, apigw.Integration>;

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: p.logRetention });
    const { api } = buildRestApi(this, 'Api', {
      stageName: p.stageName,
      endpointType: p.endpointType,
      cors: p.cors,
      cloudWatchRole: p.cloudWatchRole,
      accessLogGroup: accessLogs,
      integrations,
    });
    this.api = api;
    this.apiUrl = api.url;
    api.node.tryRemoveChild('Endpoint'); // RestApi's own URL output: `ApiUrl` below replaces it

    const plans: Record<string, apigw.UsagePlan> = {};
    for (const tier of p.usagePlans) {
      plans[tier.name] = api.addUsagePlan(`${pascal(tier.name)}UsagePlan`, {
        name: `${Names.uniqueResourceName(this, { maxLength: 60, separator: '-' })}-${tier.name}`,
        description: tier.description,
        apiStages: [{ api, stage: api.deploymentStage }],
        throttle: tier.throttle,
        quota: tier.quota,
      });
    }
    this.usagePlans = plans;
    this.defaultUsagePlan = plans[p.defaultUsagePlan];
    this.adminUsagePlan = api.addUsagePlan('AdminUsagePlan', {
      name: `${Names.uniqueResourceName(this, { maxLength: 60, separator: '-' })}-admin`,
      description: 'Whiplash admin key: throttled, no quota',
      apiStages: [{ api, stage: api.deploymentStage }],
      throttle: p.adminThrottle,
    });
    this.adminUsagePlan.addApiKey(this.adminApiKey);

    this.functions = {
      query: this.createFunction('query', names.query, p),
      write: this.createFunction('write', names.write, p),
      admin: this.createFunction('admin', names.admin, p),
    };
    this.queryFunction = this.functions.query;
    this.writeFunction = this.functions.write;
    this.adminFunction = this.functions.admin;
    this.adminFunction.addEnvironment('WHIPLASH_USAGE_PLAN_ID', this.defaultUsagePlan.usagePlanId);
    this.grantApiKeyManagement(this.adminFunction);
    for (const role of FUNCTION_ROLES) {
      this.functions[role].addPermission('InvokeByApi', {
        principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
        sourceArn: api.arnForExecuteApi(),
      });
    }

    this.purgeRule = new events.Rule(this, 'PurgeSchedule', {
      description: 'Purges the items of dropped Whiplash collections',
      schedule: events.Schedule.rate(p.purgeInterval),
      targets: [new targets.LambdaFunction(this.adminFunction, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });

    if (p.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: api.deploymentStage.stageArn, webAclArn: p.webAclArn });
    }
    this.alarms = p.alarms ? this.createAlarms(p) : [];
    if (p.outputs) this.createOutputs();
    acknowledgeNagFindings({ api, adminFunction: this.adminFunction, adminKeySecret: this.adminKeySecret, webAcl: p.webAclArn !== undefined });
  }

  /**
   * Lets `grantee` read the store directly through the AWS SDK (e.g. `WhiplashStore.query`), with
   * the query function's actions (`TABLE_ACCESS.query`): `GetItem`, `BatchGetItem`, `Query` on
   * metadata, `BatchGetItem`, `Query` on vectors, `Query` on buckets; `kms:Decrypt` and
   * `kms:DescribeKey` on a customer key.
   */
  grantQuery(grantee: iam.IGrantable): iam.Grant {
    return this.grantTableAccess(grantee, TABLE_ACCESS.query);
  }

  /**
   * Lets `grantee` upsert and delete vectors directly through the AWS SDK (`WhiplashStore.upsert`,
   * `deleteVectors`), with the write function's actions (`TABLE_ACCESS.write`): item batch reads
   * and writes on vectors and buckets, reads and counter updates on metadata; encrypt and decrypt
   * on a customer key. No table-level, scan or delete-item actions.
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant {
    return this.grantTableAccess(grantee, TABLE_ACCESS.write);
  }

  /** p99 duration of the query function per invocation (milliseconds), over 5 minutes. */
  metricQueryLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queryFunction.metricDuration({ statistic: 'p99', ...props });
  }

  /** Server-side errors of the API (HTTP 5XX), summed over 5 minutes. */
  metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricServerError({ statistic: 'Sum', ...props });
  }

  /** Client errors of the API (HTTP 4XX, including throttled and over-quota calls), summed over 5 minutes. */
  metricClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricClientError({ statistic: 'Sum', ...props });
  }

  /** Invocations of one function that ended in an error, summed over 5 minutes. */
  metricFunctionErrors(role: FunctionRole, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.functions[role].metricErrors({ statistic: 'Sum', ...props });
  }

  /** Invocations of the three functions that Lambda throttled (concurrency limit), summed over 5 minutes. */
  metricThrottles(props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    return new cloudwatch.MathExpression({
      expression: 'query + write + admin',
      label: 'Lambda throttles',
      usingMetrics: Object.fromEntries(FUNCTION_ROLES.map((r) => [r, this.functions[r].metricThrottles({ statistic: 'Sum' })])),
      ...props,
    });
  }

  /** Read capacity units consumed, of one table or (default) of all three, summed over 5 minutes. */
  metricConsumedReadCapacity(table?: TableRole, props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    return this.tableSum('ConsumedReadCapacityUnits', (t) => t.metricConsumedReadCapacityUnits({ statistic: 'Sum' }), table, props);
  }

  /** Write capacity units consumed, of one table or (default) of all three, summed over 5 minutes. */
  metricConsumedWriteCapacity(table?: TableRole, props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    return this.tableSum('ConsumedWriteCapacityUnits', (t) => t.metricConsumedWriteCapacityUnits({ statistic: 'Sum' }), table, props);
  }

  private tableSum(label: string, metric: (t: dynamodb.Table) => cloudwatch.Metric, table: TableRole | undefined, props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    const roles = table ? [table] : TABLE_ROLES;
    return new cloudwatch.MathExpression({
      expression: roles.join(' + '),
      label: table ? `${label} (${table})` : label,
      usingMetrics: Object.fromEntries(roles.map((r) => [r, metric(this.tables[r])])),
      ...props,
    });
  }

  private createTables(p: ResolvedProps): Record<TableRole, dynamodb.Table> {
    const make = (role: TableRole): dynamodb.Table => {
      const def = TABLE_DEFINITIONS[role];
      return new dynamodb.Table(this, `${pascal(role)}Table`, {
        billingMode: p.billingMode,
        ...p.tableOverrides[role],
        partitionKey: { name: def.partitionKey.name, type: dynamodb.AttributeType.STRING },
        sortKey: { name: def.sortKey.name, type: dynamodb.AttributeType.STRING },
        encryption: p.encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
        encryptionKey: p.encryptionKey,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: p.pointInTimeRecovery },
        removalPolicy: p.removalPolicy,
      });
    };
    return { metadata: make('metadata'), vectors: make('vectors'), buckets: make('buckets') };
  }

  private functionArn(name: string): string {
    return Stack.of(this).formatArn({ service: 'lambda', resource: 'function', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  private createFunction(role: FunctionRole, functionName: string, p: ResolvedProps): lambda.Function {
    const opts = p.functions[role];
    const id = pascal(role);
    // A generated log group name: a retained group never blocks a redeploy of the same function name.
    const logGroup = new logs.LogGroup(this, `${id}FunctionLogs`, { retention: p.logRetention });
    // An explicit role: only its own log group and its own table actions, no managed policies.
    const executionRole = new iam.Role(this, `${id}FunctionRole`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Whiplash ${role} function`,
    });
    logGroup.grantWrite(executionRole);
    this.grantTableAccess(executionRole, TABLE_ACCESS[role]);
    const fn = new lambda.Function(this, `${id}Function`, {
      functionName,
      description: `Whiplash ${role} handler`,
      runtime: p.runtime,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: handlerCode(role),
      memorySize: opts.memorySize,
      timeout: opts.timeout,
      reservedConcurrentExecutions: opts.reservedConcurrentExecutions,
      role: executionRole,
      logGroup,
      environment: {
        [TABLE_ENV.metadata]: this.tables.metadata.tableName,
        [TABLE_ENV.vectors]: this.tables.vectors.tableName,
        [TABLE_ENV.buckets]: this.tables.buckets.tableName,
        WHIPLASH_ADMIN_KEY_ID: this.adminApiKey.keyId,
        POWERTOOLS_SERVICE_NAME: 'whiplash',
        POWERTOOLS_METRICS_NAMESPACE: 'Whiplash',
        POWERTOOLS_LOG_LEVEL: p.logLevel,
      },
    });
    fn.node.addDependency(executionRole);
    return fn;
  }

  private grantTableAccess(grantee: iam.IGrantable, access: Readonly<Record<TableRole, readonly string[]>>): iam.Grant {
    let grant: iam.Grant | undefined;
    for (const role of TABLE_ROLES) {
      const g = iam.Grant.addToPrincipal({ grantee, actions: [...access[role]], resourceArns: [this.tables[role].tableArn] });
      grant = grant ? grant.combine(g) : g;
    }
    if (this.encryptionKey) {
      grant = grant!.combine(this.encryptionKey.grant(grantee, ...(writes(access) ? KMS_WRITE_ACTIONS : KMS_READ_ACTIONS)));
    }
    return grant!;
  }

  private grantApiKeyManagement(fn: lambda.Function): void {
    const byAction = new Map<string, Set<string>>();
    for (const call of API_KEY_MANAGEMENT) {
      const path = call.path
        .replace('{usagePlanId}', this.defaultUsagePlan.usagePlanId)
        .replace('{partition}', Aws.PARTITION)
        .replace('{region}', Aws.REGION);
      const arn = `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::${path}`;
      byAction.set(call.action, (byAction.get(call.action) ?? new Set()).add(arn));
    }
    for (const [action, arns] of byAction) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: [action], resources: [...arns] }));
    }
  }

  private createAlarms(p: ResolvedProps): cloudwatch.Alarm[] {
    const alarm = (id: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm =>
      new cloudwatch.Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
    return [
      ...FUNCTION_ROLES.map((role) => alarm(`${pascal(role)}ErrorsAlarm`, this.metricFunctionErrors(role), 1, `Whiplash ${role} function errors`)),
      alarm('ThrottlesAlarm', this.metricThrottles(), 1, 'Whiplash functions throttled by Lambda'),
      alarm('ServerErrorsAlarm', this.metricServerErrors(), 1, 'Whiplash API answered 5XX'),
      alarm('QueryLatencyAlarm', this.metricQueryLatency(), p.queryLatencyAlarmThreshold.toMilliseconds(), `Whiplash query p99 latency at or above ${p.queryLatencyAlarmThreshold.toHumanString()}`),
    ];
  }

  private createOutputs(): void {
    new CfnOutput(this, 'ApiUrl', { value: this.apiUrl, description: 'Whiplash API URL' });
    new CfnOutput(this, 'AdminKeySecretArn', {
      value: this.adminKeySecret.secretArn,
      description: 'Secret holding the admin API key: aws secretsmanager get-secret-value --secret-id <arn> --query SecretString --output text',
    });
    new CfnOutput(this, 'AdminApiKeyId', { value: this.adminApiKey.keyId, description: 'Id of the admin API key' });
    for (const role of TABLE_ROLES) {
      new CfnOutput(this, `${pascal(role)}TableName`, { value: this.tables[role].tableName, description: `Whiplash ${role} table` });
    }
  }
}
