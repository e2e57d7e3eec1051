/**
 * Executions of the per-stack polling state machine. An execution is named after a hash of its wait
 * handle's URL, so starting it twice (a retried Create) starts it once, and a Delete can find and stop
 * it without having stored anything. Not after the handle's logical id: that comes back with the same
 * inputs (a redeploy after a rollback), and Step Functions keeps a closed execution's name for 90 days,
 * whereas every handle CloudFormation creates has a URL of its own.
 */
import { createHash } from 'crypto';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { log } from './log';
import { PollerState } from './polling';
import { WaitHandleRef, waitHandleUrl } from './signal';
import { STATE_MACHINE_ARN_ENV } from '../../lib/private/contracts/common';

function stateMachineArn(): string {
  const arn = process.env[STATE_MACHINE_ARN_ENV];
  if (!arn) throw new Error(`${STATE_MACHINE_ARN_ENV} is not set: the restore handler runs outside the provider that cdk-restore-constructs creates.`);
  return arn;
}

export function executionName(handleUrl: string): string {
  return `restore-${createHash('sha256').update(handleUrl).digest('hex').slice(0, 40)}`;
}

export function executionArn(machineArn: string, name: string): string {
  return `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

const client = () => new SFNClient({ maxAttempts: 6 });

/**
 * Starts an execution under a name made from what it is for, once: a retried request finds the execution its
 * first attempt started. Returns its ARN.
 */
async function startOnce(state: PollerState, name: string, doing: 'polling' | 'validating'): Promise<string> {
  try {
    await client().send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name, input: JSON.stringify(state) }));
    log(`Started ${doing} ${state.PhysicalResourceId} in execution ${name}`);
  } catch (error) {
    if ((error as Error)?.name !== 'ExecutionAlreadyExists') throw error;
    log(`Execution ${name} is already ${doing} ${state.PhysicalResourceId}`);
  }
  return executionArn(stateMachineArn(), name);
}

/** Starts polling a restore; `handleUrl` is its handle's URL, which names the execution. */
export async function startPolling(state: PollerState, handleUrl: string): Promise<void> {
  await startOnce(state, executionName(handleUrl), 'polling');
}

/**
 * Stops the polling of a restore whose resource is being deleted; nothing to stop is fine. A handle
 * already gone leaves nothing to find either: an execution still polling ends on its own, its signal
 * refused.
 */
export async function stopPolling(handle: WaitHandleRef | undefined): Promise<void> {
  if (!handle) return;
  let url: string;
  try {
    url = await waitHandleUrl(handle);
  } catch (error) {
    log(`Wait condition handle ${handle.WaitHandle} cannot be read (${(error as Error).message}), so its polling, if any, is left to end on its own`);
    return;
  }
  const arn = executionArn(stateMachineArn(), executionName(url));
  try {
    await client().send(new StopExecutionCommand({ executionArn: arn, cause: 'The restore resource is being deleted' }));
    log(`Stopped polling execution ${arn}`);
  } catch (error) {
    if ((error as Error)?.name !== 'ExecutionDoesNotExist') throw error;
  }
}

/**
 * The execution that runs one validation, named after the CloudFormation request that asked for it: a
 * retried request finds the one it started, and every new request (a new restore, a rollback's redeploy)
 * validates anew.
 */
export function validationExecutionName(stackId: string, logicalResourceId: string, requestId: string): string {
  return `validate-${createHash('sha256').update(`${stackId}|${logicalResourceId}|${requestId}`).digest('hex').slice(0, 40)}`;
}

/** Starts a validation; its execution's ARN is the validation resource's physical id. */
export async function startValidation(state: PollerState, name: string): Promise<string> {
  return startOnce(state, name, 'validating');
}

/** Where a validation's execution stands: running, or ended with its final state or its error. */
export interface ValidationExecution {
  readonly status: string;
  readonly output?: PollerState;
  readonly error?: string;
  readonly cause?: string;
}

export async function describeValidation(arn: string): Promise<ValidationExecution> {
  const out = await client().send(new DescribeExecutionCommand({ executionArn: arn }));
  return { status: String(out.status), output: out.output ? JSON.parse(out.output) : undefined, error: out.error, cause: out.cause };
}

/** Stops a validation that is still running; one that ended, or was never started, is left as it is. */
export async function stopValidation(arn: string): Promise<void> {
  try {
    const { status } = await describeValidation(arn);
    if (status !== 'RUNNING') return;
    await client().send(new StopExecutionCommand({ executionArn: arn, cause: 'The validation resource is being deleted' }));
    log(`Stopped validation execution ${arn}`);
  } catch (error) {
    if ((error as Error)?.name !== 'ExecutionDoesNotExist') throw error;
  }
}
