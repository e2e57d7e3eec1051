import { BackupClient, DescribeRecoveryPointCommand, DescribeRestoreJobCommand, GetRecoveryPointRestoreMetadataCommand, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import { loadApiModel, modelProblems } from './support/api-model';
import { standInClientConfig } from './support/stand-in-client';
import { BackupStandIn } from '../rehearse/backup-stand-in';

/**
 * The rehearsal's AWS Backup stand-in, driven by the real SDK client: the client parses every answer,
 * and the parsed answers are checked against botocore's model of the API.
 */
const RECOVERY_POINT = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';
const model = loadApiModel('backup');
let standIn: BackupStandIn;
let client: BackupClient;

beforeEach(async () => {
  standIn = new BackupStandIn();
  await standIn.start();
  standIn.addRecoveryPoint(RECOVERY_POINT, 'EFS');
  client = new BackupClient(standInClientConfig(standIn.endpoint));
});
afterEach(() => standIn.close());

const startJob = (input: Partial<ConstructorParameters<typeof StartRestoreJobCommand>[0]> = {}) => client.send(new StartRestoreJobCommand({
  RecoveryPointArn: RECOVERY_POINT, ResourceType: 'EFS', Metadata: { newFileSystem: 'true' }, IamRoleArn: 'arn:aws:iam::123456789012:role/restore', ...input,
}));

test('a job walks from PENDING through RUNNING to COMPLETED, and its answers are the API\'s shapes', async () => {
  const { RestoreJobId } = await startJob({ IdempotencyToken: 'token-1' });
  const looks = [];
  for (let i = 0; i < 3; i++) looks.push(await client.send(new DescribeRestoreJobCommand({ RestoreJobId })));
  expect(looks.map((l) => [l.Status, l.PercentDone])).toEqual([['PENDING', '0%'], ['RUNNING', '50%'], ['COMPLETED', '100%']]);
  expect(looks[2]).toMatchObject({ RestoreJobId, ResourceType: 'EFS', CreatedResourceArn: expect.stringMatching(/^arn:aws:elasticfilesystem:us-east-1:123456789012:file-system\/fs-/) });
  expect(looks[2].CompletionDate).toBeInstanceOf(Date);
  if (model) {
    for (const look of looks) {
      const { $metadata, ...output } = look;
      expect(modelProblems(model, 'DescribeRestoreJobOutput', output)).toEqual([]);
    }
  }
  // The same idempotency token is the same job, as the service answers a retried request.
  await expect(startJob({ IdempotencyToken: 'token-1' })).resolves.toMatchObject({ RestoreJobId });
  expect(standIn.startedJobs).toHaveLength(1);
});

test.each([
  ['a recovery point that does not exist', { RecoveryPointArn: `${RECOVERY_POINT}0` }, 'ResourceNotFoundException'],
  ['a resource type the recovery point does not hold', { ResourceType: 'DynamoDB' }, 'InvalidRequestException'],
])('%s is refused with the service\'s error', async (_what, input, name) => {
  await expect(startJob(input)).rejects.toMatchObject({ name });
  expect(standIn.startedJobs).toEqual([]);
});

test('an unknown job is ResourceNotFoundException', async () => {
  await expect(client.send(new DescribeRestoreJobCommand({ RestoreJobId: 'NOPE' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});

test('a recovery point is described in its vault, with its restore metadata, in the API\'s shapes; in another vault it is not found', async () => {
  const EBS_POINT = 'arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0';
  standIn.addRecoveryPoint(EBS_POINT, 'EBS', { vault: 'orders-vault', status: 'AVAILABLE', metadata: { availabilityZone: 'us-east-1a', volumeType: 'gp3' } });
  const where = { BackupVaultName: 'orders-vault', RecoveryPointArn: EBS_POINT, BackupVaultAccountId: '123456789012' };
  const { $metadata: _d, ...described } = await client.send(new DescribeRecoveryPointCommand(where));
  expect(described).toMatchObject({ RecoveryPointArn: EBS_POINT, BackupVaultName: 'orders-vault', ResourceType: 'EBS', Status: 'AVAILABLE' });
  const { $metadata: _m, ...metadata } = await client.send(new GetRecoveryPointRestoreMetadataCommand(where));
  expect(metadata).toMatchObject({ RecoveryPointArn: EBS_POINT, ResourceType: 'EBS', RestoreMetadata: { availabilityZone: 'us-east-1a', volumeType: 'gp3' } });
  if (model) {
    expect(modelProblems(model, 'DescribeRecoveryPointOutput', described)).toEqual([]);
    expect(modelProblems(model, 'GetRecoveryPointRestoreMetadataOutput', metadata)).toEqual([]);
  }
  await expect(client.send(new DescribeRecoveryPointCommand({ ...where, BackupVaultName: 'Default' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  // Put in without a vault, a point is in the vault every account has.
  await expect(client.send(new DescribeRecoveryPointCommand({ BackupVaultName: 'Default', RecoveryPointArn: RECOVERY_POINT }))).resolves.toMatchObject({ Status: 'COMPLETED' });
});
