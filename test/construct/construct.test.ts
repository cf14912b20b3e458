// Tests of the WhiplashVectorStore construct's template: defaults, a customer KMS key, custom usage plans, grants and metrics.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ROUTES } from '../../lambda/api/routes';
import { TABLE_ENV } from '../../lambda/store/table-definitions';
import { FunctionRole, TableRole, type WhiplashVectorStore } from '../../lib';
import { benchEnvironment } from '../../bench/lambda/events';
import { checkNoCycle, prepareBundles, storeStack, synthTemplate } from './support';

beforeAll(prepareBundles);

describe('WhiplashVectorStore with default props', () => {
  // GIVEN a stack  WHEN the store is added with no props
  let template: Template;
  let store: WhiplashVectorStore;
  beforeAll(() => {
    ({ template, store } = synthTemplate());
  });

  test('THEN three tables with string pk/sk keys, on-demand billing, PITR, AWS-managed encryption, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      GlobalSecondaryIndexes: Match.absent(),
    });
    const tables = template.findResources('AWS::DynamoDB::Table');
    for (const t of Object.values(tables)) {
      expect(t.DeletionPolicy).toBe('Retain');
      expect(t.UpdateReplacePolicy).toBe('Retain');
      expect(t.Properties.SSESpecification.KMSMasterKeyId).toBeUndefined();
    }
  });

  test('THEN three functions on Node.js 22+ and arm64, each with its own role and log group', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: Match.stringLikeRegexp('^nodejs(2[2-9]|[3-9]\\d)\\.x$'),
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    const roles = Object.values(template.findResources('AWS::Lambda::Function')).map((f) => JSON.stringify(f.Properties.Role));
    expect(new Set(roles).size).toBe(3);
    for (const role of ['query', 'write', 'admin']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: Match.stringLikeRegexp(`-${role}$`),
        Timeout: role === 'admin' ? 120 : 29,
        MemorySize: role === 'admin' ? 512 : 1024,
      });
    }
  });

  test('THEN the functions learn the table names, the admin key id and (admin only) the usage plan id', () => {
    const stack = Stack.of(store);
    const ref = (c: { node: { defaultChild?: unknown } }) => ({ Ref: stack.getLogicalId(c.node.defaultChild as never) });
    for (const role of ['query', 'write', 'admin'] as const) {
      const vars = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.FunctionName.endsWith(`-${role}`))!.Properties
        .Environment.Variables;
      expect(vars[TABLE_ENV.metadata]).toEqual(ref(store.metadataTable));
      expect(vars[TABLE_ENV.vectors]).toEqual(ref(store.vectorsTable));
      expect(vars[TABLE_ENV.buckets]).toEqual(ref(store.bucketsTable));
      expect(vars.WHIPLASH_ADMIN_KEY_ID).toEqual(ref(store.adminApiKey as never));
      expect(vars).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'whiplash', POWERTOOLS_LOG_LEVEL: 'INFO' });
      if (role === 'admin') expect(vars.WHIPLASH_USAGE_PLAN_ID).toEqual(ref(store.defaultUsagePlan));
      else expect(vars.WHIPLASH_USAGE_PLAN_ID).toBeUndefined();
    }
  });

  test("THEN bench:lambda's handlers get every variable the functions get (a bundle run without one fails at its first request)", () => {
    const bench = Object.keys(benchEnvironment({ metadata: 'm', vectors: 'v', buckets: 'b' }, 'http://127.0.0.1:1'));
    for (const f of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const vars = Object.keys((f.Properties.Environment?.Variables ?? {}) as Record<string, unknown>);
      expect(vars.filter((v) => !bench.includes(v))).toEqual([]);
    }
  });

  test('THEN every API method requires an API key and is validated; none is open', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(ROUTES.length);
    for (const m of methods) {
      expect(m.Properties.ApiKeyRequired).toBe(true);
      expect(m.Properties.AuthorizationType).toBe('NONE');
      expect(m.Properties.RequestValidatorId).toEqual({ Ref: expect.stringMatching(/RequestValidator/) });
      expect(m.Properties.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    }
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
  });

  test('THEN routes with a request schema get a JSON model; path parameters are required', () => {
    const withSchema = ROUTES.filter((r) => r.requestSchema);
    template.resourceCountIs('AWS::ApiGateway::Model', withSchema.length);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      OperationName: 'search',
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('SearchModel') } },
      RequestParameters: { 'method.request.path.projectId': true, 'method.request.path.collectionId': true },
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'SearchRequest',
      ContentType: 'application/json',
      // a search takes `query` or `id` (the handler requires exactly one), so the model requires neither
      Schema: Match.objectLike({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: Match.objectLike({ query: Match.anyValue(), id: Match.anyValue() }) }),
    });
  });

  test('THEN the stage logs access as JSON and execution at ERROR, without data traces', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"apiKeyId":"\\$context.identity.apiKeyId"') },
      MethodSettings: [Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false, HttpMethod: '*', ResourcePath: '/*' })],
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] }, ApiKeySourceType: 'HEADER' });
  });

  test('THEN a default tier and the admin key’s own plan on the stage; the admin key is in its plan only', () => {
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 2);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: Match.stringLikeRegexp('-default$'),
      ApiStages: [{ ApiId: { Ref: Match.stringLikeRegexp('Api') }, Stage: { Ref: Match.stringLikeRegexp('DeploymentStage') } }],
      Throttle: { RateLimit: 100, BurstLimit: 200 },
      Quota: Match.absent(),
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: Match.stringLikeRegexp('-admin$'),
      ApiStages: [{ ApiId: { Ref: Match.stringLikeRegexp('Api') }, Stage: { Ref: Match.stringLikeRegexp('DeploymentStage') } }],
      Quota: Match.absent(),
    });
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyType: 'API_KEY',
      KeyId: { Ref: Match.stringLikeRegexp('AdminApiKey') },
      UsagePlanId: { Ref: Match.stringLikeRegexp('AdminUsagePlan') },
    });
    expect(Object.keys(store.usagePlans)).toEqual(['default']);
  });

  test('THEN the admin key value comes from Secrets Manager and is never in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 40, ExcludePunctuation: true }),
    });
    const key = Object.values(template.findResources('AWS::ApiGateway::ApiKey'))[0];
    const value = JSON.stringify(key.Properties.Value);
    expect(value).toContain('{{resolve:secretsmanager:');
    expect(value).toMatch(/AdminKeySecret/);
    template.hasOutput('*', { Value: { Ref: Match.stringLikeRegexp('AdminKeySecret') } });
  });

  test('THEN IAM grants only the listed actions on the store’s own resources: no wildcard action, no dynamodb:*', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    for (const s of statements) {
      for (const action of [s.Action].flat()) {
        expect(action).not.toContain('*');
      }
      for (const resource of [s.Resource].flat()) expect(resource).not.toBe('*');
    }
    // The query function reads, and writes only what calibrates a collection: its counter and calibration window.
    const policyOf = (role: string) =>
      Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.includes(`${role}FunctionRole`))![1].Properties.PolicyDocument.Statement;
    const actions = (role: string) => new Set<string>(policyOf(role).flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
    expect([...actions('Query')].sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('QueryFunctionRole'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'dynamodb:PutItem',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('MetadataTable'), 'Arn'] },
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['W#*'] } },
          },
          {
            Action: 'dynamodb:UpdateItem',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('MetadataTable'), 'Arn'] },
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['P#*'] } },
          },
        ]),
      },
    });
    const queryWrites = policyOf('Query').filter((st: { Action: string | string[] }) => [st.Action].flat().some((a) => a === 'dynamodb:PutItem' || a === 'dynamodb:UpdateItem'));
    expect(queryWrites.map((st: { Resource: unknown }) => JSON.stringify(st.Resource))).toEqual([expect.stringContaining('MetadataTable'), expect.stringContaining('MetadataTable')]);
    for (const role of ['Query', 'Write']) {
      for (const a of ['dynamodb:DeleteTable', 'dynamodb:Scan']) expect(actions(role).has(a)).toBe(false);
    }
    expect(actions('Query').has('dynamodb:DeleteItem')).toBe(false);
    // The write function deletes single items only in the vectors table (a deleted vector's item, after its entries)
    const deletesOn = policyOf('Write').filter((st: { Action: string | string[] }) => [st.Action].flat().includes('dynamodb:DeleteItem'));
    expect(deletesOn.map((st: { Resource: unknown }) => JSON.stringify(st.Resource))).toEqual([expect.stringContaining('VectorsTable')]);
    expect([...actions('Admin')].filter((a) => a.startsWith('apigateway:')).sort()).toEqual(['apigateway:DELETE', 'apigateway:POST', 'apigateway:PUT']);
    // The write function touches metadata only to read state, update the counter and centre in project
    // partitions, and put a collection's centroid sets in their own partitions.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('WriteFunctionRole'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('MetadataTable'), 'Arn'] } },
          {
            Action: 'dynamodb:PutItem',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('MetadataTable'), 'Arn'] },
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['L#*'] } },
          },
          {
            Action: 'dynamodb:UpdateItem',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('MetadataTable'), 'Arn'] },
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['P#*'] } },
          },
        ]),
      },
    });
    // Project keys are attached to the default plan only.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('AdminFunctionRole'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'apigateway:POST',
            Resource: { 'Fn::Join': ['', Match.arrayWith(['::/usageplans/', { Ref: Match.stringLikeRegexp('DefaultUsagePlan') }, '/keys'])] },
          }),
        ]),
      },
    });
  });

  test('THEN no function role carries a managed policy', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.includes('FunctionRole'));
    expect(roles).toHaveLength(3);
    for (const [, r] of roles) expect(r.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('THEN an EventBridge schedule runs the admin function every 15 minutes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AdminFunction'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', Action: 'lambda:InvokeFunction' });
  });

  test('THEN API Gateway may invoke each function, scoped to this API', () => {
    for (const role of ['Query', 'Write', 'Admin']) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Principal: 'apigateway.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp(`${role}Function`), 'Arn'] },
        SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: Match.stringLikeRegexp('Api') }, '/*/*/*'])] },
      });
    }
  });

  test('THEN errors of API Gateway itself use the API error shape', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"ValidationError".*validationErrorString') },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'THROTTLED', StatusCode: '429' });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'QUOTA_EXCEEDED', StatusCode: '429' });
  });

  test('THEN alarms and outputs exist', () => {
    expect(store.alarms.length).toBe(6);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    const outputs = Object.keys(template.findOutputs('*')).map((o) => o.replace(/^Vectors/, '').replace(/[0-9A-F]{8}$/, ''));
    expect(outputs.sort()).toEqual(['AdminApiKeyId', 'AdminKeySecretArn', 'ApiUrl', 'BucketsTableName', 'MetadataTableName', 'VectorsTableName']);
  });

  test('THEN the template has no dependency cycle (the admin function names the usage plan of the stage that routes to it)', () => {
    expect(() => checkNoCycle(template)).not.toThrow();
  });
});

