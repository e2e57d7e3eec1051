/**
 * What only Huawei Cloud can tell of a restore into an existing instance, asked before anything is posted:
 * a violated constraint found by the service is at best a failed job, at worst (case sensitivity, time
 * zone) a restore that "succeeds" with inconsistent data, and the target's own data is overwritten either way.
 */
import { sqlServerEditionName, sqlServerRestoreRule } from './sqlserver-versions';
import type { HuaweiRdsRecoveryProperties } from '../../lib/private/kinds/huawei-rds-recovery';
import { log } from '../shared/log';

/** A GET of the RDS API (path under the endpoint, query), answered with its parsed JSON. */
export type HuaweiLookup = (path: string, query: Record<string, string>) => Promise<any>;

/** An instance as Querying DB Instances lists it: the members the pre-flight reads. */
interface Instance {
  readonly id: string;
  readonly status?: string;
  readonly datastore?: { readonly type?: string; readonly version?: string; readonly complete_version?: string };
  readonly volume?: { readonly size?: number };
  readonly time_zone?: string;
}

/** The datastore.type Huawei Cloud answers for each engine the construct takes. */
const DATASTORE_TYPES: Record<HuaweiRdsRecoveryProperties['Engine'], string> = { mysql: 'MySQL', postgresql: 'PostgreSQL', sqlserver: 'SQLServer' };

/**
 * The statuses of an instance that can take a restore: ACTIVE, and BACKING UP, which the Huawei Cloud Terraform
 * provider counts as ready too (a restore request refused as busy is tried again for about three minutes). Every
 * other one is an operation that changes the instance (BUILD, MODIFYING, RESTORING, ...) or a fault (FAILED, FROZEN, STORAGE FULL).
 */
const AVAILABLE = new Set(['ACTIVE', 'BACKING UP']);

/** The parameter that holds MySQL's case sensitivity. */
const CASE_PARAMETER = 'lower_case_table_names';

/** A refused restore: the constraint, what each side holds, and that nothing was sent. */
class Refusal extends Error {
  constructor(props: HuaweiRdsRecoveryProperties, constraint: string, detail: string) {
    super(`Restoring into ${props.TargetInstanceId} was checked before anything was sent, and nothing was sent: ${constraint}. ${detail}`);
    this.name = 'HuaweiPreflightRefusal';
  }
}

async function instanceOf(ask: HuaweiLookup, props: HuaweiRdsRecoveryProperties, id: string, role: string): Promise<Instance> {
  const path = `/v3/${props.ProjectId}/instances`;
  const found = (answer: any): Instance | undefined => (answer.instances ?? []).find((i: Instance) => i.id === id);
  // Flexus RDS instances are listed only when group_type asks for them.
  const instance = found(await ask(path, { id })) ?? found(await ask(path, { id, group_type: 'flexus' }));
  if (!instance) {
    throw new Refusal(props, `the ${role} instance must exist in the project and region`,
      `Project ${props.ProjectId} at ${props.Endpoint} has no DB instance ${id}; a restore across regions or projects is not supported. `
      + `Check ${role === 'source' ? 'sourceInstanceId' : 'targetInstanceId'}, projectId and the region.`);
  }
  return instance;
}

/** Compares dotted versions by their numbers: 5.7.27 before 5.7.100 before 8.0.28. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  const pb = b.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  }
  return 0;
}

const versionOf = (i: Instance) => i.datastore?.complete_version || i.datastore?.version || 'unknown';

/** Both instances' versions at one precision: the complete versions when both give one, else the versions. */
function versionsOf(source: Instance, target: Instance): [string, string] {
  const [s, t] = [source.datastore, target.datastore];
  if (s?.complete_version && t?.complete_version) return [s.complete_version, t.complete_version];
  return [s?.version ?? 'unknown', t?.version ?? 'unknown'];
}

async function caseSensitivity(ask: HuaweiLookup, props: HuaweiRdsRecoveryProperties, id: string): Promise<string | undefined> {
  const answer = await ask(`/v3/${props.ProjectId}/instances/${id}/configurations`, {});
  const parameter = (answer.configuration_parameters ?? []).find((p: { name?: string }) => p.name === CASE_PARAMETER);
  return parameter?.value === undefined ? undefined : String(parameter.value);
}

