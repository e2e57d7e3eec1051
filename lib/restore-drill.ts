/**
 * Restore drills: the declared restore, repeated on a schedule outside CloudFormation into a resource of its own,
 * validated, measured against its objectives, and deleted.
 */
import { Duration, Stack, TimeZone, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { METRIC_DIMENSIONS, METRICS_NAMESPACE } from './private/contracts/common';
import {
  DRILL_DIMENSION, DRILL_MARGIN_SECONDS, DRILL_METRIC_NAMES, DrillConfig, DrillInstance, DrillPointChoice, MAX_DRILL_HOLD_HOURS,
} from './private/contracts/drill';
import { DrillRunner } from './private/drill-runner';
import { suppressNag, tokenArnPattern } from './private/nag';
import { validateRestore } from './private/polling-state-machine';
import { invalidProp, validateDuration } from './private/prop-checks';
import { inputsHash } from './private/references';
import { RestoreValidation } from './restore-validation';

/** Options of {@link DrillSchedule.daily} and {@link DrillSchedule.weekly}. */
export interface DrillTimeOptions {
  /**
   * The hour of the day the run starts, 0 to 23.
   * @default 3
   */
  readonly hour?: number;
  /**
   * The minute of the hour the run starts, 0 to 59.
   * @default 0
   */
  readonly minute?: number;
  /**
   * The time zone the hour and minute are in.
   * @default TimeZone.ETC_UTC
   */
  readonly timeZone?: TimeZone;
}

/** Options of {@link DrillSchedule.weekly}. */
export interface WeeklyDrillOptions extends DrillTimeOptions {
  /** The day of the week: `MON`, `TUE`, `WED`, `THU`, `FRI`, `SAT` or `SUN`. */
  readonly weekDay: string;
}

/** Options of {@link DrillSchedule.cron}. */
export interface CronDrillOptions {
  /**
   * The longest time between two runs the expression makes. The drill's staleness alarm fires when no run
   * succeeded within twice this.
   */
  readonly interval: Duration;
  /**
   * The time zone the expression is in.
   * @default TimeZone.ETC_UTC
   */
  readonly timeZone?: TimeZone;
}

const WEEK_DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** When a drill runs: an EventBridge Scheduler expression, its time zone, and the longest time between two runs. */
export class DrillSchedule {
  /**
   * A run every `interval`, at least an hour apart (a restore takes longer than that to prove anything).
   * @param interval the time between two runs, in whole minutes
   */
  public static rate(interval: Duration): DrillSchedule {
    validateDuration('schedule', interval, Duration.hours(1), Duration.days(365));
    const minutes = interval.toMinutes();
    const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
    return new DrillSchedule(`rate(${value} ${unit}${value === 1 ? '' : 's'})`, interval, undefined);
  }

  /** A run every day at this time. */
  public static daily(options: DrillTimeOptions = {}): DrillSchedule {
    const [hour, minute] = timeOf(options);
    return new DrillSchedule(`cron(${minute} ${hour} * * ? *)`, Duration.days(1), options.timeZone);
  }

  /** A run every week on this day at this time. */
  public static weekly(options: WeeklyDrillOptions): DrillSchedule {
    const [hour, minute] = timeOf(options);
    const day = String(options.weekDay).toUpperCase();
    if (!WEEK_DAYS.includes(day)) invalidProp('weekDay', options.weekDay, `use one of ${WEEK_DAYS.join(', ')}`);
    return new DrillSchedule(`cron(${minute} ${hour} ? * ${day} *)`, Duration.days(7), options.timeZone);
  }

  /**
   * Any EventBridge Scheduler cron expression: `cron(minutes hours day-of-month month day-of-week year)`.
   * @param expression the expression, with `cron(...)` around its six fields
   * @param options the longest time between two runs it makes, and its time zone
   */
  public static cron(expression: string, options: CronDrillOptions): DrillSchedule {
    if (!Token.isUnresolved(expression) && !/^cron\((\S+ ){5}\S+\)$/.test(expression)) {
      invalidProp('schedule', expression, 'an EventBridge Scheduler cron expression has six fields: cron(minutes hours day-of-month month day-of-week year)');
    }
    validateDuration('interval', options.interval, Duration.hours(1), Duration.days(365));
    return new DrillSchedule(expression, options.interval, options.timeZone);
  }

  private constructor(
    /** The EventBridge Scheduler expression. */
    public readonly expressionString: string,
    /** The longest time between two runs. */
    public readonly interval: Duration,
    /** The time zone of a cron expression; none for a rate. */
    public readonly timeZone?: TimeZone,
  ) {}
}

function timeOf(options: DrillTimeOptions): [number, number] {
  const hour = options.hour ?? 3;
  const minute = options.minute ?? 0;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) invalidProp('hour', hour, 'give a whole hour from 0 to 23');
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) invalidProp('minute', minute, 'give a whole minute from 0 to 59');
  return [hour, minute];
}

