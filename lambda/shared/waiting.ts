import { log } from './log';
import { IsCompleteRequest, IsCompleteResponse, PollResult, RestoreKindHandler } from './types';

/**
 * The handler side of waiting: every restore kind's isComplete goes through here, so the
 * deadline and the timeout message are the same for all of them.
 */

/** Interval between polls; the deadline is checked against the next poll, not this one. */
export const POLL_INTERVAL_MS = 30_000;

export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', !h && (s || !m) ? `${s}s` : ''].join('');
}

export async function pollUntilDeadline(
  handler: RestoreKindHandler,
  event: IsCompleteRequest,
  now: () => number = Date.now,
): Promise<IsCompleteResponse> {
  const result: PollResult = await handler.poll(event);
  if (result.done) return { IsComplete: true, Data: result.data };

  const timeoutMs = Number(event.ResourceProperties.TimeoutSeconds) * 1000;
  const startedAt = event.WaitStartedAt ?? now();
  const elapsed = now() - startedAt;
  log(`${event.RequestType} of ${event.PhysicalResourceId}: status "${result.status}" after ${formatDuration(elapsed)}`);
  // Fail on this poll when the next one would land past the deadline, so the message is ours and
  // not the provider framework's bare "Operation timed out".
  if (elapsed + POLL_INTERVAL_MS > timeoutMs) {
    throw new Error(`Timed out: ${event.RequestType} of ${event.PhysicalResourceId} did not finish within ${formatDuration(timeoutMs)} (waited ${formatDuration(elapsed)}; last status "${result.status}"). Raise the construct's timeout, or look at the resource in the console.`);
  }
  return { IsComplete: false };
}
