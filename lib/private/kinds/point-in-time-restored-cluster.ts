/** The point-in-time restore: a new Neptune or Aurora cluster from a source cluster (RestoreDBClusterToPointInTime). */
import { RestoreKind } from './kind';
import {
  CLUSTER_ATTRIBUTES, CLUSTER_ENGINES, CLUSTER_IN_PLACE, CLUSTER_REMOVAL, ClusterAttribute, ClusterEngineName, ClusterSettings, readClusterSettings,
} from '../contracts/cluster';
import {
  ApiTag, CommonRestoreProperties, RemovalPolicyName, readBoolean, readCommonProperties, readEnum, readInteger, readIsoTime, readOptionalString,
  readRemovalPolicy, readString, readStringList, readTags,
} from '../contracts/common';

export const RESTORE_TYPES = ['full-copy', 'copy-on-write'] as const;
export type RestoreTypeName = typeof RESTORE_TYPES[number];

/**
 * Properties of the point-in-time restore custom resource. Names follow the
 * RestoreDBClusterToPointInTime API; Engine, RemovalPolicy and TimeoutSeconds are the library's.
 */
export interface PointInTimeRestoredClusterProperties extends CommonRestoreProperties, ClusterSettings {
  readonly Engine: ClusterEngineName;
  readonly DBClusterIdentifier: string;
  /** The source by identifier or ARN; exactly one of this and SourceDbClusterResourceId. */
  readonly SourceDBClusterIdentifier?: string;
  /** The source by resource id (`cluster-...`): a deleted cluster whose automated backups are retained. */
  readonly SourceDbClusterResourceId?: string;
  /** ISO 8601 time in UTC; absent means the latest restorable time. */
  readonly RestoreToTime?: string;
  readonly RestoreType: RestoreTypeName;
  readonly Port?: number;
  readonly DBSubnetGroupName?: string;
  readonly VpcSecurityGroupIds?: string[];
  readonly KmsKeyId?: string;
  readonly EnableIAMDatabaseAuthentication?: boolean;
  readonly DeletionProtection?: boolean;
  readonly OptionGroupName?: string;
  readonly DBClusterParameterGroupName?: string;
  readonly EngineLifecycleSupport?: string;
  readonly Tags?: ApiTag[];
  readonly RemovalPolicy: RemovalPolicyName;
}

function read(props: Record<string, unknown>): PointInTimeRestoredClusterProperties {
  const source = readOptionalString('SourceDBClusterIdentifier', props.SourceDBClusterIdentifier);
  const sourceResourceId = readOptionalString('SourceDbClusterResourceId', props.SourceDbClusterResourceId);
  if ((source === undefined) === (sourceResourceId === undefined)) {
    throw new Error(`Exactly one of the properties SourceDBClusterIdentifier and SourceDbClusterResourceId is required, got ${JSON.stringify({ source, sourceResourceId })}`);
  }
  return {
    ...readCommonProperties(props),
    ...readClusterSettings(props),
    Engine: readEnum('Engine', props.Engine, CLUSTER_ENGINES),
    DBClusterIdentifier: readString('DBClusterIdentifier', props.DBClusterIdentifier),
    SourceDBClusterIdentifier: source,
    SourceDbClusterResourceId: sourceResourceId,
    RestoreToTime: readIsoTime('RestoreToTime', props.RestoreToTime),
    RestoreType: readEnum('RestoreType', props.RestoreType ?? 'full-copy', RESTORE_TYPES),
    Port: readInteger('Port', props.Port),
    DBSubnetGroupName: readOptionalString('DBSubnetGroupName', props.DBSubnetGroupName),
    VpcSecurityGroupIds: readStringList('VpcSecurityGroupIds', props.VpcSecurityGroupIds),
    KmsKeyId: readOptionalString('KmsKeyId', props.KmsKeyId),
    EnableIAMDatabaseAuthentication: readBoolean('EnableIAMDatabaseAuthentication', props.EnableIAMDatabaseAuthentication),
    DeletionProtection: readBoolean('DeletionProtection', props.DeletionProtection),
    OptionGroupName: readOptionalString('OptionGroupName', props.OptionGroupName),
    DBClusterParameterGroupName: readOptionalString('DBClusterParameterGroupName', props.DBClusterParameterGroupName),
    EngineLifecycleSupport: readOptionalString('EngineLifecycleSupport', props.EngineLifecycleSupport),
    Tags: readTags(props.Tags),
    RemovalPolicy: readRemovalPolicy(props.RemovalPolicy, CLUSTER_REMOVAL),
  };
}

export const POINT_IN_TIME_RESTORED_CLUSTER: RestoreKind<PointInTimeRestoredClusterProperties, ClusterAttribute> = {
  name: 'point-in-time-restored-cluster',
  resourceType: 'Custom::PointInTimeRestoredCluster',
  read,
  inPlace: CLUSTER_IN_PLACE,
  removal: CLUSTER_REMOVAL,
  attributes: CLUSTER_ATTRIBUTES,
  tags: 'list',
  restoresOnUpdate: true,
};
