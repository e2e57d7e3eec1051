import * as elastic from '@aws-sdk/client-docdb-elastic';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { inputProblems, IN_CI, loadApiModel } from './support/api-model';
import { cfnEvent, OWNER_TAG, STACK_ID, STACK_TAG, WAIT_HANDLE } from './support/events';
import { mockWaitHandleLookup } from './support/wait-handle';
import { copiedElasticSnapshotHandler, FAILED_SNAPSHOT_STATES } from '../lambda/copied-elastic-snapshot/handler';
import { onEvent } from '../lambda/index';
import type { RestoreFigures } from '../lambda/shared/metrics';
import { initialPollerState, pollStep } from '../lambda/shared/polling';
import type { WaitSignal } from '../lambda/shared/signal';
import { ATTRIBUTES_RESOURCE_TYPE, OWNER_TAG_KEY, REQUEST_TAG_KEY, STACK_TAG_KEY, STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';

// aws-sdk-client-mock stands in for DocumentDB Elastic: moto_server does not implement it, so no
// emulator can play this API. Requests are checked against the official API model instead.
const mock = mockClient(elastic.DocDBElasticClient);
const sfnMock = mockClient(SFNClient);
mockWaitHandleLookup();
const TYPE = 'Custom::CopiedElasticSnapshot';
const SOURCE = 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/src111';
const COPY = 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/cpy222';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/k1';
const props = {
  SourceSnapshotArn: SOURCE,
  TargetSnapshotName: 'orders-2026-11-20',
  CopyTags: false,
  Tags: { team: 'orders' },
  RemovalPolicy: 'retain',
  TimeoutSeconds: 10800,
  WaitHandle: 'RestoreWaitHandle1A2B3C4D',
};
const meta = { $metadata: {} };
const err = (name: string, message = name) => Object.assign(new elastic.DocDBElasticServiceException({ name, $fault: name === 'InternalServerException' ? 'server' : 'client', message, ...meta }));
const snapshot = (arn: string, status: string, extra: Partial<elastic.ClusterSnapshot> = {}): elastic.ClusterSnapshot => ({
  snapshotArn: arn,
  snapshotName: arn === COPY ? 'orders-2026-11-20' : 'nightly',
  status: status as elastic.Status,
  clusterArn: 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster/c1',
  snapshotCreationTime: '2026-11-20T01:00:00Z',
  clusterCreationTime: '2026-01-01T00:00:00Z',
  kmsKeyId: 'AWS_OWNED_KMS_KEY',
  adminUserName: 'docdbadmin',
  subnetIds: ['subnet-1', 'subnet-2'],
  vpcSecurityGroupIds: ['sg-1'],
  snapshotType: 'MANUAL',
  ...extra,
});

beforeEach(() => {
  mock.reset();
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({});
  process.env[STATE_MACHINE_ARN_ENV] = 'arn:aws:states:us-east-1:123456789012:stateMachine:Poller';
  process.env.AWS_REGION = 'us-east-1';
  mock.on(elastic.ListClusterSnapshotsCommand).resolves({ snapshots: [] });
  mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: SOURCE }).resolves({ snapshot: snapshot(SOURCE, 'ACTIVE') });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('Create', () => {
  test('checks the source, copies with the ownership tags, starts polling; the copy\'s ARN is the physical id', async () => {
    mock.on(elastic.CopyClusterSnapshotCommand).resolves({ snapshot: snapshot(COPY, 'COPYING') });
    const answer = await onEvent(cfnEvent('Create', TYPE, { ...props, KmsKeyId: KEY }));
    expect(answer.PhysicalResourceId).toBe(COPY);
    const input = mock.commandCalls(elastic.CopyClusterSnapshotCommand)[0].args[0].input;
    expect(input).toMatchObject({ snapshotArn: SOURCE, targetSnapshotName: 'orders-2026-11-20', copyTags: false, kmsKeyId: KEY });
    expect(Object.keys(input.tags!)).toEqual(['team', OWNER_TAG_KEY, REQUEST_TAG_KEY, STACK_TAG_KEY]);
    expect(input.tags![STACK_TAG_KEY]).toBe(STACK_ID);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  test('a missing source fails before the copy', async () => {
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: SOURCE }).rejects(err('ResourceNotFoundException', 'Snapshot not found'));
    await expect(onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(`Source snapshot ${SOURCE} does not exist, or this account cannot see it`);
    expect(mock.commandCalls(elastic.CopyClusterSnapshotCommand)).toHaveLength(0);
  });

  test('a key for an unencrypted source is refused with the API\'s reason', async () => {
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: SOURCE }).resolves({ snapshot: snapshot(SOURCE, 'ACTIVE', { kmsKeyId: undefined }) });
    await expect(onEvent(cfnEvent('Create', TYPE, { ...props, KmsKeyId: KEY })))
      .rejects.toThrow('the source snapshot is not encrypted, and the API returns an error for a key given with an unencrypted snapshot. Remove kmsKey.');
    expect(mock.commandCalls(elastic.CopyClusterSnapshotCommand)).toHaveLength(0);
  });

  test('an encrypted source from another region without a key is refused', async () => {
    process.env.AWS_REGION = 'eu-west-1';
    await expect(onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(/from us-east-1 to eu-west-1 needs a KMS key in eu-west-1/);
  });

  test.each([
    ['AccessDeniedException', /not allowed to do this/],
    ['ServiceQuotaExceededException', /snapshot quota is reached/],
    ['ValidationException', /the service refused the request/],
    ['ResourceNotFoundException', /it does not exist/],
  ])('%s maps to a clear failure', async (name, message) => {
    mock.on(elastic.CopyClusterSnapshotCommand).rejects(err(name, 'detail from the service'));
    await expect(onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(message);
    await expect(onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(`(${name}: detail from the service)`);
  });

  test.each(['ThrottlingException', 'InternalServerException'])('%s is retried with a bound, then fails', async (name) => {
    jest.useFakeTimers();
    mock.on(elastic.CopyClusterSnapshotCommand).rejectsOnce(err(name)).resolves({ snapshot: snapshot(COPY, 'COPYING') });
    const ok = onEvent(cfnEvent('Create', TYPE, props));
    await jest.runAllTimersAsync();
    await expect(ok).resolves.toMatchObject({ PhysicalResourceId: COPY });

    mock.on(elastic.CopyClusterSnapshotCommand).rejects(err(name));
    const failing = onEvent(cfnEvent('Create', TYPE, props));
    const outcome = expect(failing).rejects.toThrow(name === 'ThrottlingException' ? /kept throttling/ : /kept failing/);
    await jest.runAllTimersAsync();
    await outcome;
  });

  test('409 for a name this resource already copied to (a retry) adopts it; for a stranger\'s snapshot it fails', async () => {
    mock.on(elastic.CopyClusterSnapshotCommand).resolves({ snapshot: snapshot(COPY, 'COPYING') });
    await onEvent(cfnEvent('Create', TYPE, props));
    const tags = mock.commandCalls(elastic.CopyClusterSnapshotCommand)[0].args[0].input.tags!;

    mock.on(elastic.CopyClusterSnapshotCommand).rejects(err('ConflictException', 'A snapshot with this name already exists'));
    mock.on(elastic.ListClusterSnapshotsCommand).resolvesOnce({ snapshots: [] }).resolves({ snapshots: [{ snapshotArn: COPY, snapshotName: 'orders-2026-11-20' } as any] });
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: COPY }).resolves({ snapshot: snapshot(COPY, 'COPYING') });
    mock.on(elastic.ListTagsForResourceCommand).resolvesOnce({ tags }).resolves({ tags: { owner: 'someone' } });
    await expect(onEvent(cfnEvent('Create', TYPE, props))).resolves.toMatchObject({ PhysicalResourceId: COPY });
    await expect(onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow('A cluster snapshot named "orders-2026-11-20" already exists and was not made by this stack resource.');
  });
});

describe('waiting', () => {
  const signals: WaitSignal[] = [];
  const published: RestoreFigures[] = [];
  const step = () => pollStep(initialPollerState(TYPE, cfnEvent('Create', TYPE, props).ResourceProperties, COPY, WAIT_HANDLE, Date.now(), 'RestoreResource'),
    {
      now: Date.now,
      kindOf: () => copiedElasticSnapshotHandler,
      signal: async (_u, s) => { signals.push(s); },
      publish: async (_r: unknown, f: RestoreFigures) => { published.push(f); },
    });
  beforeEach(() => { signals.length = 0; });

  test.each(['CREATING', 'COPYING', 'UPDATING'])('%s: keeps waiting', async (status) => {
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: COPY }).resolves({ snapshot: snapshot(COPY, status) });
    await expect(step()).resolves.toMatchObject({ done: false, LastStatus: status });
  });

  test('ACTIVE: SUCCESS', async () => {
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: COPY }).resolves({ snapshot: snapshot(COPY, 'ACTIVE') });
    await step();
    expect(signals.map((s) => s.Status)).toEqual(['SUCCESS']);
  });

  test.each([...FAILED_SNAPSHOT_STATES])('%s fails at once with the status', async (status) => {
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: COPY }).resolves({ snapshot: snapshot(COPY, status) });
    await step();
    expect(signals).toEqual([expect.objectContaining({ Status: 'FAILURE', Reason: `Copy of ${SOURCE} to "orders-2026-11-20" failed: snapshot status is ${status}` })]);
  });

  test('the attributes, with lists joined by commas', async () => {
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: COPY }).resolves({ snapshot: snapshot(COPY, 'ACTIVE') });
    const answer = await onEvent(cfnEvent('Create', ATTRIBUTES_RESOURCE_TYPE, { RestoreResourceType: TYPE, RestoredId: COPY }));
    expect(answer.Data).toEqual({
      // No wait data here: nothing measured.
      RecoveryTime: '0',
      RestoreStartedAt: '',
      SnapshotArn: COPY,
      SnapshotName: 'orders-2026-11-20',
      ClusterArn: 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster/c1',
      SnapshotCreationTime: '2026-11-20T01:00:00Z',
      SnapshotType: 'MANUAL',
      KmsKeyId: 'AWS_OWNED_KMS_KEY',
      AdminUserName: 'docdbadmin',
      SubnetIds: 'subnet-1,subnet-2',
      VpcSecurityGroupIds: 'sg-1',
    });
  });
});