/** What a drill run restores from. */
export class DrillPoint {
  /** The source's latest restorable time: how much a restore now would lose. */
  public static latest(): DrillPoint {
    return new DrillPoint({ Latest: true });
  }

  /**
   * A random time within the last `window` of the source's restorable window (at most its whole window), a
   * different one each run, so that the drills prove more than the newest data.
   */
  public static randomWithin(window: Duration): DrillPoint {
    validateDuration('restorePoint', window, Duration.minutes(5), Duration.days(35));
    return new DrillPoint({ WithinSeconds: window.toSeconds() });
  }

  private constructor(
    /** @internal */
    public readonly _choice: DrillPointChoice,
  ) {}
}

/** Options of a restore's drill, given to `addDrill`. */
export interface RestoreDrillOptions {
  /** When it runs. */
  readonly schedule: DrillSchedule;
  /**
   * What each run restores from.
   * @default DrillPoint.latest()
   */
  readonly restorePoint?: DrillPoint;
  /**
   * How long the restored resource is kept once it is validated, before it is deleted: 0 to 168 hours (AWS Backup
   * restore testing's validation window), for checks of your own.
   * @default Duration.hours(0)
   */
  readonly holdTime?: Duration;
  /**
   * The longest a run may take from the start of its restore to the restored resource being usable and validated.
   * A run that takes longer misses the objective: its metric and alarm say so.
   * @default - no objective: no objective alarm
   */
  readonly recoveryTimeObjective?: Duration;
  /**
   * The oldest the restored point may be when the run starts (the data a restore then would lose).
   * @default - no objective: no objective alarm
   */
  readonly recoveryPointObjective?: Duration;
  /**
   * The check each run's restored resource must pass.
   * @default - the restore's own `validation`; without one, a run passes once the resource is usable
   */
  readonly validation?: RestoreValidation;
  /**
   * Where each run's JSON report goes, under `restore-drills/<stack>/<drill>/`, with `latest.json` and
   * `last-success.json` beside the runs. A bucket encrypted with a KMS key must carry it (an `s3.Bucket`, or one
   * imported with `encryptionKey`): the drill role is granted that key.
   * @default - one bucket per stack, encrypted, versioned, reports kept 400 days, retained when the stack is deleted
   */
  readonly reportBucket?: s3.IBucket;
  /**
   * How long a run's restore may take before the run fails.
   * @default - the restore's own timeout
   */
  readonly timeout?: Duration;
  /**
   * Whether the schedule starts runs. A disabled drill keeps its state machine, which you may start by hand; its
   * staleness alarm goes into alarm once no run has succeeded for two intervals.
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * What a restore construct hands its drill: the restore as it synthesized it, and what a run needs beside it.
 * @internal
 */
export interface DrillSubject {
  readonly resourceType: string;
  readonly properties: Record<string, unknown>;
  readonly restorePath: string;
  readonly timeout: Duration;
  readonly validation?: RestoreValidation;
  readonly instances: readonly DrillInstance[];
  /** Why a run can restore only from one point (a copy-on-write clone, an S3 import), when it can; then DrillPoint.randomWithin is refused. */
  readonly fixedPoint?: string;
  /** Why a run measures no recovery point, when it does not; then recoveryPointObjective is refused. */
  readonly unmeasuredPoint?: string;
  /** Lets the stack's drill role make the kind's calls. */
  grant(runner: DrillRunner): void;
}

/**
 * A scheduled, self-cleaning proof that a declared restore still works. Each run is a Step Functions execution,
 * outside CloudFormation, driving the restore's own handler: it restores into a new, uniquely named resource tagged
 * as a drill's, adds what the construct builds on it, runs the validation, measures the recovery time and the age
 * of the restored point, keeps it for the hold time and deletes it without a final snapshot. A run never touches
 * the stack or the deploy-time restore; one still going makes the next skip; an hourly sweep deletes what a run
 * that died left. Made by the restore construct's `addDrill`.
 */
export class RestoreDrill extends Construct {
  /**
   * @internal
   */
  public static _create(scope: Construct, id: string, subject: DrillSubject, options: RestoreDrillOptions): RestoreDrill {
    return new RestoreDrill(scope, id, subject, options);
  }

