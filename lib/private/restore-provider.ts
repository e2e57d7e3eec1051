import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { MAX_CUSTOM_RESOURCE_WAIT_SECONDS, MAX_WAIT_CONDITION_SECONDS, POLL_INTERVAL_SECONDS, STATE_MACHINE_ARN_ENV } from './contracts/common';

/** Where scripts/bundle.ts writes the handler; shipped in the npm package. */
const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'restore-handler');

/**
 * The custom-resource provider of one stack and its polling state machine, shared by every
 * restore in it, so the number of Lambda functions does not grow with the number of restores.
 * Constructs widen its role with statements scoped to the resources they name.
 */
export class RestoreProvider extends Construct {
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
