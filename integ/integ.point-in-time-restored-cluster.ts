import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClusterEngine, DrillPoint, DrillSchedule, PointInTimeRestoredCluster, RestorePoint, RestoreValidation } from '../lib';

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

// The Postgres copy passes its validation once its writer accepts connections from inside the VPC.
const reachable = new lambda.Function(stack, 'PostgresReachable', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  timeout: Duration.minutes(1),
  code: lambda.Code.fromInline(`const net = require('net');
exports.handler = (event) => new Promise((resolve) => {
  const { Endpoint: host, Port: port } = event.attributes;
  const socket = net.connect(Number(port), host);
  const done = (passed, message) => { socket.destroy(); resolve({ passed, message }); };
  socket.setTimeout(20000);
  socket.on('connect', () => done(true, host + ' accepts connections on ' + port));
  socket.on('timeout', () => done(false, 'no answer from ' + host + ':' + port + ' within 20s'));
  socket.on('error', (error) => done(false, host + ':' + port + ': ' + error.message));
});`),
});

const postgres = new PointInTimeRestoredCluster(stack, 'Postgres', {
  engine: ClusterEngine.AURORA_POSTGRESQL,
  sourceClusterIdentifier: app.node.tryGetContext('auroraSource') ?? 'integ-aurora-source',
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  port: 5433,
  instances: 1,
  removalPolicy: RemovalPolicy.DESTROY,
  validation: RestoreValidation.fromFunction(reachable, { timeout: Duration.minutes(1) }),
});
postgres.connections.allowDefaultPortFrom(graph);
postgres.connections.allowDefaultPortFrom(reachable);
// Every night, the same restore into a cluster of its own, checked by the same validator, then deleted.
postgres.addDrill('NightlyDrill', {
  schedule: DrillSchedule.daily({ hour: 2 }),
  restorePoint: DrillPoint.randomWithin(Duration.hours(12)),
  recoveryTimeObjective: Duration.hours(1),
  recoveryPointObjective: Duration.minutes(10),
});

new IntegTest(app, 'PointInTimeRestoredCluster', {
  testCases: [stack],
  diffAssets: true,
});
