// The WhiplashVectorStore construct: tables, functions, REST API, keys, purge schedule, alarms; and
// fromStoreAttributes for a store deployed elsewhere (`imported-store.ts`).
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
import { CORS_ENV } from '../../lambda/api/cors';
import { TABLE_DEFINITIONS, TABLE_ENV } from '../../lambda/store/table-definitions';
import { API_KEY_MANAGEMENT, fillCondition, TABLE_ACCESS, WRITE_PARTITIONS } from './access';
import { handlerCode } from './handler-code';
import { acknowledgeNagFindings } from './nag';
import { WhiplashVectorStoreProps } from './props';
import { ResolvedProps, resolveProps } from './resolve-props';
import { buildRestApi } from './rest-api';
import { FUNCTION_ROLES, FunctionRole, TABLE_ROLES, TableRole } from './roles';
import { ImportedWhiplashVectorStore } from './imported-store';
import { pascal } from './names';
import { IWhiplashVectorStore, WhiplashFunctions, WhiplashTables, WhiplashVectorStoreAttributes, WhiplashVectorStoreBase } from './store-base';

/**
 * A serverless vector store on DynamoDB, API Gateway and Lambda (random-hyperplane LSH index).
 *
 * It creates three DynamoDB tables, three Lambda functions (query, write, admin;
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
 * @throws Error (`WhiplashPropsError`) at construction for invalid props; the message names the prop and the rule.
 */
export class WhiplashVectorStore extends WhiplashVectorStoreBase {
  /**
   * References a store deployed in another stack or app by its attributes: grants (`grantQuery`,
   * `grantWrite`, `grantReadWrite`) and metrics work on it; nothing is created.
   */
  static fromStoreAttributes(scope: Construct, id: string, attrs: WhiplashVectorStoreAttributes): IWhiplashVectorStore {
    return new ImportedWhiplashVectorStore(scope, id, attrs);
  }

  /** The three tables. Keys `pk`/`sk` (strings), no indexes: see `TABLE_DEFINITIONS`. */
  readonly tables: WhiplashTables;
  /** Projects, collections, key bindings, purge queue. */
  readonly metadataTable: dynamodb.Table;
  /** One item per vector. */
  readonly vectorsTable: dynamodb.Table;
  /** The index entries: one item per vector in k-means lists, or per (vector, hash table) in LSH buckets; also the filter index and metadata payloads. */
  readonly bucketsTable: dynamodb.Table;
  /** Physical name of the metadata table. */
  readonly metadataTableName: string;
  /** Physical name of the vectors table. */
  readonly vectorsTableName: string;
  /** Physical name of the buckets table. */
  readonly bucketsTableName: string;

  /** The three functions. */
  readonly functions: WhiplashFunctions;
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
  /** Id of the REST API. */
  readonly restApiId: string;
  /** Name of the REST API (unique in the app): the `ApiName` dimension of its metrics. */
  readonly restApiName: string;
  /** The usage plans of the tiers, by tier name (the admin key's plan is {@link adminUsagePlan}). */
  readonly usagePlans: { readonly [tier: string]: apigw.UsagePlan };
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
  /**
   * Alarms (empty when `alarms` is false): function errors, Lambda throttles, API 5XX, query
   * latency. Their actions are `alarmActions`; add more with {@link addAlarmAction}.
   */
  readonly alarms: cloudwatch.Alarm[];

  private readonly encryptionKey?: kms.IKey;

