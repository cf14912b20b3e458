// Tests of the construct under cdk-nag's AwsSolutions rules.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { WhiplashVectorStore, WhiplashVectorStoreProps } from '../../lib';
import { prepareBundles } from './support';

beforeAll(prepareBundles);

/** Synthesizes the store under cdk-nag AwsSolutions; returns the violations of the validation report. */
function nagViolations(props?: (stack: Stack) => WhiplashVectorStoreProps): { rule: string; paths: string[] }[] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Whiplash', { env: { account: '123456789012', region: 'eu-west-1' } });
  new WhiplashVectorStore(stack, 'Vectors', props?.(stack));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  try {
    app.synth();
    return [];
  } catch {
    const report = JSON.parse(readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
    };
    return report.pluginReports.flatMap((r) => r.violations.map((v) => ({ rule: v.ruleName, paths: v.violatingConstructs.map((c) => c.constructPath) })));
  }
}

describe('cdk-nag AwsSolutions', () => {
  test('the default store passes: every finding fixed or acknowledged with a reason', () => {
    expect(nagViolations()).toEqual([]);
  });

  test('a store with a customer key and a web ACL passes too', () => {
    expect(
      nagViolations((stack) => ({
        encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
        webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/whiplash/abcd',
      })),
    ).toEqual([]);
  });

  test('an unacknowledged finding in the same app still fails (the check is live)', () => {
    // GIVEN a key without rotation next to the store  THEN cdk-nag reports it (AwsSolutions-KMS5)
    const violations = nagViolations((stack) => ({ encryptionKey: new kms.Key(stack, 'Key') }));
    expect(violations.map((v) => v.rule)).toEqual(['AwsSolutions-KMS5']);
  });
});
