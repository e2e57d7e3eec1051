import * as fs from 'fs';
import * as path from 'path';
import { Annotations, ArnFormat, Aspects, Aws, CfnResource, Duration, IAspect, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import {
  MAX_CUSTOM_RESOURCE_WAIT_SECONDS, MAX_WAIT_CONDITION_SECONDS, METRICS_NAMESPACE, POLL_INTERVAL_SECONDS, STATE_MACHINE_ARN_ENV,
} from './contracts/common';
import { NagSuppression, nagResourceName, suppressNag, tokenArnPattern } from './nag';

/** Where scripts/bundle.ts writes the handler; shipped in the npm package. */
const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'restore-handler');

/** How long the library's functions and state machines keep their logs when no construct says. */
const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/** CloudFormation's limit of resources in one stack, and the share of it at which synth warns. */
const STACK_RESOURCE_LIMIT = 500;
const STACK_RESOURCE_WARNING = 450;

/**
 * The newest Node.js runtime the installed aws-cdk-lib offers: the handler bundle needs nothing newer
 * than Node.js 20, and cdk-nag (AwsSolutions-L1) asks for the newest.
 */
function newestNodeRuntime(): lambda.Runtime {
  const major = (runtime: lambda.Runtime) => Number(/^nodejs(\d+)\.x$/.exec(runtime.name)?.[1] ?? 0);
  return lambda.Runtime.ALL.filter((runtime) => runtime.family === lambda.RuntimeFamily.NODEJS && major(runtime) > 0)
    .reduce((newest, runtime) => (major(runtime) > major(newest) ? runtime : newest), lambda.Runtime.NODEJS_22_X);
}

/** Warns when a stack with restores nears CloudFormation's resource limit, before a deploy fails on it. */
class StackSizeWarning implements IAspect {
  constructor(private readonly stack: Stack) {}

  visit(node: IConstruct): void {
    if (node !== this.stack) return;
    const count = this.stack.node.findAll().filter((c) => c instanceof CfnResource && Stack.of(c) === this.stack).length;
    if (count >= STACK_RESOURCE_WARNING) {
      Annotations.of(this.stack).addWarningV2('cdk-restore-constructs:stackSize',
        `Stack ${this.stack.stackName} has ${count} CloudFormation resources, near the limit of ${STACK_RESOURCE_LIMIT}: each restore adds 4 resources `
        + 'plus its instances and network. Split the restores across stacks (each stack gets its own handler) before a deploy fails on the limit.');
    }
  }
}

/**
 * The custom-resource provider of one stack and its polling state machine, shared by every
 * restore in it, so the number of Lambda functions does not grow with the number of restores.
 * Constructs add to its role through {@link RestoreProvider.allow}, which merges statements that differ
 * only in their resources, so the role's statements do not grow with the restores either.
 */
export class RestoreProvider extends Construct {
  static of(scope: Construct): RestoreProvider {
    const stack = Stack.of(scope);
    const id = 'CdkRestoreConstructsProvider';
    return (stack.node.tryFindChild(id) as RestoreProvider | undefined) ?? new RestoreProvider(stack, id);
  }

