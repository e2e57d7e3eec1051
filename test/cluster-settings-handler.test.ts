import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { inputProblems, IN_CI, loadApiModel } from './support/api-model';
import { cfnEvent, completeEvent, OWNER_TAG, STACK_TAG, WAIT_HANDLE } from './support/events';
import { mockStackStatus, mockWaitHandleLookup } from './support/wait-handle';
import { settingsChange } from '../lambda/cluster/lifecycle';
import { isComplete, onEvent } from '../lambda/index';
import { pointInTimeRestoredClusterHandler } from '../lambda/point-in-time-restored-cluster/handler';
import { s3ImportedAuroraClusterHandler } from '../lambda/s3-imported-aurora-cluster/handler';
import type { RestoreFigures } from '../lambda/shared/metrics';
import { initialPollerState, pollStep } from '../lambda/shared/polling';
import type { RestoreKindHandler } from '../lambda/shared/types';
import { ATTRIBUTES_RESOURCE_TYPE, CONFIGURED_TAG_KEY, RESTORED_TAG_KEY, STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';

// aws-sdk-client-mock stands in for RDS and Neptune: these tests walk a cluster through the statuses and
// tags around the follow-up ModifyDBCluster, which no emulator produces on demand (moto covers the managed
// secret in point-in-time-restored-cluster-moto.test.ts). Every request is checked against the official models.
const rdsMock = mockClient(rds.RDSClient);
const neptuneMock = mockClient(neptune.NeptuneClient);
const sfnMock = mockClient(SFNClient);
const cfnMock = mockWaitHandleLookup();
const models = { rds: loadApiModel('rds'), neptune: loadApiModel('neptune') };
if ((!models.rds || !models.neptune) && IN_CI) throw new Error('botocore\'s API models are not installed; CI needs them');

const PITR = 'Custom::PointInTimeRestoredCluster';
const S3 = 'Custom::S3ImportedAuroraCluster';
const TARGET_ARN = 'arn:aws:rds:us-east-1:123456789012:cluster:orders-restored';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-1234-abcd';
/** The event RDS records when it gives an upgrade up, as the Aurora User Guide shows it. */
const PRECHECKS_FAILED = 'Database cluster is in a state that cannot be upgraded: Upgrade prechecks failed. For more details, see the upgrade-prechecks.log file.';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Every cluster setting, as the construct writes them and CloudFormation hands them over (numbers as strings). */
const auroraSettings = {
  ServerlessV2ScalingConfiguration: { MinCapacity: '0.5', MaxCapacity: '8' },
  StorageType: 'aurora-iopt1',
  EnableCloudwatchLogsExports: ['postgresql'],
  CopyTagsToSnapshot: true,
  BackupRetentionPeriod: 14,
  PreferredBackupWindow: '03:00-04:00',
  PreferredMaintenanceWindow: 'Sun:23:45-Mon:00:15',
  NetworkType: 'DUAL',
  EnablePerformanceInsights: true,
  PerformanceInsightsKMSKeyId: KEY_ARN,
  PerformanceInsightsRetentionPeriod: 31,
  ManageMasterUserPassword: true,
  MasterUserSecretKmsKeyId: KEY_ARN,
};

const pitrProps = {
  Engine: 'aurora-postgresql',
  DBClusterIdentifier: 'orders-restored',
  SourceDBClusterIdentifier: 'orders',
  RestoreType: 'full-copy',
  EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
  RemovalPolicy: 'snapshot',
  TimeoutSeconds: 10800,
  WaitHandle: 'RestoreWaitHandle1A2B3C4D',
  ...auroraSettings,
};

/** The same restore of a Neptune cluster: without what Neptune's API has no member for. */
const neptuneProps = {
  ...pitrProps,
  Engine: 'neptune',
  EngineLifecycleSupport: undefined,
  NetworkType: undefined,
  EnablePerformanceInsights: undefined,
  PerformanceInsightsKMSKeyId: undefined,
  PerformanceInsightsRetentionPeriod: undefined,
  ManageMasterUserPassword: undefined,
  MasterUserSecretKmsKeyId: undefined,
};

const s3Props = {
  DBClusterIdentifier: 'orders-restored',
  Engine: 'aurora-mysql',
  MasterUsername: 'admin',
  SourceEngine: 'mysql',
  SourceEngineVersion: '8.0.36',
  S3BucketName: 'my-backups',
  S3IngestionRoleArn: 'arn:aws:iam::123456789012:role/ingest',
  StorageEncrypted: true,
  DBClusterParameterGroupName: 'my-cluster-params',
  RemovalPolicy: 'snapshot',
  TimeoutSeconds: 10800,
  WaitHandle: 'RestoreWaitHandle1A2B3C4D',
  ...auroraSettings,
  EnableCloudwatchLogsExports: ['audit', 'slowquery'],
  BacktrackWindow: 86400,
};

function cluster(status: string, overrides: Partial<rds.DBCluster> = {}): rds.DBCluster {
  return {
    DBClusterIdentifier: 'orders-restored',
    DBClusterArn: TARGET_ARN,
    DbClusterResourceId: 'cluster-ABCDEFG',
    Engine: 'aurora-postgresql',
    Status: status,
    Port: 5432,
    Endpoint: 'orders-restored.cluster-abc.rds.amazonaws.com',
    ReaderEndpoint: 'orders-restored.cluster-ro-abc.rds.amazonaws.com',
    ...overrides,
  };
}

function expectConforms(service: 'rds' | 'neptune', operation: string, input: unknown): void {
  if (!models[service]) return;
  expect(inputProblems(models[service]!, operation, input)).toEqual([]);
}

/** One step of the polling state machine for a restore with these properties. */
function poll(kind: RestoreKindHandler, type: string, props: Record<string, unknown>) {
  const signals: unknown[] = [];
  const published: RestoreFigures[] = [];
  const state = pollStep(initialPollerState(type, cfnEvent('Create', type, props).ResourceProperties, 'orders-restored', WAIT_HANDLE, Date.now(), 'RestoreResource'),
    {
      now: Date.now,
      kindOf: () => kind,
      signal: async (_url, signal) => { signals.push(signal); },
      publish: async (_r: unknown, f: RestoreFigures) => { published.push(f); },
    });
  return { state, signals };
}

beforeEach(() => {
  rdsMock.reset();
  neptuneMock.reset();
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Poller:x' });
  mockStackStatus(cfnMock, 'UPDATE_IN_PROGRESS');
  process.env[STATE_MACHINE_ARN_ENV] = 'arn:aws:states:us-east-1:123456789012:stateMachine:Poller';
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  delete process.env[STATE_MACHINE_ARN_ENV];
  jest.restoreAllMocks();
});

describe('settings in the restore call', () => {
  test('Aurora point-in-time: every setting RestoreDBClusterToPointInTime takes goes in it; the rest waits for ModifyDBCluster', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders' }).resolves({ DBClusters: [cluster('available', { DBClusterIdentifier: 'orders', Engine: 'aurora-postgresql' })] });
    rdsMock.on(rds.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders-restored' }).rejects(new rds.DBClusterNotFoundFault({ message: 'not found', $metadata: {} }));
    rdsMock.on(rds.RestoreDBClusterToPointInTimeCommand).resolves({});
    await onEvent(cfnEvent('Create', PITR, { ...pitrProps, Domain: 'd-1111111111', DomainIAMRoleName: 'kerberos-a' }));
    const input = rdsMock.commandCalls(rds.RestoreDBClusterToPointInTimeCommand)[0].args[0].input;
    expect(input).toMatchObject({
      Domain: 'd-1111111111',
      DomainIAMRoleName: 'kerberos-a',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 8 },
      StorageType: 'aurora-iopt1',
      EnableCloudwatchLogsExports: ['postgresql'],
      CopyTagsToSnapshot: true,
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '03:00-04:00',
      NetworkType: 'DUAL',
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: KEY_ARN,
      PerformanceInsightsRetentionPeriod: 31,
      EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
    });
    // Not members of RestoreDBClusterToPointInTime: applied once the cluster is available.
    expect(input).not.toHaveProperty('PreferredMaintenanceWindow');
    expect(input).not.toHaveProperty('ManageMasterUserPassword');
    expect(input).not.toHaveProperty('MasterUserSecretKmsKeyId');
    expectConforms('rds', 'RestoreDBClusterToPointInTime', input);
  });

  test('with an engine version asked for, the parameter and option groups go with the upgrade, not in the restore (they may be of the new family)', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders' })
      .resolves({ DBClusters: [cluster('available', { DBClusterIdentifier: 'orders', EngineVersion: '15.8' })] });
    rdsMock.on(rds.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders-restored' }).rejects(new rds.DBClusterNotFoundFault({ message: 'not found', $metadata: {} }));
    rdsMock.on(rds.RestoreDBClusterToPointInTimeCommand).resolves({});
    const props = { ...pitrProps, EngineVersion: '16.4', AllowMajorVersionUpgrade: 'true', DBClusterParameterGroupName: 'orders-pg16', OptionGroupName: 'orders-og16' };
    await onEvent(cfnEvent('Create', PITR, props));
    const input = rdsMock.commandCalls(rds.RestoreDBClusterToPointInTimeCommand)[0].args[0].input;
    expect(input).not.toHaveProperty('DBClusterParameterGroupName');
    expect(input).not.toHaveProperty('OptionGroupName');

    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { EngineVersion: '15.8' })] });
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    rdsMock.on(rds.AddTagsToResourceCommand).resolves({});
    await poll(pointInTimeRestoredClusterHandler, PITR, props).state;
    const modify = rdsMock.commandCalls(rds.ModifyDBClusterCommand)[0].args[0].input;
    expect(modify).toMatchObject({ EngineVersion: '16.4', AllowMajorVersionUpgrade: true, DBClusterParameterGroupName: 'orders-pg16', OptionGroupName: 'orders-og16' });
    expectConforms('rds', 'ModifyDBCluster', modify);
  });

  test('Neptune point-in-time: only capacity, storage and log exports go in the restore call', async () => {
    const props = {
      ...neptuneProps,
      StorageType: 'iopt1',
      EnableCloudwatchLogsExports: ['audit'],
      ServerlessV2ScalingConfiguration: { MinCapacity: '1', MaxCapacity: '2.5' },
    };
    neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders' }).resolves({ DBClusters: [cluster('available', { DBClusterIdentifier: 'orders', Engine: 'neptune' })] });
    neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders-restored' }).rejects(new neptune.DBClusterNotFoundFault({ message: 'not found', $metadata: {} }));
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).resolves({});
    await onEvent(cfnEvent('Create', PITR, props));
    const input = neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)[0].args[0].input;
    expect(input).toMatchObject({ ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 2.5 }, StorageType: 'iopt1', EnableCloudwatchLogsExports: ['audit'] });
    expect(input).not.toHaveProperty('BackupRetentionPeriod');
    expectConforms('neptune', 'RestoreDBClusterToPointInTime', input);
  });

  test('S3 import: RestoreDBClusterFromS3 takes all but Performance Insights, the parameter group and lifecycle support included', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).rejects(new rds.DBClusterNotFoundFault({ message: 'not found', $metadata: {} }));
    rdsMock.on(rds.RestoreDBClusterFromS3Command).resolves({});
    await onEvent(cfnEvent('Create', S3, { ...s3Props, EngineLifecycleSupport: 'open-source-rds-extended-support', Domain: 'd-1111111111', DomainIAMRoleName: 'kerberos-a' }));
    const input = rdsMock.commandCalls(rds.RestoreDBClusterFromS3Command)[0].args[0].input;
    expect(input).toMatchObject({
      Domain: 'd-1111111111',
      DomainIAMRoleName: 'kerberos-a',
      PreferredMaintenanceWindow: 'Sun:23:45-Mon:00:15',
      BacktrackWindow: 86400,
      EnableCloudwatchLogsExports: ['audit', 'slowquery'],
      DBClusterParameterGroupName: 'my-cluster-params',
      EngineLifecycleSupport: 'open-source-rds-extended-support',
      ManageMasterUserPassword: true,
      MasterUserSecretKmsKeyId: KEY_ARN,
    });
    expect(input).not.toHaveProperty('EnablePerformanceInsights');
    expectConforms('rds', 'RestoreDBClusterFromS3', input);
  });
});