async function checkMysql(ask: HuaweiLookup, props: HuaweiRdsRecoveryProperties, source: Instance, target: Instance): Promise<void> {
  const [from, to] = versionsOf(source, target);
  if (compareVersions(to, from) < 0) {
    throw new Refusal(props, 'for RDS for MySQL the target\'s engine version must be at least the source\'s',
      `The source ${source.id} runs MySQL ${from} and the target ${target.id} MySQL ${to}. Upgrade the target's minor or major version first, or restore into another instance.`);
  }
  const [sourceSize, targetSize] = [source.volume?.size ?? 0, target.volume?.size ?? 0];
  if (targetSize < sourceSize) {
    throw new Refusal(props, 'for RDS for MySQL the target\'s total storage must be at least the source\'s',
      `The source ${source.id} has ${sourceSize} GB and the target ${target.id} ${targetSize} GB. Scale the target's storage up to ${sourceSize} GB first.`);
  }
  if (source.id === target.id) return;
  const [sourceCase, targetCase] = [await caseSensitivity(ask, props, source.id), await caseSensitivity(ask, props, target.id)];
  // An instance that does not list the parameter tells nothing of it; the service judges that pair.
  if (sourceCase === undefined || targetCase === undefined) {
    log(`${CASE_PARAMETER} is not among the parameters of ${sourceCase === undefined ? source.id : target.id}: the case sensitivity is not compared`);
  } else if (sourceCase !== targetCase) {
    throw new Refusal(props, `for RDS for MySQL both instances must have the same case sensitivity (${CASE_PARAMETER})`,
      `The source ${source.id} has ${CASE_PARAMETER}=${sourceCase} and the target ${target.id} ${CASE_PARAMETER}=${targetCase}; `
      + 'a restore across them may fail or leave tables that the application cannot find. Set the target\'s parameter to the source\'s first '
      + '(on MySQL 8.0 it is fixed when an instance is made: restore into an instance made with the source\'s setting).');
  }
}

interface Database { readonly name: string; readonly character_set?: string }

/** The databases an instance holds, every page of them (total_count is optional in the API's model). */
async function databasesOf(ask: HuaweiLookup, props: HuaweiRdsRecoveryProperties, id: string): Promise<Database[]> {
  const held: Database[] = [];
  for (let page = 1; ; page++) {
    const answer = await ask(`/v3/${props.ProjectId}/instances/${id}/database/detail`, { page: String(page), limit: '100' });
    const databases: Database[] = (answer.databases ?? []).map((d: any) => ({ name: String(d.name), character_set: d.character_set }));
    held.push(...databases);
    if (databases.length < 100 || held.length >= (answer.total_count ?? Infinity)) return held;
  }
}

/** A database of the list that a new name would clash with: the same name, or one in another case under a case-insensitive collation. */
function clashing(held: readonly Database[], name: string): Database | undefined {
  return held.find((d) => d.name === name || (d.name.toLowerCase() === name.toLowerCase() && !/_CS(_|$)/i.test(d.character_set ?? '')));
}

/**
 * The reference's rules for the names databases are restored under, against the databases that exist: a new name
 * names no database of the source, nor of the target. A name kept as its original ("A": "A,A1" or "C": "")
 * restored into the source itself is the overwrite the reference's own correct example makes.
 */
