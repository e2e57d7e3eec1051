/**
 * The life of a restored DB cluster, whatever API restored it: create (or adopt), change in
 * place, wait until available, read attributes, delete by removal policy. Each restore kind
 * supplies only how to read its properties, what to check first and which API call starts it.
 */
import { randomBytes, createHash } from 'crypto';
import { Cluster, ClusterApi, clusterApiFor, isNotFound, SettingsChange } from './cluster-api';
import { majorVersion, notOffered, upgradeRefusal } from './engine-versions';
import {
  CLUSTER_ENGINES, CLUSTER_SETTINGS, ClusterAttribute, ClusterEngineName, ClusterRestoreProperties, ClusterSetting, ClusterSettings,
  DERIVED_HASH_LENGTH, MASTER_USER_SECRET_ARN_ATTRIBUTE,
} from '../../lib/private/contracts/cluster';
import {
  ApiTag, AttributesProperties, CHANGED_TAG_KEY, CONFIGURED_TAG_KEY, readEnum, RESTORED_TAG_KEY,
} from '../../lib/private/contracts/common';
import { RestoreKind } from '../../lib/private/kinds/kind';
import { errorText } from '../shared/errors';
import { restoreLifecycle, tagChange } from '../shared/lifecycle';
import { log } from '../shared/log';
import { claimForStack, OwnedResource, ownedForChange, ownedForDelete, startOwned } from '../shared/owned-resource';
import { continueRollbackWithout, isRollingBack } from '../shared/stack-status';
import { IsCompleteRequest, OnEventRequest, PollResult, RestoreKindHandler, StackResourceRef } from '../shared/types';

/** Cluster states from which a restore never becomes available. */
export const TERMINAL_FAILURE_STATES = new Set([
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'migration-failed',
  'cloning-failed',
  'inaccessible-encryption-credentials',
]);

/** The properties every cluster-restoring kind has, as its contract decodes them, with the engine that picks the API. */
export type ClusterProperties = ClusterRestoreProperties & { readonly Engine: ClusterEngineName };

/** What a restore kind tells the lifecycle. */
export interface ClusterRestoreKind<P extends ClusterProperties> {
  /** The API call that starts the restore, for messages. */
  readonly apiName: string;
  /** The kind's one definition: its contract reader, its in-place properties. */
  readonly kind: RestoreKind<P, ClusterAttribute>;
  /** What is restored from what, for logs and messages. */
  describe(props: P): string;
  /** What only the live account can tell, checked before anything is created. */
  preflight(api: ClusterApi, props: P): Promise<void>;
  /** The settings the kind's restore call takes for this engine; ModifyDBCluster applies the others once the cluster is available. */
  restoreTakes(props: P): readonly ClusterSetting[];
  /** Starts the restore, with these tags (the user's and the ownership tags) and the settings it takes. */
  start(api: ClusterApi, props: P, tags: ApiTag[], settings: ClusterSettings): Promise<void>;
}

