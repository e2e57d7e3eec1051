/**
 * What every kind's handler says about a failed call, and which failures it tries again: one wording
 * of a failure, one table of what the AWS services' common errors mean, one transient-retry policy.
 */
import type { RetryPolicy } from './retry';

/** An error as a user reads it: its name (when it has one of its own) and its message. */
export function errorText(error: unknown): string {
  const e = error as Error;
  return e?.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : String(e?.message ?? error);
}

/**
 * Errors that say "not now" rather than "no": throttling and the service's own faults. The SDK
 * already retried them; one more try later is better than failing a restore that is running.
 */
export function isTransient(error: unknown): boolean {
  const e = error as { name?: string; $fault?: string; $retryable?: unknown };
  return Boolean(e?.$retryable)
    || e?.$fault === 'server'
    || /Throttl|RequestLimitExceeded|TooManyRequests|ServiceUnavailable|InternalFailure/.test(e?.name ?? '');
}

/** Retries of transient failures beyond the SDK's own tries, a few seconds apart, bounded well inside a handler's minute. */
export function transientRetry(label: string, retryable: (error: unknown) => boolean = isTransient): RetryPolicy {
  return { retryable, delaysSeconds: [2, 5, 10], label };
}

/** What the AWS services' common errors mean, in words a user can act on; a kind adds its own. */
const AWS_HINTS: Record<string, string> = {
  ThrottlingException: 'the service kept throttling the requests',
  InternalServerException: 'the service kept failing',
  ServiceUnavailableException: 'the service kept failing',
};

/** A failed call, said once for every kind: what failed, what it means, and the service's own words. */
export function failure(what: string, hint: string | undefined, detail: string): Error {
  return new Error(`${what} failed${hint ? `: ${hint}` : ''} (${detail})`);
}

/** A failed AWS call, with the kind's hint for its error (or the common one). */
export function explain(error: unknown, what: string, hints: Record<string, string> = {}): Error {
  const name = (error as Error)?.name;
  return failure(what, hints[name] ?? AWS_HINTS[name], errorText(error));
}