describe('settings applied once the cluster is available, before the wait ends', () => {
  test('the first look at an available cluster asks ModifyDBCluster for the rest, records it, and signals nothing', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available')] });
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    rdsMock.on(rds.AddTagsToResourceCommand).resolves({});
    const { state, signals } = poll(pointInTimeRestoredClusterHandler, PITR, pitrProps);
    await expect(state).resolves.toMatchObject({ done: false, LastStatus: 'configuring' });
    expect(signals).toEqual([]);
    const modify = rdsMock.commandCalls(rds.ModifyDBClusterCommand)[0].args[0].input;
    expect(modify).toEqual({
      DBClusterIdentifier: 'orders-restored',
      ApplyImmediately: true,
      PreferredMaintenanceWindow: 'Sun:23:45-Mon:00:15',
      ManageMasterUserPassword: true,
      MasterUserSecretKmsKeyId: KEY_ARN,
    });
    expectConforms('rds', 'ModifyDBCluster', modify);
    const tagged = rdsMock.commandCalls(rds.AddTagsToResourceCommand)[0].args[0].input.Tags!;
    expect(tagged.map((t) => t.Key)).toEqual([CONFIGURED_TAG_KEY]);
  });

  test('a cluster whose polling an earlier version started (no stack tag) is tagged with its stack before it is modified', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available')] });
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    rdsMock.on(rds.AddTagsToResourceCommand).resolves({});
    const { state } = poll(pointInTimeRestoredClusterHandler, PITR, pitrProps);
    await expect(state).resolves.toMatchObject({ done: false, LastStatus: 'configuring' });
    const changes = rdsMock.calls().map((c) => c.args[0])
      .filter((c) => c instanceof rds.AddTagsToResourceCommand || c instanceof rds.ModifyDBClusterCommand);
    expect(changes.map((c) => c.constructor.name)).toEqual(['AddTagsToResourceCommand', 'ModifyDBClusterCommand', 'AddTagsToResourceCommand']);
    expect((changes[0].input as rds.AddTagsToResourceCommandInput).Tags).toEqual([STACK_TAG]);
  });

  test('a later look does not modify again; it waits for the managed secret, then signals SUCCESS', async () => {
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    rdsMock.on(rds.AddTagsToResourceCommand).resolves({});
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available')] });
    await poll(pointInTimeRestoredClusterHandler, PITR, pitrProps).state;
    const configured = rdsMock.commandCalls(rds.AddTagsToResourceCommand)[0].args[0].input.Tags![0];
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG, { Key: configured.Key, Value: configured.Value }] });

    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { MasterUserSecret: { SecretArn: SECRET_ARN, SecretStatus: 'creating' } })] });
    const creating = poll(pointInTimeRestoredClusterHandler, PITR, pitrProps);
    await expect(creating.state).resolves.toMatchObject({ done: false, LastStatus: 'master user secret creating' });

    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { MasterUserSecret: { SecretArn: SECRET_ARN, SecretStatus: 'active' } })] });
    const active = poll(pointInTimeRestoredClusterHandler, PITR, pitrProps);
    await expect(active.state).resolves.toMatchObject({ done: true });
    expect(active.signals).toMatchObject([{ Status: 'SUCCESS' }]);
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(1);
    expect(rdsMock.commandCalls(rds.AddTagsToResourceCommand).at(-1)!.args[0].input.Tags!.map((t) => t.Key)).toEqual([RESTORED_TAG_KEY]);
  });

  test('a cluster that cannot be modified yet is looked at again, not failed', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available')] });
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    rdsMock.on(rds.ModifyDBClusterCommand).rejects(new rds.InvalidDBClusterStateFault({ message: 'DB cluster is backing-up', $metadata: {} }));
    const { state, signals } = poll(pointInTimeRestoredClusterHandler, PITR, pitrProps);
    await expect(state).resolves.toMatchObject({ done: false, LastStatus: 'available, not yet modifiable' });
    expect(signals).toEqual([]);
    expect(rdsMock.commandCalls(rds.AddTagsToResourceCommand)).toHaveLength(0);
  });

  test('what the cluster already has is not asked for again (a secret already under that key)', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({
      DBClusters: [cluster('available', {
        PreferredMaintenanceWindow: 'sun:23:45-mon:00:15', MasterUserSecret: { SecretArn: SECRET_ARN, SecretStatus: 'active', KmsKeyId: KEY_ARN },
      })],
    });
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    rdsMock.on(rds.AddTagsToResourceCommand).resolves({});
    await poll(pointInTimeRestoredClusterHandler, PITR, pitrProps).state;
    // The managed password is asked for even so: a restored cluster can show its source's secret.
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)[0].args[0].input).toEqual({
      DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, ManageMasterUserPassword: true,
    });
  });

  test('a cluster still modifying is not done, whatever its tags say', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('modifying')] });
    await expect(poll(pointInTimeRestoredClusterHandler, PITR, pitrProps).state).resolves.toMatchObject({ done: false, LastStatus: 'modifying' });
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(0);
  });

  test('the version, minor upgrades, Database Insights and write forwarding wait for ModifyDBCluster; the wait ends on the new version', async () => {
    const props = {
      ...pitrProps,
      EngineVersion: '16.4',
      AllowMajorVersionUpgrade: 'true',
      AutoMinorVersionUpgrade: 'false',
      DatabaseInsightsMode: 'advanced',
      PerformanceInsightsRetentionPeriod: '465',
      EnableLocalWriteForwarding: 'true',
      ManageMasterUserPassword: undefined,
      MasterUserSecretKmsKeyId: undefined,
      PreferredMaintenanceWindow: undefined,
    };
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { EngineVersion: '15.8' })] });
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    rdsMock.on(rds.AddTagsToResourceCommand).resolves({});
    await expect(poll(pointInTimeRestoredClusterHandler, PITR, props).state).resolves.toMatchObject({ done: false, LastStatus: 'configuring' });
    const modify = rdsMock.commandCalls(rds.ModifyDBClusterCommand)[0].args[0].input;
    expect(modify).toEqual({
      DBClusterIdentifier: 'orders-restored',
      ApplyImmediately: true,
      EngineVersion: '16.4',
      AllowMajorVersionUpgrade: true,
      AutoMinorVersionUpgrade: false,
      DatabaseInsightsMode: 'advanced',
      // RDS refuses the advanced mode without these in the same call, though the restore call already set them.
      EnablePerformanceInsights: true,
      PerformanceInsightsRetentionPeriod: 465,
      EnableLocalWriteForwarding: true,
    });
    expectConforms('rds', 'ModifyDBCluster', modify);
    const configured = rdsMock.commandCalls(rds.AddTagsToResourceCommand)[0].args[0].input.Tags![0];
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG, { Key: configured.Key, Value: configured.Value }] });

    // RDS can show the cluster available, on its old version, before the upgrade begins.
    await expect(poll(pointInTimeRestoredClusterHandler, PITR, props).state)
      .resolves.toMatchObject({ done: false, LastStatus: 'upgrading from engine version 15.8 to 16.4' });
    expectConforms('rds', 'DescribeEvents', rdsMock.commandCalls(rds.DescribeEventsCommand)[0].args[0].input);
    // An upgrade RDS gave up ends the wait with RDS's reason, not at the timeout.
    rdsMock.on(rds.DescribeEventsCommand).resolves({ Events: [{ Message: 'Database cluster engine version upgrade started.' }, { Message: PRECHECKS_FAILED }] });
    const gaveUp = poll(pointInTimeRestoredClusterHandler, PITR, props);
    await expect(gaveUp.state).resolves.toMatchObject({ done: true });
    expect(gaveUp.signals).toMatchObject([{
      Status: 'FAILURE', Reason: expect.stringContaining('The upgrade of restored DB cluster "orders-restored" from engine version 15.8 to 16.4 failed: Database cluster is in a state'),
    }]);
    rdsMock.on(rds.DescribeEventsCommand).resolves({ Events: [{ Message: 'Database cluster engine version upgrade started.' }] });
    await expect(poll(pointInTimeRestoredClusterHandler, PITR, props).state).resolves.toMatchObject({ done: false });
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { EngineVersion: '16.4' })] });
    const upgraded = poll(pointInTimeRestoredClusterHandler, PITR, props);
    await expect(upgraded.state).resolves.toMatchObject({ done: true });
    expect(upgraded.signals).toMatchObject([{ Status: 'SUCCESS' }]);
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(1);
  });

  test('S3 import: Performance Insights is applied after the import', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { Engine: 'aurora-mysql' })] });
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    rdsMock.on(rds.AddTagsToResourceCommand).resolves({});
    await poll(s3ImportedAuroraClusterHandler, S3, s3Props).state;
    const modify = rdsMock.commandCalls(rds.ModifyDBClusterCommand)[0].args[0].input;
    expect(modify).toEqual({
      DBClusterIdentifier: 'orders-restored',
      ApplyImmediately: true,
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: KEY_ARN,
      PerformanceInsightsRetentionPeriod: 31,
    });
    expectConforms('rds', 'ModifyDBCluster', modify);
  });

  test('Neptune: backups and windows go through Neptune\'s ModifyDBCluster', async () => {
    const props = {
      ...neptuneProps,
      StorageType: 'standard',
      EnableCloudwatchLogsExports: undefined,
    };
    neptuneMock.on(neptune.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { Engine: 'neptune' })] });
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    neptuneMock.on(neptune.ModifyDBClusterCommand).resolves({});
    neptuneMock.on(neptune.AddTagsToResourceCommand).resolves({});
    await poll(pointInTimeRestoredClusterHandler, PITR, props).state;
    const modify = neptuneMock.commandCalls(neptune.ModifyDBClusterCommand)[0].args[0].input;
    expect(modify).toEqual({
      DBClusterIdentifier: 'orders-restored',
      ApplyImmediately: true,
      CopyTagsToSnapshot: true,
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'Sun:23:45-Mon:00:15',
    });
    expectConforms('neptune', 'ModifyDBCluster', modify);
  });
});