function pick(props: ClusterSettings, keys: readonly ClusterSetting[]): ClusterSettings {
  return Object.fromEntries(keys.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
}

/** The settings the restore call did not take, which wait for the cluster to be available. */
function settingsAfterRestore<P extends ClusterProperties>(kind: ClusterRestoreKind<P>, props: P): ClusterSettings {
  const taken = kind.restoreTakes(props);
  return pick(props, CLUSTER_SETTINGS.filter((k) => !taken.includes(k)));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Whether the cluster already has a setting as asked, as DescribeDBClusters shows it. What is already so
 * is not sent again: a repeated ModifyDBCluster is not always harmless (RDS refuses a secret's key for a
 * cluster whose secret already has it), and an upgrade of the library must not modify every cluster.
 */
function alreadySo(cluster: Cluster, key: ClusterSetting, value: unknown): boolean {
  const lower = (v: unknown) => String(v ?? '').toLowerCase();
  switch (key) {
    case 'Port': return cluster.Port === value;
    case 'VpcSecurityGroupIds': return same((cluster.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId).sort(), [...(value as string[])].sort());
    case 'EnableIAMDatabaseAuthentication': return Boolean(cluster.IAMDatabaseAuthenticationEnabled) === value;
    case 'DBClusterParameterGroupName': return lower(cluster.DBClusterParameterGroup) === lower(value);
    case 'OptionGroupName': return (cluster.DBClusterOptionGroupMemberships ?? []).some((m) => lower(m.DBClusterOptionGroupName) === lower(value));
    case 'CopyTagsToSnapshot': return Boolean(cluster.CopyTagsToSnapshot) === value;
    case 'BackupRetentionPeriod': return cluster.BackupRetentionPeriod === value;
    case 'PreferredBackupWindow': return lower(cluster.PreferredBackupWindow) === lower(value);
    case 'PreferredMaintenanceWindow': return lower(cluster.PreferredMaintenanceWindow) === lower(value);
    case 'StorageType': return (cluster.StorageType ?? 'aurora') === value || (cluster.StorageType ?? 'standard') === value;
    case 'NetworkType': return lower(cluster.NetworkType ?? 'IPV4') === lower(value);
    case 'BacktrackWindow': return (cluster.BacktrackWindow ?? 0) === value;
    case 'EnablePerformanceInsights': return Boolean(cluster.PerformanceInsightsEnabled) === value;
    case 'ManageMasterUserPassword': return value === true && cluster.MasterUserSecret !== undefined;
    case 'MasterUserSecretKmsKeyId': return cluster.MasterUserSecret?.KmsKeyId === value;
    case 'ServerlessV2ScalingConfiguration': {
      const want = value as { MinCapacity: number; MaxCapacity: number };
      const has = cluster.ServerlessV2ScalingConfiguration;
      return has?.MinCapacity === want.MinCapacity && has?.MaxCapacity === want.MaxCapacity;
    }
    case 'EnableCloudwatchLogsExports': return same([...(cluster.EnabledCloudwatchLogsExports ?? [])].sort(), [...(value as string[])].sort());
    case 'AutoMinorVersionUpgrade': return (cluster.AutoMinorVersionUpgrade ?? true) === value;
    case 'DatabaseInsightsMode': return lower(cluster.DatabaseInsightsMode ?? 'standard') === lower(value);
    case 'EnableLocalWriteForwarding': return ['enabled', 'enabling', 'requested'].includes(cluster.LocalWriteForwardingStatus ?? 'disabled') === value;
    case 'EngineVersion': return cluster.EngineVersion === value;
    case 'EnableHttpEndpoint': return Boolean(cluster.HttpEndpointEnabled) === value;
    case 'Domain': {
      const joined = joinedDomains(cluster);
      return value === 'none' ? !joined.length : joined.some((m) => lower(m.Domain) === lower(value));
    }
    case 'DomainIAMRoleName': return joinedDomains(cluster).some((m) => m.IAMRoleName === value);
    default: return false;
  }
}

/** The directories the cluster is in or joining: not those it is leaving, left, or failed to join (kerberos-enabled, enabling-kerberos, ...). */
const joinedDomains = (cluster: Cluster) => (cluster.DomainMemberships ?? []).filter((m) => !/disabl|fail|remov/i.test(m.Status ?? ''));

/** A change without what the cluster already has, or undefined when nothing is left. */
function withoutWhatIsSo(cluster: Cluster, change: SettingsChange | undefined, next: ClusterSettings): SettingsChange | undefined {
  if (!change) return undefined;
  const left = Object.entries(change).filter(([k, v]) => (k === 'CloudwatchLogsExportConfiguration'
    ? !alreadySo(cluster, 'EnableCloudwatchLogsExports', next.EnableCloudwatchLogsExports ?? [])
    : !alreadySo(cluster, k as ClusterSetting, v)));
  return left.length ? Object.fromEntries(left) : undefined;
}

/** The settings that the cluster does not have yet. */
function notYetSo(cluster: Cluster, settings: ClusterSettings): ClusterSettings {
  const keys = CLUSTER_SETTINGS.filter((k) => settings[k] !== undefined && !alreadySo(cluster, k, settings[k]));
  return pick(settings, keys);
}

/** The cluster is busy (being backed up, modified, stopped): a later look can modify it. */
const isBusy = (error: unknown) => ['InvalidDBClusterStateFault', 'InvalidResourceStateFault'].includes((error as Error)?.name);

/**
 * ModifyDBCluster's change from one set of settings to the next. A setting no longer given is left as it
 * is (RDS has no "unset"), except log exports and the directory, which are turned off.
 */
export function settingsChange(old: ClusterSettings, next: ClusterSettings): SettingsChange | undefined {
  const change: Record<string, unknown> = {};
  for (const key of CLUSTER_SETTINGS) {
    if (key === 'EnableCloudwatchLogsExports' || next[key] === undefined || same(old[key], next[key])) continue;
    change[key] = next[key];
  }
  // Like the log exports, Kerberos authentication no longer asked for is turned off.
  if (old.Domain !== undefined && old.Domain !== 'none' && next.Domain === undefined) change.Domain = 'none';
  const before = old.EnableCloudwatchLogsExports ?? [];
  const after = next.EnableCloudwatchLogsExports ?? [];
  const enable = after.filter((t) => !before.includes(t));
  const disable = before.filter((t) => !after.includes(t));
  if (enable.length || disable.length) {
    change.CloudwatchLogsExportConfiguration = {
      EnableLogTypes: enable.length ? enable : undefined,
      DisableLogTypes: disable.length ? disable : undefined,
    };
  }
  return Object.keys(change).length ? change : undefined;
}

/** Performance Insights' retention that the advanced mode of Database Insights needs, in days. */
const ADVANCED_INSIGHTS_RETENTION = 465;

/**
 * A change with the members ModifyDBCluster wants beside some settings, once what the cluster has is left out:
 * the managed password with its secret's key; the major-version permission with an upgrade, and the instances'
 * parameter group with an upgrade to another major version (RDS takes it only then); Performance Insights at 15
 * months with the advanced mode of Database Insights (RDS refuses the mode alone); the directory and its role together.
 */
function withCompanions(change: SettingsChange | undefined, props: ClusterProperties, cluster: Cluster): SettingsChange | undefined {
  if (!change) return undefined;
  const version = change.EngineVersion;
  const from = cluster.EngineVersion;
  const major = version !== undefined && from !== undefined && majorVersion(props.Engine, version) !== majorVersion(props.Engine, from);
  return {
    ...change,
    ...(change.MasterUserSecretKmsKeyId !== undefined && props.ManageMasterUserPassword ? { ManageMasterUserPassword: true } : {}),
    ...(version !== undefined && props.AllowMajorVersionUpgrade ? { AllowMajorVersionUpgrade: true } : {}),
    ...(major && props.DBInstanceParameterGroupName !== undefined ? { DBInstanceParameterGroupName: props.DBInstanceParameterGroupName } : {}),
    ...((change.Domain ?? 'none') !== 'none' || change.DomainIAMRoleName !== undefined ? { Domain: props.Domain, DomainIAMRoleName: props.DomainIAMRoleName } : {}),
    ...(change.DatabaseInsightsMode === 'advanced' ? {
      EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: props.PerformanceInsightsRetentionPeriod ?? ADVANCED_INSIGHTS_RETENTION,
    } : {}),
  };
}

export function finalSnapshotIdentifier(clusterIdentifier: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15); // 20261122T023312
  // RDS stores identifiers in lowercase; naming it that way keeps it equal to what describe returns.
  return `${clusterIdentifier}-final-${stamp}`.toLowerCase();
}

/** The restored cluster of a kind, as the shared ownership rules handle it. */
function ownedCluster<P extends ClusterProperties>(kind: ClusterRestoreKind<P>, api: ClusterApi): OwnedResource<P, Cluster> {
  return {
    kind: kind.kind,
    made: 'restored',
    describe: (cluster) => `DB cluster "${cluster.DBClusterIdentifier}"`,
    findByName: (props) => api.describe(props.DBClusterIdentifier),
    // As the properties name it, whatever case RDS describes it in: the physical id a fresh start returns too.
    idOf: (_cluster, props) => props.DBClusterIdentifier,
    // A derived identifier ends in the hash of what names it; an earlier one shares the construct's part before it.
    async earlier(props) {
      if (!props.NameDerived) return [];
      const clusters = await api.listStartingWith(props.DBClusterIdentifier.slice(0, -DERIVED_HASH_LENGTH));
      return clusters.map((cluster) => ({ resource: cluster, id: cluster.DBClusterIdentifier! }));
    },
    statusOf: (cluster) => cluster.Status ?? 'unknown',
    isDeleting: (status) => status === 'deleting',
    tagsOf: (cluster) => api.listTags(cluster.DBClusterArn!),
    addTags: (cluster, tags) => api.addTags(cluster.DBClusterArn!, tags),
    refusal: (cluster, ownership) => {
      const id = cluster.DBClusterIdentifier;
      return ownership === 'foreign'
        ? `A DB cluster named "${id}" already exists and was not created by this stack resource. Choose another clusterIdentifier, or remove the existing cluster first.`
        : `DB cluster "${id}" was restored by this stack resource from different inputs. A change to the restore inputs needs a new cluster, and clusterIdentifier `
          + `"${id}" is fixed: give a new clusterIdentifier, or remove it to let the construct name the cluster.`;
    },
    preflight: (props) => kind.preflight(api, props),
    async start(props, ownership) {
      log(`${kind.apiName}: ${kind.describe(props)}`);
      await kind.start(api, props, [...(props.Tags ?? []), ...ownership], pick(props, kind.restoreTakes(props)));
      return props.DBClusterIdentifier;
    },
    isNameTaken: (error) => (error as Error)?.name === 'DBClusterAlreadyExistsFault',
    startFailure: (error, props) => new Error(`${kind.apiName} of ${kind.describe(props)} failed: ${errorText(error)}`),
  };
}

/**
 * An upgrade RDS would refuse (a downgrade, a major version not allowed) is refused before anything changes, a
 * version older than one RDS upgraded the cluster to since (a minor version, in the maintenance window) included.
 * In a rollback, which sends the version from before an upgrade, it is left out: an upgrade cannot be undone.
 */
async function withoutRefusedUpgrade<P extends ClusterProperties>(cluster: Cluster, change: SettingsChange | undefined, props: P,
  event: StackResourceRef): Promise<SettingsChange | undefined> {
  const version = change?.EngineVersion;
  if (!change || version === undefined || !cluster.EngineVersion) return change;
  const refusal = upgradeRefusal(props.Engine, cluster.EngineVersion, version, Boolean(props.AllowMajorVersionUpgrade));
  if (!refusal) return change;
  if (!await isRollingBack(event.StackId)) {
    throw new Error(`DB cluster "${cluster.DBClusterIdentifier}" cannot be upgraded: ${refusal}. Nothing was changed; give engineVersion ${cluster.EngineVersion} `
      + 'or a later one (with allowMajorVersionUpgrade for another major version).');
  }
  log(`Rollback: DB cluster "${cluster.DBClusterIdentifier}" keeps engine version ${cluster.EngineVersion}; ${refusal}`);
  const { EngineVersion: _version, ...rest } = change;
  if (majorVersion(props.Engine, version) !== majorVersion(props.Engine, cluster.EngineVersion)) {
    // The groups of the old major version do not fit the new one, and RDS refuses them: the cluster keeps its own.
    const { DBClusterParameterGroupName: _pg, OptionGroupName: _og, ...fitting } = rest;
    if (_pg !== undefined || _og !== undefined) log(`Rollback: DB cluster "${cluster.DBClusterIdentifier}" keeps its parameter and option groups of ${cluster.EngineVersion}`);
    return Object.keys(fitting).length ? fitting : undefined;
  }
  return Object.keys(rest).length ? rest : undefined;
}

/** Statuses a cluster keeps until someone acts (stopped, failed): a change waits for none of them. */
const STAYING_STATES = new Set(['stopped', 'stopping', ...TERMINAL_FAILURE_STATES]);

/** What an Update's in-place change leaves on the cluster once it is sent: a hash of the request's id, and when. */
const changeMark = (requestId: string) => createHash('sha256').update(requestId).digest('hex').slice(0, 16);

/** When this request's change was sent, from the cluster's tags; undefined while it is not. */
function sentAt(tags: readonly ApiTag[], requestId: string): number | undefined {
  const [mark, at] = (tags.find((t) => t.Key === CHANGED_TAG_KEY)?.Value ?? '').split('@');
  return mark === changeMark(requestId) ? Number(at) || 0 : undefined;
}

/**
 * Sends what of an in-place change the cluster does not have yet: deletion protection, the settings, the
 * user's tags (never the ownership tags), then the mark. A busy cluster (a backup, an upgrade still running)
 * takes it at a later look; one that stays as it is (stopped, failed) cannot take it. An upgrade RDS would
 * refuse is refused before anything is sent.
 */
async function sendInPlace<P extends ClusterProperties>(
  api: ClusterApi, cluster: Cluster, old: P, props: P, event: Pick<OnEventRequest, 'StackId' | 'LogicalResourceId' | 'RequestId'>, tryWhileBusy: boolean,
): Promise<'sent' | 'nothing to send' | 'busy'> {
  const id = cluster.DBClusterIdentifier!;
  const arn = cluster.DBClusterArn!;
  const status = cluster.Status ?? 'unknown';
  const asked = await withoutRefusedUpgrade(cluster, settingsChange(old, props), props, event);
  const protect = Boolean(props.DeletionProtection);
  const protection = Boolean(old.DeletionProtection) !== protect && Boolean(cluster.DeletionProtection) !== protect;
  // Compared with the cluster itself, not only the old properties: a setting the library now sends by default
  // (copyTagsToSnapshot), or one the cluster has had all along, is no change.
  const change = withCompanions(withoutWhatIsSo(cluster, asked, props), props, cluster);
  const { removed, changed } = tagChange(old.Tags ?? [], props.Tags ?? []);
  if (!protection && !change && !removed.length && !changed.length) return 'nothing to send';
  if (!tryWhileBusy && (protection || change) && status !== 'available' && !STAYING_STATES.has(status)) return 'busy';
  // Asked once the change is about to go, not at every look while the cluster is busy.
  if (change?.EngineVersion && cluster.EngineVersion) {
    const targets = await api.upgradeTargets(props.Engine, cluster.EngineVersion);
    const refusal = notOffered(props.Engine, cluster.EngineVersion, change.EngineVersion, targets);
    if (refusal) throw new Error(`DB cluster "${id}" cannot be upgraded: ${refusal}. Nothing was changed; give one of those.`);
  }
  try {
    if (protection) await api.setDeletionProtection(id, protect);
    if (change) {
      log(`ModifyDBCluster "${id}": ${Object.keys(change).join(', ')}`);
      await api.modify({ identifier: id, arn }, change);
    }
  } catch (error) {
    if (!isBusy(error)) throw error;
    if (!STAYING_STATES.has(status)) {
      log(`DB cluster "${id}" cannot change its settings yet (${errorText(error)}); a later look sends the change`);
      return 'busy';
    }
    const next = await isRollingBack(event.StackId)
      ? `it keeps the settings of the update rolled back. Once it is available: ${continueRollbackWithout(event)}; then deploy the settings you want`
      : 'start it (or repair it), then deploy again';
    throw new Error(`DB cluster "${id}" cannot change its settings while its status is "${status}" (${errorText(error)}); ${next}.`);
  }
  if (removed.length) await api.removeTags(arn, removed);
  if (changed.length) await api.addTags(arn, changed);
  await api.addTags(arn, [{ Key: CHANGED_TAG_KEY, Value: `${changeMark(event.RequestId)}@${Date.now()}` }]);
  return 'sent';
}

/**
 * Why RDS gave an upgrade up since then, from the cluster's events, or undefined. The Aurora User Guide's
 * example of a failed upgrade reads "Database cluster is in a state that cannot be upgraded: Upgrade
 * prechecks failed..."; other wordings are matched as loosely.
 */
async function upgradeFailure(api: ClusterApi, id: string, since: number | undefined): Promise<string | undefined> {
  const messages = await api.eventsSince(id, new Date(since || Date.now() - 60 * 60 * 1000));
  return messages.reverse().find((m) => /upgrad/i.test(m) && /cannot|fail/i.test(m));
}

/** The upgrade an in-place change waits for: a version the cluster does not run yet and may be upgraded to. */
function upgradeAsked<P extends ClusterProperties>(cluster: Cluster, old: P, props: P): string | undefined {
  const version = settingsChange(old, props)?.EngineVersion;
  if (version === undefined || !cluster.EngineVersion || cluster.EngineVersion === version) return undefined;
  return upgradeRefusal(props.Engine, cluster.EngineVersion, version, Boolean(props.AllowMajorVersionUpgrade)) ? undefined : version;
}

/**
 * Applies what changes in place, on the Update's onEvent: refuses first what RDS would refuse, then sends the
 * change, unless the cluster is busy; `settleInPlace` sends it then, and waits until the cluster has it.
 */
async function updateInPlace<P extends ClusterProperties>(
  kind: ClusterRestoreKind<P>, id: string, old: P, props: P, event: OnEventRequest,
): Promise<void> {
  const api = clusterApiFor(props.Engine);
  const cluster = await api.describe(id);
  if (!cluster) throw new Error(`DB cluster "${id}" no longer exists; it cannot be updated in place.`);
  await ownedForChange(ownedCluster(kind, api), cluster, event);
  if (!cluster.BacktrackWindow && props.BacktrackWindow) {
    throw new Error(`DB cluster "${id}" was restored without backtracking, which can only be chosen at the restore; remove backtrackWindow, or restore anew (a new clusterIdentifier).`);
  }
  const key = props.MasterUserSecretKmsKeyId;
  if (key && cluster.MasterUserSecret?.KmsKeyId && cluster.MasterUserSecret.KmsKeyId !== key && old.MasterUserSecretKmsKeyId !== key) {
    throw new Error(`The master user secret of DB cluster "${id}" is encrypted with ${cluster.MasterUserSecret.KmsKeyId}, and RDS cannot change the key of a managed secret; keep masterUserSecretKey as it was.`);
  }
  await sendInPlace(api, cluster, old, props, event, true);
}

/**
 * One look at an in-place change, on the Update's isComplete: sends what a busy cluster could not take before
 * (a rollback that came while the update's own upgrade ran), then waits until the cluster is available again
 * and runs the engine version asked for; an upgrade RDS gave up fails with its reason.
 */
async function settleInPlace<P extends ClusterProperties>(event: IsCompleteRequest, id: string, old: P, props: P): Promise<PollResult> {
  const api = clusterApiFor(props.Engine);
  const cluster = await api.describe(id);
  if (!cluster) throw new Error(`DB cluster "${id}" disappeared while its settings were changed; someone deleted it outside this stack.`);
  const status = cluster.Status ?? 'unknown';
  const since = sentAt(await api.listTags(cluster.DBClusterArn!), event.RequestId);
  if (since === undefined) {
    // CloudFormation cancels an update when another resource fails, but the provider framework still looks at it.
    if (!event.Rollback && await isRollingBack(event.StackId)) {
      log(`The update of DB cluster "${id}" is being rolled back; its change, not sent yet, is not sent`);
      return { done: true, status };
    }
    const sent = await sendInPlace(api, cluster, old, props, event, false);
    if (sent === 'nothing to send') return { done: true, status };
    return { done: false, status: sent === 'sent' ? 'modifying' : `${status}, the change not sent yet` };
  }
  if (TERMINAL_FAILURE_STATES.has(status)) {
    const message = await api.latestEventMessage(id);
    throw new Error(`DB cluster "${id}" went into status "${status}" while its settings were changed${message ? `: ${message}` : ''}.`);
  }
  if (status !== 'available' && status !== 'stopped') return { done: false, status };
  const version = upgradeAsked(cluster, old, props);
  if (version) {
    const failure = await upgradeFailure(api, id, since);
    if (failure) {
      throw new Error(`The upgrade of DB cluster "${id}" from engine version ${cluster.EngineVersion} to ${version} failed: ${failure} `
        + `The cluster runs ${cluster.EngineVersion} as before; fix what the event names, then deploy again.`);
    }
    return { done: false, status: `upgrading from engine version ${cluster.EngineVersion} to ${version}` };
  }
  return { done: true, status };
}

/**
 * One step of a delete: issues DeleteDBCluster when the cluster can take it and reports whether
 * the cluster is gone. A cluster still being created cannot be deleted yet; this waits for it.
 */
async function advanceDelete<P extends ClusterProperties>(
  kind: ClusterRestoreKind<P>, props: P, event: StackResourceRef, id: string, now: Date,
): Promise<PollResult> {
  if (props.RemovalPolicy === 'retain') return { done: true, status: 'retained' };
  const api = clusterApiFor(props.Engine);
  const standing = await ownedForDelete(ownedCluster(kind, api), await api.describe(id), event);
  if (!('tags' in standing)) return standing;
  const { tags, status } = standing;
  // A cluster that never became usable holds no data of its own (the source is untouched) and cannot
  // be snapshotted, so it goes without a final snapshot. One that was restored fine holds data, whatever
  // state it fell into later.
  const restored = tags.some((t) => t.Key === RESTORED_TAG_KEY);
  const failedRestore = TERMINAL_FAILURE_STATES.has(status) && !restored;
  let snapshot = props.RemovalPolicy === 'snapshot' && !failedRestore ? finalSnapshotIdentifier(id, now) : undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      log(`DeleteDBCluster "${id}" (status "${status}"): ${snapshot ? `final snapshot "${snapshot}"` : 'no final snapshot'}`);
      try {
        await api.delete(id, snapshot);
        break;
      } catch (error) {
        // The name is taken (an earlier cluster of this name deleted in the same second): another one.
        if ((error as Error)?.name !== 'DBClusterSnapshotAlreadyExistsFault' || !snapshot || attempt >= 2) throw error;
        snapshot = `${finalSnapshotIdentifier(id, now)}-${randomBytes(2).toString('hex')}`;
      }
    }
  } catch (error) {
    if (isNotFound(error)) return { done: true, status: 'deleted' };
    // A cluster being created or modified can be deleted later; a terminal state will not pass.
    if ((error as Error)?.name === 'InvalidDBClusterStateFault' && !TERMINAL_FAILURE_STATES.has(status)) return { done: false, status };
    const kept = snapshot ? ` It held restored data, so it is not deleted without the final snapshot "${snapshot}": repair it (status "${status}"), `
      + 'then delete the stack again, or delete the cluster yourself.' : '';
    throw new Error(`DeleteDBCluster of "${id}" failed: ${errorText(error)}.${kept}`);
  }
  return { done: false, status: 'deleting' };
}

