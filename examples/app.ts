import * as path from 'path';
import { App, ArnFormat, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BackupResourceType, BackupRestoreJob, ClusterEngine, CopiedElasticSnapshot, DrillSchedule, HuaweiRdsEngine, HuaweiRdsRecovery, HuaweiRestoreSource,
  PointInTimeRestoredCluster, RestoreMetadata, RestorePoint, RestoreType, RestoreValidation, S3ImportedAuroraCluster,
} from '../lib';

/**
 * The example app: a stack that restores a Neptune graph to a point in time (and validates it) and clones an Aurora
 * MySQL cluster, both into a new VPC, imports a MySQL backup from S3 into Aurora, keeps a copy of the DocumentDB Elastic catalogue's snapshot,
 * restores the shared file system from AWS Backup, and restores a Huawei Cloud RDS instance from a backup.
 */
export function buildExampleApp(outdir?: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'RestoreExample');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });

  // Proves the graph copy before the deployment succeeds; it only calls the Neptune API, so it runs outside the VPC.
  const graphCheck = new lambda.Function(stack, 'GraphCheck', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(path.join(__dirname, 'validators', 'graph-check')),
    timeout: Duration.minutes(1),
  });
  const graph = new PointInTimeRestoredCluster(stack, 'GraphBeforeIncident', {
    engine: ClusterEngine.NEPTUNE,
    sourceClusterIdentifier: 'prod-graph',
    // RestorePoint.at(new Date('2026-11-20T23:45:00Z')) restores a moment of the source's history; the
    // rehearsal's fresh source cluster has only its latest moment.
    restorePoint: RestorePoint.latest(),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    instances: 2,
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
    removalPolicy: RemovalPolicy.SNAPSHOT,
    validation: RestoreValidation.fromFunction(graphCheck, { timeout: Duration.minutes(1) }),
  });
  graphCheck.addToRolePolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: [graph.clusterArn] }));
  // Every Sunday, proves that the graph can still be restored within two hours, with the same check; its runs'
  // clusters are named drill-..., and the check may read them too.
  graph.addDrill('WeeklyDrill', {
    schedule: DrillSchedule.weekly({ weekDay: 'SUN', hour: 4 }),
    recoveryTimeObjective: Duration.hours(2),
    recoveryPointObjective: Duration.minutes(15),
  });
  graphCheck.addToRolePolicy(new iam.PolicyStatement({
    actions: ['rds:DescribeDBClusters'], resources: [stack.formatArn({ service: 'rds', resource: 'cluster', resourceName: 'drill-*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
  }));

  const orders = new PointInTimeRestoredCluster(stack, 'OrdersClone', {
    engine: ClusterEngine.AURORA_MYSQL,
    sourceClusterIdentifier: 'prod-orders',
    restoreType: RestoreType.COPY_ON_WRITE,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    instances: 1,
    removalPolicy: RemovalPolicy.DESTROY,
    timeout: Duration.minutes(45),
  });

  // A reporting job may read the clone, and reach the graph copy on its port.
  const reporting = new ec2.SecurityGroup(stack, 'Reporting', { vpc });
  orders.connections.allowDefaultPortFrom(reporting);
  graph.connections.allowDefaultPortFrom(reporting);
  // The legacy MySQL orders database, moved into Aurora from last night's Percona XtraBackup.
  new S3ImportedAuroraCluster(stack, 'LegacyOrdersImport', {
    bucket: s3.Bucket.fromBucketName(stack, 'Backups', 'legacy-orders-xtrabackup'),
    bucketPrefix: 'backups/2026-11-20/',
    sourceEngineVersion: '8.0.36',
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    removalPolicy: RemovalPolicy.DESTROY,
  });

  // A copy of the catalogue's snapshot from before the incident, kept when the stack goes.
  new CopiedElasticSnapshot(stack, 'CatalogueSnapshotCopy', {
    sourceSnapshotArn: 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/3b2c8a1e9f0d4c7b8a6e5d4c3b2a1f0e',
    targetSnapshotName: 'catalogue-incident-2026-11-20',
  });

  // The shared file system as AWS Backup kept it last night, as a new file system.
  new BackupRestoreJob(stack, 'SharedFilesFromBackup', {
    recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45',
    backupVault: backup.BackupVault.fromBackupVaultName(stack, 'FilesVault', 'files-vault'),
    resourceType: BackupResourceType.EFS,
    metadata: RestoreMetadata.efs({ fileSystemId: 'fs-12345678', newFileSystem: true }),
  });

  // The reporting database that runs on Huawei Cloud, back to last night's backup.
  new HuaweiRdsRecovery(stack, 'ReportingDbFromBackup', {
    region: 'cn-north-4',
    projectId: '0483b6b16e954cb88930a360d2c4e663',
    credentials: secretsmanager.Secret.fromSecretNameV2(stack, 'HuaweiKeys', 'huawei/rds-restorer'),
    sourceInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
    targetInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
    restoreSource: HuaweiRestoreSource.backup('2f4ddb93-b901-4b08-93d8-1d2e472f30fe'),
    engine: HuaweiRdsEngine.MYSQL,
    acknowledgeOverwrite: true,
  });

  Tags.of(stack).add('purpose', 'incident-2026-11-20');
  return app;
}
