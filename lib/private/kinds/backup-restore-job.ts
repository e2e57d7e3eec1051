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
 * The restore metadata of the one type whose keys StartRestoreJob's API reference lists (EFS): the keys a restore
 * needs, and every key it takes, those that GetRecoveryPointRestoreMetadata does not return included. Keys are
 * compared without case, as the reference's own example writes "itemsToRestore". For the other types the keys a
 * point knows are not all documented, so the pre-flight refuses none.
 */
export const DOCUMENTED_RESTORE_METADATA: Record<string, { readonly required: readonly string[]; readonly known: readonly string[] }> = {
  EFS: {
    required: ['file-system-id', 'newFileSystem'],
    known: ['file-system-id', 'Encrypted', 'KmsKeyId', 'PerformanceMode', 'CreationToken', 'newFileSystem', 'ItemsToRestore'],
  },
};

/** Resource types AWS Backup restores from one family of snapshots (arn:aws:rds:...), whose names for it may differ between its calls. */
export const RDS_FAMILY_RESOURCE_TYPES = ['RDS', 'Aurora', 'DocumentDB', 'Neptune'];

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
