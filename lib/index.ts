/**
 * The package's exports: the shared options and validation, and one line per restore kind's construct.
 */
export * from './cluster-endpoint';
export * from './restore-options';
export * from './restore-validation';
export * from './restore-drill';
export * from './restored-cluster-options';
export * from './neptune-cluster-instance';
export * from './point-in-time-restored-cluster';
export * from './s3-imported-aurora-cluster';
export * from './copied-elastic-snapshot';
export * from './backup-restore-job';
export * from './huawei-rds-recovery';
export * from './restore-point';
