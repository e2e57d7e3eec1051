import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClusterEngine, PointInTimeRestoredCluster, RestorePoint } from '../lib';

/**
 * Restores a Neptune and an Aurora PostgreSQL cluster that the deploying account must already
 * have (pass their identifiers as context to deploy for real; the snapshot uses placeholders).
 */
const app = new App();
const stack = new Stack(app, 'PointInTimeRestoredClusterInteg');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });

const graph = new PointInTimeRestoredCluster(stack, 'Graph', {
  engine: ClusterEngine.NEPTUNE,
  sourceClusterIdentifier: app.node.tryGetContext('neptuneSource') ?? 'integ-neptune-source',
  restorePoint: RestorePoint.latest(),
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  instances: 1,
  removalPolicy: RemovalPolicy.DESTROY,
  timeout: Duration.minutes(50),
});

const postgres = new PointInTimeRestoredCluster(stack, 'Postgres', {
  engine: ClusterEngine.AURORA_POSTGRESQL,
  sourceClusterIdentifier: app.node.tryGetContext('auroraSource') ?? 'integ-aurora-source',
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  port: 5433,
  instances: 1,
  removalPolicy: RemovalPolicy.DESTROY,
});
postgres.connections.allowDefaultPortFrom(graph);

new IntegTest(app, 'PointInTimeRestoredCluster', {
  testCases: [stack],
  diffAssets: true,
});
