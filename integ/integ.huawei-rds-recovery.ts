import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { HuaweiRdsEngine, HuaweiRdsRecovery, HuaweiRestoreSource } from '../lib';

/**
 * Restores a Huawei Cloud RDS for MySQL backup into an existing instance. Deploying it for real
 * needs a Huawei Cloud account and a secret with its keys (pass the ids as context).
 */
const app = new App();
const stack = new Stack(app, 'HuaweiRdsRecoveryInteg');
const credentials = secretsmanager.Secret.fromSecretNameV2(stack, 'Credentials', app.node.tryGetContext('credentialsSecret') ?? 'huawei/rds-restorer');

new HuaweiRdsRecovery(stack, 'Recover', {
  region: app.node.tryGetContext('huaweiRegion') ?? 'cn-north-4',
  projectId: app.node.tryGetContext('projectId') ?? '0483b6b16e954cb88930a360d2c4e663',
  credentials,
  sourceInstanceId: app.node.tryGetContext('sourceInstanceId') ?? 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
  targetInstanceId: app.node.tryGetContext('targetInstanceId') ?? 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
  restoreSource: HuaweiRestoreSource.backup(app.node.tryGetContext('backupId') ?? '2f4ddb93-b901-4b08-93d8-1d2e472f30fe'),
  engine: HuaweiRdsEngine.MYSQL,
  acknowledgeOverwrite: true,
  timeout: Duration.hours(2),
});

new IntegTest(app, 'HuaweiRdsRecovery', { testCases: [stack], diffAssets: true });
