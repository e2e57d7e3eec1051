/**
 * CloudFormation's update of a rehearsed stack to a new synth: what it sends each resource, in its order,
 * and its rollback when a resource fails.
 */
import { AssemblyStack, dependencyOrder } from './assembly';
import { planInWords, planUpdate } from './plan';
import { CustomResourceHandlers, handlersOf, PlayedStack, RequestOverrides, RequestType } from './provider-play';
import { StackState } from './stack-state';

/** The stack being played, with its template. */
export interface StackParts extends PlayedStack {
  readonly stack: AssemblyStack;
}

/** What of a rehearsal an update plays through. */
export interface UpdateHost {
  /** The custom resources the stack holds, in the order they were created. */
  readonly created: string[];
  readonly deleted: string[];
  /** The restores an Update was sent to. */
  readonly updated: string[];
  failureCount(): number;
  /** Records a failure of the update as a resource's. */
  fail(id: string, message: string): void;
  parts(): StackParts;
  /** Plays `stack` from now on; what `carried` knows of resources it keeps stays known. */
  moveTo(stack: AssemblyStack, carried?: StackState): void;
  back(parts: StackParts): void;
  playEach(step: (id: string) => Promise<void>): Promise<void>;
  create(id: string): Promise<void>;
  request(requestType: RequestType, id: string, handlers: CustomResourceHandlers, overrides?: RequestOverrides): Promise<void>;
  /** A request whose failure is recorded (a rollback's or clean-up's), answered by `played`'s functions; whether it succeeded. */
  tryRequest(
    label: string, requestType: RequestType, id: string, handlers: CustomResourceHandlers, overrides: RequestOverrides, played?: PlayedStack,
  ): Promise<boolean>;
  setStackStatus(status: string): void;
  print(line: string): void;
}

/** A custom resource the update sent an Update to, with what it had before. */
interface Changed {
  readonly id: string;
  readonly old: Record<string, unknown>;
  readonly physicalId: string;
}

const resolvedProps = (parts: PlayedStack, id: string) => parts.state.resolve(parts.resources[id].Properties ?? {}, id) as Record<string, unknown>;

/**
 * Plays the update of the created stack to `next`: an Update to each custom resource whose resolved properties
 * change (a new physical id replaces it: the old one is deleted once the update succeeded), a Create of each
 * new resource, then the Delete of what `next` no longer has. After a failure, nothing new is started and the
 * update is rolled back.
 */
export async function playUpdate(host: UpdateHost, next: AssemblyStack): Promise<void> {
  const deployed = host.parts();
  const kept = new Set(host.created);
  host.print(`UPDATE to ${next.assemblyDir}`);
  for (const line of planInWords(planUpdate(deployed.stack, next))) host.print(`    ${line}`);
  const retyped = Object.keys(next.resources).filter((id) => id in deployed.resources && deployed.resources[id].Type !== next.resources[id].Type);
  if (retyped.length) {
    // CloudFormation refuses such a template before it touches anything.
    for (const id of retyped) {
      host.fail(id, `${id}: Update of resource type is not permitted (${deployed.resources[id].Type} to ${next.resources[id].Type}); give it a new logical id`);
    }
    return;
  }
  host.moveTo(next, deployed.state);
  host.setStackStatus('UPDATE_IN_PROGRESS');
  const changed: Changed[] = [];
  const added: string[] = [];
  const failedBefore = host.failureCount();
  await host.playEach(async (id) => {
    // Once a resource failed, CloudFormation starts nothing more: it rolls back.
    if (host.failureCount() > failedBefore) return;
    const parts = host.parts();
    const handlers = handlersOf(parts.resources, parts.resources[id]);
    if (id in deployed.resources && deployed.state.creates(id) && (!handlers || kept.has(id))) {
      // Kept: CloudFormation calls a custom resource only when its properties change.
      if (!handlers) return;
      const old = resolvedProps(deployed, id);
      if (JSON.stringify(old) === JSON.stringify(resolvedProps(parts, id))) return;
      const physicalId = parts.state.physicalIds.get(id)!;
      host.print(`UPDATE ${id} (${parts.resources[id].Type}) ${physicalId}`);
      changed.push({ id, old, physicalId });
      await host.request('Update', id, handlers, { oldProperties: old });
      host.updated.push(id);
      const now = parts.state.physicalIds.get(id);
      host.print(`    physical id ${now}${now === physicalId ? '' : ` (replaces ${physicalId}, deleted once the update succeeds)`}`);
      return;
    }
    await host.create(id);
    if (handlers) added.push(id);
  });
  if (host.failureCount() > failedBefore) await rollBack(host, deployed, changed, added);
  else await cleanUp(host, deployed, changed, kept, next);
}

