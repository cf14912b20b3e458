// Tests the construct's least-privilege and CORS guarantees in the template: the admin role reaches only this API's keys, writers never
// reach key bindings, and with `cors` every gateway error and every function answer carries Access-Control-Allow-Origin.
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { STORE_TAG_KEY } from '../../lambda/api/key-tags';
import { CORS_ENV } from '../../lambda/api/cors';
import { WhiplashVectorStore } from '../../lib';
import { prepareBundles, storeStack, synthTemplate } from './support';

beforeAll(prepareBundles);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

/** The statements of the policies whose logical id starts with `prefix`. */
function statementsOf(template: Template, prefix: string | RegExp): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => (typeof prefix === 'string' ? id.startsWith(prefix) : prefix.test(id)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (s: Statement): string[] => [s.Action].flat();
const onMetadata = (s: Statement): boolean => JSON.stringify(s.Resource).includes('MetadataTable');
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:TransactWriteItems'];
const leadingKeys = (...patterns: string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns } });
/** Per metadata write action, the partitions writers of vectors may write: they update projects' (counters, centres, plans) and put centroid sets. */
const WRITE_LEADING_KEYS = { 'dynamodb:PutItem': leadingKeys('L#*'), 'dynamodb:UpdateItem': leadingKeys('P#*') };
/** Per metadata write action, the partitions queries may write, to calibrate: they update counters and put calibration windows. */
const QUERY_LEADING_KEYS = { 'dynamodb:PutItem': leadingKeys('W#*'), 'dynamodb:UpdateItem': leadingKeys('P#*') };
/** Each metadata write statement's action(s), with its condition. */
const conditionsByAction = (writes: Statement[]) => Object.fromEntries(writes.flatMap((s) => actionsOf(s).map((a) => [a, s.Condition])));

describe('the admin function reaches only the API keys of this store', () => {
  // GIVEN a store with default props
  let template: Template;
  beforeAll(() => {
    ({ template } = synthTemplate());
  });
  const restApiRef = { Ref: Match.stringLikeRegexp('^VectorsApi[0-9A-F]{8}$') };

  test('THEN every API Gateway statement on API keys has a tag condition naming this REST API', () => {
    const apigw = statementsOf(template, /AdminFunctionRole/).filter((s) => actionsOf(s).some((a) => a.startsWith('apigateway:')));
    const onKeys = apigw.filter((s) => JSON.stringify(s.Resource).match(/apikeys|tags/));
    expect(onKeys.length).toBeGreaterThanOrEqual(3);
    for (const s of onKeys) {
      const tagCondition = JSON.stringify(s.Condition ?? {});
      expect(tagCondition).toContain(`"aws:`);
      expect(tagCondition).toContain(`Tag/${STORE_TAG_KEY}`);
    }
    // the only unconditioned statement is the one scoped by ARN to the default usage plan
    for (const s of apigw.filter((x) => x.Condition === undefined)) expect(JSON.stringify(s.Resource)).toMatch(/usageplans.*DefaultUsagePlan/);
  });

  test('THEN CreateApiKey needs the request to set this API’s tag, and DeleteApiKey needs the key to carry it', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('AdminFunctionRole'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'apigateway:POST',
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('::/apikeys$')])] },
            Condition: {
              StringEquals: { [`aws:RequestTag/${STORE_TAG_KEY}`]: restApiRef },
              'ForAllValues:StringEquals': { 'aws:TagKeys': [STORE_TAG_KEY, 'whiplash:project'] },
            },
          }),
          Match.objectLike({
            Action: 'apigateway:PUT',
            Condition: Match.objectLike({
              StringEquals: { [`aws:RequestTag/${STORE_TAG_KEY}`]: restApiRef },
              StringEqualsIfExists: { [`aws:ResourceTag/${STORE_TAG_KEY}`]: restApiRef },
            }),
          }),
          Match.objectLike({
            Action: 'apigateway:DELETE',
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('::/apikeys/\\*$')])] },
            Condition: { StringEquals: { [`aws:ResourceTag/${STORE_TAG_KEY}`]: restApiRef } },
          }),
        ]),
      },
    });
  });

  test('THEN the admin function learns the REST API id it tags keys with', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.stringLikeRegexp('-admin$'),
      Environment: { Variables: Match.objectLike({ WHIPLASH_REST_API_ID: restApiRef }) },
    });
  });
});