async function checkDatabaseNames(ask: HuaweiLookup, props: HuaweiRdsRecoveryProperties, source: Instance, target: Instance): Promise<void> {
  const names = Object.entries(props.DatabaseNames ?? {}).flatMap(([original, value]) =>
    (value === '' ? [original] : value.split(',')).map((name) => ({ original, name, kept: name.toLowerCase() === original.toLowerCase() })));
  const renamed = names.filter((n) => !n.kept);
  const intoSource = source.id === target.id;
  if (renamed.length === 0 && (intoSource || names.length === 0)) return;
  const onSource = await databasesOf(ask, props, source.id);
  const onTarget = intoSource ? onSource : await databasesOf(ask, props, target.id);
  for (const { original, name, kept } of names) {
    // On the source, a renamed database's new name (a kept name is the source's own database).
    const onSourceClash = kept ? undefined : clashing(onSource, name);
    // On the target, every name but one kept while restoring into the source itself, which overwrites it.
    const onTargetClash = kept && intoSource ? undefined : clashing(onTarget, name);
    const [on, clash] = onSourceClash ? [source, onSourceClash] : [target, onTargetClash];
    if (!clash) continue;
    throw new Refusal(props, 'for RDS for SQL Server a database is restored under a name no database of the source or the target has',
      `databaseNames.${original} names ${name}${kept ? ' (its original name)' : ''}, and the ${on === source ? 'source' : 'target'} ${on.id} `
      + `holds a database ${clash.name}${clash.character_set ? ` (collation ${clash.character_set})` : ''}. Choose another new name.`);
  }
}

async function checkSqlServer(ask: HuaweiLookup, props: HuaweiRdsRecoveryProperties, source: Instance, target: Instance): Promise<void> {
  const [from, to] = [source.datastore?.version ?? 'unknown', target.datastore?.version ?? 'unknown'];
  const rule = sqlServerRestoreRule(from, to);
  if (rule.verdict === 'refused') {
    throw new Refusal(props, 'for RDS for SQL Server the target\'s version and edition must be one Table 1 of the API reference allows',
      `The source ${source.id} runs ${sqlServerEditionName(from)} (${from}) and the target ${target.id} ${sqlServerEditionName(to)} (${to}); `
      + `from ${sqlServerEditionName(from)} a restore goes to ${rule.allowed.join(', ')}.`);
  }
  if (rule.verdict === 'not in the table') log(`SQL Server ${from} to ${to} is not in the API reference's Table 1: only the service can tell whether it may be restored`);
  if ((source.time_zone ?? '') !== (target.time_zone ?? '')) {
    throw new Refusal(props, 'for RDS for SQL Server both instances must have the same time zone',
      `The source ${source.id} is in ${source.time_zone || 'no time zone'} and the target ${target.id} in ${target.time_zone || 'no time zone'}; `
      + 'the reference warns that the restored data may be inconsistent. Restore into an instance of the source\'s time zone.');
  }
  await checkDatabaseNames(ask, props, source, target);
}

async function checkBackup(ask: HuaweiLookup, props: HuaweiRdsRecoveryProperties): Promise<void> {
  const answer = await ask(`/v3/${props.ProjectId}/backups`, { instance_id: props.SourceInstanceId, backup_id: String(props.BackupId) });
  const backup = (answer.backups ?? []).find((b: { id?: string }) => b.id === props.BackupId);
  if (!backup || (backup.instance_id && backup.instance_id !== props.SourceInstanceId)) {
    throw new Refusal(props, 'the backup must exist and be a backup of the source instance',
      `Instance ${props.SourceInstanceId} has no backup ${props.BackupId}. Check restoreSource's backup id and sourceInstanceId.`);
  }
  if (backup.status !== 'COMPLETED') {
    throw new Refusal(props, 'the backup must be completed', `Backup ${props.BackupId} of ${props.SourceInstanceId} is ${backup.status ?? 'of no status'}.`
      + (backup.status === 'BUILDING' ? ' Wait until it is COMPLETED, then deploy again.' : ' Restore from another backup.'));
  }
}

interface TimeRange { readonly start_time: number; readonly end_time: number }

const iso = (ms: number) => new Date(ms).toISOString();
const DAY_MS = 86_400_000;

/** The source's restorable ranges on one UTC day (the API answers by day). */
async function rangesOn(ask: HuaweiLookup, props: HuaweiRdsRecoveryProperties, day: number): Promise<TimeRange[]> {
  const answer = await ask(`/v3/${props.ProjectId}/instances/${props.SourceInstanceId}/restore-time`, { date: iso(day).slice(0, 10) });
  return (answer.restore_time ?? []).map((r: any) => ({ start_time: Number(r.start_time), end_time: Number(r.end_time) }));
}

