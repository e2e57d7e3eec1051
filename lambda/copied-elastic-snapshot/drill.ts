/**
 * A drill of a DocumentDB Elastic snapshot copy: the run copies the source snapshot again, under its own name and
 * tags, waits until the copy is ACTIVE, and deletes it. The restored point is the source snapshot; its age is the
 * recovery point. The sweep deletes copies a run that died left, once they expire.
 */
import { DeleteClusterSnapshotCommand, DocDBElasticClient, ListClusterSnapshotsCommand, ListTagsForResourceCommand, TagResourceCommand } from '@aws-sdk/client-docdb-elastic';
import { asMap, findByName, getSnapshot } from './handler';
import { DRILL_EXPIRES_TAG_KEY, DRILL_TAG_KEY, SweepConfig } from '../../lib/private/contracts/drill';
import { COPIED_ELASTIC_SNAPSHOT } from '../../lib/private/kinds/copied-elastic-snapshot';
import type { DrillTarget } from '../shared/drill-run';
import { errorText } from '../shared/errors';
import { log } from '../shared/log';

const client = () => new DocDBElasticClient({ maxAttempts: 6 });

/** The sweep's name for what lists DocumentDB Elastic snapshots, among the engines it is told of. */
export const ELASTIC_SWEEP = 'docdb-elastic';

export const elasticCopyDrill: DrillTarget = {
  resourceType: COPIED_ELASTIC_SNAPSHOT.resourceType,
  async prepare(config, name, tags) {
    const {
      WaitHandle: _handle, Validated: _validated, RestoreGeneration: _generation, ServiceToken: _token, Tags: own, ...restore
    } = config.ResourceProperties;
    const source = String(restore.SourceSnapshotArn);
    // The restore's pre-flight tells a missing source in its own words; its time is read here for the recovery point.
    const taken = Date.parse((await getSnapshot(source))?.snapshotCreationTime ?? '');
    const pointTime = Number.isFinite(taken) ? taken : undefined;
    return {
      properties: { ...restore, TargetSnapshotName: name, RemovalPolicy: 'destroy', Tags: { ...(own as Record<string, string>), ...asMap(tags) }, TimeoutSeconds: config.TimeoutSeconds },
      restorePoint: `snapshot ${source}${pointTime ? ` taken ${new Date(pointTime).toISOString()}` : ''}`,
      pointTime,
      latestTime: pointTime,
    };
  },
  // A snapshot copy is whole once ACTIVE: nothing is built on it.
  addParts: async () => ({ done: true, status: 'ACTIVE', parts: [] }),
  removeParts: async () => ({ done: true, status: 'no parts' }),
  locate: async (_config, name) => (await findByName(name))?.snapshotArn,
  async expire(_config, state, now) {
    if (!state.RestoredId) return;
    await client().send(new TagResourceCommand({ resourceArn: state.RestoredId, tags: { [DRILL_EXPIRES_TAG_KEY]: new Date(now).toISOString() } }));
  },
};

/**
 * One sweep of the copies this stack's drill runs left: a manual snapshot named with the stack's drill prefix,
 * carrying its drill tag, whose time is up, is deleted. One refused (still being copied) is tried at the next sweep.
 */
export async function sweepElasticSnapshots(config: SweepConfig, now: number): Promise<string[]> {
  if (!config.Engines.includes(ELASTIC_SWEEP)) return [];
  const deleted: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client().send(new ListClusterSnapshotsCommand({ snapshotType: 'manual', nextToken }));
    for (const snapshot of page.snapshots ?? []) {
      if (!snapshot.snapshotName?.startsWith(config.NamePrefix) || snapshot.status === 'DELETING') continue;
      try {
        const tags = (await client().send(new ListTagsForResourceCommand({ resourceArn: snapshot.snapshotArn! }))).tags ?? {};
        if (tags[DRILL_TAG_KEY] !== config.StackName || !(Date.parse(tags[DRILL_EXPIRES_TAG_KEY] ?? '') <= now)) continue;
        log(`Sweeping expired drill copy ${snapshot.snapshotArn} ("${snapshot.snapshotName}")`);
        await client().send(new DeleteClusterSnapshotCommand({ snapshotArn: snapshot.snapshotArn! }));
        deleted.push(snapshot.snapshotArn!);
      } catch (error) {
        log(`Sweeping drill copy ${snapshot.snapshotArn} failed (${errorText(error)}); the next sweep tries again`);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return deleted;
}
