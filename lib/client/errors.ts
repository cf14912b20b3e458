// Errors of the client SDK: WhiplashError, which both clients (HTTP and direct) throw so that code handling one
// handles the other, and WhiplashBatchError, which names the ids a batch upsert left unwritten.

/** Fields of a {@link WhiplashError}. */
export interface WhiplashErrorInit {
  /** HTTP status; `0` when no response arrived (network error or timeout). */
  readonly status: number;
  /** Machine-readable code: the API's `error.code` (e.g. `ValidationError`, `NotFound`), or `Forbidden`, `TooManyRequests`, `LimitExceeded`, `Timeout`, `NetworkError`, `ServerError`. */
  readonly code: string;
  readonly message: string;
  /** The request id the server reported (`x-amzn-requestid` / `x-request-id`), for support and logs. */
  readonly requestId?: string;
  /** For `ValidationError`: path of the offending field, e.g. `vectors[3].vector`. */
  readonly field?: string;
  /** For `ValidationError`: the rule the field breaks, e.g. `must have 384 elements`. */
  readonly rule?: string;
  /** Seconds the server asked the client to wait (`Retry-After`). */
  readonly retryAfterSeconds?: number;
  /** Number of attempts made before giving up (1 = not retried). */
  readonly attempts?: number;
  readonly cause?: unknown;
}

/** A request to Whiplash failed. */
export class WhiplashError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId?: string;
  readonly field?: string;
  readonly rule?: string;
  readonly retryAfterSeconds?: number;
  readonly attempts: number;

  constructor(init: WhiplashErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'WhiplashError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.field = init.field;
    this.rule = init.rule;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.attempts = init.attempts ?? 1;
  }

  /**
   * True when the same request may succeed soon: throttling (429 `TooManyRequests`), server errors
   * (5xx), timeouts and network errors. Client mistakes (other 4xx) and a used-up usage-plan quota
   * (429 `LimitExceeded`, which resets only with the quota period) are not retryable.
   */
  get retryable(): boolean {
    if (this.code === 'LimitExceeded') return false;
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/**
 * A batch upsert wrote only part of its input. `failedIds` lists exactly the ids that were not
 * acknowledged by the server; every other id of the input was written. Upserts are idempotent, so
 * re-sending the failed ids is safe (a chunk that failed may have been written in part).
 */
export class WhiplashBatchError extends WhiplashError {
  /** Ids whose write was not acknowledged, in input order. */
  readonly failedIds: string[];
  /** Number of vectors that were acknowledged. */
  readonly upserted: number;
  /**
   * False when the input was an iterator and reading stopped at the first failure: items after
   * the ones in `failedIds` were not read, so they were not written either.
   */
  readonly inputExhausted: boolean;
  /** When the API refused a vector as invalid (400 naming `vectors[i]`): that vector's id. */
  readonly invalidId?: string;

  /**
   * @param operation what the batch did: `delete` for `deleteMany`, whose `failedIds` are the ids
   *   not acknowledged as deleted (or not found) and whose `upserted` counts the ids acknowledged
   */
  constructor(cause: WhiplashError, failedIds: string[], upserted: number, inputExhausted: boolean, invalidId?: string, operation: 'upsert' | 'delete' = 'upsert') {
    const done = operation === 'upsert' ? 'written' : 'deleted';
    super({
      status: cause.status,
      code: cause.code,
      message:
        `batch ${operation} failed: ${failedIds.length} vector(s) not ${done} (${upserted} ${done}): ` +
        (invalidId !== undefined && cause.field ? `vector "${invalidId}": ${cause.field.replace(/^vectors\[\d+\]\.?/, '') || 'item'} ${cause.rule ?? cause.message}` : cause.message),
      requestId: cause.requestId,
      field: cause.field,
      rule: cause.rule,
      retryAfterSeconds: cause.retryAfterSeconds,
      attempts: cause.attempts,
      cause,
    });
    this.name = 'WhiplashBatchError';
    this.failedIds = failedIds;
    this.upserted = upserted;
    this.inputExhausted = inputExhausted;
    this.invalidId = invalidId;
  }
}
