import { createHash } from 'crypto';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { log } from './log';
import { PollerState } from './polling';
import { WaitHandleRef, waitHandleUrl } from './signal';
import { STATE_MACHINE_ARN_ENV } from '../../lib/private/contracts/common';

/**
 * Executions of the per-stack polling state machine. An execution is named after a hash of its wait
 * handle's URL, so starting it twice (a retried Create) starts it once, and a Delete can find and stop
 * it without having stored anything. Not after the handle's logical id: that comes back with the same
 * inputs (a redeploy after a rollback), and Step Functions keeps a closed execution's name for 90 days,
 * whereas every handle CloudFormation creates has a URL of its own.
 */

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

/** Starts polling a restore; `handleUrl` is its handle's URL, which names the execution. */
export async function startPolling(state: PollerState, handleUrl: string): Promise<void> {
  const name = executionName(handleUrl);
  try {
    await client().send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name, input: JSON.stringify(state) }));
    log(`Started polling ${state.PhysicalResourceId} in execution ${name}`);
  } catch (error) {
    // A retried Create: the first attempt's execution already polls this handle.
    if ((error as Error)?.name !== 'ExecutionAlreadyExists') throw error;
    log(`Execution ${name} already polls ${state.PhysicalResourceId}`);
  }
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
