import * as cdk from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BackupResourceType, BackupRestoreJob, ClusterEngine, CopiedElasticSnapshot, HuaweiRdsEngine, HuaweiRdsRecovery,
  HuaweiRestoreSource, NeptuneClusterInstance, PointInTimeRestoredCluster, RestoreMetadata, RestorePoint, S3ImportedAuroraCluster,
} from 'cdk-restore-constructs';
import { Construct } from 'constructs';

/**
 * The stack of an app made with `cdk init app --language typescript`, written as a user of the
 * npm package writes it: every construct of the library, in an environment-agnostic stack, so
 * `cdk synth` needs no AWS account and no lookup.
 */
export class ConsumerAppStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const key = new kms.Key(this, 'Key');

    const graph = new PointInTimeRestoredCluster(this, 'Graph', {
      engine: ClusterEngine.NEPTUNE,
      sourceClusterIdentifier: 'prod-graph',
      restorePoint: RestorePoint.at(new Date('2026-11-20T23:45:00Z')),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncryptionKey: key,
      writer: NeptuneClusterInstance.provisioned('Writer'),
      readers: [NeptuneClusterInstance.serverless('Reader')],
    });

    // Configured as rds.DatabaseCluster is, with a master password RDS manages after the restore.
    const reporting = new PointInTimeRestoredCluster(this, 'Reporting', {
      engine: ClusterEngine.AURORA_MYSQL,
      sourceClusterIdentifier: 'prod-orders',
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      writer: rds.ClusterInstance.provisioned('Writer'),
      readers: [rds.ClusterInstance.serverlessV2('Reader', { scaleWithWriter: true })],
      serverlessV2MaxCapacity: 8,
      storageType: rds.DBClusterStorageType.AURORA_IOPT1,
      cloudwatchLogsExports: ['error', 'slowquery'],
      cloudwatchLogsRetention: logs.RetentionDays.ONE_MONTH,
      backup: { retention: cdk.Duration.days(14), preferredWindow: '03:00-04:00' },
      preferredMaintenanceWindow: 'Sun:23:45-Mon:00:15',
      performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
      monitoringInterval: cdk.Duration.seconds(60),
      manageMasterUserPassword: true,
    });

    const orders = new S3ImportedAuroraCluster(this, 'Orders', {
      bucket: s3.Bucket.fromBucketName(this, 'Backups', 'orders-xtrabackup'),
      bucketPrefix: 'backups/2026-11-20/',
      sourceEngineVersion: '8.0.36',
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      timeout: cdk.Duration.hours(8),
    });

    const copy = new CopiedElasticSnapshot(this, 'Copy', {
      sourceSnapshotArn: 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/abc',
      targetSnapshotName: 'orders-2026-11-20',
      kmsKey: key,
    });

    const job = new BackupRestoreJob(this, 'RestoreFs', {
      recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45',
      backupVault: backup.BackupVault.fromBackupVaultName(this, 'Vault', 'files-vault'),
      resourceType: BackupResourceType.EFS,
      metadata: RestoreMetadata.efs({ fileSystemId: 'fs-12345678', newFileSystem: true, encrypted: true, kmsKey: key }),
    });

    const recovery = new HuaweiRdsRecovery(this, 'Recover', {
      region: 'cn-north-4',
      projectId: '0483b6b16e954cb88930a360d2c4e663',
      credentials: secretsmanager.Secret.fromSecretNameV2(this, 'HuaweiKeys', 'huawei/rds-restorer'),
      sourceInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
      targetInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
      restoreSource: HuaweiRestoreSource.backup('2f4ddb93-b901-4b08-93d8-1d2e472f30fe'),
      engine: HuaweiRdsEngine.MYSQL,
      acknowledgeOverwrite: true,
    });

    orders.connections.allowDefaultPortFrom(graph);
    new cdk.CfnOutput(this, 'GraphEndpoint', { value: graph.clusterEndpoint.socketAddress });
    new cdk.CfnOutput(this, 'OrdersSecret', { value: orders.secret.secretArn });
    new cdk.CfnOutput(this, 'ReportingSecret', { value: reporting.secret!.secretArn });
    new cdk.CfnOutput(this, 'CopyArn', { value: copy.snapshotArn });
    new cdk.CfnOutput(this, 'RestoredFileSystem', { value: job.createdResourceArn });
    new cdk.CfnOutput(this, 'HuaweiJob', { value: recovery.jobId });
  }
}
