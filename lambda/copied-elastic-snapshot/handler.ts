/** CopyClusterSnapshot of DocumentDB Elastic: a copy of a cluster snapshot, in this or from another region. */
import {
  ClusterSnapshot, CopyClusterSnapshotCommand, DeleteClusterSnapshotCommand, DocDBElasticClient, GetClusterSnapshotCommand,
  ListClusterSnapshotsCommand, ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-docdb-elastic';
import { AttributesProperties, OWNER_TAG_KEY, restoreInputsOf } from '../../lib/private/contracts/common';
import { COPIED_ELASTIC_SNAPSHOT, CopiedElasticSnapshotAttribute, CopiedElasticSnapshotProperties } from '../../lib/private/kinds/copied-elastic-snapshot';
import { explain as explainError, transientRetry } from '../shared/errors';
import { refuseUnlessOwned, restoreLifecycle, tagChange } from '../shared/lifecycle';
import { log } from '../shared/log';
import { missingStackTag, ownershipOf, ownershipTags, ownerToken, requestToken } from '../shared/ownership';
import { retrying } from '../shared/retry';
import { IsCompleteRequest, OnEventRequest, OnEventResponse, PollResult } from '../shared/types';

const client = () => new DocDBElasticClient({ maxAttempts: 6 });

/** Statuses from which a copy never becomes ACTIVE. The enum has no FAILED: these are its failures. */
export const FAILED_SNAPSHOT_STATES = new Set([
  'INACCESSIBLE_ENCRYPTION_CREDS', 'INACCESSIBLE_SECRET_ARN', 'INACCESSIBLE_VPC_ENDPOINT', 'INCOMPATIBLE_NETWORK',
  'INVALID_SECURITY_GROUP_ID', 'INVALID_SUBNET_ID', 'IP_ADDRESS_LIMIT_EXCEEDED', 'VPC_ENDPOINT_LIMIT_EXCEEDED', 'DELETING',
]);

const TRANSIENT_RETRY = transientRetry('DocumentDB Elastic call');

/** The copy's inputs: a change to any of them needs a new copy. */
const copyInputs = (props: CopiedElasticSnapshotProperties) => restoreInputsOf(props, COPIED_ELASTIC_SNAPSHOT.inPlace);

/** What the service's errors mean for a copy, in words a user can act on. */
const HINTS: Record<string, string> = {
  AccessDeniedException: 'the handler is not allowed to do this (check the KMS key\'s policy when one is given)',
  ResourceNotFoundException: 'it does not exist',
  ServiceQuotaExceededException: 'the account\'s snapshot quota is reached; delete snapshots it no longer needs or raise the quota',
  ValidationException: 'the service refused the request',
  ConflictException: 'it conflicts with the snapshot\'s current state',
};

const explain = (error: unknown, what: string) => explainError(error, what, HINTS);

async function getSnapshot(arn: string): Promise<ClusterSnapshot | undefined> {
  try {
    return (await retrying(TRANSIENT_RETRY, () => client().send(new GetClusterSnapshotCommand({ snapshotArn: arn })))).snapshot;
  } catch (error) {
    if ((error as Error)?.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** The snapshot of that name, found by listing (a copy's ARN carries a generated id, not the name). */
async function findByName(name: string): Promise<ClusterSnapshot | undefined> {
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

async function adoptOrRefuse(snapshot: ClusterSnapshot, owner: string, request: string): Promise<string> {
  const ownership = ownershipOf(await tagsOf(snapshot.snapshotArn!), owner, request);
  if (ownership === 'foreign') {
    throw new Error(`A cluster snapshot named "${snapshot.snapshotName}" already exists and was not made by this stack resource. Choose another targetSnapshotName.`);
  }
  if (ownership === 'own-other-inputs') {
    throw new Error(`Snapshot "${snapshot.snapshotName}" was copied by this stack resource from different inputs. A change to the copy's inputs needs a new snapshot, and its name is taken: give a new targetSnapshotName.`);
  }
  log(`Adopting snapshot "${snapshot.snapshotName}": this stack resource copied it from the same inputs`);
  return snapshot.snapshotArn!;
}

async function copy(event: OnEventRequest, props: CopiedElasticSnapshotProperties): Promise<OnEventResponse> {
  const owner = ownerToken(event);
  const request = requestToken(copyInputs(props));
  const existing = await findByName(props.TargetSnapshotName);
  if (existing) return { PhysicalResourceId: await adoptOrRefuse(existing, owner, request) };

  await preflight(props);
  const tags = { ...props.Tags, ...Object.fromEntries(ownershipTags(owner, request, event.StackId).map((t) => [t.Key, t.Value])) };
  log(`CopyClusterSnapshot: ${props.SourceSnapshotArn} to "${props.TargetSnapshotName}"`);
  try {
    const out = await retrying(TRANSIENT_RETRY, () => client().send(new CopyClusterSnapshotCommand({
      snapshotArn: props.SourceSnapshotArn,
      targetSnapshotName: props.TargetSnapshotName,
      copyTags: props.CopyTags,
      kmsKeyId: props.KmsKeyId,
      tags,
    })));
    return { PhysicalResourceId: out.snapshot!.snapshotArn! };
  } catch (error) {
    if ((error as Error)?.name === 'ConflictException') {
      // Another attempt of this same request may have made it.
      const raced = await findByName(props.TargetSnapshotName);
      if (raced) return { PhysicalResourceId: await adoptOrRefuse(raced, owner, request) };
    }
    throw explain(error, `CopyClusterSnapshot of ${props.SourceSnapshotArn} to "${props.TargetSnapshotName}"`);
  }
}

/** Gives a copy an earlier version made the stack tag, without which the role may not change it. */
async function claimForStack(arn: string, tags: Array<{ Key: string; Value: string }>, stackId: string): Promise<void> {
  const missing = missingStackTag(tags, stackId);
  if (!missing.length) return;
  log(`Tagging ${arn} with its stack, as this version of the library tags what it copies`);
  await client().send(new TagResourceCommand({ resourceArn: arn, tags: Object.fromEntries(missing.map((t) => [t.Key, t.Value])) }));
}

/** The copy's tags from the old set to the new one, once its owner tag shows this stack resource made it. */
async function updateTags(event: OnEventRequest, arn: string, oldTags: Record<string, string>, newTags: Record<string, string>): Promise<void> {
  const tags = await tagsOf(arn);
  refuseUnlessOwned(tags, event, `Snapshot ${arn}`);
  await claimForStack(arn, tags, event.StackId);
  const asList = (map: Record<string, string>) => Object.entries(map).map(([Key, Value]) => ({ Key, Value }));
  const { removed, changed } = tagChange(asList(oldTags), asList(newTags));
  if (removed.length) await client().send(new UntagResourceCommand({ resourceArn: arn, tagKeys: removed }));
  const tagsToSet = Object.fromEntries(changed.map((t) => [t.Key, t.Value]));
  if (changed.length) await client().send(new TagResourceCommand({ resourceArn: arn, tags: tagsToSet }));
}

async function advanceDelete(props: CopiedElasticSnapshotProperties, event: Pick<OnEventRequest, 'StackId' | 'LogicalResourceId'>,
  arn: string): Promise<PollResult> {
  if (props.RemovalPolicy === 'retain') return { done: true, status: 'retained' };
  const snapshot = await getSnapshot(arn);
  if (!snapshot) return { done: true, status: 'deleted' };
  if (snapshot.status === 'DELETING') return { done: false, status: 'DELETING' };
  const tags = await tagsOf(arn);
  if (tags.find((t) => t.Key === OWNER_TAG_KEY)?.Value !== ownerToken(event)) {
    log(`Snapshot ${arn} was not copied by this stack resource (it lacks its ${OWNER_TAG_KEY} tag), so this delete leaves it alone`);
    return { done: true, status: 'left alone: not this stack resource\'s' };
  }
  await claimForStack(arn, tags, event.StackId);
  try {
    log(`DeleteClusterSnapshot ${arn} (status ${snapshot.status})`);
    await client().send(new DeleteClusterSnapshotCommand({ snapshotArn: arn }));
  } catch (error) {
    const name = (error as Error)?.name;
    if (name === 'ResourceNotFoundException') return { done: true, status: 'deleted' };
    // A snapshot still being copied cannot be deleted yet; the next poll tries again.
    if (name === 'ConflictException') return { done: false, status: snapshot.status ?? 'unknown' };
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
  start: copy,
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
