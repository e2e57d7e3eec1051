import {
  CommonRestoreProperties, RemovalPolicyName, readBoolean, readCommonProperties, readEnum, readInteger,
  readOptionalString, readString,
} from './common';

/** CloudFormation type of the point-in-time restore custom resource. */
export const POINT_IN_TIME_RESOURCE_TYPE = 'Custom::PointInTimeRestoredCluster';

/** Engines a point-in-time restore supports, as the RDS and Neptune APIs name them. */
export const POINT_IN_TIME_ENGINES = ['neptune', 'aurora-mysql', 'aurora-postgresql'] as const;
export type PointInTimeEngine = typeof POINT_IN_TIME_ENGINES[number];

export const RESTORE_TYPES = ['full-copy', 'copy-on-write'] as const;
export type RestoreTypeName = typeof RESTORE_TYPES[number];

export const REMOVAL_POLICIES: readonly RemovalPolicyName[] = ['snapshot', 'destroy', 'retain'];

/** A resource tag as the RDS and Neptune APIs take it. */
export interface ApiTag {
  readonly Key: string;
  readonly Value: string;
}

/**
 * Properties of the point-in-time restore custom resource. Names follow the
 * RestoreDBClusterToPointInTime API; Engine, RemovalPolicy and TimeoutSeconds are the library's.
 */
export interface PointInTimeRestoreProperties extends CommonRestoreProperties {
  readonly Engine: PointInTimeEngine;
  readonly DBClusterIdentifier: string;
  readonly SourceDBClusterIdentifier: string;
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
  readonly Tags?: ApiTag[];
  readonly RemovalPolicy: RemovalPolicyName;
}

export function readTags(raw: unknown): ApiTag[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new Error(`Property Tags must be a list of {Key, Value}, got ${JSON.stringify(raw)}`);
  return raw.map((tag, i) => ({ Key: readString(`Tags[${i}].Key`, tag?.Key), Value: String(tag?.Value ?? '') }));
}

export function readStringList(name: string, raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new Error(`Property ${name} must be a list of strings, got ${JSON.stringify(raw)}`);
  return raw.map((item, i) => readString(`${name}[${i}]`, item));
}

/** Decodes the custom resource's properties as CloudFormation delivers them. */
export function readPointInTimeProperties(props: Record<string, unknown>): PointInTimeRestoreProperties {
  const restoreToTime = readOptionalString('RestoreToTime', props.RestoreToTime);
  if (restoreToTime !== undefined && Number.isNaN(Date.parse(restoreToTime))) {
    throw new Error(`Property RestoreToTime must be an ISO 8601 time, got ${JSON.stringify(restoreToTime)}`);
  }
  return {
    ...readCommonProperties(props),
    Engine: readEnum('Engine', props.Engine, POINT_IN_TIME_ENGINES),
    DBClusterIdentifier: readString('DBClusterIdentifier', props.DBClusterIdentifier),
    SourceDBClusterIdentifier: readString('SourceDBClusterIdentifier', props.SourceDBClusterIdentifier),
    RestoreToTime: restoreToTime,
    RestoreType: readEnum('RestoreType', props.RestoreType ?? 'full-copy', RESTORE_TYPES),
    Port: readInteger('Port', props.Port),
    DBSubnetGroupName: readOptionalString('DBSubnetGroupName', props.DBSubnetGroupName),
    VpcSecurityGroupIds: readStringList('VpcSecurityGroupIds', props.VpcSecurityGroupIds),
    KmsKeyId: readOptionalString('KmsKeyId', props.KmsKeyId),
    EnableIAMDatabaseAuthentication: readBoolean('EnableIAMDatabaseAuthentication', props.EnableIAMDatabaseAuthentication),
    DeletionProtection: readBoolean('DeletionProtection', props.DeletionProtection),
    OptionGroupName: readOptionalString('OptionGroupName', props.OptionGroupName),
    DBClusterParameterGroupName: readOptionalString('DBClusterParameterGroupName', props.DBClusterParameterGroupName),
    Tags: readTags(props.Tags),
    RemovalPolicy: readEnum('RemovalPolicy', props.RemovalPolicy ?? 'snapshot', REMOVAL_POLICIES),
  };
}
