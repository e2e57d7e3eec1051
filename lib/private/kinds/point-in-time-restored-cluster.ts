/** The point-in-time restore: a new Neptune or Aurora cluster from a source cluster (RestoreDBClusterToPointInTime). */
import { RestoreKind } from './kind';
import { CLUSTER_ENGINES, CLUSTER_KIND_TRAITS, ClusterAttribute, ClusterEngineName, ClusterRestoreProperties, readClusterRestoreProperties } from '../contracts/cluster';
import { oneOf, readFields, readIsoTime, readOptionalString } from '../contracts/common';

export const RESTORE_TYPES = ['full-copy', 'copy-on-write'] as const;
export type RestoreTypeName = typeof RESTORE_TYPES[number];

/**
 * Properties of the point-in-time restore custom resource. Names follow the
 * RestoreDBClusterToPointInTime API; Engine, RemovalPolicy and TimeoutSeconds are the library's.
 */
export interface PointInTimeRestoredClusterProperties extends ClusterRestoreProperties {
  readonly Engine: ClusterEngineName;
  /** The source by identifier or ARN; exactly one of this and SourceDbClusterResourceId. */
  readonly SourceDBClusterIdentifier?: string;
  /** The source by resource id (`cluster-...`): a deleted cluster whose automated backups are retained. */
  readonly SourceDbClusterResourceId?: string;
  /** ISO 8601 time in UTC; absent means the latest restorable time. */
  readonly RestoreToTime?: string;
  readonly RestoreType: RestoreTypeName;
}

function read(props: Record<string, unknown>): PointInTimeRestoredClusterProperties {
  const source = readOptionalString('SourceDBClusterIdentifier', props.SourceDBClusterIdentifier);
  const sourceResourceId = readOptionalString('SourceDbClusterResourceId', props.SourceDbClusterResourceId);
  if ((source === undefined) === (sourceResourceId === undefined)) {
    throw new Error(`Exactly one of the properties SourceDBClusterIdentifier and SourceDbClusterResourceId is required, got ${JSON.stringify({ source, sourceResourceId })}`);
  }
  return {
    ...readClusterRestoreProperties(props),
    ...readFields(props, {
      Engine: oneOf(CLUSTER_ENGINES),
      RestoreToTime: readIsoTime,
      RestoreType: oneOf(RESTORE_TYPES, 'full-copy'),
    }),
    SourceDBClusterIdentifier: source,
    SourceDbClusterResourceId: sourceResourceId,
  };
}

export const POINT_IN_TIME_RESTORED_CLUSTER: RestoreKind<PointInTimeRestoredClusterProperties, ClusterAttribute> = {
  name: 'point-in-time-restored-cluster',
  resourceType: 'Custom::PointInTimeRestoredCluster',
  read,
  ...CLUSTER_KIND_TRAITS,
};
