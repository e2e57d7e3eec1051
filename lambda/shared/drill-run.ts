/**
 * One step of a restore drill's run. A drill's state machine invokes this, waits as long as it says, and invokes
 * it again until it says done; every decision lives here. A run restores through the kind's own handler (the
 * one the deploy-time restore uses), into a resource of its own name and tags, adds what the construct builds
 * on it (a cluster's writer), has the user's validator check it, measures it, keeps it for the hold time, and
 * deletes it without a final snapshot: it is a copy. Whatever fails, the run goes on to delete what it made.
 */
import { createHash } from 'crypto';
import { SFNClient, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { DrillReport, DrillReporter } from './drill-report';
import { errorText, isTransient } from './errors';
import { log } from './log';
import { validationVerdict } from './polling';
import { clip } from './signal';
import { IsCompleteRequest, OnEventRequest, PollResult, RestoreKindHandler } from './types';
import { ApiTag, asCloudFormationDelivers, readTags, ValidationEvent } from '../../lib/private/contracts/common';
import { DRILL_EXPIRES_TAG_KEY, DRILL_MARGIN_SECONDS, DRILL_TAG_KEY, DrillConfig } from '../../lib/private/contracts/drill';

/** Where a run stands. */
export type DrillPhase = 'begin' | 'starting' | 'restoring' | 'adding parts' | 'validating' | 'holding' | 'removing parts' | 'deleting';

/** The state carried from one step of a run to the next (the state machine's data). */
export interface DrillState {
  readonly Config: DrillConfig;
  /** The execution and its state machine, from the context object. */
  readonly Execution: string;
  readonly StateMachine: string;
  readonly phase?: DrillPhase;
  /** When the run started the restore (epoch milliseconds). */
  readonly StartedAt?: number;
  /** The drill restore's properties and the name it gives; what it made (its physical id), once started. */
  readonly Properties?: Record<string, unknown>;
  readonly Name?: string;
  readonly RestoredId?: string;
  /** When the run gives up waiting for its deletes, so that it ends (and reports) before its state machine times out. */
  readonly Deadline?: number;
  /** The source's latest restorable time when the run started (epoch milliseconds): what a restore then would lose. */
  readonly LatestTime?: number;
  /** What was restored from, in words, and the restored point's time (epoch milliseconds) where known. */
  readonly RestorePoint?: string;
  readonly PointTime?: number;
  /** When the restored resource was usable, and when its validation ended. */
  readonly UsableAt?: number;
  readonly ValidatedAt?: number;
  readonly Verdict?: { readonly passed: boolean; readonly message: string };
  /** Why the run failed; the run then deletes what it made. */
  readonly Failure?: string;
  /** The parts the run added (DB instances), and what it has deleted. */
  readonly Parts?: readonly string[];
  readonly Deleted?: readonly string[];
  readonly LastStatus?: string;
  /** Whether a delete of the restored resource was seen under way: only then did the run delete it. */
  readonly DeleteSeen?: boolean;
  /** Steps in a row that failed outright (the state machine caught them). */
  readonly StepFailures?: number;
  readonly done?: boolean;
  readonly waitSeconds?: number;
  readonly error?: { readonly Error?: string; readonly Cause?: string };
  readonly validate?: { readonly FunctionArn: string; readonly Event: ValidationEvent; readonly TimeoutSeconds: number };
  readonly validation?: { readonly Payload?: unknown; readonly Error?: string; readonly Cause?: string };
  readonly Report?: DrillReport;
}

/** A run's restore: its properties, the point in words, and the point's time (epoch milliseconds) where known. */
export interface DrillRestore {
  readonly properties: Record<string, unknown>;
  readonly restorePoint: string;
  readonly pointTime?: number;
  /** The source's latest restorable time, where it tells. */
  readonly latestTime?: number;
}

/** What a kind adds to a drill: how a run names its restore and chooses its point, and the parts it builds on it. */
export interface DrillTarget {
  readonly resourceType: string;
  /**
   * The drill restore's properties (the restore's, under the run's name, tags and point) and the point in words
   * with its time. Reads what it needs from the live account (the source's restorable window).
   */
  prepare(config: DrillConfig, name: string, tags: ApiTag[]): Promise<DrillRestore>;
  /** One look at the parts the run adds to the restored resource (a cluster's writer): started, then done once usable. */
  addParts(config: DrillConfig, state: DrillState, tags: ApiTag[]): Promise<PollResult & { parts: readonly string[] }>;
  /** One look at deleting those parts; done once they are gone. */
  removeParts(config: DrillConfig, state: DrillState): Promise<PollResult>;
  /** Marks what the run made as expired now, so that the sweeper deletes what the run gave up on. */
  expire(config: DrillConfig, state: DrillState, now: number): Promise<void>;
  /** The physical id of what the run named, when it exists (a start that died may have made it); undefined when not. */
  locate(config: DrillConfig, name: string): Promise<string | undefined>;
}

export interface DrillDependencies {
  readonly now: () => number;
  readonly kindOf: (resourceType: string) => RestoreKindHandler;
  readonly targetOf: (resourceType: string) => DrillTarget;
  /** The other runs of this drill still going (execution ARNs). */
  readonly runningOthers: (stateMachine: string, execution: string) => Promise<string[]>;
  readonly report: DrillReporter;
}

/** Steps in a row that may fail outright before the run gives up; the sweeper deletes what is left. */
const MAX_STEP_FAILURES = 5;

/** How often a run looks at a restore, or a delete, under way. */
const LOOK_SECONDS = 60;

/**
 * The run's name for what it restores: the drill's prefix, the run's start in UTC to the second, and a hash of
 * the execution, so that two runs started in the same second never share (and adopt) one resource.
 */
export function drillResourceName(config: Pick<DrillConfig, 'NamePrefix'>, at: number, execution: string): string {
  const stamp = new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${config.NamePrefix}${stamp}-${createHash('sha256').update(execution).digest('hex').slice(0, 4)}`;
}

/** How long a run may go on: its restore, validation and hold, and the time its deletes take. */
const runBudgetSeconds = (config: DrillConfig) =>
  config.TimeoutSeconds + (config.Validation?.TimeoutSeconds ?? 0) + config.HoldSeconds + DRILL_MARGIN_SECONDS;

/** The logical id the run's restore is owned under: the drill's, not the deploy-time restore's. */
function drillLogicalId(config: DrillConfig): string {
  return `Drill${createHash('sha256').update(config.DrillPath).digest('hex').slice(0, 16).toUpperCase()}`;
}

/** The tags of everything a run makes: the user's, the drill tag, and when the sweeper may take it. */
export function drillTags(config: DrillConfig, startedAt: number): ApiTag[] {
  const expires = startedAt + runBudgetSeconds(config) * 1000;
  const raw = config.ResourceProperties.Tags;
  const own = raw && !Array.isArray(raw) && typeof raw === 'object'
    ? Object.entries(raw as Record<string, unknown>).map(([Key, Value]) => ({ Key, Value: String(Value) })) : readTags(raw) ?? [];
  return [...own.filter((t) => !t.Key.startsWith('cdk-restore-constructs:')),
    { Key: DRILL_TAG_KEY, Value: config.StackName }, { Key: DRILL_EXPIRES_TAG_KEY, Value: new Date(expires).toISOString() }];
}

/** The request CloudFormation would send for the drill's restore: how the kind's own handler is driven. */
function requestOf(state: DrillState, type: 'Create' | 'Delete'): OnEventRequest & IsCompleteRequest {
  const { Config: config } = state;
  return {
    RequestType: type,
    ServiceToken: 'drill',
    ResponseURL: 'drill',
    StackId: config.StackId,
    RequestId: state.Execution,
    LogicalResourceId: drillLogicalId(config),
    ResourceType: config.ResourceType,
    ResourceProperties: { ServiceToken: 'drill', ...asCloudFormationDelivers(state.Properties) as Record<string, unknown> },
    PhysicalResourceId: state.RestoredId ?? state.Name ?? '',
    WaitStartedAt: state.StartedAt,
  } as unknown as OnEventRequest & IsCompleteRequest;
}

const next = (state: DrillState, change: Partial<DrillState>, waitSeconds = 0): DrillState => {
  const { error: _error, validation: _validation, validate: _validate, ...rest } = state;
  return { ...rest, ...change, StepFailures: 0, done: false, waitSeconds };
};

/** The run fails: it goes on to delete what it made, and reports why. */
function failed(state: DrillState, reason: string): DrillState {
  log(`The drill run ${state.Execution} failed: ${reason}`);
  return next(state, { Failure: clip(state.Failure ? `${state.Failure}; then ${reason}` : reason), phase: 'removing parts' });
}

/** What of the run's name exists after a start that failed or died: the kind finds it (a copy by name, its id an ARN). */
async function locate(state: DrillState, deps: DrillDependencies): Promise<string | undefined> {
  if (!state.Name) return undefined;
  try {
    return await deps.targetOf(state.Config.ResourceType).locate(state.Config, state.Name);
  } catch (error) {
    // Unknown: the run goes on as if it exists; the delete's first look tells.
    log(`Looking for ${state.Name} failed (${errorText(error)})`);
    return state.Name;
  }
}

async function begin(state: DrillState, deps: DrillDependencies): Promise<DrillState> {
  let others: string[];
  try {
    others = await deps.runningOthers(state.StateMachine, state.Execution);
  } catch (error) {
    // Nothing is made yet: a throttled look is looked again, not a failed run.
    if (isTransient(error)) return next(state, { LastStatus: `other runs unknown (${(error as Error).name})` }, 30);
    throw error;
  }
  if (others.length) {
    const reason = `the run ${others[0]} of this drill is still going, so this run restores nothing`;
    log(`Skipped: ${reason}`);
    const report = await deps.report(state, { skipped: reason });
    return { ...next(state, {}), done: true, Report: report };
  }
  const startedAt = deps.now();
  const name = drillResourceName(state.Config, startedAt, state.Execution);
  const started = { ...state, StartedAt: startedAt, Deadline: startedAt + (runBudgetSeconds(state.Config) - DRILL_MARGIN_SECONDS / 2) * 1000 };
  try {
    const prepared = await deps.targetOf(state.Config.ResourceType).prepare(state.Config, name, drillTags(state.Config, startedAt));
    // Kept before the restore starts: a step that dies while starting it still knows what to delete.
    return next(started, {
      Name: name, Properties: prepared.properties, RestorePoint: prepared.restorePoint, PointTime: prepared.pointTime, LatestTime: prepared.latestTime, phase: 'starting',
    });
  } catch (error) {
    return { ...failed(started, errorText(error)), phase: 'deleting' };
  }
}

async function starting(state: DrillState, deps: DrillDependencies): Promise<DrillState> {
  log(`Drill ${state.Config.DrillName}: restoring ${state.RestorePoint} as ${state.Name}`);
  try {
    const answer = await deps.kindOf(state.Config.ResourceType).onEvent(requestOf(state, 'Create'));
    return next(state, { RestoredId: answer.PhysicalResourceId, phase: 'restoring' }, 20);
  } catch (error) {
    // Refused before anything was made (a pre-flight), or failed once the service took it: whatever of its name
    // exists is deleted, and a first look that finds nothing deletes nothing.
    return failed({ ...state, RestoredId: await locate(state, deps) }, errorText(error));
  }
}

async function restoring(state: DrillState, deps: DrillDependencies): Promise<DrillState> {
  const elapsed = deps.now() - state.StartedAt!;
  let result: PollResult;
  try {
    result = await deps.kindOf(state.Config.ResourceType).poll(requestOf(state, 'Create'));
  } catch (error) {
    if (!isTransient(error)) return failed(state, errorText(error));
    result = { done: false, status: `unknown (${(error as Error).name})` };
  }
  if (result.done) return next(state, { UsableAt: deps.now(), LastStatus: result.status, phase: 'adding parts' });
  if (elapsed + LOOK_SECONDS * 1000 >= state.Config.TimeoutSeconds * 1000) {
    return failed(state, `the restore did not finish within ${state.Config.TimeoutSeconds}s (last status "${result.status}")`);
  }
  return next(state, { LastStatus: result.status }, LOOK_SECONDS);
}

async function addingParts(state: DrillState, deps: DrillDependencies): Promise<DrillState> {
  let result: PollResult & { parts: readonly string[] };
  try {
    result = await deps.targetOf(state.Config.ResourceType).addParts(state.Config, state, drillTags(state.Config, state.StartedAt!));
  } catch (error) {
    if (!isTransient(error)) return failed(state, errorText(error));
    result = { done: false, status: `unknown (${(error as Error).name})`, parts: state.Parts ?? [] };
  }
  if (!result.done) {
    if (deps.now() - state.StartedAt! >= state.Config.TimeoutSeconds * 1000) {
      return failed({ ...state, Parts: result.parts }, `its parts were not usable within ${state.Config.TimeoutSeconds}s (last status "${result.status}")`);
    }
    return next(state, { Parts: result.parts, LastStatus: result.status }, LOOK_SECONDS);
  }
  const usable = { ...state, Parts: result.parts, UsableAt: deps.now() };
  const validation = state.Config.Validation;
  if (!validation) return measured(usable, deps);
  const attributes = await deps.kindOf(state.Config.ResourceType).describe({
    RestoreResourceType: state.Config.ResourceType, RestoredId: state.RestoredId!, Engine: state.Properties?.Engine as string | undefined,
  });
  const event: ValidationEvent = {
    kind: state.Config.ResourceType.replace(/^Custom::/, ''),
    constructPath: state.Config.RestorePath,
    stackId: state.Config.StackId,
    physicalResourceId: state.RestoredId!,
    attributes,
    restorePoint: state.RestorePoint ?? '',
    restoreSeconds: Math.round((usable.UsableAt - state.StartedAt!) / 1000),
    drill: state.Config.DrillPath,
  };
  log(`Validating ${state.RestoredId} with ${validation.FunctionArn} (at most ${validation.TimeoutSeconds}s)`);
  return { ...next(usable, { phase: 'validating' }), validate: { FunctionArn: validation.FunctionArn, Event: event, TimeoutSeconds: validation.TimeoutSeconds } };
}

/** The recovery is over (validated, or usable without a validation): hold it, then delete it. */
function measured(state: DrillState, deps: DrillDependencies): DrillState {
  const hold = state.Config.HoldSeconds;
  log(`${state.RestoredId} is ${state.Verdict ? 'validated' : 'usable'}; held for ${hold}s before it is deleted`);
  return next(state, { ValidatedAt: deps.now(), phase: 'holding' }, hold);
}

function validating(state: DrillState, deps: DrillDependencies): DrillState {
  const verdict = validationVerdict(state.validation ?? { Error: 'States.Runtime', Cause: 'no answer' }, state.Config.Validation?.TimeoutSeconds ?? 0);
  const judged = { ...state, Verdict: { passed: verdict.passed, message: clip(verdict.message) } };
  log(`The validation of ${state.RestoredId} ${verdict.passed ? 'passed' : 'failed'}${verdict.message ? `: ${verdict.message}` : ''}`);
  if (!verdict.passed) return failed(judged, `the validation failed: ${verdict.message}`);
  return measured(judged, deps);
}

/** Past its deadline a run stops waiting for its deletes, so that it still reports: the sweeper deletes the rest. */
async function gaveUp(state: DrillState, deps: DrillDependencies, what: string): Promise<DrillState> {
  await deps.targetOf(state.Config.ResourceType).expire(state.Config, state, deps.now()).catch((error) => log(`Marking ${state.RestoredId} expired failed: ${errorText(error)}`));
  return ended({ ...state, Failure: clip(`${state.Failure ? `${state.Failure}; then ` : ''}${what}; the hourly sweep deletes what is left`) }, deps);
}

async function removingParts(state: DrillState, deps: DrillDependencies): Promise<DrillState> {
  const result = await deps.targetOf(state.Config.ResourceType).removeParts(state.Config, state);
  if (!result.done) {
    if (state.Deadline !== undefined && deps.now() > state.Deadline) return gaveUp(state, deps, `its parts were still not deleted at the run's deadline (${result.status})`);
    return next(state, { LastStatus: result.status }, LOOK_SECONDS);
  }
  return next(state, { Deleted: [...state.Deleted ?? [], ...state.Parts ?? []], phase: 'deleting' });
}

