import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CopiedElasticSnapshot } from '../lib';

/**
 * Copies a DocumentDB Elastic cluster snapshot that the deploying account must already hold
 * (pass its ARN as context to deploy for real), re-encrypting the copy with a new key.
 */
const app = new App();
const stack = new Stack(app, 'CopiedElasticSnapshotInteg', { env: { region: 'us-east-1' } });
const kmsKey = new kms.Key(stack, 'CopyKey', { removalPolicy: RemovalPolicy.DESTROY });

new CopiedElasticSnapshot(stack, 'Copy', {
  sourceSnapshotArn: app.node.tryGetContext('sourceSnapshotArn') ?? 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/integsource',
  targetSnapshotName: 'integ-elastic-copy',
  copyTags: true,
  kmsKey,
  tags: { purpose: 'integ' },
  removalPolicy: RemovalPolicy.DESTROY,
  timeout: Duration.hours(2),
});

new IntegTest(app, 'CopiedElasticSnapshot', { testCases: [stack], diffAssets: true });
