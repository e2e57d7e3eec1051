/** RestoreDBClusterFromS3: an Aurora MySQL cluster from a Percona XtraBackup in S3. */
import { DescribeDBEngineVersionsCommand, RDSClient, RestoreDBClusterFromS3Command } from '@aws-sdk/client-rds';
import { ClusterSetting } from '../../lib/private/contracts/cluster';
import { S3_IMPORTED_AURORA_CLUSTER, S3ImportedAuroraClusterProperties } from '../../lib/private/kinds/s3-imported-aurora-cluster';
import { clusterRestoreHandler } from '../cluster/lifecycle';
import { retrying, RetryPolicy } from '../shared/retry';

const rds = () => new RDSClient({ maxAttempts: 6 });

/**
 * S3 and IAM are eventually consistent: a role or bucket policy made moments ago in the same
 * deployment can make RDS fail to reach the backup at first. Those errors are retried.
 */
export function isEventuallyConsistent(error: unknown): boolean {
  const e = error as Error;
  return e?.name === 'InvalidS3BucketFault'
    || /cannot be (downloaded|found)|could not be (downloaded|found)|does not include the required permissions|cannot be assumed|not authorized to perform: sts:AssumeRole/i.test(e?.message ?? '');
}

/** Retries of an import that cannot reach its backup yet: about two minutes, well inside the handler's five. */
export const EVENTUAL_CONSISTENCY_RETRY: RetryPolicy = {
  retryable: isEventuallyConsistent,
  delaysSeconds: [5, 10, 20, 30, 45],
  label: 'RestoreDBClusterFromS3 (the backup may not be reachable yet)',
};

/** The engine version must be one this region offers; the API's own error for it is vague. */
async function preflight(_api: unknown, props: S3ImportedAuroraClusterProperties): Promise<void> {
  if (!props.EngineVersion) return;
  const out = await rds().send(new DescribeDBEngineVersionsCommand({ Engine: props.Engine, EngineVersion: props.EngineVersion }));
  if (!out.DBEngineVersions?.length) {
    throw new Error(`Aurora MySQL version "${props.EngineVersion}" (engineVersion) is not offered in this region. List the versions with: aws rds describe-db-engine-versions --engine aurora-mysql --query "DBEngineVersions[].EngineVersion"`);
  }
}

/** The settings RestoreDBClusterFromS3 takes (the official model); ModifyDBCluster applies the others once the cluster is available. */
const RESTORE_TAKES: readonly ClusterSetting[] = [
  'Port', 'VpcSecurityGroupIds', 'EnableIAMDatabaseAuthentication', 'DBClusterParameterGroupName', 'OptionGroupName', 'ServerlessV2ScalingConfiguration', 'StorageType', 'EnableCloudwatchLogsExports', 'CopyTagsToSnapshot', 'BacktrackWindow',
  'BackupRetentionPeriod', 'PreferredBackupWindow', 'PreferredMaintenanceWindow', 'NetworkType', 'ManageMasterUserPassword', 'MasterUserSecretKmsKeyId',
  'EngineVersion', 'Domain', 'DomainIAMRoleName',
];

export const s3ImportedAuroraClusterHandler = clusterRestoreHandler<S3ImportedAuroraClusterProperties>({
  kind: S3_IMPORTED_AURORA_CLUSTER,
  apiName: 'RestoreDBClusterFromS3',
  describe: (props) => `aurora-mysql cluster "${props.DBClusterIdentifier}" from s3://${props.S3BucketName}/${props.S3Prefix ?? ''} (MySQL ${props.SourceEngineVersion})`,
  preflight,
  restoreTakes: () => RESTORE_TAKES,
  start: (_api, props, tags, settings) => retrying(EVENTUAL_CONSISTENCY_RETRY, () => rds().send(new RestoreDBClusterFromS3Command({
    ...settings,
    DBClusterIdentifier: props.DBClusterIdentifier,
    Engine: props.Engine,
    EngineVersion: props.EngineVersion,
    MasterUsername: props.MasterUsername,
    // RDS makes the password and keeps it in Secrets Manager: it is never in the template, a log or a response.
    ManageMasterUserPassword: true,
    SourceEngine: props.SourceEngine,
    SourceEngineVersion: props.SourceEngineVersion,
    S3BucketName: props.S3BucketName,
    S3Prefix: props.S3Prefix,
    S3IngestionRoleArn: props.S3IngestionRoleArn,
    DBSubnetGroupName: props.DBSubnetGroupName,
    StorageEncrypted: props.StorageEncrypted,
    KmsKeyId: props.KmsKeyId,
    DeletionProtection: props.DeletionProtection,
    DatabaseName: props.DatabaseName,
    EngineLifecycleSupport: props.EngineLifecycleSupport,
    Tags: tags,
  }))).then(() => undefined),
});
