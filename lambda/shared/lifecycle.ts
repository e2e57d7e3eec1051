/**
 * The life of every restore kind, written once: which CloudFormation request starts a restore, which
 * changes the restored resource in place and which leaves it as it is. A kind fills small hooks (start, change
 * in place, delete, look, describe); what changes in place is its definition's `inPlace` list, and whether an
 * Update may restore anew its `restoresOnUpdate`. The ownership rules of a resource that the restore names
 * itself (adopt or refuse, owner-checked change and delete) are `owned-resource.ts`.
 */
import { log } from './log';
import { isOwnershipTag, requestToken } from './ownership';
import { IsCompleteRequest, OnEventRequest, OnEventResponse, PollResult, RestoreKindHandler, StackResourceRef } from './types';
import type { ApiTag, AttributesProperties, CommonRestoreProperties } from '../../lib/private/contracts/common';
import { restoreInputsOf } from '../../lib/private/contracts/common';
import type { RestoreKind } from '../../lib/private/kinds/kind';

/** What a kind does at each step of its restore's life. */
export interface LifecycleHooks<P extends CommonRestoreProperties> {
  readonly kind: RestoreKind<P>;
  /** Starts the restore, or adopts the one an earlier attempt of this request started. */
  start(event: OnEventRequest, props: P): Promise<OnEventResponse>;
  /** Applies a change of the in-place properties. Without it, an Update with the same restore inputs changes nothing. */
  changeInPlace?(event: OnEventRequest, id: string, old: P, props: P): Promise<void>;
  /**
   * One step of deleting what the restore made, on Delete and at each look until it is gone. Without it, a
   * Delete leaves the restored resource in place, and `leftInPlace` says so.
   */
  advanceDelete?(event: StackResourceRef, id: string, props: P): Promise<PollResult>;
  /** What a Delete that leaves the restored resource in place logs. */
  leftInPlace?(id: string, props: P): string;
  /** What an Update that changed restore inputs of a kind that never restores on Update logs. */
  keptOnUpdate?(id: string, props: P): string;
  /** One look at a running restore. */
  poll(event: IsCompleteRequest, props: P): Promise<PollResult>;
  /** The attributes of a finished restore. */
  describe(restored: AttributesProperties): Promise<Record<string, string>>;
}

/** Whether two sets of properties ask for the same restore: the same inputs, whatever the in-place ones are. */
export function sameRestore<P extends CommonRestoreProperties>(kind: RestoreKind<P>, old: P, props: P): boolean {
  return requestToken(restoreInputsOf(old, kind.inPlace)) === requestToken(restoreInputsOf(props, kind.inPlace));
}

/** The user's tags to remove and to set, from the old set to the new one; the ownership tags are never touched. */
export function tagChange(oldTags: readonly ApiTag[], newTags: readonly ApiTag[]): { removed: string[]; changed: ApiTag[] } {
  const wanted = new Map(newTags.filter((t) => !isOwnershipTag(t.Key)).map((t) => [t.Key, t.Value]));
  const removed = oldTags.map((t) => t.Key).filter((k) => !wanted.has(k) && !isOwnershipTag(k));
  const changed = [...wanted].filter(([k, v]) => oldTags.find((t) => t.Key === k)?.Value !== v).map(([Key, Value]) => ({ Key, Value }));
  return { removed, changed };
}

/** The handler of a kind, from its hooks: the switch of CloudFormation's requests, once for every kind. */
export function restoreLifecycle<P extends CommonRestoreProperties>(hooks: LifecycleHooks<P>): RestoreKindHandler {
  const { kind } = hooks;
  return {
    kind,
    async onEvent(event: OnEventRequest): Promise<OnEventResponse> {
      const props = kind.read(event.ResourceProperties);
      switch (event.RequestType) {
        case 'Create':
          return hooks.start(event, props);
        case 'Update': {
          const old = kind.read(event.OldResourceProperties);
          if (sameRestore(kind, old, props)) {
            await hooks.changeInPlace?.(event, event.PhysicalResourceId, old, props);
            return { PhysicalResourceId: event.PhysicalResourceId };
          }
          if (!kind.restoresOnUpdate) {
            if (hooks.keptOnUpdate) log(hooks.keptOnUpdate(event.PhysicalResourceId, props));
            return { PhysicalResourceId: event.PhysicalResourceId };
          }
          // A new physical id makes CloudFormation delete the old resource after the stack update succeeds.
          return hooks.start(event, props);
        }
        case 'Delete':
          if (hooks.advanceDelete) await hooks.advanceDelete(event, event.PhysicalResourceId, props);
          else if (hooks.leftInPlace) log(hooks.leftInPlace(event.PhysicalResourceId, props));
          return { PhysicalResourceId: event.PhysicalResourceId };
      }
    },

    async poll(event: IsCompleteRequest): Promise<PollResult> {
      const props = kind.read(event.ResourceProperties);
      if (event.RequestType === 'Delete') return hooks.advanceDelete ? hooks.advanceDelete(event, event.PhysicalResourceId, props) : { done: true, status: 'left in place' };
      return hooks.poll(event, props);
    },

    describe: (restored) => hooks.describe(restored),
  };
}
