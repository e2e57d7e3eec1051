import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { BackupResourceType, BackupRestoreJob, BackupRestoreJobProps, RestoreMetadata } from '../lib';

const TYPE = 'Custom::BackupRestoreJob';
const RP = 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45';

function newStack(): Stack {
  return new Stack(new App(), 'JobStack', { env: { account: '123456789012', region: 'us-east-1' } });
}
function synth(props: Partial<BackupRestoreJobProps> = {}, stack = newStack()) {
  const job = new BackupRestoreJob(stack, 'RestoreFs', {
    recoveryPointArn: RP,
    resourceType: BackupResourceType.EFS,
    metadata: RestoreMetadata.efs({ fileSystemId: 'fs-1234', newFileSystem: true }),
    ...props,
  });
  return { stack, job, template: () => Template.fromStack(stack) };
}
const jobProps = (t: Template) => Object.values(t.findResources(TYPE))[0].Properties;

test('the EFS example of the issue: metadata keys as the API takes them, and a default restore role', () => {
  const stack = newStack();
  const kmsKey = new kms.Key(stack, 'Key');
  const t = synth({
    metadata: RestoreMetadata.efs({ fileSystemId: 'fs-1234', newFileSystem: true, encrypted: true, kmsKey, performanceMode: 'generalPurpose', itemsToRestore: ['/my.test'] }),
  }, stack).template();
  const props = jobProps(t);
  expect(props).toMatchObject({ RecoveryPointArn: RP, ResourceType: 'EFS', TimeoutSeconds: 10800 });
  expect(props.Metadata).toEqual({
    'file-system-id': 'fs-1234',
    'newFileSystem': 'true',
    'Encrypted': 'true',
    'KmsKeyId': { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
    'PerformanceMode': 'generalPurpose',
    'ItemsToRestore': '["/my.test"]',
  });
  expect(props.IamRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RestoreFsRestoreRole/), 'Arn'] });
  t.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })] },
    ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores']] }],
  });
});

test.each([
  ['EBS', BackupResourceType.EBS, RestoreMetadata.ebs({ availabilityZone: 'us-east-1a', volumeType: 'gp3' }), { availabilityZone: 'us-east-1a', volumeType: 'gp3' }],
  ['RDS', BackupResourceType.RDS, RestoreMetadata.rds({ dbInstanceIdentifier: 'orders-restored', additional: { DBInstanceClass: 'db.r6g.large' } }), { DBInstanceIdentifier: 'orders-restored', DBInstanceClass: 'db.r6g.large' }],
  ['Aurora', BackupResourceType.AURORA, RestoreMetadata.aurora({ dbClusterIdentifier: 'orders-restored', engine: 'aurora-mysql' }), { DBClusterIdentifier: 'orders-restored', Engine: 'aurora-mysql' }],
  ['DynamoDB', BackupResourceType.DYNAMODB, RestoreMetadata.dynamoDb({ targetTableName: 'orders-restored' }), { targetTableName: 'orders-restored', encryptionType: 'Default' }],
  ['S3', BackupResourceType.S3, RestoreMetadata.s3({ destinationBucketName: 'restored-bucket', newBucket: true, itemsToRestore: ['logs/'] }), { DestinationBucketName: 'restored-bucket', NewBucket: 'true', ItemsToRestore: '["logs/"]' }],
  ['custom', BackupResourceType.FSX, RestoreMetadata.custom({ StorageCapacity: '1200' }), { StorageCapacity: '1200' }],
])('%s metadata', (_name, resourceType, metadata, expected) => {
  expect(jobProps(synth({ resourceType, metadata }).template()).Metadata).toEqual(expected);
});

test('S3 restores get the S3 restore policy too', () => {
  const t = synth({ resourceType: BackupResourceType.S3, metadata: RestoreMetadata.s3({ destinationBucketName: 'b', newBucket: false }) }).template();
  expect(JSON.stringify(t.findResources('AWS::IAM::Role'))).toContain('AWSBackupServiceRolePolicyForS3Restore');
});

