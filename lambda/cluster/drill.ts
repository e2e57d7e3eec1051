/**
 * A drill of a restored DB cluster: the run restores under its own name and tags, adds the writer instance the
 * construct gives its cluster (CloudFormation makes those; a run is outside CloudFormation, so it makes its own),
 * and deletes both without a final snapshot. The sweeper deletes what a run that died left, once it expires.
 */
import { Cluster, clusterApiFor, ClusterApi } from './cluster-api';
import { CLUSTER_ENGINES, ClusterEngineName } from '../../lib/private/contracts/cluster';
import { ApiTag, readEnum } from '../../lib/private/contracts/common';
import { DRILL_EXPIRES_TAG_KEY, DRILL_TAG_KEY, DrillConfig, SweepConfig } from '../../lib/private/contracts/drill';
import { POINT_IN_TIME_RESTORED_CLUSTER } from '../../lib/private/kinds/point-in-time-restored-cluster';
import { S3_IMPORTED_AURORA_CLUSTER } from '../../lib/private/kinds/s3-imported-aurora-cluster';
import type { DrillRestore, DrillState, DrillTarget } from '../shared/drill-run';
import { errorText } from '../shared/errors';
import { log } from '../shared/log';
import { PollResult } from '../shared/types';

/** Instance states from which an instance never becomes available. */
const FAILED_INSTANCE_STATES = new Set(['failed', 'incompatible-parameters', 'incompatible-network', 'incompatible-restore', 'inaccessible-encryption-credentials', 'storage-full']);

const engineOf = (config: DrillConfig) => readEnum('Engine', config.ResourceProperties.Engine, CLUSTER_ENGINES);

/** The names of the instances a run adds to its cluster. */
const instanceNames = (config: DrillConfig, clusterId: string) => config.Instances.map((_instance, i) => `${clusterId}-${i + 1}`);

/** The restore's properties as the run restores them: its name and tags, deleted without a snapshot, never protected. */
function drillProperties(config: DrillConfig, name: string, tags: ApiTag[]): Record<string, unknown> {
  const {
    WaitHandle: _handle, Validated: _validated, NameDerived: _derived, RestoreGeneration: _generation, ServiceToken: _token, ...restore
  } = config.ResourceProperties;
  return { ...restore, DBClusterIdentifier: name, DeletionProtection: false, RemovalPolicy: 'destroy', Tags: tags, TimeoutSeconds: config.TimeoutSeconds };
}

/**
 * A random moment within the last `seconds` of the source's restorable window, in whole seconds (as the restore
 * is asked), never outside the window; undefined when the window holds no whole second.
 */
export function randomPointWithin(earliest: number | undefined, latest: number, seconds: number, random: () => number): number | undefined {
  const from = Math.ceil(Math.max(earliest ?? -Infinity, latest - seconds * 1000) / 1000);
  const to = Math.floor(latest / 1000);
  if (to < from) return undefined;
  return (from + Math.floor((to - from + 1) * random())) * 1000;
}

/** A drill of a kind that restores a cluster: how it chooses what to restore; its writer and its delete are the same for all. */
function clusterDrill(
  resourceType: string, choose: (config: DrillConfig, properties: Record<string, unknown>) => Promise<DrillRestore>,
): DrillTarget {
  return {
    resourceType,
    prepare: (config, name, tags) => choose(config, drillProperties(config, name, tags)),
    addParts: (config, state, tags) => addInstances(clusterApiFor(engineOf(config)), config, state, tags),
    removeParts: (config, state) => removeInstances(clusterApiFor(engineOf(config)), config, state),
    expire: (config, state, now) => expireNow(clusterApiFor(engineOf(config)), state, now),
    locate: async (config, name) => ((await clusterApiFor(engineOf(config)).describe(name)) ? name : undefined),
  };
}

/** A point-in-time restore's drill: the latest restorable time, or a random time within the window asked for. */
export const pointInTimeDrill = clusterDrill(POINT_IN_TIME_RESTORED_CLUSTER.resourceType, async (config, properties) => {
  const api = clusterApiFor(engineOf(config));
  const props = config.ResourceProperties;
  const sourceId = props.SourceDBClusterIdentifier as string | undefined;
  const source = sourceId ? await api.describe(sourceId) : await api.retainedBackups(String(props.SourceDbClusterResourceId));
  const sourceName = sourceId ?? `the deleted cluster ${String(props.SourceDbClusterResourceId)}`;
  // The restore's pre-flight tells a missing source in its own words; the window is read here to choose the point.
  const latest = source?.LatestRestorableTime?.getTime();
  const { RestoreToTime: _time, ...atLatest } = properties;
  const latestRestore = (why = '') => ({ properties: atLatest, restorePoint: `${sourceName} at its latest restorable time${why}`, pointTime: latest, latestTime: latest });
  if ('Latest' in config.RestorePoint || latest === undefined) return latestRestore();
  const point = randomPointWithin(source?.EarliestRestorableTime?.getTime(), latest, config.RestorePoint.WithinSeconds, Math.random);
  if (point === undefined) return latestRestore(' (its window holds no whole second to choose from)');
  const at = new Date(point).toISOString();
  return { properties: { ...properties, RestoreToTime: at }, restorePoint: `${sourceName} at ${at}`, pointTime: point, latestTime: latest };
});

