import { isTransient } from './errors';
import { log } from './log';
import { MetricPublisher, RestoreFigures } from './metrics';
import { SignalSender, signalDocument, WaitHandleRef } from './signal';
import { IsCompleteRequest, PollResult, RestoreKindHandler } from './types';
import { formatDuration } from './waiting';
import { MAX_WAIT_CONDITION_SECONDS, readCommonProperties } from '../../lib/private/contracts/common';

/**
 * The restore poller: one step of the per-stack state machine. The state machine only invokes
 * this, waits `waitSeconds` and repeats until `done`; every decision lives here, where unit tests
 * reach it with a simulated clock.
 */

/** The state carried from one step to the next (the state machine's execution input, then each step's output). */
export interface PollerState {
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly PhysicalResourceId: string;
  /** The handle to signal when the restore ends. */
  readonly WaitHandle: WaitHandleRef;
  /** The restore's custom resource, which names its metrics with the stack; absent in executions started before metrics. */
  readonly LogicalResourceId?: string;
  /** When the restore started (epoch milliseconds); the timeout counts from here. */
  readonly StartedAt: number;
  /** Describe calls made so far. */
  readonly Polls: number;
  readonly LastStatus?: string;
  readonly done: boolean;
  readonly waitSeconds: number;
  /** Set by the state machine when a step failed outright, so the next step reports it. */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

export interface PollerDependencies {
  readonly now: () => number;
  readonly kindOf: (resourceType: string) => RestoreKindHandler;
  readonly signal: SignalSender;
  readonly publish: MetricPublisher;
}

/**
 * Seconds until the next describe: often while a restore may still end quickly, then once a
 * minute, so a finished restore is noticed within a minute and a 12-hour wait stays cheap.
 */
export function nextPollDelaySeconds(elapsedMs: number): number {
  if (elapsedMs < 2 * 60_000) return 20;
  if (elapsedMs < 10 * 60_000) return 30;
  return 60;
}

/** The state for a restore that has just started. */
export function initialPollerState(
  resourceType: string, properties: Record<string, unknown>, physicalResourceId: string, waitHandle: WaitHandleRef, startedAt: number,
  logicalResourceId: string,
): PollerState {
  return {
    ResourceType: resourceType,
    ResourceProperties: properties,
    PhysicalResourceId: physicalResourceId,
    WaitHandle: waitHandle,
    LogicalResourceId: logicalResourceId,
    StartedAt: startedAt,
    Polls: 0,
    done: false,
    waitSeconds: 0,
  };
}

export async function pollStep(state: PollerState, deps: PollerDependencies): Promise<PollerState> {
  const timeoutMs = readCommonProperties(state.ResourceProperties).TimeoutSeconds * 1000;
  const publish = async (figures: RestoreFigures) => {
    if (state.LogicalResourceId) await deps.publish({ StackId: state.WaitHandle.StackId, LogicalResourceId: state.LogicalResourceId }, figures);
  };
  const finish = async (status: 'SUCCESS' | 'FAILURE', reason: string, extra: Partial<PollerState> = {}): Promise<PollerState> => {
    log(`Signalling ${status} for ${state.PhysicalResourceId}: ${reason}`);
    await deps.signal(state.WaitHandle, signalDocument(status, state.PhysicalResourceId, reason));
    const succeeded = status === 'SUCCESS';
    await publish({ duration: (deps.now() - state.StartedAt) / 1000, failed: succeeded ? 0 : 1, ...(succeeded ? { progress: 100 } : {}) });
    return { ...state, ...extra, done: true, waitSeconds: 0 };
  };

  if (state.error) {
    return finish('FAILURE', `The restore poller failed: ${state.error.Cause ?? state.error.Error ?? 'unknown error'}`);
  }

  const event = {
    RequestType: 'Create',
    StackId: state.WaitHandle.StackId,
    LogicalResourceId: state.LogicalResourceId,
    ResourceType: state.ResourceType,
    ResourceProperties: state.ResourceProperties,
    PhysicalResourceId: state.PhysicalResourceId,
  } as unknown as IsCompleteRequest;
  let result: PollResult;
  try {
    result = await deps.kindOf(state.ResourceType).poll(event);
  } catch (error) {
    if (!isTransient(error)) return finish('FAILURE', (error as Error).message, { Polls: state.Polls + 1 });
    result = { done: false, status: `unknown (${(error as Error).name})` };
  }
  const polls = state.Polls + 1;
  const elapsed = deps.now() - state.StartedAt;
  if (result.done) {
    return finish('SUCCESS', `${state.PhysicalResourceId} is ${result.status} after ${formatDuration(elapsed)}`, { Polls: polls, LastStatus: result.status });
  }

  await publish({ progress: result.percentDone ?? 0, duration: elapsed / 1000 });
  const wait = nextPollDelaySeconds(elapsed);
  log(`${state.PhysicalResourceId}: status "${result.status}" after ${formatDuration(elapsed)}; next look in ${wait}s`);
  // Fail when the next look would land past the deadline, so this message, with the last status,
  // reaches the stack before the wait condition's own bare timeout does.
  if (elapsed + wait * 1000 >= timeoutMs) {
    const reason = `Timed out: ${state.PhysicalResourceId} did not finish within ${formatDuration(timeoutMs)} `
      + `(waited ${formatDuration(elapsed)}; last status "${result.status}"). `
      + `Raise the construct's timeout (at most ${formatDuration(MAX_WAIT_CONDITION_SECONDS * 1000)}), or look at the resource in the console.`;
    return finish('FAILURE', reason, { Polls: polls, LastStatus: result.status });
  }
  return { ...state, Polls: polls, LastStatus: result.status, done: false, waitSeconds: wait };
}
