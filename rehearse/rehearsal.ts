/**
 * A rehearsal of a synthesized stack's restores, played locally through the handler bundles of its cloud
 * assembly against an AWS API emulator: CloudFormation's part (the order, the events, the wait conditions,
 * the rollback) is played here; the kinds' parts come from the rehearsal's registry (`kinds.ts`).
 */
import * as fs from 'fs';
import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import { AssemblyStack, dependenciesOf, dependencyOrder, pickStack, readStacks, TemplateResource } from './assembly';
import { Emulator, emulatorAnswers, startMoto, useEmulator } from './emulator';
import { elapsedSince, ExecutionPlayer } from './executions';
import { FunctionRunner } from './functions';
import { asCloudFormationDelivers, unknownIntrinsics } from './intrinsics';
import { KindPlay } from './kind-play';
import * as kinds from './kinds';
import { RehearsalFailure, RehearsalResult, StandInState } from './outcome';
import { SignalReceiver } from './signal-receiver';
import { REGION, StackState } from './stack-state';
import { StepFunctionsStandIn } from './step-functions';
import { ValidatorRunner } from './validators';
import { executionName } from '../lambda/shared/executions';
import { VALIDATION_RESOURCE_TYPE } from '../lib/private/contracts/common';

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
  /** A file to write a JSON report to: the outcome, and what the emulator and the stand-ins held after Create and after Delete. */
  readonly report?: string;
}

const WAIT_TYPES = new Set(['AWS::CloudFormation::WaitConditionHandle', 'AWS::CloudFormation::WaitCondition']);

interface CustomResourceHandlers {
  readonly onEvent: string;
  readonly isComplete?: string;
}

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/** The user handlers behind a custom resource, when a CDK provider framework serves it. */
function handlersOf(resources: Record<string, TemplateResource>, resource: TemplateResource): CustomResourceHandlers | undefined {
  if (!resource.Type.startsWith('Custom::') && resource.Type !== 'AWS::CloudFormation::CustomResource') return undefined;
  const token = resource.Properties?.ServiceToken;
  const framework = Array.isArray(token?.['Fn::GetAtt']) ? resources[token['Fn::GetAtt'][0]] : undefined;
  const env = framework?.Properties?.Environment?.Variables ?? {};
  const fn = (value: any) => (Array.isArray(value?.['Fn::GetAtt']) ? value['Fn::GetAtt'][0] as string : undefined);
  const onEvent = fn(env.USER_ON_EVENT_FUNCTION_ARN);
  return onEvent ? { onEvent, isComplete: fn(env.USER_IS_COMPLETE_FUNCTION_ARN) } : undefined;
}

class Rehearsal {
  private readonly state: StackState;
  private readonly functions: FunctionRunner;
  private readonly validators: ValidatorRunner;
  private readonly stepFunctions = new StepFunctionsStandIn();
  private readonly receiver: SignalReceiver;
  private readonly executions: ExecutionPlayer;
  private readonly resources: Record<string, TemplateResource>;
  /** Each kind's part, by its custom resource type. */
  private readonly plays: Map<string, KindPlay>;
  private readonly endpointVariables: string[] = [];
  private readonly tally = new Tally();