  readonly role: iam.Role;
  readonly serviceToken: string;
  /** Lets the handler start, follow and stop polling; apart from the role's default policy to avoid a cycle. */
  readonly pollingPolicy: iam.Policy;
  /** The polling state machine's role: the one principal that invokes the users' validators. */
  readonly pollerRole: iam.IRole;
  private readonly statements = new Map<string, iam.PolicyStatement>();
  private readonly wildcardReasons = new Map<string, { finding: string | { readonly regex: string }; reasons: Set<string> }>();
  private readonly logRetentions = new Map<logs.RetentionDays, string>();
  /** The suppressions this provider last wrote on the handler policy, replaced whole when a wildcard is added. */
  private writtenSuppressions = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    if (!fs.existsSync(path.join(HANDLER_ASSET, 'index.js'))) {
      throw new Error(`The restore handler bundle is missing at ${HANDLER_ASSET}. In a checkout of cdk-restore-constructs, run "npm run bundle" first; an installed package always ships it.`);
    }
    const stack = Stack.of(this);
    // Lazy: every restore construct of the stack may name the retention, not only the first. INFINITE is no property.
    const retention = Lazy.number({ produce: () => (this.logRetention() === logs.RetentionDays.INFINITE ? undefined : this.logRetention()) });
    const functionLogs = new logs.LogGroup(this, 'FunctionLogs', { retention: retention as unknown as logs.RetentionDays });
    const workflowLogs = new logs.LogGroup(this, 'WorkflowLogs', { retention: retention as unknown as logs.RetentionDays });
    this.node.addValidation({ validate: () => this.logRetentionConflicts() });

