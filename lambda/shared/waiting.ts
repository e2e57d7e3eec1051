/**
 * Waiting inside the provider framework's isComplete, which deletes and in-place changes use (restores
 * wait through their wait condition and the poller instead): every kind's delete goes through here, so the
 * deadline and the timeout message are the same for all of them.
 */
import { isTransient } from './errors';
import { log } from './log';
import { IsCompleteRequest, IsCompleteResponse, PollResult, RestoreKindHandler } from './types';
import { POLL_INTERVAL_SECONDS } from '../../lib/private/contracts/common';

/** Interval between polls; the deadline is checked against the next poll, not this one. */
export const POLL_INTERVAL_MS = POLL_INTERVAL_SECONDS * 1000;

export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', !h && (s || !m) ? `${s}s` : ''].join('');
}

async function pollOnce(handler: RestoreKindHandler, event: IsCompleteRequest): Promise<PollResult> {
  try {
    return await handler.poll(event);
  } catch (error) {
    if (!isTransient(error)) throw error;
    log(`Transient error while polling, will poll again: ${(error as Error).name}: ${(error as Error).message}`);
    return { done: false, status: `unknown (${(error as Error).name})` };
  }
}

/** One isComplete of a delete or an in-place change: complete, not yet, or (when the next poll would land past the deadline) a failure. */
export async function pollUntilDeadline(
  handler: RestoreKindHandler,
  event: IsCompleteRequest,
  deadlineSeconds: number,
  now: () => number = Date.now,
): Promise<IsCompleteResponse> {
  const result = await pollOnce(handler, event);
  if (result.done) return { IsComplete: true };

  const timeoutMs = deadlineSeconds * 1000;
  const startedAt = event.WaitStartedAt ?? now();
  const elapsed = now() - startedAt;
  log(`${event.RequestType} of ${event.PhysicalResourceId}: status "${result.status}" after ${formatDuration(elapsed)}`);
  // Fail on this poll when the next one would land past the deadline, so the message is ours and
  // not the provider framework's bare "Operation timed out".
  if (elapsed + POLL_INTERVAL_MS >= timeoutMs && event.RequestType === 'Update') {
    throw new Error(`Timed out: the in-place change of ${event.PhysicalResourceId} did not finish within ${formatDuration(timeoutMs)}, the most `
      + `CloudFormation waits for a custom resource (last status "${result.status}"). What the service was sent goes on: wait until `
      + `${event.PhysicalResourceId} has left status "${result.status}", then deploy again, or for a stack in UPDATE_ROLLBACK_FAILED `
      + 'retry the rollback ("aws cloudformation continue-update-rollback").');
  }
  if (elapsed + POLL_INTERVAL_MS >= timeoutMs) {
    throw new Error(`Timed out: ${event.RequestType} of ${event.PhysicalResourceId} did not finish within ${formatDuration(timeoutMs)} `
      + `(waited ${formatDuration(elapsed)}; last status "${result.status}"). A restore cannot be cancelled, and a resource in this status `
      + `cannot be deleted yet: wait until ${event.PhysicalResourceId} has left status "${result.status}" (a restore that is still running ends as available), `
      + 'then retry: "aws cloudformation continue-update-rollback" for a stack in UPDATE_ROLLBACK_FAILED, or delete the stack again.');
  }
  return { IsComplete: false };
}
