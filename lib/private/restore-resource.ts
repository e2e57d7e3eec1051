import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, Aspects, CfnResource, CfnWaitCondition, CfnWaitConditionHandle, CustomResource, Duration, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import {
  ATTRIBUTES_RESOURCE_TYPE, AttributesProperties, MAX_CUSTOM_RESOURCE_WAIT_SECONDS, MAX_WAIT_CONDITION_SECONDS, POLL_INTERVAL_SECONDS,
  STATE_MACHINE_ARN_ENV,
} from './contracts/common';
import { validateDuration } from './validation';

/** Where scripts/bundle.ts writes the handler; shipped in the npm package. */
const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'restore-handler');

/**
 * Eight hex digits of a hash of inputs as the template will hold them: names derived from it change
 * exactly when the inputs do.
 */
export function inputsHash(scope: Construct, inputs: object): string {
  return createHash('sha256').update(JSON.stringify(Stack.of(scope).resolve(inputs))).digest('hex').slice(0, 8);
}

/** The longest a restore can wait: a wait condition's own limit. */
export const MAX_TIMEOUT = Duration.seconds(MAX_WAIT_CONDITION_SECONDS);

/** The wait used when a construct is given no timeout. */
export const DEFAULT_TIMEOUT = Duration.hours(3);

/**
 * The custom-resource provider of one stack and its polling state machine, shared by every
 * restore in it, so the number of Lambda functions does not grow with the number of restores.
 * Constructs widen its role with statements scoped to the resources they name.
 */
class RestoreProvider extends Construct {
  static of(scope: Construct): RestoreProvider {
    const stack = Stack.of(scope);
    const id = 'CdkRestoreConstructsProvider';
    return (stack.node.tryFindChild(id) as RestoreProvider | undefined) ?? new RestoreProvider(stack, id);
  }

  readonly role: iam.Role;
  readonly serviceToken: string;
  /** Lets the handler start and stop polling; apart from the role's default policy to avoid a cycle. */
  readonly pollingPolicy: iam.Policy;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    if (!fs.existsSync(path.join(HANDLER_ASSET, 'index.js'))) {
      throw new Error(`The restore handler bundle is missing at ${HANDLER_ASSET}. In a checkout of cdk-restore-constructs, run "npm run bundle" first; an installed package always ships it.`);
    }

