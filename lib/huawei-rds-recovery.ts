/**
 * The `HuaweiRdsRecovery` construct: a Huawei Cloud RDS restore into an existing DB instance.
 */
import { Token } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CommonRestoreProperties, restoreInputsOf } from './private/contracts/common';
import { HUAWEI_RDS_REGIONS, huaweiRdsEndpoint, nearestHuaweiRegion } from './private/huawei-regions';
import { HUAWEI_RDS_RECOVERY, HuaweiRdsRecoveryProperties } from './private/kinds/huawei-rds-recovery';
import { invalidProp, restoreGeneration } from './private/prop-checks';
import { inputsHash } from './private/references';
import { RestoreConstruct } from './private/restore-construct';
import { RestoreResource } from './private/restore-resource';
import { rethrowOnConstruct } from './private/validation-error';
import { RestoreOptions } from './restore-options';
import { checkRestoreTime } from './restore-point';

/** The DB engine of the Huawei Cloud RDS instances; it decides which options apply. */
export enum HuaweiRdsEngine {
  /** RDS for MySQL. */
  MYSQL = 'mysql',
  /** RDS for PostgreSQL. */
  POSTGRESQL = 'postgresql',
  /** RDS for SQL Server. */
  SQL_SERVER = 'sqlserver',
}

/** Where the restored data comes from: a backup, or a point in time of the source instance. */
export class HuaweiRestoreSource {
  /** A backup of the source instance, by its ID. */
  public static backup(backupId: string): HuaweiRestoreSource {
    if (!Token.isUnresolved(backupId) && !backupId.trim()) invalidProp('restoreSource', backupId, 'give the ID of a backup');
    return new HuaweiRestoreSource('backup', backupId, undefined);
  }

  /** A point in time of the source instance (sent in milliseconds of UTC); it may not lie in the future. */
  public static pointInTime(time: Date): HuaweiRestoreSource {
    checkRestoreTime('restoreSource', time, 'a restore time lies in the past: data cannot be restored from a moment that has not happened');
    return new HuaweiRestoreSource('timestamp', undefined, time.getTime());
  }

  /** `backup` or `timestamp`, as the API names the restoration modes. */
  public readonly mode: string;
  /** The backup's ID, for a backup. */
  public readonly backupId?: string;
  /** Milliseconds since the epoch (UTC), for a point in time. */
  public readonly restoreTime?: number;

  private constructor(mode: string, backupId: string | undefined, restoreTime: number | undefined) {
    this.mode = mode;
    this.backupId = backupId;
    this.restoreTime = restoreTime;
  }
}

/** Props of {@link HuaweiRdsRecovery}. */
export interface HuaweiRdsRecoveryProps extends RestoreOptions {
  /**
   * Huawei Cloud region, such as cn-north-4; the endpoint is https://rds.<region>.myhuaweicloud.com.
   * Give `region` or `endpoint`.
   * @default - from `endpoint`
   */
  readonly region?: string;
  /**
   * The RDS API endpoint, such as https://rds.cn-north-4.myhuaweicloud.com.
   * @default - https://rds.<region>.myhuaweicloud.com
   */
  readonly endpoint?: string;
  /** Huawei Cloud project ID of the region. */
  readonly projectId: string;
  /**
   * A secret holding `{"accessKeyId": "...", "secretAccessKey": "..."}` of a Huawei Cloud IAM user. The
   * handler reads it when it runs; the keys are never in the template, the environment or a log line.
   * The user restores, and before that reads the instances, their parameters and databases, the backups
   * and the restore time ranges, which the handler checks before it restores.
   */
  readonly credentials: secretsmanager.ISecret;
  /** ID of the instance whose backup or history is restored. */
  readonly sourceInstanceId: string;
  /** ID of the existing instance the data is restored into; its data is overwritten. */
  readonly targetInstanceId: string;
  /** A backup, or a point in time. */
  readonly restoreSource: HuaweiRestoreSource;
  /** The instances' DB engine. */
  readonly engine: HuaweiRdsEngine;
  /**
   * SQL Server only: which databases to restore and under which new names, as
   * `{ original: 'new1,new2' }`; an empty value keeps the original name.
   * @default - all databases, under their names
   */
  readonly databaseNames?: { [original: string]: string };
  /**
   * SQL Server only: restore all databases.
   * @default false
   */
  readonly restoreAllDatabases?: boolean;
  /**
   * Must be true: restoring into an existing instance overwrites its data, and the construct will
   * not do that without being told so.
   */
  readonly acknowledgeOverwrite: boolean;
}

