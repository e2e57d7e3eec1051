/**
 * The restore poller: one step of the per-stack state machine. The state machine only invokes
 * this, waits `waitSeconds` and repeats until `done`; every decision lives here, where unit tests
 * reach it with a simulated clock. An execution watches a restore and signals its wait condition, or
 * runs a validation: it has the state machine invoke the user's validator, and ends with the verdict,
 * which the validation resource's isComplete reads.
 */
import { isTransient } from './errors';
import { log } from './log';
import { MetricPublisher, RestoreFigures } from './metrics';
import { clip, SignalSender, signalDocument, WaitHandleRef } from './signal';
import { IsCompleteRequest, PollResult, RestoreKindHandler } from './types';
import { formatDuration } from './waiting';
import {
  MAX_WAIT_CONDITION_SECONDS, readCommonProperties, readValidationProperties, RestoreTiming, VALIDATION_RESOURCE_TYPE, ValidationEvent,
  ValidationProperties,
} from '../../lib/private/contracts/common';

/** The state carried from one step to the next (the state machine's execution input, then each step's output). */
export interface PollerState {
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly PhysicalResourceId: string;
  /** The handle to signal when the restore ends; a validation has none. */
  readonly WaitHandle?: WaitHandleRef;
  /** The stack of a validation (a restore's is its handle's). */
  readonly StackId?: string;
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
  /** Set by the poller when the restore is done and the user's validator is to run: the state machine invokes it. */
  readonly validate?: { readonly FunctionArn: string; readonly Event: ValidationEvent; readonly TimeoutSeconds: number };
  /** Set by the state machine: the validator's answer, or the error that ended its invocation. */
  readonly validation?: { readonly Payload?: unknown; readonly Error?: string; readonly Cause?: string };
  /** How a validation ended: whether it passed, and the validator's message or why it failed. */
  readonly Verdict?: { readonly passed: boolean; readonly message: string };
  /** Seconds from the restore's start to the validation's end; absent when the restore's start is unknown. */
  readonly RecoveryTime?: number;
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

/**
 * What the validator's invocation came to: its answer ({ passed, message }), or the error the state machine
 * caught (the validator threw, timed out, or could not be invoked).
 */
export function validationVerdict(validation: NonNullable<PollerState['validation']>, timeoutSeconds: number): { passed: boolean; message: string } {
  if (validation.Error) {
    if (validation.Error === 'States.Timeout') return { passed: false, message: `the validator did not answer within ${timeoutSeconds}s` };
    let detail = validation.Cause ?? '';
    try {
      const cause = JSON.parse(detail);
      detail = cause.errorMessage ?? cause.message ?? detail;
    } catch {
      // The cause is plain text.
    }
    return { passed: false, message: `the validator failed (${validation.Error}): ${detail || 'no message'}` };
  }
  const answer = validation.Payload as { passed?: unknown; message?: unknown } | null | undefined;
  if (!answer || typeof answer !== 'object' || typeof answer.passed !== 'boolean') {
    return { passed: false, message: `the validator answered ${JSON.stringify(answer)?.slice(0, 200)}, not { "passed": true|false, "message": "..." }` };
  }
  const message = typeof answer.message === 'string' ? answer.message : '';
  return { passed: answer.passed, message: answer.passed ? message : message || 'the validator gave no message' };
}

export async function pollStep(state: PollerState, deps: PollerDependencies): Promise<PollerState> {
  if (state.ResourceType === VALIDATION_RESOURCE_TYPE) return validationStep(state, deps);
  const handle = state.WaitHandle!;
  const common = readCommonProperties(state.ResourceProperties);
  const timeoutMs = common.TimeoutSeconds * 1000;
  const publish = async (figures: RestoreFigures) => {
    if (state.LogicalResourceId) await deps.publish({ StackId: handle.StackId, LogicalResourceId: state.LogicalResourceId }, figures);
  };
  const finish = async (status: 'SUCCESS' | 'FAILURE', reason: string, extra: Partial<PollerState> = {}): Promise<PollerState> => {
    const seconds = Math.round((deps.now() - state.StartedAt) / 1000);
    log(`Signalling ${status} for ${state.PhysicalResourceId}: ${reason}`);
    // The signal's data is the restore's timing, which the attributes resource reads from the wait condition.
    const timing: RestoreTiming = { startedAt: state.StartedAt, seconds };
    await deps.signal(handle, signalDocument(status, state.PhysicalResourceId, reason, status === 'SUCCESS' ? JSON.stringify(timing) : ''));
    const succeeded = status === 'SUCCESS';
    // With a validation to come, the recovery has not ended yet: the validation publishes its time.
    const recoveryTime = succeeded && !common.Validated ? seconds : undefined;
    await publish({ duration: seconds, failed: succeeded ? 0 : 1, ...(succeeded ? { progress: 100, recoveryTime } : {}) });
    return { ...state, ...extra, done: true, waitSeconds: 0 };
  };

  if (state.error) {
    return finish('FAILURE', `The restore poller failed: ${state.error.Cause ?? state.error.Error ?? 'unknown error'}`);
  }

  const event = {
    RequestType: 'Create',
    StackId: handle.StackId,
    LogicalResourceId: state.LogicalResourceId,
    ResourceType: state.ResourceType,
    ResourceProperties: state.ResourceProperties,
    PhysicalResourceId: state.PhysicalResourceId,
    WaitStartedAt: state.StartedAt,
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

/**
 * The longest a deployment takes from a restore's end to the start of its validation: the instances and
 * network rules the validation waits for. A validation that starts later is of another deployment (a new
 * validator for a restore made before), whose restore's start says nothing about this recovery.
 */
export const MAX_RESTORE_TO_VALIDATION_MS = 3 * 3600_000;

/** Seconds from the restore's start to now, when the validation that started at `validationStart` belongs to the restore's deployment. */
function recoverySeconds(props: ValidationProperties, validationStart: number, now: number): number | undefined {
  if (props.RestoreStartedAt === undefined || props.RestoreSeconds === undefined) return undefined;
  const restoreEnd = props.RestoreStartedAt + props.RestoreSeconds * 1000;
  if (validationStart - restoreEnd > MAX_RESTORE_TO_VALIDATION_MS) return undefined;
  return Math.round((now - props.RestoreStartedAt) / 1000);
}

/**
 * A validation's step. The first describes the restored resource and asks the state machine to invoke the
 * validator with it; the next reads what the invocation came to and ends the execution with the verdict. The
 * validation runs once: a validator that failed is not asked again.
 */
async function validationStep(state: PollerState, deps: PollerDependencies): Promise<PollerState> {
  const props = readValidationProperties(state.ResourceProperties);
  const stackId = state.StackId ?? '';
  const end = async (passed: boolean, message: string): Promise<PollerState> => {
    const recovery = recoverySeconds(props, state.StartedAt, deps.now());
    log(`The validation of ${props.RestoredId} ${passed ? 'passed' : 'failed'}${message ? `: ${message}` : ''}`);
    await deps.publish({ StackId: stackId, LogicalResourceId: props.RestoreLogicalId }, passed ? { recoveryTime: recovery } : { failed: 1 });
    const { validate: _asked, validation: _answer, ...rest } = state;
    return { ...rest, done: true, waitSeconds: 0, Verdict: { passed, message: clip(message) }, RecoveryTime: recovery };
  };

  if (state.error) return end(false, `the validation could not run: ${state.error.Cause ?? state.error.Error ?? 'unknown error'}`);
  if (state.validation) {
    const verdict = validationVerdict(state.validation, props.TimeoutSeconds);
    return end(verdict.passed, verdict.message);
  }
  const attributes = await deps.kindOf(props.RestoreResourceType).describe({
    RestoreResourceType: props.RestoreResourceType, RestoredId: props.RestoredId, Engine: props.Engine,
  });
  const event: ValidationEvent = {
    kind: props.Kind,
    constructPath: props.ConstructPath,
    stackId,
    physicalResourceId: props.RestoredId,
    attributes,
    restorePoint: props.RestorePoint,
    restoreSeconds: props.RestoreSeconds ?? 0,
  };
  log(`Validating ${props.RestoredId} with ${props.FunctionArn} (at most ${props.TimeoutSeconds}s)`);
  return {
    ...state,
    Polls: state.Polls + 1,
    LastStatus: 'validating',
    done: false,
    waitSeconds: 0,
    validate: { FunctionArn: props.FunctionArn, Event: event, TimeoutSeconds: props.TimeoutSeconds },
  };
}
