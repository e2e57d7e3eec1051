import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ClusterEngine, DrillPoint, DrillSchedule, PointInTimeRestoredCluster, PointInTimeRestoredClusterProps, RestoreDrillOptions, RestoreType,
  RestoreValidation, S3ImportedAuroraCluster, CopiedElasticSnapshot,
} from '../lib';

function drilled(options: Partial<RestoreDrillOptions> = {}, props: Partial<PointInTimeRestoredClusterProps> = {}) {
  const stack = new Stack(new App(), 'DrillStack', { env: { account: '123456789012', region: 'us-east-1' } });
  const restored = new PointInTimeRestoredCluster(stack, 'Orders', {
    engine: ClusterEngine.AURORA_POSTGRESQL, sourceClusterIdentifier: 'orders-prod', ...props,
  });
  const drill = restored.addDrill('Nightly', { schedule: DrillSchedule.daily({ hour: 2, timeZone: TimeZone.EUROPE_BERLIN }), ...options });
  return { stack, restored, drill, template: Template.fromStack(stack) };
}

/** The drill state machine's definition, with its tokens left as the template writes them. */
function definitionOf(template: Template): any {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: Match.stringLikeRegexp('^CdkRestoreDrill-') } }));
  const parts = machine.Properties.DefinitionString['Fn::Join'][1];
  // Tokens become placeholders, so the document parses as JSON.
  return JSON.parse(parts.map((p: unknown) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
}

function drillStatements(template: Template): any[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('CdkRestoreConstructsDrillsRole'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('DrillSchedule', () => {
  test('rates, daily and weekly times become Scheduler expressions with their intervals', () => {
    expect(DrillSchedule.rate(Duration.hours(12)).expressionString).toBe('rate(12 hours)');
    expect(DrillSchedule.rate(Duration.days(1)).expressionString).toBe('rate(1 day)');
    expect(DrillSchedule.rate(Duration.minutes(90)).expressionString).toBe('rate(90 minutes)');
    expect(DrillSchedule.daily({ hour: 4, minute: 30 }).expressionString).toBe('cron(30 4 * * ? *)');
    const weekly = DrillSchedule.weekly({ weekDay: 'sun' });
    expect([weekly.expressionString, weekly.interval.toDays()]).toEqual(['cron(0 3 ? * SUN *)', 7]);
  });

  test('refuses what Scheduler would refuse, or a drill more often than hourly, naming the prop and the value', () => {
    expect(() => DrillSchedule.rate(Duration.minutes(30))).toThrow(/schedule/);
    expect(() => DrillSchedule.daily({ hour: 24 })).toThrow(/Invalid hour 24/);
    expect(() => DrillSchedule.weekly({ weekDay: 'Funday' })).toThrow(/Invalid weekDay "Funday".*MON, TUE/);
    expect(() => DrillSchedule.cron('cron(0 3 * * ?)', { interval: Duration.days(1) })).toThrow(/six fields/);
  });
});

describe('A drill of a point-in-time restore', () => {
  test('is scheduled in its time zone, starting its own state machine with no retry', () => {
    const { template } = drilled();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      Target: { Arn: { Ref: Match.stringLikeRegexp('^OrdersNightlyRuns') }, Input: '{}', RetryPolicy: { MaximumRetryAttempts: 0 } },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 hour)', Target: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CdkRestoreConstructsDrillsSweep'), 'Arn'] } } });
  });

  test('hands every run the restore as the construct synthesized it, with the drill\'s point, hold and objectives', () => {
    const { template } = drilled({
      restorePoint: DrillPoint.randomWithin(Duration.hours(6)), holdTime: Duration.hours(2), recoveryTimeObjective: Duration.hours(1),
    });
    const definition = definitionOf(template);
    expect(definition.StartAt).toBe('Configure');
    const config = definition.States.Configure.Parameters.Config;
    expect(config).toMatchObject({
      ResourceType: 'Custom::PointInTimeRestoredCluster',
      ResourceProperties: { Engine: 'aurora-postgresql', SourceDBClusterIdentifier: 'orders-prod', RemovalPolicy: 'snapshot' },
      RestorePoint: { WithinSeconds: 21600 },
      HoldSeconds: 7200,
      RecoveryTimeObjectiveSeconds: 3600,
      Instances: [{ DBInstanceClass: 'db.r6g.large' }],
      NamePrefix: expect.stringMatching(/^drill-[0-9a-f]{8}-[0-9a-f]{4}-$/),
    });
    expect(definition.States.Configure.Parameters['Execution.$']).toBe('$$.Execution.Id');
    expect(Object.keys(definition.States).sort()).toEqual(['Configure', 'Ended', 'PauseAfterFailedStep', 'RunEnded?', 'RunStep', 'ValidateRestore', 'WaitBeforeNextStep']);
    expect(definition.States.RunStep.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'PauseAfterFailedStep' });
  });

  test('alarms on a failed run, on no success within two intervals, and on a missed objective', () => {
    const { template } = drilled({ recoveryPointObjective: Duration.minutes(15) });
    const dimensions = [{ Name: 'Drill', Value: Match.stringLikeRegexp('^Nightly-') }, { Name: 'StackName', Value: 'DrillStack' }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DrillFailed', Dimensions: dimensions, Threshold: 1, TreatMissingData: 'notBreaching' });
    // Stale: the hourly sweep's figure of seconds since the last success, above two intervals, or silent.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DrillSecondsSinceSuccess',
      Period: 3600,
      Threshold: 2 * 86400,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DrillObjectiveMissed', Threshold: 1 });
    expect(Object.keys(drilled().template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(2);
    const weekly = drilled({ schedule: DrillSchedule.weekly({ weekDay: 'MON' }) }).template;
    weekly.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DrillSecondsSinceSuccess', Threshold: 14 * 86400 });
    // The sweep is told which drills to publish it for, and where their reports are.
    const [sweep] = Object.values(weekly.findResources('AWS::Scheduler::Schedule', { Properties: { ScheduleExpression: 'rate(1 hour)' } }));
    expect(JSON.stringify(sweep.Properties.Target.Input)).toMatch(/\\"Drills\\":\[\{\\"DrillName\\":\\"Nightly-[0-9a-f]{4}\\"/);
  });

  test('runs on a role that creates only what the call tags as the stack\'s drill\'s, and deletes only what carries that tag', () => {
    const statements = drillStatements(drilled().template);
    const withAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    const requestTag = { StringEquals: { 'aws:RequestTag/cdk-restore-constructs:drill': 'DrillStack' } };
    const resourceTag = { StringEquals: { 'aws:ResourceTag/cdk-restore-constructs:drill': 'DrillStack' } };
    expect(withAction('rds:RestoreDBClusterToPointInTime')).toEqual([expect.objectContaining({ Condition: requestTag })]);
    expect(withAction('rds:CreateDBInstance')).toEqual([expect.objectContaining({ Condition: requestTag })]);
    for (const action of ['rds:DeleteDBCluster', 'rds:DeleteDBInstance']) {
      const [only, ...others] = withAction(action);
      expect(others).toEqual([]);
      expect(only.Condition).toEqual(resourceTag);
      expect(JSON.stringify(only.Resource)).toMatch(/cluster:drill-[0-9a-f]{8}-\*.*db:drill-[0-9a-f]{8}-\*/);
    }
    // The restore names its source and the drill's clusters, not any cluster of the account.
    const restoreResources = JSON.stringify(withAction('rds:RestoreDBClusterToPointInTime')[0].Resource);
    expect(restoreResources).toMatch(/cluster:orders-prod"/);
    expect(restoreResources).toMatch(/cluster:drill-[0-9a-f]{8}-\*"/);
    expect(restoreResources).not.toMatch(/cluster:\*"/);
    // Tagging is held to the drill names: a tag condition alone would let the role give any cluster the drill tag.
    const [tagging] = withAction('rds:AddTagsToResource');
    expect(tagging.Condition).toBeUndefined();
    expect(JSON.stringify(tagging.Resource)).not.toMatch(/cluster:\*/);
    // The deploy-time handler's role gets nothing from the drill.
    const handler = Object.entries(drilled().template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole'));
    expect(JSON.stringify(handler)).not.toMatch(/cdk-restore-constructs:drill|drill-[0-9a-f]{8}/);
  });

  test('lets its state machine invoke the validator, and writes reports to an encrypted bucket with a lifecycle rule', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const validator = new lambda.Function(stack, 'Validator', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ passed: true })') });
    const restored = new PointInTimeRestoredCluster(stack, 'Orders', { engine: ClusterEngine.AURORA_MYSQL, sourceClusterIdentifier: 'orders-prod' });
    restored.addDrill('Nightly', { schedule: DrillSchedule.rate(Duration.days(1)), validation: RestoreValidation.fromFunction(validator) });
    const template = Template.fromStack(stack);
    const machineRole = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('OrdersNightlyRunsRole'))![1];
    expect(JSON.stringify(machineRole)).toMatch(/Validator[0-9A-F]{8}/);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 400, Status: 'Enabled' })] },
    });
    const statements = drillStatements(template);
    expect(statements.find((s) => JSON.stringify(s.Action) === '["s3:PutObject","s3:GetObject"]').Resource['Fn::Join'][1]).toContain('/restore-drills/S/*');
  });

  test('gets what the restore\'s settings need on the drill\'s clusters: the secret\'s key and its rotation, the Data API', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const key = new kms.Key(stack, 'SecretKey');
    const restored = new PointInTimeRestoredCluster(stack, 'Orders', {
      engine: ClusterEngine.AURORA_POSTGRESQL, sourceClusterIdentifier: 'orders-prod', manageMasterUserPassword: true, masterUserSecretKey: key, enableDataApi: true,
    });
    restored.addDrill('Nightly', { schedule: DrillSchedule.daily() });
    const statements = drillStatements(Template.fromStack(stack));
    const withAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    expect(JSON.stringify(withAction('kms:Decrypt'))).toMatch(/SecretKey/);
    expect(JSON.stringify(withAction('secretsmanager:RotateSecret')[0].Condition)).toMatch(/primaryDBClusterArn.*cluster:drill-[0-9a-f]{8}-\*/);
    expect(withAction('rds:EnableHttpEndpoint')[0].Condition).toEqual({ StringEquals: { 'aws:ResourceTag/cdk-restore-constructs:drill': 'S' } });
  });

  test('an S3 import\'s drill imports the same backup only into the drill\'s clusters, passing only its ingestion role; it has no point to choose or measure', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const legacy = new S3ImportedAuroraCluster(stack, 'Legacy', {
      bucket: s3.Bucket.fromBucketName(stack, 'Backups', 'legacy-backups'), bucketPrefix: 'nightly/', sourceEngineVersion: '8.0.36',
    });
    legacy.addDrill('Weekly', { schedule: DrillSchedule.weekly({ weekDay: 'SUN' }) });
    const statements = drillStatements(Template.fromStack(stack));
    const [importing] = statements.filter((s) => s.Action === 'rds:RestoreDBClusterFromS3');
    expect(importing.Condition).toEqual({ StringEquals: { 'aws:RequestTag/cdk-restore-constructs:drill': 'S' } });
    expect(JSON.stringify(importing.Resource)).toMatch(/cluster:drill-[0-9a-f]{8}-\*"/);
    expect(JSON.stringify(importing.Resource)).not.toMatch(/cluster:\*"/);
    const [passing] = statements.filter((s) => s.Action === 'iam:PassRole');
    expect(JSON.stringify(passing.Resource)).toMatch(/LegacyIngestionRole/);
    expect(() => legacy.addDrill('Random', { schedule: DrillSchedule.daily(), restorePoint: DrillPoint.randomWithin(Duration.hours(1)) }))
      .toThrow(/Invalid restorePoint.*an S3 import restores the backup it names/);
    expect(() => legacy.addDrill('Rpo', { schedule: DrillSchedule.daily(), recoveryPointObjective: Duration.hours(1) }))
      .toThrow(/Invalid recoveryPointObjective.*measures no recovery point/);
  });

  test('an Elastic copy\'s drill copies only when the call tags the copy as the drill\'s, and deletes only copies with that tag', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const copy = new CopiedElasticSnapshot(stack, 'Catalogue', {
      sourceSnapshotArn: 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/3b2c8a1e9f0d4c7b8a6e5d4c3b2a1f0e', targetSnapshotName: 'catalogue-copy',
    });
    copy.addDrill('Daily', { schedule: DrillSchedule.daily() });
    const statements = drillStatements(Template.fromStack(stack));
    const withAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    expect(withAction('docdb-elastic:CopyClusterSnapshot')[0].Condition).toEqual({ StringEquals: { 'aws:RequestTag/cdk-restore-constructs:drill': 'S' } });
    expect(withAction('docdb-elastic:DeleteClusterSnapshot')[0].Condition).toEqual({ StringEquals: { 'aws:ResourceTag/cdk-restore-constructs:drill': 'S' } });
    // The sweep lists the stack's Elastic copies too.
    const [sweep] = Object.values(Template.fromStack(stack).findResources('AWS::Scheduler::Schedule', { Properties: { ScheduleExpression: 'rate(1 hour)' } }));
    expect(JSON.stringify(sweep.Properties.Target.Input)).toContain('docdb-elastic');
    expect(() => copy.addDrill('Random', { schedule: DrillSchedule.daily(), restorePoint: DrillPoint.randomWithin(Duration.hours(1)) }))
      .toThrow(/Invalid restorePoint.*copies the snapshot it names/);
  });

  test('writes to the bucket the user gives, and makes none of its own', () => {
    const stack = new Stack(new App(), 'S');
    const bucket = new s3.Bucket(stack, 'Audit');
    const restored = new PointInTimeRestoredCluster(stack, 'Orders', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'graph' });
    const drill = restored.addDrill('Weekly', { schedule: DrillSchedule.weekly({ weekDay: 'SAT' }), reportBucket: bucket });
    expect(drill.reportBucket).toBe(bucket);
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::S3::Bucket'))).toEqual([expect.stringMatching(/^Audit/)]);
  });

  test('refuses a random point for a copy-on-write clone, and a hold past 168 hours, as ValidationErrors of the drill', () => {
    expect(() => drilled({ restorePoint: DrillPoint.randomWithin(Duration.days(1)) }, { restoreType: RestoreType.COPY_ON_WRITE }))
      .toThrow(/Invalid restorePoint.*copy-on-write clone.*DrillPoint\.latest\(\)/);
    const thrown = (() => {
      try {
        drilled({ holdTime: Duration.hours(169) });
      } catch (error) {
        return error as Error;
      }
      return undefined;
    })();
    expect(thrown?.name).toBe('ValidationError');
    expect(thrown?.message).toMatch(/Invalid holdTime/);
    // Held as long as the interval, every other run would find the last still going, and skip.
    expect(() => drilled({ holdTime: Duration.hours(24) })).toThrow(/Invalid holdTime "1 day".*interval \(1 day\).*every other run would be skipped/);
  });
});