  /**
   * @param scope the construct that holds the store (a Stack or any construct in one)
   * @param id the store's construct id, unique within `scope`
   * @param props every one optional; see {@link WhiplashVectorStoreProps}
   * @throws Error (`WhiplashPropsError`) for invalid props, naming the prop and the rule
   */
  constructor(scope: Construct, id: string, props: WhiplashVectorStoreProps = {}) {
    super(scope, id);
    const p = resolveProps(props);
    this.encryptionKey = p.encryptionKey;

    this.tables = this.createTables(p);
    this.metadataTable = this.tables.metadata;
    this.vectorsTable = this.tables.vectors;
    this.bucketsTable = this.tables.buckets;
    this.metadataTableName = this.metadataTable.tableName;
    this.vectorsTableName = this.vectorsTable.tableName;
    this.bucketsTableName = this.bucketsTable.tableName;

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
      restApiName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      stageName: p.stageName,
      endpointType: p.endpointType,
      cors: p.cors,
      cloudWatchRole: p.cloudWatchRole,
      accessLogGroup: accessLogs,
      integrations,
    });
    this.api = api;
    this.apiUrl = api.url;
    this.restApiId = api.restApiId;
    this.restApiName = api.restApiName;
    api.node.tryRemoveChild('Endpoint'); // RestApi's own URL output: `ApiUrl` below replaces it

    const plans: { [tier: string]: apigw.UsagePlan } = {};
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
      query: this.createFunction(FunctionRole.QUERY, names.query, p),
      write: this.createFunction(FunctionRole.WRITE, names.write, p),
      admin: this.createFunction(FunctionRole.ADMIN, names.admin, p),
    };
    this.queryFunction = this.functions.query;
    this.writeFunction = this.functions.write;
    this.adminFunction = this.functions.admin;
    this.adminFunction.addEnvironment('WHIPLASH_USAGE_PLAN_ID', this.defaultUsagePlan.usagePlanId);
    // every tier's plan, which the admin function attaches keys to and moves them between (`lambda/api/deps.ts`)
    this.adminFunction.addEnvironment('WHIPLASH_USAGE_PLANS', Stack.of(this).toJsonString(Object.fromEntries(p.usagePlans.map((t) => [t.name, plans[t.name].usagePlanId]))));
    this.adminFunction.addEnvironment('WHIPLASH_REST_API_ID', this.restApiId);
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
    if (p.alarmActions.length > 0) this.addAlarmAction(...p.alarmActions);
    if (p.outputs) this.createOutputs();
    acknowledgeNagFindings({ api, adminFunction: this.adminFunction, adminKeySecret: this.adminKeySecret, webAcl: p.webAclArn !== undefined, tierPlans: Object.values(plans) });
  }

  /**
   * Adds actions to every alarm of the store (`alarms`), e.g. `new cw_actions.SnsAction(topic)`,
   * run when an alarm goes into ALARM. A no-op when `alarms` is false.
   */
  addAlarmAction(...actions: cloudwatch.IAlarmAction[]): void {
    for (const alarm of this.alarms) alarm.addAlarmAction(...actions);
  }

  /** @internal */
  protected _tableOf(role: TableRole): dynamodb.ITable {
    return this.tables[role];
  }

  /** @internal */
  protected _functionOf(role: FunctionRole): lambda.IFunction {
    return this.functions[role];
  }

  /** @internal */
  protected _tableEncryptionKey(): kms.IKey | undefined {
    return this.encryptionKey;
  }

  private createTables(p: ResolvedProps): WhiplashTables {
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
    return { metadata: make(TableRole.METADATA), vectors: make(TableRole.VECTORS), buckets: make(TableRole.BUCKETS) };
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
    this._grantTableAccess(executionRole, TABLE_ACCESS[role], WRITE_PARTITIONS[role]);
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
        // the CORS policy the handlers put on every answer (`lambda/api/cors.ts`)
        ...(p.cors
          ? {
              [CORS_ENV]: Stack.of(this).toJsonString({
                allowOrigins: p.cors.allowOrigins,
                ...(p.cors.allowCredentials ? { allowCredentials: true } : {}),
                ...(p.cors.exposeHeaders?.length ? { exposeHeaders: p.cors.exposeHeaders } : {}),
              }),
            }
          : {}),
      },
    });
    fn.node.addDependency(executionRole);
    return fn;
  }

  /**
   * The admin function's API Gateway key calls, each confined by ARN and tag conditions
   * (`API_KEY_MANAGEMENT`); the usage plan key calls to the tiers' plans (not the admin key's).
   */
  private grantApiKeyManagement(fn: lambda.Function): void {
    const planIds = Object.values(this.usagePlans).map((plan) => plan.usagePlanId);
    for (const call of API_KEY_MANAGEMENT) {
      const paths = (call.path.includes('{usagePlanId}') ? planIds.map((id) => call.path.replace('{usagePlanId}', id)) : [call.path]).map((path) =>
        path.replace('{partition}', Aws.PARTITION).replace('{region}', Aws.REGION),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [call.action],
          resources: paths.map((path) => `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::${path}`),
          ...(call.condition ? { conditions: fillCondition(call.condition, this.restApiId) } : {}),
        }),
      );
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
