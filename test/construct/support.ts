// Helpers of the construct tests: a stack holding one store, pinned templates, cycle check, API methods, proxy events.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { WhiplashVectorStore, WhiplashVectorStoreProps } from '../../lib';
import { ensureHandlerBundles } from '../../scripts/bundle-handlers';

/** Builds the handler bundles the construct deploys, unless they are fresh (a clean clone has none). */
export function prepareBundles(): void {
  ensureHandlerBundles();
}

/** A stack in a fixed account and region holding one store. */
export function storeStack(props?: WhiplashVectorStoreProps, configure?: (stack: Stack) => WhiplashVectorStoreProps): { app: App; stack: Stack; store: WhiplashVectorStore } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const store = new WhiplashVectorStore(stack, 'Vectors', configure ? configure(stack) : props);
  return { app, stack, store };
}

export function synthTemplate(props?: WhiplashVectorStoreProps, configure?: (stack: Stack) => WhiplashVectorStoreProps): { template: Template; store: WhiplashVectorStore; stack: Stack } {
  const { stack, store } = storeStack(props, configure);
  return { template: Template.fromStack(stack), store, stack };
}

/** The template with asset hashes pinned, so snapshots do not change when handler code changes. */
export function pinnedTemplate(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}

/**
 * Throws when the template's resources have a dependency cycle (Ref, Fn::GetAtt, Fn::Sub,
 * DependsOn), the check `Template.fromJSON` runs, which CloudFormation would otherwise fail on at deploy.
 */
export function checkNoCycle(template: Template): void {
  Template.fromJSON(template.toJSON());
}

type Resources = Record<string, { Type: string; Properties?: any }>;

/** `METHOD /path` of every API method in the template (CORS preflight OPTIONS excluded), with its operation name. */
export function apiMethods(template: Template): Map<string, string | undefined> {
  const resources = template.toJSON().Resources as Resources;
  const pathOf = (ref: any): string => {
    if (ref['Fn::GetAtt']) return ''; // the RestApi's root resource
    const r = resources[ref.Ref];
    return `${pathOf(r.Properties.ParentId)}/${r.Properties.PathPart}`;
  };
  const out = new Map<string, string | undefined>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ApiGateway::Method' || r.Properties.HttpMethod === 'OPTIONS') continue;
    out.set(`${r.Properties.HttpMethod} ${pathOf(r.Properties.ResourceId) || '/'}`, r.Properties.OperationName);
  }
  return out;
}

/** An API Gateway REST (v1) proxy event for a route. */
export function apiEvent(
  method: string,
  resource: string,
  params: Record<string, string>,
  apiKeyId: string,
  body?: unknown,
  query?: Record<string, string>,
): APIGatewayProxyEvent {
  const p = resource.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k]));
  return {
    resource,
    path: p,
    httpMethod: method,
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(params).length ? params : null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: { apiKeyId, sourceIp: '127.0.0.1' } as never,
      path: `/prod${p}`,
      stage: 'prod',
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: resource,
    },
  };
}

