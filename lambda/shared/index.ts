import { logEvent, log } from './log';
import { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, RestoreKindHandler } from './types';
import { pollUntilDeadline } from './waiting';
import { POINT_IN_TIME_RESOURCE_TYPE } from '../../lib/private/contracts/point-in-time';
import { pointInTimeHandler } from '../point-in-time/handler';

/**
 * The one handler bundle of the stack's shared provider. The custom resource's type selects the
 * restore kind, so adding a construct adds no Lambda function.
 */
const KINDS: Record<string, RestoreKindHandler> = {
  [POINT_IN_TIME_RESOURCE_TYPE]: pointInTimeHandler,
};

function kindOf(resourceType: string): RestoreKindHandler {
  const kind = KINDS[resourceType];
  if (!kind) throw new Error(`No restore handler for resource type ${resourceType}; known types: ${Object.keys(KINDS).join(', ')}`);
  return kind;
}

export async function onEvent(event: OnEventRequest): Promise<OnEventResponse> {
  logEvent('onEvent', event);
  const response = await kindOf(event.ResourceType).onEvent(event);
  const answer = { ...response, WaitStartedAt: Date.now() };
  log('onEvent answer', answer);
  return answer;
}

export async function isComplete(event: IsCompleteRequest): Promise<IsCompleteResponse> {
  logEvent('isComplete', event);
  const answer = await pollUntilDeadline(kindOf(event.ResourceType), event);
  log('isComplete answer', answer);
  return answer;
}
