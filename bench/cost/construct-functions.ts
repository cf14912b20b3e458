// Reads each Lambda function's memory, architecture, runtime and timeout from the synthesized construct, for the cost model.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { WhiplashVectorStore } from '../../lib/construct/vector-store';
import { ensureHandlerBundles } from '../../scripts/bundle-handlers';

/** Memory and architecture of one function as the construct deploys it with default props. */
export interface DeployedFunction {
  readonly role: string;
  /** MB, as CloudFormation's `MemorySize`. */
  readonly memoryMb: number;
  readonly architecture: string;
  readonly runtime: string;
  /** Seconds. */
  readonly timeout: number;
}

/**
 * Synthesizes `new WhiplashVectorStore(stack, 'Vectors')` with default props (bundling skipped, the
 * pre-bundled handlers as in the construct tests) and reads each Lambda function's memory, architecture,
 * runtime and timeout from the template: the figures the cost model bills, taken from the construct itself.
 */
export function deployedFunctions(): DeployedFunction[] {
  ensureHandlerBundles();
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'CostModelStack', { env: { account: '123456789012', region: 'us-east-1' } });
  new WhiplashVectorStore(stack, 'Vectors');
  const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function') as Record<string, { Properties: Record<string, unknown> }>;
  return Object.values(fns)
    .map(({ Properties: p }) => ({
      role: /Whiplash (\w+) handler/.exec(String(p.Description ?? ''))?.[1] ?? String(p.Description),
      memoryMb: Number(p.MemorySize ?? 128),
      architecture: String((p.Architectures as string[] | undefined)?.[0] ?? 'x86_64'),
      runtime: String(p.Runtime),
      timeout: Number(p.Timeout ?? 3),
    }))
    .filter((f) => ['query', 'write', 'admin'].includes(f.role));
}
