// `UsageError` and the exit codes of `whiplash`.
/** A mistake on the command line or in an input file: exit code 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of `whiplash`. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** Usage: bad flags, bad input file, or a request the API refused as a client mistake (4xx). */
  usage: 1,
  /** Server error: 5xx, throttled after every retry, timeout, or the API could not be reached. */
  server: 2,
} as const;