/** Newest first: the reverse of the order a template's resources are created in. */
const reverseOrder = (stack: AssemblyStack, ids: readonly string[]) => dependencyOrder(stack.resources).filter((id) => ids.includes(id)).reverse();

/**
 * The rollback of a failed update, answered by the functions it rolls back to: an Update back to the old
 * properties of each custom resource the update changed (the one that failed included), in the old template's
 * order; then the clean-up, newest first: the Delete of what the update created, and of a replacement whose
 * rollback went back to the old physical id.
 */
async function rollBack(host: UpdateHost, deployed: StackParts, changed: readonly Changed[], added: readonly string[]): Promise<void> {
  const updated = host.parts();
  // The old template's resources are all there still (the wait handles a rollback Update names among them).
  host.back(deployed);
  // The deployed stack again, its functions and executions recorded in the rehearsal's result.
  const rolledTo = host.parts();
  host.setStackStatus('UPDATE_ROLLBACK_IN_PROGRESS');
  const undone: Array<{ id: string; physicalId: string; properties: Record<string, unknown>; type: string }> = [];
  for (const id of dependencyOrder(deployed.resources).filter((d) => changed.some((c) => c.id === d))) {
    const { old } = changed.find((c) => c.id === id)!;
    const now = updated.state.physicalIds.get(id)!;
    const properties = resolvedProps(updated, id);
    const rolledBack = await host.tryRequest('ROLLBACK', 'Update', id, handlersOf(deployed.resources, deployed.resources[id])!,
      { properties: old, oldProperties: properties, physicalId: now }, rolledTo);
    if (!rolledBack) {
      // CloudFormation stops there: nothing more is rolled back or cleaned up until someone continues the rollback.
      host.setStackStatus('UPDATE_ROLLBACK_FAILED');
      return;
    }
    if (rolledTo.state.physicalIds.get(id) !== now) undone.push({ id, physicalId: now, properties, type: updated.resources[id].Type });
  }
  host.setStackStatus('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
  for (const id of reverseOrder(updated.stack, [...added, ...undone.map((u) => u.id)])) {
    const replaced = undone.find((u) => u.id === id);
    const overrides = replaced
      ?? { physicalId: updated.state.physicalIds.get(id)!, properties: resolvedProps(updated, id), type: updated.resources[id].Type };
    const handlers = handlersOf(updated.resources, updated.resources[id])!;
    await host.tryRequest('ROLLBACK', 'Delete', id, handlers, overrides, handlers.onEvent in deployed.resources ? rolledTo : updated);
    if (replaced) continue;
    host.created.splice(host.created.indexOf(id), 1);
    host.deleted.push(id);
  }
  host.setStackStatus('UPDATE_ROLLBACK_COMPLETE');
}

/**
 * After a successful update, CloudFormation deletes the old physical resources, newest first: what it replaced
 * and what the new template no longer has. The functions of the new template answer, or the old ones where
 * the new template has not the function (it goes after the resources it served).
 */
async function cleanUp(
  host: UpdateHost, deployed: StackParts, changed: readonly Changed[], kept: ReadonlySet<string>, next: AssemblyStack,
): Promise<void> {
  host.setStackStatus('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
  const parts = host.parts();
  const replaced = changed.filter((c) => parts.state.physicalIds.get(c.id) !== c.physicalId).map((c) => c.id);
  const removed = [...kept].filter((id) => !(id in next.resources));
  for (const id of reverseOrder(deployed.stack, [...replaced, ...removed])) {
    const handlers = handlersOf(deployed.resources, deployed.resources[id])!;
    const answering = handlers.onEvent in next.resources ? parts : deployed;
    const physicalId = changed.find((c) => c.id === id)?.physicalId ?? deployed.state.physicalIds.get(id);
    await host.tryRequest('CLEANUP', 'Delete', id, handlers, { type: deployed.resources[id].Type, physicalId, properties: resolvedProps(deployed, id) }, answering);
    if (!(id in next.resources)) {
      host.created.splice(host.created.indexOf(id), 1);
      host.deleted.push(id);
    }
  }
  host.setStackStatus('UPDATE_COMPLETE');
}
