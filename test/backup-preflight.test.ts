import { cfnEvent } from './support/events';
import { ProviderFramework } from './support/provider-framework';
import { backupRestoreJobHandler } from '../lambda/backup-restore-job/handler';
import { BackupStandIn, StandInRecoveryPoint } from '../rehearse/backup-stand-in';

/**
 * The AWS Backup pre-flight, each constraint violated alone: CloudFormation's Create goes through aws-cdk-lib's
 * provider-framework runtime to the bundled handler, whose AWS Backup client talks to the rehearsal's stand-in
 * (moto_server has no restore jobs). Each failure must name the constraint and leave no restore job.
 */
const TYPE = 'Custom::BackupRestoreJob';
const POINT = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
const VAULT = 'orders-vault';
const props = {
  RecoveryPointArn: POINT,
  ResourceType: 'EFS',
  IamRoleArn: 'arn:aws:iam::123456789012:role/restorer',
  Metadata: { 'file-system-id': 'fs-0123456789abcdef0', 'newFileSystem': 'true' },
  BackupVaultName: VAULT,
  BackupVaultAccountId: '123456789012',
  TimeoutSeconds: 3600,
  WaitHandle: 'RestoreWaitHandle1A2B3C4D',
};
/** What the point's GetRecoveryPointRestoreMetadata lists, as AWS Backup lists an EFS point's. */
const EFS_METADATA = { 'file-system-id': 'fs-0123456789abcdef0', 'Encrypted': 'false', 'PerformanceMode': 'generalPurpose', 'newFileSystem': 'true' };

let standIn: BackupStandIn;
const saved = { ...process.env };

beforeEach(async () => {
  standIn = new BackupStandIn();
  await standIn.start();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_BACKUP: standIn.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing',
  });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(async () => {
  process.env = { ...saved };
  jest.restoreAllMocks();
  await standIn.close();
});

const point = (held: StandInRecoveryPoint & { resourceType?: string } = {}) =>
  standIn.addRecoveryPoint(POINT, held.resourceType ?? 'EFS', { vault: VAULT, metadata: EFS_METADATA, ...held });
const create = (overrides: Record<string, unknown> = {}) => new ProviderFramework().send(cfnEvent('Create', TYPE, { ...props, ...overrides }));

test.each([
  ['the vault does not hold the point', {}, { BackupVaultName: 'other-vault' },
    `Recovery point ${POINT} was looked up in backup vault "other-vault" of account 123456789012 before the restore job, and nothing was started`],
  ['the point is still being made', { status: 'CREATING' }, {}, 'its status is CREATING; a restore starts from a point that is made and not being deleted'],
  ['the point is being deleted', { status: 'DELETING' }, {}, 'its status is DELETING'],
  ['the point holds another resource type', { resourceType: 'EBS' }, {}, 'it holds a resource of type EBS (arn:aws:backup:us-east-1:123456789012:source:ebs), and resourceType is EFS. Nothing was started.'],
  ['a key the type needs is missing', {}, { Metadata: { 'file-system-id': 'fs-0123456789abcdef0' } },
    'a restore of type EFS needs the metadata key newFileSystem, which the request lacks'],
  ['a key neither the point nor the API reference knows', {}, { Metadata: { ...props.Metadata, NewFileSystems: 'true' } },
    'the recovery point knows no metadata key NewFileSystems; it knows CreationToken, Encrypted, file-system-id, ItemsToRestore, KmsKeyId, newFileSystem, PerformanceMode'],
])('%s: the Create fails naming it, and no job starts', async (_case, held, overrides, message) => {
  point(held);
  const answer = await create(overrides);
  expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: ProviderFramework.CREATE_FAILED_MARKER });
  expect(answer.Reason).toContain(message);
  expect(standIn.startedJobs).toEqual([]);
});

test('the restore metadata\'s values never show in a refusal, only its keys', async () => {
  point();
  const answer = await create({ Metadata: { ...props.Metadata, Colour: 'top-secret-value' } });
  expect(answer.Reason).toContain('knows no metadata key Colour;');
  expect(answer.Reason).not.toContain('top-secret-value');
  expect(answer.Reason).not.toContain('fs-0123456789abcdef0');
});

test.each(['COMPLETED', 'AVAILABLE', 'PARTIAL', 'STOPPED', 'EXPIRED'])('a %s point of the type, with the keys it needs and one the reference documents, starts its job', async (status) => {
  point({ status });
  // The API reference's own example writes the key so: keys are compared without case.
  const answer = await backupRestoreJobHandler.onEvent(cfnEvent('Create', TYPE, { ...props, Metadata: { ...props.Metadata, itemsToRestore: '["/orders"]' } }));
  expect(standIn.startedJobs).toEqual([expect.objectContaining({ id: answer.PhysicalResourceId, recoveryPointArn: POINT })]);
});

test('a type whose keys are not all documented: a key the point does not list is logged, not refused; an RDS snapshot may be declared Aurora', async () => {
  const SNAPSHOT = 'arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0';
  standIn.addRecoveryPoint(SNAPSHOT, 'EBS', { vault: VAULT, metadata: { availabilityZone: 'us-east-1a' } });
  await backupRestoreJobHandler.onEvent(cfnEvent('Create', TYPE, {
    ...props, RecoveryPointArn: SNAPSHOT, ResourceType: 'EBS', Metadata: { availabilityZone: 'us-east-1b', throughput: '250' },
  }));
  const CLUSTER_SNAPSHOT = 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:awsbackup:job-0123';
  standIn.addRecoveryPoint(CLUSTER_SNAPSHOT, 'RDS', { vault: VAULT });
  // The stand-in starts a job only of the type it holds; the pre-flight lets the family through, and StartRestoreJob decides.
  await expect(backupRestoreJobHandler.onEvent(cfnEvent('Create', TYPE, {
    ...props, RecoveryPointArn: CLUSTER_SNAPSHOT, ResourceType: 'Aurora', Metadata: { DBClusterIdentifier: 'orders', Engine: 'aurora-postgresql' },
  }))).rejects.toThrow(/StartRestoreJob of .* holds a RDS resource, not Aurora/);
  expect(standIn.startedJobs.map((j) => j.recoveryPointArn)).toEqual([SNAPSHOT]);
});

test('without a vault nothing is checked, as before: the job starts', async () => {
  standIn.addRecoveryPoint(POINT, 'EFS', { vault: VAULT, status: 'CREATING' });
  const { BackupVaultName: _v, BackupVaultAccountId: _a, ...unnamed } = props;
  await backupRestoreJobHandler.onEvent(cfnEvent('Create', TYPE, unnamed));
  expect(standIn.startedJobs).toHaveLength(1);
});

test('naming the vault of a job deployed without one is no new restore: same job, nothing started', async () => {
  point();
  const { BackupVaultName: _v, BackupVaultAccountId: _a, ...before } = props;
  const answer = await backupRestoreJobHandler.onEvent(cfnEvent('Update', TYPE, props, { PhysicalResourceId: 'job-1', OldResourceProperties: before }));
  expect(answer.PhysicalResourceId).toBe('job-1');
  expect(standIn.startedJobs).toEqual([]);
});
