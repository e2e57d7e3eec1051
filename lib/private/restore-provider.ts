/**
 * The provider every restore of a stack shares: its handler functions and role, the provider framework, the
 * polling state machine and the logs, made once per stack.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, Aspects, CfnResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import {
  MAX_CUSTOM_RESOURCE_WAIT_SECONDS, METRICS_NAMESPACE, POLL_INTERVAL_SECONDS, STATE_MACHINE_ARN_ENV,
} from './contracts/common';
import { MergedStatements } from './merged-statements';
import { NagSuppression, nagResourceName, suppressNag, tokenArnPattern } from './nag';
import { pollingStateMachine } from './polling-state-machine';
import { newestNodeRuntime, StackSizeWarning } from './provider-checks';

/** Where scripts/bundle.ts writes the handler; shipped in the npm package. */
const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'restore-handler');

/** How long the library's functions and state machines keep their logs when no construct says. */
const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

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
  private readonly statements: MergedStatements;
  private readonly wildcardReasons = new Map<string, { finding: string | { readonly regex: string }; reasons: Map<string, number> }>();
  private readonly logRetentions = new Map<logs.RetentionDays, string>();
  /** The suppressions this provider last wrote on the handler policy, replaced whole when a wildcard is added. */
  private writtenSuppressions = new Set<string>();
  /** The findings each replaceable set accepted last, by the set's name. */
  private readonly replaceable = new Map<string, string[]>();

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
    this.statements = new MergedStatements(stack, this.role);
    functionLogs.grantWrite(this.role);
    // A wait condition handle's URL is its physical id, looked up only to signal (see RestoreResource); the
    // stack's status tells a rollback's Update from another; its resources, whether a restore that is a new
    // resource follows one of the same generation; its events, what a resource was before the update rolled back.
    this.allow(new iam.PolicyStatement({
      actions: [
        'cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks', 'cloudformation:ListStackResources', 'cloudformation:DescribeStackEvents',
      ],
      resources: [stack.stackId],
    }));
    this.allow(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
    }), 'cloudwatch:PutMetricData has no resource-level permissions; the statement allows only the library\'s own metrics namespace');

    const { onEvent, isComplete, stateMachine } = this.handlerFunctions(functionLogs, workflowLogs);
    this.pollerRole = stateMachine.role;
    this.pollingPolicy = this.allowPolling(stateMachine);

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

  /** The handler's three functions, on the handler role, and the polling state machine that invokes one of them. */
  private handlerFunctions(functionLogs: logs.ILogGroup, workflowLogs: logs.ILogGroup) {
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
    const stateMachine = pollingStateMachine(this, poller, workflowLogs);

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
    return { onEvent, isComplete, stateMachine };
  }

  /** Lets the handler start, follow and stop the executions of the stack's polling state machine. */
  private allowPolling(stateMachine: sfn.StateMachine): iam.Policy {
    const stack = Stack.of(this);
    const executions = stack.formatArn({
      service: 'states', resource: 'execution', resourceName: `${stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const policy = new iam.Policy(this, 'PollingPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
        new iam.PolicyStatement({ actions: ['states:StopExecution', 'states:DescribeExecution'], resources: [executions] }),
      ],
    });
    suppressNag(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'StopExecution and DescribeExecution are allowed on the executions of this stack\'s own polling state machine, whose names are made when each restore or validation starts',
      appliesTo: [nagResourceName(stack, executions)],
    }]);
    return policy;
  }

  /**
   * Lets the shared handlers make these calls. A statement whose actions, conditions and effect match one
   * already there adds its resources to it, so restores of a kind share their statements.
   * @param wildcardReason why a resource pattern with `*` is as narrow as it can be; required for one
   */
  allow(statement: iam.PolicyStatement, wildcardReason?: string): void {
    const stack = Stack.of(this);
    for (const resource of this.statements.add(statement)) {
      if (!resource.includes('*')) continue;
      if (!wildcardReason) throw new Error(`Internal error: the handler statement on ${resource} needs a reason for its wildcard`);
      this.acceptWildcards([nagResourceName(stack, resource)], wildcardReason);
    }
  }


  /**
   * Accepts cdk-nag's IAM5 findings on the handler role's policy for these wildcards, with the reason. Each
   * wildcard gets one suppression giving every reason for it; suppressions others wrote stay.
   */
  acceptWildcards(findings: ReadonlyArray<string | { readonly regex: string }>, reason: string, replacing?: string): void {
    // A set of findings that grows with the restores (the stack's cluster patterns) takes back what it gave before;
    // a reason is counted per giver, so that one another caller gave for the same finding stays.
    for (const key of replacing ? this.replaceable.get(replacing) ?? [] : []) {
      const entry = this.wildcardReasons.get(key)!;
      const left = (entry.reasons.get(reason) ?? 1) - 1;
      if (left > 0) entry.reasons.set(reason, left);
      else entry.reasons.delete(reason);
      if (entry.reasons.size === 0) this.wildcardReasons.delete(key);
    }
    const keys = [...new Set(findings.map((f) => JSON.stringify(f)))];
    if (replacing) this.replaceable.set(replacing, keys);
    for (const key of keys) {
      const entry = this.wildcardReasons.get(key) ?? { finding: JSON.parse(key), reasons: new Map<string, number>() };
      entry.reasons.set(reason, (entry.reasons.get(reason) ?? 0) + 1);
      this.wildcardReasons.set(key, entry);
    }
    const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    const others = (policy.getMetadata('cdk_nag')?.rules_to_suppress ?? []).filter((rule: object) => !this.writtenSuppressions.has(JSON.stringify(rule)));
    const ours = [...this.wildcardReasons.values()].map(({ finding, reasons }) => ({ id: 'AwsSolutions-IAM5', reason: [...reasons.keys()].join('. '), applies_to: [finding] }));
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
