/**
 * Bounded retries of calls that fail for a while before they succeed (a service's eventual consistency).
 */
import { log } from './log';

/** Retrying an action that may fail for a while before it succeeds, with a bound. */
export interface RetryPolicy {
  /** Which errors are worth another try. */
  readonly retryable: (error: unknown) => boolean;
  /** Seconds to wait before each retry; their count is the bound. */
  readonly delaysSeconds: readonly number[];
  /** What is being tried, for the log. */
  readonly label: string;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function retrying<T>(policy: RetryPolicy, action: () => Promise<T>, sleep: (ms: number) => Promise<void> = realSleep): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!policy.retryable(error) || attempt >= policy.delaysSeconds.length) throw error;
      const e = error as Error;
      log(`${policy.label} failed (${e.name}: ${e.message}); trying again in ${policy.delaysSeconds[attempt]}s`);
      await sleep(policy.delaysSeconds[attempt] * 1000);
    }
  }
}
