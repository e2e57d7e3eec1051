/**
 * The `S3ImportedAuroraCluster` construct: an Aurora MySQL cluster created from a Percona XtraBackup in S3.
 */
import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { partsRemovalPolicy } from './private/cluster-network';
import { clusterParameterGroupName } from './private/cluster-parameters';
import { ClusterInPlace, NamingSetting } from './private/contracts/cluster';
import { CommonRestoreProperties } from './private/contracts/common';
import { DrillRunner, drillTagged } from './private/drill-runner';
import { thisStacks } from './private/handler-policy';
import { S3_IMPORTED_AURORA_CLUSTER, S3ImportedAuroraClusterProperties } from './private/kinds/s3-imported-aurora-cluster';
import { nagResourceName, suppressNag } from './private/nag';
import { invalidProp } from './private/prop-checks';
import { RestoreResource } from './private/restore-resource';
import { rdsArn, RESTORE_INTO_THIS_STACK, RestoredClusterBase, validateCommonClusterProps } from './private/restored-cluster';
import { rethrowOnConstruct } from './private/validation-error';
import { RestoreDrill, RestoreDrillOptions } from './restore-drill';
import { RestoredClusterOptions } from './restored-cluster-options';

/** Props of {@link S3ImportedAuroraCluster}. */
export interface S3ImportedAuroraClusterProps extends RestoredClusterOptions {
  /** The bucket holding the Percona XtraBackup files. */
  readonly bucket: s3.IBucket;

  /**
   * Key prefix of the backup files in the bucket, such as `backups/2026-11-20/`.
   * @default - every file in the bucket
   */
  readonly bucketPrefix?: string;

  /** The MySQL version the backup was taken from: 5.7.x or 8.0.x, such as `8.0.36`. */
  readonly sourceEngineVersion: string;

  /**
   * The Aurora MySQL version of the new cluster; its major version must match the backup's
   * (MySQL 8.0 into Aurora MySQL 3, MySQL 5.7 into Aurora MySQL 2). A change later upgrades the cluster in
   * place (the deployment waits for it, up to an hour); a version older than the cluster's is refused.
   * @default - 8.0.mysql_aurora.3.10.3 for an 8.0 backup, 5.7.mysql_aurora.2.12.5 for a 5.7 backup
   */
  readonly engineVersion?: string;

  /**
   * Name of the master user: 1 to 16 letters or digits, starting with a letter, not a reserved
   * word. Its password is made and kept by RDS in Secrets Manager (see `secret`).
   * @default 'admin'
   */
  readonly masterUsername?: string;

  /**
   * KMS key that encrypts the master user secret.
   * @default - the account's aws/secretsmanager key
   */
  readonly masterUserSecretKey?: kms.IKey;

  /**
   * The role RDS assumes to read the backup. It must trust rds.amazonaws.com and read the bucket
   * and prefix (and decrypt with the bucket's key, if it has one).
   * @default - a role with exactly that access
   */
  readonly ingestionRole?: iam.IRole;

  /**
   * Port the cluster listens on (1150-65535).
   * @default 3306
   */
  readonly port?: number;

  /**
   * KMS key for the cluster's storage. The storage is always encrypted.
   * @default - the account's aws/rds key
   */
  readonly storageEncryptionKey?: kms.IKey;

  /**
   * How long automated backups are kept: 1 to 35 days.
   * @default Duration.days(1)
   * @deprecated use `backup.retention`. Both change in place; `backupRetention` also names a derived
   * identifier, as it always has (the cluster keeps the name it was imported under).
   */
  readonly backupRetention?: Duration;

  /**
   * The DB cluster parameter group of the new cluster (of its Aurora MySQL version), changed in place later.
   * @default - the engine's default cluster parameter group
   */
  readonly parameterGroup?: rds.IParameterGroup;

  /**
   * Name of the DB cluster parameter group of the new cluster.
   * @default - the engine's default cluster parameter group
   * @deprecated use `parameterGroup` (`rds.ParameterGroup.fromParameterGroupName` for a group by name)
   */
  readonly clusterParameterGroupName?: string;

  /**
   * Parameters of a DB cluster parameter group made for the new cluster, of the family of its engine version
   * (aurora-mysql8.0 or aurora-mysql5.7), as aws-rds's `DatabaseCluster` makes one. A change of parameters changes
   * the group in place. Give this or `parameterGroup`, not both.
   * @default - no parameter group is made
   */
  readonly parameters?: { [key: string]: string };

