import * as fs from 'fs';
import * as path from 'path';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as rds from '@aws-sdk/client-rds';
import * as s3 from '@aws-sdk/client-s3';
import * as sfn from '@aws-sdk/client-sfn';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3cdk from 'aws-cdk-lib/aws-s3';
import { Moto, requireMoto, startMoto, useEmulator } from './support/moto';
import type { DrillReport } from '../lambda/shared/drill-report';
import type { DrillState } from '../lambda/shared/drill-run';
import { ClusterEngine, DrillPoint, DrillSchedule, PointInTimeRestoredCluster, RestoreDrillOptions, RestoreValidation } from '../lib';
import { METRICS_NAMESPACE } from '../lib/private/contracts/common';
import { DRILL_EXPIRES_TAG_KEY, DRILL_TAG_KEY, SweepConfig } from '../lib/private/contracts/drill';
import { resolveValue } from '../rehearse/intrinsics';
import { PlayedRun, playDefinition } from '../rehearse/state-machine-player';

/**
 * A drill's runs as Step Functions would run them: the synthesized state machine's definition (tokens resolved as
 * CloudFormation would) played by an ASL interpreter, its step function the bundled handler exactly as Lambda
 * loads it, against moto_server's RDS, S3, CloudWatch, EventBridge and Step Functions. The validator is the test's
 * own function, invoked as the definition's lambda:invoke state says. The test asserts the emulator's state.
 */
const BUNDLE = path.join(__dirname, '..', 'assets', 'restore-handler', 'index.js');
const ACCOUNT = '123456789012';
const STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/DrillStack/0c0c0c0c-0000-11ef-9c1e-0a1b2c3d4e5f`;
const BUCKET = 'drill-reports';
const run = requireMoto();
const suite = run ? describe : describe.skip;

interface Bundle {
  drill(state: DrillState): Promise<DrillState>;
  sweepDrills(config: SweepConfig): Promise<{ deleted: string[]; secondsSinceSuccess: Record<string, number> }>;
}

/** The drill's stack, synthesized, with what the play needs: its definition as CloudFormation resolves it, and its step function's ARN. */
function synthDrill(options: Partial<RestoreDrillOptions> = {}, source = 'orders-prod') {
  const app = new App();
  const stack = new Stack(app, 'DrillStack', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const validator = new lambda.Function(stack, 'Validator', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  const restored = new PointInTimeRestoredCluster(stack, 'Orders', {
    engine: ClusterEngine.AURORA_POSTGRESQL, sourceClusterIdentifier: source, validation: RestoreValidation.fromFunction(validator),
  });
  const reports = s3cdk.Bucket.fromBucketName(stack, 'Reports', BUCKET);
  restored.addDrill('Nightly', { schedule: DrillSchedule.daily(), reportBucket: reports, ...options });
  const template = Template.fromStack(stack).toJSON();
  const arnOf = (logicalId: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${logicalId}`;
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': ACCOUNT, 'AWS::StackName': 'DrillStack', 'AWS::StackId': STACK_ID, 'AWS::URLSuffix': 'amazonaws.com' };
  const ctx = {
    mappings: {},
    conditions: {},
    region: 'us-east-1',
    ref: (name: string) => pseudo[name] ?? name,
    getAtt: (logicalId: string, attribute: string) => (attribute === 'Arn' ? arnOf(logicalId) : `${logicalId}.${attribute}`),
  };
  const [machine] = Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine' && /^CdkRestoreDrill-/.test(r.Properties.StateMachineName));
  const definition = JSON.parse(String(resolveValue(machine.Properties.DefinitionString, ctx)));
  const stepId = Object.keys(template.Resources).find((id) => id.startsWith('CdkRestoreConstructsDrillsStep'))!;
  const sweepSchedule = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Scheduler::Schedule' && r.Properties.ScheduleExpression === 'rate(1 hour)');
  const sweep: SweepConfig = JSON.parse(String(resolveValue(sweepSchedule.Properties.Target.Input, ctx)));
  const validatorId = Object.keys(template.Resources).find((id) => id.startsWith('Validator') && template.Resources[id].Type === 'AWS::Lambda::Function')!;
  return { definition, sweep, stepArn: arnOf(stepId), validatorArn: arnOf(validatorId), name: machine.Properties.StateMachineName as string };
}

