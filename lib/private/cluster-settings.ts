/**
 * The settings of a restored cluster besides its restore inputs (capacity, storage, logs, backups,
 * windows, monitoring): checked at synth as aws-rds checks them, and turned into the contract's
 * ClusterSettings, which the handler sends in the restore call or applies by ModifyDBCluster.
 */
import { Annotations, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { serviceRole } from './cluster-instances';
import { partsRemovalPolicy } from './cluster-network';
import { ClusterEngineName, ClusterSettings } from './contracts/cluster';
import { suppressNag } from './nag';
import { invalidProp } from './prop-checks';
import { NeptuneClusterInstance } from '../neptune-cluster-instance';
import { DatabaseInsightsMode, RestoredClusterOptions } from '../restored-cluster-options';

/**
 * What a kind adds to the shared settings: a managed master password (which the S3 import always has), and the
 * engine version to upgrade to (a point-in-time restore's; an S3 import names its version among its restore inputs).
 */
export interface KindSettings {
  readonly manageMasterUserPassword?: boolean;
  readonly masterUserSecretKey?: kms.IKey;
  readonly engineVersion?: string;
}

/** Log types each engine exports (the RDS and Neptune API references). */
const LOG_TYPES: Record<ClusterEngineName, readonly string[]> = {
  'aurora-mysql': ['audit', 'error', 'general', 'instance', 'slowquery', 'iam-db-auth-error'],
  'aurora-postgresql': ['instance', 'postgresql', 'iam-db-auth-error'],
  'neptune': ['audit', 'slowquery'],
};

/** Serverless capacity bounds and defaults: Aurora capacity units, or Neptune capacity units. */
const CAPACITY = {
  aurora: { unit: 'Aurora capacity units', min: [0, 256], max: [1, 256], defaults: [0.5, 2] },
  neptune: { unit: 'Neptune capacity units', min: [1, 128], max: [2.5, 128], defaults: [1, 2.5] },
} as const;

const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];
const MAX_BACKTRACK_SECONDS = 72 * 3600;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const known = (value: unknown) => value !== undefined && !Token.isUnresolved(value);

function validateCapacity(engine: ClusterEngineName, props: RestoredClusterOptions): void {
  const rule = CAPACITY[engine === 'neptune' ? 'neptune' : 'aurora'];
  const check = (prop: string, value: number | undefined, [low, high]: readonly number[]) => {
    if (!known(value)) return;
    if (value! < low || value! > high || !Number.isInteger(value! * 2)) {
      invalidProp(prop, value, `use ${low} to ${high} ${rule.unit}, in steps of 0.5`);
    }
  };
  check('serverlessV2MinCapacity', props.serverlessV2MinCapacity, rule.min);
  check('serverlessV2MaxCapacity', props.serverlessV2MaxCapacity, rule.max);
  const [min, max] = [props.serverlessV2MinCapacity, props.serverlessV2MaxCapacity];
  if (known(min) && known(max) && max! < min!) {
    invalidProp('serverlessV2MaxCapacity', props.serverlessV2MaxCapacity, `it is below serverlessV2MinCapacity (${props.serverlessV2MinCapacity})`);
  }
}

