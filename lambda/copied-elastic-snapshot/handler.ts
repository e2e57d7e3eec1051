/** CopyClusterSnapshot of DocumentDB Elastic: a copy of a cluster snapshot, in this or from another region. */
import {
  ClusterSnapshot, CopyClusterSnapshotCommand, DeleteClusterSnapshotCommand, DocDBElasticClient, GetClusterSnapshotCommand,
  ListClusterSnapshotsCommand, ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-docdb-elastic';
import { ApiTag, AttributesProperties } from '../../lib/private/contracts/common';
import { COPIED_ELASTIC_SNAPSHOT, CopiedElasticSnapshotAttribute, CopiedElasticSnapshotProperties } from '../../lib/private/kinds/copied-elastic-snapshot';
import { explain as explainError, transientRetry } from '../shared/errors';
import { restoreLifecycle, tagChange } from '../shared/lifecycle';
import { log } from '../shared/log';
import { OwnedResource, ownedForChange, ownedForDelete, startOwned } from '../shared/owned-resource';
import { retrying } from '../shared/retry';
import { IsCompleteRequest, OnEventRequest, PollResult, StackResourceRef } from '../shared/types';

const client = () => new DocDBElasticClient({ maxAttempts: 6 });

/** Statuses from which a copy never becomes ACTIVE. The enum has no FAILED: these are its failures. */
export const FAILED_SNAPSHOT_STATES = new Set([
  'INACCESSIBLE_ENCRYPTION_CREDS', 'INACCESSIBLE_SECRET_ARN', 'INACCESSIBLE_VPC_ENDPOINT', 'INCOMPATIBLE_NETWORK',
  'INVALID_SECURITY_GROUP_ID', 'INVALID_SUBNET_ID', 'IP_ADDRESS_LIMIT_EXCEEDED', 'VPC_ENDPOINT_LIMIT_EXCEEDED', 'DELETING',
]);

const TRANSIENT_RETRY = transientRetry('DocumentDB Elastic call');

/** What the service's errors mean for a copy, in words a user can act on. */
const HINTS: Record<string, string> = {
  AccessDeniedException: 'the handler is not allowed to do this (check the KMS key\'s policy when one is given)',
  ResourceNotFoundException: 'it does not exist',
  ServiceQuotaExceededException: 'the account\'s snapshot quota is reached; delete snapshots it no longer needs or raise the quota',
  ValidationException: 'the service refused the request',
  ConflictException: 'it conflicts with the snapshot\'s current state',
};

const explain = (error: unknown, what: string) => explainError(error, what, HINTS);

export async function getSnapshot(arn: string): Promise<ClusterSnapshot | undefined> {
  try {
    return (await retrying(TRANSIENT_RETRY, () => client().send(new GetClusterSnapshotCommand({ snapshotArn: arn })))).snapshot;
  } catch (error) {
    if ((error as Error)?.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** The snapshot of that name, found by listing (a copy's ARN carries a generated id, not the name). */
export async function findByName(name: string): Promise<ClusterSnapshot | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await client().send(new ListClusterSnapshotsCommand({ snapshotType: 'manual', nextToken }));
    const found = page.snapshots?.find((s) => s.snapshotName?.toLowerCase() === name.toLowerCase());
    if (found) return getSnapshot(found.snapshotArn!);
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** What only the live account can tell, checked before the copy starts. */
async function preflight(props: CopiedElasticSnapshotProperties): Promise<void> {
  const source = await getSnapshot(props.SourceSnapshotArn);
  if (!source) {
    throw new Error(`Source snapshot ${props.SourceSnapshotArn} does not exist, or this account cannot see it (ResourceNotFoundException). Check sourceSnapshotArn.`);
  }
  if (props.KmsKeyId && !source.kmsKeyId) {
    throw new Error(`Cannot copy ${props.SourceSnapshotArn} with KMS key ${props.KmsKeyId}: the source snapshot is not encrypted, and the API returns an error for a key given with an unencrypted snapshot. Remove kmsKey.`);
  }
  const sourceRegion = props.SourceSnapshotArn.split(':')[3];
  const targetRegion = process.env.AWS_REGION;
  if (source.kmsKeyId && !props.KmsKeyId && targetRegion && sourceRegion !== targetRegion) {
    throw new Error(`Copying the encrypted snapshot ${props.SourceSnapshotArn} from ${sourceRegion} to ${targetRegion} needs a KMS key in ${targetRegion}: KMS keys do not cross regions. Give kmsKey.`);
  }
}

async function tagsOf(arn: string): Promise<Array<{ Key: string; Value: string }>> {
  const tags = (await retrying(TRANSIENT_RETRY, () => client().send(new ListTagsForResourceCommand({ resourceArn: arn })))).tags ?? {};
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export const asMap = (tags: readonly ApiTag[]) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
const asList = (map: Record<string, string>) => Object.entries(map).map(([Key, Value]) => ({ Key, Value }));

/** The copy, as the shared ownership rules handle it. */
const SNAPSHOT: OwnedResource<CopiedElasticSnapshotProperties, Partial<ClusterSnapshot>> = {
  kind: COPIED_ELASTIC_SNAPSHOT,
  made: 'copied',
  describe: (snapshot) => `Snapshot ${snapshot.snapshotArn}`,
  findByName: (props) => findByName(props.TargetSnapshotName),
  idOf: (snapshot) => snapshot.snapshotArn!,
  statusOf: (snapshot) => snapshot.status ?? 'unknown',
  isDeleting: (status) => status === 'DELETING',
  tagsOf: (snapshot) => tagsOf(snapshot.snapshotArn!),
  addTags: async (snapshot, tags) => {
    await client().send(new TagResourceCommand({ resourceArn: snapshot.snapshotArn!, tags: asMap(tags) }));
  },
  refusal: (snapshot, ownership) => (ownership === 'foreign'
    ? `A cluster snapshot named "${snapshot.snapshotName}" already exists and was not made by this stack resource. Choose another targetSnapshotName.`
    : `Snapshot "${snapshot.snapshotName}" was copied by this stack resource from different inputs. A change to the copy's inputs needs a new snapshot, `
      + 'and its name is taken: give a new targetSnapshotName.'),
  preflight,
  async start(props, ownership) {
    log(`CopyClusterSnapshot: ${props.SourceSnapshotArn} to "${props.TargetSnapshotName}"`);
    const out = await retrying(TRANSIENT_RETRY, () => client().send(new CopyClusterSnapshotCommand({
      snapshotArn: props.SourceSnapshotArn,
      targetSnapshotName: props.TargetSnapshotName,
      copyTags: props.CopyTags,
      kmsKeyId: props.KmsKeyId,
      tags: { ...props.Tags, ...asMap(ownership) },
    })));
    return out.snapshot!.snapshotArn!;
  },
  isNameTaken: (error) => (error as Error)?.name === 'ConflictException',
  startFailure: (error, props) => explain(error, `CopyClusterSnapshot of ${props.SourceSnapshotArn} to "${props.TargetSnapshotName}"`),
};

/** The copy's tags from the old set to the new one, once its owner tag shows this stack resource made it. */
async function updateTags(event: OnEventRequest, arn: string, oldTags: Record<string, string>, newTags: Record<string, string>): Promise<void> {
  // Its tags are all an in-place change needs of it: no describe call.
  await ownedForChange(SNAPSHOT, { snapshotArn: arn }, event);
  const { removed, changed } = tagChange(asList(oldTags), asList(newTags));
  if (removed.length) await client().send(new UntagResourceCommand({ resourceArn: arn, tagKeys: removed }));
  if (changed.length) await client().send(new TagResourceCommand({ resourceArn: arn, tags: asMap(changed) }));
}

async function advanceDelete(props: CopiedElasticSnapshotProperties, event: StackResourceRef, arn: string): Promise<PollResult> {
  if (props.RemovalPolicy === 'retain') return { done: true, status: 'retained' };
  const standing = await ownedForDelete(SNAPSHOT, await getSnapshot(arn), event);
  if (!('tags' in standing)) return standing;
  try {
    log(`DeleteClusterSnapshot ${arn} (status ${standing.status})`);
    await client().send(new DeleteClusterSnapshotCommand({ snapshotArn: arn }));
  } catch (error) {
    const name = (error as Error)?.name;
    if (name === 'ResourceNotFoundException') return { done: true, status: 'deleted' };
    // A snapshot still being copied cannot be deleted yet; the next poll tries again.
    if (name === 'ConflictException') return { done: false, status: standing.status };
    throw explain(error, `DeleteClusterSnapshot of ${arn}`);
  }
  return { done: false, status: 'DELETING' };
}

function attributesOf(s: ClusterSnapshot): Record<CopiedElasticSnapshotAttribute, string> {
  return {
    SnapshotArn: s.snapshotArn ?? '',
    SnapshotName: s.snapshotName ?? '',
    ClusterArn: s.clusterArn ?? '',
    SnapshotCreationTime: s.snapshotCreationTime ?? '',
    SnapshotType: s.snapshotType ?? '',
    KmsKeyId: s.kmsKeyId ?? '',
    AdminUserName: s.adminUserName ?? '',
    SubnetIds: (s.subnetIds ?? []).join(','),
    VpcSecurityGroupIds: (s.vpcSecurityGroupIds ?? []).join(','),
  };
}

export const copiedElasticSnapshotHandler = restoreLifecycle({
  kind: COPIED_ELASTIC_SNAPSHOT,
  start: (event, props) => startOwned(SNAPSHOT, event, props),
  changeInPlace: (event, id, old, props) => updateTags(event, id, old.Tags ?? {}, props.Tags ?? {}),
  advanceDelete: (event, id, props) => advanceDelete(props, event, id),

  async poll(event: IsCompleteRequest, props: CopiedElasticSnapshotProperties): Promise<PollResult> {
    const snapshot = await getSnapshot(event.PhysicalResourceId);
    if (!snapshot) throw new Error(`Snapshot ${event.PhysicalResourceId} disappeared while the copy was waiting for it; someone deleted it outside this stack.`);
    const status = snapshot.status ?? 'unknown';
    if (FAILED_SNAPSHOT_STATES.has(status)) {
      throw new Error(`Copy of ${props.SourceSnapshotArn} to "${props.TargetSnapshotName}" failed: snapshot status is ${status}`);
    }
    return { done: status === 'ACTIVE', status };
  },

  async describe(restored: AttributesProperties): Promise<Record<string, string>> {
    const snapshot = await getSnapshot(restored.RestoredId);
    if (!snapshot) throw new Error(`Snapshot ${restored.RestoredId} does not exist, so its attributes cannot be read; someone deleted it outside this stack.`);
    return attributesOf(snapshot);
  },
});