  /**
   * Name of a database to create in the cluster: 1 to 64 letters, digits or underscores, starting with a letter.
   * @default - none besides those in the backup
   */
  readonly databaseName?: string;

}

/**
 * The versions imported into when none is given. A change here upgrades, in place, every deployed import that
 * gave no engineVersion: it belongs in a major release, with a note.
 */
const DEFAULT_ENGINE_VERSIONS: Record<string, string> = { '8.0': '8.0.mysql_aurora.3.10.3', '5.7': '5.7.mysql_aurora.2.12.5' };

/**
 * Names MySQL or RDS keep for themselves, refused as the master user name. RDS's own accounts,
 * and the MySQL reserved words most likely to be chosen as a name; the service refuses any other
 * reserved word when the import starts.
 */
const RESERVED_USERNAMES = new Set([
  'rdsadmin', 'rdsrepladmin', 'rdsproxyadmin', 'mysql', 'root', 'add', 'all', 'alter', 'and', 'as', 'asc', 'between', 'by',
  'case', 'check', 'column', 'create', 'cross', 'database', 'databases', 'default', 'delete', 'desc', 'distinct', 'drop',
  'else', 'exists', 'explain', 'false', 'for', 'from', 'grant', 'group', 'having', 'in', 'index', 'inner', 'insert', 'into',
  'is', 'join', 'key', 'keys', 'left', 'like', 'limit', 'lock', 'not', 'null', 'on', 'or', 'order', 'outer', 'primary',
  'read', 'references', 'rename', 'replace', 'revoke', 'right', 'schema', 'select', 'set', 'show', 'table', 'then', 'to',
  'true', 'union', 'unique', 'unlock', 'update', 'usage', 'use', 'using', 'values', 'when', 'where', 'with', 'write',
]);

/**
 * An Aurora MySQL cluster created from a Percona XtraBackup in S3 (RestoreDBClusterFromS3), with
 * its DB instances. The master user's password is made by RDS and kept in Secrets Manager; it
 * is never in the template, the handler's environment, a log line or a response.
 */
export class S3ImportedAuroraCluster extends RestoredClusterBase {
  /** The secret RDS manages for the master user (username and password). */
  public readonly secret: secretsmanager.ISecret;
  /** The cluster as an `rds.IDatabaseCluster`, for `grantConnect`, metrics and other aws-cdk-lib integrations. */
  public readonly databaseCluster: rds.IDatabaseCluster;
  /** The role RDS assumes to read the backup. */
  public readonly ingestionRole: iam.IRole;
  private readonly props: S3ImportedAuroraClusterProps;

  /**
   * @param scope the construct to create the import in
   * @param id the construct id, unique within the scope
   * @param props the backup, and the cluster to make of it
   */
  constructor(scope: Construct, id: string, props: S3ImportedAuroraClusterProps) {
    try {
      let ingestionRole: iam.IRole | undefined;
      super(scope, id, props, (self, { subnetGroupName, securityGroups }) => {
        // Checked once the construct exists, so that an invalid prop is raised as this construct's.
        validateProps(props);
        const role = props.ingestionRole ?? defaultIngestionRole(self, props);
        ingestionRole = role;
        const family = props.sourceEngineVersion.slice(0, 3);
        const engineVersion = props.engineVersion ?? DEFAULT_ENGINE_VERSIONS[family];
        const parameterGroupName = clusterParameterGroupName(self, 'aurora-mysql', props, engineVersion, partsRemovalPolicy(props));
        // The version was a restore input before it was upgraded in place: it still names the identifier, in its old place.
        const inputs: Omit<S3ImportedAuroraClusterProperties, keyof CommonRestoreProperties | Exclude<ClusterInPlace, NamingSetting | 'EngineVersion'> | 'DBClusterIdentifier'> = {
          Engine: 'aurora-mysql',
          EngineVersion: engineVersion,
          MasterUsername: props.masterUsername ?? 'admin',
          // Two settings that were restore inputs before they changed in place: a derived identifier is still named
          // after them, in their old places, so that an upgrade renames nothing.
          ...(props.masterUserSecretKey ? { MasterUserSecretKmsKeyId: props.masterUserSecretKey.keyArn } : {}),
          SourceEngine: 'mysql',
          SourceEngineVersion: props.sourceEngineVersion,
          S3BucketName: props.bucket.bucketName,
          S3Prefix: props.bucketPrefix,
          S3IngestionRoleArn: role.roleArn,
          Port: props.port,
          DBSubnetGroupName: subnetGroupName,
          VpcSecurityGroupIds: securityGroups.length ? securityGroups.map((sg) => sg.securityGroupId) : undefined,
          StorageEncrypted: true,
          KmsKeyId: props.storageEncryptionKey?.keyArn,
          EnableIAMDatabaseAuthentication: props.iamAuthentication,
          ...(props.backupRetention ? { BackupRetentionPeriod: props.backupRetention.toDays() } : {}),
          DatabaseName: props.databaseName,
          DBClusterParameterGroupName: parameterGroupName,
          EngineLifecycleSupport: props.engineLifecycleSupport,
        };
        return {
          kind: S3_IMPORTED_AURORA_CLUSTER,
          engine: 'aurora-mysql',
          inputs,
          grant: (restore) => grantImport(restore, props, role),
          restorePoint: `s3://${props.bucket.bucketName}/${props.bucketPrefix ?? ''}`,
          kindSettings: { manageMasterUserPassword: true, masterUserSecretKey: props.masterUserSecretKey },
        };
      });
      this.ingestionRole = ingestionRole!;
      this.props = props;
      this.secret = this._managedSecret()!;
      this.databaseCluster = this._databaseCluster(this.secret);
      if (props.allowMajorVersionUpgrade) {
        Annotations.of(this).addWarningV2('cdk-restore-constructs:allowMajorVersionUpgrade', 'allowMajorVersionUpgrade has no effect on an S3 import: '
          + 'engineVersion keeps the backup\'s major version (MySQL 8.0 into Aurora MySQL 3, 5.7 into 2). Remove it.');
      }
    } catch (error) {
      rethrowOnConstruct(scope, id, error);
    }
  }

