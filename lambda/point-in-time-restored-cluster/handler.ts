/** RestoreDBClusterToPointInTime, for Neptune (its own client) and Aurora (the RDS client). */
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ClusterSetting } from '../../lib/private/contracts/cluster';
import { POINT_IN_TIME_RESTORED_CLUSTER, PointInTimeRestoredClusterProperties } from '../../lib/private/kinds/point-in-time-restored-cluster';
import { ClusterApi, RetainedBackups } from '../cluster/cluster-api';
import { notOffered, upgradeRefusal } from '../cluster/engine-versions';
import { clusterRestoreHandler } from '../cluster/lifecycle';
import { errorText } from '../shared/errors';

/** The source as the construct names it, for messages. */
function sourceName(props: PointInTimeRestoredClusterProperties): string {
  return props.SourceDBClusterIdentifier ?? `the deleted cluster ${props.SourceDbClusterResourceId}`;
}

async function assertKeyUsable(props: PointInTimeRestoredClusterProperties, source: RetainedBackups): Promise<void> {
  if (!props.KmsKeyId) return;
  if (!source.StorageEncrypted) {
    throw new Error(`Cannot restore "${props.DBClusterIdentifier}" with KMS key ${props.KmsKeyId}: source "${sourceName(props)}" is not encrypted, and the API rejects a key for an unencrypted source. Remove storageEncryptionKey, or restore from an encrypted cluster.`);
  }
  let state: string | undefined;
  try {
    const out = await new KMSClient({ maxAttempts: 6 }).send(new DescribeKeyCommand({ KeyId: props.KmsKeyId }));
    state = out.KeyMetadata?.KeyState;
  } catch (error) {
    throw new Error(`KMS key ${props.KmsKeyId} given as storageEncryptionKey cannot be used: ${errorText(error)}`);
  }
  if (state !== 'Enabled') {
    throw new Error(`KMS key ${props.KmsKeyId} given as storageEncryptionKey is ${state ?? 'in an unknown state'}; the restore needs an enabled key.`);
  }
}

/** The source cluster, or what its retained backups tell of a deleted one. */
async function findSource(api: ClusterApi, props: PointInTimeRestoredClusterProperties): Promise<RetainedBackups> {
  if (props.SourceDbClusterResourceId) {
    const backups = await api.retainedBackups(props.SourceDbClusterResourceId);
    if (!backups) {
      throw new Error(`No retained automated backups of a DB cluster with resource id "${props.SourceDbClusterResourceId}" exist in this account and region (DBClusterAutomatedBackupNotFoundFault). Check sourceClusterResourceId: a deleted cluster keeps its backups only if it was deleted with them retained.`);
    }
    return backups;
  }
  const id = props.SourceDBClusterIdentifier!;
  const source = await api.describe(id);
  if (!source) {
    const where = id.startsWith('arn:') ? 'or is not shared with this account (share it through AWS RAM)' : 'in this account and region';
    throw new Error(`Source cluster "${id}" does not exist ${where} (DBClusterNotFoundFault). Check sourceClusterIdentifier.`);
  }
  return source;
}

/** What only the live account can tell, checked before anything is created. */
async function preflight(api: ClusterApi, props: PointInTimeRestoredClusterProperties): Promise<void> {
  const source = await findSource(api, props);
  if (source.Engine !== props.Engine) {
    throw new Error(`Source "${sourceName(props)}" runs engine "${source.Engine}", but the construct's engine is "${props.Engine}". Set engine to match the source.`);
  }
  if (props.RestoreToTime) {
    const at = new Date(props.RestoreToTime);
    const earliest = source.EarliestRestorableTime;
    const latest = source.LatestRestorableTime;
    if ((earliest && at < earliest) || (latest && at > latest)) {
      throw new Error(`Restore time ${at.toISOString()} lies outside the restorable window of "${sourceName(props)}" (${earliest?.toISOString() ?? 'unknown'} to ${latest?.toISOString() ?? 'unknown'}). Choose a restorePoint inside it, or RestorePoint.latest().`);
    }
  }
  await assertUpgradable(api, props, source);
  await assertKeyUsable(props, source);
}

