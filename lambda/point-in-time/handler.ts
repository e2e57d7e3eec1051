import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { Cluster, ClusterApi, clusterApiFor, isNotFound, RestoreInput } from './cluster-api';
import {
  ApiTag, PointInTimeRestoreAttributes, PointInTimeRestoreProperties, readPointInTimeProperties,
} from '../../lib/private/contracts/point-in-time';
import { log } from '../shared/log';
import { isOwnershipTag, ownershipOf, ownershipTags, ownerToken, requestToken } from '../shared/ownership';
import { IsCompleteRequest, OnEventRequest, OnEventResponse, PollResult, RestoreKindHandler } from '../shared/types';

/** Cluster states from which a restore never becomes available. */
export const TERMINAL_FAILURE_STATES = new Set([
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'migration-failed',
  'cloning-failed',
  'inaccessible-encryption-credentials',
]);

/**
 * The inputs that decide what is restored; a change to any of them needs a new cluster. The rest
 * change in place: deletion protection in particular must be switchable off before a delete
 * without restoring a whole new cluster.
 */
function restoreInputs(props: PointInTimeRestoreProperties): Record<string, unknown> {
  const { RemovalPolicy: _r, Tags: _t, TimeoutSeconds: _s, WaitHandleUrl: _w, DeletionProtection: _d, ...inputs } = props;
  return inputs;
}

function describeRestore(props: PointInTimeRestoreProperties): string {
  const when = props.RestoreToTime ? `as of ${props.RestoreToTime}` : 'at its latest restorable time';
  return `${props.Engine} cluster "${props.DBClusterIdentifier}" from "${props.SourceDBClusterIdentifier}" ${when}`;
}

export function finalSnapshotIdentifier(clusterIdentifier: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15); // 20261122T023312
  // RDS stores identifiers in lowercase; naming it that way keeps it equal to what describe returns.
  return `${clusterIdentifier}-final-${stamp}`.toLowerCase();
}

function errorText(error: unknown): string {
  const e = error as Error;
  return e?.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : String(e?.message ?? error);
}