function attributesOf(cluster: Cluster): Record<ClusterAttribute, string> {
  return {
    DBClusterIdentifier: cluster.DBClusterIdentifier ?? '',
    DBClusterArn: cluster.DBClusterArn ?? '',
    DbClusterResourceId: cluster.DbClusterResourceId ?? '',
    Endpoint: cluster.Endpoint ?? '',
    ReaderEndpoint: cluster.ReaderEndpoint ?? '',
    Port: String(cluster.Port ?? ''),
    [MASTER_USER_SECRET_ARN_ATTRIBUTE]: cluster.MasterUserSecret?.SecretArn ?? '',
  };
}

/**
 * What a restored cluster that was sent its settings still waits for, or undefined when it has them all: its
 * managed secret, the upgrade it was asked for, then the Data API (its switch is refused while the cluster changes).
 */
async function notYetConfigured(
  api: ClusterApi, id: string, cluster: Cluster, pending: ClusterSettings, since: number | undefined,
): Promise<PollResult | undefined> {
  const status = cluster.Status ?? 'unknown';
  if (pending.ManageMasterUserPassword && cluster.MasterUserSecret?.SecretStatus !== 'active') {
    return { done: false, status: `master user secret ${cluster.MasterUserSecret?.SecretStatus ?? 'not yet made'}` };
  }
  // RDS may show the cluster available for a moment before the upgrade it was asked for begins.
  if (pending.EngineVersion && !alreadySo(cluster, 'EngineVersion', pending.EngineVersion)) {
    const failure = await upgradeFailure(api, id, since);
    if (failure) {
      throw new Error(`The upgrade of restored DB cluster "${id}" from engine version ${cluster.EngineVersion} to ${pending.EngineVersion} failed: ${failure} `
        + `Give engineVersion ${cluster.EngineVersion} (or fix what the event names); the rollback removes the cluster by its removal policy.`);
    }
    return { done: false, status: `upgrading from engine version ${cluster.EngineVersion ?? 'unknown'} to ${pending.EngineVersion}` };
  }
  const dataApi = pending.EnableHttpEndpoint;
  if (dataApi !== undefined && !alreadySo(cluster, 'EnableHttpEndpoint', dataApi)) {
    try {
      await api.modify({ identifier: id, arn: cluster.DBClusterArn! }, { EnableHttpEndpoint: dataApi });
    } catch (error) {
      if (isBusy(error)) return { done: false, status: `${status}, Data API not yet switchable` };
      throw error;
    }
    return { done: false, status: `turning the Data API ${dataApi ? 'on' : 'off'}` };
  }
  return undefined;
}

