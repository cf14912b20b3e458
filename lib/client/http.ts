// The SDK's HTTP transport: JSON over `fetch` with the API key, a time limit per attempt, and retries with
// exponential backoff and full jitter for idempotent requests.
import { WhiplashError } from './errors';

/** How requests are retried. */
export interface RetryOptions {
  /**
   * Retries after the first attempt (so at most `maxRetries + 1` attempts).
   * @default 5
   */
  readonly maxRetries?: number;
  /**
   * Base of the exponential backoff in milliseconds: attempt n waits a random time in
   * `[0, min(maxDelayMs, baseDelayMs * 2^n)]` ("full jitter"), and at least `Retry-After`.
   * @default 100
   */
  readonly baseDelayMs?: number;
  /**
   * Longest wait between two attempts in milliseconds, `Retry-After` included.
   * @default 20000
   */
  readonly maxDelayMs?: number;
}

/** One retry about to happen; for logging. */
export interface RetryEvent {
  readonly method: string;
  readonly path: string;
  /** Attempt that failed, 1-based. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: WhiplashError;
}

/** Options of {@link HttpTransport}. */
export interface HttpTransportOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000` or `https://abc.execute-api.us-east-1.amazonaws.com/prod`. */
  readonly apiUrl: string;
  /** Sent as the `x-api-key` header. */
  readonly apiKey?: string;
  /**
   * Time limit of one attempt in milliseconds (API Gateway itself gives up after 29 s).
   * @default 30000
   */
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  /** Called before each retry. */
  readonly onRetry?: (event: RetryEvent) => void;
}

/** One request. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the API URL, already encoded, e.g. `/projects/p1/collections`. */
  readonly path: string;
  readonly query?: Record<string, string | number | undefined>;
  /** A JSON value, or a string that is already JSON. */
  readonly body?: unknown;
  /**
   * Whether repeating the request is harmless (reads, upserts). Only idempotent requests are
   * retried; any other request fails on its first error, so nothing happens twice silently.
   */
  readonly idempotent: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Reads `Retry-After` (seconds or an HTTP date). */
function retryAfterSeconds(res: Response): number | undefined {
  const h = res.headers.get('retry-after');
  if (h === null) return undefined;
  const n = Number(h);
  if (Number.isFinite(n) && n >= 0) return n;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, (t - Date.now()) / 1000);
}

function requestIdOf(res: Response): string | undefined {
  return res.headers.get('x-amzn-requestid') ?? res.headers.get('x-amz-apigw-id') ?? res.headers.get('x-request-id') ?? undefined;
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};

/** Turns an error response into a {@link WhiplashError}: `{"error": {...}}` from the API, `{"message"}` from the gateway. */
async function errorFromResponse(res: Response, attempts: number): Promise<WhiplashError> {
  const text = await res.text().catch(() => '');
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const e = body && typeof body === 'object' ? (body.error && typeof body.error === 'object' ? body.error : body) : {};
  const message = typeof e.message === 'string' ? e.message : text.slice(0, 200) || res.statusText || `HTTP ${res.status}`;
  // API Gateway's own answers carry only `message`; name them as the local gateway does.
  const gatewayCode = res.status === 429 && message === 'Limit Exceeded' ? 'LimitExceeded' : undefined;
  const code = typeof e.code === 'string' ? e.code : (gatewayCode ?? DEFAULT_CODES[res.status] ?? (res.status >= 500 ? 'ServerError' : 'HttpError'));
  return new WhiplashError({
    status: res.status,
    code,
    message,
    requestId: (typeof e.requestId === 'string' ? e.requestId : undefined) ?? requestIdOf(res),
    field: typeof e.field === 'string' ? e.field : undefined,
    rule: typeof e.rule === 'string' ? e.rule : undefined,
    retryAfterSeconds: retryAfterSeconds(res),
    attempts,
  });
}

/**
 * JSON over HTTP with the global `fetch`: the `x-api-key` header, a time limit per attempt, and
 * retries with exponential backoff and full jitter on 429, 5xx, timeouts and network errors for
 * idempotent requests.
 */
export class HttpTransport {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: HttpTransportOptions) {
    if (!options.apiUrl) throw new WhiplashError({ status: 0, code: 'ConfigError', message: 'apiUrl is required' });
    this.base = options.apiUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30000;
    this.maxRetries = Math.max(0, options.retry?.maxRetries ?? 5);
    this.baseDelayMs = options.retry?.baseDelayMs ?? 100;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 20000;
  }

  /** Sends a request and returns its parsed JSON body (`undefined` for an empty body). @throws WhiplashError */
  async request<T>(req: HttpRequest): Promise<T> {
    const url = new URL(this.base + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.apiKey) headers['x-api-key'] = this.options.apiKey;
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    }

    for (let attempt = 1; ; attempt++) {
      let error: WhiplashError;
      try {
        const res = await fetch(url, { method: req.method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
        if (res.ok) {
          const text = await res.text();
          try {
            return (text ? JSON.parse(text) : undefined) as T;
          } catch {
            throw new WhiplashError({
              status: res.status,
              code: 'InvalidResponse',
              message: `${req.method} ${req.path} answered ${res.status} with a body that is not JSON: ${text.slice(0, 120)}`,
              requestId: requestIdOf(res),
              attempts: attempt,
            });
          }
        }
        error = await errorFromResponse(res, attempt);
      } catch (err) {
        if (err instanceof WhiplashError) throw err;
        // Duck-typed: fetch rejects with a DOMException, which is not an `Error` of every realm (e.g. jest's).
        const name = (err as { name?: unknown } | null)?.name;
        const timedOut = name === 'TimeoutError' || name === 'AbortError';
        error = new WhiplashError({
          status: 0,
          code: timedOut ? 'Timeout' : 'NetworkError',
          message: timedOut
            ? `${req.method} ${req.path} timed out after ${this.timeoutMs} ms`
            : `${req.method} ${url.origin}${req.path} failed: ${(err as Error & { cause?: Error })?.cause?.message ?? String(err)}`,
          attempts: attempt,
          cause: err,
        });
      }
      if (!req.idempotent || !error.retryable || attempt > this.maxRetries) throw error;
      const delayMs = this.backoff(attempt, error.retryAfterSeconds);
      this.options.onRetry?.({ method: req.method, path: req.path, attempt, delayMs, error });
      await sleep(delayMs);
    }
  }

  /** Full jitter, at least `Retry-After`, at most `maxDelayMs`. */
  private backoff(attempt: number, retryAfter?: number): number {
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    const jitter = Math.random() * cap;
    return Math.min(this.maxDelayMs, Math.max(jitter, (retryAfter ?? 0) * 1000));
  }
}
