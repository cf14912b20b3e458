#!/usr/bin/env node
// The CDK app (`cdk synth`, `cdk deploy`): one stack holding the vector store, checked by cdk-nag.
/**
 * The CDK app: one `Whiplash` stack holding a {@link WhiplashVectorStore}, checked by cdk-nag's
 * AwsSolutions rules.
 *
 *   npx cdk synth                      # offline, no credentials
 *   npx cdk deploy                     # stage `prod`
 *   npx cdk deploy -c stage=dev        # another stage name
 *
 * Context: `stage` (API stage name, default `prod`), `stackName` (default `Whiplash`).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { WhiplashVectorStore } from '../lib/construct/vector-store';
import { ensureHandlerBundles } from '../scripts/bundle-handlers';

// In a source checkout, (re)build the handler bundles the construct deploys.
ensureHandlerBundles();

const app = new App();
const stage = (app.node.tryGetContext('stage') as string | undefined) ?? 'prod';
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'Whiplash';
const stack = new Stack(app, 'Whiplash', {
  stackName,
  description: 'Whiplash serverless vector store',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
new WhiplashVectorStore(stack, 'VectorStore', { stageName: stage });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
