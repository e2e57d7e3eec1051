import * as http from 'http';
import { AddressInfo } from 'net';
import { DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { DescribeKeyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import { SFNClient, StartExecutionCommand, StopExecutionCommand, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { inputProblems, loadApiModel, IN_CI } from './support/api-model';
import { cfnEvent, completeEvent, OWNER_TAG, STACK_ID, STACK_TAG, WAIT_HANDLE } from './support/events';
import { handleUrlFor, mockWaitHandleLookup } from './support/wait-handle';
import { TERMINAL_FAILURE_STATES, finalSnapshotIdentifier } from '../lambda/cluster/lifecycle';
import { isComplete, onEvent } from '../lambda/index';
import { pointInTimeRestoredClusterHandler } from '../lambda/point-in-time-restored-cluster/handler';
import { executionName } from '../lambda/shared/executions';
import type { RestoreFigures } from '../lambda/shared/metrics';
import { initialPollerState, pollStep } from '../lambda/shared/polling';
import type { WaitSignal } from '../lambda/shared/signal';
import { ATTRIBUTES_RESOURCE_TYPE, OWNER_TAG_KEY, REQUEST_TAG_KEY, RESTORED_TAG_KEY, STACK_TAG_KEY, STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';

// aws-sdk-client-mock stands in for the service here: these tests drive states and faults
// (incompatible-restore, throttling, races) that no emulator produces on demand. The real
// service behaviour is exercised against moto_server in point-in-time-restored-cluster-moto.test.ts.
const neptuneMock = mockClient(neptune.NeptuneClient);
const rdsMock = mockClient(rds.RDSClient);
const kmsMock = mockClient(KMSClient);
const sfnMock = mockClient(SFNClient);
const cfnMock = mockWaitHandleLookup();
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:Poller';
const HANDLE = 'RestoredRestoreWaitHandle1A2B3C4D';

const TYPE = 'Custom::PointInTimeRestoredCluster';
const SOURCE_ARN = 'arn:aws:rds:us-east-1:123456789012:cluster:prod-graph';
const TARGET_ARN = 'arn:aws:rds:us-east-1:123456789012:cluster:graph-restored';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const baseProps = {
  Engine: 'neptune',
  DBClusterIdentifier: 'graph-restored',
  SourceDBClusterIdentifier: 'prod-graph',
  RestoreType: 'full-copy',
  RemovalPolicy: 'snapshot',
  TimeoutSeconds: 10800,
  WaitHandle: HANDLE,
};

const notFound = (id: string) => new neptune.DBClusterNotFoundFault({ message: `DBCluster ${id} not found.`, $metadata: {} });
const rdsNotFound = (id: string) => new rds.DBClusterNotFoundFault({ message: `DBCluster ${id} not found.`, $metadata: {} });

function source(overrides: Partial<neptune.DBCluster> = {}): neptune.DBCluster {
  return {
    DBClusterIdentifier: 'prod-graph',
    DBClusterArn: SOURCE_ARN,
    Engine: 'neptune',
    Status: 'available',
    EarliestRestorableTime: new Date('2026-11-14T00:00:00Z'),
    LatestRestorableTime: new Date('2026-11-21T23:55:00Z'),
    StorageEncrypted: true,
    ...overrides,
  };
}

function target(status: string, overrides: Partial<neptune.DBCluster> = {}): neptune.DBCluster {
  return {
    DBClusterIdentifier: 'graph-restored',
    DBClusterArn: TARGET_ARN,
    DbClusterResourceId: 'cluster-ABCDEFG',
    Engine: 'neptune',
    Status: status,
    Port: 8182,
    Endpoint: 'graph-restored.cluster-abc.us-east-1.neptune.amazonaws.com',
    ReaderEndpoint: 'graph-restored.cluster-ro-abc.us-east-1.neptune.amazonaws.com',
    ...overrides,
  };
}

function givenSource(cluster = source()) {
  neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'prod-graph' }).resolves({ DBClusters: [cluster] });
}
function givenTarget(cluster: neptune.DBCluster | undefined) {
  const stub = neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'graph-restored' });
  if (cluster) stub.resolves({ DBClusters: [cluster] });
  else stub.rejects(notFound('graph-restored'));
}

/** Tags of a cluster made by an earlier attempt of the same request, captured from a real first attempt. */
async function tagsOfFirstAttempt(props: Record<string, unknown> = baseProps): Promise<neptune.Tag[]> {
  givenSource();
  givenTarget(undefined);
  neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).resolves({});
  await onEvent(cfnEvent('Create', TYPE, props));
  const tags = neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)[0].args[0].input.Tags!;
  neptuneMock.reset();
  return tags;
}