async function pollAvailable<P extends ClusterProperties>(kind: ClusterRestoreKind<P>, props: P, event: IsCompleteRequest): Promise<PollResult> {
  const { PhysicalResourceId: id, StackId: stackId } = event;
  const api = clusterApiFor(props.Engine);
  const owned = ownedCluster(kind, api);
  const cluster = await api.describe(id);
  if (!cluster) {
    throw new Error(`DB cluster "${id}" disappeared while the restore was waiting for it; someone deleted it outside this stack.`);
  }
  const status = cluster.Status ?? 'unknown';
  if (TERMINAL_FAILURE_STATES.has(status)) {
    const message = await api.latestEventMessage(id);
    throw new Error(`Restore of ${kind.describe(props)} failed: cluster status is "${status}"${message ? `: ${message}` : ''}`);
  }
  if (status !== 'available') return { done: false, status };

  // A restore an earlier version started, whose polling outlived the upgrade, is claimed before it is changed.
  const tags = await api.listTags(cluster.DBClusterArn!);
  await claimForStack(owned, cluster, tags, stackId);
  // What the restore call could not set is applied now, so the stack never sees the cluster without it.
  const pending = settingsAfterRestore(kind, props);
  if (Object.keys(pending).length) {
    const requested = createHash('sha256').update(JSON.stringify(pending)).digest('hex').slice(0, 16);
    if (tags.find((t) => t.Key === CONFIGURED_TAG_KEY)?.Value !== requested) {
      // The managed password is always asked for: a restored cluster can show the source's secret. The Data API waits
      // for the rest to be done (its switch is refused while the cluster is modified or upgraded).
      const { ManageMasterUserPassword, EnableHttpEndpoint: _dataApi, ...others } = pending;
      const change = withCompanions(settingsChange({}, { ...notYetSo(cluster, others), ManageMasterUserPassword }), props, cluster);
      if (change) {
        log(`ModifyDBCluster "${id}" once restored: ${Object.keys(change).join(', ')}`);
        try {
          await api.modify({ identifier: id, arn: cluster.DBClusterArn! }, change);
        } catch (error) {
          if (isBusy(error)) return { done: false, status: `${status}, not yet modifiable` };
          throw error;
        }
      }
      await api.addTags(cluster.DBClusterArn!, [{ Key: CONFIGURED_TAG_KEY, Value: requested }]);
      return { done: false, status: 'configuring' };
    }
    const waiting = await notYetConfigured(api, id, cluster, pending, event.WaitStartedAt);
    if (waiting) return waiting;
  }
  await api.addTags(cluster.DBClusterArn!, [{ Key: RESTORED_TAG_KEY, Value: new Date().toISOString() }]);
  return { done: true, status };
}

/** The restore kind handler for a kind of cluster restore. */
export function clusterRestoreHandler<P extends ClusterProperties>(kind: ClusterRestoreKind<P>): RestoreKindHandler {
  return restoreLifecycle<P>({
    kind: kind.kind,
    start: (event, props) => startOwned(ownedCluster(kind, clusterApiFor(props.Engine)), event, props),
    changeInPlace: (event, id, old, props) => updateInPlace(kind, id, old, props, event),
    advanceDelete: (event, id, props) => advanceDelete(kind, props, event, id, new Date()),
    settleInPlace: (event, id, old, props) => settleInPlace(event, id, old, props),
    poll: (event, props) => pollAvailable(kind, props, event),

    async describe(restored: AttributesProperties): Promise<Record<string, string>> {
      const cluster = await clusterApiFor(readEnum('Engine', restored.Engine, CLUSTER_ENGINES)).describe(restored.RestoredId);
      if (!cluster) throw new Error(`DB cluster "${restored.RestoredId}" does not exist, so its attributes cannot be read; someone deleted it outside this stack.`);
      return attributesOf(cluster);
    },
  });
}
