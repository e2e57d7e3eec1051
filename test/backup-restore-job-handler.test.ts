import { createHash } from 'crypto';
import * as backup from '@aws-sdk/client-backup';
import { DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { inputProblems, IN_CI, loadApiModel } from './support/api-model';
import { cfnEvent, LOGICAL_ID, STACK_ID, WAIT_HANDLE } from './support/events';
import { mockStackStatus, mockWaitHandleLookup } from './support/wait-handle';
import { backupRestoreJobHandler, idempotencyToken } from '../lambda/backup-restore-job/handler';
import { onEvent, isComplete } from '../lambda/index';
import type { RestoreFigures } from '../lambda/shared/metrics';
import { initialPollerState, pollStep } from '../lambda/shared/polling';
import type { WaitSignal } from '../lambda/shared/signal';
import { ATTRIBUTES_RESOURCE_TYPE, STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';
import { BACKUP_RESTORE_JOB } from '../lib/private/kinds/backup-restore-job';

// aws-sdk-client-mock stands in for AWS Backup: moto_server does not implement restore jobs, so no
// emulator can play this API. Requests are checked against the official API model instead.
const mock = mockClient(backup.BackupClient);
const sfnMock = mockClient(SFNClient);
const cfnMock = mockWaitHandleLookup();
const TYPE = 'Custom::BackupRestoreJob';
const RP = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
const SECRET_VALUE = 'fs-secret-metadata-value';
const props = {
  RecoveryPointArn: RP,
  ResourceType: 'EFS',
  IamRoleArn: 'arn:aws:iam::123456789012:role/restorer',
  Metadata: { 'file-system-id': SECRET_VALUE, 'newFileSystem': 'true' },
  TimeoutSeconds: 10800,
  WaitHandle: 'RestoreWaitHandle1A2B3C4D',
};
const err = (name: string, message = name) => new backup.BackupServiceException({ name, $fault: name === 'ServiceUnavailableException' ? 'server' : 'client', message, $metadata: {} });

let lines: string[] = [];
beforeEach(() => {
  mock.reset();
  mockStackStatus(cfnMock, 'UPDATE_IN_PROGRESS');
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({});
  process.env[STATE_MACHINE_ARN_ENV] = 'arn:aws:states:us-east-1:123456789012:stateMachine:Poller';
  lines = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { lines.push(args.map(String).join(' ')); });
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('Create', () => {
  test('starts the job with a deterministic idempotency token; the job id is the physical id', async () => {
    mock.on(backup.StartRestoreJobCommand).resolves({ RestoreJobId: 'job-1' });
    const event = cfnEvent('Create', TYPE, props);
    await expect(onEvent(event)).resolves.toMatchObject({ PhysicalResourceId: 'job-1' });
    await onEvent(cfnEvent('Create', TYPE, props));
    const [first, second] = mock.commandCalls(backup.StartRestoreJobCommand).map((c) => c.args[0].input);
    expect(first).toMatchObject({ RecoveryPointArn: RP, ResourceType: 'EFS', IamRoleArn: props.IamRoleArn, Metadata: props.Metadata });
    expect(first.IdempotencyToken).toBe(second.IdempotencyToken);
    const expected = idempotencyToken({ StackId: STACK_ID, LogicalResourceId: LOGICAL_ID }, BACKUP_RESTORE_JOB.read(event.ResourceProperties));
    expect(first.IdempotencyToken).toBe(expected);
  });

  test('a replacement with other inputs gets another token, so it starts another job', () => {
    const a = idempotencyToken({ StackId: STACK_ID, LogicalResourceId: LOGICAL_ID }, BACKUP_RESTORE_JOB.read(cfnEvent('Create', TYPE, props).ResourceProperties));
    const b = idempotencyToken({ StackId: STACK_ID, LogicalResourceId: LOGICAL_ID },
      BACKUP_RESTORE_JOB.read(cfnEvent('Create', TYPE, { ...props, RecoveryPointArn: `${RP}0` }).ResourceProperties));
    expect(a).not.toBe(b);
  });

  test('the metadata is never logged, nor put in the poller\'s state', async () => {
    mock.on(backup.StartRestoreJobCommand).resolves({ RestoreJobId: 'job-1' });
    await onEvent(cfnEvent('Create', TYPE, props));
    expect(lines.join('\n')).not.toContain(SECRET_VALUE);
    expect(lines.join('\n')).toContain('metadata keys: file-system-id, newFileSystem');
    expect(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input.input).not.toContain(SECRET_VALUE);
  });

  test.each([
    ['ResourceNotFoundException', /the recovery point does not exist/],
    ['InvalidParameterValueException', /a value is not accepted/],
    ['MissingParameterValueException', /a required value is missing/],
    ['InvalidRequestException', /not valid for this recovery point/],
  ])('%s fails with a clear message and the service\'s own', async (name, message) => {
    mock.on(backup.StartRestoreJobCommand).rejects(err(name, 'detail'));
    await expect(onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(message);
    await expect(onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(`(${name}: detail)`);
  });

  test('ServiceUnavailableException is retried with a bound', async () => {
    jest.useFakeTimers();
    mock.on(backup.StartRestoreJobCommand).rejectsOnce(err('ServiceUnavailableException')).resolves({ RestoreJobId: 'job-2' });
    const pending = onEvent(cfnEvent('Create', TYPE, props));
    await jest.runAllTimersAsync();
    await expect(pending).resolves.toMatchObject({ PhysicalResourceId: 'job-2' });
    expect(mock.commandCalls(backup.StartRestoreJobCommand)).toHaveLength(2);
  });
});

describe('waiting', () => {
  const signals: WaitSignal[] = [];
  const published: RestoreFigures[] = [];
  const { Metadata: _m, ...polled } = props;
  const step = () => pollStep(initialPollerState(TYPE, cfnEvent('Create', TYPE, polled).ResourceProperties, 'job-1', WAIT_HANDLE, Date.now(), 'RestoreResource'),
    {
      now: Date.now,
      kindOf: () => backupRestoreJobHandler,
      signal: async (_u, s) => { signals.push(s); },
      publish: async (_r: unknown, f: RestoreFigures) => { published.push(f); },
    });
  beforeEach(() => { signals.length = 0; });

  test.each(['PENDING', 'RUNNING'])('%s: keeps waiting, logs the progress and publishes it as a number', async (status) => {
    mock.on(backup.DescribeRestoreJobCommand).resolves({ RestoreJobId: 'job-1', Status: status as backup.RestoreJobStatus, PercentDone: '42.00%', ExpectedCompletionTimeMinutes: 95 });
    await expect(step()).resolves.toMatchObject({ done: false });
    expect(lines.join('\n')).toContain(`Restore job job-1: ${status}, 42.00% done, expected to take 95 minutes in all`);
    expect(published.at(-1)).toMatchObject({ progress: 42 });
  });

  test('COMPLETED: SUCCESS', async () => {
    mock.on(backup.DescribeRestoreJobCommand).resolves({ RestoreJobId: 'job-1', Status: 'COMPLETED', CreatedResourceArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-9' });
    await step();
    expect(signals.map((s) => s.Status)).toEqual(['SUCCESS']);
  });

  test.each(['FAILED', 'ABORTED'])('%s: FAILURE with the StatusMessage', async (status) => {
    mock.on(backup.DescribeRestoreJobCommand).resolves({ RestoreJobId: 'job-1', Status: status as backup.RestoreJobStatus, StatusMessage: 'Access denied to KMS key' });
    await step();
    expect(signals).toEqual([expect.objectContaining({ Status: 'FAILURE', Reason: `Restore job job-1 ${status}: Access denied to KMS key` })]);
  });

  test('the attributes: job id and the created resource', async () => {
    mock.on(backup.DescribeRestoreJobCommand).resolves({
      RestoreJobId: 'job-1',
      Status: 'COMPLETED',
      ResourceType: 'EFS',
      CompletionDate: new Date('2026-11-21T03:00:00Z'),
      CreatedResourceArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-9',
    });
    const answer = await onEvent(cfnEvent('Create', ATTRIBUTES_RESOURCE_TYPE, { RestoreResourceType: TYPE, RestoredId: 'job-1' }));
    expect(answer.Data).toEqual({
      // No wait data here: nothing measured.
      RecoveryTime: '0',
      RestoreStartedAt: '',
      RestoreJobId: 'job-1',
      CreatedResourceArn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-9',
      Status: 'COMPLETED',
      ResourceType: 'EFS',
      CompletionDate: '2026-11-21T03:00:00.000Z',
    });
    expect(lines.join('\n')).not.toContain(SECRET_VALUE);
  });
});

describe('Update and Delete', () => {
  test('delete leaves the restored resource in place and says so', async () => {
    const event = cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'job-1' });
    const answer = await onEvent(event);
    await expect(isComplete({ ...event, ...answer } as any)).resolves.toEqual({ IsComplete: true });
    expect(mock.calls()).toHaveLength(0);
    expect(lines.join('\n')).toContain('is not managed by this stack and is left in place');
  });

  test('an update with the same inputs keeps the job; other inputs start a new one when a new generation asks for it', async () => {
    mock.on(backup.StartRestoreJobCommand).resolves({ RestoreJobId: 'job-2' });
    await expect(onEvent(cfnEvent('Update', TYPE, { ...props, TimeoutSeconds: 3600 }, { PhysicalResourceId: 'job-1', OldResourceProperties: props })))
      .resolves.toMatchObject({ PhysicalResourceId: 'job-1' });
    const changed = { ...props, Metadata: { ...props.Metadata, newFileSystem: 'false' }, RestoreGeneration: 1, WaitHandle: 'RestoreWaitHandle2' };
    await expect(onEvent(cfnEvent('Update', TYPE, changed, { PhysicalResourceId: 'job-1', OldResourceProperties: props })))
      .resolves.toMatchObject({ PhysicalResourceId: 'job-2' });
  });

  // Issue 27, case 3: a recoveryPointArn given through a CfnParameter changes at deploy, under the same wait.
  test('an update whose recovery point changed without a new generation is refused and starts no job; the metadata stays unshown', async () => {
    const changed = { ...props, RecoveryPointArn: `${RP}-2`, Metadata: { ...props.Metadata, newFileSystem: 'false' } };
    const refused = onEvent(cfnEvent('Update', TYPE, changed, { PhysicalResourceId: 'job-1', OldResourceProperties: props }));
    await expect(refused).rejects.toThrow(/Metadata from \(not shown: sensitive\) to \(not shown: sensitive\); RecoveryPointArn from ".*" to ".*-2"/);
    await expect(refused).rejects.not.toThrow(SECRET_VALUE);
    expect(mock.commandCalls(backup.StartRestoreJobCommand)).toHaveLength(0);
  });
  // CloudFormation rolls an Update back with a second Update that carries the old properties, maybe months
  // after the Create: StartRestoreJob's token no longer stops a second job then (AWS Backup's reference once
  // said an hour). The stack's events tell the job the resource had before the update; none is started.
  let eventCount = 0;
  const recorded = { StackId: STACK_ID, StackName: 'TestStack' };
  const stackEvent = (status: string, at: string) => ({
    ...recorded, EventId: `e${eventCount++}`, LogicalResourceId: 'TestStack', PhysicalResourceId: STACK_ID, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: status as any, Timestamp: new Date(at),
  });
  const resourceEvent = (status: string, physicalId: string, at: string) => ({
    ...recorded, EventId: `e${eventCount++}`, LogicalResourceId: LOGICAL_ID, PhysicalResourceId: physicalId, ResourceType: TYPE, ResourceStatus: status as any, Timestamp: new Date(at),
  });

  test('a rollback Update goes back to the job the stack\'s events show before the update, even one of the same recovery point, and starts none', async () => {
    mock.on(backup.StartRestoreJobCommand).resolves({ RestoreJobId: 'job-1' });
    await onEvent(cfnEvent('Create', TYPE, props));
    // Only the generation and the metadata change: the new job is of the same recovery point, type and role.
    const changed = { ...props, Metadata: { ...props.Metadata, newFileSystem: 'false' }, RestoreGeneration: 1, WaitHandle: 'RestoreWaitHandle2' };
    mock.on(backup.StartRestoreJobCommand).resolves({ RestoreJobId: 'job-2' });
    await onEvent(cfnEvent('Update', TYPE, changed, { PhysicalResourceId: 'job-1', OldResourceProperties: props }));
    expect(mock.commandCalls(backup.StartRestoreJobCommand)).toHaveLength(2);

    mockStackStatus(cfnMock, 'UPDATE_ROLLBACK_IN_PROGRESS');
    // Newest first, on two pages: the rollback, the update (whose job is job-2), the update's start, then what came before it.
    cfnMock.on(DescribeStackEventsCommand).resolvesOnce({
      StackEvents: [
        stackEvent('UPDATE_ROLLBACK_IN_PROGRESS', '2026-12-04T10:20:00Z'),
        resourceEvent('UPDATE_COMPLETE', 'job-2', '2026-12-04T10:01:00Z'),
        resourceEvent('UPDATE_IN_PROGRESS', 'job-1', '2026-12-04T10:00:30Z'),
      ],
      NextToken: 'page-2',
    }).resolvesOnce({
      StackEvents: [
        stackEvent('UPDATE_IN_PROGRESS', '2026-12-04T10:00:00Z'),
        stackEvent('UPDATE_COMPLETE', '2026-10-02T00:10:00Z'),
        resourceEvent('CREATE_COMPLETE', 'job-1', '2026-10-02T00:05:00Z'),
        resourceEvent('CREATE_IN_PROGRESS', '', '2026-10-02T00:04:00Z'),
      ],
    });
    const rolledBack = await onEvent(cfnEvent('Update', TYPE, props, { PhysicalResourceId: 'job-2', OldResourceProperties: changed }));
    expect(rolledBack).toMatchObject({ PhysicalResourceId: 'job-1' });
    expect(mock.commandCalls(backup.StartRestoreJobCommand)).toHaveLength(2);
    expect(cfnMock.commandCalls(DescribeStackEventsCommand).map((c) => c.args[0].input)).toEqual([
      { StackName: STACK_ID, NextToken: undefined }, { StackName: STACK_ID, NextToken: 'page-2' },
    ]);
  });

  test('a rollback Update whose job the events do not tell starts none and says how to go on', async () => {
    mockStackStatus(cfnMock, 'UPDATE_ROLLBACK_IN_PROGRESS');
    cfnMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [stackEvent('UPDATE_IN_PROGRESS', '2026-12-04T10:00:00Z')] });
    const changed = { ...props, RestoreGeneration: 1, WaitHandle: 'RestoreWaitHandle2' };
    const rolledBack = onEvent(cfnEvent('Update', TYPE, props, { PhysicalResourceId: 'job-2', OldResourceProperties: changed }));
    await expect(rolledBack).rejects.toThrow(/the stack's events do not tell the job this resource had before the update, so nothing was started.*continue-update-rollback .*--resources-to-skip/);
    expect(mock.commandCalls(backup.StartRestoreJobCommand)).toHaveLength(0);
  });
});

// A job started by an earlier version is asked for again by a rollback's Update: its token must be the one that
// version made. It hashed the stack resource and these inputs, each absent one as null; no key may join them.
test('the idempotency token of a restore without restoreGeneration is the one earlier versions made', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const inputs = { RecoveryPointArn: RP, ResourceType: 'EFS', IamRoleArn: props.IamRoleArn, CopySourceTagsToRestoredResource: null, Metadata: props.Metadata };
  const canonical = JSON.stringify(Object.keys(inputs).sort().map((k) => [k, inputs[k as keyof typeof inputs]]));
  const earlier = sha256(`${sha256(`${STACK_ID}|${LOGICAL_ID}`)}|${sha256(canonical)}`);
  const read = BACKUP_RESTORE_JOB.read(cfnEvent('Create', TYPE, props).ResourceProperties);
  expect(idempotencyToken({ StackId: STACK_ID, LogicalResourceId: LOGICAL_ID }, read)).toBe(earlier);
});

describe('requests against the official API model', () => {
  const model = loadApiModel('backup');
  if (!model && IN_CI) throw new Error('botocore\'s API models are not installed; CI needs them');
  (model ? test : test.skip)('StartRestoreJob and DescribeRestoreJob conform', async () => {
    mock.on(backup.StartRestoreJobCommand).resolves({ RestoreJobId: 'job-1' });
    mock.on(backup.DescribeRestoreJobCommand).resolves({ RestoreJobId: 'job-1', Status: 'COMPLETED' });
    await onEvent(cfnEvent('Create', TYPE, { ...props, CopySourceTagsToRestoredResource: true }));
    await onEvent(cfnEvent('Create', ATTRIBUTES_RESOURCE_TYPE, { RestoreResourceType: TYPE, RestoredId: 'job-1' }));
    for (const [operation, calls] of [
      ['StartRestoreJob', mock.commandCalls(backup.StartRestoreJobCommand)],
      ['DescribeRestoreJob', mock.commandCalls(backup.DescribeRestoreJobCommand)],
    ] as const) {
      expect(calls.length).toBeGreaterThan(0);
      for (const call of calls) expect(inputProblems(model!, operation, call.args[0].input)).toEqual([]);
    }
  });
});
