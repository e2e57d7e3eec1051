/**
 * The three functions of the stack's shared provider (onEvent, isComplete, poll), which route every event to
 * its kind's handler by custom resource type and own what no kind knows: polling executions, attributes, validations.
 */
import {
  describeValidation, startValidation, stopPolling, startPolling, stopValidation, ValidationExecution, validationExecutionName,
} from './executions';
import { logEvent, log } from './log';
import { publishToCloudWatch } from './metrics';
import { initialPollerState, pollStep, PollerState } from './polling';
import { clip, putSignal, signalDocument, signalWaitCondition, waitHandleUrl, WaitHandleRef } from './signal';
import { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, RestoreKindHandler } from './types';
import { pollUntilDeadline } from './waiting';
import {
  ATTRIBUTES_RESOURCE_TYPE, MAX_CUSTOM_RESOURCE_WAIT_SECONDS, readAttributesProperties, readValidationProperties, RECOVERY_TIME_ATTRIBUTE,
  RESTORE_STARTED_AT_ATTRIBUTE, RestoreTiming, VALIDATION_RESOURCE_TYPE,
} from '../../lib/private/contracts/common';

/** The three functions of the stack's shared provider, whatever the restore kind. */
export interface RestoreHandlers {
  /** The provider framework's onEvent: starts restores and their polling, begins deletes. */
  onEvent(event: OnEventRequest): Promise<OnEventResponse>;
  /** The provider framework's isComplete: deletes, in-place changes and validations wait here. */
  isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse>;
  /** One step of the polling state machine. */
  poll(state: PollerState): Promise<PollerState>;
}

function waitHandleOf(event: OnEventRequest, properties: Record<string, unknown>): WaitHandleRef | undefined {
  return properties.WaitHandle ? { StackId: event.StackId, WaitHandle: String(properties.WaitHandle) } : undefined;
}

/** A new wait condition handle means CloudFormation waits anew, so a poller must signal it. */
function needsPolling(event: OnEventRequest): boolean {
  if (event.RequestType === 'Create') return true;
  return event.RequestType === 'Update' && event.OldResourceProperties.WaitHandle !== event.ResourceProperties.WaitHandle;
}

/**
 * The restore has started, so failing here would orphan it: the provider framework answers a failed
 * Create with a marker id, and the Delete that follows never reaches this handler. Instead the resource
 * keeps its real id and its wait condition is told FAILURE, so the rollback's Delete removes it.
 */
async function failWithoutPolling(handleUrl: string, physicalResourceId: string, error: unknown): Promise<void> {
  const e = error as Error;
  const what = `The restore of ${physicalResourceId} started, but its polling could not: ${e?.name}: ${e?.message}`;
  try {
    await putSignal(handleUrl, signalDocument('FAILURE', physicalResourceId, `${what}; the rollback deletes ${physicalResourceId} according to its removal policy`));
  } catch (signalError) {
    throw new Error(`${what}, nor could the wait condition be told (${(signalError as Error).message}). Delete ${physicalResourceId} yourself if the rollback leaves it.`);
  }
  log(`${what}; its wait condition was told FAILURE`);
}

/**
 * The restore's timing the poller put in its signal, from the wait condition's Data ({"<unique id>": "<data>"}).
 * None when the wait had no restore to measure: an update that signalled at once, or a restore made before
 * the library measured it.
 */
