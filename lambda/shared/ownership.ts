import { createHash } from 'crypto';
import type { OnEventRequest } from './types';
import type { ApiTag } from '../../lib/private/contracts/cluster';
import { CONFIGURED_TAG_KEY, OWNER_TAG_KEY, REQUEST_TAG_KEY, RESTORED_TAG_KEY } from '../../lib/private/contracts/common';

/**
 * Ownership of what a restore creates. No restore API takes a client token, so a retried Create
 * finds the resource its first attempt made by name; these tags tell whether that resource is
 * this stack resource's own, and whether it was made from the same inputs.
 */

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Identifies the stack resource: its stack (with the stack's unique id) and logical id. */
export function ownerToken(event: Pick<OnEventRequest, 'StackId' | 'LogicalResourceId'>): string {
  return sha256(`${event.StackId}|${event.LogicalResourceId}`);
}

/** Identifies the restore inputs; key order does not matter. */
export function requestToken(inputs: Record<string, unknown>): string {
  const canonical = Object.keys(inputs).sort().map((k) => [k, inputs[k] ?? null]);
  return sha256(JSON.stringify(canonical));
}

export function ownershipTags(owner: string, request: string): ApiTag[] {
  return [{ Key: OWNER_TAG_KEY, Value: owner }, { Key: REQUEST_TAG_KEY, Value: request }];
}

export type Ownership = 'own' | 'own-other-inputs' | 'foreign';

export function ownershipOf(tags: ApiTag[], owner: string, request: string): Ownership {
  const value = (key: string) => tags.find((t) => t.Key === key)?.Value;
  if (value(OWNER_TAG_KEY) !== owner) return 'foreign';
  return value(REQUEST_TAG_KEY) === request ? 'own' : 'own-other-inputs';
}

/** Tags the library keeps on what it restores; a change to the user's tags never removes them. */
export function isOwnershipTag(key: string): boolean {
  return key === OWNER_TAG_KEY || key === REQUEST_TAG_KEY || key === RESTORED_TAG_KEY || key === CONFIGURED_TAG_KEY;
}
