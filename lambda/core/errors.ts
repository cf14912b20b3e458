// The domain errors of the core and the store (validation, not found, conflict, too large, unavailable), each
// with the HTTP status it maps to.
/**
 * Domain errors. The core and the store throw these; the API maps them to HTTP in one place
 * (`lambda/api/http-errors.ts`). Anything else that escapes is our own fault (HTTP 500).
 */
export abstract class WhiplashDomainError extends Error {
  /** Machine-readable code, e.g. `ValidationError`. */
  abstract readonly code: string;
  /** The HTTP status this error maps to. */
  abstract readonly status: number;
}

/** Bad input: a field breaks a rule. HTTP 400. */
export class ValidationError extends WhiplashDomainError {
  readonly code = 'ValidationError';
  readonly status = 400;
  /**
   * @param field path of the offending field, e.g. `vectors[3].vector[17]`
   * @param rule the rule it breaks, in words, e.g. `must be a finite number`
   */
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field} ${rule}`);
  }
}

/** The rule a value outside a fixed set breaks, worded as the HTTP schema's `enum` check words it, so that a direct call and a request name it alike: `must be one of "lsh", "ivf"`. */
export function oneOfRule(allowed: readonly unknown[]): string {
  return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
}

/** An unknown project, collection or item. HTTP 404. */
export class NotFoundError extends WhiplashDomainError {
  readonly code = 'NotFound';
  readonly status = 404;
}

/** A project or collection of that name exists already. HTTP 409. */
export class ConflictError extends WhiplashDomainError {
  readonly code = 'Conflict';
  readonly status = 409;
}

/** A request body or batch is larger than the API accepts. HTTP 413. */
export class PayloadTooLargeError extends WhiplashDomainError {
  readonly code = 'PayloadTooLarge';
  readonly status = 413;
}

/**
 * DynamoDB kept throttling or failing after every retry; nothing was acknowledged that was not
 * written. HTTP 503 with `Retry-After`.
 */
export class ServiceUnavailableError extends WhiplashDomainError {
  readonly code = 'ServiceUnavailable';
  readonly status = 503;
  constructor(
    message: string,
    /** Seconds the client should wait before retrying. */
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}