/** Minutes since the start of the day of a `hh24:mi`, or undefined when it is not one. */
function minutesOf(time: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** The backup window as [start, end) in minutes of the day, the end past 1440 when it crosses midnight. */
function backupWindow(window: string): [number, number] {
  const [from, to] = window.split('-');
  const start = minutesOf(from ?? '');
  const end = minutesOf(to ?? '');
  if (window.split('-').length !== 2 || start === undefined || end === undefined) {
    invalidProp('backup.preferredWindow', window, 'use hh24:mi-hh24:mi in UTC, such as 03:00-04:00');
  }
  const span = (end - start + 1440) % 1440;
  if (span < 30) invalidProp('backup.preferredWindow', window, 'the window must last at least 30 minutes');
  return [start, start + span];
}

/** The maintenance window as [start, end) in minutes of the week from Sunday 00:00, the end past a week when it wraps. */
function maintenanceWindow(window: string): [number, number] {
  const parse = (part: string) => {
    const match = /^([A-Za-z]{3}):(\d\d:\d\d)$/.exec(part);
    const day = match ? DAYS.indexOf(match[1].toLowerCase()) : -1;
    const minutes = match ? minutesOf(match[2]) : undefined;
    return day < 0 || minutes === undefined ? undefined : day * 1440 + minutes;
  };
  const parts = window.split('-');
  const start = parse(parts[0] ?? '');
  const end = parse(parts[1] ?? '');
  if (parts.length !== 2 || start === undefined || end === undefined) {
    invalidProp('preferredMaintenanceWindow', window, 'use ddd:hh24:mi-ddd:hh24:mi in UTC, such as Sun:23:45-Mon:00:15');
  }
  const week = 7 * 1440;
  const span = (end - start + week) % week;
  if (span < 30) invalidProp('preferredMaintenanceWindow', window, 'the window must last at least 30 minutes');
  return [start, start + span];
}

/** RDS refuses a backup window that overlaps the maintenance window on any day. */
function validateWindows(props: RestoredClusterOptions): void {
  const backup = known(props.backup?.preferredWindow) ? backupWindow(props.backup!.preferredWindow!) : undefined;
  const maintenance = known(props.preferredMaintenanceWindow) ? maintenanceWindow(props.preferredMaintenanceWindow!) : undefined;
  if (!backup || !maintenance) return;
  const week = 7 * 1440;
  for (let day = -1; day <= 7; day++) {
    const [b0, b1] = [backup[0] + day * 1440, backup[1] + day * 1440];
    for (const shift of [-week, 0, week]) {
      if (b0 < maintenance[1] + shift && maintenance[0] + shift < b1) {
        invalidProp('preferredMaintenanceWindow', props.preferredMaintenanceWindow, `it overlaps the backup window ${props.backup!.preferredWindow}; RDS needs them apart`);
      }
    }
  }
}

function validateBackup(props: RestoredClusterOptions): void {
  const retention = props.backup?.retention;
  if (retention && !retention.isUnresolved()) {
    const days = retention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1 || days > 35) invalidProp('backup.retention', retention.toHumanString(), 'use whole days from 1 to 35');
  }
  validateWindows(props);
}

/** Performance Insights and Database Insights, as aws-rds checks them. */
function validateInsights(props: RestoredClusterOptions): void {
  const advanced = props.databaseInsightsMode === DatabaseInsightsMode.ADVANCED;
  const needsInsights = props.performanceInsightRetention !== undefined || props.performanceInsightEncryptionKey !== undefined || advanced;
  if (props.enablePerformanceInsights === false && needsInsights) {
    invalidProp('enablePerformanceInsights', false,
      'performanceInsightRetention, performanceInsightEncryptionKey or the advanced databaseInsightsMode is given, which needs Performance Insights on');
  }
  if (advanced && props.performanceInsightRetention !== rds.PerformanceInsightRetention.MONTHS_15) {
    invalidProp('performanceInsightRetention', props.performanceInsightRetention ?? 'unset',
      'the advanced databaseInsightsMode keeps Performance Insights data 15 months: give PerformanceInsightRetention.MONTHS_15');
  }
  const mode = props.databaseInsightsMode;
  if (known(mode) && !Object.values(DatabaseInsightsMode).includes(mode!)) {
    invalidProp('databaseInsightsMode', mode, `use one of ${Object.values(DatabaseInsightsMode).join(', ')}`);
  }
}

/**
 * The forms RDS and Neptune give their engine versions: Aurora MySQL's name the MySQL version and Aurora's own
 * (8.0.mysql_aurora.3.08.0); Aurora PostgreSQL's and Neptune's are numbers (16.4, 1.3.2.1), Aurora PostgreSQL's
 * with a suffix RDS adds to some (16.4-limitless).
 */