/**
 * An S3 import's drill imports the backup its restore names once more. The backup's age is not read (the files
 * are the backup tool's), so a run measures no recovery point.
 */
export const s3ImportDrill = clusterDrill(S3_IMPORTED_AURORA_CLUSTER.resourceType, async (config, properties) => {
  const props = config.ResourceProperties;
  return { properties, restorePoint: `s3://${String(props.S3BucketName)}/${String(props.S3Prefix ?? '')}` };
});

async function addInstances(api: ClusterApi, config: DrillConfig, state: DrillState, tags: ApiTag[]): Promise<PollResult & { parts: string[] }> {
  const names = instanceNames(config, state.RestoredId!);
  const statuses: string[] = [];
  for (const [i, name] of names.entries()) {
    const status = await api.instanceStatus(name);
    if (status === undefined) {
      log(`CreateDBInstance "${name}" (${config.Instances[i].DBInstanceClass}) in DB cluster "${state.RestoredId}"`);
      await api.createInstance({
        DBInstanceIdentifier: name,
        DBClusterIdentifier: state.RestoredId!,
        DBInstanceClass: config.Instances[i].DBInstanceClass,
        Engine: engineOf(config),
        Tags: tags,
      });
      statuses.push('creating');
    } else if (FAILED_INSTANCE_STATES.has(status)) {
      throw new Error(`DB instance "${name}" of the drill's cluster went into status "${status}"`);
    } else {
      statuses.push(status);
    }
  }
  const done = statuses.every((s) => s === 'available');
  return { done, status: names.map((n, i) => `${n}: ${statuses[i]}`).join(', '), parts: names };
}

async function removeInstances(api: ClusterApi, config: DrillConfig, state: DrillState): Promise<PollResult> {
  const names = state.RestoredId ? instanceNames(config, state.RestoredId) : [];
  const left: string[] = [];
  for (const name of names) {
    const status = await api.instanceStatus(name);
    if (status === undefined) continue;
    left.push(`${name}: ${status}`);
    if (status !== 'deleting') {
      log(`DeleteDBInstance "${name}" (status "${status}")`);
      await api.deleteInstance(name);
    }
  }
  return { done: left.length === 0, status: left.join(', ') || 'gone' };
}

/**
 * One sweep: every cluster of a drill run of this stack whose time is up loses its instances, then goes, with no
 * final snapshot. Only names the drills give and only clusters with the stack's drill tag are touched. A delete
 * under way is left to finish, and one refused (a cluster still being made) is tried at the next sweep; neither
 * keeps the sweep from the other clusters. RDS's and Neptune's APIs both list every cluster: each is swept once.
 */
export async function sweepClusters(config: SweepConfig, now: number): Promise<string[]> {
  const deleted: string[] = [];
  const seen = new Set<string>();
  for (const engine of config.Engines.filter((e): e is ClusterEngineName => (CLUSTER_ENGINES as readonly string[]).includes(e))) {
    const api = clusterApiFor(engine);
    for (const cluster of await api.listStartingWith(config.NamePrefix)) {
      const id = cluster.DBClusterIdentifier!;
      if (seen.has(id)) continue;
      seen.add(id);
      try {
        deleted.push(...await sweepCluster(api, cluster, config, now));
      } catch (error) {
        log(`Sweeping drill cluster "${id}" failed (${errorText(error)}); the next sweep tries again`);
      }
    }
  }
  return deleted;
}

/** Sweeps one cluster, if it is this stack's drill's and its time is up: its instances first, then the cluster. */
async function sweepCluster(api: ClusterApi, cluster: Cluster, config: SweepConfig, now: number): Promise<string[]> {
  const id = cluster.DBClusterIdentifier!;
  const tags = await api.listTags(cluster.DBClusterArn!);
  if (tags.find((t) => t.Key === DRILL_TAG_KEY)?.Value !== config.StackName) return [];
  const expires = Date.parse(tags.find((t) => t.Key === DRILL_EXPIRES_TAG_KEY)?.Value ?? '');
  if (!(expires <= now) || cluster.Status === 'deleting') return [];
  const members = (cluster.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier!);
  const deleted: string[] = [];
  for (const member of members) {
    const status = await api.instanceStatus(member);
    if (status === undefined || status === 'deleting') continue;
    log(`Sweeping DB instance "${member}" (status "${status}") of expired drill cluster "${id}"`);
    await api.deleteInstance(member);
    deleted.push(member);
  }
  if (members.length) return deleted;
  log(`Sweeping expired drill cluster "${id}" (expired ${new Date(expires).toISOString()}), no final snapshot: it is a copy`);
  await api.delete(id, undefined);
  return [id];
}

/** Marks what a run made as expired now, so that the next sweep deletes what the run could not. */
export async function expireNow(api: ClusterApi, state: DrillState, now: number): Promise<void> {
  if (!state.RestoredId) return;
  const cluster = await api.describe(state.RestoredId);
  const expired = [{ Key: DRILL_EXPIRES_TAG_KEY, Value: new Date(now).toISOString() }];
  if (cluster?.DBClusterArn) await api.addTags(cluster.DBClusterArn, expired);
}
