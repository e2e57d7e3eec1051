/**
 * A rehearsal of a synthesized stack's restores, played locally through the handler bundles of its cloud
 * assembly against an AWS API emulator: CloudFormation's part (the order, the events, the wait conditions,
 * the rollback) is played here; the kinds' parts come from the rehearsal's registry (`kinds.ts`).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import { AssemblyStack, dependenciesOf, dependencyOrder, pickStack, readStacks, TemplateResource } from './assembly';
import { HeldResource, StackHistory } from './cloudformation';
import { playDrills } from './drills';
import { Emulator, emulatorAnswers, startMoto, useEmulator } from './emulator';
import { elapsedSince, ExecutionPlayer } from './executions';
import { FunctionRunner } from './functions';
import { unknownIntrinsics } from './intrinsics';
import { KindPlay } from './kind-play';
import * as kinds from './kinds';
import { RehearsalFailure, RehearsalResult, StandInState } from './outcome';
import { readDeployed } from './plan';
import { CustomResourceHandlers, handlersOf, PlayedStack, ProviderPlayer, RequestOverrides, RequestType } from './provider-play';
import { SignalReceiver } from './signal-receiver';
import { REGION, StackState } from './stack-state';
import { StepFunctionsStandIn } from './step-functions';
import { StackParts, playUpdate, UpdateHost } from './update-play';
import { ValidatorRunner } from './validators';
import type { DrillReport } from '../lambda/shared/drill-report';
import { executionName } from '../lambda/shared/executions';

export { RehearsalFailure } from './outcome';
export type { RehearsalResult, RehearsedExecution, RehearsedValidation, StandInState } from './outcome';

/**
 * A rehearsal: a synthesized stack's restores run locally, through the handler bundles of its
 * cloud assembly, against an AWS API emulator. The rehearsal plays CloudFormation (the event
 * sequence, the wait conditions), the CDK provider framework (onEvent, then isComplete until
 * complete), Step Functions and the polling state machine (its synthesized definition, interpreted); the
 * handlers and the app's Node.js validators run as in Lambda.
 */
export interface RehearsalOptions {
  /** The cloud assembly directory (cdk.out). */
  readonly app: string;
  /** The stack to rehearse; needed when the assembly has several. */
  readonly stack?: string;
  /** A running emulator; without it moto_server is started on a free 127.0.0.1 port. */
  readonly endpoint?: string;
  /** Leave what was created in place (no Delete events). */
  readonly keep?: boolean;
  /**
   * Before each restore, create in the emulator (or the stand-in) the sources it names that do not exist
   * yet, so any app rehearses without seeding. Without it a missing source fails as the service would.
   */
  readonly createSources?: boolean;
  /** Longest real pause between two polls: a rehearsal compresses the waits the handlers ask for. */
  readonly maxPauseMs?: number;
  /** Where the progress lines go. */
  readonly print?: (line: string) => void;
  /**
   * Called once every restore has been created and waited for, before the deletes: what the emulator and
   * the stand-ins hold then is the deployed stack's state.
   */
  readonly afterCreate?: (standIns: StandInState) => Promise<void>;
  /**
   * Once the stack is created, play one run of each drill of the stack (restore, validation, measures, delete), print its
   * report, and fail when a run fails or leaves anything behind.
   */
  readonly drill?: boolean;
  /** A file to write a JSON report to: the outcome, and what the emulator and the stand-ins held after Create and after Delete. */
  readonly report?: string;
  /**
   * The cloud assembly deployed before `app`: the rehearsal creates its stack first, then plays CloudFormation's
   * update to `app` (Update of each restore whose properties change, Create of what is new, Delete of what
   * is gone; on a failure, the rollback's Update back and Delete), then deletes the stack.
   */
  readonly updateFrom?: string;
}

const WAIT_TYPES = new Set(['AWS::CloudFormation::WaitConditionHandle', 'AWS::CloudFormation::WaitCondition']);

/** A handler's error in words that say when the emulator, not the restore, is at fault. */
export function describeError(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  if (/not (yet |been )?implemented|NotImplemented/i.test(message)) {
    return `the emulator does not implement an API this restore needs: ${message}`;
  }
  // moto answers an API it lacks with an HTML error page, which the SDK then fails to parse.
  if (/<html|<!doctype|Unexpected token '<'|mismatched tags/i.test(message)) {
    return `the emulator does not implement an API this restore needs (it answered with an HTML page): ${message}`;
  }
  return message;
}