beforeEach(() => {
  neptuneMock.reset();
  rdsMock.reset();
  kmsMock.reset();
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:x` });
  sfnMock.on(StopExecutionCommand).resolves({});
  process.env[STATE_MACHINE_ARN_ENV] = STATE_MACHINE_ARN;
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  delete process.env[STATE_MACHINE_ARN_ENV];
  jest.restoreAllMocks();
});

describe('Create', () => {
  test('checks the source, then restores at the latest restorable time with the ownership tags', async () => {
    givenSource();
    givenTarget(undefined);
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).resolves({ DBCluster: target('creating') });

    const answer = await onEvent(cfnEvent('Create', TYPE, { ...baseProps, Port: 8182, EnableIAMDatabaseAuthentication: true, Tags: [{ Key: 'team', Value: 'graph' }] }));

    expect(answer.PhysicalResourceId).toBe('graph-restored');
    expect(typeof answer.WaitStartedAt).toBe('number');
    const calls = neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input).toMatchObject({
      DBClusterIdentifier: 'graph-restored',
      SourceDBClusterIdentifier: 'prod-graph',
      RestoreType: 'full-copy',
      UseLatestRestorableTime: true,
      Port: 8182,
      EnableIAMDatabaseAuthentication: true,
    });
    expect(input.RestoreToTime).toBeUndefined();
    expect(input.Tags!.map((t) => t.Key)).toEqual(['team', OWNER_TAG_KEY, REQUEST_TAG_KEY, STACK_TAG_KEY]);
    // The stack's id, which the handler role's rights on the cluster are conditioned on.
    expect(input.Tags!.at(-1)!.Value).toBe(STACK_ID);
    expect(rdsMock.calls()).toHaveLength(0);

    // ...and starts the poller, named after the wait handle so a retry cannot start a second one.
    const [start] = sfnMock.commandCalls(StartExecutionCommand);
    expect(start.args[0].input).toMatchObject({ stateMachineArn: STATE_MACHINE_ARN, name: executionName(handleUrlFor(HANDLE)) });
    expect(JSON.parse(start.args[0].input.input!)).toMatchObject({
      ResourceType: TYPE, PhysicalResourceId: 'graph-restored', StartedAt: answer.WaitStartedAt, Polls: 0, done: false,
    });
  });

  test('a failed pre-flight starts no poller', async () => {
    neptuneMock.on(neptune.DescribeDBClustersCommand).rejects(notFound('x'));
    await expect(onEvent(cfnEvent('Create', TYPE, baseProps))).rejects.toThrow(/does not exist/);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('a restore time inside the window is passed as a timestamp', async () => {
    givenSource();
    givenTarget(undefined);
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).resolves({});
    await onEvent(cfnEvent('Create', TYPE, { ...baseProps, RestoreToTime: '2026-11-20T23:45:00.000Z' }));
    const input = neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)[0].args[0].input;
    expect(input.RestoreToTime).toEqual(new Date('2026-11-20T23:45:00Z'));
    expect(input.UseLatestRestorableTime).toBeUndefined();
  });

  test.each([
    ['before the earliest restorable time', '2026-11-01T00:00:00.000Z'],
    ['after the latest restorable time', '2026-11-21T23:59:00.000Z'],
  ])('a restore time %s fails before anything is created', async (_case, time) => {
    givenSource();
    givenTarget(undefined);
    await expect(onEvent(cfnEvent('Create', TYPE, { ...baseProps, RestoreToTime: time })))
      .rejects.toThrow(/outside the restorable window of "prod-graph" \(2026-11-14T00:00:00.000Z to 2026-11-21T23:55:00.000Z\)/);
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  test('a missing source fails with DBClusterNotFoundFault before anything is created', async () => {
    neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'prod-graph' }).rejects(notFound('prod-graph'));
    givenTarget(undefined);
    await expect(onEvent(cfnEvent('Create', TYPE, baseProps)))
      .rejects.toThrow('Source cluster "prod-graph" does not exist in this account and region (DBClusterNotFoundFault). Check sourceClusterIdentifier.');
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  test('a source of another engine is refused', async () => {
    givenSource(source({ Engine: 'aurora-mysql' }));
    givenTarget(undefined);
    await expect(onEvent(cfnEvent('Create', TYPE, baseProps))).rejects.toThrow(/runs engine "aurora-mysql", but the construct's engine is "neptune"/);
  });

  test('a key for an unencrypted source is refused with the API\'s reason', async () => {
    givenSource(source({ StorageEncrypted: false }));
    givenTarget(undefined);
    await expect(onEvent(cfnEvent('Create', TYPE, { ...baseProps, KmsKeyId: KEY_ARN })))
      .rejects.toThrow(/source "prod-graph" is not encrypted, and the API rejects a key for an unencrypted source/);
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  test.each(['Disabled', 'PendingDeletion'])('a key in state %s is refused', async (state) => {
    givenSource();
    givenTarget(undefined);
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KEY_ARN, KeyState: state as any } });
    await expect(onEvent(cfnEvent('Create', TYPE, { ...baseProps, KmsKeyId: KEY_ARN })))
      .rejects.toThrow(`KMS key ${KEY_ARN} given as storageEncryptionKey is ${state}; the restore needs an enabled key.`);
  });

  test('a key that cannot be described is refused with the service\'s error', async () => {
    givenSource();
    givenTarget(undefined);
    kmsMock.on(DescribeKeyCommand).rejects(new NotFoundException({ message: 'Key does not exist', $metadata: {} }));
    await expect(onEvent(cfnEvent('Create', TYPE, { ...baseProps, KmsKeyId: KEY_ARN }))).rejects.toThrow(/cannot be used: NotFoundException: Key does not exist/);
  });

  test('an enabled key is passed on', async () => {
    givenSource();
    givenTarget(undefined);
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KEY_ARN, KeyState: 'Enabled' } });
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).resolves({});
    await onEvent(cfnEvent('Create', TYPE, { ...baseProps, KmsKeyId: KEY_ARN }));
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)[0].args[0].input.KmsKeyId).toBe(KEY_ARN);
  });

  test('Aurora engines use the RDS client', async () => {
    rdsMock.on(rds.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders' })
      .resolves({ DBClusters: [{ ...source(), DBClusterIdentifier: 'orders', Engine: 'aurora-postgresql' } as rds.DBCluster] });
    rdsMock.on(rds.DescribeDBClustersCommand, { DBClusterIdentifier: 'orders-copy' }).rejects(rdsNotFound('orders-copy'));
    rdsMock.on(rds.RestoreDBClusterToPointInTimeCommand).resolves({});
    await onEvent(cfnEvent('Create', TYPE, { ...baseProps, Engine: 'aurora-postgresql', SourceDBClusterIdentifier: 'orders', DBClusterIdentifier: 'orders-copy', RestoreType: 'copy-on-write' }));
    expect(rdsMock.commandCalls(rds.RestoreDBClusterToPointInTimeCommand)[0].args[0].input).toMatchObject({ RestoreType: 'copy-on-write', UseLatestRestorableTime: true });
    expect(neptuneMock.calls()).toHaveLength(0);
  });

  test('a Neptune fast clone asks Neptune for copy-on-write at the latest restorable time', async () => {
    givenSource();
    givenTarget(undefined);
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).resolves({});
    await onEvent(cfnEvent('Create', TYPE, { ...baseProps, RestoreType: 'copy-on-write' }));
    const input = neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)[0].args[0].input;
    expect(input).toMatchObject({ RestoreType: 'copy-on-write', UseLatestRestorableTime: true });
    expect(input.RestoreToTime).toBeUndefined();
  });

  test('a failing restore call fails with the service\'s error and what was being restored', async () => {
    givenSource();
    givenTarget(undefined);
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).rejects(new neptune.DBSubnetGroupNotFoundFault({ message: 'DBSubnetGroup nope not found', $metadata: {} }));
    await expect(onEvent(cfnEvent('Create', TYPE, { ...baseProps, DBSubnetGroupName: 'nope' })))
      .rejects.toThrow('RestoreDBClusterToPointInTime of neptune cluster "graph-restored" from "prod-graph" at its latest restorable time failed: DBSubnetGroupNotFoundFault: DBSubnetGroup nope not found');
  });

  test('throttling that outlasts the SDK\'s retries fails the Create with the throttling error', async () => {
    givenSource();
    givenTarget(undefined);
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client' }));
    await expect(onEvent(cfnEvent('Create', TYPE, baseProps))).rejects.toThrow(/failed: Throttling: Rate exceeded/);
  });
});

describe('Create: adoption', () => {
  test('a cluster left by an earlier attempt of this same request is adopted, not restored again', async () => {
    const tags = await tagsOfFirstAttempt();
    givenTarget(target('creating'));
    neptuneMock.on(neptune.ListTagsForResourceCommand, { ResourceName: TARGET_ARN }).resolves({ TagList: tags });
    const answer = await onEvent(cfnEvent('Create', TYPE, baseProps));
    expect(answer.PhysicalResourceId).toBe('graph-restored');
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  test('an adopted cluster keeps the physical id its properties name, in whatever case RDS describes it', async () => {
    // An identifier through a CfnParameter keeps its capitals (the construct lowercases literals only); RDS stores it lowercase.
    const props = { ...baseProps, DBClusterIdentifier: 'Graph-Restored' };
    givenSource();
    neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'Graph-Restored' }).rejects(notFound('Graph-Restored'));
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).resolves({});
    await expect(onEvent(cfnEvent('Create', TYPE, props))).resolves.toMatchObject({ PhysicalResourceId: 'Graph-Restored' });
    const tags = neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)[0].args[0].input.Tags!;
    neptuneMock.reset();
    neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'Graph-Restored' }).resolves({ DBClusters: [target('creating')] });
    neptuneMock.on(neptune.ListTagsForResourceCommand, { ResourceName: TARGET_ARN }).resolves({ TagList: tags });
    const answer = await onEvent(cfnEvent('Create', TYPE, props));
    expect(answer.PhysicalResourceId).toBe('Graph-Restored');
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  test('a cluster of the same name owned by someone else is refused', async () => {
    givenTarget(target('available'));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [{ Key: 'team', Value: 'other' }] });
    await expect(onEvent(cfnEvent('Create', TYPE, baseProps)))
      .rejects.toThrow('A DB cluster named "graph-restored" already exists and was not created by this stack resource.');
  });

  test('a cluster of another stack resource is refused even with the library\'s tags', async () => {
    const tags = await tagsOfFirstAttempt();
    givenTarget(target('available'));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: tags });
    await expect(onEvent(cfnEvent('Create', TYPE, baseProps, { LogicalResourceId: 'SomeoneElse' }))).rejects.toThrow(/was not created by this stack resource/);
  });

  test('a fixed identifier with changed restore inputs is refused: the old cluster holds the name', async () => {
    const tags = await tagsOfFirstAttempt();
    givenTarget(target('available'));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: tags });
    await expect(onEvent(cfnEvent('Create', TYPE, { ...baseProps, RestoreToTime: '2026-11-20T00:00:00.000Z' })))
      .rejects.toThrow(/restored by this stack resource from different inputs.*clusterIdentifier "graph-restored" is fixed/);
  });

  test('DBClusterAlreadyExistsFault from a racing attempt of this request adopts the cluster', async () => {
    const tags = await tagsOfFirstAttempt();
    givenSource();
    neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'graph-restored' })
      .rejectsOnce(notFound('graph-restored'))
      .resolves({ DBClusters: [target('creating')] });
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).rejects(new neptune.DBClusterAlreadyExistsFault({ message: 'DB Cluster already exists', $metadata: {} }));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: tags });
    await expect(onEvent(cfnEvent('Create', TYPE, baseProps))).resolves.toMatchObject({ PhysicalResourceId: 'graph-restored' });
  });

  test('DBClusterAlreadyExistsFault for a stranger\'s cluster fails', async () => {
    givenSource();
    neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'graph-restored' })
      .rejectsOnce(notFound('graph-restored'))
      .resolves({ DBClusters: [target('available')] });
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).rejects(new neptune.DBClusterAlreadyExistsFault({ message: 'DB Cluster already exists', $metadata: {} }));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [] });
    await expect(onEvent(cfnEvent('Create', TYPE, baseProps))).rejects.toThrow(/already exists and was not created by this stack resource/);
  });
});

describe('polling after Create (one step of the state machine)', () => {
  const signals: WaitSignal[] = [];
  const published: RestoreFigures[] = [];
  const step = (now = Date.now(), startedAt = now) => pollStep(
    initialPollerState(TYPE, cfnEvent('Create', TYPE, baseProps).ResourceProperties, 'graph-restored', WAIT_HANDLE, startedAt, 'RestoreResource'),
    {
      now: () => now,
      kindOf: () => pointInTimeRestoredClusterHandler,
      signal: async (_url, signal) => { signals.push(signal); },
      publish: async (_r: unknown, f: RestoreFigures) => { published.push(f); },
    },
  );
  beforeEach(() => {
    signals.length = 0;
    // A cluster this version restored: it carries the stack tag, so the poller adds none.
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    neptuneMock.on(neptune.AddTagsToResourceCommand).resolves({});
  });

  test('available: signals SUCCESS once, with the restore\'s timing, and ends', async () => {
    givenTarget(target('available'));
    const startedAt = 1_764_400_000_000;
    const state = await step(startedAt + 90_000, startedAt);
    expect(state).toMatchObject({ done: true, Polls: 1, LastStatus: 'available' });
    expect(signals).toEqual([{ Status: 'SUCCESS', UniqueId: 'graph-restored', Data: JSON.stringify({ startedAt, seconds: 90 }), Reason: 'graph-restored is available after 1m30s' }]);
  });

  test.each(['creating', 'backing-up', 'modifying', 'migrating', 'resetting-master-credentials', 'upgrading'])('%s: looks again later, signals nothing', async (status) => {
    givenTarget(target(status));
    await expect(step()).resolves.toMatchObject({ done: false, waitSeconds: 20, LastStatus: status, Polls: 1 });
    expect(signals).toEqual([]);
  });

  test.each([...TERMINAL_FAILURE_STATES])('%s: signals FAILURE with the status and the service\'s last event message', async (status) => {
    givenTarget(target(status));
    neptuneMock.on(neptune.DescribeEventsCommand).resolves({ Events: [{ Message: 'Restored DB cluster' }, { Message: 'The restore failed: incompatible parameters' }] });
    await expect(step()).resolves.toMatchObject({ done: true });
    expect(signals).toEqual([expect.objectContaining({
      Status: 'FAILURE',
      Reason: `Restore of neptune cluster "graph-restored" from "prod-graph" at its latest restorable time failed: cluster status is "${status}": The restore failed: incompatible parameters`,
    })]);
  });

  test('incompatible-restore without readable events still fails with the status', async () => {
    givenTarget(target('incompatible-restore'));
    neptuneMock.on(neptune.DescribeEventsCommand).rejects(new Error('AccessDenied'));
    await step();
    expect(signals[0].Reason).toMatch(/cluster status is "incompatible-restore"$/);
  });

  test('throttling while polling is not a failure: the next look tries again', async () => {
    neptuneMock.on(neptune.DescribeDBClustersCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client' }));
    await expect(step()).resolves.toMatchObject({ done: false, LastStatus: 'unknown (Throttling)' });
    expect(signals).toEqual([]);
  });

  test('a cluster that disappears while waiting fails the restore', async () => {
    givenTarget(undefined);
    await step();
    expect(signals[0]).toMatchObject({ Status: 'FAILURE', Reason: expect.stringMatching(/disappeared while the restore was waiting/) });
  });
});

describe('isComplete', () => {
  test('after a Create it is complete at once: the wait condition holds the stack instead', async () => {
    const event = completeEvent(cfnEvent('Create', TYPE, baseProps), { PhysicalResourceId: 'graph-restored', WaitStartedAt: Date.now() });
    await expect(isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(neptuneMock.calls()).toHaveLength(0);
  });
});

describe('the attributes resource', () => {
  test('reads the restored cluster\'s attributes once the wait has ended, and the recovery time from the wait condition\'s data', async () => {
    givenTarget(target('available'));
    const answer = await onEvent(cfnEvent('Create', ATTRIBUTES_RESOURCE_TYPE, {
      RestoreResourceType: TYPE, RestoredId: 'graph-restored', Engine: baseProps.Engine, WaitData: JSON.stringify({ 'graph-restored': JSON.stringify({ startedAt: 1764400000000, seconds: 1742 }) }),
    }));
    expect(answer).toEqual({
      PhysicalResourceId: 'graph-restored',
      Data: {
        DBClusterIdentifier: 'graph-restored',
        DBClusterArn: TARGET_ARN,
        DbClusterResourceId: 'cluster-ABCDEFG',
        Endpoint: 'graph-restored.cluster-abc.us-east-1.neptune.amazonaws.com',
        ReaderEndpoint: 'graph-restored.cluster-ro-abc.us-east-1.neptune.amazonaws.com',
        Port: '8182',
        MasterUserSecretArn: '',
        RecoveryTime: '1742',
        RestoreStartedAt: '1764400000000',
      },
    });
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('fails clearly when the cluster is gone', async () => {
    givenTarget(undefined);
    await expect(onEvent(cfnEvent('Create', ATTRIBUTES_RESOURCE_TYPE, { RestoreResourceType: TYPE, RestoredId: 'graph-restored', Engine: baseProps.Engine })))
      .rejects.toThrow('DB cluster "graph-restored" does not exist, so its attributes cannot be read');
  });

  test('its delete touches nothing', async () => {
    await onEvent(cfnEvent('Delete', ATTRIBUTES_RESOURCE_TYPE, { RestoreResourceType: TYPE, RestoredId: 'graph-restored', Engine: baseProps.Engine }, { PhysicalResourceId: 'graph-restored' }));
    expect(neptuneMock.calls()).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe('Update', () => {
  test('a tag change keeps the cluster and syncs only the user\'s tags', async () => {
    givenTarget(target('available'));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    neptuneMock.on(neptune.AddTagsToResourceCommand).resolves({});
    neptuneMock.on(neptune.RemoveTagsFromResourceCommand).resolves({});
    const answer = await onEvent(cfnEvent('Update', TYPE,
      { ...baseProps, RemovalPolicy: 'destroy', Tags: [{ Key: 'team', Value: 'graph-2' }, { Key: 'new', Value: 'yes' }] },
      { PhysicalResourceId: 'graph-restored', OldResourceProperties: { ...baseProps, Tags: [{ Key: 'team', Value: 'graph' }, { Key: 'gone', Value: 'x' }] } }));
    expect(answer.PhysicalResourceId).toBe('graph-restored');
    expect(neptuneMock.commandCalls(neptune.RemoveTagsFromResourceCommand)[0].args[0].input).toEqual({ ResourceName: TARGET_ARN, TagKeys: ['gone'] });
    expect(neptuneMock.commandCalls(neptune.AddTagsToResourceCommand)[0].args[0].input).toEqual({
      ResourceName: TARGET_ARN, Tags: [{ Key: 'team', Value: 'graph-2' }, { Key: 'new', Value: 'yes' }],
    });
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
    expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('switching deletion protection off changes the cluster in place, so a delete can follow', async () => {
    givenTarget(target('available', { DeletionProtection: true }));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    neptuneMock.on(neptune.ModifyDBClusterCommand).resolves({});
    const answer = await onEvent(cfnEvent('Update', TYPE, { ...baseProps, DeletionProtection: false },
      { PhysicalResourceId: 'graph-restored', OldResourceProperties: { ...baseProps, DeletionProtection: true } }));
    expect(answer.PhysicalResourceId).toBe('graph-restored');
    expect(neptuneMock.commandCalls(neptune.ModifyDBClusterCommand)[0].args[0].input).toEqual({ DBClusterIdentifier: 'graph-restored', DeletionProtection: false, ApplyImmediately: true });
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
  });

  test('a validation added to the restore (Validated) changes nothing on the cluster and starts no polling', async () => {
    givenTarget(target('available'));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, STACK_TAG] });
    const answer = await onEvent(cfnEvent('Update', TYPE, { ...baseProps, Validated: true }, { PhysicalResourceId: 'graph-restored', OldResourceProperties: baseProps }));
    expect(answer.PhysicalResourceId).toBe('graph-restored');
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)).toHaveLength(0);
    expect(neptuneMock.commandCalls(neptune.ModifyDBClusterCommand)).toHaveLength(0);
    expect(neptuneMock.commandCalls(neptune.AddTagsToResourceCommand)).toHaveLength(0);
    expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('an update of a cluster that no longer exists fails and says so', async () => {
    givenTarget(undefined);
    await expect(onEvent(cfnEvent('Update', TYPE, { ...baseProps, RemovalPolicy: 'retain' }, { PhysicalResourceId: 'graph-restored', OldResourceProperties: baseProps })))
      .rejects.toThrow('DB cluster "graph-restored" no longer exists; it cannot be updated in place.');
  });

  test('an in-place update of a cluster another stack resource made is refused, and changes nothing on it', async () => {
    givenTarget(target('available'));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [{ Key: OWNER_TAG_KEY, Value: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Other/1|Other' }, STACK_TAG] });
    await expect(onEvent(cfnEvent('Update', TYPE, { ...baseProps, DeletionProtection: true, Tags: [{ Key: 'team', Value: 'graph' }] },
      { PhysicalResourceId: 'graph-restored', OldResourceProperties: baseProps })))
      .rejects.toThrow(/^DB cluster "graph-restored" was not made by this stack resource \(its cdk-restore-constructs:owner tag is "arn:aws:cloudformation:.*Other"\), so this update does not change it/);
    expect(neptuneMock.commandCalls(neptune.ModifyDBClusterCommand)).toHaveLength(0);
    expect(neptuneMock.commandCalls(neptune.AddTagsToResourceCommand)).toHaveLength(0);
    expect(neptuneMock.commandCalls(neptune.RemoveTagsFromResourceCommand)).toHaveLength(0);
  });

  test('a change of restore input with a new restoreGeneration restores a new cluster under a new physical id and deletes nothing', async () => {
    neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'graph-restored-2' }).rejects(notFound('graph-restored-2'));
    givenSource();
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).resolves({});
    const answer = await onEvent(cfnEvent('Update', TYPE,
      { ...baseProps, DBClusterIdentifier: 'graph-restored-2', RestoreToTime: '2026-11-20T00:00:00.000Z', RestoreGeneration: 1, WaitHandle: `${HANDLE}2` },
      { PhysicalResourceId: 'graph-restored', OldResourceProperties: baseProps }));
    expect(answer.PhysicalResourceId).toBe('graph-restored-2');
    expect(neptuneMock.commandCalls(neptune.RestoreDBClusterToPointInTimeCommand)[0].args[0].input.DBClusterIdentifier).toBe('graph-restored-2');
    expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)).toHaveLength(0);
  });
});

describe('Delete', () => {
  const deleteEvent = (props: Record<string, unknown> = baseProps) => cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'graph-restored' });
  beforeEach(() => {
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG] });
  });

  test('SNAPSHOT: deletes with a final snapshot, then waits until the cluster is gone', async () => {
    neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'graph-restored' })
      .resolvesOnce({ DBClusters: [target('available')] })
      .resolvesOnce({ DBClusters: [target('deleting')] })
      .rejects(notFound('graph-restored'));
    neptuneMock.on(neptune.DeleteDBClusterCommand).resolves({});
    const event = deleteEvent();
    const answer = await onEvent(event);
    const input = neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)[0].args[0].input;
    expect(input).toMatchObject({ DBClusterIdentifier: 'graph-restored', SkipFinalSnapshot: false });
    expect(input.FinalDBSnapshotIdentifier).toMatch(/^graph-restored-final-\d{8}t\d{6}$/);
    await expect(isComplete(completeEvent(event, answer))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(completeEvent(event, answer))).resolves.toEqual({ IsComplete: true });
    expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)).toHaveLength(1);
  });

  test('stops the poller of this restore first, so no execution is left running', async () => {
    givenTarget(undefined);
    await onEvent(deleteEvent());
    expect(sfnMock.commandCalls(StopExecutionCommand)[0].args[0].input).toMatchObject({
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:Poller:${executionName(handleUrlFor(HANDLE))}`,
    });
  });

  test('a poller that is already gone is fine', async () => {
    givenTarget(undefined);
    sfnMock.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution does not exist', $metadata: {} }));
    await expect(onEvent(deleteEvent())).resolves.toMatchObject({ PhysicalResourceId: 'graph-restored' });
  });

  test('DESTROY: deletes without a final snapshot', async () => {
    givenTarget(target('available'));
    neptuneMock.on(neptune.DeleteDBClusterCommand).resolves({});
    await onEvent(deleteEvent({ ...baseProps, RemovalPolicy: 'destroy' }));
    expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)[0].args[0].input).toEqual({ DBClusterIdentifier: 'graph-restored', SkipFinalSnapshot: true, FinalDBSnapshotIdentifier: undefined });
  });

  test('RETAIN: leaves the cluster and makes no call', async () => {
    const event = deleteEvent({ ...baseProps, RemovalPolicy: 'retain' });
    const answer = await onEvent(event);
    await expect(isComplete(completeEvent(event, answer))).resolves.toEqual({ IsComplete: true });
    expect(neptuneMock.calls()).toHaveLength(0);
  });

  test('a cluster that is already gone is a successful delete', async () => {
    givenTarget(undefined);
    const event = deleteEvent();
    const answer = await onEvent(event);
    await expect(isComplete(completeEvent(event, answer))).resolves.toEqual({ IsComplete: true });
    expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)).toHaveLength(0);
  });

  test('DBClusterNotFoundFault from the delete call itself is success', async () => {
    givenTarget(target('available'));
    neptuneMock.on(neptune.DeleteDBClusterCommand).rejects(notFound('graph-restored'));
    const event = deleteEvent();
    await expect(onEvent(event)).resolves.toMatchObject({ PhysicalResourceId: 'graph-restored' });
  });

  test('after a failed create (incompatible-restore) the cluster is deleted without a snapshot it could not take', async () => {
    givenTarget(target('incompatible-restore'));
    neptuneMock.on(neptune.DeleteDBClusterCommand).resolves({});
    await onEvent(deleteEvent());
    expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)[0].args[0].input).toMatchObject({ SkipFinalSnapshot: true });
  });

  test('a cluster still being created is deleted once it can be: the delete waits for it', async () => {
    neptuneMock.on(neptune.DescribeDBClustersCommand, { DBClusterIdentifier: 'graph-restored' })
      .resolvesOnce({ DBClusters: [target('creating')] })
      .resolves({ DBClusters: [target('available')] });
    neptuneMock.on(neptune.DeleteDBClusterCommand)
      .rejectsOnce(new neptune.InvalidDBClusterStateFault({ message: 'DBCluster is not in available state', $metadata: {} }))
      .resolves({});
    const event = deleteEvent();
    const answer = await onEvent(event);
    await expect(isComplete(completeEvent(event, answer))).resolves.toEqual({ IsComplete: false });
    expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)).toHaveLength(2);
  });

  // Issue 13, row 1: a Delete used to be bounded by the restore's own timeout, so a rollback after a
  // 10-minute restore timed out could not wait out a cluster still being created.
  test('a delete waits up to the provider framework\'s hour whatever the restore\'s timeout, then says what to do', async () => {
    givenTarget(target('creating'));
    neptuneMock.on(neptune.DeleteDBClusterCommand).rejects(new neptune.InvalidDBClusterStateFault({ message: 'DBCluster is not in available state', $metadata: {} }));
    const event = cfnEvent('Delete', TYPE, { ...baseProps, TimeoutSeconds: 600 }, { PhysicalResourceId: 'graph-restored' });
    const answer = await onEvent(event);
    const after = (minutes: number) => completeEvent(event, { ...answer, WaitStartedAt: Date.now() - minutes * 60_000 });
    await expect(isComplete(after(15))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(after(59.8))).rejects.toThrow(
      /^Timed out: Delete of graph-restored did not finish within 1h \(waited 59m48s; last status "creating"\)\. A restore cannot be cancelled.*wait until graph-restored has left status "creating".*continue-update-rollback/);
  });

  // Issue 13, row 7: a delete used to delete whatever cluster its physical id named.
  test('a cluster without this stack resource\'s owner tag is left alone, and the delete says so', async () => {
    givenTarget(target('available'));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [{ Key: OWNER_TAG_KEY, Value: 'another-stack-resource' }] });
    const lines: string[] = [];
    (console.log as jest.Mock).mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
    const event = deleteEvent();
    const answer = await onEvent(event);
    await expect(isComplete(completeEvent(event, answer))).resolves.toEqual({ IsComplete: true });
    expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)).toEqual([]);
    expect(lines.join('\n')).toContain('DB cluster "graph-restored" was not restored by this stack resource');
  });

  // Issue 13, row 5: a cluster restored fine that later fell into a terminal state used to be deleted
  // without a final snapshot, like a restore that never became available.
  test.each(['inaccessible-encryption-credentials', 'incompatible-parameters'])(
    'SNAPSHOT: a restored cluster now %s still gets its final snapshot', async (status) => {
      givenTarget(target(status));
      neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, { Key: RESTORED_TAG_KEY, Value: '2026-11-20T00:00:00Z' }] });
      neptuneMock.on(neptune.DeleteDBClusterCommand).resolves({});
      await onEvent(deleteEvent());
      expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)[0].args[0].input).toMatchObject({
        SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: expect.stringMatching(/^graph-restored-final-/),
      });
    });

  test('SNAPSHOT: when RDS refuses the final snapshot of a restored cluster, the delete fails rather than delete without one', async () => {
    givenTarget(target('inaccessible-encryption-credentials'));
    neptuneMock.on(neptune.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG, { Key: RESTORED_TAG_KEY, Value: '2026-11-20T00:00:00Z' }] });
    neptuneMock.on(neptune.DeleteDBClusterCommand).rejects(new neptune.InvalidDBClusterStateFault({ message: 'Cannot create a snapshot: the KMS key is not accessible', $metadata: {} }));
    await expect(onEvent(deleteEvent())).rejects.toThrow(
      /^DeleteDBCluster of "graph-restored" failed: InvalidDBClusterStateFault: Cannot create a snapshot.* It held restored data, so it is not deleted without the final snapshot "graph-restored-final-/);
    expect(neptuneMock.commandCalls(neptune.DeleteDBClusterCommand)).toHaveLength(1);
  });

  test('a final snapshot name already taken is replaced by another, not given up', async () => {
    givenTarget(target('available'));
    neptuneMock.on(neptune.DeleteDBClusterCommand)
      .rejectsOnce(new neptune.DBClusterSnapshotAlreadyExistsFault({ message: 'Cannot create the snapshot because a snapshot with the identifier already exists.', $metadata: {} }))
      .resolves({});
    await onEvent(deleteEvent());
    const names = neptuneMock.commandCalls(neptune.DeleteDBClusterCommand).map((c) => c.args[0].input.FinalDBSnapshotIdentifier);
    expect(names).toEqual([expect.stringMatching(/^graph-restored-final-\d{8}t\d{6}$/), expect.stringMatching(/^graph-restored-final-\d{8}t\d{6}-[0-9a-f]{4}$/)]);
  });

  test('a refused delete (deletion protection) fails with the service\'s message', async () => {
    givenTarget(target('available'));
    neptuneMock.on(neptune.DeleteDBClusterCommand).rejects(new neptune.NeptuneServiceException({ name: 'InvalidParameterCombination', $fault: 'client', message: 'Cannot delete protected Cluster, please disable deletion protection and try again.', $metadata: {} }));
    await expect(onEvent(deleteEvent())).rejects.toThrow('DeleteDBCluster of "graph-restored" failed: InvalidParameterCombination: Cannot delete protected Cluster');
  });
});