  /**
   * Adds a drill of this import: on its schedule, a run imports the same backup into a new cluster of its own
   * (named `drill-...`, tagged as a drill's), adds a writer of this cluster's class, runs the validation, measures
   * the recovery time, and deletes the cluster without a final snapshot after the hold time. It measures no
   * recovery point: the backup's age is the backup tool's. Neither this cluster nor the stack is touched.
   * @param id the drill's construct id, unique within this construct
   * @param options when it runs, and the objective it is held to
   */
  public addDrill(id: string, options: RestoreDrillOptions): RestoreDrill {
    try {
      const subject = this._drillSubject({
        fixedPoint: 'an S3 import restores the backup it names, which has no window to choose a time from',
        unmeasuredPoint: 'an S3 import\'s drill measures no recovery point (the backup\'s age is the backup tool\'s)',
      }, (runner) => grantDrillImport(runner, this.props, this.ingestionRole));
      return RestoreDrill._create(this, id, subject, options);
    } catch (error) {
      rethrowOnConstruct(this, id, error);
    }
  }
}

/** The drill role may import only into a cluster of the drill prefix that the call tags as the drill's, passing only the ingestion role. */
function grantDrillImport(runner: DrillRunner, props: S3ImportedAuroraClusterProps, ingestionRole: iam.IRole): void {
  const stack = Stack.of(runner);
  runner.allow(new iam.PolicyStatement({
    actions: ['rds:RestoreDBClusterFromS3'],
    resources: [rdsArn(stack, 'cluster', `${runner.namePrefix}*`), ...['subgrp', 'cluster-pg', 'og'].map((type) => rdsArn(stack, type, '*'))],
    conditions: drillTagged(stack, 'aws:RequestTag'),
  }), 'A drill run imports only into a cluster of the stack\'s drill prefix that the call tags as the drill\'s; subnet groups and parameter groups '
    + 'of the account and region are named by pattern');
  runner.allow(new iam.PolicyStatement({
    actions: ['iam:PassRole'], resources: [ingestionRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'rds.amazonaws.com' } },
  }));
  if (props.storageEncryptionKey) runner.usesKey(props.storageEncryptionKey, ['rds']);
}

/** Trusts RDS and reads only the backup: the bucket's objects under the prefix, and its key. */
function defaultIngestionRole(scope: Construct, props: S3ImportedAuroraClusterProps): iam.IRole {
  const role = new iam.Role(scope, 'IngestionRole', {
    assumedBy: new iam.ServicePrincipal('rds.amazonaws.com'),
    description: `RDS reads the backup for ${scope.node.path}`,
  });
  // What RDS documents for the import: list and locate the bucket, read the backup's files. Not grantRead,
  // whose action wildcards (s3:GetObject*, s3:List*) cover more than the import uses.
  const prefix = props.bucketPrefix ?? '';
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [props.bucket.bucketArn] }));
  const files = props.bucket.arnForObjects(`${prefix}*`);
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [files] }));
  props.bucket.encryptionKey?.grantDecrypt(role);
  suppressNag(role.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'A Percona XtraBackup is many files under its prefix, whose names the backup tool chose; RDS reads only those',
    appliesTo: [nagResourceName(Stack.of(scope), files)],
  }]);
  return role;
}