async function assertKeyUsable(props: PointInTimeRestoreProperties, source: Cluster): Promise<void> {
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
async function preflight(api: ClusterApi, props: PointInTimeRestoreProperties): Promise<void> {
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

function restoreRequest(props: PointInTimeRestoreProperties, tags: ApiTag[]): RestoreInput {
  return {
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
  };
}

/** A cluster that already has the target name: this resource's own from the same inputs is adopted. */
async function adoptOrRefuse(api: ClusterApi, cluster: Cluster, owner: string, request: string): Promise<void> {
  const id = cluster.DBClusterIdentifier;
  const ownership = ownershipOf(await api.listTags(cluster.DBClusterArn!), owner, request);
  if (ownership === 'foreign') {
    throw new Error(`A DB cluster named "${id}" already exists and was not created by this stack resource. Choose another clusterIdentifier, or remove the existing cluster first.`);
  }
  if (ownership === 'own-other-inputs') {
    throw new Error(`DB cluster "${id}" was restored by this stack resource from different inputs. A change to the restore inputs needs a new cluster, and clusterIdentifier "${id}" is fixed: give a new clusterIdentifier, or remove it to let the construct name the cluster.`);
  }
  log(`Adopting DB cluster "${id}": this stack resource created it from the same inputs`);
}

async function createCluster(event: OnEventRequest, props: PointInTimeRestoreProperties): Promise<OnEventResponse> {
  const api = clusterApiFor(props.Engine);
  const owner = ownerToken(event);
  const request = requestToken(restoreInputs(props));
  const id = props.DBClusterIdentifier;

  const existing = await api.describe(id);
  if (existing) {
    await adoptOrRefuse(api, existing, owner, request);
    return { PhysicalResourceId: id };
  }

  await preflight(api, props);
  log(`RestoreDBClusterToPointInTime: ${describeRestore(props)}`);
  try {
    await api.restore(restoreRequest(props, [...(props.Tags ?? []), ...ownershipTags(owner, request)]));
  } catch (error) {
    if ((error as Error)?.name !== 'DBClusterAlreadyExistsFault') {
      throw new Error(`RestoreDBClusterToPointInTime of ${describeRestore(props)} failed: ${errorText(error)}`);
    }
    // Another attempt of this same request got there first.
    const raced = await api.describe(id);
    if (!raced) throw new Error(`RestoreDBClusterToPointInTime of ${describeRestore(props)} failed: ${errorText(error)}`);
    await adoptOrRefuse(api, raced, owner, request);
  }
  return { PhysicalResourceId: id };
}

/**
 * Applies what changes in place: deletion protection, and the tags from the old set to the new
 * one, never touching the ownership tags.
 */
async function updateInPlace(api: ClusterApi, id: string, old: PointInTimeRestoreProperties, props: PointInTimeRestoreProperties): Promise<void> {
  const cluster = await api.describe(id);
  if (!cluster) throw new Error(`DB cluster "${id}" no longer exists; it cannot be updated in place.`);
  if (Boolean(old.DeletionProtection) !== Boolean(props.DeletionProtection)) {
    await api.setDeletionProtection(id, Boolean(props.DeletionProtection));
  }
  const oldTags = old.Tags ?? [];
  const wanted = new Map((props.Tags ?? []).filter((t) => !isOwnershipTag(t.Key)).map((t) => [t.Key, t.Value]));
  const removed = oldTags.map((t) => t.Key).filter((k) => !wanted.has(k) && !isOwnershipTag(k));
  const changed = [...wanted].filter(([k, v]) => oldTags.find((t) => t.Key === k)?.Value !== v);
  if (removed.length) await api.removeTags(cluster.DBClusterArn!, removed);
  if (changed.length) await api.addTags(cluster.DBClusterArn!, changed.map(([Key, Value]) => ({ Key, Value })));
}

/**
 * One step of a delete: issues DeleteDBCluster when the cluster can take it and reports whether
 * the cluster is gone. A cluster still being created cannot be deleted yet; this waits for it.
 */
async function advanceDelete(props: PointInTimeRestoreProperties, id: string, now: Date): Promise<PollResult> {
  if (props.RemovalPolicy === 'retain') {
    return { done: true, status: 'retained' };
  }
  const api = clusterApiFor(props.Engine);
  const cluster = await api.describe(id);
  if (!cluster) return { done: true, status: 'deleted' };
  const status = cluster.Status ?? 'unknown';
  if (status === 'deleting') return { done: false, status };

  // A cluster that never became usable holds no data of its own (the source is untouched) and
  // cannot be snapshotted, so it goes without a final snapshot.
  const failed = TERMINAL_FAILURE_STATES.has(status);
  const snapshot = props.RemovalPolicy === 'snapshot' && !failed ? finalSnapshotIdentifier(id, now) : undefined;
  try {
    log(`DeleteDBCluster "${id}" (status "${status}"): ${snapshot ? `final snapshot "${snapshot}"` : 'no final snapshot'}`);
    await api.delete(id, snapshot);
  } catch (error) {
    if (isNotFound(error)) return { done: true, status: 'deleted' };
    if ((error as Error)?.name === 'InvalidDBClusterStateFault') return { done: false, status };
    throw new Error(`DeleteDBCluster of "${id}" failed: ${errorText(error)}`);
  }
  return { done: false, status: 'deleting' };
}

function attributesOf(cluster: Cluster): PointInTimeRestoreAttributes {
  return {
    DBClusterIdentifier: cluster.DBClusterIdentifier ?? '',
    DBClusterArn: cluster.DBClusterArn ?? '',
    DbClusterResourceId: cluster.DbClusterResourceId ?? '',
    Endpoint: cluster.Endpoint ?? '',
    ReaderEndpoint: cluster.ReaderEndpoint ?? '',
    Port: String(cluster.Port ?? ''),
  };
}

async function pollAvailable(props: PointInTimeRestoreProperties, id: string): Promise<PollResult> {
  const api = clusterApiFor(props.Engine);
  const cluster = await api.describe(id);
  if (!cluster) {
    throw new Error(`DB cluster "${id}" disappeared while the restore was waiting for it; someone deleted it outside this stack.`);
  }
  const status = cluster.Status ?? 'unknown';
  if (TERMINAL_FAILURE_STATES.has(status)) {
    const message = await api.latestEventMessage(id);
    throw new Error(`Restore of ${describeRestore(props)} failed: cluster status is "${status}"${message ? `: ${message}` : ''}`);
  }
  if (status !== 'available') return { done: false, status };
  return { done: true, status, data: { ...attributesOf(cluster) } };
}

export const pointInTimeHandler: RestoreKindHandler = {
  async onEvent(event: OnEventRequest): Promise<OnEventResponse> {
    const props = readPointInTimeProperties(event.ResourceProperties);
    switch (event.RequestType) {
      case 'Create':
        return createCluster(event, props);
      case 'Update': {
        const old = readPointInTimeProperties(event.OldResourceProperties);
        if (requestToken(restoreInputs(old)) === requestToken(restoreInputs(props))) {
          await updateInPlace(clusterApiFor(props.Engine), event.PhysicalResourceId, old, props);
          return { PhysicalResourceId: event.PhysicalResourceId };
        }
        // A new physical id makes CloudFormation delete the old cluster after the stack update succeeds.
        return createCluster(event, props);
      }
      case 'Delete':
        await advanceDelete(props, event.PhysicalResourceId, new Date());
        return { PhysicalResourceId: event.PhysicalResourceId };
    }
  },

  async poll(event: IsCompleteRequest): Promise<PollResult> {
    const props = readPointInTimeProperties(event.ResourceProperties);
    if (event.RequestType === 'Delete') return advanceDelete(props, event.PhysicalResourceId, new Date());
    return pollAvailable(props, event.PhysicalResourceId);
  },

  async describe(properties: Record<string, unknown>, physicalResourceId: string): Promise<Record<string, string>> {
    const props = readPointInTimeProperties(properties);
    const cluster = await clusterApiFor(props.Engine).describe(physicalResourceId);
    if (!cluster) throw new Error(`DB cluster "${physicalResourceId}" does not exist, so its attributes cannot be read; someone deleted it outside this stack.`);
    return { ...attributesOf(cluster) };
  },
};
