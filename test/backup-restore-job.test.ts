import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
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

describe('validation at synth', () => {
  test.each([
    ['recoveryPointArn', () => synth({ recoveryPointArn: 'rp-123' }), /Invalid recoveryPointArn "rp-123": use the ARN of a recovery point/],
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

  test('custom resource types within the API pattern are accepted', () => {
    expect(BackupResourceType.of('CloudFormation').name).toBe('CloudFormation');
  });
});
