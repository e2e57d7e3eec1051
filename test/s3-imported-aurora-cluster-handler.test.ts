import * as rds from '@aws-sdk/client-rds';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { inputProblems, IN_CI, loadApiModel } from './support/api-model';
import { cfnEvent, OWNER_TAG, STACK_ID, STACK_TAG, WAIT_HANDLE } from './support/events';
import { mockWaitHandleLookup } from './support/wait-handle';
import { onEvent } from '../lambda/index';
import { EVENTUAL_CONSISTENCY_RETRY, isEventuallyConsistent, s3ImportedAuroraClusterHandler } from '../lambda/s3-imported-aurora-cluster/handler';
import type { RestoreFigures } from '../lambda/shared/metrics';
import { initialPollerState, pollStep } from '../lambda/shared/polling';
import { retrying } from '../lambda/shared/retry';
import type { WaitSignal } from '../lambda/shared/signal';
import { ATTRIBUTES_RESOURCE_TYPE, OWNER_TAG_KEY, REQUEST_TAG_KEY, RESTORED_TAG_KEY, STACK_TAG_KEY, STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';

// aws-sdk-client-mock stands in for RDS here: moto_server does not implement RestoreDBClusterFromS3,
// so no emulator can play this API. Requests are checked against the official API model instead.
const rdsMock = mockClient(rds.RDSClient);
const sfnMock = mockClient(SFNClient);
mockWaitHandleLookup();
const TYPE = 'Custom::S3ImportedAuroraCluster';
const ARN = 'arn:aws:rds:eu-west-1:123456789012:cluster:orders-imported';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1234-abcd';

const props = {
  DBClusterIdentifier: 'orders-imported',
  Engine: 'aurora-mysql',
  EngineVersion: '8.0.mysql_aurora.3.10.3',
  MasterUsername: 'admin',
  SourceEngine: 'mysql',
  SourceEngineVersion: '8.0.36',
  S3BucketName: 'my-backups',
  S3Prefix: 'backups/2026-11-20/',
  S3IngestionRoleArn: 'arn:aws:iam::123456789012:role/ingest',
  StorageEncrypted: true,
  BackupRetentionPeriod: 7,
  Port: 3306,
  RemovalPolicy: 'snapshot',
  TimeoutSeconds: 10800,
  WaitHandle: 'RestoreWaitHandle1A2B3C4D',
};

const notFound = () => new rds.DBClusterNotFoundFault({ message: 'DBCluster orders-imported not found.', $metadata: {} });
const s3Fault = (message: string) => new rds.InvalidS3BucketFault({ message, $metadata: {} });
const cluster = (status: string): rds.DBCluster => ({
  DBClusterIdentifier: 'orders-imported',
  DBClusterArn: ARN,
  DbClusterResourceId: 'cluster-XYZ',
  Status: status,
  Engine: 'aurora-mysql',
  Endpoint: 'orders-imported.cluster-x.eu-west-1.rds.amazonaws.com',
  ReaderEndpoint: 'orders-imported.cluster-ro-x.eu-west-1.rds.amazonaws.com',
  Port: 3306,
  MasterUserSecret: { SecretArn: SECRET_ARN, SecretStatus: 'active' },
});

beforeEach(() => {
  rdsMock.reset();
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({});
  process.env[STATE_MACHINE_ARN_ENV] = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Poller';
  rdsMock.on(rds.DescribeDBEngineVersionsCommand).resolves({ DBEngineVersions: [{ Engine: 'aurora-mysql', EngineVersion: '8.0.mysql_aurora.3.10.3' }] });
  rdsMock.on(rds.DescribeDBClustersCommand).rejects(notFound());
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('Create', () => {
  test('imports with a password RDS manages, the ownership tags, and starts polling', async () => {
    rdsMock.on(rds.RestoreDBClusterFromS3Command).resolves({ DBCluster: cluster('creating') });
    const answer = await onEvent(cfnEvent('Create', TYPE, { ...props, Tags: [{ Key: 'team', Value: 'orders' }] }));
    expect(answer.PhysicalResourceId).toBe('orders-imported');
    const input = rdsMock.commandCalls(rds.RestoreDBClusterFromS3Command)[0].args[0].input;
    expect(input).toMatchObject({
      DBClusterIdentifier: 'orders-imported',
      Engine: 'aurora-mysql',
      MasterUsername: 'admin',
      ManageMasterUserPassword: true,
      SourceEngine: 'mysql',
      SourceEngineVersion: '8.0.36',
      S3BucketName: 'my-backups',
      S3Prefix: 'backups/2026-11-20/',
      S3IngestionRoleArn: 'arn:aws:iam::123456789012:role/ingest',
      StorageEncrypted: true,
      BackupRetentionPeriod: 7,
      Port: 3306,
    });
    expect(input.MasterUserPassword).toBeUndefined();
    expect(input.Tags!.map((t) => t.Key)).toEqual(['team', OWNER_TAG_KEY, REQUEST_TAG_KEY, STACK_TAG_KEY]);
    // The stack's id, which the handler role's rights on the cluster are conditioned on.
    expect(input.Tags!.at(-1)!.Value).toBe(STACK_ID);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  test('an engine version the region does not offer fails before the import', async () => {
    rdsMock.on(rds.DescribeDBEngineVersionsCommand).resolves({ DBEngineVersions: [] });
    await expect(onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow('Aurora MySQL version "8.0.mysql_aurora.3.10.3" (engineVersion) is not offered in this region.');
    expect(rdsMock.commandCalls(rds.RestoreDBClusterFromS3Command)).toHaveLength(0);
  });

  test('"cannot be downloaded" from a fresh role or bucket policy is retried, and the import goes through', async () => {
    jest.useFakeTimers();
    rdsMock.on(rds.RestoreDBClusterFromS3Command)
      .rejectsOnce(s3Fault('The source files in bucket my-backups cannot be downloaded'))
      .rejectsOnce(new rds.RDSServiceException({ name: 'InvalidParameterValue', $fault: 'client', message: 'IAM role ARN value is invalid or does not include the required permissions for: S3_INGESTION', $metadata: {} }))
      .resolves({});
    const pending = onEvent(cfnEvent('Create', TYPE, props));
    await jest.runAllTimersAsync();
    await expect(pending).resolves.toMatchObject({ PhysicalResourceId: 'orders-imported' });
    expect(rdsMock.commandCalls(rds.RestoreDBClusterFromS3Command)).toHaveLength(3);
  });

  test('an error that persists fails after a bounded number of tries with the service\'s message', async () => {
    jest.useFakeTimers();
    rdsMock.on(rds.RestoreDBClusterFromS3Command).rejects(s3Fault('The specified bucket my-backups could not be found'));
    const pending = onEvent(cfnEvent('Create', TYPE, props));
    const outcome = expect(pending).rejects.toThrow('RestoreDBClusterFromS3 of aurora-mysql cluster "orders-imported" from s3://my-backups/backups/2026-11-20/ (MySQL 8.0.36) failed: InvalidS3BucketFault: The specified bucket my-backups could not be found');
    await jest.runAllTimersAsync();
    await outcome;
    expect(rdsMock.commandCalls(rds.RestoreDBClusterFromS3Command)).toHaveLength(EVENTUAL_CONSISTENCY_RETRY.delaysSeconds.length + 1);
  });

  test.each([
    ['InvalidSubnet', new rds.InvalidSubnet({ message: 'subnets in one AZ', $metadata: {} })],
    ['DBClusterQuotaExceededFault', new rds.DBClusterQuotaExceededFault({ message: 'quota', $metadata: {} })],
    ['StorageQuotaExceededFault', new rds.StorageQuotaExceededFault({ message: 'storage quota', $metadata: {} })],
  ])('%s is not retried', async (name, error) => {
    rdsMock.on(rds.RestoreDBClusterFromS3Command).rejects(error);
    await expect(onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(`failed: ${name}`);
    expect(rdsMock.commandCalls(rds.RestoreDBClusterFromS3Command)).toHaveLength(1);
  });

  test('DBClusterAlreadyExistsFault from a racing attempt of this request adopts the cluster; a stranger\'s fails', async () => {
    rdsMock.on(rds.RestoreDBClusterFromS3Command).resolves({});
    await onEvent(cfnEvent('Create', TYPE, props));
    const tags = rdsMock.commandCalls(rds.RestoreDBClusterFromS3Command)[0].args[0].input.Tags!;
    rdsMock.reset();
    sfnMock.on(StartExecutionCommand).resolves({});
    rdsMock.on(rds.DescribeDBEngineVersionsCommand).resolves({ DBEngineVersions: [{}] });
    rdsMock.on(rds.DescribeDBClustersCommand).rejectsOnce(notFound()).resolves({ DBClusters: [cluster('creating')] });
    rdsMock.on(rds.RestoreDBClusterFromS3Command).rejects(new rds.DBClusterAlreadyExistsFault({ message: 'exists', $metadata: {} }));
    rdsMock.on(rds.ListTagsForResourceCommand).resolvesOnce({ TagList: tags }).resolves({ TagList: [] });
    await expect(onEvent(cfnEvent('Create', TYPE, props))).resolves.toMatchObject({ PhysicalResourceId: 'orders-imported' });
    rdsMock.on(rds.DescribeDBClustersCommand).rejectsOnce(notFound()).resolves({ DBClusters: [cluster('available')] });
    await expect(onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(/already exists and was not created by this stack resource/);
  });
});

describe('waiting and attributes', () => {
  const signals: WaitSignal[] = [];
  const published: RestoreFigures[] = [];
  const step = () => pollStep(initialPollerState(TYPE, cfnEvent('Create', TYPE, props).ResourceProperties, 'orders-imported', WAIT_HANDLE, Date.now(), 'RestoreResource'),
    {
      now: Date.now,
      kindOf: () => s3ImportedAuroraClusterHandler,
      signal: async (_u, s) => { signals.push(s); },
      publish: async (_r: unknown, f: RestoreFigures) => { published.push(f); },
    });
  beforeEach(() => {
    signals.length = 0;
    // A cluster this version restored: it carries the stack tag, so the poller adds none.
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
  });

  test.each(['creating', 'migrating', 'backing-up'])('%s: keeps waiting', async (status) => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster(status)] });
    await expect(step()).resolves.toMatchObject({ done: false, LastStatus: status });
  });

  test('migration-failed signals FAILURE with the service\'s message', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('migration-failed')] });
    rdsMock.on(rds.DescribeEventsCommand).resolves({ Events: [{ Message: 'Migration failed: the backup was taken with an unsupported XtraBackup version' }] });
    await step();
    expect(signals).toEqual([expect.objectContaining({
      Status: 'FAILURE',
      Reason: expect.stringMatching(/cluster status is "migration-failed": Migration failed: the backup was taken with an unsupported XtraBackup version$/),
    })]);
  });

  test('available: SUCCESS; the attributes include the secret\'s ARN and no secret value', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available')] });
    await step();
    expect(signals.map((s) => s.Status)).toEqual(['SUCCESS']);
    // The cluster now holds data of its own: it is marked, so a later delete keeps a final snapshot.
    expect(rdsMock.commandCalls(rds.AddTagsToResourceCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceName: ARN, Tags: [{ Key: RESTORED_TAG_KEY, Value: expect.any(String) }] },
    ]);
    const answer = await onEvent(cfnEvent('Create', ATTRIBUTES_RESOURCE_TYPE, { ...props, RestoreResourceType: TYPE, RestoredId: 'orders-imported' }));
    expect(answer.Data).toEqual({
      // No wait data here: nothing measured.
      RecoveryTime: '0',
      RestoreStartedAt: '',
      DBClusterIdentifier: 'orders-imported',
      DBClusterArn: ARN,
      DbClusterResourceId: 'cluster-XYZ',
      Endpoint: 'orders-imported.cluster-x.eu-west-1.rds.amazonaws.com',
      ReaderEndpoint: 'orders-imported.cluster-ro-x.eu-west-1.rds.amazonaws.com',
      Port: '3306',
      MasterUserSecretArn: SECRET_ARN,
    });
    expect(JSON.stringify(answer).length).toBeLessThan(4096);
  });
});

