export * from './point-in-time-restored-cluster';
