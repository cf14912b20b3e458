// Pools of Lambda instances for local mode: per function, several worker threads that share no memory,
// each request sent to one of them at random, timed out and failed instances replaced.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logger } from '../../lambda/api/logger';
import type { FunctionRole } from '../../lambda/api/routes';
import type { InstanceData, InstanceMessage, InvokeMessage } from './lambda-instance';
import { INTEGRATION_TIMEOUT_MS, InvocationFailedError, InvocationTimeoutError } from './lambda-limits';
import type { LocalHandlerConfig } from './local-handlers';

/** Options of an {@link InstancePool}. */
export interface InstancePoolOptions extends LocalHandlerConfig {
  readonly role: FunctionRole;
  /** Instances kept running (a failed or timed-out one is replaced). Must be at least 1. */
  readonly size: number;
  /**
   * Time limit of one invocation, in ms: past it the caller gets {@link InvocationTimeoutError} and
   * the instance is terminated and replaced, as Lambda ends an invocation that outlives its timeout.
   * @default 29000 (API Gateway's integration timeout)
   */
  readonly timeoutMs?: number;
  /** Receives a line when an instance is replaced. @default no output */
  readonly log?: (line: string) => void;
}

interface Pending {
  readonly resolve: (result: APIGatewayProxyResult) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface Instance {
  readonly id: string;
  readonly worker: Worker;
  /** Settles when the instance has built its handler (its cold start). */
  readonly ready: Promise<void>;
  readonly inFlight: Map<number, Pending>;
  warm: boolean;
  dead: boolean;
}

/**
 * How an instance's thread loads its code: from TypeScript sources (tests, `npm start`), with tsx's
 * CommonJS hook registered in the thread (`--require tsx/cjs`, a development dependency); from
 * compiled JavaScript (`dist/`), as is.
 */
function startThread(workerData: InstanceData): Worker {
  // The AWS SDK's warning about this Node.js version was printed once by this process already.
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  if (__filename.endsWith('.ts')) {
    return new Worker(path.join(__dirname, 'lambda-instance.ts'), { workerData, env, execArgv: ['--require', require.resolve('tsx/cjs')] });
  }
  return new Worker(path.join(__dirname, 'lambda-instance.js'), { workerData, env });
}

/**
 * The instances of one function (query, write or admin), each a worker thread with its own module
 * state, DynamoDB client, store and caches, built by `lambda-instance.ts` from the same handler
 * factories as on AWS. {@link invoke} sends an event to an idle instance picked at random (to any
 * instance at random when all are busy: locally an instance may then serve two requests at once,
 * where Lambda would start another), so what one instance caches the others do not see.
 */
export class InstancePool {
  private readonly live: Instance[] = [];
  private started = 0;
  private nextInvocation = 1;
  private stopped = false;
  private readonly timeoutMs: number;

  constructor(private readonly opts: InstancePoolOptions) {
    if (!(opts.size >= 1)) throw new Error(`an instance pool needs at least one instance (got ${opts.size})`);
    this.timeoutMs = opts.timeoutMs ?? INTEGRATION_TIMEOUT_MS;
    this.fill();
  }

  /** Resolves once every instance has started. @throws Error when one failed to start (its error). */
  async ready(): Promise<void> {
    await Promise.all(this.live.map((i) => i.ready));
  }

  /** Names of the running instances, e.g. `['query-1', 'query-2']`. */
  instances(): string[] {
    return this.live.map((i) => i.id);
  }

  /**
   * Invokes the function with `event` on one of its instances.
   * @throws InvocationTimeoutError past the time limit (the instance is replaced)
   * @throws InvocationFailedError when the instance crashed or the handler threw
   */
  invoke(event: APIGatewayProxyEvent | { source: 'aws.events' }): Promise<APIGatewayProxyResult> {
    if (this.stopped) return Promise.reject(new InvocationFailedError(`the ${this.opts.role} function is stopped`));
    this.fill();
    const instance = this.pick();
    const id = this.nextInvocation++;
    return new Promise<APIGatewayProxyResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        instance.inFlight.delete(id);
        reject(new InvocationTimeoutError(this.timeoutMs));
        this.retire(instance, `invocation timed out after ${this.timeoutMs} ms`);
      }, this.timeoutMs);
      instance.inFlight.set(id, { resolve, reject, timer });
      instance.ready.then(
        () => {
          if (!instance.dead && instance.inFlight.has(id)) {
            instance.worker.postMessage({ id, event, logLevel: logger.getLevelName() } satisfies InvokeMessage);
          }
        },
        () => undefined, // the instance failed to start: `retire` has failed this invocation
      );
    });
  }

  /** Terminates every instance; invocations in flight fail. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    const workers = this.live.map((i) => i.worker);
    for (const i of [...this.live]) this.retire(i, `the ${this.opts.role} function was stopped`);
    await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
  }

  /** An idle instance at random, else any instance at random. */
  private pick(): Instance {
    const idle = this.live.filter((i) => i.inFlight.size === 0);
    const from = idle.length > 0 ? idle : this.live;
    return from[Math.floor(Math.random() * from.length)];
  }

  /** Starts instances until the pool has its size. */
  private fill(): void {
    while (!this.stopped && this.live.length < this.opts.size) this.spawn();
  }

  private spawn(): void {
    const id = `${this.opts.role}-${++this.started}`;
    const { endpoint, tables, adminKeyId, tiers, role } = this.opts;
    const worker = startThread({ endpoint, tables, adminKeyId, tiers, role, instanceId: id, logLevel: logger.getLevelName() });
    worker.unref(); // the HTTP server keeps the process alive, not its instances
    let started!: () => void;
    let failed!: (err: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    ready.catch(() => undefined); // observed by `ready()` and `invoke`
    const instance: Instance = { id, worker, ready, inFlight: new Map(), warm: false, dead: false };
    worker.on('message', (m: InstanceMessage) => {
      if ('ready' in m) {
        instance.warm = true;
        started();
        return;
      }
      const pending = instance.inFlight.get(m.id);
      if (!pending) return; // timed out meanwhile
      instance.inFlight.delete(m.id);
      clearTimeout(pending.timer);
      if ('error' in m) pending.reject(new InvocationFailedError(m.error));
      else pending.resolve(m.result);
    });
    worker.on('error', (err) => {
      failed(err);
      this.retire(instance, `instance ${id} crashed: ${err.message}`);
    });
    worker.on('exit', (code) => {
      failed(new Error(`instance ${id} exited with code ${code} before it started`));
      this.retire(instance, `instance ${id} exited with code ${code}`);
    });
    this.live.push(instance);
  }

  /**
   * Takes an instance out of the pool: its invocations in flight fail, its thread is terminated,
   * and (unless the pool is stopping, or the instance never started) a fresh instance replaces it,
   * as Lambda starts a new execution environment after a timeout or a crash.
   */
  private retire(instance: Instance, reason: string): void {
    if (instance.dead) return;
    instance.dead = true;
    const at = this.live.indexOf(instance);
    if (at >= 0) this.live.splice(at, 1);
    for (const p of instance.inFlight.values()) {
      clearTimeout(p.timer);
      p.reject(new InvocationFailedError(reason));
    }
    instance.inFlight.clear();
    instance.worker.terminate().catch(() => undefined);
    if (!this.stopped) {
      this.opts.log?.(`${reason}; ${instance.warm ? 'starting a new instance' : 'a new one starts with the next request'}`);
      if (instance.warm) this.fill();
    }
  }
}
