/**
 * The life of every restore kind, written once: which CloudFormation request starts a restore, which
 * changes the restored resource in place and which leaves it as it is. A kind fills small hooks (start, change
 * in place, delete, look, describe); what changes in place is its definition's `inPlace` list, and whether an
 * Update may restore anew its `restoresOnUpdate`; an Update that changes restore inputs without asking for a new
 * restore is refused. The ownership rules of a resource that the restore names
 * itself (adopt or refuse, owner-checked change and delete) are `owned-resource.ts`.
 */
import { log } from './log';
import { isOwnershipTag } from './ownership';
import { clip } from './signal';
import { isRollingBack } from './stack-status';
import { IsCompleteRequest, OnEventRequest, OnEventResponse, PollResult, RestoreKindHandler, StackResourceRef } from './types';
import type { ApiTag, AttributesProperties, CommonRestoreProperties } from '../../lib/private/contracts/common';
import { restoreInputsOf } from '../../lib/private/contracts/common';
import type { RestoreKind } from '../../lib/private/kinds/kind';

/** What a kind does at each step of its restore's life. */
export interface LifecycleHooks<P extends CommonRestoreProperties> {
  readonly kind: RestoreKind<P>;
  /** Starts the restore, or adopts the one an earlier attempt of this request started. */
  start(event: OnEventRequest, props: P): Promise<OnEventResponse>;
  /**
   * Applies a change of the in-place properties, or what of it the resource can take now (a busy resource
   * takes it at a later look). Without it, an Update with the same restore inputs changes nothing.
   */
  changeInPlace?(event: OnEventRequest, id: string, old: P, props: P): Promise<void>;
  /**
   * One look at an in-place change, through the provider framework's isComplete: it sends what the resource
   * could not take before, and is done once the resource has taken the change. Without it, the change is done
   * when `changeInPlace` returns.
   */
  settleInPlace?(event: IsCompleteRequest, id: string, old: P, props: P): Promise<PollResult>;
  /**
   * One step of deleting what the restore made, on Delete and at each look until it is gone. Without it, a
   * Delete leaves the restored resource in place, and `leftInPlace` says so.
   */
  advanceDelete?(event: StackResourceRef, id: string, props: P): Promise<PollResult>;
  /** What a Delete that leaves the restored resource in place logs. */
  leftInPlace?(id: string, props: P): string;
  /** One look at a running restore. */
  poll(event: IsCompleteRequest, props: P): Promise<PollResult>;
  /** The attributes of a finished restore. */
  describe(restored: AttributesProperties): Promise<Record<string, string>>;
}

/** A restore input whose value, as CloudFormation resolved it, an Update changes. */
export interface InputChange {
  readonly property: string;
  readonly from: unknown;
  readonly to: unknown;
}

/**
 * The restore inputs two sets of properties differ in, by their resolved values: whatever the in-place ones
 * are, and without a derived name that changed alone (what was restored keeps its name).
 */
export function restoreInputChanges<P extends CommonRestoreProperties>(kind: RestoreKind<P>, old: P, props: P): InputChange[] {
  const before = restoreInputsOf(old, kind.inPlace);
  const after = restoreInputsOf(props, kind.inPlace);
  const kept = props.NameDerived && kind.derivedName ? [kind.derivedName] : [];
  const value = (v: unknown) => JSON.stringify(v ?? null);
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    .filter((key) => !kept.includes(key) && value(before[key]) !== value(after[key]))
    .map((property) => ({ property, from: before[property], to: after[property] }));
}

const GENERATION = 'RestoreGeneration';

/** A restore input's value in words: a sensitive one is not shown, a long one is cut. */
export function shownValue(kind: Pick<RestoreKind, 'sensitive'>, property: string, value: unknown, max = 200): string {
  return (kind.sensitive ?? []).includes(property) ? '(not shown: sensitive)' : clip(JSON.stringify(value ?? null), max);
}

/** The changes in words, sensitive values not shown. */
function changesInWords(kind: RestoreKind, changes: readonly InputChange[]): string {
  const shown = (property: string, v: unknown) => shownValue(kind, property, v);
  return changes.filter((c) => c.property !== GENERATION).map((c) => `${c.property} from ${shown(c.property, c.from)} to ${shown(c.property, c.to)}`).join('; ');
}

/**
 * Why an Update that changes restore inputs does not restore anew, or undefined when it asks to and can: its
 * `restoreGeneration` changed too, and with it the wait, so CloudFormation waits for the new restore.
 */
export function newRestoreRefusal(
  kind: RestoreKind, event: Extract<OnEventRequest, { RequestType: 'Update' }>, changes: readonly InputChange[],
): string | undefined {
  const id = event.PhysicalResourceId;
  const changed = changesInWords(kind, changes);
  if (!changes.some((c) => c.property === GENERATION)) {
    return `This Update changes restore inputs of ${id}, which no API changes on what was restored: ${changed}. A new restore is made only when `
      + `asked for, so nothing was changed. To restore anew, give restoreGeneration a new value with this change (${kind.removal ? 'the old '
      + 'one is then removed by its removal policy' : 'what the old one made is left as it is'}), and a new name if you gave the restored resource `
      + `one (the old one holds it until it is removed); to keep ${id}, put the old values back.`;
  }
  if (!kind.restoresOnUpdate) {
    return `This Update asks ${id} to restore again${changed ? ` (${changed})` : ''}, but a restore into an existing instance is never repeated by an `
      + 'Update: its construct makes a new restoreGeneration a new resource. Nothing was changed.';
  }
  if (event.OldResourceProperties.WaitHandle === event.ResourceProperties.WaitHandle) {
    return `This Update asks ${id} for a new restore, but its wait condition is the old one, so CloudFormation would not wait for it: `
      + 'restoreGeneration must be a literal, which names the wait at synth. Nothing was changed.';
  }
  return undefined;
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
  const changeInPlace = async (event: Extract<OnEventRequest, { RequestType: 'Update' }>, old: P, props: P): Promise<OnEventResponse> => {
    await hooks.changeInPlace?.(event, event.PhysicalResourceId, old, props);
    if (!hooks.settleInPlace) return { PhysicalResourceId: event.PhysicalResourceId };
    return { PhysicalResourceId: event.PhysicalResourceId, InPlace: true, ...(await isRollingBack(event.StackId) ? { Rollback: true } : {}) };
  };
  return {
    kind,
    async onEvent(event: OnEventRequest): Promise<OnEventResponse> {
      const props = kind.read(event.ResourceProperties);
      switch (event.RequestType) {
        case 'Create':
          return hooks.start(event, props);
        case 'Update': {
          const old = kind.read(event.OldResourceProperties);
          const changes = restoreInputChanges(kind, old, props);
          if (!changes.length) return changeInPlace(event, old, props);
          const refusal = newRestoreRefusal(kind, event, changes);
          if (refusal) {
            if (!await isRollingBack(event.StackId)) throw new Error(refusal);
            // Undoing an update that was refused, or one that changed only in-place settings while the
            // inputs it compared differently (an upgrade's derived name): keep the resource, settings as before.
            log(`Rolling back: ${event.PhysicalResourceId} is kept, its in-place settings as the old properties say`);
            return changeInPlace(event, old, props);
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
      if (event.RequestType === 'Update' && event.InPlace) {
        return hooks.settleInPlace ? hooks.settleInPlace(event, event.PhysicalResourceId, kind.read(event.OldResourceProperties), props) : { done: true, status: 'changed' };
      }
      return hooks.poll(event, props);
    },

    describe: (restored) => hooks.describe(restored),
  };
}
