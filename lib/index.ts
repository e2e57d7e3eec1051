export * from './cluster-endpoint';
export * from './restored-cluster-options';
export * from './neptune-cluster-instance';
export * from './point-in-time-restored-cluster';
export * from './s3-imported-aurora-cluster';
export * from './copied-elastic-snapshot';
export * from './backup-restore-job';
export * from './huawei-rds-recovery';
