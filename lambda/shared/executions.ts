import { createHash } from 'crypto';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { log } from './log';
import { PollerState } from './polling';
import { WaitHandleRef } from './signal';
import { STATE_MACHINE_ARN_ENV } from '../../lib/private/contracts/common';

/**
 * Executions of the per-stack polling state machine. An execution is named after its wait
 * handle (its stack and logical id, which CloudFormation never reuses together), so starting it twice
 * (a retried Create) starts it once, and a Delete can find and stop it without having stored anything.
 */

function stateMachineArn(): string {
  const arn = process.env[STATE_MACHINE_ARN_ENV];
  if (!arn) throw new Error(`${STATE_MACHINE_ARN_ENV} is not set: the restore handler runs outside the provider that cdk-restore-constructs creates.`);
  return arn;
}

export function executionName(handle: WaitHandleRef): string {
  return `restore-${createHash('sha256').update(`${handle.StackId}|${handle.WaitHandle}`).digest('hex').slice(0, 40)}`;
}

export function executionArn(machineArn: string, name: string): string {
  return `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

const client = () => new SFNClient({ maxAttempts: 6 });

export async function startPolling(state: PollerState): Promise<void> {
  const name = executionName(state.WaitHandle);
  try {
    await client().send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name, input: JSON.stringify(state) }));
    log(`Started polling ${state.PhysicalResourceId} in execution ${name}`);
  } catch (error) {
    // A retried Create: the first attempt's execution already polls this handle.
    if ((error as Error)?.name !== 'ExecutionAlreadyExists') throw error;
    log(`Execution ${name} already polls ${state.PhysicalResourceId}`);
  }
}

/** Stops the polling of a restore whose resource is being deleted; nothing to stop is fine. */
export async function stopPolling(handle: WaitHandleRef | undefined): Promise<void> {
  if (!handle) return;
  const arn = executionArn(stateMachineArn(), executionName(handle));
  try {
    await client().send(new StopExecutionCommand({ executionArn: arn, cause: 'The restore resource is being deleted' }));
    log(`Stopped polling execution ${arn}`);
  } catch (error) {
    if ((error as Error)?.name !== 'ExecutionDoesNotExist') throw error;
  }
}
