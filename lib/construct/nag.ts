// The cdk-nag AwsSolutions findings the construct keeps on purpose, acknowledged with their reasons.
import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** The parts of the store that carry acknowledged cdk-nag findings. */
export interface NagTargets {
  readonly api: apigw.RestApi;
  readonly adminFunction: lambda.Function;
  readonly adminKeySecret: secretsmanager.ISecret;
  /** Whether a WAF web ACL is associated with the stage (`webAclArn`). */
  readonly webAcl: boolean;
  /** The tiers' usage plans, whose keys the admin function attaches and detaches. */
  readonly tierPlans: readonly apigw.UsagePlan[];
}

/**
 * Acknowledges the cdk-nag AwsSolutions findings this construct keeps on purpose, each with its
 * reason, through CDK's native `Validations` API (a no-op for apps without cdk-nag). Every other
 * AwsSolutions rule passes.
 */
export function acknowledgeNagFindings(t: NagTargets): void {
  const methods = Validations.of(t.api.root);
  const apiKeys =
    'Callers authenticate with API keys, as the whiplash API they stay compatible with: every method ' +
    'requires a key, each key belongs to one usage plan (throttle, quota), and the handler lets a project ' +
    'key reach only its own project (binding checked in the metadata table). IAM or Cognito authorizers ' +
    'would break existing clients.';
  methods.acknowledge({ id: 'AwsSolutions-APIG4', reason: apiKeys });
  methods.acknowledge({ id: 'AwsSolutions-COG4', reason: apiKeys });

  if (!t.webAcl) {
    Validations.of(t.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'A WAF web ACL is an account-level choice with its own cost; pass `webAclArn` to associate one. Usage plans already throttle every key.',
    });
  }

  const cloudWatchRole = t.api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    Validations.of(cloudWatchRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level role API Gateway uses to write execution logs; AWS documents this managed policy for it and keeps it current. Turn it off with `cloudWatchRole: false` if the account already has one.',
    });
  }

  const adminRole = Validations.of(t.adminFunction.role!);
  adminRole.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/apikeys/*]',
    reason: 'Project API keys are created at run time, so their ids are unknown at deploy time. The wildcard covers only the API keys path, only DELETE on it (DeleteApiKey), and only keys tagged with this store\'s REST API id (aws:ResourceTag condition).',
  });
  adminRole.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/tags/arn%3A<AWS::Partition>%3Aapigateway%3A<AWS::Region>%3A%3A%2Fapikeys%2F*]',
    reason: 'CreateApiKey tags each new project key; tagging on create is authorized on the key\'s tags path, whose id is unknown until then. Only PUT, only on API keys\' tags, only with this store\'s REST API id as the tag value and no other tag keys (aws:RequestTag, aws:TagKeys).',
  });

  for (const plan of t.tierPlans) {
    const logicalId = Stack.of(plan).getLogicalId(plan.node.defaultChild as CfnElement);
    adminRole.acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::/usageplans/<${logicalId}>/keys/*]`,
      reason: 'Moving a project to another tier detaches its keys from the old tier\'s usage plan (DeleteUsagePlanKey); their ids are unknown at deploy time. Only DELETE, only on the keys of this store\'s tier plans.',
    });
  }

  Validations.of(t.adminKeySecret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'The secret holds an API Gateway key value, which cannot change in place: rotation means a new key. Scheduled Secrets Manager rotation would change the secret and leave the API key as it was, locking the admin out.',
  });
}