/** The shared handler may import only into a cluster the call tags with this stack, passing only the ingestion role, to RDS. */
function grantImport(restore: RestoreResource, props: S3ImportedAuroraClusterProps, ingestionRole: iam.IRole): void {
  restore.addToHandlerPolicy(new iam.PolicyStatement({
    actions: ['rds:RestoreDBClusterFromS3'],
    resources: ['cluster', 'subgrp', 'cluster-pg', 'og'].map((type) => rdsArn(restore, type, '*')),
    conditions: thisStacks(restore, 'aws:RequestTag'),
  }), RESTORE_INTO_THIS_STACK);
  restore.addToHandlerPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'], resources: [ingestionRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'rds.amazonaws.com' } },
  }));
  restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBEngineVersions'], resources: ['*'] }),
    'rds:DescribeDBEngineVersions has no resource-level permissions; the pre-flight reads which versions can import the backup');
  if (props.storageEncryptionKey) restore.grantKeyUse(props.storageEncryptionKey, ['rds']);
}

function validateProps(props: S3ImportedAuroraClusterProps): void {
  validateCommonClusterProps(props);
  const version = props.sourceEngineVersion;
  if (!Token.isUnresolved(version) && !/^(5\.7|8\.0)\.\d+$/.test(version)) {
    invalidProp('sourceEngineVersion', version, 'use the MySQL version the backup was taken from, 5.7.x or 8.0.x, such as 8.0.36');
  }
  const engine = props.engineVersion;
  if (engine !== undefined && !Token.isUnresolved(engine)) {
    if (!/^(5\.7\.mysql_aurora\.2|8\.0\.mysql_aurora\.3)\.\d+\.\d+$/.test(engine)) {
      invalidProp('engineVersion', engine, 'use an Aurora MySQL version such as 8.0.mysql_aurora.3.10.3 or 5.7.mysql_aurora.2.12.5');
    }
    if (!Token.isUnresolved(version) && engine.slice(0, 3) !== version.slice(0, 3)) {
      invalidProp('engineVersion', engine, `a MySQL ${version.slice(0, 3)} backup imports only into Aurora MySQL ${version.startsWith('8.0') ? '3 (8.0.mysql_aurora.3.x)' : '2 (5.7.mysql_aurora.2.x)'}`);
    }
  }
  const user = props.masterUsername;
  if (user !== undefined && !Token.isUnresolved(user)) {
    if (!/^[A-Za-z][A-Za-z0-9]{0,15}$/.test(user)) {
      invalidProp('masterUsername', user, 'use 1 to 16 letters or digits, starting with a letter');
    }
    if (RESERVED_USERNAMES.has(user.toLowerCase())) {
      invalidProp('masterUsername', user, 'it is a name MySQL or RDS reserves; choose another, such as admin');
    }
  }
  const prefix = props.bucketPrefix;
  if (prefix !== undefined && !Token.isUnresolved(prefix)) {
    if (prefix.startsWith('/')) invalidProp('bucketPrefix', prefix, 'an S3 key prefix does not start with "/"; write backups/2026-11-20/, not /backups/2026-11-20/');
    if (prefix.length > 1024) invalidProp('bucketPrefix', `${prefix.slice(0, 20)}...`, `it has ${prefix.length} characters; S3 keys have at most 1024`);
    if (/^s3:\/\//.test(prefix)) invalidProp('bucketPrefix', prefix, 'give the key prefix inside the bucket, without s3:// and the bucket name');
  }
  if (props.backupRetention !== undefined && props.backup !== undefined) {
    invalidProp('backupRetention', props.backupRetention.toHumanString(), 'give backup.retention or the deprecated backupRetention, not both');
  }
  if (props.backupRetention !== undefined && !props.backupRetention.isUnresolved()) {
    const days = props.backupRetention.toDays({ integral: false });
    if (!Number.isInteger(days) || days < 1 || days > 35) {
      invalidProp('backupRetention', props.backupRetention.toHumanString(), 'use whole days from 1 to 35');
    }
  }
  const db = props.databaseName;
  if (db !== undefined && !Token.isUnresolved(db) && !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(db)) {
    invalidProp('databaseName', db, 'use 1 to 64 letters, digits or underscores, starting with a letter');
  }
}
