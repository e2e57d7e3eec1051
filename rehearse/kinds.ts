/**
 * The rehearsal's registry: one line per restore kind, exporting its part in a rehearsal
 * (`rehearse/kinds/<kind>.ts`), which names its kind's definition. The rehearsal plays every kind listed here.
 */
export { POINT_IN_TIME_REHEARSAL } from './kinds/point-in-time-restored-cluster';
export { S3_IMPORT_REHEARSAL } from './kinds/s3-imported-aurora-cluster';
export { COPIED_ELASTIC_SNAPSHOT_REHEARSAL } from './kinds/copied-elastic-snapshot';
export { BACKUP_RESTORE_JOB_REHEARSAL } from './kinds/backup-restore-job';
export { HUAWEI_RDS_RECOVERY_REHEARSAL } from './kinds/huawei-rds-recovery';