    this.role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the restore handlers of cdk-restore-constructs in this stack',
    });
    functionLogs.grantWrite(this.role);
    // A wait condition handle's URL is its physical id, looked up only to signal (see RestoreResource).
    this.allow(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStackResource'], resources: [stack.stackId] }));
    this.allow(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
    }), 'cloudwatch:PutMetricData has no resource-level permissions; the statement allows only the library\'s own metrics namespace');

    const code = lambda.Code.fromAsset(HANDLER_ASSET);
    const handlerProps = {
      code, runtime: newestNodeRuntime(), role: this.role, memorySize: 256, logGroup: functionLogs,
    };

    const poller = new lambda.Function(this, 'Poll', {
      ...handlerProps,
      handler: 'index.poll',
      timeout: Duration.minutes(1),
      description: 'cdk-restore-constructs: one look at a restore; signals its wait condition when it ends',
    });
    const stateMachine = this.pollingStateMachine(poller, workflowLogs);
    this.pollerRole = stateMachine.role;

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
      description: 'cdk-restore-constructs: reports whether a delete or a validation has finished',
    });

    this.pollingPolicy = new iam.Policy(this, 'PollingPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
        new iam.PolicyStatement({
          actions: ['states:StopExecution', 'states:DescribeExecution'],
          resources: [stack.formatArn({
            service: 'states', resource: 'execution', resourceName: `${stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          })],
        }),
      ],
    });
    suppressNag(this.pollingPolicy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'StopExecution and DescribeExecution are allowed on the executions of this stack\'s own polling state machine, whose names are made when each restore or validation starts',
      appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:states:[^:]+:[^:]+:execution:<[A-Za-z0-9]+\\.Name>:\\*$/' }],
    }]);

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(POLL_INTERVAL_SECONDS),
      totalTimeout: Duration.seconds(MAX_CUSTOM_RESOURCE_WAIT_SECONDS),
      logGroup: functionLogs,
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: { destination: workflowLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.serviceToken = provider.serviceToken;
    this.adjustFramework(provider, functionLogs);
    Aspects.of(stack).add(new StackSizeWarning(stack));
  }

  /**
   * Lets the shared handlers make these calls. A statement whose actions, conditions and effect match one
   * already there adds its resources to it, so restores of a kind share their statements.
   * @param wildcardReason why a resource pattern with `*` is as narrow as it can be; required for one
   */
  allow(statement: iam.PolicyStatement, wildcardReason?: string): void {
    const stack = Stack.of(this);
    const json = stack.resolve(statement.toStatementJson());
    const key = JSON.stringify({ effect: json.Effect, actions: [json.Action].flat().sort(), conditions: json.Condition });
    let merged = this.statements.get(key);
    if (!merged) {
      merged = new iam.PolicyStatement({ effect: statement.effect, actions: statement.actions, conditions: statement.conditions });
      this.statements.set(key, merged);
      this.role.addToPrincipalPolicy(merged);
    }
    // Each in a list of its own: a resource may be a list token (Lazy.list), which resolves only in a list.
    const resolved = (resource: string) => JSON.stringify(stack.resolve([resource]));
    const present = new Set(merged.resources.map(resolved));
    for (const resource of statement.resources) {
      if (present.has(resolved(resource))) continue;
      merged.addResources(resource);
      if (!resource.includes('*')) continue;
      if (!wildcardReason) throw new Error(`Internal error: the handler statement on ${resource} needs a reason for its wildcard`);
      this.acceptWildcards([nagResourceName(stack, resource)], wildcardReason);
    }
  }

  /**
   * Accepts cdk-nag's IAM5 findings on the handler role's policy for these wildcards, with the reason. Each
   * wildcard gets one suppression giving every reason for it; suppressions others wrote stay.
   */
  acceptWildcards(findings: ReadonlyArray<string | { readonly regex: string }>, reason: string): void {
    for (const finding of findings) {
      const key = JSON.stringify(finding);
      const entry = this.wildcardReasons.get(key) ?? { finding, reasons: new Set<string>() };
      entry.reasons.add(reason);
      this.wildcardReasons.set(key, entry);
    }
    const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    const others = (policy.getMetadata('cdk_nag')?.rules_to_suppress ?? []).filter((rule: object) => !this.writtenSuppressions.has(JSON.stringify(rule)));
    const ours = [...this.wildcardReasons.values()].map(({ finding, reasons }) => ({ id: 'AwsSolutions-IAM5', reason: [...reasons].join('. '), applies_to: [finding] }));
    this.writtenSuppressions = new Set(ours.map((rule) => JSON.stringify(rule)));
    policy.addMetadata('cdk_nag', { rules_to_suppress: [...others, ...ours] });
  }

  /**
   * The retention of the library's logs in this stack, as a restore construct asks for it. The functions
   * are shared by the stack's restores, so every construct that names a retention must name the same.
   */
  useLogRetention(retention: logs.RetentionDays | undefined, askedBy: string): void {
    if (retention === undefined) return;
    if (!this.logRetentions.has(retention)) this.logRetentions.set(retention, askedBy);
  }

  private logRetention(): logs.RetentionDays {
    return [...this.logRetentions.keys()][0] ?? DEFAULT_LOG_RETENTION;
  }

  private logRetentionConflicts(): string[] {
    if (this.logRetentions.size < 2) return [];
    const asked = [...this.logRetentions].map(([days, by]) => `${by} gives ${days === logs.RetentionDays.INFINITE ? 'INFINITE' : `${days} days`}`);
    return [`Invalid logRetention: the restores of stack ${Stack.of(this).stackName} share their functions and logs, so they need one retention, `
      + `but ${asked.join(' and ')}. Give the same logRetention to each, or to one of them only.`];
  }

  /**
   * Poll, wait as long as the poll said, repeat until it says done. The decisions (when to look
   * again, when to give up, what to signal) are the poller's; a failed step is reported by
   * invoking the poller once more with the error, so the wait condition always hears the end.
   */
  private pollingStateMachine(poller: lambda.IFunction, logGroup: logs.ILogGroup): sfn.StateMachine {
    const poll = new tasks.LambdaInvoke(this, 'LookAtRestore', { lambdaFunction: poller, payloadResponseOnly: true, retryOnServiceExceptions: true });
    const reportFailure = new tasks.LambdaInvoke(this, 'ReportFailure', { lambdaFunction: poller, payloadResponseOnly: true, retryOnServiceExceptions: true });
    poll.addRetry({ errors: ['States.ALL'], maxAttempts: 3, interval: Duration.seconds(10), backoffRate: 2 });
    poll.addCatch(reportFailure, { resultPath: '$.error' });
    const wait = new sfn.Wait(this, 'WaitBeforeNextLook', { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
    const definition = poll.next(new sfn.Choice(this, 'Ended?')
      .when(sfn.Condition.booleanEquals('$.done', true), new sfn.Succeed(this, 'Signalled'))
      .when(sfn.Condition.isPresent('$.validate'), this.validateRestore(poll))
      .otherwise(wait.next(poll)));
    const machine = new sfn.StateMachine(this, 'Poller', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      // A backstop past the longest wait condition; the poller itself ends every execution sooner.
      timeout: Duration.seconds(MAX_WAIT_CONDITION_SECONDS + 3600),
      // The execution data (the restore's properties) stays out of the logs; the poller logs what it saw.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    suppressNag(machine.role.node.findChild('DefaultPolicy'), [
      { id: 'AwsSolutions-IAM5', reason: 'aws-cdk-lib\'s LambdaInvoke allows the poller function\'s versions and aliases (<function ARN>:*), of this one function only', appliesTo: [tokenArnPattern(':*')] },
      { id: 'AwsSolutions-IAM5', reason: 'CloudWatch Logs delivery and X-Ray actions have no resource-level permissions', appliesTo: ['Resource::*'] },
    ]);
    return machine;
  }

  /**
   * Invokes the user's validator the poller names, for at most the seconds it says, and hands the answer (or
   * the error) back to the poller, which decides the signal. Lambda's own failures and throttling are retried;
   * the validator's failure is not. A custom state: the function is only known at run time.
   */
  private validateRestore(poll: sfn.State): sfn.CustomState {
    const validate = new sfn.CustomState(this, 'ValidateRestore', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Aws.PARTITION}:states:::lambda:invoke`,
        Parameters: { 'FunctionName.$': '$.validate.FunctionArn', 'Payload.$': '$.validate.Event' },
        TimeoutSecondsPath: '$.validate.TimeoutSeconds',
        ResultSelector: { 'Payload.$': '$.Payload' },
        ResultPath: '$.validation',
        Retry: [{
          ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
          IntervalSeconds: 2,
          MaxAttempts: 6,
          BackoffRate: 2,
        }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.validation', Next: poll.stateId }],
      },
    });
    validate.next(poll);
    return validate;
  }

  /**
   * The provider framework's functions log to the library's log group, so the AWS managed policy aws-cdk-lib
   * gives their roles (to write log groups of their own) goes, and they may write to that group instead. Each
   * keeps its own role: one shared role would close a cycle through the waiter state machine. What the
   * library cannot change carries a suppression.
   */
  private adjustFramework(provider: cr.Provider, logGroup: logs.ILogGroup): void {
    const invokeVersions: NagSuppression = {
      id: 'AwsSolutions-IAM5',
      reason: 'aws-cdk-lib\'s grantInvoke allows the invoked function\'s versions and aliases (<function ARN>:*), of the named functions only',
      appliesTo: [tokenArnPattern(':*')],
    };
    for (const id of ['framework-onEvent', 'framework-isComplete', 'framework-onTimeout']) {
      const fn = provider.node.findChild(id) as lambda.Function;
      const role = fn.role as iam.Role;
      logGroup.grantWrite(role);
      (role.node.defaultChild as iam.CfnRole).managedPolicyArns = undefined;
      suppressNag(role.node.findChild('DefaultPolicy'), [invokeVersions]);
      suppressNag(fn, [{
        id: 'AwsSolutions-L1',
        reason: 'The provider framework\'s functions run on the runtime aws-cdk-lib chooses for them (determineLatestNodeRuntime); the handlers they invoke run on the newest',
      }]);
    }
    const waiter = provider.node.findChild('waiter-state-machine');
    suppressNag(waiter, [{ id: 'AwsSolutions-SF2', reason: 'aws-cdk-lib\'s provider framework offers no X-Ray tracing for its waiter state machine; it logs ALL events' }]);
    suppressNag(waiter.node.findChild('Role').node.findChild('DefaultPolicy'), [
      invokeVersions,
      { id: 'AwsSolutions-IAM5', reason: 'CloudWatch Logs delivery actions have no resource-level permissions', appliesTo: ['Resource::*'] },
    ]);
  }
}
