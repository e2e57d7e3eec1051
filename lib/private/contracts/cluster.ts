/** What the kinds that restore a DB cluster share in their definitions: engines, removal, settings, attributes. */
import {
  ApiTag, CommonRestoreProperties, readBoolean, readCommonProperties, readFields, readInteger, readOptionalString, readString, readStringList,
  removalBy, RemovalPolicyName, RemovalRule, tagList,
} from './common';

/** The DB cluster engines, as the RDS and Neptune APIs name them. */
export const CLUSTER_ENGINES = ['neptune', 'aurora-mysql', 'aurora-postgresql'] as const;
export type ClusterEngineName = typeof CLUSTER_ENGINES[number];

/** A restored cluster is deleted with a final snapshot unless the user chose otherwise. */
export const CLUSTER_REMOVAL: RemovalRule<RemovalPolicyName> = { allowed: ['snapshot', 'destroy', 'retain'], default: 'snapshot' };

/**
 * The cluster's settings: what ModifyDBCluster can change, named as it (or, for the log exports, the
 * restore APIs) names them. Each is sent in the restore call when that API takes it, and otherwise
 * applied by ModifyDBCluster once the restored cluster is available, before the wait ends. A change
 * later is applied in place.
 */
export interface ClusterSettings {
  readonly Port?: number;
  readonly VpcSecurityGroupIds?: string[];
  readonly EnableIAMDatabaseAuthentication?: boolean;
  readonly DBClusterParameterGroupName?: string;
  readonly OptionGroupName?: string;
  readonly ServerlessV2ScalingConfiguration?: { readonly MinCapacity: number; readonly MaxCapacity: number };
  readonly StorageType?: string;
  readonly EnableCloudwatchLogsExports?: string[];
  readonly CopyTagsToSnapshot?: boolean;
  readonly BacktrackWindow?: number;
  readonly BackupRetentionPeriod?: number;
  readonly PreferredBackupWindow?: string;
  readonly PreferredMaintenanceWindow?: string;
  readonly NetworkType?: string;
  readonly EnablePerformanceInsights?: boolean;
  readonly PerformanceInsightsKMSKeyId?: string;
  readonly PerformanceInsightsRetentionPeriod?: number;
  readonly ManageMasterUserPassword?: boolean;
  readonly MasterUserSecretKmsKeyId?: string;
  readonly AutoMinorVersionUpgrade?: boolean;
  readonly DatabaseInsightsMode?: string;
  readonly EnableLocalWriteForwarding?: boolean;
  readonly EngineVersion?: string;
  /** The Data API: turned on and off by EnableHttpEndpoint and DisableHttpEndpoint (ModifyDBCluster's member is for Aurora Serverless v1 only). */
  readonly EnableHttpEndpoint?: boolean;
  /** The directory of Kerberos authentication (its id); "none" takes the cluster out of its directory. */
  readonly Domain?: string;
  /** The role RDS calls the Directory Service with; RDS takes it with Domain, and a change of it with the current Domain. */
  readonly DomainIAMRoleName?: string;
  /** Not a setting of its own: sent with a change of EngineVersion, which it lets cross a major version. */
  readonly AllowMajorVersionUpgrade?: boolean;
  /** Not a setting of its own: the instances' parameter group, sent with an upgrade to another major version. */
  readonly DBInstanceParameterGroupName?: string;
}

export const CLUSTER_SETTINGS = [
  'Port', 'VpcSecurityGroupIds', 'EnableIAMDatabaseAuthentication', 'DBClusterParameterGroupName', 'OptionGroupName', 'ServerlessV2ScalingConfiguration', 'StorageType', 'EnableCloudwatchLogsExports', 'CopyTagsToSnapshot', 'BacktrackWindow',
  'BackupRetentionPeriod', 'PreferredBackupWindow', 'PreferredMaintenanceWindow', 'NetworkType', 'EnablePerformanceInsights',
  'PerformanceInsightsKMSKeyId', 'PerformanceInsightsRetentionPeriod', 'ManageMasterUserPassword', 'MasterUserSecretKmsKeyId',
  'AutoMinorVersionUpgrade', 'DatabaseInsightsMode', 'EnableLocalWriteForwarding', 'EngineVersion', 'EnableHttpEndpoint', 'Domain', 'DomainIAMRoleName',
] as const satisfies readonly (keyof ClusterSettings)[];
export type ClusterSetting = typeof CLUSTER_SETTINGS[number];

/**
 * The settings that were restore inputs before they changed in place. The constructs still name a derived
 * identifier and the wait after them, in their old places among the restore inputs, so that nothing a deployed
 * stack holds is renamed by an upgrade; a later change of one names them anew, and the handler takes it for a setting.
 */
export const NAMING_SETTINGS = [
  'Port', 'VpcSecurityGroupIds', 'EnableIAMDatabaseAuthentication', 'DBClusterParameterGroupName', 'OptionGroupName',
] as const satisfies readonly ClusterSetting[];
export type NamingSetting = typeof NAMING_SETTINGS[number];

/**
 * What changes on a restored cluster without a new restore: its tags, its removal policy, its
 * deletion protection (which must be switchable off before a delete), whether an upgrade may cross a major
 * version and the instances' parameter group it applies, and its settings.
 */