async function checkRestoreTime(ask: HuaweiLookup, props: HuaweiRdsRecoveryProperties): Promise<void> {
  const time = props.RestoreTime ?? 0;
  const inside = (ranges: TimeRange[]) => ranges.some((r) => r.start_time <= time && time <= r.end_time);
  const sameDay = await rangesOn(ask, props, time);
  if (inside(sameDay)) return;
  // A range that ends or starts on the day before or after may be the nearest; they are asked only to say so.
  const around = [...await rangesOn(ask, props, time - DAY_MS), ...sameDay, ...await rangesOn(ask, props, time + DAY_MS)];
  if (inside(around)) return;
  const distance = (r: TimeRange) => Math.max(r.start_time - time, time - r.end_time);
  const nearest = [...around].sort((a, b) => distance(a) - distance(b))[0];
  throw new Refusal(props, 'the restore time must lie in one of the source\'s restorable time ranges',
    `${iso(time)} (${time}) is in none of ${props.SourceInstanceId}'s ranges`
    + (nearest ? `; the nearest is ${iso(nearest.start_time)} to ${iso(nearest.end_time)} (${nearest.start_time} to ${nearest.end_time}).` : ' from the day before to the day after.')
    + ' Choose a time inside a range.');
}

/**
 * Every constraint of the API reference that the two instances and the restore point can answer, in the
 * order a user fixes them: the instances, their engines, the engine's own rules, then the restore point.
 */
export async function huaweiPreflight(ask: HuaweiLookup, props: HuaweiRdsRecoveryProperties): Promise<void> {
  const source = await instanceOf(ask, props, props.SourceInstanceId, 'source');
  const target = props.TargetInstanceId === props.SourceInstanceId ? source : await instanceOf(ask, props, props.TargetInstanceId, 'target');
  // Only the target must be available: restoring a broken source's backup or history into a sound instance is what a restore is for.
  if (!AVAILABLE.has(target.status ?? '')) {
    throw new Refusal(props, 'the target instance must be available (ACTIVE or BACKING UP)',
      `Instance ${target.id} is ${target.status ?? 'of no status'}. Wait until it is ACTIVE, then deploy again.`);
  }
  const expected = DATASTORE_TYPES[props.Engine];
  for (const instance of source === target ? [source] : [source, target]) {
    const type = instance.datastore?.type ?? 'unknown';
    if (type.toLowerCase() !== expected.toLowerCase()) {
      throw new Refusal(props, 'both instances must run the DB engine the construct declares',
        `engine is ${props.Engine} (${expected}); the source ${source.id} runs ${source.datastore?.type ?? 'unknown'} and the target ${target.id} ${target.datastore?.type ?? 'unknown'}.`);
    }
  }
  if (source === target && props.Engine === 'postgresql') {
    throw new Refusal(props, 'a restore into the source instance itself is supported only for MySQL and SQL Server',
      `The source and the target are both ${source.id}, which runs PostgreSQL. Restore into another existing instance.`);
  }
  if (props.Engine === 'postgresql' && (source.datastore?.version ?? '') !== (target.datastore?.version ?? '')) {
    throw new Refusal(props, 'for RDS for PostgreSQL the target\'s engine version must be the same as the source\'s',
      `The source ${source.id} runs PostgreSQL ${source.datastore?.version ?? 'unknown'} and the target ${target.id} PostgreSQL ${target.datastore?.version ?? 'unknown'}.`);
  }
  if (props.Engine === 'mysql') await checkMysql(ask, props, source, target);
  if (props.Engine === 'sqlserver') await checkSqlServer(ask, props, source, target);
  await (props.RestoreType === 'backup' ? checkBackup(ask, props) : checkRestoreTime(ask, props));
  log(`Pre-flight passed: ${source.id} (${source.datastore?.type} ${versionOf(source)}) into ${target.id} (${target.datastore?.type} ${versionOf(target)})`);
}