async function deleting(state: DrillState, deps: DrillDependencies): Promise<DrillState> {
  if (!state.RestoredId) return ended(state, deps);
  const result = await deps.kindOf(state.Config.ResourceType).poll(requestOf(state, 'Delete'));
  if (!result.done) {
    if (state.Deadline !== undefined && deps.now() > state.Deadline) return gaveUp(state, deps, `${state.RestoredId} was still not deleted at the run's deadline (status "${result.status}")`);
    return next(state, { LastStatus: result.status, DeleteSeen: true }, LOOK_SECONDS);
  }
  // Gone at the first look: the run never made it (a start that died before the restore began), or someone deleted it.
  if (!state.DeleteSeen) return ended(next(state, { RestoredId: undefined }), deps);
  return ended(next(state, { Deleted: [...state.Deleted ?? [], state.RestoredId] }), deps);
}

async function ended(state: DrillState, deps: DrillDependencies): Promise<DrillState> {
  const report = await deps.report(state, {});
  return { ...next(state, {}), done: true, Report: report };
}

/**
 * One step of a run. A step that failed outright (the state machine caught it) is a failure of the phase it
 * was in; after several in a row the run ends, and what it made is left to the sweeper.
 */
export async function drillStep(state: DrillState, deps: DrillDependencies): Promise<DrillState> {
  if (state.error) {
    const failures = (state.StepFailures ?? 0) + 1;
    const reason = `a step failed (${state.error.Error}): ${clip(state.error.Cause ?? '', 300)}`;
    // A step that died while starting the restore may have started it: what the run named is deleted like what it made.
    const known = state.phase === 'starting' ? { ...state, RestoredId: await locate(state, deps) } : state;
    if (failures >= MAX_STEP_FAILURES) {
      return { ...await gaveUp({ ...known, Failure: state.Failure ?? reason }, deps, `the run gave up after ${failures} failed steps`), StepFailures: failures };
    }
    const cleaning = state.phase === 'removing parts' || state.phase === 'deleting';
    return { ...(cleaning ? next(known, {}, LOOK_SECONDS) : failed(known, reason)), StepFailures: failures };
  }
  switch (state.phase ?? 'begin') {
    case 'begin': return begin(state, deps);
    case 'starting': return starting(state, deps);
    case 'restoring': return restoring(state, deps);
    case 'adding parts': return addingParts(state, deps);
    case 'validating': return validating(state, deps);
    case 'holding': return next(state, { phase: 'removing parts' });
    case 'removing parts': return removingParts(state, deps);
    case 'deleting': return deleting(state, deps);
  }
}

/** The other executions of this drill's state machine that are still running. */
export async function runningOthers(stateMachine: string, execution: string): Promise<string[]> {
  const sfn = new SFNClient({ maxAttempts: 6 });
  const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stateMachine, statusFilter: 'RUNNING', maxResults: 10 }));
  return (out.executions ?? []).map((e) => e.executionArn ?? '').filter((arn) => arn && arn !== execution);
}
