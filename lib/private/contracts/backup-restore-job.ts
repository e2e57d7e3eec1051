import { CommonRestoreProperties, readBoolean, readCommonProperties, readString, readStringMap } from './common';

/** CloudFormation type of the AWS Backup restore job custom resource. */
export const BACKUP_RESTORE_JOB_RESOURCE_TYPE = 'Custom::BackupRestoreJob';

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

/** Nothing of a job changes in place: other inputs are another job (AWS Backup cannot change a started one). */
export const BACKUP_RESTORE_JOB_IN_PLACE = [] as const;

/** Properties the handler keeps out of every log line and out of the polling state. */
export const BACKUP_SENSITIVE_PROPERTIES = ['Metadata'];

export function readBackupRestoreJobProperties(props: Record<string, unknown>): BackupRestoreJobProperties {
  return {
    ...readCommonProperties(props),
    RecoveryPointArn: readString('RecoveryPointArn', props.RecoveryPointArn),
    ResourceType: readString('ResourceType', props.ResourceType),
    IamRoleArn: readString('IamRoleArn', props.IamRoleArn),
    CopySourceTagsToRestoredResource: readBoolean('CopySourceTagsToRestoredResource', props.CopySourceTagsToRestoredResource),
    Metadata: readStringMap('Metadata', props.Metadata),
  };
}