/** The handler's logs carried by an error, shown with it. */
function logsOf(error: unknown): string[] {
  return (error as { logs?: string[] })?.logs ?? [];
}

/** What a rehearsal did to each resource, as the result tells it. */
class Tally {
  readonly created: string[] = [];
  readonly deleted: string[] = [];
  readonly notRehearsed: string[] = [];
  readonly failed: Record<string, string> = {};
  readonly deleteFailed: Record<string, string> = {};
  /** Restores and waits not run because something they need failed. */
  readonly skipped: string[] = [];
  /** The stack's own resources that createSources made in the emulator, for the restores that refer to them. */
  readonly made: string[] = [];
  /** Everything not run because something it needs failed or was not run for that reason. */
  readonly blocked = new Set<string>();

  get failures(): string[] {
    return [...Object.values(this.failed), ...Object.values(this.deleteFailed)];
  }
}

/**
 * The custom resources a stack holds, with their template Metadata, as ListStackResources tells them: those of
 * the stack played, and during an update those of the stack it updates that it has not deleted yet.
 */
function heldResources(created: readonly string[], played: StackParts, previous?: StackParts): HeldResource[] {
  return created.map((id) => {
    const { resources, state } = id in played.resources ? played : previous!;
    return { LogicalResourceId: id, PhysicalResourceId: state.physicalIds.get(id) ?? '', ResourceType: resources[id].Type, Metadata: resources[id].Metadata };
  });
}

/** Makes a resource of the stack in the emulator, when it is of a type the emulator holds (a KMS key, a bucket). */
async function madeInEmulator({ state, resources }: StackParts, id: string, print: (line: string) => void): Promise<boolean> {
  const made = await state.makeInEmulator(id);
  if (made) print(`MADE   ${id} (${resources[id].Type}) in the emulator: ${made}`);
  return made !== undefined;
}

/** What the kinds' stand-ins hold. */
function standInStateOf(plays: Iterable<KindPlay>): StandInState {
  const empty: StandInState = { huaweiJobs: [], backupJobs: [], elasticSnapshots: { held: [], deleted: [] }, s3Imports: [], dataApiClusters: [] };
  return Object.assign(empty, ...[...plays].map((play) => play.state?.() ?? {}));
}

class Rehearsal implements UpdateHost {
  /** The stack played, replaced by the new one when an update is played. */
  private played!: StackParts & { readonly validators: ValidatorRunner };
  /** During an update, the stack it updates, whose resources CloudFormation holds until the clean-up. */
  private previous?: StackParts;
  private readonly stepFunctions = new StepFunctionsStandIn();
  private readonly receiver: SignalReceiver;
  private readonly provider: ProviderPlayer;
  /** What DescribeStacks and DescribeStackEvents tell the handlers. */
  private readonly history: StackHistory;
  readonly updated: string[] = [];
  drills: DrillReport[] = [];
  /** Each kind's part, by its custom resource type. */
  private readonly plays: Map<string, KindPlay>;
  private readonly endpointVariables: string[] = [];
  private readonly tally = new Tally();

  constructor(
    stack: AssemblyStack,
    readonly print: (line: string) => void,
    private readonly maxPauseMs: number,
    private readonly createSources: boolean,
    emulator: string,
    private readonly drill = false,
  ) {
    this.moveTo(stack);
    this.history = new StackHistory(stack.name, this.state.stackId);
    const ours = (stackId: string) => stackId === this.state.stackId;
    const held = (stackId: string) => (ours(stackId) ? heldResources(this.tally.created, this.played, this.previous) : []);
    this.receiver = new SignalReceiver(this.stepFunctions, (stackId, id) => (ours(stackId) ? this.state.physicalIds.get(id) : undefined),
      () => this.history.status, held, (stackId) => (ours(stackId) ? this.history.events : []));
    const context = { emulator, createSources, print };
    this.plays = new Map(Object.values(kinds).map((kind) => [kind.kind.resourceType, kind.play(context)]));
    const options = { maxPauseMs, print, completed: (...args: [string, string, RequestType, string]) => this.history.completed(...args) };
    this.provider = new ProviderPlayer(() => this.played, this.plays, this.stepFunctions, () => this.receiver.endpoint, options);
  }