export const CLUSTER_IN_PLACE = [
  'Tags', 'RemovalPolicy', 'DeletionProtection', 'AllowMajorVersionUpgrade', 'DBInstanceParameterGroupName', ...CLUSTER_SETTINGS,
] as const;
export type ClusterInPlace = typeof CLUSTER_IN_PLACE[number];

function readNumber(name: string, raw: unknown): number {
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (raw === '' || raw === null || raw === undefined || Number.isNaN(value)) throw new Error(`Property ${name} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

/** Reads the cluster settings among a kind's properties. */
export function readClusterSettings(props: Record<string, unknown>): ClusterSettings {
  const scaling = props.ServerlessV2ScalingConfiguration as Record<string, unknown> | undefined;
  return {
    ServerlessV2ScalingConfiguration: scaling === undefined || scaling === null ? undefined : {
      MinCapacity: readNumber('ServerlessV2ScalingConfiguration.MinCapacity', scaling.MinCapacity),
      MaxCapacity: readNumber('ServerlessV2ScalingConfiguration.MaxCapacity', scaling.MaxCapacity),
    },
    ...readFields(props, {
      Port: readInteger,
      VpcSecurityGroupIds: readStringList,
      EnableIAMDatabaseAuthentication: readBoolean,
      DBClusterParameterGroupName: readOptionalString,
      OptionGroupName: readOptionalString,
      StorageType: readOptionalString,
      EnableCloudwatchLogsExports: readStringList,
      CopyTagsToSnapshot: readBoolean,
      BacktrackWindow: readInteger,
      BackupRetentionPeriod: readInteger,
      PreferredBackupWindow: readOptionalString,
      PreferredMaintenanceWindow: readOptionalString,
      NetworkType: readOptionalString,
      EnablePerformanceInsights: readBoolean,
      PerformanceInsightsKMSKeyId: readOptionalString,
      PerformanceInsightsRetentionPeriod: readInteger,
      ManageMasterUserPassword: readBoolean,
      MasterUserSecretKmsKeyId: readOptionalString,
      AutoMinorVersionUpgrade: readBoolean,
      DatabaseInsightsMode: readOptionalString,
      EnableLocalWriteForwarding: readBoolean,
      EngineVersion: readOptionalString,
      EnableHttpEndpoint: readBoolean,
      Domain: readOptionalString,
      DomainIAMRoleName: readOptionalString,
      AllowMajorVersionUpgrade: readBoolean,
      DBInstanceParameterGroupName: readOptionalString,
    }),
  };
}

/**
 * The hash at the end of a derived identifier. What comes before it is the construct's own part, which the
 * handler role's rights name and by which a rollback finds a cluster restored under an earlier derived name.
 */
export const DERIVED_HASH_LENGTH = 8;

/** The attribute a cluster with a managed master password adds to the common ones: its secret. */
export const MASTER_USER_SECRET_ARN_ATTRIBUTE = 'MasterUserSecretArn';

/**
 * Attributes of a restored DB cluster, returned by the handler as the attributes resource's Data and read by
 * the constructs with getAtt (MasterUserSecretArn empty without a managed password).
 */
export const CLUSTER_ATTRIBUTES = [
  'DBClusterIdentifier', 'DBClusterArn', 'DbClusterResourceId', 'Endpoint', 'ReaderEndpoint', 'Port', MASTER_USER_SECRET_ARN_ATTRIBUTE,
] as const;
export type ClusterAttribute = typeof CLUSTER_ATTRIBUTES[number];

/**
 * What the custom resource of every cluster-restoring kind carries besides its kind's own inputs: the new
 * cluster's name, placement and encryption, the settings that change in place, its tags and removal.
 */
export interface ClusterRestoreProperties extends CommonRestoreProperties, ClusterSettings {
  readonly DBClusterIdentifier: string;
  readonly DBSubnetGroupName?: string;
  readonly KmsKeyId?: string;
  readonly DeletionProtection?: boolean;
  readonly EngineLifecycleSupport?: string;
  readonly Tags?: ApiTag[];
  readonly RemovalPolicy: RemovalPolicyName;
}

/** Reads the properties every cluster-restoring kind shares, as CloudFormation delivers them. */
export function readClusterRestoreProperties(props: Record<string, unknown>): ClusterRestoreProperties {
  return {
    ...readCommonProperties(props),
    ...readClusterSettings(props),
    ...readFields(props, {
      DBClusterIdentifier: readString,
      DBSubnetGroupName: readOptionalString,
      KmsKeyId: readOptionalString,
      DeletionProtection: readBoolean,
      EngineLifecycleSupport: readOptionalString,
      Tags: tagList,
      RemovalPolicy: removalBy(CLUSTER_REMOVAL),
    }),
  };
}

/**
 * What every cluster-restoring kind's definition says alike: the cluster's settings change in place, it is
 * removed by its removal policy, it has the cluster attributes and RDS's tags, and an Update may restore anew.
 */
export const CLUSTER_KIND_TRAITS = {
  inPlace: CLUSTER_IN_PLACE,
  removal: CLUSTER_REMOVAL,
  attributes: CLUSTER_ATTRIBUTES,
  tags: 'list',
  restoresOnUpdate: true,
  derivedName: 'DBClusterIdentifier',
  namedBy: NAMING_SETTINGS,
} as const;