export function restoreTimingOf(waitData: string | undefined): RestoreTiming | undefined {
  try {
    const [data] = Object.values(JSON.parse(waitData ?? '{}') as Record<string, unknown>);
    const { startedAt, seconds } = (JSON.parse(String(data ?? '')) ?? {}) as Partial<RestoreTiming>;
    return Number.isFinite(seconds) && Number.isFinite(startedAt) ? { startedAt: startedAt!, seconds: seconds! } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A validation's Create starts an execution of the polling state machine, which invokes the validator;
 * isComplete waits for it. The construct makes every change of what is validated a new validation (a new
 * logical id), so an Update (a rollback's included) validates nothing: it keeps the validation it has.
 */
async function onValidationEvent(event: OnEventRequest): Promise<OnEventResponse> {
  if (event.RequestType === 'Delete') {
    if (event.PhysicalResourceId.includes(':execution:')) await stopValidation(event.PhysicalResourceId);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  if (event.RequestType === 'Update') return { PhysicalResourceId: event.PhysicalResourceId };
  const props = readValidationProperties(event.ResourceProperties);
  const state: PollerState = {
    ResourceType: VALIDATION_RESOURCE_TYPE,
    ResourceProperties: event.ResourceProperties,
    PhysicalResourceId: props.RestoredId,
    StackId: event.StackId,
    LogicalResourceId: event.LogicalResourceId,
    StartedAt: Date.now(),
    Polls: 0,
    done: false,
    waitSeconds: 0,
  };
  return { PhysicalResourceId: await startValidation(state, validationExecutionName(event.StackId, event.LogicalResourceId, event.RequestId)) };
}

/**
 * Whether the validation's execution has ended: passed, with the recovery time; failed, failing the resource
 * with the validator's message. An Update reads the validation it keeps; once Step Functions has forgotten
 * it (90 days after it ended), its recovery time is unknown.
 */
async function validationComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  const restored = String(event.ResourceProperties.RestoredId);
  let execution: ValidationExecution;
  try {
    execution = await describeValidation(event.PhysicalResourceId);
  } catch (error) {
    if (event.RequestType !== 'Update' || (error as Error)?.name !== 'ExecutionDoesNotExist') throw error;
    return { IsComplete: true, Data: { [RECOVERY_TIME_ATTRIBUTE]: '0' } };
  }
  if (execution.status === 'RUNNING') return { IsComplete: false };
  const verdict = execution.output?.Verdict;
  if (execution.status !== 'SUCCEEDED' || !verdict) {
    const tooBig = execution.error === 'States.DataLimitExceeded' ? ' (the validator\'s answer must stay under 256 KB)' : '';
    const cause = execution.cause && clip(execution.cause);
    throw new Error(`The validation of ${restored} did not finish: its execution ${event.PhysicalResourceId} is ${execution.status}`
      + `${execution.error ? ` with ${execution.error}` : ''}${cause ? `: ${cause}` : ''}${tooBig}`);
  }
  if (!verdict.passed) throw new Error(`The validation of ${restored} failed: ${verdict.message}`);
  return { IsComplete: true, Data: { [RECOVERY_TIME_ATTRIBUTE]: String(execution.output?.RecoveryTime ?? 0) } };
}

/**
 * Starts what tells the restore's wait condition: a polling execution, or for an Update of the same restore
 * an immediate SUCCESS. Looked up once, the handle's URL names the execution and takes the signals sent here.
 */
async function beginWait(
  event: OnEventRequest, handle: WaitHandleRef | undefined, kind: RestoreKindHandler, physicalResourceId: string, startedAt: number,
): Promise<void> {
  if (!handle) throw new Error('Property WaitHandle is missing; the construct always sets it.');
  const properties = { ...event.ResourceProperties };
  for (const key of kind.kind.sensitive ?? []) delete properties[key];
  let url: string;
  try {
    url = await waitHandleUrl(handle);
  } catch (error) {
    const e = error as Error;
    throw new Error(`The restore of ${physicalResourceId} started, but its wait condition handle ${handle.WaitHandle} cannot be read `
      + `(${e.name}: ${e.message}), so neither its polling nor its wait condition can be told. Delete ${physicalResourceId} yourself if the rollback leaves it.`);
  }
  const poll = async () => {
    try {
      const state = initialPollerState(event.ResourceType, properties, physicalResourceId, handle, startedAt, event.LogicalResourceId);
      await startPolling(state, url);
    } catch (error) {
      await failWithoutPolling(url, physicalResourceId, error);
    }
  };
  if (event.RequestType === 'Update' && physicalResourceId === event.PhysicalResourceId) {
    // Same restore, new wait (a new timeout, a changed in-place property, a new library version): the
    // restore ended before this Update could start, so there is nothing to wait for, and polling would
    // wait for a status the resource may have left since (a stopped cluster is never available). A
    // refused signal (the old handle of a rollback Update, its wait long over) falls back to polling.
    try {
      await putSignal(url, signalDocument('SUCCESS', physicalResourceId,
        `${physicalResourceId} was restored before and is unchanged; nothing to wait for`));
    } catch (error) {
      log(`${(error as Error).message}; polling ${physicalResourceId} instead`);
      await poll();
    }
  } else {
    await poll();
  }
}

/** The attributes resource reads what the restore made, once its wait condition has been signalled. */
async function onAttributesEvent(event: OnEventRequest, kindOf: (resourceType: string) => RestoreKindHandler): Promise<OnEventResponse> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const props = readAttributesProperties(event.ResourceProperties);
  const data = await kindOf(props.RestoreResourceType).describe(props);
  const timing = restoreTimingOf(props.WaitData);
  return {
    PhysicalResourceId: props.RestoredId,
    Data: { ...data, [RECOVERY_TIME_ATTRIBUTE]: String(timing?.seconds ?? 0), [RESTORE_STARTED_AT_ATTRIBUTE]: String(timing?.startedAt ?? '') },
  };
}

/**
 * The handlers for these restore kinds, keyed by the custom resource type that selects each.
 *
 * A restore's Create starts the restore and a polling execution, and answers at once; the execution
 * signals the restore's wait condition, which holds the stack for up to 12 hours; then the attributes
 * resource reads what the restore made. Deletes, in-place changes and validations wait here, through the provider framework's isComplete.
 */
export function restoreHandlers(handlers: readonly RestoreKindHandler[]): RestoreHandlers {
  const kinds: Record<string, RestoreKindHandler> = Object.fromEntries(handlers.map((handler) => [handler.kind.resourceType, handler]));
  const kindOf = (resourceType: string): RestoreKindHandler => {
    const kind = kinds[resourceType];
    if (!kind) throw new Error(`No restore handler for resource type ${resourceType}; known types: ${Object.keys(kinds).join(', ')}`);
    return kind;
  };
  /** What the kind keeps out of logs and polling state. */
  const sensitiveOf = (event: OnEventRequest): readonly string[] =>
    kinds[String(event.ResourceProperties.RestoreResourceType ?? event.ResourceType)]?.kind.sensitive ?? [];

  return {
    async onEvent(event) {
      logEvent('onEvent', event, sensitiveOf(event));
      if (event.ResourceType === ATTRIBUTES_RESOURCE_TYPE) {
        const answer = await onAttributesEvent(event, kindOf);
        log('onEvent answer', answer);
        return answer;
      }
      if (event.ResourceType === VALIDATION_RESOURCE_TYPE) {
        const answer = await onValidationEvent(event);
        log('onEvent answer', answer);
        return answer;
      }
      const kind = kindOf(event.ResourceType);
      const handle = waitHandleOf(event, event.ResourceProperties);
      if (event.RequestType === 'Delete') await stopPolling(handle);
      const startedAt = Date.now();
      const response = await kind.onEvent(event);
      if (needsPolling(event)) await beginWait(event, handle, kind, response.PhysicalResourceId, startedAt);
      const answer = { ...response, WaitStartedAt: startedAt };
      log('onEvent answer', answer);
      return answer;
    },

    async isComplete(event) {
      logEvent('isComplete', event, sensitiveOf(event));
      if (event.ResourceType === VALIDATION_RESOURCE_TYPE) {
        const answer = event.RequestType === 'Delete' ? { IsComplete: true } : await validationComplete(event);
        log('isComplete answer', answer);
        return answer;
      }
      // Restores are waited for by their wait condition; deletes and in-place changes wait here.
      const waits = event.RequestType === 'Delete' || (event.RequestType === 'Update' && event.InPlace);
      if (event.ResourceType === ATTRIBUTES_RESOURCE_TYPE || !waits) return { IsComplete: true };
      // Neither is bounded by the restore's timeout: a rollback after a timed-out restore must still wait out a
      // cluster that is being created, an upgrade takes what it takes. They get all the time the provider framework has.
      const answer = await pollUntilDeadline(kindOf(event.ResourceType), event, MAX_CUSTOM_RESOURCE_WAIT_SECONDS);
      log('isComplete answer', answer);
      return answer;
    },

    async poll(state) {
      log('poll', { ResourceType: state.ResourceType, PhysicalResourceId: state.PhysicalResourceId, Polls: state.Polls, LastStatus: state.LastStatus });
      return pollStep(state, { now: Date.now, kindOf, signal: signalWaitCondition, publish: publishToCloudWatch });
    },
  };
}