describe('Delete', () => {
  beforeEach(() => {
    rdsMock.on(rds.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG] });
  });

  test('SNAPSHOT takes a final snapshot', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('available')] });
    rdsMock.on(rds.DeleteDBClusterCommand).resolves({});
    await onEvent(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'orders-imported' }));
    expect(rdsMock.commandCalls(rds.DeleteDBClusterCommand)[0].args[0].input).toMatchObject({
      DBClusterIdentifier: 'orders-imported', SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: expect.stringMatching(/^orders-imported-final-/),
    });
  });

  test('a cluster whose migration failed is deleted without a snapshot it cannot take', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand).resolves({ DBClusters: [cluster('migration-failed')] });
    rdsMock.on(rds.DeleteDBClusterCommand).resolves({});
    await onEvent(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'orders-imported' }));
    expect(rdsMock.commandCalls(rds.DeleteDBClusterCommand)[0].args[0].input).toMatchObject({ SkipFinalSnapshot: true });
  });
});

describe('eventual consistency', () => {
  test.each([
    ['InvalidS3BucketFault', s3Fault('anything'), true],
    ['cannot be found', new Error('The S3 object backups/x cannot be found'), true],
    ['cannot be assumed', new Error('The IAM role cannot be assumed by RDS'), true],
    ['a quota', new rds.DBClusterQuotaExceededFault({ message: 'quota', $metadata: {} }), false],
  ])('%s: retried = %s', (_name, error, retried) => {
    expect(isEventuallyConsistent(error)).toBe(retried);
  });

  test('waits 5, 10, 20, 30 and 45 seconds between tries', async () => {
    const pauses: number[] = [];
    let calls = 0;
    const result = retrying(EVENTUAL_CONSISTENCY_RETRY, async () => { calls++; throw s3Fault('cannot be downloaded'); }, async (ms) => { pauses.push(ms); });
    await expect(result).rejects.toThrow('cannot be downloaded');
    expect(pauses).toEqual([5000, 10000, 20000, 30000, 45000]);
    expect(calls).toBe(6);
  });
});

describe('requests against the official API model', () => {
  const model = loadApiModel('rds');
  if (!model && IN_CI) throw new Error('botocore\'s API models are not installed; CI needs them');
  (model ? test : test.skip)('RestoreDBClusterFromS3 and DescribeDBEngineVersions conform, with every required member', async () => {
    rdsMock.on(rds.RestoreDBClusterFromS3Command).resolves({});
    await onEvent(cfnEvent('Create', TYPE, { ...props, DatabaseName: 'orders', EnableIAMDatabaseAuthentication: true, DeletionProtection: false, KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k', MasterUserSecretKmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/s', DBSubnetGroupName: 'g', VpcSecurityGroupIds: ['sg-1'] }));
    for (const [operation, calls] of [
      ['RestoreDBClusterFromS3', rdsMock.commandCalls(rds.RestoreDBClusterFromS3Command)],
      ['DescribeDBEngineVersions', rdsMock.commandCalls(rds.DescribeDBEngineVersionsCommand)],
      ['DescribeDBClusters', rdsMock.commandCalls(rds.DescribeDBClustersCommand)],
    ] as const) {
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) expect(inputProblems(model!, operation, call.args[0].input)).toEqual([]);
    }
  });
});
