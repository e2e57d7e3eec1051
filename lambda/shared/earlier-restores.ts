/**
 * Restores of the same construct that the stack still holds under another logical id. A kind whose every new
 * restore is a new resource (a restore into an existing instance) has its construct's path in the logical id
 * and its inputs in a hash after it: during the update that adds the new one, CloudFormation still holds the
 * one it replaces, and that one's template Metadata tells its restoreGeneration.
 */
import {
  CloudFormationClient, DescribeStackResourceCommand, ListStackResourcesCommand, StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import type { OnEventRequest } from './types';
import { GENERATION_METADATA_KEY } from '../../lib/private/contracts/common';

const client = () => new CloudFormationClient({ maxAttempts: 6 });

/** What comes before the hash: the construct's part of a logical id (`RecoverRestore` of `RecoverRestore0A1B...`). */
function constructPart(logicalId: string): string | undefined {
  return /^(.*Restore)[0-9A-F]+$/.exec(logicalId)?.[1];
}

/** Statuses of a resource that stands for a restore made: not one being created, failed to be, or gone. */
const standing = (status: string | undefined) => !!status && !/^DELETE_|^CREATE_(IN_PROGRESS|FAILED)$/.test(status);

/** The generation a resource's template Metadata records; absent is 0 (and every resource earlier versions made). */
function generationIn(metadata: string | undefined): number {
  try {
    const value = JSON.parse(metadata ?? '{}')?.[GENERATION_METADATA_KEY];
    return Number.isInteger(value) ? value : 0;
  } catch {
    return 0;
  }
}

/**
 * The logical id of another restore of this construct the stack holds, of the same restoreGeneration as this
 * one, or undefined. Failing to read the stack fails the question: the restore it guards is not undone.
 */
export async function sameGenerationRestore(
  event: Pick<OnEventRequest, 'StackId' | 'LogicalResourceId' | 'ResourceType'>, generation: number,
): Promise<string | undefined> {
  const part = constructPart(event.LogicalResourceId);
  if (!part) return undefined;
  const siblings: StackResourceSummary[] = [];
  try {
    let token: string | undefined;
    do {
      const out = await client().send(new ListStackResourcesCommand({ StackName: event.StackId, NextToken: token }));
      const ofThisConstruct = (r: StackResourceSummary) => r.ResourceType === event.ResourceType && r.LogicalResourceId !== event.LogicalResourceId
        && r.LogicalResourceId?.length === event.LogicalResourceId.length && constructPart(r.LogicalResourceId) === part;
      siblings.push(...(out?.StackResourceSummaries ?? []).filter((r) => ofThisConstruct(r) && standing(r.ResourceStatus)));
      token = out?.NextToken;
    } while (token);
    for (const sibling of siblings) {
      const input = { StackName: event.StackId, LogicalResourceId: sibling.LogicalResourceId };
      const detail = await client().send(new DescribeStackResourceCommand(input));
      if (generationIn(detail?.StackResourceDetail?.Metadata) === generation) return sibling.LogicalResourceId;
    }
  } catch (error) {
    throw new Error(`Reading the resources of stack ${event.StackId} failed (${(error as Error).name}: ${(error as Error).message}), so it is unknown `
      + 'whether this construct restored before under the same restoreGeneration; nothing was restored');
  }
  return undefined;
}
