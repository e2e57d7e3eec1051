/**
 * The ownership rules of a restored resource that the restore names and tags itself, written once for every
 * such kind: a retried Create adopts what its first attempt made and refuses anyone else's, nothing is changed
 * or deleted without this stack resource's owner tag, what is not found is gone, and what an earlier version
 * of the library made is claimed for its stack before it is touched.
 */
import { log } from './log';
import { missingStackTag, ownershipOf, ownershipTags, ownerToken, requestToken } from './ownership';
import { continueRollbackWithout, isRollingBack } from './stack-status';
import { OnEventRequest, OnEventResponse, PollResult, StackResourceRef } from './types';
import { ApiTag, CommonRestoreProperties, OWNER_TAG_KEY, restoreInputsOf } from '../../lib/private/contracts/common';
import type { RestoreKind } from '../../lib/private/kinds/kind';

/** How a kind finds, tags and names its restored resource `R`, and starts the restore that makes it. */
export interface OwnedResource<P extends CommonRestoreProperties, R> {
  readonly kind: RestoreKind<P>;
  /** What a restore does to make it, for logs: `restored`, `copied`. */
  readonly made: string;
  /** The resource in messages: `DB cluster "orders"`. */
  describe(resource: R): string;
  /** The resource of the name this restore gives it, or undefined when there is none. */
  findByName(props: P): Promise<R | undefined>;
  /** Its physical id, as this restore's properties name it. */
  idOf(resource: R, props: P): string;
  /**
   * For a name the construct derives: what this restore may have made under an earlier derived name (the
   * construct names it again when a setting that once named it changes), with each one's physical id.
   */
  earlier?(props: P): Promise<{ readonly resource: R; readonly id: string }[]>;
  /** Its status, as the service names it. */
  statusOf(resource: R): string;
  /** Whether that status is a delete under way. */
  isDeleting(status: string): boolean;
  tagsOf(resource: R): Promise<ApiTag[]>;
  addTags(resource: R, tags: ApiTag[]): Promise<void>;
  /** Why a retried Create refuses the resource of its name: another's, or this stack resource's from other inputs. */
  refusal(resource: R, ownership: 'foreign' | 'own-other-inputs'): string;
  /** What only the live account can tell, checked before the restore starts. */
  preflight(props: P): Promise<void>;
  /** Starts the restore, its resource tagged with the user's tags and these ownership tags; its physical id. */
  start(props: P, ownership: ApiTag[]): Promise<string>;
  /** Whether the start failed only because the name is taken, perhaps by another attempt of this same request. */
  isNameTaken(error: unknown): boolean;
  /** The error a failed start is told as. */
  startFailure(error: unknown, props: P): Error;
}

async function adoptOrRefuse<P extends CommonRestoreProperties, R>(
  owned: OwnedResource<P, R>, resource: R, props: P, owner: string, request: string, rollingBack: boolean,
): Promise<OnEventResponse> {
  const ownership = ownershipOf(await owned.tagsOf(resource), owner, request);
  // A rollback returns to what this stack resource made before the update, whose request tag an earlier version
  // of the library may have hashed from another set of inputs.
  if (ownership === 'foreign' || (ownership === 'own-other-inputs' && !rollingBack)) throw new Error(owned.refusal(resource, ownership));
  log(`Adopting ${owned.describe(resource)}: this stack resource ${owned.made} it from the same inputs`);
  return { PhysicalResourceId: owned.idOf(resource, props) };
}

/**
 * A rollback returns to what this stack resource restored before the update. Not under the name its old properties
 * give (the construct derived another one since), it is this stack resource's own among the earlier names, other
 * than what the update made; restoring anew would only copy the old restore once more.
 */
async function keepEarlier<P extends CommonRestoreProperties, R>(
  owned: OwnedResource<P, R>, event: OnEventRequest & { PhysicalResourceId?: string }, props: P, owner: string,
): Promise<OnEventResponse> {
  const own = [];
  for (const candidate of await owned.earlier?.(props) ?? []) {
    if (candidate.id === event.PhysicalResourceId) continue;
    if ((await owned.tagsOf(candidate.resource)).some((t) => t.Key === OWNER_TAG_KEY && t.Value === owner)) own.push(candidate);
  }
  if (own.length === 1) {
    log(`Rolling back to ${owned.describe(own[0].resource)}, which this stack resource ${owned.made} under its earlier name`);
    return { PhysicalResourceId: own[0].id };
  }
  throw new Error('Rolling back, this update would restore anew: what was restored before it is not under the name its old properties give '
    + `(${owned.kind.derivedName ? String((props as Record<string, unknown>)[owned.kind.derivedName]) : 'their name'})`
    + `${own.length ? `, and ${own.length} resources of earlier names are this stack resource's` : ''}. Nothing was restored, and what was `
    + `restored before the update is still there. ${continueRollbackWithout(event)}`);
}

