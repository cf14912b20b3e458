// Tests that the RestApi has exactly one method per route of the route table, and the gateway schema conversion.
import { Template } from 'aws-cdk-lib/assertions';
import { ROUTES } from '../../lambda/api/routes';
import { toGatewaySchema } from '../../lib/construct/rest-api';
import { apiMethods, checkNoCycle, prepareBundles, synthTemplate } from './support';

beforeAll(prepareBundles);

describe('RestApi parity with the route table', () => {
  test('the synthesized methods are exactly the routes, each named by its operationId', () => {
    // GIVEN the route table  WHEN the store is synthesized
    const { template } = synthTemplate();
    // THEN
    const expected = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r.operationId]));
    expect(apiMethods(template)).toEqual(expected);
  });

  test('each method integrates with the function its route names', () => {
    const { template } = synthTemplate();
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    for (const route of ROUTES) {
      const m = methods.find((x) => x.Properties.OperationName === route.operationId)!;
      expect(JSON.stringify(m.Properties.Integration.Uri)).toMatch(new RegExp(`-${route.function}/invocations`));
    }
  });
});

describe('toGatewaySchema (draft 2020-12 to API Gateway draft 4)', () => {
  test('keeps draft-4 keywords, rewrites const and numeric exclusive bounds, drops the rest', () => {
    const out = toGatewaySchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'x',
      type: 'object',
      properties: {
        n: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        k: { const: 'cosine' },
        v: { type: 'array', items: { type: 'number' }, minItems: 1 },
        t: { type: 'array', prefixItems: [{ type: 'string' }], items: false },
        r: { $ref: '#/$defs/thing' },
      },
      $defs: { thing: { type: 'string', examples: ['a'] } },
      required: ['n'],
      additionalProperties: false,
      unevaluatedProperties: false,
    });
    expect(out).toEqual({
      type: 'object',
      properties: {
        n: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1 },
        k: { enum: ['cosine'] },
        v: { type: 'array', items: { type: 'number' }, minItems: 1 },
        t: { type: 'array' },
        r: { $ref: '#/definitions/thing' },
      },
      definitions: { thing: { type: 'string' } },
      required: ['n'],
      additionalProperties: false,
    });
  });

  test('a property named like a keyword is kept', () => {
    expect(toGatewaySchema({ type: 'object', properties: { examples: { type: 'string' }, const: { type: 'number' } } })).toEqual({
      type: 'object',
      properties: { examples: { type: 'string' }, const: { type: 'number' } },
    });
  });
});

describe('checkNoCycle (the cycle check used on the templates)', () => {
  test('rejects a Ref/GetAtt/DependsOn cycle and accepts a chain', () => {
    const cyclic = Template.fromJSON(
      {
        Resources: {
          A: { Type: 'T', Properties: { X: { Ref: 'B' } } },
          B: { Type: 'T', Properties: { Y: { 'Fn::GetAtt': ['C', 'Arn'] } } },
          C: { Type: 'T', DependsOn: ['A'] },
        },
      },
      { skipCyclicalDependenciesCheck: true },
    );
    expect(() => checkNoCycle(cyclic)).toThrow(/dependency cycle: A -> B -> C -> A/);
    const chain = Template.fromJSON({ Resources: { A: { Type: 'T', Properties: { X: { Ref: 'B' } } }, B: { Type: 'T' } } });
    expect(() => checkNoCycle(chain)).not.toThrow();
  });
});
