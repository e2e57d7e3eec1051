/** The S3 import: an Aurora MySQL cluster made from a Percona XtraBackup in S3 (RestoreDBClusterFromS3). */
import { RestoreKind } from './kind';
import { CLUSTER_KIND_TRAITS, NAMING_SETTINGS, ClusterAttribute, ClusterRestoreProperties, readClusterRestoreProperties } from '../contracts/cluster';
import { oneOf, readBoolean, readFields, readOptionalString, readString } from '../contracts/common';

/**
 * Properties of the S3 import custom resource. Names follow the RestoreDBClusterFromS3 API;
 * RemovalPolicy and TimeoutSeconds are the library's. No password: RDS manages it in Secrets Manager.
 */
export interface S3ImportedAuroraClusterProperties extends ClusterRestoreProperties {
  readonly Engine: 'aurora-mysql';
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
    ...readFields(props, {
      Engine: oneOf(['aurora-mysql'] as const, 'aurora-mysql'),
      MasterUsername: readString,
      SourceEngine: oneOf(['mysql'] as const, 'mysql'),
      SourceEngineVersion: readString,
      S3BucketName: readString,
      S3Prefix: readOptionalString,
      S3IngestionRoleArn: readString,
      StorageEncrypted: readBoolean,
      DatabaseName: readOptionalString,
    }),
  };
}

export const S3_IMPORTED_AURORA_CLUSTER: RestoreKind<S3ImportedAuroraClusterProperties, ClusterAttribute> = {
  name: 's3-imported-aurora-cluster',
  resourceType: 'Custom::S3ImportedAuroraCluster',
  read,
  ...CLUSTER_KIND_TRAITS,
  // The version imported into was a restore input before it could be upgraded in place: it still names the wait.
  namedBy: [...NAMING_SETTINGS, 'EngineVersion'],
};
