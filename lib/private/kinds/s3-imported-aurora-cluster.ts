/** The S3 import: an Aurora MySQL cluster made from a Percona XtraBackup in S3 (RestoreDBClusterFromS3). */
import { RestoreKind } from './kind';
import { CLUSTER_KIND_TRAITS, ClusterAttribute, ClusterRestoreProperties, readClusterRestoreProperties } from '../contracts/cluster';
import { readBoolean, readEnum, readOptionalString, readString } from '../contracts/common';

/**
 * Properties of the S3 import custom resource. Names follow the RestoreDBClusterFromS3 API;
 * RemovalPolicy and TimeoutSeconds are the library's. No password: RDS manages it in Secrets Manager.
 */
export interface S3ImportedAuroraClusterProperties extends ClusterRestoreProperties {
  readonly Engine: 'aurora-mysql';
  readonly EngineVersion?: string;
  readonly MasterUsername: string;
  readonly SourceEngine: 'mysql';
  readonly SourceEngineVersion: string;
  readonly S3BucketName: string;
  readonly S3Prefix?: string;
  readonly S3IngestionRoleArn: string;
  readonly StorageEncrypted?: boolean;
  readonly DatabaseName?: string;
}

function read(props: Record<string, unknown>): S3ImportedAuroraClusterProperties {
  return {
    ...readClusterRestoreProperties(props),
    Engine: readEnum('Engine', props.Engine ?? 'aurora-mysql', ['aurora-mysql'] as const),
    EngineVersion: readOptionalString('EngineVersion', props.EngineVersion),
    MasterUsername: readString('MasterUsername', props.MasterUsername),
    SourceEngine: readEnum('SourceEngine', props.SourceEngine ?? 'mysql', ['mysql'] as const),
    SourceEngineVersion: readString('SourceEngineVersion', props.SourceEngineVersion),
    S3BucketName: readString('S3BucketName', props.S3BucketName),
    S3Prefix: readOptionalString('S3Prefix', props.S3Prefix),
    S3IngestionRoleArn: readString('S3IngestionRoleArn', props.S3IngestionRoleArn),
    StorageEncrypted: readBoolean('StorageEncrypted', props.StorageEncrypted),
    DatabaseName: readOptionalString('DatabaseName', props.DatabaseName),
  };
}

export const S3_IMPORTED_AURORA_CLUSTER: RestoreKind<S3ImportedAuroraClusterProperties, ClusterAttribute> = {
  name: 's3-imported-aurora-cluster',
  resourceType: 'Custom::S3ImportedAuroraCluster',
  read,
  ...CLUSTER_KIND_TRAITS,
};
