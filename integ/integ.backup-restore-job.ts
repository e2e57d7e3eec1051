import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { BackupResourceType, BackupRestoreJob, RestoreMetadata } from '../lib';

/**
 * Restores an EFS recovery point that the deploying account must already hold (pass its ARN and
 * file system id as context to deploy for real) to a new file system.
 */
const app = new App();
const stack = new Stack(app, 'BackupRestoreJobInteg');

new BackupRestoreJob(stack, 'RestoreFs', {
  recoveryPointArn: app.node.tryGetContext('recoveryPointArn') ?? 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45',
  backupVault: backup.BackupVault.fromBackupVaultName(stack, 'Vault', app.node.tryGetContext('backupVaultName') ?? 'Default'),
  resourceType: BackupResourceType.EFS,
  metadata: RestoreMetadata.efs({
    fileSystemId: app.node.tryGetContext('fileSystemId') ?? 'fs-12345678',
    newFileSystem: true,
    encrypted: true,
    performanceMode: 'generalPurpose',
  }),
  timeout: Duration.hours(4),
});

new IntegTest(app, 'BackupRestoreJob', { testCases: [stack], diffAssets: true });
