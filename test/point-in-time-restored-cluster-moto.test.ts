import * as fs from 'fs';
import * as path from 'path';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import * as sfn from '@aws-sdk/client-sfn';
import { cfnEvent, completeEvent, LOGICAL_ID, STACK_ID } from './support/events';
import { Moto, requireMoto, startMoto, useEmulator } from './support/moto';
import { createPollerStateMachine, WaitHandles } from './support/wait-handle';
import { executionName } from '../lambda/shared/executions';
import type { PollerState } from '../lambda/shared/polling';
import type { WaitSignal } from '../lambda/shared/signal';
import type { IsCompleteResponse, OnEventRequest, OnEventResponse } from '../lambda/shared/types';
import { ATTRIBUTES_RESOURCE_TYPE, METRICS_NAMESPACE, OWNER_TAG_KEY, STACK_TAG_KEY, STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';

/**
 * The bundled handler, exactly as Lambda loads it from the asset, against moto_server: a real
 * RDS, Neptune and Step Functions API emulator on 127.0.0.1. Each step checks the emulator's
 * state. moto records the polling executions without running them; the test plays the state
 * machine's part, feeding each execution's input to the poller, whose signals go to a local
 * HTTP server standing in for the wait condition handle.
 */
const BUNDLE = path.join(__dirname, '..', 'assets', 'restore-handler', 'index.js');
const TYPE = 'Custom::PointInTimeRestoredCluster';
const run = requireMoto();
const suite = run ? describe : describe.skip;

interface Handler {
  onEvent(event: OnEventRequest): Promise<OnEventResponse>;
  isComplete(event: unknown): Promise<IsCompleteResponse>;
  poll(state: PollerState): Promise<PollerState>;
}

/** Runs isComplete the way the provider framework does, until it says complete (bounded). */
async function waitComplete(handler: Handler, request: OnEventRequest, answer: OnEventResponse): Promise<IsCompleteResponse> {
  for (let poll = 0; poll < 20; poll++) {
    const result = await handler.isComplete(completeEvent(request, answer));
    if (result.IsComplete) return result;
  }
  throw new Error('isComplete never reported completion');
}

suite('bundled handler against moto_server', () => {
  let moto: Moto;
  let restoreEnv: () => void;
  let handler: Handler;
  let handles: WaitHandles;
  const newHandle = () => handles.newHandle();

  /** Plays the state machine: runs the poller on the execution's input until it is done. */
  async function runPoller(handle: string): Promise<WaitSignal[]> {
    const client = new sfn.SFNClient({});
    const arn = `${process.env[STATE_MACHINE_ARN_ENV]!.replace(':stateMachine:', ':execution:')}:${executionName(handles.urlOf(handle))}`;
    const execution = await client.send(new sfn.DescribeExecutionCommand({ executionArn: arn }));
    expect(execution.status).toBe('RUNNING');
    // The handle's presigned URL stays out of the execution's input and history (issue 13, row 9).
    expect(execution.input).not.toMatch(/X-Amz-Signature|127\.0\.0\.1/);
    let state: PollerState = JSON.parse(execution.input!);
    for (let step = 0; !state.done; step++) {
      if (step > 20) throw new Error('the poller never ended');
      state = await handler.poll(state);
    }
    return handles.signalsOf(handle);
  }

  beforeAll(async () => {
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run "npm run bundle" first`);
    moto = await startMoto();
    restoreEnv = useEmulator(moto.endpoint);
    handles = await WaitHandles.start();
    process.env[STATE_MACHINE_ARN_ENV] = await createPollerStateMachine();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(BUNDLE);
  });

  afterAll(async () => {
    restoreEnv?.();
    handles?.close();
    await moto?.stop();
  });

  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  test('Neptune: create restores the cluster and starts the poller, the poller signals, delete stops it and takes a final snapshot', async () => {
    const client = new neptune.NeptuneClient({});
    await client.send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'prod-graph', Engine: 'neptune' }));
    const props = {
      Engine: 'neptune',
      SourceDBClusterIdentifier: 'prod-graph',
      DBClusterIdentifier: 'graph-restored',
      RestoreType: 'full-copy',
      RemovalPolicy: 'snapshot',
      TimeoutSeconds: 3600,
      Tags: [{ Key: 'team', Value: 'graph' }],
      WaitHandle: newHandle(),
    };

    const create = cfnEvent('Create', TYPE, props);
    const created = await handler.onEvent(create);
    expect(created.PhysicalResourceId).toBe('graph-restored');
    const [cluster] = (await client.send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: 'graph-restored' }))).DBClusters!;
    expect(cluster.Engine).toBe('neptune');
    const tags = (await client.send(new neptune.ListTagsForResourceCommand({ ResourceName: cluster.DBClusterArn }))).TagList!;
    // The stack tag, which the handler role's rights to change and delete the cluster are conditioned on.
    expect(tags).toEqual(expect.arrayContaining([
      { Key: 'team', Value: 'graph' }, expect.objectContaining({ Key: OWNER_TAG_KEY }), { Key: STACK_TAG_KEY, Value: STACK_ID },
    ]));

    // The custom resource answers at once; the wait condition, signalled by the poller, holds the stack.
    await expect(handler.isComplete(completeEvent(create, created))).resolves.toEqual({ IsComplete: true });
    expect(await runPoller(props.WaitHandle)).toEqual([expect.objectContaining({ Status: 'SUCCESS', UniqueId: 'graph-restored' })]);

    // What the poller published, as CloudWatch (moto's) holds it, by the dimensions the construct's metricXxx() use.
    const metrics = new cloudwatch.CloudWatchClient({});
    const dimensions = [{ Name: 'StackName', Value: 'TestStack' }, { Name: 'Restore', Value: LOGICAL_ID }];
    const statistic = async (MetricName: string) => (await metrics.send(new cloudwatch.GetMetricStatisticsCommand({
      Namespace: METRICS_NAMESPACE,
      MetricName,
      Dimensions: dimensions,
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 60_000),
      Period: 3600,
      Statistics: ['Maximum', 'SampleCount'],
    }))).Datapoints![0];
    expect(await statistic('Progress')).toMatchObject({ Maximum: 100 });
    expect(await statistic('Failed')).toMatchObject({ Maximum: 0, SampleCount: 1 });
    expect((await statistic('Duration'))?.Maximum).toBeGreaterThanOrEqual(0);

    const attributes = await handler.onEvent(cfnEvent('Create', ATTRIBUTES_RESOURCE_TYPE, { RestoreResourceType: TYPE, RestoredId: 'graph-restored', Engine: 'neptune' }));
    expect(attributes.Data).toEqual({
      // Read without the wait condition's data here: nothing measured.
      RecoveryTime: '0',
      RestoreStartedAt: '',
      DBClusterIdentifier: 'graph-restored',
      DBClusterArn: cluster.DBClusterArn,
      DbClusterResourceId: cluster.DbClusterResourceId,
      Endpoint: cluster.Endpoint,
      ReaderEndpoint: cluster.ReaderEndpoint,
      Port: '8182',
      MasterUserSecretArn: '',
    });

    // A second Create of the same request (a retried attempt) adopts the cluster.
    const again = await handler.onEvent(cfnEvent('Create', TYPE, props));
    expect(again.PhysicalResourceId).toBe('graph-restored');
    expect((await client.send(new neptune.DescribeDBClustersCommand({}))).DBClusters!.map((c) => c.DBClusterIdentifier).sort())
      .toEqual(['graph-restored', 'prod-graph']);

    const del = cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'graph-restored' });
    await waitComplete(handler, del, await handler.onEvent(del));
    const execution = await new sfn.SFNClient({}).send(new sfn.DescribeExecutionCommand({
      executionArn: `${process.env[STATE_MACHINE_ARN_ENV]!.replace(':stateMachine:', ':execution:')}:${executionName(handles.urlOf(props.WaitHandle))}`,
    }));
    expect(execution.status).toBe('ABORTED');
    await expect(client.send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: 'graph-restored' }))).rejects.toThrow(/not found/);
    const snapshots = (await new rds.RDSClient({}).send(new rds.DescribeDBClusterSnapshotsCommand({}))).DBClusterSnapshots!;
    expect(snapshots.map((s) => s.DBClusterSnapshotIdentifier)).toContainEqual(expect.stringMatching(/^graph-restored-final-\d{8}t\d{6}$/));
    // The source is untouched.
    expect((await client.send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: 'prod-graph' }))).DBClusters).toHaveLength(1);
  });

  test('Aurora MySQL: restore to a point in time with settings and a managed secret, then DESTROY deletes without a snapshot', async () => {
    const client = new rds.RDSClient({});
    await client.send(new rds.CreateDBClusterCommand({ DBClusterIdentifier: 'orders', Engine: 'aurora-mysql', MasterUsername: 'admin', MasterUserPassword: 'not-a-real-secret-1' }));
    const [source] = (await client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'orders' }))).DBClusters!;
    const props = {
      Engine: 'aurora-mysql',
      SourceDBClusterIdentifier: 'orders',
      DBClusterIdentifier: 'orders-copy',
      RestoreType: 'full-copy',
      RestoreToTime: source.LatestRestorableTime!.toISOString(),
      RemovalPolicy: 'destroy',
      TimeoutSeconds: 3600,
      WaitHandle: newHandle(),
      // One setting RestoreDBClusterToPointInTime takes, and two it does not, which ModifyDBCluster applies.
      BackupRetentionPeriod: 14,
      PreferredMaintenanceWindow: 'sun:23:45-mon:00:15',
      ManageMasterUserPassword: true,
    };

    await handler.onEvent(cfnEvent('Create', TYPE, props));
    expect((await runPoller(props.WaitHandle)).map((x) => x.Status)).toEqual(['SUCCESS']);
    // The stack goes on only with the cluster configured: the secret made, the window set.
    const [copy] = (await client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'orders-copy' }))).DBClusters!;
    expect(copy).toMatchObject({ Engine: 'aurora-mysql', Status: 'available', BackupRetentionPeriod: 14, PreferredMaintenanceWindow: 'sun:23:45-mon:00:15' });
    expect(copy.MasterUserSecret).toMatchObject({ SecretArn: expect.stringMatching(/^arn:aws:secretsmanager:/), SecretStatus: 'active' });
    const attributes = await handler.onEvent(cfnEvent('Create', ATTRIBUTES_RESOURCE_TYPE, { RestoreResourceType: TYPE, RestoredId: 'orders-copy', Engine: props.Engine }));
    expect(attributes.Data).toMatchObject({ DBClusterIdentifier: 'orders-copy', Port: '3306', MasterUserSecretArn: copy.MasterUserSecret!.SecretArn });

    const manual = async () => (await client.send(new rds.DescribeDBClusterSnapshotsCommand({
      DBClusterIdentifier: 'orders-copy', SnapshotType: 'manual',
    }))).DBClusterSnapshots!.length;
    const before = await manual();
    const del = cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'orders-copy' });
    await waitComplete(handler, del, await handler.onEvent(del));
    await expect(client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'orders-copy' }))).rejects.toThrow(/not found/);
    expect(await manual()).toBe(before);
  });

  test('Aurora PostgreSQL: restored at the source\'s version and upgraded before the stack goes on, upgraded in place later, never downgraded', async () => {
    const client = new rds.RDSClient({});
    await client.send(new rds.CreateDBClusterCommand({
      DBClusterIdentifier: 'billing', Engine: 'aurora-postgresql', EngineVersion: '15.8', MasterUsername: 'admin', MasterUserPassword: 'not-a-real-secret-1',
    }));
    const describe = async () => (await client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'billing-copy' }))).DBClusters![0];
    const props = {
      Engine: 'aurora-postgresql',
      SourceDBClusterIdentifier: 'billing',
      DBClusterIdentifier: 'billing-copy',
      RestoreType: 'full-copy',
      RemovalPolicy: 'destroy',
      TimeoutSeconds: 3600,
      WaitHandle: newHandle(),
      // None of these is a member of RestoreDBClusterToPointInTime: ModifyDBCluster applies them once the copy is available.
      EngineVersion: '16.4',
      AutoMinorVersionUpgrade: 'false',
      DatabaseInsightsMode: 'advanced',
    };

    // A major version upgrade not allowed is refused before anything is restored.
    await expect(handler.onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(
      /at engine version 16.4: the restore makes the version of "billing", 15.8, and engine version 16.4 is a major version upgrade from 15.8, which needs allowMajorVersionUpgrade/);
    await expect(describe()).rejects.toThrow(/not found/);

    const allowed = { ...props, AllowMajorVersionUpgrade: 'true' };
    await handler.onEvent(cfnEvent('Create', TYPE, allowed));
    expect((await runPoller(allowed.WaitHandle)).map((x) => x.Status)).toEqual(['SUCCESS']);
    expect(await describe()).toMatchObject({ Status: 'available', EngineVersion: '16.4', AutoMinorVersionUpgrade: false, DatabaseInsightsMode: 'advanced' });

    // A later minor version is an in-place upgrade, and no restore: the cluster keeps its identifier and its data.
    const { DbClusterResourceId: resourceId } = await describe();
    const minor = { ...allowed, EngineVersion: '16.6', AutoMinorVersionUpgrade: 'true' };
    const updated = await handler.onEvent(cfnEvent('Update', TYPE, minor, { PhysicalResourceId: 'billing-copy', OldResourceProperties: allowed }));
    expect(updated.PhysicalResourceId).toBe('billing-copy');
    expect(await describe()).toMatchObject({ EngineVersion: '16.6', AutoMinorVersionUpgrade: true, DbClusterResourceId: resourceId });

    // An older version is refused, and nothing changes.
    const older = { ...minor, EngineVersion: '16.4', AutoMinorVersionUpgrade: 'false' };
    await expect(handler.onEvent(cfnEvent('Update', TYPE, older, { PhysicalResourceId: 'billing-copy', OldResourceProperties: minor })))
      .rejects.toThrow(/DB cluster "billing-copy" cannot be upgraded: engine version 16.4 is older than 16.6, and RDS does not downgrade a cluster. Nothing was changed/);
    expect(await describe()).toMatchObject({ EngineVersion: '16.6', AutoMinorVersionUpgrade: true });

    const del = cfnEvent('Delete', TYPE, minor, { PhysicalResourceId: 'billing-copy' });
    await waitComplete(handler, del, await handler.onEvent(del));
  });

  test('a cluster an earlier version restored, without the stack tag, gets it before the handler changes it', async () => {
    const client = new rds.RDSClient({});
    await client.send(new rds.CreateDBClusterCommand({ DBClusterIdentifier: 'ledger', Engine: 'aurora-mysql', MasterUsername: 'admin', MasterUserPassword: 'not-a-real-secret-1' }));
    const props = {
      Engine: 'aurora-mysql',
      SourceDBClusterIdentifier: 'ledger',
      DBClusterIdentifier: 'ledger-copy',
      RestoreType: 'full-copy',
      RemovalPolicy: 'destroy',
      TimeoutSeconds: 3600,
      WaitHandle: newHandle(),
      Tags: [{ Key: 'team', Value: 'ledger' }],
    };
    await handler.onEvent(cfnEvent('Create', TYPE, props));
    const arn = (await client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'ledger-copy' }))).DBClusters![0].DBClusterArn!;
    // As a version before the stack tag left it.
    await client.send(new rds.RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: [STACK_TAG_KEY] }));
    const tags = async () => (await client.send(new rds.ListTagsForResourceCommand({ ResourceName: arn }))).TagList!;
    expect((await tags()).map((t) => t.Key)).not.toContain(STACK_TAG_KEY);

    const changed = { ...props, Tags: [{ Key: 'team', Value: 'payments' }] };
    await handler.onEvent(cfnEvent('Update', TYPE, changed, { PhysicalResourceId: 'ledger-copy', OldResourceProperties: props }));
    expect(await tags()).toEqual(expect.arrayContaining([{ Key: STACK_TAG_KEY, Value: STACK_ID }, { Key: 'team', Value: 'payments' }]));
  });

  test('a missing source fails before anything is created or polled, and its delete is a no-op', async () => {
    const props = {
      Engine: 'neptune',
      SourceDBClusterIdentifier: 'no-such-source',
      DBClusterIdentifier: 'never-made',
      RestoreType: 'full-copy',
      RemovalPolicy: 'snapshot',
      TimeoutSeconds: 3600,
      WaitHandle: newHandle(),
    };
    await expect(handler.onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(/Source cluster "no-such-source" does not exist/);
    const client = new neptune.NeptuneClient({});
    await expect(client.send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: 'never-made' }))).rejects.toThrow(/not found/);
    const list = new sfn.ListExecutionsCommand({ stateMachineArn: process.env[STATE_MACHINE_ARN_ENV] });
    const executions = (await new sfn.SFNClient({}).send(list)).executions!;
    expect(executions.map((e) => e.name)).not.toContain(executionName(handles.urlOf(props.WaitHandle)));
    const del = cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'never-made' });
    await expect(waitComplete(handler, del, await handler.onEvent(del))).resolves.toEqual({ IsComplete: true });
  });

  test('a cluster of the same name that someone else made is refused and left alone', async () => {
    const client = new neptune.NeptuneClient({});
    await client.send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'src-two', Engine: 'neptune' }));
    await client.send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'taken-name', Engine: 'neptune' }));
    const props = {
      Engine: 'neptune',
      SourceDBClusterIdentifier: 'src-two',
      DBClusterIdentifier: 'taken-name',
      RestoreType: 'full-copy',
      RemovalPolicy: 'snapshot',
      TimeoutSeconds: 3600,
      WaitHandle: newHandle(),
    };
    await expect(handler.onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(/already exists and was not created by this stack resource/);
    expect((await client.send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: 'taken-name' }))).DBClusters).toHaveLength(1);
  });
});