test('a given role is used; the handler may pass only it and start a job only of this recovery point', () => {
  const stack = newStack();
  const role = iam.Role.fromRoleArn(stack, 'Given', 'arn:aws:iam::123456789012:role/restorer');
  const { template, job } = synth({ role }, stack);
  const t = template();
  expect(jobProps(t).IamRoleArn).toBe('arn:aws:iam::123456789012:role/restorer');
  const statements = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  expect(statements.find((s) => s.Action === 'iam:PassRole').Resource).toBe('arn:aws:iam::123456789012:role/restorer');
  expect(statements.find((s) => s.Action === 'backup:StartRestoreJob').Resource).toBe(RP);
  expect(stack.resolve(job.restoreJobId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RestoreFsRestoreAttributes/), 'RestoreJobId'] });
  expect(stack.resolve(job.createdResourceArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RestoreFsRestoreAttributes/), 'CreatedResourceArn'] });
});

test('with its vault, the handler may describe the point and read its restore metadata, and only that point; without, synth warns', () => {
  const stack = newStack();
  const t = synth({ backupVault: backup.BackupVault.fromBackupVaultArn(stack, 'Vault', 'arn:aws:backup:us-east-1:210987654321:backup-vault:shared-vault') }, stack)
    .template();
  expect(jobProps(t)).toMatchObject({ BackupVaultName: 'shared-vault', BackupVaultAccountId: '210987654321' });
  const statements = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  expect(statements).toContainEqual(expect.objectContaining({
    Action: ['backup:StartRestoreJob', 'backup:DescribeRecoveryPoint', 'backup:GetRecoveryPointRestoreMetadata'], Resource: RP,
  }));
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('backupVault'))).toEqual([]);
  // A vault of the stack's own account is named by its name alone.
  const own = newStack();
  expect(jobProps(synth({ backupVault: backup.BackupVault.fromBackupVaultName(own, 'Vault', 'files-vault') }, own).template()))
    .toMatchObject({ BackupVaultName: 'files-vault' });
  expect(jobProps(Template.fromStack(own))).not.toHaveProperty('BackupVaultAccountId');
  const other = newStack();
  expect(() => synth({ backupVault: backup.BackupVault.fromBackupVaultArn(other, 'Vault', 'arn:aws:backup:eu-west-1:123456789012:backup-vault:files-vault') }, other))
    .toThrow('Invalid backupVault "eu-west-1": the vault is in eu-west-1, and a restore job restores from a vault of its own region (us-east-1)');

  const unnamed = synth();
  expect(jobProps(unnamed.template())).not.toHaveProperty('BackupVaultName');
  expect(Annotations.fromStack(unnamed.stack).findWarning('*', Match.stringLikeRegexp('Without backupVault, the recovery point is not checked'))).toHaveLength(1);
});

