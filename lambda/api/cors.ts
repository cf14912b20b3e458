// CORS of the API's answers: the policy (from the construct's `cors` prop, through the environment) and the headers it puts on every response.
import type { APIGatewayProxyResult } from 'aws-lambda';

/** The environment variable that carries the CORS policy to the functions, as JSON ({@link CorsPolicy}). */
export const CORS_ENV = 'WHIPLASH_CORS';

/** Which web origins may read the API's answers (a subset of API Gateway's `CorsOptions`). */
export interface CorsPolicy {
  /** Origins allowed to read answers, e.g. `https://app.example.com`; `*` allows any. */
  readonly allowOrigins: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true`. */
  readonly allowCredentials?: boolean;
  /** Response headers a page may read besides the CORS-safelisted ones, e.g. `Retry-After`. */
  readonly exposeHeaders?: readonly string[];
}

/**
 * The CORS policy in the environment ({@link CORS_ENV}); undefined when unset (no CORS).
 * @throws Error naming the variable when its value is not a JSON object with an `allowOrigins` array of strings.
 */
export function corsFromEnv(env: NodeJS.ProcessEnv = process.env): CorsPolicy | undefined {
  const text = env[CORS_ENV];
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const p = parsed as Partial<CorsPolicy> | undefined;
  if (!p || !Array.isArray(p.allowOrigins) || !p.allowOrigins.every((o) => typeof o === 'string')) {
    throw new Error(`environment variable ${CORS_ENV} must be JSON {"allowOrigins": [...]} (got ${text})`);
  }
  return { allowOrigins: p.allowOrigins, allowCredentials: p.allowCredentials === true, exposeHeaders: p.exposeHeaders };
}

/**
 * The CORS headers of an answer to a request from `origin` (its `Origin` header, if any).
 * `Access-Control-Allow-Origin` is `*` when the policy allows any origin; the request's origin
 * when the policy lists it; the one listed origin when there is only one (as API Gateway's
 * preflight answers it); otherwise absent, and the browser refuses the answer to the page.
 * Every answer that depends on the origin says so with `Vary: Origin`.
 * Source: https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS
 */
export function corsHeaders(policy: CorsPolicy | undefined, origin: string | undefined): Record<string, string> {
  if (!policy) return {};
  const out: Record<string, string> = {};
  if (policy.allowOrigins.includes('*')) {
    out['Access-Control-Allow-Origin'] = '*';
  } else {
    out.Vary = 'Origin';
    if (origin !== undefined && policy.allowOrigins.includes(origin)) out['Access-Control-Allow-Origin'] = origin;
    else if (policy.allowOrigins.length === 1) out['Access-Control-Allow-Origin'] = policy.allowOrigins[0];
  }
  if (policy.allowCredentials) out['Access-Control-Allow-Credentials'] = 'true';
  if (policy.exposeHeaders?.length) out['Access-Control-Expose-Headers'] = policy.exposeHeaders.join(',');
  return out;
}

/** The value of a header whatever its case (API Gateway passes header names as the client sent them). */
export function headerValue(headers: Readonly<Record<string, string | undefined>> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** `result` with the CORS headers of `policy` for a request from `origin` added. */
export function withCors(result: APIGatewayProxyResult, policy: CorsPolicy | undefined, origin: string | undefined): APIGatewayProxyResult {
  if (!policy) return result;
  return { ...result, headers: { ...(result.headers ?? {}), ...corsHeaders(policy, origin) } };
}
