import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3ImportedAuroraCluster } from '../lib';

/**
 * Imports an Aurora MySQL 3 cluster from a Percona XtraBackup of MySQL 8.0 that the deploying
 * account must already hold (pass the bucket name as context to deploy for real).
 */
const app = new App();
const stack = new Stack(app, 'S3ImportedAuroraClusterInteg');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
const bucket = s3.Bucket.fromBucketName(stack, 'Backups', app.node.tryGetContext('backupBucket') ?? 'integ-xtrabackup-bucket');

const imported = new S3ImportedAuroraCluster(stack, 'Imported', {
  bucket,
  bucketPrefix: 'mysql80/full/',
  sourceEngineVersion: '8.0.36',
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  backupRetention: Duration.days(3),
  databaseName: 'orders',
  instances: 1,
  removalPolicy: RemovalPolicy.DESTROY,
  timeout: Duration.hours(6),
});
imported.connections.allowDefaultPortFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock));

new IntegTest(app, 'S3ImportedAuroraCluster', { testCases: [stack], diffAssets: true });
