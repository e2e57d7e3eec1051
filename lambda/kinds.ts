/**
 * The handler registry: one line per restore kind, exporting its handler, which names its kind's definition
 * (`lib/private/kinds/<kind>.ts`). The bundle's entry point (`index.ts`) routes each custom resource type to
 * the handler whose kind it is, so adding a kind adds one line here and no Lambda function.
 */
export { pointInTimeRestoredClusterHandler } from './point-in-time-restored-cluster/handler';
export { s3ImportedAuroraClusterHandler } from './s3-imported-aurora-cluster/handler';
export { copiedElasticSnapshotHandler } from './copied-elastic-snapshot/handler';
export { backupRestoreJobHandler } from './backup-restore-job/handler';
export { huaweiRdsRecoveryHandler } from './huawei-rds-recovery/handler';