describe('WhiplashVectorStore with a customer KMS key', () => {
  test('THEN tables and secret use the key, and each function may use it only as it needs', () => {
    // GIVEN a customer managed key  WHEN the store uses it
    const { template } = synthTemplate(undefined, (stack) => ({ encryptionKey: new kms.Key(stack, 'Key') }));
    // THEN
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    const kmsActions = (role: string): string[] =>
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .find(([id]) => id.includes(`${role}FunctionRole`))![1]
        .Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat())
        .filter((a: string) => a.startsWith('kms:'))
        .sort();
    // (the query function writes too: the calibration on the counter and the calibration window)
    expect(kmsActions('Query')).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']);
    expect(kmsActions('Write')).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']);
  });
});

describe('WhiplashVectorStore with custom usage plans and options', () => {
  test('THEN each tier is a usage plan with its throttle and quota; project keys go to the chosen tier', () => {
    // GIVEN two tiers, the second the default for project keys
    const { template } = synthTemplate({
      usagePlans: [
        { name: 'free', throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 10000 } },
        { name: 'pro', throttle: { rateLimit: 500, burstLimit: 1000 }, quota: { limit: 5000000, period: 'WEEK' as never } },
      ],
      defaultUsagePlan: 'pro',
      adminThrottle: { rateLimit: 20, burstLimit: 40 },
      stageName: 'v1',
      removalPolicy: RemovalPolicy.DESTROY,
      functions: { query: { memorySize: 2048, timeout: Duration.seconds(10) } },
      tableOverrides: { vectors: { deletionProtection: true, contributorInsightsSpecification: { enabled: true } } },
      alarms: false,
    });
    // THEN
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 3);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: Match.stringLikeRegexp('-free$'), Throttle: { RateLimit: 5, BurstLimit: 10 }, Quota: { Limit: 10000, Period: 'MONTH' } });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: Match.stringLikeRegexp('-pro$'), Quota: { Limit: 5000000, Period: 'WEEK' } });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: Match.stringLikeRegexp('-admin$'), Throttle: { RateLimit: 20, BurstLimit: 40 } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.stringLikeRegexp('-admin$'),
      Environment: { Variables: Match.objectLike({ WHIPLASH_USAGE_PLAN_ID: { Ref: Match.stringLikeRegexp('ProUsagePlan') } }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: Match.stringLikeRegexp('-query$'), MemorySize: 2048, Timeout: 10 });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'v1' });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      DeletionProtectionEnabled: true,
      ContributorInsightsSpecification: { Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    expect(Object.values(template.findResources('AWS::DynamoDB::Table')).filter((t) => t.Properties.DeletionProtectionEnabled)).toHaveLength(1);
    for (const t of Object.values(template.findResources('AWS::DynamoDB::Table'))) expect(t.DeletionPolicy).toBe('Delete');
  });

  test('THEN CORS adds preflight methods that allow the x-api-key header', () => {
    const { template } = synthTemplate({ cors: { allowOrigins: ['https://app.example.com'] } });
    const options = Object.values(template.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod === 'OPTIONS');
    expect(options.length).toBeGreaterThan(0);
    for (const m of options) expect(m.Properties.ApiKeyRequired).not.toBe(true);
    expect(JSON.stringify(options[0].Properties.Integration)).toContain('x-api-key');
    expect(JSON.stringify(options[0].Properties.Integration)).toContain('https://app.example.com');
  });
});