describe('Update and Delete', () => {
  test('a tag change re-tags the copy in place', async () => {
    const tags = { [OWNER_TAG.Key]: OWNER_TAG.Value, [STACK_TAG.Key]: STACK_TAG.Value };
    mock.on(elastic.ListTagsForResourceCommand, { resourceArn: COPY }).resolves({ tags });
    mock.on(elastic.TagResourceCommand).resolves({});
    mock.on(elastic.UntagResourceCommand).resolves({});
    const answer = await onEvent(cfnEvent('Update', TYPE, { ...props, Tags: { team: 'payments' } },
      { PhysicalResourceId: COPY, OldResourceProperties: { ...props, Tags: { team: 'orders', old: 'x' } } }));
    expect(answer.PhysicalResourceId).toBe(COPY);
    expect(mock.commandCalls(elastic.UntagResourceCommand)[0].args[0].input).toEqual({ resourceArn: COPY, tagKeys: ['old'] });
    expect(mock.commandCalls(elastic.TagResourceCommand)[0].args[0].input).toEqual({ resourceArn: COPY, tags: { team: 'payments' } });
    expect(mock.commandCalls(elastic.CopyClusterSnapshotCommand)).toHaveLength(0);
  });

  test('RETAIN keeps the copy and makes no call', async () => {
    mock.reset();
    await onEvent(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: COPY }));
    expect(mock.calls()).toHaveLength(0);
  });

  test('DESTROY deletes the copy and waits until it is gone; a copy an earlier version made gets the stack tag first', async () => {
    // An earlier version's copy: the owner tag, not the stack tag the role's right to delete is conditioned on.
    mock.on(elastic.ListTagsForResourceCommand, { resourceArn: COPY }).resolves({ tags: { [OWNER_TAG.Key]: OWNER_TAG.Value } });
    mock.on(elastic.TagResourceCommand).resolves({});
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: COPY })
      .resolvesOnce({ snapshot: snapshot(COPY, 'ACTIVE') })
      .resolvesOnce({ snapshot: snapshot(COPY, 'DELETING') })
      .rejects(err('ResourceNotFoundException'));
    mock.on(elastic.DeleteClusterSnapshotCommand).resolves({});
    const event = cfnEvent('Delete', TYPE, { ...props, RemovalPolicy: 'destroy' }, { PhysicalResourceId: COPY });
    await onEvent(event);
    expect(mock.commandCalls(elastic.DeleteClusterSnapshotCommand)[0].args[0].input).toEqual({ snapshotArn: COPY });
    const changes = mock.calls().map((c) => c.args[0])
      .filter((c) => c instanceof elastic.TagResourceCommand || c instanceof elastic.DeleteClusterSnapshotCommand);
    expect(changes.map((c) => [c.constructor.name, c.input])).toEqual([
      ['TagResourceCommand', { resourceArn: COPY, tags: { [STACK_TAG.Key]: STACK_TAG.Value } }],
      ['DeleteClusterSnapshotCommand', { snapshotArn: COPY }],
    ]);
    await expect(copiedElasticSnapshotHandler.poll(event as any)).resolves.toEqual({ done: false, status: 'DELETING' });
    await expect(copiedElasticSnapshotHandler.poll(event as any)).resolves.toEqual({ done: true, status: 'deleted' });
  });

  // Issue 13, row 7: a physical id can name a snapshot this resource did not make (an id edited by hand, an
  // old stack's resource); DESTROY is for the copy it made.
  test('a snapshot without this stack resource\'s owner tag is left alone, and the log says why', async () => {
    const lines: string[] = [];
    (console.log as jest.Mock).mockImplementation((...args: unknown[]) => { lines.push(args.join(' ')); });
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: COPY }).resolves({ snapshot: snapshot(COPY, 'ACTIVE') });
    mock.on(elastic.ListTagsForResourceCommand, { resourceArn: COPY }).resolves({ tags: { [OWNER_TAG.Key]: 'another-stack-resource' } });
    const event = cfnEvent('Delete', TYPE, { ...props, RemovalPolicy: 'destroy' }, { PhysicalResourceId: COPY });
    await onEvent(event);
    await expect(copiedElasticSnapshotHandler.poll(event as any)).resolves.toEqual({ done: true, status: 'left alone: not this stack resource\'s' });
    expect(mock.commandCalls(elastic.DeleteClusterSnapshotCommand)).toHaveLength(0);
    expect(lines.join('\n')).toContain(`Snapshot ${COPY} was not copied by this stack resource`);
  });

  // Issue 13, row 3 for this kind: an Update with other inputs makes a new copy; its rollback Update sends the
  // old inputs back, which must find the first copy (CloudFormation deletes it only after a successful update).
  test('a rollback Update adopts the first copy: no third copy, and the physical id goes back to it', async () => {
    const NEW = 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/new333';
    const moved = { ...props, TargetSnapshotName: 'orders-2026-11-21', RestoreGeneration: 1, WaitHandle: `${props.WaitHandle}2` };
    mock.on(elastic.CopyClusterSnapshotCommand).resolvesOnce({ snapshot: snapshot(COPY, 'COPYING') }).resolves({ snapshot: snapshot(NEW, 'COPYING') });
    expect((await onEvent(cfnEvent('Create', TYPE, props))).PhysicalResourceId).toBe(COPY);
    const firstTags = mock.commandCalls(elastic.CopyClusterSnapshotCommand)[0].args[0].input.tags!;
    const update = await onEvent(cfnEvent('Update', TYPE, moved, { PhysicalResourceId: COPY, OldResourceProperties: props }));
    expect(update.PhysicalResourceId).toBe(NEW);

    mock.on(elastic.ListClusterSnapshotsCommand).resolves({ snapshots: [{ snapshotArn: COPY, snapshotName: 'orders-2026-11-20' } as any] });
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: COPY }).resolves({ snapshot: snapshot(COPY, 'ACTIVE') });
    mock.on(elastic.ListTagsForResourceCommand, { resourceArn: COPY }).resolves({ tags: firstTags });
    const rollback = await onEvent(cfnEvent('Update', TYPE, props, { PhysicalResourceId: NEW, OldResourceProperties: moved }));
    expect(rollback.PhysicalResourceId).toBe(COPY);
    expect(mock.commandCalls(elastic.CopyClusterSnapshotCommand)).toHaveLength(2);
  });
});