const ENGINE_VERSION_FORMS: Record<ClusterEngineName, { pattern: RegExp; example: string }> = {
  'aurora-mysql': { pattern: /^\d+\.\d+\.mysql_aurora\.\d+\.\d+\.\d+$/, example: '8.0.mysql_aurora.3.08.0' },
  'aurora-postgresql': { pattern: /^\d+(\.\d+)*(-[a-z0-9]+)?$/, example: '16.4' },
  'neptune': { pattern: /^\d+(\.\d+)+$/, example: '1.3.2.1' },
};

function validateEngineVersion(engine: ClusterEngineName, version: string | undefined): void {
  if (!known(version)) return;
  const form = ENGINE_VERSION_FORMS[engine];
  if (!form.pattern.test(version!)) invalidProp('engineVersion', version, `use an engine version of ${engine}, such as ${form.example}`);
}

/** What Neptune's API has no member for (its RestoreDBClusterToPointInTime and ModifyDBCluster). */
function validateNotNeptune(props: RestoredClusterOptions, secret: KindSettings): void {
  const unsupported: Record<string, unknown> = {
    networkType: props.networkType,
    engineLifecycleSupport: props.engineLifecycleSupport,
    enablePerformanceInsights: props.enablePerformanceInsights,
    performanceInsightRetention: props.performanceInsightRetention,
    performanceInsightEncryptionKey: props.performanceInsightEncryptionKey,
    monitoringInterval: props.monitoringInterval,
    monitoringRole: props.monitoringRole,
    backtrackWindow: props.backtrackWindow,
    manageMasterUserPassword: secret.manageMasterUserPassword,
    masterUserSecretKey: secret.masterUserSecretKey,
    databaseInsightsMode: props.databaseInsightsMode,
    autoMinorVersionUpgrade: props.autoMinorVersionUpgrade,
    enableLocalWriteForwarding: props.enableLocalWriteForwarding,
    enableDataApi: props.enableDataApi,
    domain: props.domain,
    domainRole: props.domainRole,
  };
  for (const [prop, value] of Object.entries(unsupported)) {
    if (value === undefined) continue;
    invalidProp(prop, typeof value === 'object' ? 'set' : value, 'Neptune does not support it: the Neptune API has no such setting; remove it');
  }
}

