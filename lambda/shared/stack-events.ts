/**
 * What a stack resource was before the update CloudFormation is running or rolling back, from the stack's
 * events (newest first): the physical id its last completed create or update before the update began gave it.
 */
import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import type { StackResourceRef } from './types';

/** Pages of events read before giving up: an old resource's last event may lie far back. */
const MAX_PAGES = 50;

/**
 * The physical id the resource had when the current (or rolled back) update began, or undefined when the events
 * read do not tell it.
 */
export async function physicalIdBeforeUpdate(event: StackResourceRef): Promise<string | undefined> {
  const cfn = new CloudFormationClient({ maxAttempts: 6 });
  let begun = false;
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await cfn.send(new DescribeStackEventsCommand({ StackName: event.StackId, NextToken: token }));
    for (const e of out?.StackEvents ?? []) {
      if (!begun) {
        begun = e.ResourceType === 'AWS::CloudFormation::Stack' && e.ResourceStatus === 'UPDATE_IN_PROGRESS';
        continue;
      }
      if (e.LogicalResourceId === event.LogicalResourceId && /^(CREATE|UPDATE)_COMPLETE$/.test(e.ResourceStatus ?? '')) return e.PhysicalResourceId;
    }
    token = out?.NextToken;
    if (!token) return undefined;
  }
  return undefined;
}