/** A restore makes the source's version; the one asked for must be an upgrade RDS makes of it. */
async function assertUpgradable(api: ClusterApi, props: PointInTimeRestoredClusterProperties, source: RetainedBackups): Promise<void> {
  if (!props.EngineVersion || !source.EngineVersion || props.EngineVersion === source.EngineVersion) return;
  const refusal = upgradeRefusal(props.Engine, source.EngineVersion, props.EngineVersion, Boolean(props.AllowMajorVersionUpgrade))
    ?? notOffered(props.Engine, source.EngineVersion, props.EngineVersion, await api.upgradeTargets(props.Engine, source.EngineVersion));
  if (refusal) {
    throw new Error(`Cannot restore "${props.DBClusterIdentifier}" at engine version ${props.EngineVersion}: the restore makes the version of "${sourceName(props)}", `
      + `${source.EngineVersion}, and ${refusal}. Give engineVersion ${source.EngineVersion} or an upgrade RDS offers from it, or leave it out.`);
  }
}

/** The settings each API's RestoreDBClusterToPointInTime takes (the official models); ModifyDBCluster applies the rest. */
const RESTORE_TAKES: Record<'rds' | 'neptune', readonly ClusterSetting[]> = {
  rds: [
    'Port', 'VpcSecurityGroupIds', 'EnableIAMDatabaseAuthentication', 'DBClusterParameterGroupName', 'OptionGroupName', 'ServerlessV2ScalingConfiguration', 'StorageType', 'EnableCloudwatchLogsExports', 'CopyTagsToSnapshot', 'BacktrackWindow',
    'BackupRetentionPeriod', 'PreferredBackupWindow', 'NetworkType', 'EnablePerformanceInsights', 'PerformanceInsightsKMSKeyId',
    'PerformanceInsightsRetentionPeriod', 'Domain', 'DomainIAMRoleName',
  ],
  neptune: [
    'Port', 'VpcSecurityGroupIds', 'EnableIAMDatabaseAuthentication', 'DBClusterParameterGroupName', 'ServerlessV2ScalingConfiguration', 'StorageType',
    'EnableCloudwatchLogsExports',
  ],
};

export const pointInTimeRestoredClusterHandler = clusterRestoreHandler<PointInTimeRestoredClusterProperties>({
  kind: POINT_IN_TIME_RESTORED_CLUSTER,
  apiName: 'RestoreDBClusterToPointInTime',
  describe: (props) => {
    const when = props.RestoreToTime ? `as of ${props.RestoreToTime}` : 'at its latest restorable time';
    return `${props.Engine} cluster "${props.DBClusterIdentifier}" from "${sourceName(props)}" ${when}`;
  },
  preflight,
  // With a version asked for, the parameter and option groups may be of its family, not the source's: they go with the upgrade.
  restoreTakes: (props) => RESTORE_TAKES[props.Engine === 'neptune' ? 'neptune' : 'rds']
    .filter((k) => !props.EngineVersion || !['DBClusterParameterGroupName', 'OptionGroupName'].includes(k)),
  start: (api, props, tags, settings) => api.restore({
    ...settings,
    DBClusterIdentifier: props.DBClusterIdentifier,
    SourceDBClusterIdentifier: props.SourceDBClusterIdentifier,
    SourceDbClusterResourceId: props.SourceDbClusterResourceId,
    RestoreType: props.RestoreType,
    RestoreToTime: props.RestoreToTime ? new Date(props.RestoreToTime) : undefined,
    UseLatestRestorableTime: props.RestoreToTime ? undefined : true,
    DBSubnetGroupName: props.DBSubnetGroupName,
    KmsKeyId: props.KmsKeyId,
    DeletionProtection: props.DeletionProtection,
    EngineLifecycleSupport: props.EngineLifecycleSupport,
    Tags: tags,
  }),
});
