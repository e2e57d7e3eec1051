/** The AWS Backup restore job (StartRestoreJob), waited for with DescribeRestoreJob. */
import { RestoreKind } from './kind';
import { CommonRestoreProperties, readBoolean, readCommonProperties, readFields, readString, readStringMap } from '../contracts/common';

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
}

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
    }),
  };
}

export const BACKUP_RESTORE_JOB: RestoreKind<BackupRestoreJobProperties, typeof ATTRIBUTES[number]> = {
  name: 'backup-restore-job',
  resourceType: 'Custom::BackupRestoreJob',
  read,
  // Nothing of a job changes in place: other inputs are another job (AWS Backup cannot change a started one).
  inPlace: [],
  attributes: ATTRIBUTES,
  sensitive: ['Metadata'],
  restoresOnUpdate: true,
};