  /** The state machine of the drill's runs; start an execution (with input `{}`) to run it now. */
  public readonly stateMachine: sfn.StateMachine;
  /** The bucket the reports go to. */
  public readonly reportBucket: s3.IBucket;
  /** In alarm when a run fails (its restore, its parts, its validation or its delete). */
  public readonly failureAlarm: cloudwatch.Alarm;
  /**
   * In alarm when no run succeeded within twice the schedule's interval, and so from the deployment until the first
   * run succeeds. The hourly sweep publishes the seconds since the last success (DrillSecondsSinceSuccess).
   */
  public readonly staleAlarm: cloudwatch.Alarm;
  /**
   * In alarm when a run misses the recovery-time or recovery-point objective.
   * @default - undefined without an objective
   */
  public readonly objectiveAlarm?: cloudwatch.Alarm;
  /** The drill's name in its metrics, its reports and the names its runs give. */
  public readonly drillName: string;

  private constructor(scope: Construct, id: string, subject: DrillSubject, options: RestoreDrillOptions) {
    super(scope, id);
    const stack = Stack.of(this);
    const runner = DrillRunner.of(this);
    const hold = options.holdTime ?? Duration.hours(0);
    validateDuration('holdTime', hold, Duration.hours(0), Duration.hours(MAX_DRILL_HOLD_HOURS));
    if (hold.toSeconds() >= options.schedule.interval.toSeconds()) {
      invalidProp('holdTime', hold.toHumanString(), `a run holds its restore as long as the schedule's interval (${options.schedule.interval.toHumanString()}) or longer, `
        + 'so every other run would be skipped; hold it for less, or run less often');
    }
    const timeout = options.timeout ?? subject.timeout;
    validateDuration('timeout', timeout, Duration.minutes(5), Duration.hours(24));
    const point = options.restorePoint ?? DrillPoint.latest();
    if (subject.fixedPoint && !('Latest' in point._choice)) invalidProp('restorePoint', 'DrillPoint.randomWithin(...)', `${subject.fixedPoint}; use DrillPoint.latest()`);
    if (subject.unmeasuredPoint && options.recoveryPointObjective) {
      invalidProp('recoveryPointObjective', options.recoveryPointObjective.toHumanString(), `${subject.unmeasuredPoint}; remove it`);
    }
    for (const [prop, objective] of [['recoveryTimeObjective', options.recoveryTimeObjective], ['recoveryPointObjective', options.recoveryPointObjective]] as const) {
      if (objective) validateDuration(prop, objective, Duration.minutes(1), Duration.days(35));
    }
    const hash = inputsHash(this, { path: this.node.path }).slice(0, 4);
    this.drillName = `${id.replace(/[^A-Za-z0-9-]/g, '').slice(0, 50)}-${hash}`;
    this.reportBucket = options.reportBucket ?? runner.defaultReportBucket();
    runner.writesReportsTo(this.reportBucket);
    runner.watches({ DrillName: this.drillName, ReportBucket: this.reportBucket.bucketName });
    subject.grant(runner);
    const validation = options.validation ?? subject.validation;

    const config: DrillConfig = {
      DrillPath: this.node.path,
      DrillName: this.drillName,
      StackName: stack.stackName,
      StackId: stack.stackId,
      NamePrefix: `${runner.namePrefix}${hash}-`,
      ResourceType: subject.resourceType,
      ResourceProperties: subject.properties,
      RestorePath: subject.restorePath,
      RestorePoint: point._choice,
      Instances: subject.instances,
      HoldSeconds: hold.toSeconds(),
      TimeoutSeconds: timeout.toSeconds(),
      RecoveryTimeObjectiveSeconds: options.recoveryTimeObjective?.toSeconds(),
      RecoveryPointObjectiveSeconds: options.recoveryPointObjective?.toSeconds(),
      Validation: validation ? { FunctionArn: validation.validator.functionArn, TimeoutSeconds: validation.timeout.toSeconds() } : undefined,
      ReportBucket: this.reportBucket.bucketName,
    };
    this.stateMachine = this.runMachine(runner, config, `${runner.stateMachinePrefix}${hash}`);
    validation?.validator.grantInvoke(this.stateMachine.role);
    this.schedule(options.schedule, options.enabled ?? true);
    const alarms = this.alarms(options.schedule, Boolean(options.recoveryTimeObjective || options.recoveryPointObjective));
    this.failureAlarm = alarms.failure;
    this.staleAlarm = alarms.stale;
    this.objectiveAlarm = alarms.objective;
  }

