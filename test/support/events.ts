import { ownerToken } from '../../lambda/shared/ownership';
import type { IsCompleteRequest, OnEventRequest } from '../../lambda/shared/types';
import { OWNER_TAG_KEY, STACK_TAG_KEY } from '../../lib/private/contracts/common';

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/TestStack/5b6d3f10-0000-11ef-9c1e-0a1b2c3d4e5f';
export const LOGICAL_ID = 'RestoredRestore29EA0C78';
const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent';

/**
 * A CloudFormation custom-resource request as the Provider framework hands it over: every scalar
 * property is a string, as CloudFormation delivers them.
 */
export function cfnEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  resourceType: string,
  properties: Record<string, unknown>,
  extra: { PhysicalResourceId?: string; OldResourceProperties?: Record<string, unknown>; LogicalResourceId?: string } = {},
): OnEventRequest {
  const stringify = (props: Record<string, unknown>) => Object.fromEntries(Object.entries(props)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, typeof v === 'number' || typeof v === 'boolean' ? String(v) : v]));
  return {
    RequestType: requestType,
    ServiceToken: SERVICE_TOKEN,
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/presigned?X-Amz-Signature=secret',
    StackId: STACK_ID,
    RequestId: `req-${Math.random().toString(16).slice(2)}`,
    LogicalResourceId: extra.LogicalResourceId ?? LOGICAL_ID,
    ResourceType: resourceType,
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...stringify(properties) },
    ...(extra.PhysicalResourceId ? { PhysicalResourceId: extra.PhysicalResourceId } : {}),
    ...(extra.OldResourceProperties ? { OldResourceProperties: stringify(extra.OldResourceProperties) } : {}),
  } as OnEventRequest;
}

/** The event the framework passes to isComplete: the request merged with onEvent's answer. */
export function completeEvent(request: OnEventRequest, answer: { PhysicalResourceId: string; WaitStartedAt?: number }): IsCompleteRequest {
  return { ...request, ...answer } as IsCompleteRequest;
}

/** The owner tag a resource restored by the test events' stack resource carries. */
export const OWNER_TAG = { Key: OWNER_TAG_KEY, Value: ownerToken({ StackId: STACK_ID, LogicalResourceId: LOGICAL_ID }) };
/** The tag of what this version restores in the test stack, which the handler role's rights are conditioned on. */
export const STACK_TAG = { Key: STACK_TAG_KEY, Value: STACK_ID };

/** The wait condition handle the test events' restores signal, by stack and logical id. */
export const WAIT_HANDLE = { StackId: STACK_ID, WaitHandle: 'RestoreWaitHandle1A2B3C4D' };
