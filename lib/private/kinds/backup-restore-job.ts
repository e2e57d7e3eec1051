/** The AWS Backup restore job (StartRestoreJob), waited for with DescribeRestoreJob. */
import { RestoreKind } from './kind';
import { CommonRestoreProperties, readBoolean, readCommonProperties, readFields, readOptionalString, readString, readStringMap } from '../contracts/common';

/** Properties of the restore job custom resource. Names follow the StartRestoreJob API. */
export interface BackupRestoreJobProperties extends CommonRestoreProperties {
  readonly RecoveryPointArn: string;
  readonly ResourceType: string;
  readonly IamRoleArn: string;
  readonly CopySourceTagsToRestoredResource?: boolean;
  /**
   * The restore metadata, sensitive in the API model: never logged, never in the poller's state.
   * Absent where the handler does not need it (polling a started job).
   */
  readonly Metadata?: Record<string, string>;
  /** The vault that holds the recovery point, which the pre-flight's calls take (the point's ARN does not tell it). */
  readonly BackupVaultName?: string;
  /** The vault's account. */
  readonly BackupVaultAccountId?: string;
}

/**
 * The metadata keys StartRestoreJob needs for a resource type, and those AWS Backup documents besides the ones a
 * recovery point's GetRecoveryPointRestoreMetadata lists (its API reference lists EFS's; the library's builders
 * write the others).
 */
export const RESTORE_METADATA_KEYS: Record<string, { readonly required: readonly string[]; readonly documented: readonly string[] }> = {
  EFS: {
    required: ['file-system-id', 'newFileSystem'],
    documented: ['file-system-id', 'Encrypted', 'KmsKeyId', 'PerformanceMode', 'CreationToken', 'newFileSystem', 'ItemsToRestore'],
  },
  EBS: { required: ['availabilityZone'], documented: ['availabilityZone', 'encrypted', 'kmsKeyId', 'volumeType'] },
  RDS: { required: ['DBInstanceIdentifier'], documented: ['DBInstanceIdentifier'] },
  Aurora: { required: ['DBClusterIdentifier', 'Engine'], documented: ['DBClusterIdentifier', 'Engine'] },
  DynamoDB: { required: ['targetTableName'], documented: ['targetTableName', 'encryptionType', 'kmsMasterKeyArn'] },
  S3: {
    required: ['DestinationBucketName', 'NewBucket'],
    documented: ['DestinationBucketName', 'NewBucket', 'Encrypted', 'EncryptionType', 'KMSKey', 'ItemsToRestore'],
  },
};

const ATTRIBUTES = ['RestoreJobId', 'CreatedResourceArn', 'Status', 'ResourceType', 'CompletionDate'] as const;

function read(props: Record<string, unknown>): BackupRestoreJobProperties {
  return {
    ...readCommonProperties(props),
    ...readFields(props, {
      RecoveryPointArn: readString,
      ResourceType: readString,
      IamRoleArn: readString,
      CopySourceTagsToRestoredResource: readBoolean,
      Metadata: readStringMap,
      BackupVaultName: readOptionalString,
      BackupVaultAccountId: readOptionalString,
    }),
  };
}

export const BACKUP_RESTORE_JOB: RestoreKind<BackupRestoreJobProperties, typeof ATTRIBUTES[number]> = {
  name: 'backup-restore-job',
  resourceType: 'Custom::BackupRestoreJob',
  read,
  // Nothing of a job changes in place: other inputs are another job (AWS Backup cannot change a started one). The vault
  // only tells the pre-flight where the point is: naming it later is no new restore.
  inPlace: ['BackupVaultName', 'BackupVaultAccountId'],
  attributes: ATTRIBUTES,
  sensitive: ['Metadata'],
  restoresOnUpdate: true,
};