describe('a change of settings later', () => {
  // A cluster this version restored: it carries the stack tag, so an update adds none.
  beforeEach(() => { rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] }); });

  test('a directory is joined with its role, its role changed with the directory, and left when no longer given', async () => {
    const joined = { DomainMemberships: [{ Domain: 'd-1111111111', IAMRoleName: 'kerberos-a', Status: 'kerberos-enabled' }] };
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', joined)] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    rdsMock.on(rds.AddTagsToResourceCommand).resolves({});
    const inDirectory = { ...pitrProps, Domain: 'd-1111111111', DomainIAMRoleName: 'kerberos-a' };
    const update = async (from: Record<string, unknown>, to: Record<string, unknown>) => {
      rdsMock.resetHistory();
      await onEvent(cfnEvent('Update', PITR, to, { PhysicalResourceId: 'orders-restored', OldResourceProperties: from }));
      const calls = rdsMock.commandCalls(rds.ModifyDBClusterCommand).map((c) => c.args[0].input);
      calls.forEach((input) => expectConforms('rds', 'ModifyDBCluster', input));
      return calls;
    };
    const base = { DBClusterIdentifier: 'orders-restored', ApplyImmediately: true };
    expect(await update(inDirectory, { ...inDirectory, Domain: 'd-2222222222' })).toEqual([{ ...base, Domain: 'd-2222222222', DomainIAMRoleName: 'kerberos-a' }]);
    expect(await update(inDirectory, { ...inDirectory, DomainIAMRoleName: 'kerberos-b' })).toEqual([{ ...base, Domain: 'd-1111111111', DomainIAMRoleName: 'kerberos-b' }]);
    expect(await update(inDirectory, pitrProps)).toEqual([{ ...base, Domain: 'none' }]);
    // What the cluster already has is not sent again; a directory it is leaving, or failed to join, it does not have.
    expect(await update(pitrProps, inDirectory)).toEqual([]);
    for (const Status of ['pending-disable-kerberos', 'failed']) {
      rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { DomainMemberships: [{ ...joined.DomainMemberships[0], Status }] })] });
      expect(await update(pitrProps, inDirectory)).toEqual([{ ...base, Domain: 'd-1111111111', DomainIAMRoleName: 'kerberos-a' }]);
      expect(await update(inDirectory, pitrProps)).toEqual([]);
    }
  });

  test('changes the cluster in place: only what changed, log exports turned on and off', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available')] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    const next = { ...pitrProps, BackupRetentionPeriod: 30, EnableCloudwatchLogsExports: ['iam-db-auth-error'] };
    const answer = await onEvent(cfnEvent('Update', PITR, next, { PhysicalResourceId: 'orders-restored', OldResourceProperties: pitrProps }));
    expect(answer.PhysicalResourceId).toBe('orders-restored');
    const modify = rdsMock.commandCalls(rds.ModifyDBClusterCommand)[0].args[0].input;
    expect(modify).toEqual({
      DBClusterIdentifier: 'orders-restored',
      ApplyImmediately: true,
      BackupRetentionPeriod: 30,
      CloudwatchLogsExportConfiguration: { EnableLogTypes: ['iam-db-auth-error'], DisableLogTypes: ['postgresql'] },
    });
    expectConforms('rds', 'ModifyDBCluster', modify);
    expect(rdsMock.commandCalls(rds.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  // Issue 27, case 1: each was a restore input, so a change restored a new cluster from the source. moto covers
  // security groups, port and parameter group (fault-matrix.test.ts) but does not show a changed IAM authentication.
  const placements = [
    ['VpcSecurityGroupIds', ['sg-0bbb2222', 'sg-0ccc3333']],
    ['Port', 5433],
    ['DBClusterParameterGroupName', 'orders-tuned'],
    ['EnableIAMDatabaseAuthentication', true],
    ['OptionGroupName', 'orders-options'],
    // Issue 27: the settings ModifyDBCluster has besides those, which no restore call takes.
    ['AutoMinorVersionUpgrade', false],
    ['EnableLocalWriteForwarding', true],
    ['EngineVersion', '12.8'],
  ] as const;
  const NEPTUNE_LACKS: readonly string[] = ['OptionGroupName', 'AutoMinorVersionUpgrade', 'EnableLocalWriteForwarding'];
  test.each(placements)('Aurora: a change of %s is one ModifyDBCluster, and no restore', async (setting, value) => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { EngineVersion: '12.4' })] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    const answer = await onEvent(cfnEvent('Update', PITR, { ...pitrProps, [setting]: value }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: pitrProps }));
    expect(answer.PhysicalResourceId).toBe('orders-restored');
    const modify = rdsMock.commandCalls(rds.ModifyDBClusterCommand)[0].args[0].input;
    expect(modify).toEqual({ DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, [setting]: value });
    expectConforms('rds', 'ModifyDBCluster', modify);
    expect(rdsMock.commandCalls(rds.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test.each(placements.filter(([setting]) => !NEPTUNE_LACKS.includes(setting)))('Neptune: a change of %s is one ModifyDBCluster of Neptune\'s API', async (setting, value) => {
    neptuneMock.on(neptune.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { Engine: 'neptune' }) as neptune.DBCluster] });
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    neptuneMock.on(neptune.ModifyDBClusterCommand).resolves({});
    await onEvent(cfnEvent('Update', PITR, { ...neptuneProps, [setting]: value }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: neptuneProps }));
    const modify = neptuneMock.commandCalls(neptune.ModifyDBClusterCommand)[0].args[0].input;
    expect(modify).toEqual({ DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, [setting]: value });
    expectConforms('neptune', 'ModifyDBCluster', modify);
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  test('a setting the cluster already has is not sent: security groups in another order, the parameter group in other case', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({
      DBClusters: [cluster('available', {
        VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0ccc3333' }, { VpcSecurityGroupId: 'sg-0bbb2222' }], DBClusterParameterGroup: 'orders-tuned',
      })],
    });
    const next = { ...pitrProps, VpcSecurityGroupIds: ['sg-0bbb2222', 'sg-0ccc3333'], DBClusterParameterGroupName: 'Orders-Tuned' };
    await onEvent(cfnEvent('Update', PITR, next, { PhysicalResourceId: 'orders-restored', OldResourceProperties: pitrProps }));
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(0);
  });

  test('an upgrade that adds defaults the cluster already has (an S3 import\'s managed password) makes no call', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({
      DBClusters: [cluster('available', {
        CopyTagsToSnapshot: true, MasterUserSecret: { SecretArn: SECRET_ARN, SecretStatus: 'active', KmsKeyId: KEY_ARN },
      })],
    });
    const noSettings = Object.fromEntries([...Object.keys(auroraSettings), 'BacktrackWindow'].map((k) => [k, undefined]));
    const before = { ...s3Props, ...noSettings };
    const after = { ...before, CopyTagsToSnapshot: true, ManageMasterUserPassword: true };
    await onEvent(cfnEvent('Update', S3, after, { PhysicalResourceId: 'orders-restored', OldResourceProperties: before }));
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(0);
  });

  test('an upgrade to another major version goes with AllowMajorVersionUpgrade; without it, or to an older version, it is refused before RDS is called', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { EngineVersion: '15.8' })] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    const before = { ...pitrProps, EngineVersion: '15.8' };
    const update = (next: Record<string, unknown>) => onEvent(cfnEvent('Update', PITR, { ...before, ...next }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: before }));

    await expect(update({ EngineVersion: '16.4', DeletionProtection: 'true' })).rejects.toThrow(
      'DB cluster "orders-restored" cannot be upgraded: engine version 16.4 is a major version upgrade from 15.8, which needs allowMajorVersionUpgrade. Nothing was changed');
    await expect(update({ EngineVersion: '15.4' })).rejects.toThrow(/engine version 15.4 is older than 15.8, and RDS does not downgrade a cluster/);
    // Nothing at all was changed, deletion protection included.
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(0);

    await update({ EngineVersion: '16.4', AllowMajorVersionUpgrade: 'true' });
    const modify = rdsMock.commandCalls(rds.ModifyDBClusterCommand)[0].args[0].input;
    expect(modify).toEqual({ DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, EngineVersion: '16.4', AllowMajorVersionUpgrade: true });
    expectConforms('rds', 'ModifyDBCluster', modify);
  });

  // moto has no EnableHttpEndpoint or DisableHttpEndpoint (the rehearsal's RDS stand-in plays them: rds-s3-import-stand-in.test.ts).
  test('the Data API is turned on once the other settings are done, by its own call; the wait ends when RDS shows it on', async () => {
    const props = { ...pitrProps, EnableHttpEndpoint: 'true', ManageMasterUserPassword: undefined, MasterUserSecretKmsKeyId: undefined };
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { HttpEndpointEnabled: false })] });
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    rdsMock.on(rds.AddTagsToResourceCommand).resolves({});
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    rdsMock.on(rds.EnableHttpEndpointCommand).rejectsOnce(new rds.InvalidResourceStateFault({ message: 'The cluster is modifying', $metadata: {} }))
      .resolves({ ResourceArn: TARGET_ARN, HttpEndpointEnabled: true });
    // First the maintenance window, which the restore call does not take; not the Data API.
    await expect(poll(pointInTimeRestoredClusterHandler, PITR, props).state).resolves.toMatchObject({ done: false, LastStatus: 'configuring' });
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand).map((c) => c.args[0].input.PreferredMaintenanceWindow)).toEqual(['Sun:23:45-Mon:00:15']);
    expect(rdsMock.commandCalls(rds.EnableHttpEndpointCommand)).toHaveLength(0);
    const configured = rdsMock.commandCalls(rds.AddTagsToResourceCommand)[0].args[0].input.Tags![0];
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG, { Key: configured.Key, Value: configured.Value }] });

    // A switch refused while the cluster is busy is tried again at the next look.
    await expect(poll(pointInTimeRestoredClusterHandler, PITR, props).state).resolves.toMatchObject({ done: false, LastStatus: 'available, Data API not yet switchable' });
    await expect(poll(pointInTimeRestoredClusterHandler, PITR, props).state).resolves.toMatchObject({ done: false, LastStatus: 'turning the Data API on' });
    const enable = rdsMock.commandCalls(rds.EnableHttpEndpointCommand).map((c) => c.args[0].input);
    expect(enable).toEqual([{ ResourceArn: TARGET_ARN }, { ResourceArn: TARGET_ARN }]);
    expectConforms('rds', 'EnableHttpEndpoint', enable[0]);
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { HttpEndpointEnabled: true })] });
    const on = poll(pointInTimeRestoredClusterHandler, PITR, props);
    await expect(on.state).resolves.toMatchObject({ done: true });
    expect(on.signals).toMatchObject([{ Status: 'SUCCESS' }]);
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(1);
  });

  test('the Data API is turned off in place before ModifyDBCluster changes the rest', async () => {
    const props = { ...pitrProps, EnableHttpEndpoint: 'true' };
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { HttpEndpointEnabled: true })] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    rdsMock.on(rds.DisableHttpEndpointCommand).resolves({ ResourceArn: TARGET_ARN, HttpEndpointEnabled: false });
    await onEvent(cfnEvent('Update', PITR, { ...props, EnableHttpEndpoint: 'false', BackupRetentionPeriod: 30 },
      { PhysicalResourceId: 'orders-restored', OldResourceProperties: props }));
    const calls = rdsMock.calls().map((c) => c.args[0] as { input: any })
      .filter((c) => c instanceof rds.DisableHttpEndpointCommand || c instanceof rds.ModifyDBClusterCommand);
    expect(calls.map((c) => [c.constructor.name, c.input])).toEqual([
      ['DisableHttpEndpointCommand', { ResourceArn: TARGET_ARN }],
      ['ModifyDBClusterCommand', { DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, BackupRetentionPeriod: 30 }],
    ]);
    expectConforms('rds', 'DisableHttpEndpoint', calls[0].input);
  });

  test('the advanced mode of Database Insights goes with Performance Insights at 15 months, though the cluster has it on', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { PerformanceInsightsEnabled: true, DatabaseInsightsMode: 'standard' })] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    const before = { ...pitrProps, PerformanceInsightsRetentionPeriod: '465' };
    await onEvent(cfnEvent('Update', PITR, { ...before, DatabaseInsightsMode: 'advanced' }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: before }));
    const modify = rdsMock.commandCalls(rds.ModifyDBClusterCommand)[0].args[0].input;
    expect(modify).toEqual({
      DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, DatabaseInsightsMode: 'advanced', EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 465,
    });
    expectConforms('rds', 'ModifyDBCluster', modify);
  });

  test('S3 import: a new engineVersion, once a restore input, upgrades the imported cluster in place', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { Engine: 'aurora-mysql', EngineVersion: '8.0.mysql_aurora.3.08.0', BacktrackWindow: 86400 })] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    const before = { ...s3Props, EngineVersion: '8.0.mysql_aurora.3.08.0' };
    const after = { ...before, EngineVersion: '8.0.mysql_aurora.3.10.3', WaitHandle: 'RestoreWaitHandle5E6F7A8B' };
    const answer = await onEvent(cfnEvent('Update', S3, after, { PhysicalResourceId: 'orders-restored', OldResourceProperties: before }));
    expect(answer.PhysicalResourceId).toBe('orders-restored');
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)[0].args[0].input).toEqual({
      DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, EngineVersion: '8.0.mysql_aurora.3.10.3',
    });
    expect(rdsMock.commandCalls(rds.RestoreDBClusterFromS3Command)).toHaveLength(0);
  });

  test('the instances\' parameter group goes with an upgrade to another major version, and only then', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { EngineVersion: '15.8' })] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    const before = { ...pitrProps, EngineVersion: '15.8', AllowMajorVersionUpgrade: 'true', DBInstanceParameterGroupName: 'orders-pg15' };
    const update = (next: Record<string, unknown>) => onEvent(cfnEvent('Update', PITR, { ...before, ...next }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: before }));
    await update({ EngineVersion: '15.10' });
    await update({ DBInstanceParameterGroupName: 'orders-pg16' });
    await update({ EngineVersion: '16.4', DBInstanceParameterGroupName: 'orders-pg16' });
    const calls = rdsMock.commandCalls(rds.ModifyDBClusterCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, EngineVersion: '15.10', AllowMajorVersionUpgrade: true },
      { DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, EngineVersion: '16.4', AllowMajorVersionUpgrade: true, DBInstanceParameterGroupName: 'orders-pg16' },
    ]);
    expectConforms('rds', 'ModifyDBCluster', calls[1]);
  });

  test('a rollback after an upgrade keeps the upgraded version, and rolls back the rest', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { EngineVersion: '16.4', BackupRetentionPeriod: 30 })] });
    rdsMock.on(rds.ModifyDBClusterCommand).resolves({});
    mockStackStatus(cfnMock, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const upgraded = { ...pitrProps, EngineVersion: '16.4', AllowMajorVersionUpgrade: 'true', BackupRetentionPeriod: 30 };
    const earlier = { ...pitrProps, EngineVersion: '15.8' };
    const answer = await onEvent(cfnEvent('Update', PITR, earlier, { PhysicalResourceId: 'orders-restored', OldResourceProperties: upgraded }));
    expect(answer.PhysicalResourceId).toBe('orders-restored');
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand).map((c) => c.args[0].input)).toEqual([
      { DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, BackupRetentionPeriod: 14 },
    ]);
  });

  /** A cluster whose describe, tags and modify follow what the handler did to it; ModifyDBCluster is refused unless it is available. */
  function liveCluster(initial: rds.DBCluster) {
    const live = { cluster: initial, tags: [OWNER_TAG, STACK_TAG] as rds.Tag[] };
    rdsMock.on(rds.DescribeDBClustersCommand).callsFake(async () => ({ DBClusters: [live.cluster] }));
    rdsMock.on(rds.ListTagsForResourceCommand).callsFake(async () => ({ TagList: live.tags }));
    rdsMock.on(rds.AddTagsToResourceCommand).callsFake(async (input: rds.AddTagsToResourceCommandInput) => {
      live.tags = [...live.tags.filter((t) => !input.Tags!.some((n) => n.Key === t.Key)), ...input.Tags!];
      return {};
    });
    rdsMock.on(rds.ModifyDBClusterCommand).callsFake(async (input: rds.ModifyDBClusterCommandInput) => {
      expectConforms('rds', 'ModifyDBCluster', input);
      if (live.cluster.Status !== 'available') throw new rds.InvalidDBClusterStateFault({ message: `DB cluster is ${live.cluster.Status}`, $metadata: {} });
      return {};
    });
    return live;
  }

  // Issue 27: a rollback that came while the update's own upgrade still ran left the stack in UPDATE_ROLLBACK_FAILED.
  test('a rollback that comes while the upgrade runs waits for it, then rolls the other settings back; the version stays', async () => {
    const live = liveCluster(cluster('upgrading', { EngineVersion: '15.8', BackupRetentionPeriod: 30 }));
    mockStackStatus(cfnMock, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const upgraded = { ...pitrProps, EngineVersion: '16.4', AllowMajorVersionUpgrade: 'true', BackupRetentionPeriod: 30 };
    const request = cfnEvent('Update', PITR, { ...pitrProps, EngineVersion: '15.8' }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: upgraded });
    const answer = await onEvent(request);
    expect(answer).toMatchObject({ PhysicalResourceId: 'orders-restored', InPlace: true });
    const look = () => isComplete(completeEvent(request, answer));

    await expect(look()).resolves.toEqual({ IsComplete: false });
    live.cluster = cluster('available', { EngineVersion: '16.4', BackupRetentionPeriod: 30 });
    await expect(look()).resolves.toEqual({ IsComplete: false });
    live.cluster = cluster('modifying', { EngineVersion: '16.4', BackupRetentionPeriod: 14 });
    await expect(look()).resolves.toEqual({ IsComplete: false });
    live.cluster = cluster('available', { EngineVersion: '16.4', BackupRetentionPeriod: 14 });
    await expect(look()).resolves.toEqual({ IsComplete: true });
    await expect(look()).resolves.toEqual({ IsComplete: true });
    // Asked while upgrading (refused), asked while available (taken), and never again; never the old version.
    const asked = { DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, BackupRetentionPeriod: 14 };
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand).map((c) => c.args[0].input)).toEqual([asked, asked]);
  });

  test('an upgrade RDS does not offer from the cluster\'s version is refused before anything is changed, with what it offers', async () => {
    liveCluster(cluster('available', { EngineVersion: '15.8' }));
    rdsMock.on(rds.DescribeDBEngineVersionsCommand).resolves({
      DBEngineVersions: [{
        Engine: 'aurora-postgresql',
        EngineVersion: '15.8',
        ValidUpgradeTarget: [
          { EngineVersion: '15.10' }, { EngineVersion: '16.4' },
        ],
      }],
    });
    const before = { ...pitrProps, EngineVersion: '15.8' };
    const upgrade = (version: string) => onEvent(cfnEvent('Update', PITR, { ...before, EngineVersion: version, AllowMajorVersionUpgrade: 'true', DeletionProtection: 'true' },
      { PhysicalResourceId: 'orders-restored', OldResourceProperties: before }));
    await expect(upgrade('17.5')).rejects.toThrow(
      'DB cluster "orders-restored" cannot be upgraded: RDS offers no upgrade of aurora-postgresql 15.8 to 17.5; it offers 15.10, 16.4. Nothing was changed');
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(0);
    expectConforms('rds', 'DescribeDBEngineVersions', rdsMock.commandCalls(rds.DescribeDBEngineVersionsCommand)[0].args[0].input);
    await upgrade('16.4');
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand).map((c) => c.args[0].input.EngineVersion ?? 'protection')).toEqual(['protection', '16.4']);
  });

  test('a restore at an engine version RDS does not offer from the source\'s fails before the restore starts', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders' })
      .resolves({ DBClusters: [cluster('available', { DBClusterIdentifier: 'orders', EngineVersion: '15.8' })] });
    rdsMock.on(rds.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders-restored' }).rejects(new rds.DBClusterNotFoundFault({ message: 'not found', $metadata: {} }));
    rdsMock.on(rds.DescribeDBEngineVersionsCommand).resolves({ DBEngineVersions: [{ EngineVersion: '15.8', ValidUpgradeTarget: [{ EngineVersion: '16.4' }] }] });
    await expect(onEvent(cfnEvent('Create', PITR, { ...pitrProps, EngineVersion: '17.5', AllowMajorVersionUpgrade: 'true' }))).rejects.toThrow(
      'Cannot restore "orders-restored" at engine version 17.5: the restore makes the version of "orders", 15.8, and RDS offers no upgrade of aurora-postgresql 15.8 to 17.5; it offers 16.4.');
    expect(rdsMock.commandCalls(rds.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  test('an in-place upgrade waits until the cluster runs the new version; an upgrade RDS gave up fails with its reason', async () => {
    const live = liveCluster(cluster('available', { EngineVersion: '15.8' }));
    const before = { ...pitrProps, EngineVersion: '15.8' };
    const upgrade = async () => {
      const request = cfnEvent('Update', PITR, { ...before, EngineVersion: '16.4', AllowMajorVersionUpgrade: 'true' },
        { PhysicalResourceId: 'orders-restored', OldResourceProperties: before });
      const answer = await onEvent(request);
      return () => isComplete(completeEvent(request, answer));
    };
    const look = await upgrade();
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand).map((c) => c.args[0].input)).toEqual([
      { DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, EngineVersion: '16.4', AllowMajorVersionUpgrade: true },
    ]);
    // Available on the old version for a moment, then upgrading, then available on the new one.
    await expect(look()).resolves.toEqual({ IsComplete: false });
    live.cluster = cluster('upgrading', { EngineVersion: '15.8' });
    await expect(look()).resolves.toEqual({ IsComplete: false });
    live.cluster = cluster('available', { EngineVersion: '16.4' });
    await expect(look()).resolves.toEqual({ IsComplete: true });
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(1);

    live.cluster = cluster('available', { EngineVersion: '15.8' });
    const lookAgain = await upgrade();
    rdsMock.on(rds.DescribeEventsCommand).resolves({ Events: [{ Message: 'Database cluster engine version upgrade started.' }, { Message: PRECHECKS_FAILED }] });
    await expect(lookAgain()).rejects.toThrow(
      'The upgrade of DB cluster "orders-restored" from engine version 15.8 to 16.4 failed: Database cluster is in a state that cannot be upgraded: Upgrade prechecks failed.');
  });

  test('a busy cluster takes the change once it is available; a stopped one fails the update at once, saying to start it', async () => {
    const live = liveCluster(cluster('backing-up'));
    const request = cfnEvent('Update', PITR, { ...pitrProps, BackupRetentionPeriod: 30 }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: pitrProps });
    const answer = await onEvent(request);
    await expect(isComplete(completeEvent(request, answer))).resolves.toEqual({ IsComplete: false });
    live.cluster = cluster('available');
    await expect(isComplete(completeEvent(request, answer))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(request, answer))).resolves.toEqual({ IsComplete: true });
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(2);

    live.cluster = cluster('stopped');
    await expect(onEvent(cfnEvent('Update', PITR, { ...pitrProps, BackupRetentionPeriod: 35 }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: pitrProps })))
      .rejects.toThrow(/cannot change its settings while its status is "stopped" \(InvalidDBClusterStateFault: DB cluster is stopped\); start it \(or repair it\), then deploy again\./);
    mockStackStatus(cfnMock, 'UPDATE_ROLLBACK_IN_PROGRESS');
    await expect(onEvent(cfnEvent('Update', PITR, pitrProps, { PhysicalResourceId: 'orders-restored', OldResourceProperties: { ...pitrProps, BackupRetentionPeriod: 35 } })))
      .rejects.toThrow(/it keeps the settings of the update rolled back\. Once it is available: Continue the rollback without this resource: aws cloudformation continue-update-rollback --resources-to-skip/);
  });

  test('an update cancelled by a rollback before its change was sent sends nothing more; the rollback\'s own change goes', async () => {
    const live = liveCluster(cluster('backing-up', { BackupRetentionPeriod: 14 }));
    const forward = cfnEvent('Update', PITR, { ...pitrProps, BackupRetentionPeriod: 30 }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: pitrProps });
    const forwardAnswer = await onEvent(forward);
    expect(forwardAnswer).not.toHaveProperty('Rollback');
    // Another resource failed: CloudFormation rolls back, while the provider framework still looks at the forward update.
    mockStackStatus(cfnMock, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const rollback = cfnEvent('Update', PITR, pitrProps, { PhysicalResourceId: 'orders-restored', OldResourceProperties: { ...pitrProps, BackupRetentionPeriod: 30 } });
    const rollbackAnswer = await onEvent(rollback);
    expect(rollbackAnswer).toMatchObject({ InPlace: true, Rollback: true });
    live.cluster = cluster('available', { BackupRetentionPeriod: 14 });
    await expect(isComplete(completeEvent(forward, forwardAnswer))).resolves.toEqual({ IsComplete: true });
    await expect(isComplete(completeEvent(rollback, rollbackAnswer))).resolves.toEqual({ IsComplete: true });
    // The forward change was refused once, while backing up, and never sent again; the rollback had nothing to send.
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand).map((c) => c.args[0].input.BackupRetentionPeriod)).toEqual([30]);
  });

  test('a rollback of a major upgrade keeps the version and the groups of the new major version, and rolls back the rest', async () => {
    liveCluster(cluster('available', { EngineVersion: '16.4', BackupRetentionPeriod: 30, DBClusterParameterGroup: 'orders-pg16' }));
    mockStackStatus(cfnMock, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const upgraded = { ...pitrProps, EngineVersion: '16.4', AllowMajorVersionUpgrade: 'true', BackupRetentionPeriod: 30, DBClusterParameterGroupName: 'orders-pg16' };
    const request = cfnEvent('Update', PITR, { ...pitrProps, EngineVersion: '15.8', DBClusterParameterGroupName: 'orders-pg15' },
      { PhysicalResourceId: 'orders-restored', OldResourceProperties: upgraded });
    await onEvent(request);
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand).map((c) => c.args[0].input)).toEqual([
      { DBClusterIdentifier: 'orders-restored', ApplyImmediately: true, BackupRetentionPeriod: 14 },
    ]);
  });

  test('an Update that changes nothing on the cluster leaves no mark and is complete at the first look', async () => {
    liveCluster(cluster('backing-up'));
    const request = cfnEvent('Update', PITR, { ...pitrProps, Validated: 'true' }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: pitrProps });
    const answer = await onEvent(request);
    expect(answer).toMatchObject({ InPlace: true });
    await expect(isComplete(completeEvent(request, answer))).resolves.toEqual({ IsComplete: true });
    expect(rdsMock.commandCalls(rds.DescribeDBClustersCommand)).toHaveLength(2);
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(0);
    expect(rdsMock.commandCalls(rds.AddTagsToResourceCommand)).toHaveLength(0);
  });

  test('an upgrade that only allows major versions, with the version unchanged, makes no call', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { EngineVersion: '15.8' })] });
    const before = { ...pitrProps, EngineVersion: '15.8' };
    await onEvent(cfnEvent('Update', PITR, { ...before, AllowMajorVersionUpgrade: 'true' }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: before }));
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(0);
  });

  test('backtracking cannot be turned on in place, and the update says why', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available')] });
    await expect(onEvent(cfnEvent('Update', S3, s3Props, { PhysicalResourceId: 'orders-restored', OldResourceProperties: { ...s3Props, BacktrackWindow: undefined } })))
      .rejects.toThrow(/was restored without backtracking, which can only be chosen at the restore/);
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(0);
  });

  test('the key of a managed secret cannot change, and the update says so before calling RDS', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { MasterUserSecret: { SecretArn: SECRET_ARN, KmsKeyId: KEY_ARN } })] });
    const other = `${KEY_ARN.slice(0, -4)}ffff`;
    await expect(onEvent(cfnEvent('Update', PITR, { ...pitrProps, MasterUserSecretKmsKeyId: other }, { PhysicalResourceId: 'orders-restored', OldResourceProperties: pitrProps })))
      .rejects.toThrow(/RDS cannot change the key of a managed secret; keep masterUserSecretKey as it was/);
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(0);
  });

  test('unchanged settings make no call', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available')] });
    await onEvent(cfnEvent('Update', PITR, pitrProps, { PhysicalResourceId: 'orders-restored', OldResourceProperties: pitrProps }));
    expect(rdsMock.commandCalls(rds.ModifyDBClusterCommand)).toHaveLength(0);
  });

  test('a setting no longer given is left as the cluster has it; log exports no longer given are turned off', () => {
    expect(settingsChange({ BackupRetentionPeriod: 7, EnableCloudwatchLogsExports: ['audit'] }, {}))
      .toEqual({ CloudwatchLogsExportConfiguration: { DisableLogTypes: ['audit'] } });
    expect(settingsChange({ BackupRetentionPeriod: 7 }, {})).toBeUndefined();
  });
});

