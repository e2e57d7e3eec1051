import { App, Duration, Errors, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BackupResourceType, BackupRestoreJob, ClusterEngine, CopiedElasticSnapshot, HuaweiRdsEngine, HuaweiRdsRecovery, HuaweiRestoreSource,
  NeptuneClusterInstance, PointInTimeRestoredCluster, RestoreMetadata, S3ImportedAuroraCluster,
} from '../lib';

/**
 * Synth-time errors as aws-cdk-lib raises its own: a ValidationError of the construct whose prop is wrong, which
 * `cdk synth` prints with the construct's place in the tree (and, for an installed package, without its frames).
 */
const stack = () => new Stack(new App(), 'Restores', { env: { account: '123456789012', region: 'us-east-1' } });

function caught(build: (s: Stack) => void): Error & { constructPath?: string } {
  const s = stack();
  try {
    build(s);
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing was thrown');
}

test.each<[string, (s: Stack) => void, string, string]>([
  ['PointInTimeRestoredCluster', (s) => new PointInTimeRestoredCluster(s, 'Graph', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod-graph', port: 80 }),
    'Restores/Graph', 'Invalid port 80: '],
  ['PointInTimeRestoredCluster, a check of its settings', (s) => new PointInTimeRestoredCluster(s, 'Orders', {
    engine: ClusterEngine.AURORA_MYSQL, sourceClusterIdentifier: 'prod-orders', backtrackWindow: Duration.hours(100),
  }), 'Restores/Orders', 'Invalid backtrackWindow'],
  ['S3ImportedAuroraCluster', (s) => new S3ImportedAuroraCluster(s, 'Legacy', {
    bucket: s3.Bucket.fromBucketName(s, 'B', 'legacy'), sourceEngineVersion: '9.9.9', writer: rds.ClusterInstance.serverlessV2('Writer'),
  }), 'Restores/Legacy', 'Invalid sourceEngineVersion "9.9.9"'],
  ['CopiedElasticSnapshot', (s) => new CopiedElasticSnapshot(s, 'Copy', { sourceSnapshotArn: 'not-an-arn', targetSnapshotName: 'copy' }),
    'Restores/Copy', 'Invalid sourceSnapshotArn "not-an-arn"'],
  ['BackupRestoreJob', (s) => new BackupRestoreJob(s, 'Files', {
    recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45',
    backupVault: backup.BackupVault.fromBackupVaultArn(s, 'V', 'arn:aws:backup:eu-west-1:123456789012:backup-vault:elsewhere'),
    resourceType: BackupResourceType.EFS,
    metadata: RestoreMetadata.efs({ fileSystemId: 'fs-12345678', newFileSystem: true }),
  }), 'Restores/Files', 'Invalid backupVault'],
  ['HuaweiRdsRecovery', (s) => new HuaweiRdsRecovery(s, 'Recover', {
    region: 'cn-nort-4',
    projectId: '0483b6b16e954cb88930a360d2c4e663',
    credentials: secretsmanager.Secret.fromSecretNameV2(s, 'K', 'huawei/keys'),
    sourceInstanceId: 'a',
    targetInstanceId: 'b',
    restoreSource: HuaweiRestoreSource.backup('x'),
    engine: HuaweiRdsEngine.MYSQL,
    acknowledgeOverwrite: true,
  }), 'Restores/Recover', 'Invalid region "cn-nort-4"'],
])('%s: an invalid prop is a ValidationError of the construct, its message unchanged', (_kind, build, path, message) => {
  const error = caught(build);
  expect(Errors.isValidationError(error)).toBe(true);
  expect(error.constructPath).toBe(path);
  expect(error.message.startsWith(message)).toBe(true);
  // What cdk synth prints: the error, then the construct tree down to the construct.
  expect(error.stack).toContain(`«ValidationError» ${message}`);
  expect(error.stack).toMatch(new RegExp(`Relates to construct:[\\s\\S]*${path.split('/').pop()}`));
});

test('a restored cluster\'s connections used without a security group, and a Neptune instance given to Aurora, are ValidationErrors too', () => {
  const withoutVpc = caught((s) => new PointInTimeRestoredCluster(s, 'Graph', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod-graph' })
    .connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.0.0/16')));
  expect([Errors.isValidationError(withoutVpc), withoutVpc.constructPath]).toEqual([true, 'Restores/Graph']);
  const neptuneInAurora = caught((s) => NeptuneClusterInstance.provisioned('Writer').bind(s, {} as rds.IDatabaseCluster, {}));
  expect([Errors.isValidationError(neptuneInAurora), neptuneInAurora.constructPath]).toEqual([true, 'Restores']);
  expect(neptuneInAurora.message).toMatch(/^NeptuneClusterInstance Writer is a Neptune instance/);
});

test.each<[string, () => unknown, RegExp]>([
  ['RestoreMetadata.efs', () => RestoreMetadata.efs({ fileSystemId: 'fs-12345678', newFileSystem: true, itemsToRestore: [] }), /^Invalid itemsToRestore/],
  ['HuaweiRestoreSource.pointInTime', () => HuaweiRestoreSource.pointInTime(new Date(Date.now() + 86_400_000)), /^Invalid restoreSource/],
  ['BackupResourceType.of', () => BackupResourceType.of('not a type!'), /^Invalid resourceType/],
])('%s, made before any construct, raises an unscoped ValidationError', (_factory, make, message) => {
  let error: Error | undefined;
  try {
    make();
  } catch (e) {
    error = e as Error;
  }
  expect(Errors.isValidationError(error)).toBe(true);
  expect(error?.message).toMatch(message);
});

test('an error that is not about a prop is not dressed up as one', () => {
  const error = caught((s) => new PointInTimeRestoredCluster(s, 'Graph', {
    engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod-graph', vpc: { get vpcId(): string { throw new TypeError('the app\'s own bug'); } } as any,
  }));
  expect(error).toBeInstanceOf(TypeError);
  expect(Errors.isValidationError(error)).toBe(false);
});