const RESERVED_DATABASES = new Set(['rdsadmin', 'master', 'msdb', 'tempdb', 'model', 'resource']);

/**
 * A Huawei Cloud RDS restore (MySQL, PostgreSQL, SQL Server) from a backup or a point in time into an
 * existing DB instance, waited for until its job ends. Deleting the construct does nothing to the instance.
 */
export class HuaweiRdsRecovery extends RestoreConstruct {
  /** ID of the recovery job. */
  public readonly jobId: string;
  /** @internal */
  protected readonly _restore: RestoreResource;

  /**
   * @param scope the construct to create the recovery in
   * @param id the construct id, unique within the scope
   * @param props what to restore into which instance
   */
  constructor(scope: Construct, id: string, props: HuaweiRdsRecoveryProps) {
    try {
      super(scope, id);
      const endpoint = validateProps(props);
      const properties: Omit<HuaweiRdsRecoveryProperties, Exclude<keyof CommonRestoreProperties, 'RestoreGeneration'>> = {
        Endpoint: endpoint,
        ProjectId: props.projectId,
        CredentialsSecretArn: props.credentials.secretArn,
        Engine: props.engine,
        SourceInstanceId: props.sourceInstanceId,
        TargetInstanceId: props.targetInstanceId,
        RestoreType: props.restoreSource.mode as 'backup' | 'timestamp',
        BackupId: props.restoreSource.backupId,
        RestoreTime: props.restoreSource.restoreTime,
        DatabaseNames: props.databaseNames,
        RestoreAllDatabases: props.restoreAllDatabases,
        ...restoreGeneration(props.restoreGeneration),
      };
      // A restore into an existing instance is never repeated by an Update, whose rollback would restore
      // the old source over the new one. Another restore is another resource: its logical id carries the
      // restore's inputs (the restoreGeneration among them), so CloudFormation creates it (one restore) and
      // deletes the old one (nothing to undo), and a rollback deletes it again. The credentials may change
      // without a restore.
      const inputs = restoreInputsOf(properties, HUAWEI_RDS_RECOVERY.inPlace);
      const restore = this._restore = new RestoreResource(this, `Restore${inputsHash(this, inputs).toUpperCase()}`, {
        kind: HUAWEI_RDS_RECOVERY,
        timeout: props.timeout,
        logRetention: props.logRetention,
        validation: props.validation,
        restorePoint: restorePointOf(props),
        properties: { ...properties },
      });
      props.credentials.grantRead(restore.handlerPrincipal);
      this.jobId = restore.getAttString('JobId');
    } catch (error) {
      rethrowOnConstruct(scope, id, error);
    }
  }
}

/** What the recovery restores, in words, for a validator. */
function restorePointOf(props: HuaweiRdsRecoveryProps): string {
  const { backupId, restoreTime } = props.restoreSource;
  if (backupId !== undefined) return `backup ${backupId} of ${props.sourceInstanceId}`;
  const time = restoreTime === undefined || Token.isUnresolved(restoreTime) ? String(restoreTime) : new Date(restoreTime).toISOString();
  return `${props.sourceInstanceId} at ${time}`;
}