suite('a drill run, its synthesized state machine played against moto_server', () => {
  let moto: Moto;
  let restoreEnv: () => void;
  let bundle: Bundle;
  const client = () => new rds.RDSClient({});

  /** What the test's validator saw, and answers. */
  let seen: { event: any; cluster?: rds.DBCluster; instances: string[]; tags: rds.Tag[] }[] = [];
  let answer: () => unknown = () => ({ passed: true, message: 'orders table has rows' });

  async function play(drill: ReturnType<typeof synthDrill>, stateMachine: string, execution: string): Promise<PlayedRun> {
    return playDefinition(drill.definition, {}, {
      runFunction: async (arn, input) => {
        expect(arn).toBe(drill.stepArn);
        return bundle.drill(input as DrillState);
      },
      invoke: async (name, payload: any) => {
        expect(name).toBe(drill.validatorArn);
        const id = payload.physicalResourceId;
        const [cluster] = (await client().send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters!;
        const all = (await client().send(new rds.DescribeDBInstancesCommand({}))).DBInstances!;
        const instances = all.filter((i) => i.DBClusterIdentifier === id).map((i) => i.DBInstanceIdentifier!);
        const tags = (await client().send(new rds.ListTagsForResourceCommand({ ResourceName: cluster.DBClusterArn }))).TagList ?? [];
        seen.push({ event: payload, cluster, instances, tags });
        return { Payload: answer() };
      },
    }, { maxPauseMs: 0, context: { Execution: { Id: execution }, StateMachine: { Id: stateMachine } } });
  }

  async function drillClusters(): Promise<rds.DBCluster[]> {
    return (await client().send(new rds.DescribeDBClustersCommand({}))).DBClusters!.filter((c) => c.DBClusterIdentifier!.startsWith('drill-'));
  }

  async function readReport(key: string): Promise<DrillReport> {
    const out = await new s3.S3Client({ forcePathStyle: true }).send(new s3.GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return JSON.parse(await out.Body!.transformToString());
  }

  async function metric(name: string, drill: string): Promise<number[]> {
    const out = await new cloudwatch.CloudWatchClient({}).send(new cloudwatch.GetMetricStatisticsCommand({
      Namespace: METRICS_NAMESPACE,
      MetricName: name,
      Dimensions: [{ Name: 'StackName', Value: 'DrillStack' }, { Name: 'Drill', Value: drill }],
      StartTime: new Date(Date.now() - 3600_000),
      EndTime: new Date(Date.now() + 3600_000),
      Period: 60,
      Statistics: ['Maximum'],
    }));
    return (out.Datapoints ?? []).map((d) => d.Maximum!);
  }

  let machineArn: string;
  beforeAll(async () => {
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run "npm run bundle" first`);
    moto = await startMoto();
    restoreEnv = useEmulator(moto.endpoint);
    process.env.AWS_S3_FORCE_PATH_STYLE = 'true';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    bundle = require(BUNDLE);
    await new s3.S3Client({ forcePathStyle: true }).send(new s3.CreateBucketCommand({ Bucket: BUCKET }));
    await client().send(new rds.CreateDBClusterCommand({
      DBClusterIdentifier: 'orders-prod', Engine: 'aurora-postgresql', MasterUsername: 'admin', MasterUserPassword: 'not-a-secret-1',
    }));
    const drill = synthDrill();
    machineArn = (await new sfn.SFNClient({}).send(new sfn.CreateStateMachineCommand({
      name: drill.name, definition: JSON.stringify(drill.definition), roleArn: `arn:aws:iam::${ACCOUNT}:role/drill`,
    }))).stateMachineArn!;
  });

  afterAll(async () => {
    restoreEnv?.();
    await moto?.stop();
  });

  beforeEach(() => {
    seen = [];
    answer = () => ({ passed: true, message: 'orders table has rows' });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  const executionOf = (name: string) => `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;

  test('restores into a drill-named, drill-tagged cluster with a writer, validates it, measures it, deletes it, and reports', async () => {
    const drill = synthDrill({ restorePoint: DrillPoint.randomWithin(Duration.hours(1)), recoveryTimeObjective: Duration.hours(1) });
    const played = await play(drill, machineArn, executionOf('ok'));

    // The validator saw the run's own cluster, with its writer, as the deploy-time validator sees a restore.
    expect(seen).toHaveLength(1);
    const [{ event, cluster, instances, tags }] = seen;
    expect(event).toMatchObject({ kind: 'PointInTimeRestoredCluster', constructPath: 'DrillStack/Orders', drill: 'DrillStack/Orders/Nightly', stackId: STACK_ID });
    expect(event.physicalResourceId).toMatch(/^drill-[0-9a-f]{8}-[0-9a-f]{4}-\d{14}-[0-9a-f]{4}$/);
    expect(event.attributes.DBClusterIdentifier).toBe(event.physicalResourceId);
    expect(cluster!.Engine).toBe('aurora-postgresql');
    expect(cluster!.DeletionProtection).toBeFalsy();
    expect(instances).toEqual([`${event.physicalResourceId}-1`]);
    expect(tags).toEqual(expect.arrayContaining([{ Key: DRILL_TAG_KEY, Value: 'DrillStack' }, expect.objectContaining({ Key: DRILL_EXPIRES_TAG_KEY })]));

    // Nothing of the run is left, and the source is as it was.
    expect(await drillClusters()).toEqual([]);
    const left = (await client().send(new rds.DescribeDBInstancesCommand({}))).DBInstances!.filter((i) => i.DBInstanceIdentifier!.startsWith('drill-'));
    expect(left).toEqual([]);
    expect((await client().send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'orders-prod' }))).DBClusters![0].Status).toBe('available');

    const report = (played.output as DrillState).Report!;
    expect(report).toMatchObject({
      outcome: 'succeeded',
      restoredId: event.physicalResourceId,
      validation: { passed: true, message: 'orders table has rows' },
      objectives: { recoveryTimeSeconds: 3600, met: true },
      leftBehind: [],
    });
    expect(report.deleted).toEqual([`${event.physicalResourceId}-1`, event.physicalResourceId]);
    expect(report.recoveryTimeSeconds).toBeGreaterThanOrEqual(0);
    expect(played.states.map((s) => s.name)).toEqual(expect.arrayContaining(['Configure', 'RunStep', 'ValidateRestore', 'WaitBeforeNextStep', 'Ended']));
    // The report as S3 holds it, under the run and as the latest, and the figures as CloudWatch holds them.
    const key = `restore-drills/DrillStack/${report.drill}/`;
    expect(await readReport(`${key}${report.startedAt}.json`)).toEqual(report);
    expect(await readReport(`${key}latest.json`)).toEqual(report);
    expect(await metric('DrillSucceeded', report.drill)).toContain(1);
    expect(await metric('DrillObjectiveMissed', report.drill)).toContain(0);
    // The hourly sweep tells how long ago that success was, for the staleness alarm, from the report it left.
    const swept = await bundle.sweepDrills(drill.sweep);
    expect(swept.secondsSinceSuccess[report.drill]).toBeLessThan(60);
    expect(await metric('DrillSecondsSinceSuccess', report.drill)).toEqual([swept.secondsSinceSuccess[report.drill]]);
  });

  test('a validation that fails fails the run, which still deletes what it made', async () => {
    answer = () => ({ passed: false, message: 'orders table is empty' });
    const drill = synthDrill();
    const report = ((await play(drill, machineArn, executionOf('bad'))).output as DrillState).Report!;
    expect(report).toMatchObject({ outcome: 'failed', validation: { passed: false, message: 'orders table is empty' }, leftBehind: [] });
    expect(report.reason).toMatch(/validation failed: orders table is empty/);
    expect(report.deleted).toHaveLength(2);
    expect(await drillClusters()).toEqual([]);
    expect(await metric('DrillFailed', report.drill)).toContain(1);
  });

  test('a restore refused by its pre-flight makes nothing, and the run says why', async () => {
    const drill = synthDrill({}, 'orders-gone');
    const report = ((await play(drill, machineArn, executionOf('refused'))).output as DrillState).Report!;
    expect(report).toMatchObject({ outcome: 'failed', deleted: [], leftBehind: [] });
    expect(report.reason).toMatch(/Source cluster "orders-gone" does not exist/);
    expect(seen).toEqual([]);
    expect(await drillClusters()).toEqual([]);
  });

  test('a run still going makes the next one skip, restoring nothing and keeping the latest report', async () => {
    const steps = new sfn.SFNClient({});
    // moto records an execution without running it: it stays RUNNING, as a run hours into its restore does.
    const going = (await steps.send(new sfn.StartExecutionCommand({ stateMachineArn: machineArn, name: 'going', input: '{}' }))).executionArn!;
    try {
      const drill = synthDrill();
      const report = ((await play(drill, machineArn, executionOf('next'))).output as DrillState).Report!;
      expect(report).toMatchObject({ outcome: 'skipped' });
      expect(report.reason).toContain(going);
      expect(seen).toEqual([]);
      expect(await drillClusters()).toEqual([]);
      expect(await metric('DrillSkipped', report.drill)).toContain(1);
    } finally {
      await steps.send(new sfn.StopExecutionCommand({ executionArn: going }));
    }
  });

  test('the sweeper deletes what a run that died left once it expires, and nothing else', async () => {
    const drill = synthDrill();
    // A run dies once its writer is being made: its steps are played by hand up to there, then abandoned.
    let state = { Config: drill.definition.States.Configure.Parameters.Config, Execution: executionOf('died'), StateMachine: machineArn } as DrillState;
    for (let step = 0; state.phase !== 'validating' && step < 10; step++) state = await bundle.drill(state);
    const [orphan] = await drillClusters();
    expect(orphan.DBClusterIdentifier).toBe(state.RestoredId);
    // Not a drill's: the same prefix without the drill tag.
    await client().send(new rds.CreateDBClusterCommand({
      DBClusterIdentifier: `${state.Config.NamePrefix}00000000000000`, Engine: 'aurora-postgresql', MasterUsername: 'admin', MasterUserPassword: 'not-a-secret-1',
    }));
    // As the stack's hourly schedule tells it.
    const { sweep } = drill;
    expect(sweep).toMatchObject({ NamePrefix: state.Config.NamePrefix.replace(/[0-9a-f]{4}-$/, ''), StackName: 'DrillStack', Engines: ['aurora-postgresql'] });

    expect((await bundle.sweepDrills(sweep)).deleted).toEqual([]);
    const expired = Date.now() + (state.Config.TimeoutSeconds + 3 * 3600 + 900) * 1000;
    jest.spyOn(Date, 'now').mockReturnValue(expired);
    expect((await bundle.sweepDrills(sweep)).deleted).toEqual([`${state.RestoredId}-1`]);
    expect((await bundle.sweepDrills(sweep)).deleted).toEqual([state.RestoredId]);
    expect((await drillClusters()).map((c) => c.DBClusterIdentifier)).toEqual([`${state.Config.NamePrefix}00000000000000`]);
  });
});