describe('logging', () => {
  test('the presigned ResponseURL never reaches a log line', async () => {
    givenTarget(undefined);
    const lines: string[] = [];
    (console.log as jest.Mock).mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
    await onEvent(cfnEvent('Delete', TYPE, baseProps, { PhysicalResourceId: 'graph-restored' }));
    expect(lines.join('\n')).toContain('(masked)');
    expect(lines.join('\n')).not.toContain('X-Amz-Signature');
  });
});

describe('a restore that has started when its polling cannot', () => {
  // The wait condition handle, played by a server on 127.0.0.1 that records the signals it is sent;
  // CloudFormation, which tells the handler the handle's URL, by aws-sdk-client-mock.
  let signals: WaitSignal[] = [];
  let status = 200;
  let server: http.Server;
  let handle: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        if (req.method === 'PUT') signals.push(JSON.parse(body));
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    handle = `http://127.0.0.1:${(server.address() as AddressInfo).port}/handle?X-Amz-Signature=s`;
    cfnMock.on(DescribeStackResourceCommand, { StackName: STACK_ID, LogicalResourceId: HANDLE })
      .resolves({ StackResourceDetail: { PhysicalResourceId: handle } } as any);
  });
  afterAll(() => {
    server.close();
    cfnMock.on(DescribeStackResourceCommand, { StackName: STACK_ID, LogicalResourceId: HANDLE })
      .resolves({ StackResourceDetail: { PhysicalResourceId: handleUrlFor(HANDLE) } } as any);
  });
  beforeEach(() => {
    signals = [];
    status = 200;
    givenSource();
    givenTarget(undefined);
    neptuneMock.on(neptune.RestoreDBClusterToPointInTimeCommand).resolves({ DBCluster: target('creating') });
    sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error('not authorized to perform: states:StartExecution'), { name: 'AccessDeniedException' }));
  });

  // Were the Create to fail, the provider framework would answer with its marker id, CloudFormation's
  // Delete would never reach the handler, and the restored cluster would be left running.
  test('keeps the cluster\'s real id and tells the wait condition FAILURE, so the rollback deletes it', async () => {
    const answer = await onEvent(cfnEvent('Create', TYPE, baseProps));
    expect(answer.PhysicalResourceId).toBe('graph-restored');
    expect(signals).toEqual([expect.objectContaining({
      Status: 'FAILURE',
      UniqueId: 'graph-restored',
      Reason: expect.stringMatching(/^The restore of graph-restored started, but its polling could not: AccessDeniedException: not authorized.*; the rollback deletes graph-restored according to its removal policy/),
    })]);
  });

  test('when the wait condition cannot be told either, the failure names the started cluster', async () => {
    status = 403;
    await expect(onEvent(cfnEvent('Create', TYPE, baseProps)))
      .rejects.toThrow(/^The restore of graph-restored started, but its polling could not: AccessDeniedException.*, nor could the wait condition be told \(Signalling the wait condition failed with HTTP 403\. The wait condition did not take the signal.*\)\. Delete graph-restored yourself/);
  });
});

