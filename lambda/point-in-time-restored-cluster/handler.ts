import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PointInTimeRestoredClusterProperties, readPointInTimeRestoredClusterProperties } from '../../lib/private/contracts/point-in-time-restored-cluster';
import { Cluster, ClusterApi } from '../cluster/cluster-api';
import { clusterRestoreHandler } from '../cluster/lifecycle';
import { errorText } from '../shared/errors';

/** RestoreDBClusterToPointInTime, for Neptune (its own client) and Aurora (the RDS client). */

async function assertKeyUsable(props: PointInTimeRestoredClusterProperties, source: Cluster): Promise<void> {
  if (!props.KmsKeyId) return;
  if (!source.StorageEncrypted) {
    throw new Error(`Cannot restore "${props.DBClusterIdentifier}" with KMS key ${props.KmsKeyId}: source cluster "${props.SourceDBClusterIdentifier}" is not encrypted, and the API rejects a key for an unencrypted source. Remove storageEncryptionKey, or restore from an encrypted cluster.`);
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

/** What only the live account can tell, checked before anything is created. */
async function preflight(api: ClusterApi, props: PointInTimeRestoredClusterProperties): Promise<void> {
  const source = await api.describe(props.SourceDBClusterIdentifier);
  if (!source) {
    throw new Error(`Source cluster "${props.SourceDBClusterIdentifier}" does not exist in this account and region (DBClusterNotFoundFault). Check sourceClusterIdentifier.`);
  }
  if (source.Engine !== props.Engine) {
    throw new Error(`Source cluster "${props.SourceDBClusterIdentifier}" runs engine "${source.Engine}", but the construct's engine is "${props.Engine}". Set engine to match the source.`);
  }
  if (props.RestoreToTime) {
    const at = new Date(props.RestoreToTime);
    const earliest = source.EarliestRestorableTime;
    const latest = source.LatestRestorableTime;
    if ((earliest && at < earliest) || (latest && at > latest)) {
      throw new Error(`Restore time ${at.toISOString()} lies outside the restorable window of "${props.SourceDBClusterIdentifier}" (${earliest?.toISOString() ?? 'unknown'} to ${latest?.toISOString() ?? 'unknown'}). Choose a restorePoint inside it, or RestorePoint.latest().`);
    }
  }
  await assertKeyUsable(props, source);
}

export const pointInTimeRestoredClusterHandler = clusterRestoreHandler<PointInTimeRestoredClusterProperties>({
  read: readPointInTimeRestoredClusterProperties,
  apiName: 'RestoreDBClusterToPointInTime',
  describe: (props) => {
    const when = props.RestoreToTime ? `as of ${props.RestoreToTime}` : 'at its latest restorable time';
    return `${props.Engine} cluster "${props.DBClusterIdentifier}" from "${props.SourceDBClusterIdentifier}" ${when}`;
  },
  preflight,
  start: (api, props, tags) => api.restore({
    DBClusterIdentifier: props.DBClusterIdentifier,
    SourceDBClusterIdentifier: props.SourceDBClusterIdentifier,
    RestoreType: props.RestoreType,
    RestoreToTime: props.RestoreToTime ? new Date(props.RestoreToTime) : undefined,
    UseLatestRestorableTime: props.RestoreToTime ? undefined : true,
    Port: props.Port,
    DBSubnetGroupName: props.DBSubnetGroupName,
    VpcSecurityGroupIds: props.VpcSecurityGroupIds,
    KmsKeyId: props.KmsKeyId,
    EnableIAMDatabaseAuthentication: props.EnableIAMDatabaseAuthentication,
    DeletionProtection: props.DeletionProtection,
    OptionGroupName: props.OptionGroupName,
    DBClusterParameterGroupName: props.DBClusterParameterGroupName,
    Tags: tags,
  }),
});