describe('the attributes resource', () => {
  test('carries the managed secret\'s ARN, empty without one', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available', { MasterUserSecret: { SecretArn: SECRET_ARN, SecretStatus: 'active' } })] });
    const read = (await onEvent(cfnEvent('Create', ATTRIBUTES_RESOURCE_TYPE, { RestoreResourceType: PITR, RestoredId: 'orders-restored', Engine: 'aurora-postgresql' }))).Data!;
    expect(read.MasterUserSecretArn).toBe(SECRET_ARN);
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available')] });
    const without = (await onEvent(cfnEvent('Create', ATTRIBUTES_RESOURCE_TYPE, { RestoreResourceType: PITR, RestoredId: 'orders-restored', Engine: 'aurora-postgresql' }))).Data!;
    expect(without.MasterUserSecretArn).toBe('');
  });
});

describe('sources the peers accept', () => {
  const base = { Engine: 'aurora-mysql', DBClusterIdentifier: 'orders-restored', RestoreType: 'copy-on-write', RemovalPolicy: 'snapshot', TimeoutSeconds: 10800, WaitHandle: 'H' };
  const SHARED = 'arn:aws:rds:us-east-1:210987654321:cluster:orders';

  test('a cluster shared from another account is described by ARN with shared clusters included, and cloned', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand, { DBClusterIdentifier: SHARED, IncludeShared: true })
      .resolves({ DBClusters: [cluster('available', { DBClusterIdentifier: 'orders', DBClusterArn: SHARED, Engine: 'aurora-mysql' })] });
    rdsMock.on(rds.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders-restored' }).rejects(new rds.DBClusterNotFoundFault({ message: 'not found', $metadata: {} }));
    rdsMock.on(rds.RestoreDBClusterToPointInTimeCommand).resolves({});
    await onEvent(cfnEvent('Create', PITR, { ...base, SourceDBClusterIdentifier: SHARED }));
    const input = rdsMock.commandCalls(rds.RestoreDBClusterToPointInTimeCommand)[0].args[0].input;
    expect(input).toMatchObject({ SourceDBClusterIdentifier: SHARED, RestoreType: 'copy-on-write' });
    expectConforms('rds', 'DescribeDBClusters', rdsMock.commandCalls(rds.DescribeDBClustersCommand)[0].args[0].input);
  });

  test('a shared cluster that cannot be seen fails before the restore, pointing at RAM', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).rejects(new rds.DBClusterNotFoundFault({ message: 'not found', $metadata: {} }));
    await expect(onEvent(cfnEvent('Create', PITR, { ...base, SourceDBClusterIdentifier: SHARED }))).rejects.toThrow(/is not shared with this account \(share it through AWS RAM\)/);
    expect(rdsMock.commandCalls(rds.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  test('a deleted cluster is found by its retained automated backups, and its window checked', async () => {
    const props = { ...base, RestoreType: 'full-copy', SourceDbClusterResourceId: 'cluster-KNRI5FZIPRSPUO4KGX6JVVIZRA', RestoreToTime: '2026-11-20T12:00:00.000Z' };
    rdsMock.on(rds.DescribeDBClusterAutomatedBackupsCommand).resolves({
      DBClusterAutomatedBackups: [{
        Engine: 'aurora-mysql', StorageEncrypted: true, RestoreWindow: { EarliestTime: new Date('2026-11-15T00:00:00Z'), LatestTime: new Date('2026-11-21T00:00:00Z') },
      }],
    });
    rdsMock.on(rds.DescribeDBClustersCommand).rejects(new rds.DBClusterNotFoundFault({ message: 'not found', $metadata: {} }));
    rdsMock.on(rds.RestoreDBClusterToPointInTimeCommand).resolves({});
    await onEvent(cfnEvent('Create', PITR, props));
    const input = rdsMock.commandCalls(rds.RestoreDBClusterToPointInTimeCommand)[0].args[0].input;
    expect(input).toMatchObject({ SourceDbClusterResourceId: 'cluster-KNRI5FZIPRSPUO4KGX6JVVIZRA' });
    expect(input.SourceDBClusterIdentifier).toBeUndefined();
    expectConforms('rds', 'RestoreDBClusterToPointInTime', input);
    expectConforms('rds', 'DescribeDBClusterAutomatedBackups', rdsMock.commandCalls(rds.DescribeDBClusterAutomatedBackupsCommand)[0].args[0].input);

    rdsMock.reset();
    rdsMock.on(rds.DescribeDBClusterAutomatedBackupsCommand).resolves({
      DBClusterAutomatedBackups: [{
        Engine: 'aurora-mysql', RestoreWindow: { EarliestTime: new Date('2026-11-21T00:00:00Z'), LatestTime: new Date('2026-11-22T00:00:00Z') },
      }],
    });
    rdsMock.on(rds.DescribeDBClustersCommand).rejects(new rds.DBClusterNotFoundFault({ message: 'not found', $metadata: {} }));
    await expect(onEvent(cfnEvent('Create', PITR, props))).rejects.toThrow(/outside the restorable window of "the deleted cluster cluster-KNRI5FZIPRSPUO4KGX6JVVIZRA"/);
  });

  test('a resource id without retained backups fails before the restore, with what to check', async () => {
    rdsMock.on(rds.DescribeDBClusterAutomatedBackupsCommand).rejects(new rds.DBClusterAutomatedBackupNotFoundFault({ message: 'none', $metadata: {} }));
    rdsMock.on(rds.DescribeDBClustersCommand).rejects(new rds.DBClusterNotFoundFault({ message: 'not found', $metadata: {} }));
    await expect(onEvent(cfnEvent('Create', PITR, { ...base, RestoreType: 'full-copy', SourceDbClusterResourceId: 'cluster-NOPE' })))
      .rejects.toThrow(/No retained automated backups of a DB cluster with resource id "cluster-NOPE"/);
    expect(rdsMock.commandCalls(rds.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });
});
