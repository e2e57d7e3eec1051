/**
 * Whether CloudFormation is rolling the stack back. An Update carries no mark of being a rollback's, and a
 * rollback Update must be answered even where the same change, asked for, is refused.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { StackResourceRef } from './types';

/** How to go on when a rollback Update cannot go back and starts nothing: the rollback continues without the resource. */
export function continueRollbackWithout(event: StackResourceRef): string {
  return `Continue the rollback without this resource: aws cloudformation continue-update-rollback --resources-to-skip ${event.LogicalResourceId} `
    + `--stack-name ${event.StackId}`;
}

/** The stack's status says it is undoing an update (UPDATE_ROLLBACK_IN_PROGRESS). */
export async function isRollingBack(stackId: string): Promise<boolean> {
  let status: string | undefined;
  try {
    const out = await new CloudFormationClient({ maxAttempts: 6 }).send(new DescribeStacksCommand({ StackName: stackId }));
    status = out?.Stacks?.[0]?.StackStatus;
  } catch (error) {
    throw new Error(`Reading the status of stack ${stackId} failed (${(error as Error).name}: ${(error as Error).message}), so it is unknown whether `
      + 'this Update is a rollback\'s');
  }
  return status === 'UPDATE_ROLLBACK_IN_PROGRESS';
}