  private get resources(): Record<string, TemplateResource> { return this.played.resources; }
  private get state(): StackState { return this.played.state; }
  get created(): string[] { return this.tally.created; }
  get deleted(): string[] { return this.tally.deleted; }
  parts(): StackParts { return this.played; }
  failureCount(): number { return Object.keys(this.tally.failed).length; }
  fail(id: string, message: string): void {
    this.tally.failed[id] = message;
    this.print(`FAILED ${message}`);
  }
  setStackStatus(status: string): void { this.history.setStatus(status); }
  back(parts: StackParts): void {
    this.moveTo(parts.stack, parts.state, parts.state);
    this.previous = undefined;
  }

  /**
   * Plays `stack` from now on: its functions, validators and state machines from its assembly. What `carried`
   * knows of the resources the stack keeps stays known (`as`: the very state, when going back to it).
   */
  moveTo(stack: AssemblyStack, carried?: StackState, as?: StackState): void {
    const state = as ?? new StackState(stack);
    // A wait condition has attributes (its Data) and no physical id the rehearsal keeps.
    const known = as || !carried ? [] : new Set([...carried.physicalIds.keys(), ...carried.attributes.keys()]);
    for (const id of [...known].filter((k) => stack.resources[k]?.Type === this.played.resources[k]?.Type)) {
      if (carried!.physicalIds.has(id)) state.physicalIds.set(id, carried!.physicalIds.get(id)!);
      if (carried!.attributes.has(id)) state.attributes.set(id, carried!.attributes.get(id)!);
    }
    const functions = new FunctionRunner(stack, state, this.print);
    const validators = new ValidatorRunner(stack, functions, this.print);
    const executions = new ExecutionPlayer(stack.resources, state, functions, validators, { maxPauseMs: this.maxPauseMs, print: this.print });
    // The record of what was played and validated goes on across the stacks.
    executions.executions.push(...this.played?.executions.executions ?? []);
    validators.validations.push(...this.played?.validators.validations ?? []);
    if (carried) this.previous = this.played;
    this.played = { stack, resources: stack.resources, state, functions, validators, executions };
  }

  request(requestType: RequestType, id: string, handlers: CustomResourceHandlers, overrides?: RequestOverrides): Promise<void> {
    return this.provider.run(requestType, id, handlers, overrides);
  }

  /** Serves the signals, CloudFormation, Step Functions and the kinds' stand-ins, and leads the handlers to them. */
  async start(): Promise<void> {
    await this.receiver.start();
    const variables: Record<string, string> = {
      AWS_ENDPOINT_URL_CLOUDFORMATION: this.receiver.endpoint,
      AWS_ENDPOINT_URL_SFN: this.receiver.endpoint,
    };
    for (const play of this.plays.values()) Object.assign(variables, await play.start?.());
    Object.assign(process.env, variables);
    this.endpointVariables.push(...Object.keys(variables));
  }

  stop(): void {
    for (const variable of this.endpointVariables) delete process.env[variable];
    this.receiver.close();
    for (const play of this.plays.values()) play.close?.();
  }

  /** Plays the polling state machine for the execution that signals this wait condition's handle. */
  private async runWait(id: string): Promise<void> {
    const handleId = String(this.resources[id].Properties?.Handle?.Ref ?? '');
    const handleUrl = this.state.physicalIds.get(handleId);
    if (!handleUrl) throw new RehearsalFailure(`${id}: its Handle is not a Ref to a wait condition handle of the stack`);
    // A restore whose polling could not start tells its wait condition FAILURE itself.
    const told = this.receiver.firstSignal(handleUrl);
    if (told && told.Status !== 'SUCCESS') throw new RehearsalFailure(`${id}: the wait condition was signalled ${told.Status}: ${told.Reason}`);
    const start = Date.now();
    const execution = this.stepFunctions.named(executionName(handleUrl));
    if (!execution && told) {
      // An Update that restores nothing tells its new wait condition SUCCESS at once.
      this.state.attributes.set(id, { Data: JSON.stringify({ [told.UniqueId]: told.Data }) });
      this.print(`    signalled SUCCESS at once: ${told.Reason}`);
      return;
    }
    if (!execution) throw new RehearsalFailure(`${id}: no polling execution signals this wait condition, so CloudFormation would wait until its Timeout`);
    await this.played.executions.play(id, execution);
    const signal = this.receiver.firstSignal(handleUrl);
    if (!signal) throw new RehearsalFailure(`${id}: the poller ended without signalling the wait condition`);
    // What Fn::GetAtt Data of a wait condition gives: the signals' data by unique id.
    this.state.attributes.set(id, { Data: JSON.stringify({ [signal.UniqueId]: signal.Data }) });
    if (signal.Status !== 'SUCCESS') throw new RehearsalFailure(`${id}: the wait condition was signalled ${signal.Status}: ${signal.Reason}`);
    this.print(`    signalled SUCCESS after ${elapsedSince(start)}: ${signal.Reason}`);
  }

