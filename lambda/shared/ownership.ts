/**
 * Ownership of what a restore creates. No restore API takes a client token, so a retried Create
 * finds the resource its first attempt made by name; these tags tell whether that resource is
 * this stack resource's own, and whether it was made from the same inputs.
 */
import { createHash } from 'crypto';
import type { StackResourceRef } from './types';
import type { ApiTag } from '../../lib/private/contracts/common';
import { CHANGED_TAG_KEY, CONFIGURED_TAG_KEY, OWNER_TAG_KEY, REQUEST_TAG_KEY, RESTORED_TAG_KEY, STACK_TAG_KEY } from '../../lib/private/contracts/common';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Identifies the stack resource: its stack (with the stack's unique id) and logical id. */
export function ownerToken(event: StackResourceRef): string {
  return sha256(`${event.StackId}|${event.LogicalResourceId}`);
}

/** Identifies the restore inputs; key order does not matter. */
export function requestToken(inputs: Record<string, unknown>): string {
  const canonical = Object.keys(inputs).sort().map((k) => [k, inputs[k] ?? null]);
  return sha256(JSON.stringify(canonical));
}

/** The tags a restore puts on what it makes: its owner, its inputs, and its stack (which the handler role's rights name). */
export function ownershipTags(owner: string, request: string, stackId: string): ApiTag[] {
  return [{ Key: OWNER_TAG_KEY, Value: owner }, { Key: REQUEST_TAG_KEY, Value: request }, { Key: STACK_TAG_KEY, Value: stackId }];
}

/**
 * The stack tag, when what an earlier version of the library made lacks it: the handler role may change or
 * delete only what carries it, so the handler adds it (which the role allows) before it changes anything.
 */
export function missingStackTag(tags: ApiTag[], stackId: string): ApiTag[] {
  // Another value (copied with a source's tags, say) is no claim either: the role's rights name this stack's id.
  return tags.some((t) => t.Key === STACK_TAG_KEY && t.Value === stackId) ? [] : [{ Key: STACK_TAG_KEY, Value: stackId }];
}

export type Ownership = 'own' | 'own-other-inputs' | 'foreign';

export function ownershipOf(tags: ApiTag[], owner: string, request: string): Ownership {
  const value = (key: string) => tags.find((t) => t.Key === key)?.Value;
  if (value(OWNER_TAG_KEY) !== owner) return 'foreign';
  return value(REQUEST_TAG_KEY) === request ? 'own' : 'own-other-inputs';
}

/** Tags the library keeps on what it restores; a change to the user's tags never removes them. */
export function isOwnershipTag(key: string): boolean {
  return [OWNER_TAG_KEY, REQUEST_TAG_KEY, RESTORED_TAG_KEY, CONFIGURED_TAG_KEY, CHANGED_TAG_KEY, STACK_TAG_KEY].includes(key);
}