describe('requests against the official API models', () => {
  const models = { neptune: loadApiModel('neptune'), rds: loadApiModel('rds') };
  const available = models.neptune !== undefined && models.rds !== undefined;
  if (!available && IN_CI) throw new Error('botocore\'s API models are not installed; CI needs them (python3 -m pip show botocore)');
  const maybe = available ? test : test.skip;

  maybe.each([
    ['neptune', neptuneMock, neptune, { ...baseProps, RestoreToTime: '2026-11-20T23:45:00.000Z', Port: 8182, DBSubnetGroupName: 'subnets', VpcSecurityGroupIds: ['sg-1'], KmsKeyId: KEY_ARN, EnableIAMDatabaseAuthentication: true, DeletionProtection: false, DBClusterParameterGroupName: 'pg', Tags: [{ Key: 'a', Value: 'b' }] }],
    ['neptune', neptuneMock, neptune, { ...baseProps, RestoreType: 'copy-on-write' }],
    ['rds', rdsMock, rds, { ...baseProps, Engine: 'aurora-mysql', Port: 3306, RestoreType: 'copy-on-write', OptionGroupName: 'og' }],
  ] as const)('%s: RestoreDBClusterToPointInTime, DescribeDBClusters and DeleteDBCluster conform', async (service, mock, sdk, props) => {
    const model = models[service]!;
    const m = mock as any;
    const s = sdk as any;
    m.on(s.DescribeDBClustersCommand, { DBClusterIdentifier: 'prod-graph' }).resolves({ DBClusters: [source({ Engine: props.Engine })] });
    m.on(s.DescribeDBClustersCommand, { DBClusterIdentifier: 'graph-restored' }).rejects(notFound('graph-restored'));
    m.on(s.RestoreDBClusterToPointInTimeCommand).resolves({});
    kmsMock.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: KEY_ARN, KeyState: 'Enabled' } });
    await onEvent(cfnEvent('Create', TYPE, props));
    m.on(s.DescribeDBClustersCommand, { DBClusterIdentifier: 'graph-restored' }).resolves({ DBClusters: [target('available')] });
    m.on(s.ListTagsForResourceCommand).resolves({ TagList: [OWNER_TAG] });
    m.on(s.DeleteDBClusterCommand).resolves({});
    await onEvent(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'graph-restored' }));

    const checked = [
      ['RestoreDBClusterToPointInTime', m.commandCalls(s.RestoreDBClusterToPointInTimeCommand)],
      ['DescribeDBClusters', m.commandCalls(s.DescribeDBClustersCommand)],
      ['DeleteDBCluster', m.commandCalls(s.DeleteDBClusterCommand)],
      ['ListTagsForResource', m.commandCalls(s.ListTagsForResourceCommand)],
    ] as const;
    for (const [operation, calls] of checked) {
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) expect(inputProblems(model, operation, call.args[0].input)).toEqual([]);
    }
  });

  maybe('the final snapshot identifier is a valid snapshot identifier even for a 63-character cluster', () => {
    const id = finalSnapshotIdentifier('a'.repeat(63), new Date('2026-11-22T02:33:12Z'));
    expect(id).toBe(`${'a'.repeat(63)}-final-20261122t023312`);
    expect(id.length).toBeLessThanOrEqual(255);
  });
});