function validateProps(props: HuaweiRdsRecoveryProps): string {
  if (props.acknowledgeOverwrite !== true) {
    invalidProp('acknowledgeOverwrite', props.acknowledgeOverwrite,
      `restoring into the existing instance ${props.targetInstanceId} overwrites its data; set acknowledgeOverwrite: true to confirm that is wanted`);
  }
  if (props.region && props.endpoint) invalidProp('endpoint', props.endpoint, 'give either region or endpoint, not both');
  if (!props.region && !props.endpoint) invalidProp('region', props.region, 'give region (such as cn-north-4) or endpoint');
  if (props.region && !Token.isUnresolved(props.region) && !HUAWEI_RDS_REGIONS.includes(props.region)) {
    invalidProp('region', props.region, `Huawei Cloud has no RDS region ${props.region} that this library knows; the nearest is ${nearestHuaweiRegion(props.region)}. `
      + 'For a region newer than this library, give endpoint (https://rds.<region>.myhuaweicloud.com) instead');
  }
  if (props.endpoint && !Token.isUnresolved(props.endpoint) && !/^https:\/\/[^/]+$/.test(props.endpoint.replace(/\/$/, ''))) {
    invalidProp('endpoint', props.endpoint, 'use an https URL without a path, such as https://rds.cn-north-4.myhuaweicloud.com');
  }
  if (!Token.isUnresolved(props.projectId) && !/^[0-9a-f]{32}$/.test(props.projectId)) {
    invalidProp('projectId', props.projectId, 'a Huawei Cloud project ID is 32 hexadecimal characters');
  }
  const sqlServer = props.engine === HuaweiRdsEngine.SQL_SERVER;
  if (!sqlServer && props.databaseNames !== undefined) {
    invalidProp('databaseNames', props.databaseNames, 'renaming or choosing databases is available only for RDS for SQL Server');
  }
  if (!sqlServer && props.restoreAllDatabases !== undefined) {
    invalidProp('restoreAllDatabases', props.restoreAllDatabases, 'this option is available only for RDS for SQL Server');
  }
  if (props.databaseNames) validateDatabaseNames(props.databaseNames);
  if (props.engine === HuaweiRdsEngine.POSTGRESQL && !Token.isUnresolved(props.targetInstanceId) && !Token.isUnresolved(props.sourceInstanceId)
    && props.targetInstanceId === props.sourceInstanceId) {
    invalidProp('targetInstanceId', props.targetInstanceId,
      'it is the source instance; Huawei Cloud restores into the original instance only for MySQL and SQL Server, so a PostgreSQL restore needs another existing instance as its target');
  }
  return props.endpoint?.replace(/\/$/, '') ?? huaweiRdsEndpoint(props.region!);
}

/** The API's rules for new database names, each with its reason. */
function validateDatabaseNames(names: { [original: string]: string }): void {
  const seen = new Map<string, string>();
  const originals = new Set(Object.keys(names).map((n) => n.toLowerCase()));
  for (const [original, value] of Object.entries(names)) {
    if (Token.isUnresolved(value)) continue;
    const news = value === '' ? [] : value.split(',');
    for (const name of news) {
      const where = `databaseNames.${original}`;
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) invalidProp(where, name, 'a new database name has 1 to 64 letters, digits, "_" or "-"');
      if (RESERVED_DATABASES.has(name.toLowerCase())) {
        invalidProp(where, name, 'rdsadmin, master, msdb, tempdb, model and resource (in any case) are reserved by SQL Server and RDS');
      }
      // A list may keep the original name beside new ones ("A": "A,A1"); a lone new name may not be the original.
      if (news.length === 1 && name.toLowerCase() === original.toLowerCase()) {
        invalidProp(where, name, 'a single new name must differ from its original name (leave the value empty to keep the original name, or list it beside new names)');
      }
      if (originals.has(name.toLowerCase()) && name.toLowerCase() !== original.toLowerCase()) {
        invalidProp(where, name, 'a new name must differ from the names of the original databases');
      }
      const clash = seen.get(name.toLowerCase());
      if (clash !== undefined) {
        invalidProp(where, name, clash === name
          ? 'each new database name must be unique'
          : `it clashes with "${clash}": database names may be case-insensitive, so names that differ only in case conflict`);
      }
      seen.set(name.toLowerCase(), name);
    }
  }
}
