import { backupRestoreJobHandler } from './backup-restore-job/handler';
import { copiedElasticSnapshotHandler } from './copied-elastic-snapshot/handler';
import { huaweiRdsRecoveryHandler } from './huawei-rds-recovery/handler';
import { pointInTimeRestoredClusterHandler } from './point-in-time-restored-cluster/handler';
import { s3ImportedAuroraClusterHandler } from './s3-imported-aurora-cluster/handler';
import { restoreHandlers } from './shared/handlers';
import { BACKUP_RESTORE_JOB_RESOURCE_TYPE } from '../lib/private/contracts/backup-restore-job';
import { COPIED_ELASTIC_SNAPSHOT_RESOURCE_TYPE } from '../lib/private/contracts/copied-elastic-snapshot';
import { HUAWEI_RDS_RECOVERY_RESOURCE_TYPE } from '../lib/private/contracts/huawei-rds-recovery';
import { POINT_IN_TIME_RESTORED_CLUSTER_RESOURCE_TYPE } from '../lib/private/contracts/point-in-time-restored-cluster';
import { S3_IMPORTED_AURORA_CLUSTER_RESOURCE_TYPE } from '../lib/private/contracts/s3-imported-aurora-cluster';

/**
 * The handler bundle of the stack's shared provider, and the only file that knows every restore kind:
 * the custom resource's type selects the kind, so adding a construct adds no Lambda function.
 */
export const { onEvent, isComplete, poll } = restoreHandlers({
  [POINT_IN_TIME_RESTORED_CLUSTER_RESOURCE_TYPE]: pointInTimeRestoredClusterHandler,
  [S3_IMPORTED_AURORA_CLUSTER_RESOURCE_TYPE]: s3ImportedAuroraClusterHandler,
  [COPIED_ELASTIC_SNAPSHOT_RESOURCE_TYPE]: copiedElasticSnapshotHandler,
  [BACKUP_RESTORE_JOB_RESOURCE_TYPE]: backupRestoreJobHandler,
  [HUAWEI_RDS_RECOVERY_RESOURCE_TYPE]: huaweiRdsRecoveryHandler,
});