/** Checks every setting as aws-rds checks it, and what each engine supports. */
export function validateClusterSettings(scope: Construct, engine: ClusterEngineName, props: RestoredClusterOptions,
  secret: KindSettings): void {
  if (engine === 'neptune') validateNotNeptune(props, secret);
  if ((props.writer || props.readers) && (props.instances !== undefined || props.instanceType)) {
    invalidProp(props.instances !== undefined ? 'instances' : 'instanceType', props.instances ?? props.instanceType?.toString(),
      'give either the shorthand (instances, instanceType) or writer and readers, not both');
  }
  if (props.readers && !props.writer) invalidProp('readers', 'set', 'readers need a writer; give writer too');
  const instances = [props.writer, ...props.readers ?? []].filter((i) => i !== undefined);
  instances.forEach((instance, i) => {
    const prop = i === 0 ? 'writer' : `readers[${i - 1}]`;
    const isNeptune = instance instanceof NeptuneClusterInstance;
    if (engine === 'neptune' && !isNeptune) {
      invalidProp(prop, 'an rds.IClusterInstance', 'a Neptune cluster takes NeptuneClusterInstance.provisioned(...) or NeptuneClusterInstance.serverless(...)');
    }
    if (engine !== 'neptune' && isNeptune) {
      invalidProp(prop, 'a NeptuneClusterInstance', `an ${engine} cluster takes rds.ClusterInstance.provisioned(...) or rds.ClusterInstance.serverlessV2(...)`);
    }
  });
  validateCapacity(engine, props);
  if (known(props.storageType) && ![rds.DBClusterStorageType.AURORA, rds.DBClusterStorageType.AURORA_IOPT1].includes(props.storageType!)) {
    invalidProp('storageType', props.storageType, 'use DBClusterStorageType.AURORA or AURORA_IOPT1; the others are for Multi-AZ DB clusters, not restored Aurora or Neptune clusters');
  }
  const logTypes = LOG_TYPES[engine];
  for (const type of props.cloudwatchLogsExports ?? []) {
    if (known(type) && !logTypes.includes(type)) invalidProp('cloudwatchLogsExports', type, `${engine} exports ${logTypes.join(', ')}`);
  }
  // What has no effect is said, not refused: aws-rds ignores it too, and the service never sees it.
  if (props.cloudwatchLogsRetention !== undefined && !props.cloudwatchLogsExports?.length) {
    Annotations.of(scope).addWarningV2('cdk-restore-constructs:cloudwatchLogsRetention',
      'cloudwatchLogsRetention has no effect: no logs are exported. Give cloudwatchLogsExports too, or remove it.');
  }
  const backtrack = props.backtrackWindow;
  if (backtrack && !backtrack.isUnresolved()) {
    if (engine !== 'aurora-mysql') invalidProp('backtrackWindow', backtrack.toHumanString(), `backtracking is an Aurora MySQL feature; the engine is ${engine}`);
    const seconds = backtrack.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_BACKTRACK_SECONDS) {
      invalidProp('backtrackWindow', backtrack.toHumanString(), 'use whole seconds from 0 to 72 hours');
    }
  }
  validateBackup(props);
  validateInsights(props);
  validateEngineVersion(engine, secret.engineVersion);
  const monitoring = props.monitoringInterval;
  if (monitoring && !monitoring.isUnresolved() && !MONITORING_INTERVALS.includes(monitoring.toSeconds({ integral: false }))) {
    invalidProp('monitoringInterval', monitoring.toHumanString(), `use one of ${MONITORING_INTERVALS.join(', ')} seconds`);
  }
  if (props.monitoringRole && !monitoring) {
    Annotations.of(scope).addWarningV2('cdk-restore-constructs:monitoringRole', 'monitoringRole has no effect without monitoringInterval; give that too, or remove it.');
  }
  if (props.domainRole && props.domain === undefined) invalidProp('domainRole', 'set', 'it is the role of Kerberos authentication\'s directory; give domain too, or remove it');
  if (secret.masterUserSecretKey && secret.manageMasterUserPassword === false) {
    invalidProp('masterUserSecretKey', 'set', 'it encrypts the managed master user secret, but manageMasterUserPassword is false');
  }
}

/**
 * The settings in the contract's form. The serverless capacity is lazy: whether an instance is serverless
 * is only known once the instances are bound, after the restore resource exists.
 */
