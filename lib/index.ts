export * from './cluster-endpoint';
export * from './point-in-time-restored-cluster';