describe('validation at synth', () => {
  test.each([
    ['recoveryPointArn', () => synth({ recoveryPointArn: 'rp-123' }), /Invalid recoveryPointArn "rp-123": it is not the ARN of an AWS Backup recovery point; use one of the forms AWS Backup gives: arn:aws:backup:<region>:<account>:recovery-point:<id>; arn:aws:ec2:<region>::snapshot/],
    ['resourceType', () => BackupResourceType.of('Storage Gateway!'), /Invalid resourceType "Storage Gateway!": a resource type is 1 to 50 letters/],
    ['resourceType', () => BackupResourceType.of('x'.repeat(51)), /Invalid resourceType/],
    ['itemsToRestore', () => RestoreMetadata.efs({ fileSystemId: 'fs-1', newFileSystem: true, itemsToRestore: [] }), /it has 0 paths; give 1 to 5/],
    ['itemsToRestore', () => RestoreMetadata.s3({ destinationBucketName: 'b', newBucket: true, itemsToRestore: ['a', 'b', 'c', 'd', 'e', 'f'] }), /it has 6 paths/],
    ['encrypted', () => RestoreMetadata.efs({ fileSystemId: 'fs-1', newFileSystem: true, encrypted: false, kmsKey: kms.Key.fromKeyArn(newStack(), 'K', 'arn:aws:kms:us-east-1:123456789012:key/k') }), /Invalid encrypted false: it must be true when a KMS key is given/],
    ['fileSystemId', () => RestoreMetadata.efs({ fileSystemId: ' ', newFileSystem: true }), /Invalid fileSystemId " ": it is required/],
    ['targetTableName', () => RestoreMetadata.dynamoDb({ targetTableName: '' }), /Invalid targetTableName/],
    ['metadata', () => RestoreMetadata.custom({}), /StartRestoreJob needs at least one metadata entry/],
    ['timeout', () => synth({ timeout: Duration.hours(13) }), /Invalid timeout "13 hours"/],
  ])('%s is refused', (_name, act, message) => {
    expect(act).toThrow(message);
  });

  // Each form as the AWS Backup developer guide's table of recovery point ARNs gives it, with a type it restores as.
  test.each([
    ['a vault recovery point (EFS)', RP, BackupResourceType.EFS],
    ['an EBS snapshot, which has no account', 'arn:aws:ec2:us-east-1::snapshot/snap-0b33f105cade3b802', BackupResourceType.EBS],
    ['an EBS snapshot restored as a Storage Gateway volume', 'arn:aws:ec2:us-east-1::snapshot/snap-0d40e49137e31d9e0', BackupResourceType.STORAGE_GATEWAY],
    ['an AMI, which has no account', 'arn:aws:ec2:us-east-1::image/ami-1a2b3e4f5e6f7a890', BackupResourceType.EC2],
    ['an RDS snapshot', 'arn:aws:rds:us-east-1:123456789012:snapshot:awsbackup:job-aea72c7a-bbf2-44a1-be9f-88f4a274f6f7', BackupResourceType.RDS],
    ['an Aurora cluster snapshot', 'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:awsbackup:job-4ece7121-d60e-00c2-5c3b-49960142d03b', BackupResourceType.AURORA],
    ['a Neptune cluster snapshot', 'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:awsbackup:job-4ece7121-d60e-00c2-5c3b-49960142d03b', BackupResourceType.NEPTUNE],
    ['a DocumentDB cluster snapshot', 'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:awsbackup:job-4ece7121-d60e-00c2-5c3b-49960142d03b', BackupResourceType.DOCUMENTDB],
    ['an RDS continuous backup', 'arn:aws:backup:us-east-1:123456789012:recovery-point:continuous:db-qg3pg2ggvkybb7lwnhykpl3vza-a8864877', BackupResourceType.RDS],
    ['a DynamoDB backup', 'arn:aws:dynamodb:us-east-1:123456789012:table/MyDynamoDBTable/backup/01547087347000-c8b6kdk3', BackupResourceType.DYNAMODB],
    ['a DynamoDB advanced backup', 'arn:aws:backup:us-east-1:123456789012:recovery-point:12a34a56-7bb8-901c-cd23-4567d8e9ef01', BackupResourceType.DYNAMODB],
    ['an FSx backup', 'arn:aws:fsx:us-east-1:123456789012:backup/backup-1a20e49137e31d9e0', BackupResourceType.FSX],
    ['a Redshift snapshot', 'arn:aws:redshift:us-west-2:123456789012:snapshot:redshift-cluster-1/awsbackup:job-c40dda3c-fdcc-b1ba-fa56-234d23209a40', BackupResourceType.REDSHIFT],
    ['a Timestream recovery point', 'arn:aws:backup:us-east-1:123456789012:recovery-point:1a2b3cde-f405-6789-012a-3456bc789012_beta', BackupResourceType.TIMESTREAM],
    ['an S3 continuous backup', 'arn:aws:backup:eu-central-1:012345678901:recovery-point:continuous:amzn-s3-demo-bucket-5ec207d0', BackupResourceType.S3],
    ['an S3 periodic backup', 'arn:aws:backup:eu-central-1:012345678901:recovery-point:amzn-s3-demo-bucket-20211231900000-5ec207d0', BackupResourceType.S3],
    ['a VM recovery point', 'arn:aws:backup:us-east-1:123456789012:recovery-point:1801234a-5b6b-7dc8-8032-836f7ffc623b', BackupResourceType.VIRTUAL_MACHINE],
    ['an EKS composite recovery point', 'arn:aws:backup:us-west-2:123456789012:recovery-point:composite:eks/my-cluster-20240115', BackupResourceType.EKS],
    ['a recovery point in China', 'arn:aws-cn:backup:cn-north-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45', BackupResourceType.EFS],
    ['an EBS snapshot in GovCloud', 'arn:aws-us-gov:ec2:us-gov-west-1::snapshot/snap-0b33f105cade3b802', BackupResourceType.EBS],
  ])('%s is accepted', (_name, recoveryPointArn, resourceType) => {
    const props = jobProps(synth({ recoveryPointArn, resourceType, metadata: RestoreMetadata.custom({ any: 'value' }) }).template());
    expect(props).toMatchObject({ RecoveryPointArn: recoveryPointArn, ResourceType: resourceType.name });
  });

  test.each([
    ['an S3 object', 'arn:aws:s3:::my-bucket/backup.tar'],
    ['an EFS file system', 'arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-1234'],
    ['a vault, not a recovery point', 'arn:aws:backup:us-east-1:123456789012:backup-vault:Default'],
    ['a recovery point without an account', 'arn:aws:backup:us-east-1::recovery-point:1EB3B5E7'],
    ['an EC2 instance', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0'],
    ['a DynamoDB table', 'arn:aws:dynamodb:us-east-1:123456789012:table/orders'],
  ])('%s is refused, naming the value', (_name, recoveryPointArn) => {
    expect(() => synth({ recoveryPointArn })).toThrow(`Invalid recoveryPointArn ${JSON.stringify(recoveryPointArn)}: it is not the ARN of an AWS Backup recovery point`);
  });

  test.each([
    ['an AMI restored as EFS', 'arn:aws:ec2:us-east-1::image/ami-1a2b3e4f5e6f7a890', BackupResourceType.EFS, /Invalid resourceType "EFS": the recovery point arn:aws:ec2:us-east-1::image\/ami-1a2b3e4f5e6f7a890 has the form .*, so it restores as EC2; use that resource type/],
    ['an EBS snapshot restored as EC2', 'arn:aws:ec2:us-east-1::snapshot/snap-0b33f105cade3b802', BackupResourceType.EC2, /so it restores as EBS or Storage Gateway/],
    ['a cluster snapshot restored as RDS', 'arn:aws:rds:us-west-2:123456789012:cluster-snapshot:awsbackup:job-4ece7121', BackupResourceType.RDS, /so it restores as Aurora or DocumentDB or Neptune/],
    ['a DynamoDB backup restored as S3', 'arn:aws:dynamodb:us-east-1:123456789012:table/t/backup/01547087347000-c8b6kdk3', BackupResourceType.S3, /Invalid resourceType "S3".*restores as DynamoDB/],
  ])('%s: the type the ARN tells disagrees, and synth says so', (_name, recoveryPointArn, resourceType, message) => {
    expect(() => synth({ recoveryPointArn, resourceType, metadata: RestoreMetadata.custom({ any: 'value' }) })).toThrow(message);
  });

  test('custom resource types within the API pattern are accepted', () => {
    expect(BackupResourceType.of('CloudFormation').name).toBe('CloudFormation');
  });
});