  standInState(): StandInState { return standInStateOf(this.plays.values()); }

  /** Deletes what was created, newest first; a failed delete does not keep the others from going, nor hide what failed before. */
  private async deleteAll(label: string): Promise<void> {
    for (const id of [...this.tally.created].reverse()) {
      this.print(`${label} ${id} (${this.resources[id].Type}) ${this.state.physicalIds.get(id)}`);
      try {
        await this.request('Delete', id, handlersOf(this.resources, this.resources[id])!);
        this.tally.deleted.push(id);
      } catch (error) {
        this.played.functions.showLogs(logsOf(error));
        this.tally.deleteFailed[id] = `${id}: delete failed: ${describeError(error)}`;
        this.print(`FAILED ${this.tally.deleteFailed[id]}`);
      }
    }
  }

  /** A resource CloudFormation would not get to, as something it needs failed: the restores that do not need it go on. */
  private blockedBy(id: string): string | undefined {
    return dependenciesOf(this.resources, id).find((d) => d in this.tally.failed || this.tally.blocked.has(d));
  }

  /** Creates one resource of the stack as CloudFormation would, as far as the rehearsal plays it. */
  async create(id: string): Promise<void> {
    const resource = this.resources[id];
    const handlers = handlersOf(this.resources, resource);
    if (resource.Type === 'AWS::CloudFormation::WaitConditionHandle') {
      this.state.physicalIds.set(id, `${this.receiver.endpoint}/${id}`);
    } else if (resource.Type === 'AWS::CloudFormation::WaitCondition') {
      this.print(`WAIT   ${id}`);
      await this.runWait(id);
    } else if (handlers) {
      this.print(`CREATE ${id} (${resource.Type})`);
      await this.request('Create', id, handlers);
      this.tally.created.push(id);
      const shown = Object.entries(this.state.attributes.get(id) ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
      this.print(`    physical id ${this.state.physicalIds.get(id)}${shown ? `; attributes: ${shown}` : ''}`);
    } else if (this.createSources && await madeInEmulator(this.played, id, this.print)) {
      this.tally.made.push(id);
    } else {
      this.tally.notRehearsed.push(id);
    }
  }

  /** Runs `step` on each resource in dependency order, as CloudFormation would reach it: not past what it needs that failed. */
  async playEach(step: (id: string) => Promise<void>): Promise<void> {
    const tally = this.tally;
    for (const id of dependencyOrder(this.resources)) {
      const blocker = this.blockedBy(id);
      if (blocker) {
        tally.blocked.add(id);
        if (handlersOf(this.resources, this.resources[id]) || WAIT_TYPES.has(this.resources[id].Type)) {
          tally.skipped.push(id);
          this.print(`SKIPPED ${id}: it needs ${blocker}, which ${blocker in tally.failed ? 'failed' : 'was skipped'}`);
        } else {
          tally.notRehearsed.push(id);
        }
        continue;
      }
      try {
        // A resource whose condition is false is not in the stack CloudFormation makes.
        if (this.state.creates(id)) await step(id);
      } catch (error) {
        const message = error instanceof RehearsalFailure ? error.message : `${id}: ${describeError(error)}`;
        this.played.functions.showLogs(logsOf(error));
        this.print(`FAILED ${message}`);
        tally.failed[id] = message;
      }
    }
  }

  /** One request to a custom resource, its failure recorded as a failed delete (a rollback's or clean-up's step). */
  async tryRequest(
    label: string, requestType: RequestType, id: string, handlers: CustomResourceHandlers, overrides: RequestOverrides, played?: PlayedStack,
  ): Promise<boolean> {
    this.print(`${label} ${id} (${overrides.type ?? this.resources[id].Type}) ${overrides.physicalId ?? this.state.physicalIds.get(id)}`);
    try {
      await this.provider.run(requestType, id, handlers, overrides, played);
      return true;
    } catch (error) {
      this.played.functions.showLogs(logsOf(error));
      this.tally.deleteFailed[`${id} (${label.toLowerCase()})`] = `${id}: ${label.toLowerCase()} failed: ${describeError(error)}`;
      this.print(`FAILED ${id}: ${describeError(error)}`);
      return false;
    }
  }

  async run(keep: boolean, afterCreate?: (standIns: StandInState) => Promise<void>, next?: AssemblyStack): Promise<RehearsalResult> {
    const tally = this.tally;
    await this.playEach((id) => this.create(id));
    const createFailed = Object.keys(tally.failed).length > 0;
    this.setStackStatus(createFailed ? 'ROLLBACK_IN_PROGRESS' : 'CREATE_COMPLETE');
    if (next && !createFailed) await playUpdate(this, next);
    if (this.drill && !createFailed) this.drills = await playDrills(this.played.executions, this.print, this.fail.bind(this), emulatorClusters);
    if (afterCreate) await afterCreate(this.standInState());
    // After a failed Create CloudFormation rolls the whole stack back: everything created is deleted.
    if (!keep) await this.deleteAll(createFailed ? 'ROLLBACK' : 'DELETE');
    const result = this.result();
    if (tally.failures.length) {
      const skipped = tally.skipped.length ? `, ${tally.skipped.length} skipped as they needed a failed one` : '';
      throw new RehearsalFailure(`${tally.failures.length} failed${skipped}: ${tally.failures.join('; ')}`, result);
    }
    return result;
  }

  private result(): RehearsalResult {
    const { created, deleted, notRehearsed, failed, deleteFailed, made, skipped } = this.tally;
    const rehearsed = (id: string) => handlersOf(this.resources, this.resources[id]) !== undefined;
    return {
      stack: this.played.stack.name,
      endpoint: '',
      created,
      deleted,
      notRehearsed,
      attributes: Object.fromEntries([...this.state.attributes].filter(([id]) => rehearsed(id))),
      failed: { ...failed, ...deleteFailed },
      made,
      skipped,
      validations: this.played.validators.validations,
      executions: this.played.executions.executions,
      ...(this.updated.length ? { updated: this.updated } : {}),
      ...(this.drill ? { drills: this.drills } : {}),
      ...this.standInState(),
    };
  }
}

/** Stops a rehearsal before it starts when the template uses a function it cannot resolve, naming both. */
function checkIntrinsics(stack: AssemblyStack): void {
  const unknown = [
    ...Object.entries(stack.resources).flatMap(([id, resource]) => unknownIntrinsics(resource.Properties).map((fn) => `${fn} (in ${id})`)),
    ...Object.entries(stack.conditions).flatMap(([name, condition]) => unknownIntrinsics(condition).map((fn) => `${fn} (in condition ${name})`)),
  ];
  if (unknown.length) {
    throw new RehearsalFailure(`The stack ${stack.name} uses intrinsic functions the rehearsal does not resolve: ${unknown.join(', ')}. `
      + 'It resolves those aws-cdk-lib emits; a template written another way cannot be rehearsed.');
  }
}

/** The DB clusters the emulator holds (RDS and Neptune share its backend, but each client lists its own engines). */
export async function emulatorClusters(): Promise<string[]> {
  const ids = new Set<string>();
  for (const [client, sdk] of [[new rds.RDSClient({}), rds], [new neptune.NeptuneClient({}), neptune]] as Array<[any, any]>) {
    const out = await client.send(new sdk.DescribeDBClustersCommand({}));
    for (const cluster of out.DBClusters ?? []) ids.add(cluster.DBClusterIdentifier);
  }
  return [...ids].sort();
}

/**
 * Runs the rehearsal and, with `report`, writes what the emulator and the stand-ins held after Create and
 * after Delete, and the outcome, as JSON: for pipelines, and for checks that run where a test cannot reach.
 */
async function runReporting(rehearsal: Rehearsal, options: RehearsalOptions, next?: AssemblyStack): Promise<RehearsalResult> {
  let afterCreate: object | undefined;
  const hook = async (standIns: StandInState) => {
    if (options.report) afterCreate = { standIns, clusters: await emulatorClusters() };
    await options.afterCreate?.(standIns);
  };
  let result: RehearsalResult | undefined;
  let failure: unknown;
  try {
    result = await rehearsal.run(options.keep ?? false, hook, next);
  } catch (error) {
    failure = error;
  }
  if (options.report) {
    fs.writeFileSync(options.report, JSON.stringify({
      passed: failure === undefined,
      failure: failure === undefined ? undefined : (failure as Error).message,
      afterCreate,
      afterDelete: { standIns: rehearsal.standInState(), clusters: await emulatorClusters() },
      result: result ?? (failure instanceof RehearsalFailure ? failure.result : undefined),
    }, null, 2));
  }
  if (failure !== undefined) throw failure;
  return result!;
}

/** Runs a rehearsal; throws RehearsalFailure when the rehearsed stack fails. */
export async function rehearse(options: RehearsalOptions): Promise<RehearsalResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const next = pickStack(readStacks(options.app), options.stack);
  const stack = options.updateFrom ? readDeployed(options.updateFrom, next.name) : next;
  if (options.updateFrom && !(fs.statSync(options.updateFrom).isDirectory() && fs.existsSync(path.join(stack.assemblyDir, 'manifest.json')))) {
    throw new Error(`--update-from needs the cloud assembly that was deployed (its handlers are run), not a template: ${options.updateFrom}`);
  }
  checkIntrinsics(stack);
  if (options.updateFrom) checkIntrinsics(next);
  let emulator: Emulator | undefined;
  let endpoint = options.endpoint;
  if (endpoint) {
    if (!(await emulatorAnswers(endpoint))) {
      throw new Error(`No AWS API emulator answers at ${endpoint}. Start one (moto_server -H 127.0.0.1 -p 5000), or leave out --endpoint and the rehearsal starts moto_server itself.`);
    }
  } else {
    try {
      emulator = await startMoto();
    } catch (error) {
      throw new Error(`${(error as Error).message}. Install it, or pass --endpoint <url> of a running AWS API emulator.`);
    }
    endpoint = emulator.endpoint;
  }
  const undoEnv = useEmulator(endpoint, REGION);
  const rehearsal = new Rehearsal(stack, print, options.maxPauseMs ?? 500, options.createSources ?? false, endpoint, options.drill);
  try {
    const from = options.updateFrom ? `${options.updateFrom}, then its update to ${options.app},` : options.app;
    print(`Rehearsing stack ${stack.name} from ${from} against ${endpoint}${emulator ? ' (moto_server started for this rehearsal)' : ''}`);
    await rehearsal.start();
    const result = await runReporting(rehearsal, options, options.updateFrom ? next : undefined);
    if (result.notRehearsed.length) {
      const byType = new Map<string, string[]>();
      // After an update, what was not rehearsed may be in either template.
      const typeOf = (id: string) => (next.resources[id] ?? stack.resources[id]).Type;
      for (const id of result.notRehearsed) byType.set(typeOf(id), [...(byType.get(typeOf(id)) ?? []), id]);
      print(`Not rehearsed (${result.notRehearsed.length} resources; references to them resolved to <placeholders>):`);
      for (const [type, ids] of byType) print(`    ${type}: ${ids.join(', ')}`);
    }
    for (const v of result.validations) print(`Validation ${v.resource} by ${v.validator}: ${v.outcome}${v.message ? ` (${v.message})` : ''}`);
    const updated = result.updated?.length ? `, ${result.updated.length} updated` : '';
    print(`Rehearsal passed: ${result.created.length} resource(s) created and waited for${updated}, ${result.deleted.length} deleted${options.keep ? ' (--keep: left in place)' : ''}.`);
    return { ...result, endpoint };
  } finally {
    rehearsal.stop();
    undoEnv();
    await emulator?.stop();
  }
}