  /**
   * A drill metric, by the stack's name and the drill's; the Maximum over 5 minutes unless `props` says otherwise.
   * @param metricName one of DrillSucceeded, DrillFailed, DrillRecoveryTime, DrillRecoveryPointAge, DrillObjectiveMissed, DrillSkipped,
   * DrillSecondsSinceSuccess
   * @param props the metric's options
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      statistic: cloudwatch.Stats.MAXIMUM,
      ...props,
      dimensionsMap: { [METRIC_DIMENSIONS.stack]: Stack.of(this).stackName, [DRILL_DIMENSION]: this.drillName, ...props.dimensionsMap },
    });
  }

  /**
   * Seconds from the start of a run's restore to the restored resource being usable and validated, per successful run.
   * @default - the Maximum over 5 minutes
   */
  public metricRecoveryTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRILL_METRIC_NAMES.recoveryTime, { unit: cloudwatch.Unit.SECONDS, ...props });
  }

  /**
   * Seconds between the point a run restored and the run's start, per run that restored.
   * @default - the Maximum over 5 minutes
   */
  public metricRecoveryPointAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRILL_METRIC_NAMES.recoveryPointAge, { unit: cloudwatch.Unit.SECONDS, ...props });
  }

  /**
   * 1 for a run that succeeded, 0 for one that failed, published at the run's end.
   * @default - the Maximum over 5 minutes
   */
  public metricSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(DRILL_METRIC_NAMES.succeeded, { unit: cloudwatch.Unit.COUNT, ...props });
  }

  private runMachine(runner: DrillRunner, config: DrillConfig, name: string): sfn.StateMachine {
    const configure = new sfn.Pass(this, 'Configure', {
      parameters: { Config: config, Execution: sfn.JsonPath.stringAt('$$.Execution.Id'), StateMachine: sfn.JsonPath.stringAt('$$.StateMachine.Id') },
    });
    const step = new tasks.LambdaInvoke(this, 'RunStep', { lambdaFunction: runner.stepFunction, payloadResponseOnly: true, retryOnServiceExceptions: true });
    step.addRetry({ errors: ['Lambda.TooManyRequestsException'], interval: Duration.seconds(5), maxAttempts: 6, backoffRate: 2 });
    // A step that failed outright is told to the next, which fails the run and goes on to delete what it made.
    step.addCatch(new sfn.Wait(this, 'PauseAfterFailedStep', { time: sfn.WaitTime.duration(Duration.seconds(30)) }).next(step), { resultPath: '$.error' });
    const wait = new sfn.Wait(this, 'WaitBeforeNextStep', { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
    const definition = configure.next(step).next(new sfn.Choice(this, 'RunEnded?')
      .when(sfn.Condition.booleanEquals('$.done', true), new sfn.Succeed(this, 'Ended'))
      .when(sfn.Condition.isPresent('$.validate'), validateRestore(this, step))
      .otherwise(wait.next(step)));
    const machine = new sfn.StateMachine(this, 'Runs', {
      stateMachineName: name,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.seconds(config.TimeoutSeconds + (config.Validation?.TimeoutSeconds ?? 0) + config.HoldSeconds + DRILL_MARGIN_SECONDS),
      logs: { destination: runner.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    suppressNag(machine.role.node.findChild('DefaultPolicy'), [
      { id: 'AwsSolutions-IAM5', reason: 'aws-cdk-lib\'s LambdaInvoke and grantInvoke allow the invoked function\'s versions and aliases (<function ARN>:*), of the named functions only', appliesTo: [tokenArnPattern(':*')] },
      { id: 'AwsSolutions-IAM5', reason: 'CloudWatch Logs delivery and X-Ray actions have no resource-level permissions', appliesTo: ['Resource::*'] },
    ]);
    return machine;
  }

  private schedule(schedule: DrillSchedule, enabled: boolean): void {
    const role = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
    });
    this.stateMachine.grantStartExecution(role);
    new scheduler.CfnSchedule(this, 'Schedule', {
      description: `cdk-restore-constructs: restore drill ${this.node.path}`,
      scheduleExpression: schedule.expressionString,
      scheduleExpressionTimezone: schedule.timeZone?.timezoneName,
      flexibleTimeWindow: { mode: 'OFF' },
      state: enabled ? 'ENABLED' : 'DISABLED',
      // A failed start is not retried: the next schedule is the next run.
      target: { arn: this.stateMachine.stateMachineArn, roleArn: role.roleArn, input: '{}', retryPolicy: { maximumRetryAttempts: 0 } },
    });
  }

  private alarms(schedule: DrillSchedule, objectives: boolean) {
    const failure = this.metric(DRILL_METRIC_NAMES.failed, { period: Duration.minutes(5) }).createAlarm(this, 'FailureAlarm', {
      alarmDescription: `A run of restore drill ${this.node.path} failed; its report says why`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // The hourly sweep publishes how long ago the last success ended: an alarm on the runs' own metrics could look back
    // at most 7 days. Two silent hours of three (no sweep, or no success ever) count as stale too.
    const window = Duration.seconds(2 * schedule.interval.toSeconds());
    const since = this.metric(DRILL_METRIC_NAMES.sinceSuccess, { unit: cloudwatch.Unit.SECONDS, period: Duration.hours(1) });
    const stale = since.createAlarm(this, 'StaleAlarm', {
      alarmDescription: `No run of restore drill ${this.node.path} succeeded in the last ${window.toHumanString()}`,
      threshold: window.toSeconds(),
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const objective = objectives ? this.metric(DRILL_METRIC_NAMES.objectiveMissed, { period: Duration.minutes(5) }).createAlarm(this, 'ObjectiveAlarm', {
      alarmDescription: `A run of restore drill ${this.node.path} missed its recovery-time or recovery-point objective`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }) : undefined;
    return { failure, stale, objective };
  }
}
