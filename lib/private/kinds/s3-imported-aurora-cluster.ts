/** The S3 import: an Aurora MySQL cluster made from a Percona XtraBackup in S3 (RestoreDBClusterFromS3). */
import { RestoreKind } from './kind';
import { CLUSTER_ATTRIBUTES, CLUSTER_IN_PLACE, CLUSTER_REMOVAL, ClusterAttribute, ClusterSettings, readClusterSettings } from '../contracts/cluster';
import {
  ApiTag, CommonRestoreProperties, RemovalPolicyName, readBoolean, readCommonProperties, readEnum, readInteger, readOptionalString,
  readRemovalPolicy, readString, readStringList, readTags,
} from '../contracts/common';

/**
 * Properties of the S3 import custom resource. Names follow the RestoreDBClusterFromS3 API;
 * RemovalPolicy and TimeoutSeconds are the library's. No password: RDS manages it in Secrets Manager.
 */
export interface S3ImportedAuroraClusterProperties extends CommonRestoreProperties, ClusterSettings {
  readonly DBClusterIdentifier: string;
  readonly Engine: 'aurora-mysql';
  readonly EngineVersion?: string;
  readonly MasterUsername: string;
  readonly SourceEngine: 'mysql';
  readonly SourceEngineVersion: string;
  readonly S3BucketName: string;
  readonly S3Prefix?: string;
  readonly S3IngestionRoleArn: string;
  readonly Port?: number;
  readonly DBSubnetGroupName?: string;
  readonly VpcSecurityGroupIds?: string[];
  readonly StorageEncrypted?: boolean;
  readonly KmsKeyId?: string;
  readonly EnableIAMDatabaseAuthentication?: boolean;
  readonly DeletionProtection?: boolean;
  readonly DatabaseName?: string;
  readonly DBClusterParameterGroupName?: string;
  readonly EngineLifecycleSupport?: string;
  readonly Tags?: ApiTag[];
  readonly RemovalPolicy: RemovalPolicyName;
}

function read(props: Record<string, unknown>): S3ImportedAuroraClusterProperties {
  return {
    ...readCommonProperties(props),
    ...readClusterSettings(props),
    DBClusterIdentifier: readString('DBClusterIdentifier', props.DBClusterIdentifier),
    Engine: readEnum('Engine', props.Engine ?? 'aurora-mysql', ['aurora-mysql'] as const),
    EngineVersion: readOptionalString('EngineVersion', props.EngineVersion),
    MasterUsername: readString('MasterUsername', props.MasterUsername),
    SourceEngine: readEnum('SourceEngine', props.SourceEngine ?? 'mysql', ['mysql'] as const),
    SourceEngineVersion: readString('SourceEngineVersion', props.SourceEngineVersion),
    S3BucketName: readString('S3BucketName', props.S3BucketName),
    S3Prefix: readOptionalString('S3Prefix', props.S3Prefix),
    S3IngestionRoleArn: readString('S3IngestionRoleArn', props.S3IngestionRoleArn),
    Port: readInteger('Port', props.Port),
    DBSubnetGroupName: readOptionalString('DBSubnetGroupName', props.DBSubnetGroupName),
    VpcSecurityGroupIds: readStringList('VpcSecurityGroupIds', props.VpcSecurityGroupIds),
    StorageEncrypted: readBoolean('StorageEncrypted', props.StorageEncrypted),
    KmsKeyId: readOptionalString('KmsKeyId', props.KmsKeyId),
    EnableIAMDatabaseAuthentication: readBoolean('EnableIAMDatabaseAuthentication', props.EnableIAMDatabaseAuthentication),
    DeletionProtection: readBoolean('DeletionProtection', props.DeletionProtection),
    DatabaseName: readOptionalString('DatabaseName', props.DatabaseName),
    DBClusterParameterGroupName: readOptionalString('DBClusterParameterGroupName', props.DBClusterParameterGroupName),
    EngineLifecycleSupport: readOptionalString('EngineLifecycleSupport', props.EngineLifecycleSupport),
    Tags: readTags(props.Tags),
    RemovalPolicy: readRemovalPolicy(props.RemovalPolicy, CLUSTER_REMOVAL),
  };
}

export const S3_IMPORTED_AURORA_CLUSTER: RestoreKind<S3ImportedAuroraClusterProperties, ClusterAttribute> = {
  name: 's3-imported-aurora-cluster',
  resourceType: 'Custom::S3ImportedAuroraCluster',
  read,
  inPlace: CLUSTER_IN_PLACE,
  removal: CLUSTER_REMOVAL,
  attributes: CLUSTER_ATTRIBUTES,
  tags: 'list',
  restoresOnUpdate: true,
};