describe('grants and metrics', () => {
  test('grantQuery gives read actions on the three tables and the calibration writes on metadata; grantWrite gives the write function’s actions', () => {
    // GIVEN a store and two roles  WHEN granted
    const { stack, store } = storeStack();
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    const g1 = store.grantQuery(reader);
    const g2 = store.grantWrite(writer);
    // THEN
    expect(g1.success).toBe(true);
    expect(g2.success).toBe(true);
    const template = Template.fromStack(stack);
    const actionsOf = (role: string) =>
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .find(([id]) => id.startsWith(role))![1]
        .Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
    expect(new Set(actionsOf('Reader'))).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^Reader'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['W#*'] } } }),
          Match.objectLike({ Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['P#*'] } } }),
        ]),
      },
    });
    expect(new Set(actionsOf('Writer'))).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']));
    expect(actionsOf('Writer')).not.toContain('dynamodb:DeleteTable');
  });

  test('metric methods name the right namespaces, metrics and statistics', () => {
    const { store } = synthTemplate({ alarms: false });
    const latency = store.metricQueryLatency();
    expect(latency.namespace).toBe('AWS/Lambda');
    expect(latency.metricName).toBe('Duration');
    expect(latency.statistic).toBe('p99');
    expect(store.metricServerErrors().metricName).toBe('5XXError');
    expect(store.metricClientErrors().metricName).toBe('4XXError');
    expect(store.metricFunctionErrors(FunctionRole.WRITE).metricName).toBe('Errors');
    const throttles = store.metricThrottles().toMetricConfig().mathExpression!;
    expect(Object.values(throttles.usingMetrics).map((m) => m.toMetricConfig().metricStat!.metricName)).toEqual(['Throttles', 'Throttles', 'Throttles']);
    const reads = store.metricConsumedReadCapacity().toMetricConfig().mathExpression!;
    expect(reads.expression).toBe('metadata + vectors + buckets');
    const vectorWrites = store.metricConsumedWriteCapacity(TableRole.VECTORS).toMetricConfig().mathExpression!;
    expect(vectorWrites.expression).toBe('vectors');
    expect(vectorWrites.usingMetrics.vectors.toMetricConfig().metricStat!.metricName).toBe('ConsumedWriteCapacityUnits');
  });

  test('grantReadWrite gives the union of the query and write actions, per table, in one grant', () => {
    // GIVEN a store and a role  WHEN granted read and write
    const { stack, store } = storeStack();
    const role = new iam.Role(stack, 'Both', { assumedBy: new iam.AccountRootPrincipal() });
    const grant = store.grantReadWrite(role);
    // THEN the actions are exactly those of grantQuery plus grantWrite, on the three table ARNs
    expect(grant.success).toBe(true);
    const template = Template.fromStack(stack);
    const statements = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('Both'))![1].Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[];
    const byTable: Record<string, Set<string>> = {};
    for (const st of statements) for (const a of [st.Action].flat()) (byTable[JSON.stringify(st.Resource)] ??= new Set()).add(a);
    const arn = (role: string) => JSON.stringify({ 'Fn::GetAtt': [Object.keys(template.findResources('AWS::DynamoDB::Table')).find((id) => id.startsWith(`Vectors${role}Table`)), 'Arn'] });
    expect(byTable[arn('Metadata')]).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
    expect(byTable[arn('Vectors')]).toEqual(new Set(['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
    expect(byTable[arn('Buckets')]).toEqual(new Set(['dynamodb:Query', 'dynamodb:BatchWriteItem']));
  });

  test('metricApiLatency is API Gateway’s Latency of this API (not a function’s duration), p99 by default', () => {
    // GIVEN a store  WHEN its API latency metric is taken, with and without options
    const { stack, store } = storeStack({ alarms: false });
    const latency = store.metricApiLatency();
    const avg = store.metricApiLatency({ statistic: 'Average', period: Duration.minutes(1) });
    // THEN namespace, name, statistic and the ApiName dimension of this API's name
    expect(latency.namespace).toBe('AWS/ApiGateway');
    expect(latency.metricName).toBe('Latency');
    expect(latency.statistic).toBe('p99');
    expect(stack.resolve(latency.dimensions)).toEqual({ ApiName: stack.resolve(store.api.restApiName) });
    expect(store.restApiName).toBe(store.api.restApiName);
    expect(avg.statistic).toBe('Average');
    expect(avg.period.toMinutes()).toBe(1);
  });

  test('metricTableThrottles sums DynamoDB read and write throttle events of one or all tables', () => {
    const { store } = storeStack({ alarms: false });
    const all = store.metricTableThrottles().toMetricConfig().mathExpression!;
    expect(all.expression).toBe('metadataReads + metadataWrites + vectorsReads + vectorsWrites + bucketsReads + bucketsWrites');
    expect(new Set(Object.values(all.usingMetrics).map((m) => m.toMetricConfig().metricStat!.metricName))).toEqual(new Set(['ReadThrottleEvents', 'WriteThrottleEvents']));
    expect(Object.values(all.usingMetrics).every((m) => m.toMetricConfig().metricStat!.namespace === 'AWS/DynamoDB' && m.toMetricConfig().metricStat!.statistic === 'Sum')).toBe(true);
    const one = store.metricTableThrottles(TableRole.BUCKETS, { period: Duration.minutes(1), label: 'bucket throttles' });
    const cfg = one.toMetricConfig();
    expect(cfg.mathExpression!.expression).toBe('bucketsReads + bucketsWrites');
    expect(cfg.renderingProperties?.label).toBe('bucket throttles');
    expect(Object.values(cfg.mathExpression!.usingMetrics).every((m) => m.toMetricConfig().metricStat!.period.toMinutes() === 1)).toBe(true);
  });

  test('MetricOptions apply to the summed metrics: period to every part, label to the sum', () => {
    const { store } = storeStack({ alarms: false });
    const cfg = store.metricThrottles({ period: Duration.minutes(1), statistic: 'Maximum', label: 'throttled' }).toMetricConfig();
    expect(cfg.renderingProperties?.label).toBe('throttled');
    for (const m of Object.values(cfg.mathExpression!.usingMetrics)) {
      expect(m.toMetricConfig().metricStat!.period.toMinutes()).toBe(1);
      expect(m.toMetricConfig().metricStat!.statistic).toBe('Maximum');
    }
  });
});

describe('alarm actions', () => {
  test('alarmActions go on every alarm; addAlarmAction adds more later', () => {
    // GIVEN two SNS topics  WHEN one is given as alarmActions and the other added afterwards
    const { stack, store } = storeStack(undefined, (s) => ({ alarmActions: [new cw_actions.SnsAction(new sns.Topic(s, 'Pager'))] }));
    store.addAlarmAction(new cw_actions.SnsAction(new sns.Topic(stack, 'Chat')));
    // THEN every alarm of the store has both topics as actions
    const template = Template.fromStack(stack);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(store.alarms.length);
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual(topics.map((t) => ({ Ref: t })));
    }
  });

  test('without alarmActions the alarms have no actions', () => {
    const { template } = synthTemplate();
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });
});