/** A Create (or an Update's new restore): adopts this request's own resource of that name, refuses another's, or starts the restore. */
export async function startOwned<P extends CommonRestoreProperties, R>(
  owned: OwnedResource<P, R>, event: OnEventRequest, props: P,
): Promise<OnEventResponse> {
  const owner = ownerToken(event);
  const request = requestToken(restoreInputsOf(props, owned.kind.inPlace));
  const rollingBack = event.RequestType === 'Update' && await isRollingBack(event.StackId);
  const existing = await owned.findByName(props);
  if (existing) return adoptOrRefuse(owned, existing, props, owner, request, rollingBack);
  if (rollingBack) return keepEarlier(owned, event, props, owner);
  await owned.preflight(props);
  try {
    return { PhysicalResourceId: await owned.start(props, ownershipTags(owner, request, event.StackId)) };
  } catch (error) {
    if (!owned.isNameTaken(error)) throw owned.startFailure(error, props);
    // Another attempt of this same request may have got there first.
    const raced = await owned.findByName(props);
    if (!raced) throw owned.startFailure(error, props);
    return adoptOrRefuse(owned, raced, props, owner, request, rollingBack);
  }
}

/** Gives what an earlier version of the library made the stack tag, without which the handler role may not change it. */
export async function claimForStack<P extends CommonRestoreProperties, R>(
  owned: OwnedResource<P, R>, resource: R, tags: ApiTag[], stackId: string,
): Promise<void> {
  const missing = missingStackTag(tags, stackId);
  if (!missing.length) return;
  log(`Tagging ${owned.describe(resource)} with its stack, as this version of the library tags what it ${owned.made}`);
  await owned.addTags(resource, missing);
}

/**
 * Before an Update changes a resource in place: its owner tag must show that this stack resource made it (else
 * the Update fails and changes nothing), and it is claimed for its stack.
 */
export async function ownedForChange<P extends CommonRestoreProperties, R>(
  owned: OwnedResource<P, R>, resource: R, event: StackResourceRef,
): Promise<void> {
  const tags = await owned.tagsOf(resource);
  const owner = tags.find((t) => t.Key === OWNER_TAG_KEY)?.Value;
  if (owner !== ownerToken(event)) {
    throw new Error(`${owned.describe(resource)} was not made by this stack resource (its ${OWNER_TAG_KEY} tag is ${owner === undefined ? 'missing' : `"${owner}"`}), `
      + 'so this update does not change it. Give the construct another name for what it restores, or remove that resource from outside the stack first.');
  }
  await claimForStack(owned, resource, tags, event.StackId);
}

/**
 * Where a delete stands before it removes anything: done when the resource is gone or is not this stack
 * resource's (left alone), waiting while a delete is under way; else the resource's tags, claimed for its
 * stack, and the delete may go on.
 */
export async function ownedForDelete<P extends CommonRestoreProperties, R>(
  owned: OwnedResource<P, R>, resource: R | undefined, event: StackResourceRef,
): Promise<PollResult | { tags: ApiTag[]; status: string }> {
  if (!resource) return { done: true, status: 'deleted' };
  const status = owned.statusOf(resource);
  if (owned.isDeleting(status)) return { done: false, status };
  const tags = await owned.tagsOf(resource);
  if (tags.find((t) => t.Key === OWNER_TAG_KEY)?.Value !== ownerToken(event)) {
    log(`${owned.describe(resource)} was not ${owned.made} by this stack resource (it lacks its ${OWNER_TAG_KEY} tag), so this delete leaves it alone`);
    return { done: true, status: 'left alone: not this stack resource\'s' };
  }
  await claimForStack(owned, resource, tags, event.StackId);
  return { tags, status };
}