  constructor(
    private readonly stack: AssemblyStack,
    private readonly print: (line: string) => void,
    private readonly maxPauseMs: number,
    private readonly createSources: boolean,
    emulator: string,
  ) {
    this.resources = stack.resources;
    this.state = new StackState(stack);
    this.functions = new FunctionRunner(stack, this.state, print);
    this.validators = new ValidatorRunner(stack, this.functions, print);
    const physicalIdOf = (stackId: string, id: string) => (stackId === this.state.stackId ? this.state.physicalIds.get(id) : undefined);
    this.receiver = new SignalReceiver(this.stepFunctions, physicalIdOf);
    const context = { emulator, createSources, print };
    this.plays = new Map(Object.values(kinds).map((kind) => [kind.kind.resourceType, kind.play(context)]));
    this.executions = new ExecutionPlayer(this.resources, this.state, this.functions, this.validators, { maxPauseMs, print });
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

  /** The request CloudFormation sends, from the resource's resolved properties. */
  private event(requestType: 'Create' | 'Delete', id: string, resolved: Record<string, unknown>, physicalId?: string): any {
    const resource = this.resources[id];
    const { ServiceToken, ...props } = resolved;
    const delivered = this.plays.get(resource.Type)?.deliver?.(props) ?? props;
    return {
      RequestType: requestType,
      ServiceToken: String(ServiceToken),
      ResponseURL: `${this.receiver.endpoint}/cloudformation-response/${id}`,
      StackId: this.state.stackId,
      RequestId: `rehearsal-${requestType.toLowerCase()}-${id}`,
      LogicalResourceId: id,
      ResourceType: resource.Type,
      ResourceProperties: asCloudFormationDelivers({ ServiceToken, ...delivered }),
      ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    };
  }

  /** What the kind's part does before a Create: who plays its service, its sources, and the placeholders it meets. */
  private async beforeCreate(id: string, resolved: Record<string, unknown>, delivered: Record<string, unknown>): Promise<void> {
    const play = this.plays.get(this.resources[id].Type);
    // The template's values, not the delivered ones: a redirected endpoint is announced with the one it replaces.
    const announced = play?.announce?.(resolved);
    if (announced) this.print(`    ${announced}`);
    await play?.prepare?.(delivered);
    const placeholders = Object.entries(delivered)
      .filter(([, v]) => JSON.stringify(v).includes('<'))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    if (placeholders.length) this.print(`    placeholders for resources not rehearsed: ${placeholders.join(', ')}`);
  }

  /** onEvent, then isComplete until complete, as the provider framework runs them. */
  private async runCustomResource(requestType: 'Create' | 'Delete', id: string, handlers: CustomResourceHandlers): Promise<void> {
    const start = Date.now();
    const resolved = this.state.resolve(this.resources[id].Properties ?? {}, id) as Record<string, unknown>;
    const request = this.event(requestType, id, resolved, this.state.physicalIds.get(id));
    if (requestType === 'Create') await this.beforeCreate(id, resolved, request.ResourceProperties);
    const answer = await this.functions.run(handlers.onEvent, request);
    // A validation runs in the execution its Create started, while the provider framework's waiter asks isComplete.
    for (const execution of this.stepFunctions.unplayed()) {
      if (JSON.parse(execution.input).ResourceType === VALIDATION_RESOURCE_TYPE) await this.executions.play(id, execution);
    }
    const physicalId = answer?.PhysicalResourceId ?? request.PhysicalResourceId ?? request.RequestId;
    let data: Record<string, string> = { ...(answer?.Data ?? {}) };
    for (let polls = 1; handlers.isComplete; polls++) {
      const complete = await this.functions.run(handlers.isComplete, { ...request, ...answer, PhysicalResourceId: physicalId });
      if (complete?.IsComplete) {
        data = { ...data, ...(complete.Data ?? {}) };
        break;
      }
      this.print(`    waiting for ${requestType.toLowerCase()} of ${physicalId} (${elapsedSince(start)}, look ${polls})`);
      await sleep(this.maxPauseMs);
    }
    if (requestType === 'Create') {
      this.state.physicalIds.set(id, physicalId);
      this.state.attributes.set(id, data);
    }
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
    if (!execution) throw new RehearsalFailure(`${id}: no polling execution signals this wait condition, so CloudFormation would wait until its Timeout`);
    await this.executions.play(id, execution);
    const signal = this.receiver.firstSignal(handleUrl);
    if (!signal) throw new RehearsalFailure(`${id}: the poller ended without signalling the wait condition`);
    // What Fn::GetAtt Data of a wait condition gives: the signals' data by unique id.
    this.state.attributes.set(id, { Data: JSON.stringify({ [signal.UniqueId]: signal.Data }) });
    if (signal.Status !== 'SUCCESS') throw new RehearsalFailure(`${id}: the wait condition was signalled ${signal.Status}: ${signal.Reason}`);
    this.print(`    signalled SUCCESS after ${elapsedSince(start)}: ${signal.Reason}`);
  }

  standInState(): StandInState {
    const empty: StandInState = { huaweiJobs: [], backupJobs: [], elasticSnapshots: { held: [], deleted: [] }, s3Imports: [] };
    return Object.assign(empty, ...[...this.plays.values()].map((play) => play.state?.() ?? {}));
  }

  /** Deletes what was created, newest first; a failed delete does not keep the others from going, nor hide what failed before. */
  private async deleteAll(label: string): Promise<void> {
    for (const id of [...this.tally.created].reverse()) {
      this.print(`${label} ${id} (${this.resources[id].Type}) ${this.state.physicalIds.get(id)}`);
      try {
        await this.runCustomResource('Delete', id, handlersOf(this.resources, this.resources[id])!);
        this.tally.deleted.push(id);
      } catch (error) {
        this.functions.showLogs(logsOf(error));
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
  private async create(id: string): Promise<void> {
    const resource = this.resources[id];
    const handlers = handlersOf(this.resources, resource);
    if (resource.Type === 'AWS::CloudFormation::WaitConditionHandle') {
      this.state.physicalIds.set(id, `${this.receiver.endpoint}/${id}`);
    } else if (resource.Type === 'AWS::CloudFormation::WaitCondition') {
      this.print(`WAIT   ${id}`);
      await this.runWait(id);
    } else if (handlers) {
      this.print(`CREATE ${id} (${resource.Type})`);
      await this.runCustomResource('Create', id, handlers);
      this.tally.created.push(id);
      const shown = Object.entries(this.state.attributes.get(id) ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
      this.print(`    physical id ${this.state.physicalIds.get(id)}${shown ? `; attributes: ${shown}` : ''}`);
    } else if (this.createSources && await this.makeInEmulator(id)) {
      this.tally.made.push(id);
    } else {
      this.tally.notRehearsed.push(id);
    }
  }

  private async makeInEmulator(id: string): Promise<boolean> {
    const made = await this.state.makeInEmulator(id);
    if (made) this.print(`MADE   ${id} (${this.resources[id].Type}) in the emulator: ${made}`);
    return made !== undefined;
  }

  async run(keep: boolean, afterCreate?: (standIns: StandInState) => Promise<void>): Promise<RehearsalResult> {
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
        if (this.state.creates(id)) await this.create(id);
      } catch (error) {
        const message = error instanceof RehearsalFailure ? error.message : `${id}: ${describeError(error)}`;
        this.functions.showLogs(logsOf(error));
        this.print(`FAILED ${message}`);
        tally.failed[id] = message;
      }
    }
    if (afterCreate) await afterCreate(this.standInState());
    // After a failure CloudFormation rolls the whole stack back: everything created is deleted.
    if (!keep) await this.deleteAll(Object.keys(tally.failed).length ? 'ROLLBACK' : 'DELETE');
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
      stack: this.stack.name,
      endpoint: '',
      created,
      deleted,
      notRehearsed,
      attributes: Object.fromEntries([...this.state.attributes].filter(([id]) => rehearsed(id))),
      failed: { ...failed, ...deleteFailed },
      made,
      skipped,
      validations: this.validators.validations,
      executions: this.executions.executions,
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
async function emulatorClusters(): Promise<string[]> {
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
async function runReporting(rehearsal: Rehearsal, options: RehearsalOptions): Promise<RehearsalResult> {
  let afterCreate: object | undefined;
  const hook = async (standIns: StandInState) => {
    if (options.report) afterCreate = { standIns, clusters: await emulatorClusters() };
    await options.afterCreate?.(standIns);
  };
  let result: RehearsalResult | undefined;
  let failure: unknown;
  try {
    result = await rehearsal.run(options.keep ?? false, hook);
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
  const stack = pickStack(readStacks(options.app), options.stack);
  checkIntrinsics(stack);
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
  const rehearsal = new Rehearsal(stack, print, options.maxPauseMs ?? 500, options.createSources ?? false, endpoint);
  try {
    print(`Rehearsing stack ${stack.name} from ${options.app} against ${endpoint}${emulator ? ' (moto_server started for this rehearsal)' : ''}`);
    await rehearsal.start();
    const result = await runReporting(rehearsal, options);
    if (result.notRehearsed.length) {
      const byType = new Map<string, string[]>();
      for (const id of result.notRehearsed) byType.set(stack.resources[id].Type, [...(byType.get(stack.resources[id].Type) ?? []), id]);
      print(`Not rehearsed (${result.notRehearsed.length} resources; references to them resolved to <placeholders>):`);
      for (const [type, ids] of byType) print(`    ${type}: ${ids.join(', ')}`);
    }
    for (const v of result.validations) print(`Validation ${v.resource} by ${v.validator}: ${v.outcome}${v.message ? ` (${v.message})` : ''}`);
    print(`Rehearsal passed: ${result.created.length} resource(s) created and waited for, ${result.deleted.length} deleted${options.keep ? ' (--keep: left in place)' : ''}.`);
    return { ...result, endpoint };
  } finally {
    rehearsal.stop();
    undoEnv();
    await emulator?.stop();
  }
}