describe('writers never reach API key bindings', () => {
  /** Every statement that allows a write action on the metadata table. */
  const metadataWrites = (statements: Statement[]): Statement[] =>
    statements.filter((s) => onMetadata(s) && actionsOf(s).some((a) => WRITE_ACTIONS.includes(a)));

  test('THEN grantWrite allows metadata updates only in project partitions and puts only in centroid set partitions (dynamodb:LeadingKeys P#*, L#*), grantReadWrite puts also in calibration windows (W#*)', () => {
    // GIVEN a store, and an imported one  WHEN roles are granted write and read-write
    const { stack, store } = storeStack();
    const imported = WhiplashVectorStore.fromStoreAttributes(stack, 'Imported', {
      restApiId: 'abc',
      restApiName: 'n',
      metadataTableName: 'meta',
      vectorsTableName: 'vec',
      bucketsTableName: 'buck',
      queryFunctionName: 'q',
      writeFunctionName: 'w',
      adminFunctionName: 'a',
    });
    const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
    store.grantWrite(role('Writer'));
    store.grantReadWrite(role('ReaderWriter'));
    imported.grantWrite(role('ImportedWriter'));
    const template = Template.fromStack(stack);
    // THEN
    for (const grantee of ['Writer', 'ReaderWriter', 'ImportedWriter']) {
      const statements = statementsOf(template, `${grantee}DefaultPolicy`);
      const onMeta = grantee === 'ImportedWriter' ? statements.filter((s) => JSON.stringify(s.Resource).includes('table/meta')) : statements.filter(onMetadata);
      const writes = onMeta.filter((s) => actionsOf(s).some((a) => WRITE_ACTIONS.includes(a)));
      expect(conditionsByAction(writes)).toEqual(grantee === 'ReaderWriter' ? { ...WRITE_LEADING_KEYS, 'dynamodb:PutItem': leadingKeys('W#*', 'L#*') } : WRITE_LEADING_KEYS);
      // reads of the metadata table stay unconditioned
      expect(onMeta.some((s) => s.Condition === undefined && actionsOf(s).includes('dynamodb:GetItem'))).toBe(true);
    }
  });

  test('THEN the write function’s own role has the same confinement, the query function’s its own; the admin function keeps the whole table', () => {
    const { template } = synthTemplate();
    expect(conditionsByAction(metadataWrites(statementsOf(template, /WriteFunctionRole/)))).toEqual(WRITE_LEADING_KEYS);
    expect(conditionsByAction(metadataWrites(statementsOf(template, /QueryFunctionRole/)))).toEqual(QUERY_LEADING_KEYS);
    const admin = metadataWrites(statementsOf(template, /AdminFunctionRole/));
    expect(admin.length).toBeGreaterThan(0);
    for (const s of admin) expect(s.Condition).toBeUndefined();
  });
});

describe('CORS on every answer', () => {
  const APP = 'https://app.example.com';

  test('THEN with cors every gateway response (DEFAULT_4XX and DEFAULT_5XX included) carries Access-Control-Allow-Origin', () => {
    // GIVEN a store with one allowed origin
    const { template } = synthTemplate({ cors: { allowOrigins: [APP] } });
    // THEN
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': `'${APP}'`, 'gatewayresponse.header.Vary': "'Origin'" },
      });
    }
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses.length).toBeGreaterThanOrEqual(9);
    for (const r of responses) expect(r.Properties.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe(`'${APP}'`);
  });

  test('THEN with cors every function gets the policy in its environment (the handlers add the headers)', () => {
    const { template } = synthTemplate({ cors: { allowOrigins: [APP, 'https://b.example'], allowCredentials: true } });
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(3);
    for (const f of functions) {
      expect(JSON.parse(f.Properties.Environment.Variables[CORS_ENV])).toEqual({ allowOrigins: [APP, 'https://b.example'], allowCredentials: true });
    }
    // several origins: the gateway echoes the request's Origin (it cannot compare it with the list)
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_4XX',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
        'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
      }),
    });
  });

  test('THEN an origin with a single quote (it would break the quoted header value) is refused at synth', () => {
    expect(() => synthTemplate({ cors: { allowOrigins: ["https://a'b.example"] } })).toThrow(/cors.*must not contain a single quote/);
  });

  test('THEN without cors no gateway response or function carries CORS', () => {
    const { template } = synthTemplate();
    for (const r of Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'))) expect(r.Properties.ResponseParameters).toBeUndefined();
    for (const f of Object.values(template.findResources('AWS::Lambda::Function'))) expect(f.Properties.Environment.Variables[CORS_ENV]).toBeUndefined();
  });
});
