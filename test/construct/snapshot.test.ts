// Snapshot tests of the synthesized template, one per configuration, asset hashes pinned.
import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import { pinnedTemplate, prepareBundles, synthTemplate } from './support';

beforeAll(prepareBundles);

// Asset hashes are pinned (`<asset-hash>`), so these snapshots change only when the infrastructure does.
describe('synthesized template snapshots', () => {
  test('defaults', () => {
    expect(pinnedTemplate(synthTemplate().template)).toMatchSnapshot();
  });

  test('custom usage plans, stage, CORS and function sizes', () => {
    const { template } = synthTemplate({
      usagePlans: [
        { name: 'free', throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 10000, period: apigw.Period.DAY } },
        { name: 'pro', throttle: { rateLimit: 500, burstLimit: 1000 } },
      ],
      defaultUsagePlan: 'free',
      stageName: 'v1',
      cors: { allowOrigins: ['https://app.example.com'] },
      functions: { query: { memorySize: 2048 }, admin: { timeout: Duration.minutes(5) } },
      purgeInterval: Duration.hours(1),
    });
    expect(pinnedTemplate(template)).toMatchSnapshot();
  });

  test('customer KMS key, web ACL, no alarms, no account CloudWatch role', () => {
    const { template } = synthTemplate(undefined, (stack) => ({
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555'),
      webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/whiplash/abcd',
      alarms: false,
      cloudWatchRole: false,
      pointInTimeRecovery: false,
    }));
    expect(pinnedTemplate(template)).toMatchSnapshot();
  });
});
