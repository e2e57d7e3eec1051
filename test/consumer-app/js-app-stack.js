// The stack of an app made with `cdk init app --language javascript`: the package loaded with
// require(), no type checker in front of it. Its props differ from the TypeScript app's, so the
// two apps together reach more of each construct.
const { Duration, RemovalPolicy, Stack } = require('aws-cdk-lib/core');
const backup = require('aws-cdk-lib/aws-backup');
const ec2 = require('aws-cdk-lib/aws-ec2');
const s3 = require('aws-cdk-lib/aws-s3');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
const restore = require('cdk-restore-constructs');

class JsAppStack extends Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 0 });

    const clone = new restore.PointInTimeRestoredCluster(this, 'OrdersClone', {
      engine: restore.ClusterEngine.AURORA_POSTGRESQL,
      sourceClusterIdentifier: 'prod-orders',
      restoreType: restore.RestoreType.COPY_ON_WRITE,
      restorePoint: restore.RestorePoint.latest(),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    clone.connections.allowDefaultPortFromAnyIpv4('reporting');

    new restore.S3ImportedAuroraCluster(this, 'Imported', {
      bucket: s3.Bucket.fromBucketName(this, 'Backups', 'legacy-xtrabackup'),
      sourceEngineVersion: '5.7.44',
      masterUsername: 'legacy',
      databaseName: 'legacy',
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      backup: { retention: Duration.days(3) },
    });

    new restore.CopiedElasticSnapshot(this, 'Copy', {
      sourceSnapshotArn: 'arn:aws:docdb-elastic:eu-west-1:123456789012:cluster-snapshot/nightly',
      targetSnapshotName: 'nightly-copy',
      copyTags: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    new restore.BackupRestoreJob(this, 'RestoreTable', {
      recoveryPointArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/backup/01700000000000-abcdef12',
      backupVault: backup.BackupVault.fromBackupVaultName(this, 'Vault', 'Default'),
      resourceType: restore.BackupResourceType.DYNAMODB,
      metadata: restore.RestoreMetadata.dynamoDb({ targetTableName: 'orders-restored' }),
      timeout: Duration.hours(2),
    });

    new restore.HuaweiRdsRecovery(this, 'Recover', {
      endpoint: 'https://rds.ap-southeast-1.myhuaweicloud.com',
      projectId: '0483b6b16e954cb88930a360d2c4e663',
      credentials: secretsmanager.Secret.fromSecretNameV2(this, 'HuaweiKeys', 'huawei/rds-restorer'),
      sourceInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
      targetInstanceId: 'c9f7db6b735856cdc657b338bb4bf2d0in04',
      restoreSource: restore.HuaweiRestoreSource.pointInTime(new Date('2026-11-20T23:45:00Z')),
      engine: restore.HuaweiRdsEngine.SQL_SERVER,
      databaseNames: { sales: 'sales_restored' },
      acknowledgeOverwrite: true,
    });
  }
}

module.exports = { JsAppStack };