describe('requests against the official API model', () => {
  const model = loadApiModel('docdb-elastic');
  if (!model && IN_CI) throw new Error('botocore\'s API models are not installed; CI needs them');
  (model ? test : test.skip)('CopyClusterSnapshot, GetClusterSnapshot and DeleteClusterSnapshot conform', async () => {
    mock.on(elastic.CopyClusterSnapshotCommand).resolves({ snapshot: snapshot(COPY, 'COPYING') });
    await onEvent(cfnEvent('Create', TYPE, { ...props, CopyTags: true, KmsKeyId: KEY }));
    mock.on(elastic.GetClusterSnapshotCommand, { snapshotArn: COPY }).resolves({ snapshot: snapshot(COPY, 'ACTIVE') });
    mock.on(elastic.DeleteClusterSnapshotCommand).resolves({});
    mock.on(elastic.ListTagsForResourceCommand, { resourceArn: COPY }).resolves({ tags: { [OWNER_TAG.Key]: OWNER_TAG.Value } });
    await onEvent(cfnEvent('Delete', TYPE, { ...props, RemovalPolicy: 'destroy' }, { PhysicalResourceId: COPY }));
    for (const [operation, calls] of [
      ['CopyClusterSnapshot', mock.commandCalls(elastic.CopyClusterSnapshotCommand)],
      ['GetClusterSnapshot', mock.commandCalls(elastic.GetClusterSnapshotCommand)],
      ['DeleteClusterSnapshot', mock.commandCalls(elastic.DeleteClusterSnapshotCommand)],
      ['ListClusterSnapshots', mock.commandCalls(elastic.ListClusterSnapshotsCommand)],
      ['ListTagsForResource', mock.commandCalls(elastic.ListTagsForResourceCommand)],
    ] as const) {
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) expect(inputProblems(model!, operation, call.args[0].input)).toEqual([]);
    }
  });
});
