// Tests the construct's usage plan tiers: one plan per tier on the stage, the tier → plan id map the admin function
// reads, and the admin role's usage plan key calls confined to the tiers' plans.
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { USAGE_PLAN_ID_ENV, USAGE_PLANS_ENV } from '../../lambda/api/deps';
import { prepareBundles, synthTemplate } from './support';

beforeAll(prepareBundles);

/** A template value as text: `Ref`s become `<LogicalId>`, `Fn::Join`s are joined. */
function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return `<${v.Ref}>`;
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(flat).join(sep);
  }
  return JSON.stringify(value);
}

/** The logical ids of the usage plans, by the suffix of their name (the tier, or `admin`). */
function plansByName(template: Template): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, r] of Object.entries(template.findResources('AWS::ApiGateway::UsagePlan'))) {
    out[/-([^-]+)$/.exec(r.Properties.UsagePlanName)![1]] = id;
  }
  return out;
}

function adminEnv(template: Template): Record<string, unknown> {
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => String(f.Properties.FunctionName).endsWith('-admin'))!;
  return fn.Properties.Environment.Variables;
}

/** The resources (flattened) of the admin role's statements allowing `action` on usage plan keys. */
function usagePlanKeyResources(template: Template, action: string): string[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => /AdminFunctionRole/.test(id))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
    .filter((s) => [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat().map(flat))
    .filter((r) => r.includes('/usageplans/'))
    .sort();
}

describe('usage plan tiers', () => {
  describe('GIVEN three tiers, the second the default', () => {
    let template: Template;
    let plans: Record<string, string>;
    beforeAll(() => {
      // WHEN the store is synthesized with them
      ({ template } = synthTemplate({
        usagePlans: [
          { name: 'free', throttle: { rateLimit: 1, burstLimit: 2 }, quota: { limit: 1000, period: apigw.Period.DAY } },
          { name: 'pro', throttle: { rateLimit: 50, burstLimit: 100 } },
          { name: 'enterprise', throttle: { rateLimit: 500, burstLimit: 1000 } },
        ],
        defaultUsagePlan: 'pro',
      }));
      plans = plansByName(template);
    });

    test('THEN each tier is one usage plan on the API stage, beside the admin key’s plan', () => {
      template.resourceCountIs('AWS::ApiGateway::UsagePlan', 4);
      expect(Object.keys(plans).sort()).toEqual(['admin', 'enterprise', 'free', 'pro']);
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        UsagePlanName: Match.stringLikeRegexp('-free$'),
        Throttle: { RateLimit: 1, BurstLimit: 2 },
        Quota: { Limit: 1000, Period: 'DAY' },
        ApiStages: [Match.objectLike({ ApiId: { Ref: Match.stringLikeRegexp('^VectorsApi') }, Stage: { Ref: Match.anyValue() } })],
      });
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: Match.stringLikeRegexp('-enterprise$'), Throttle: { RateLimit: 500, BurstLimit: 1000 } });
    });

    test('THEN the admin function gets the tier → usage plan id map and the default tier’s plan', () => {
      const env = adminEnv(template);
      expect(JSON.parse(flat(env[USAGE_PLANS_ENV]))).toEqual({ free: `<${plans.free}>`, pro: `<${plans.pro}>`, enterprise: `<${plans.enterprise}>` });
      expect(env[USAGE_PLAN_ID_ENV]).toEqual({ Ref: plans.pro });
      for (const role of ['query', 'write']) {
        const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => String(f.Properties.FunctionName).endsWith(`-${role}`))!;
        expect(fn.Properties.Environment.Variables[USAGE_PLANS_ENV]).toBeUndefined();
      }
    });

    test('THEN the admin role may attach keys to and detach them from the tiers’ plans only, never the admin key’s plan', () => {
      const arn = (id: string, tail: string) => `arn:<AWS::Partition>:apigateway:<AWS::Region>::/usageplans/<${id}>/keys${tail}`;
      const tiers = ['enterprise', 'free', 'pro'].map((t) => plans[t]);
      expect(usagePlanKeyResources(template, 'apigateway:POST')).toEqual(tiers.map((id) => arn(id, '')).sort());
      expect(usagePlanKeyResources(template, 'apigateway:DELETE')).toEqual(tiers.map((id) => arn(id, '/*')).sort());
      const all = JSON.stringify(template.findResources('AWS::IAM::Policy'));
      expect(all).not.toContain(`"Ref":"${plans.admin}"`);
    });
  });

  describe('GIVEN no tiers (the defaults)', () => {
    test('THEN one tier, default, whose plan keeps its logical id; the admin function may move keys on it only', () => {
      // WHEN
      const { template } = synthTemplate();
      // THEN
      const plans = plansByName(template);
      expect(Object.keys(plans).sort()).toEqual(['admin', 'default']);
      expect(plans.default).toBe('VectorsApiDefaultUsagePlanF2B4FEA8'); // as before tiers: existing stacks keep their plan
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: Match.stringLikeRegexp('-default$'), Throttle: { RateLimit: 100, BurstLimit: 200 } });
      expect(JSON.parse(flat(adminEnv(template)[USAGE_PLANS_ENV]))).toEqual({ default: `<${plans.default}>` });
      expect(usagePlanKeyResources(template, 'apigateway:DELETE')).toEqual([`arn:<AWS::Partition>:apigateway:<AWS::Region>::/usageplans/<${plans.default}>/keys/*`]);
    });
  });
});
