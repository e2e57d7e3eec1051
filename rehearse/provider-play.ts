/**
 * The CDK provider framework's part of a rehearsal: a custom resource's request as CloudFormation sends it,
 * then onEvent and isComplete until complete, run from the stack's assembly.
 */
import { TemplateResource } from './assembly';
import { elapsedSince, ExecutionPlayer } from './executions';
import { FunctionRunner } from './functions';
import { asCloudFormationDelivers } from './intrinsics';
import { KindPlay } from './kind-play';
import { StackState } from './stack-state';
import { StepFunctionsStandIn } from './step-functions';
import { VALIDATION_RESOURCE_TYPE } from '../lib/private/contracts/common';

/** The functions behind a custom resource that a CDK provider framework serves. */
export interface CustomResourceHandlers {
  readonly onEvent: string;
  readonly isComplete?: string;
}

/** A custom resource request's type, as the provider framework hands it to onEvent. */
export type RequestType = 'Create' | 'Update' | 'Delete';

/** What an Update request carries besides the new properties; a Delete of a replaced resource names its old ones. */
export interface RequestOverrides {
  /** For a resource the played template no longer has: its type in the template that had it. */
  readonly type?: string;
  readonly oldProperties?: Record<string, unknown>;
  readonly properties?: Record<string, unknown>;
  readonly physicalId?: string;
}

/** The user handlers behind a custom resource, when a CDK provider framework serves it. */
export function handlersOf(resources: Record<string, TemplateResource>, resource: TemplateResource): CustomResourceHandlers | undefined {
  if (!resource.Type.startsWith('Custom::') && resource.Type !== 'AWS::CloudFormation::CustomResource') return undefined;
  const token = resource.Properties?.ServiceToken;
  const framework = Array.isArray(token?.['Fn::GetAtt']) ? resources[token['Fn::GetAtt'][0]] : undefined;
  const env = framework?.Properties?.Environment?.Variables ?? {};
  const fn = (value: any) => (Array.isArray(value?.['Fn::GetAtt']) ? value['Fn::GetAtt'][0] as string : undefined);
  const onEvent = fn(env.USER_ON_EVENT_FUNCTION_ARN);
  return onEvent ? { onEvent, isComplete: fn(env.USER_IS_COMPLETE_FUNCTION_ARN) } : undefined;
}

/** The parts of the stack being played that a request needs; an update replaces them with the new stack's. */
export interface PlayedStack {
  readonly resources: Record<string, TemplateResource>;
  readonly state: StackState;
  readonly functions: FunctionRunner;
  readonly executions: ExecutionPlayer;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ProviderPlayer {
  private requests = 0;

  constructor(
    private readonly stack: () => PlayedStack,
    private readonly plays: ReadonlyMap<string, KindPlay>,
    private readonly stepFunctions: StepFunctionsStandIn,
    private readonly endpoint: () => string,
    private readonly options: {
      readonly maxPauseMs: number;
      print(line: string): void;
      /** Told of each request that completed, as CloudFormation records it among the stack's events. */
      completed?(id: string, type: string, requestType: RequestType, physicalId: string): void;
    },
  ) {}

  /** Properties as CloudFormation delivers them to the handler, after the kind's part redirects what it plays. */
  private delivered(type: string, resolved: Record<string, unknown>): Record<string, unknown> {
    const { ServiceToken, ...props } = resolved;
    return asCloudFormationDelivers({ ServiceToken, ...(this.plays.get(type)?.deliver?.(props) ?? props) }) as Record<string, unknown>;
  }

  /** The request CloudFormation sends, from the resource's resolved properties. */
  private event(played: PlayedStack, requestType: RequestType, id: string, resolved: Record<string, unknown>, overrides: RequestOverrides): any {
    const { resources, state } = played;
    const type = overrides.type ?? resources[id].Type;
    const physicalId = overrides.physicalId ?? state.physicalIds.get(id);
    return {
      RequestType: requestType,
      ServiceToken: String(resolved.ServiceToken),
      ResponseURL: `${this.endpoint()}/cloudformation-response/${id}`,
      StackId: state.stackId,
      // Each request its own id, as CloudFormation gives them: an in-place change marks the cluster with it.
      RequestId: `rehearsal-${requestType.toLowerCase()}-${id}-${++this.requests}`,
      LogicalResourceId: id,
      ResourceType: type,
      ResourceProperties: this.delivered(type, resolved),
      ...(overrides.oldProperties ? { OldResourceProperties: this.delivered(type, overrides.oldProperties) } : {}),
      ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    };
  }

  /** What the kind's part does before a Create: who plays its service, its sources, and the placeholders it meets. */
  private async beforeCreate(type: string, resolved: Record<string, unknown>, delivered: Record<string, unknown>): Promise<void> {
    const play = this.plays.get(type);
    // The template's values, not the delivered ones: a redirected endpoint is announced with the one it replaces.
    const announced = play?.announce?.(resolved);
    if (announced) this.options.print(`    ${announced}`);
    await play?.prepare?.(delivered);
    const placeholders = Object.entries(delivered)
      .filter(([, v]) => JSON.stringify(v).includes('<'))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    if (placeholders.length) this.options.print(`    placeholders for resources not rehearsed: ${placeholders.join(', ')}`);
  }

  /**
   * onEvent, then isComplete until complete, as the provider framework runs them; what it answered is the
   * resource's. `played` is the stack whose functions answer (by default the one played): a rollback's
   * requests are answered by the functions it rolled back to.
   */
  async run(
    requestType: RequestType, id: string, handlers: CustomResourceHandlers, overrides: RequestOverrides = {}, played = this.stack(),
  ): Promise<void> {
    const { resources, state, functions, executions } = played;
    const start = Date.now();
    const resolved = overrides.properties ?? state.resolve(resources[id].Properties ?? {}, id) as Record<string, unknown>;
    const request = this.event(played, requestType, id, resolved, overrides);
    // An Update may restore anew, from sources the kind's part makes as for a Create.
    if (requestType !== 'Delete') await this.beforeCreate(request.ResourceType, resolved, request.ResourceProperties);
    const answer = await functions.run(handlers.onEvent, request);
    // A validation runs in the execution its Create started, while the provider framework's waiter asks isComplete.
    for (const execution of this.stepFunctions.unplayed()) {
      if (JSON.parse(execution.input).ResourceType === VALIDATION_RESOURCE_TYPE) await executions.play(id, execution);
    }
    const physicalId = answer?.PhysicalResourceId ?? request.PhysicalResourceId ?? request.RequestId;
    let data: Record<string, string> = { ...(answer?.Data ?? {}) };
    for (let polls = 1; handlers.isComplete; polls++) {
      const complete = await functions.run(handlers.isComplete, { ...request, ...answer, PhysicalResourceId: physicalId });
      if (complete?.IsComplete) {
        data = { ...data, ...(complete.Data ?? {}) };
        break;
      }
      this.options.print(`    waiting for ${requestType.toLowerCase()} of ${physicalId} (${elapsedSince(start)}, look ${polls})`);
      await sleep(this.options.maxPauseMs);
    }
    if (requestType !== 'Delete') {
      state.physicalIds.set(id, physicalId);
      state.attributes.set(id, data);
    }
    this.options.completed?.(id, request.ResourceType, requestType, physicalId);
  }
}
