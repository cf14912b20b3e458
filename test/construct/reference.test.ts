// Tests of WhiplashVectorStore.fromStoreAttributes: a store referenced from a second stack (grants, metrics, alarms) and from another app.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FunctionRole, IWhiplashVectorStore, WhiplashVectorStore } from '../../lib';
import { TABLE_ACCESS } from '../../lib/construct/access';
import { checkNoCycle, prepareBundles } from './support';

beforeAll(prepareBundles);

const env = { account: '123456789012', region: 'eu-west-1' };

describe('a store referenced from a second stack of the same app', () => {
  // GIVEN a stack with a store, and a second stack that references it by attributes
  // WHEN the second stack grants a function read/write, and alarms on the API's latency and DynamoDB throttles
  let storeTemplate: Template;
  let appTemplate: Template;
  let ref: IWhiplashVectorStore;
  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const storeStack = new Stack(app, 'StoreStack', { env });
    const store = new WhiplashVectorStore(storeStack, 'Vectors');
    const appStack = new Stack(app, 'AppStack', { env });
    ref = WhiplashVectorStore.fromStoreAttributes(appStack, 'Vectors', {
      restApiId: store.restApiId,
      restApiName: store.restApiName,
      stageName: 'prod',
      metadataTableName: store.metadataTableName,
      vectorsTableName: store.vectorsTableName,
      bucketsTableName: store.bucketsTableName,
      queryFunctionName: store.queryFunction.functionName,
      writeFunctionName: store.writeFunction.functionName,
      adminFunctionName: store.adminFunction.functionName,
    });
    const fn = new lambda.Function(appStack, 'Indexer', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
      environment: { WHIPLASH_API_URL: ref.apiUrl },
    });
    ref.grantReadWrite(fn);
    new cloudwatch.Alarm(appStack, 'ApiLatency', { metric: ref.metricApiLatency(), threshold: 1000, evaluationPeriods: 1 });
    new cloudwatch.Alarm(appStack, 'TableThrottles', { metric: ref.metricTableThrottles(), threshold: 1, evaluationPeriods: 1 });
    new cloudwatch.Alarm(appStack, 'QueryErrors', { metric: ref.metricFunctionErrors(FunctionRole.QUERY), threshold: 1, evaluationPeriods: 1 });
    const assembly = app.synth();
    storeTemplate = Template.fromJSON(assembly.getStackByName('StoreStack').template);
    appTemplate = Template.fromJSON(assembly.getStackByName('AppStack').template);
  });

  test('THEN the second stack creates no table, function of the store, or API: only imports', () => {
    appTemplate.resourceCountIs('AWS::DynamoDB::Table', 0);
    appTemplate.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    appTemplate.resourceCountIs('AWS::Lambda::Function', 1); // the consumer's own
    expect(Object.keys(storeTemplate.toJSON().Outputs ?? {}).filter((k) => k.startsWith('ExportsOutput')).length).toBeGreaterThanOrEqual(5);
    checkNoCycle(appTemplate);
  });

  test('THEN the function is granted the query and write actions on the imported tables’ ARNs', () => {
    const statements = Object.values(appTemplate.findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
    // one statement per table, and the metadata writes apart: updates confined to project partitions, puts to calibration window and centroid set partitions
    expect(statements).toHaveLength(5);
    expect(statements.filter((s) => s.Condition !== undefined)).toEqual([
      expect.objectContaining({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['W#*', 'L#*'] } } }),
      expect.objectContaining({ Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['P#*'] } } }),
    ]);
    const actions = new Set(statements.flatMap((s) => [s.Action].flat()));
    // what the query and write functions call (grantReadWrite grants both)
    const expected = new Set([FunctionRole.QUERY, FunctionRole.WRITE].flatMap((role) => Object.values(TABLE_ACCESS[role]).flat()));
    expect(actions).toEqual(expected);
    for (const s of statements) {
      const resource = JSON.stringify(s.Resource);
      expect(resource).toContain(':table/');
      expect(resource).toContain('Fn::ImportValue');
    }
  });

  test('THEN the alarms watch API Gateway’s Latency by ApiName, DynamoDB throttles and the query function', () => {
    appTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Dimensions: [{ Name: 'ApiName', Value: Match.stringLikeRegexp('^StoreStack-Vectors-') }], // a literal: the name is fixed at synth
    });
    const throttles = Object.values(appTemplate.findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.Metrics)!;
    const names = (throttles.Properties.Metrics as { MetricStat?: { Metric: { MetricName: string; Namespace: string } } }[]).filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric);
    expect(names).toHaveLength(6);
    expect(names.every((m) => m.Namespace === 'AWS/DynamoDB')).toBe(true);
    const errors = Object.values(appTemplate.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/Lambda', MetricName: 'Errors' } }));
    expect(errors).toHaveLength(1);
    expect(errors[0].Properties.Dimensions[0].Name).toBe('FunctionName');
    expect(JSON.stringify(errors[0].Properties.Dimensions[0].Value)).toContain('Fn::ImportValue');
  });

  test('THEN the API URL is the stage URL of the imported API', () => {
    appTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { WHIPLASH_API_URL: { 'Fn::Join': ['', ['https://', { 'Fn::ImportValue': Match.anyValue() }, '.execute-api.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/prod/']] } } },
    });
  });
});

describe('a store referenced from another app by its output values', () => {
  test('grants include the customer key’s use, for grantQuery as its calibration writes need', () => {
    // GIVEN literal attributes and the store's customer key  WHEN a role is granted queries
    const stack = new Stack(new App(), 'Other', { env });
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const ref = WhiplashVectorStore.fromStoreAttributes(stack, 'Vectors', {
      restApiId: 'abc123',
      restApiName: 'Whiplash-VectorStore-1A2B3C4D',
      metadataTableName: 'whiplash-metadata',
      vectorsTableName: 'whiplash-vectors',
      bucketsTableName: 'whiplash-buckets',
      queryFunctionName: 'Whiplash-VectorStore-query',
      writeFunctionName: 'Whiplash-VectorStore-write',
      adminFunctionName: 'Whiplash-VectorStore-admin',
      encryptionKey: key,
    });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    ref.grantQuery(role);
    // THEN
    expect(ref.apiUrl).toContain('https://abc123.execute-api.eu-west-1.');
    expect(ref.metadataTableName).toBe('whiplash-metadata');
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const kmsStatement = statements.find((s) => [s.Action].flat().some((a) => a.startsWith('kms:')))!;
    expect(new Set([kmsStatement.Action].flat())).toEqual(new Set(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']));
    expect(JSON.stringify(statements)).toContain(':table/whiplash-vectors');
    expect(JSON.stringify(stack.resolve(ref.metricQueryLatency().dimensions))).toContain('Whiplash-VectorStore-query');
  });
});