    this.role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
      description: 'Runs the restore handlers of cdk-restore-constructs in this stack',
    });
    // A wait condition handle's URL is its physical id, looked up only to signal (see RestoreResource).
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStackResource'], resources: [Stack.of(this).stackId] }));

    const code = lambda.Code.fromAsset(HANDLER_ASSET);
    const handlerProps = { code, runtime: lambda.Runtime.NODEJS_22_X, role: this.role, memorySize: 256 };

    const poller = new lambda.Function(this, 'Poll', {
      ...handlerProps,
      handler: 'index.poll',
      timeout: Duration.minutes(1),
      description: 'cdk-restore-constructs: one look at a restore; signals its wait condition when it ends',
    });
    const stateMachine = this.pollingStateMachine(poller);

    const onEvent = new lambda.Function(this, 'OnEvent', {
      ...handlerProps,
      handler: 'index.onEvent',
      timeout: Duration.minutes(5),
      description: 'cdk-restore-constructs: starts restores and their polling, and deletes',
      environment: { [STATE_MACHINE_ARN_ENV]: stateMachine.stateMachineArn },
    });
    const isComplete = new lambda.Function(this, 'IsComplete', {
      ...handlerProps,
      handler: 'index.isComplete',
      timeout: Duration.minutes(2),
      description: 'cdk-restore-constructs: reports whether a delete has finished',
    });

    this.pollingPolicy = new iam.Policy(this, 'PollingPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
        new iam.PolicyStatement({
          actions: ['states:StopExecution'],
          resources: [Stack.of(this).formatArn({
            service: 'states', resource: 'execution', resourceName: `${stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          })],
        }),
      ],
    });

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(POLL_INTERVAL_SECONDS),
      totalTimeout: Duration.seconds(MAX_CUSTOM_RESOURCE_WAIT_SECONDS),
    });
    this.serviceToken = provider.serviceToken;
  }

  /**
   * Poll, wait as long as the poll said, repeat until it says done. The decisions (when to look
   * again, when to give up, what to signal) are the poller's; a failed step is reported by
   * invoking the poller once more with the error, so the wait condition always hears the end.
   */
  private pollingStateMachine(poller: lambda.IFunction): sfn.StateMachine {
    const poll = new tasks.LambdaInvoke(this, 'LookAtRestore', { lambdaFunction: poller, payloadResponseOnly: true, retryOnServiceExceptions: true });
    const reportFailure = new tasks.LambdaInvoke(this, 'ReportFailure', { lambdaFunction: poller, payloadResponseOnly: true, retryOnServiceExceptions: true });
    poll.addRetry({ errors: ['States.ALL'], maxAttempts: 3, interval: Duration.seconds(10), backoffRate: 2 });
    poll.addCatch(reportFailure, { resultPath: '$.error' });
    const wait = new sfn.Wait(this, 'WaitBeforeNextLook', { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
    const definition = poll.next(new sfn.Choice(this, 'Ended?')
      .when(sfn.Condition.booleanEquals('$.done', true), new sfn.Succeed(this, 'Signalled'))
      .otherwise(wait.next(poll)));
    return new sfn.StateMachine(this, 'Poller', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      // A backstop past the longest wait condition; the poller itself ends every execution sooner.
      timeout: Duration.seconds(MAX_WAIT_CONDITION_SECONDS + 3600),
    });
  }
}

/** The resources of the scope's stack that a value refers to, by Ref or Fn::GetAtt. */
function referencedResources(scope: Construct, value: unknown): CfnResource[] {
  const stack = Stack.of(scope);
  const referenced = new Set<string>();
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(collect);
    if (!node || typeof node !== 'object') return;
    for (const [key, inner] of Object.entries(node)) {
      if (key === 'Ref' && typeof inner === 'string') referenced.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') referenced.add(inner[0]);
      else collect(inner);
    }
  };
  collect(stack.resolve(value));
  return stack.node.findAll().filter((c): c is CfnResource =>
    c instanceof CfnResource && Stack.of(c) === stack && referenced.has(stack.resolve(c.logicalId)));
}

/**
 * Makes a wait condition handle depend on every resource of its stack that the restore's inputs refer
 * to. The handle's presigned URL is valid for about a day from the handle's creation, so a handle made
 * at stack start could expire before a restore that waits on another restore (its source) signals.
 * Its restore's references are only known once the whole app is built, hence an aspect.
 */
class CreateHandleWithItsRestore implements IAspect {
  constructor(private readonly handle: CfnWaitConditionHandle, private readonly inputs: Record<string, unknown>) {}

  visit(node: IConstruct): void {
    if (node !== this.handle) return;
    this.handle.node.addDependency(...referencedResources(this.handle, this.inputs));
  }
}

/** Props of {@link RestoreResource}. */
export interface RestoreResourceProps {
  /** CloudFormation type of the custom resource, which also selects the handler. */
  readonly resourceType: string;
  /** The kind's properties, shaped by its contract. A change to any of them starts a new wait. */
  readonly properties: Record<string, unknown>;
  /** Properties known only at synth's end (tags), which may change without a new wait. */
  readonly lateProperties?: Record<string, unknown>;
  /** How long the restore may take. */
  readonly timeout?: Duration;
}

/**
 * One restore: a custom resource that starts it, a wait condition that holds the stack until the
 * poller signals the restore's end (up to 12 hours), and a custom resource after it that reads
 * the restored resource's attributes. Every construct waits through this class.
 */
export class RestoreResource extends Construct {
  private readonly provider: RestoreProvider;
  private readonly resource: CustomResource;
  private readonly attributes: CustomResource;
  /** The wait condition holding the stack until the restore ends. */
  readonly waitCondition: CfnWaitCondition;

  constructor(scope: Construct, id: string, props: RestoreResourceProps) {
    super(scope, id);
    const timeout = props.timeout ?? DEFAULT_TIMEOUT;
    validateDuration('timeout', timeout, Duration.minutes(5), MAX_TIMEOUT);
    const timeoutSeconds = timeout.toSeconds();

    this.provider = RestoreProvider.of(this);
    // Wait conditions cannot be updated: a new restore, or a new timeout, needs a new handle and
    // condition, so their logical ids carry a hash of everything that starts a new wait.
    const waitId = inputsHash(this, { ...props.properties, TimeoutSeconds: timeoutSeconds }).toUpperCase();
    const handle = new CfnWaitConditionHandle(this, `WaitHandle${waitId}`);
    Aspects.of(handle).add(new CreateHandleWithItsRestore(handle, props.properties));

    this.resource = new CustomResource(this, 'Default', {
      serviceToken: this.provider.serviceToken,
      resourceType: props.resourceType,
      // The handle by name, not its URL (a Ref): the URL is presigned, and the provider framework logs
      // every property and passes them through its waiter's execution input.
      properties: { ...props.properties, ...props.lateProperties, TimeoutSeconds: timeoutSeconds, WaitHandle: Stack.of(this).getLogicalId(handle) },
    });
    // The handler must not run before the statements the constructs add to its role are in place.
    this.resource.node.addDependency(this.provider.role, this.provider.pollingPolicy, handle);

    this.waitCondition = new CfnWaitCondition(this, `Wait${waitId}`, { handle: handle.ref, timeout: String(timeoutSeconds), count: 1 });
    this.waitCondition.node.addDependency(this.resource);

    this.attributes = new CustomResource(this, 'Attributes', {
      serviceToken: this.provider.serviceToken,
      resourceType: ATTRIBUTES_RESOURCE_TYPE,
      properties: {
        RestoreResourceType: props.resourceType,
        RestoredId: this.resource.ref,
        Engine: props.properties.Engine,
      } satisfies Record<keyof AttributesProperties, unknown>,
    });
    this.attributes.node.addDependency(this.waitCondition);
  }

  /** The physical id the handler returned. */
  get ref(): string {
    return this.resource.ref;
  }

  /** An attribute of the restored resource, read once the restore has ended. */
  getAttString(name: string): string {
    return this.attributes.getAttString(name);
  }

  /** Lets the shared handler role make these calls; scope each statement to the resources involved. */
  addToHandlerPolicy(statement: iam.PolicyStatement): void {
    // Every restore's custom resource waits for the role's default policy, so a statement naming what another
    // restore made (restore B from restore A's cluster) would close a cycle there. It gets a policy of its own,
    // which only this restore waits for.
    const fromAnotherRestore = referencedResources(this, statement.toStatementJson())
      .some((r) => r.node.scopes.some((s) => s instanceof RestoreResource && s !== this));
    if (fromAnotherRestore) this.ownPolicy().addStatements(statement);
    else this.provider.role.addToPrincipalPolicy(statement);
  }

  private ownPolicy(): iam.Policy {
    const existing = this.node.tryFindChild('HandlerPolicy') as iam.Policy | undefined;
    if (existing) return existing;
    const policy = new iam.Policy(this, 'HandlerPolicy', { roles: [this.provider.role] });
    this.resource.node.addDependency(policy);
    return policy;
  }

  /** The principal the shared handlers run as, for grants such as `key.grant(...)`. */
  get handlerPrincipal(): iam.IGrantable {
    return this.provider.role;
  }
}
