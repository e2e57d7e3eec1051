/**
 * The polling state machine every restore of a stack shares: look at the restore, wait as long as the look
 * said, look again until it has ended, and invoke the user's validator when the look asks for it.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { MAX_WAIT_CONDITION_SECONDS } from './contracts/common';
import { suppressNag, tokenArnPattern } from './nag';

/**
 * Poll, wait as long as the poll said, repeat until it says done. The decisions (when to look
 * again, when to give up, what to signal) are the poller's; a failed step is reported by
 * invoking the poller once more with the error, so the wait condition always hears the end.
 */
export function pollingStateMachine(scope: Construct, poller: lambda.IFunction, logGroup: logs.ILogGroup): sfn.StateMachine {
  const poll = new tasks.LambdaInvoke(scope, 'LookAtRestore', { lambdaFunction: poller, payloadResponseOnly: true, retryOnServiceExceptions: true });
  const reportFailure = new tasks.LambdaInvoke(scope, 'ReportFailure', { lambdaFunction: poller, payloadResponseOnly: true, retryOnServiceExceptions: true });
  poll.addRetry({ errors: ['States.ALL'], maxAttempts: 3, interval: Duration.seconds(10), backoffRate: 2 });
  poll.addCatch(reportFailure, { resultPath: '$.error' });
  const wait = new sfn.Wait(scope, 'WaitBeforeNextLook', { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
  const definition = poll.next(new sfn.Choice(scope, 'Ended?')
    .when(sfn.Condition.booleanEquals('$.done', true), new sfn.Succeed(scope, 'Signalled'))
    .when(sfn.Condition.isPresent('$.validate'), validateRestore(scope, poll))
    .otherwise(wait.next(poll)));
  const machine = new sfn.StateMachine(scope, 'Poller', {
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
export function validateRestore(scope: Construct, poll: sfn.State): sfn.CustomState {
  const validate = new sfn.CustomState(scope, 'ValidateRestore', {
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