export function clusterSettings(engine: ClusterEngineName, props: RestoredClusterOptions, secret: KindSettings,
  hasServerlessInstance: () => boolean, domainRole: iam.IRole | undefined): ClusterSettings {
  const capacity = CAPACITY[engine === 'neptune' ? 'neptune' : 'aurora'];
  const scaling = () => props.serverlessV2MinCapacity !== undefined || props.serverlessV2MaxCapacity !== undefined || hasServerlessInstance()
    ? { MinCapacity: props.serverlessV2MinCapacity ?? capacity.defaults[0], MaxCapacity: props.serverlessV2MaxCapacity ?? capacity.defaults[1] }
    : undefined;
  const storage = props.storageType && engine === 'neptune'
    ? (props.storageType === rds.DBClusterStorageType.AURORA_IOPT1 ? 'iopt1' : 'standard')
    : props.storageType;
  const impliesInsights = props.performanceInsightRetention !== undefined || props.performanceInsightEncryptionKey !== undefined
    || props.databaseInsightsMode === DatabaseInsightsMode.ADVANCED;
  const insights = props.enablePerformanceInsights ?? (impliesInsights ? true : undefined);
  const manage = secret.manageMasterUserPassword ?? (secret.masterUserSecretKey ? true : undefined);
  return {
    ServerlessV2ScalingConfiguration: Lazy.any({ produce: scaling }) as unknown as ClusterSettings['ServerlessV2ScalingConfiguration'],
    StorageType: storage,
    EnableCloudwatchLogsExports: props.cloudwatchLogsExports?.length ? props.cloudwatchLogsExports : undefined,
    CopyTagsToSnapshot: props.copyTagsToSnapshot ?? true,
    BacktrackWindow: props.backtrackWindow?.toSeconds(),
    BackupRetentionPeriod: props.backup?.retention.toDays(),
    PreferredBackupWindow: props.backup?.preferredWindow,
    PreferredMaintenanceWindow: props.preferredMaintenanceWindow,
    NetworkType: props.networkType,
    EnablePerformanceInsights: insights,
    PerformanceInsightsKMSKeyId: props.performanceInsightEncryptionKey?.keyArn,
    PerformanceInsightsRetentionPeriod: insights ? props.performanceInsightRetention : undefined,
    ManageMasterUserPassword: manage,
    MasterUserSecretKmsKeyId: secret.masterUserSecretKey?.keyArn,
    DatabaseInsightsMode: props.databaseInsightsMode,
    AutoMinorVersionUpgrade: props.autoMinorVersionUpgrade,
    EnableLocalWriteForwarding: props.enableLocalWriteForwarding,
    // Only when given: an S3 import names its version among its inputs, and the key's place there names its wait.
    ...(secret.engineVersion !== undefined ? { EngineVersion: secret.engineVersion } : {}),
    EnableHttpEndpoint: props.enableDataApi,
    Domain: props.domain,
    DomainIAMRoleName: domainRole?.roleName,
    AllowMajorVersionUpgrade: props.allowMajorVersionUpgrade,
    DBInstanceParameterGroupName: props.instanceParameterGroup?.bindToInstance({}).parameterGroupName,
  };
}

/** The role of Kerberos authentication's directory, as aws-rds makes it when none is given. */
export function domainRoleOf(scope: Construct, props: RestoredClusterOptions): iam.IRole | undefined {
  if (props.domain === undefined) return undefined;
  if (props.domainRole) return props.domainRole;
  const role = serviceRole(scope, 'DirectoryServiceRole', ['rds.amazonaws.com', 'directoryservice.rds.amazonaws.com'], 'AmazonRDSDirectoryServiceAccess',
    'Kerberos authentication', 'domainRole');
  // A cluster kept by its removal policy stays in its directory, which RDS reaches with this role.
  role.applyRemovalPolicy(partsRemovalPolicy(props));
  return role;
}

/** Keeps each exported log group for the chosen retention (RDS creates the groups, so aws-rds's LogRetention). */
export function retainLogs(scope: Construct, engine: ClusterEngineName, clusterIdentifier: string, props: RestoredClusterOptions): void {
  if (props.cloudwatchLogsRetention === undefined) return;
  for (const type of props.cloudwatchLogsExports ?? []) {
    const logGroupName = engine === 'neptune' ? `/aws/neptune/${clusterIdentifier}/${type}` : `/aws/rds/cluster/${clusterIdentifier}/${type}`;
    new logs.LogRetention(scope, `LogRetention${type}`, { logGroupName, retention: props.cloudwatchLogsRetention });
  }
  suppressLogRetentionFindings(scope);
}

/** aws-cdk-lib's one function per stack that sets log retention, made by LogRetention; not the library's to change. */
function suppressLogRetentionFindings(scope: Construct): void {
  const singleton = Stack.of(scope).node.tryFindChild('LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a');
  const role = singleton?.node.tryFindChild('ServiceRole');
  if (!role) return;
  suppressNag(role, [{
    id: 'AwsSolutions-IAM4',
    reason: 'aws-cdk-lib\'s LogRetention function (behind cloudwatchLogsRetention, as in aws-rds) has the AWS managed basic execution policy; its role is not configurable here',
    appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
  }]);
  suppressNag(role.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'aws-cdk-lib\'s LogRetention function sets the retention of log groups that RDS or Neptune create later, by name; it is allowed on every log group',
    appliesTo: ['Resource::*'],
  }]);
}
