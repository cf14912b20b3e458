// Tests of the construct's props validation (WhiplashPropsError).
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { WhiplashVectorStore, WhiplashVectorStoreProps } from '../../lib';
import { WhiplashPropsError } from '../../lib/construct/resolve-props';
import { prepareBundles } from './support';

beforeAll(prepareBundles);

// GIVEN invalid props  WHEN the store is constructed  THEN it throws at synth time, naming the prop and the rule.
const cases: [string, WhiplashVectorStoreProps, RegExp][] = [
  ['empty usage plans', { usagePlans: [] }, /usagePlans must hold at least one tier/],
  ['duplicate tier names', { usagePlans: [{ name: 'a' }, { name: 'a' }] }, /usagePlans must have unique names \('a' appears twice\)/],
  ['a tier name with spaces', { usagePlans: [{ name: 'free tier' }] }, /usagePlans\[0\]\.name must match/],
  ['a non-positive rate', { usagePlans: [{ name: 'x', throttle: { rateLimit: 0, burstLimit: 5 } }] }, /usagePlans\[0\]\.throttle\.rateLimit must be a positive number/],
  ['a fractional burst', { usagePlans: [{ name: 'x', throttle: { rateLimit: 5, burstLimit: 2.5 } }] }, /usagePlans\[0\]\.throttle\.burstLimit must be a positive integer/],
  ['a zero quota', { usagePlans: [{ name: 'x', quota: { limit: 0 } }] }, /usagePlans\[0\]\.quota\.limit must be a positive integer/],
  ['a tier named admin', { usagePlans: [{ name: 'admin' }] }, /usagePlans\[0\]\.name must not be 'admin'/],
  ['a non-positive admin burst', { adminThrottle: { rateLimit: 1, burstLimit: 0 } }, /adminThrottle\.burstLimit must be a positive integer/],
  ['an unknown default tier', { usagePlans: [{ name: 'free' }], defaultUsagePlan: 'pro' }, /defaultUsagePlan must name one of usagePlans \(free\); got 'pro'/],
  ['a stage name with a slash', { stageName: 'prod/v1' }, /stageName must match/],
  ['Node.js 20', { runtime: lambda.Runtime.NODEJS_20_X }, /runtime must be Node\.js 22 or later/],
  ['a Python runtime', { runtime: lambda.Runtime.PYTHON_3_12 }, /runtime must be Node\.js 22 or later/],
  ['a query timeout above API Gateway’s', { functions: { query: { timeout: Duration.seconds(30) } } }, /functions\.query\.timeout must be at most 29 seconds, API Gateway's integration timeout/],
  ['an admin timeout above Lambda’s', { functions: { admin: { timeout: Duration.minutes(16) } } }, /functions\.admin\.timeout must be from 1 second to 15 minutes/],
  ['too little memory', { functions: { write: { memorySize: 64 } } }, /functions\.write\.memorySize must be an integer from 128 to 10240 MiB/],
  ['zero reserved concurrency', { functions: { write: { reservedConcurrentExecutions: 0 } } }, /functions\.write\.reservedConcurrentExecutions must be a positive integer/],
  ['provisioned billing without capacities', { billingMode: dynamodb.BillingMode.PROVISIONED }, /tableOverrides\.metadata must give readCapacity and writeCapacity when billingMode is PROVISIONED/],
  ['capacities with on-demand billing', { tableOverrides: { vectors: { readCapacity: 5 } } }, /tableOverrides\.vectors must not give readCapacity or writeCapacity with on-demand billing/],
  ['a per-table billing mode that differs', { tableOverrides: { buckets: { billingMode: dynamodb.BillingMode.PROVISIONED } } }, /tableOverrides\.buckets\.billingMode must not differ from billingMode/],
  ['CORS credentials with any origin', { cors: { allowOrigins: apigw.Cors.ALL_ORIGINS, allowCredentials: true } }, /cors must not combine allowCredentials with the '\*' origin/],
  ['CORS without origins', { cors: { allowOrigins: [] } }, /cors\.allowOrigins must hold at least one origin/],
  ['a purge interval of 90 seconds', { purgeInterval: Duration.seconds(90) }, /purgeInterval must be a whole number of minutes/],
  ['a latency threshold without alarms', { alarms: false, queryLatencyAlarmThreshold: Duration.seconds(1) }, /queryLatencyAlarmThreshold must not be set when alarms is false/],
  ['alarm actions without alarms', { alarms: false, alarmActions: [{ bind: () => ({ alarmActionArn: 'arn:aws:sns:eu-west-1:123456789012:t' }) }] }, /alarmActions must not be set when alarms is false/],
  ['a web ACL ARN of another service', { webAclArn: 'arn:aws:s3:::bucket' }, /webAclArn must be the ARN of a regional WAFv2 web ACL/],
  ['a private endpoint', { endpointType: apigw.EndpointType.PRIVATE }, /endpointType PRIVATE is not supported/],
];

test.each(cases)('rejects %s', (_name, props, message) => {
  const stack = new Stack(new App(), 'S');
  let thrown: unknown;
  try {
    new WhiplashVectorStore(stack, 'Vectors', props);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(WhiplashPropsError);
  expect((thrown as Error).message).toMatch(/^WhiplashVectorStore: /);
  expect((thrown as Error).message).toMatch(message);
});

test('accepts provisioned billing when every table has capacities', () => {
  const stack = new Stack(new App(), 'S');
  const capacity = { readCapacity: 5, writeCapacity: 5 };
  expect(
    () =>
      new WhiplashVectorStore(stack, 'Vectors', {
        billingMode: dynamodb.BillingMode.PROVISIONED,
        tableOverrides: { metadata: capacity, vectors: capacity, buckets: capacity },
      }),
  ).not.toThrow();
});
