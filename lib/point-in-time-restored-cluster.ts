/**
 * The `PointInTimeRestoredCluster` construct: a Neptune or Aurora cluster restored from a source cluster at a
 * point in time.
 */
import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { partsRemovalPolicy } from './private/cluster-network';
import { clusterParameterGroupName } from './private/cluster-parameters';
import { ClusterInPlace, NamingSetting } from './private/contracts/cluster';
import { CommonRestoreProperties } from './private/contracts/common';
import { DrillRunner, drillTagged } from './private/drill-runner';
import { thisStacks } from './private/handler-policy';
import { POINT_IN_TIME_RESTORED_CLUSTER, PointInTimeRestoredClusterProperties } from './private/kinds/point-in-time-restored-cluster';
import { groupNameOf, invalidProp, validateIdentifier } from './private/prop-checks';
import { RestoreResource } from './private/restore-resource';
import { rdsArn, RESTORE_INTO_THIS_STACK, RestoredClusterBase, validateCommonClusterProps } from './private/restored-cluster';
import { rethrowOnConstruct } from './private/validation-error';
import { RestoreDrill, RestoreDrillOptions } from './restore-drill';
import { RestorePoint, checkRestoreTime } from './restore-point';
import { RestoredClusterOptions } from './restored-cluster-options';

/** The database engine of the source cluster, and so of the restored one. */
export enum ClusterEngine {
  /** Amazon Neptune. */
  NEPTUNE = 'neptune',
  /** Amazon Aurora MySQL-Compatible Edition. */
  AURORA_MYSQL = 'aurora-mysql',
  /** Amazon Aurora PostgreSQL-Compatible Edition. */
  AURORA_POSTGRESQL = 'aurora-postgresql',
}

/** How the restored cluster's storage is made. */
export enum RestoreType {
  /** A full copy of the source's storage. */
  FULL_COPY = 'full-copy',
  /**
   * A clone (Aurora clone, Neptune fast clone) that shares storage pages with the source until either
   * side writes them. Only at the latest restorable time.
   */
  COPY_ON_WRITE = 'copy-on-write',
}

/** Props of {@link PointInTimeRestoredCluster}. */
export interface PointInTimeRestoredClusterProps extends RestoredClusterOptions {
  /** Engine of the source cluster; the handler checks that the source really runs it. */
  readonly engine: ClusterEngine;

  /**
   * The cluster to restore from: its identifier (in this stack's account and region), or for Aurora its ARN,
   * such as a cluster another account shares through AWS RAM (a cross-account clone, which must be
   * `RestoreType.COPY_ON_WRITE`). Give this or `sourceClusterResourceId`.
   * @default - none; then `sourceClusterResourceId` is required
   */
  readonly sourceClusterIdentifier?: string;

  /**
   * Resource id (`cluster-...`) of a deleted Aurora cluster whose automated backups were retained: the
   * restore comes from those backups. Give this or `sourceClusterIdentifier`.
   * @default - none; then `sourceClusterIdentifier` is required
   */
  readonly sourceClusterResourceId?: string;

  /**
   * Let RDS manage the master user's password in Secrets Manager: once the cluster is restored, and before
   * the deployment goes on, RDS sets a new password and keeps it in the secret that `secret` exposes. The
   * source's password no longer works on the restored cluster. Aurora only. Turning it off later is left to
   * you (RDS needs a new password for that).
   * @default false
   */
  readonly manageMasterUserPassword?: boolean;

  /**
   * KMS key that encrypts the managed master user secret; implies `manageMasterUserPassword`.
   * @default - the account's aws/secretsmanager key
   */
  readonly masterUserSecretKey?: kms.IKey;

  /**
   * The moment of the source's history to restore.
   * @default RestorePoint.latest()
   */
  readonly restorePoint?: RestorePoint;

  /**
   * How the restored storage is made.
   * @default RestoreType.FULL_COPY
   */
  readonly restoreType?: RestoreType;

  /**
   * Engine version the restored cluster runs. A restore makes the source's version; a later version given here is
   * an upgrade, applied once the cluster is restored (before the deployment goes on), and a change later upgrades
   * the cluster in place (the deployment waits for it, up to an hour). Crossing a major version needs `allowMajorVersionUpgrade`. A version older than the
   * source's is refused before the restore starts, and one older than the cluster's before anything is changed.
   * @default - the source's version, and no upgrade
   */
  readonly engineVersion?: string;

  /**
   * Port the restored cluster listens on (1150-65535).
   * @default - the source cluster's port
   */
  readonly port?: number;

  /**
   * KMS key to encrypt the restored cluster with. The source must be encrypted.
   * @default - the source cluster's key, or no encryption when the source has none
   */
  readonly storageEncryptionKey?: kms.IKey;

  /**
   * The option group of the restored cluster, changed in place later. Aurora only: Neptune does not support
   * option groups.
   * @default - the engine's default option group
   */
  readonly optionGroup?: rds.IOptionGroup;

  /**
   * Name of the option group of the restored cluster. Aurora only.
   * @default - the engine's default option group
   * @deprecated use `optionGroup` (`rds.OptionGroup.fromOptionGroupName` for a group by name)
   */
  readonly optionGroupName?: string;

  /**
   * The DB cluster parameter group of the restored cluster, changed in place later. A group made in the app
   * must be of the engine version the source runs, which the restored cluster keeps.
   * @default - the engine's default cluster parameter group
   */
  readonly parameterGroup?: rds.IParameterGroup;

  /**
   * Name of the DB cluster parameter group of the restored cluster.
   * @default - the engine's default cluster parameter group
   * @deprecated use `parameterGroup` (`rds.ParameterGroup.fromParameterGroupName` for a group by name)
   */
  readonly clusterParameterGroupName?: string;

  /**
   * Parameters of a DB cluster parameter group made for the restored cluster, as aws-rds's `DatabaseCluster`
   * makes one. Its family follows `engineVersion`, which must then be given (the source's version, or the one to
   * upgrade to). A change of parameters changes the group in place; a major upgrade makes a group of the new
   * family, which the cluster moves to with the upgrade. Give this or `parameterGroup`, not both.
   * @default - no parameter group is made
   */
  readonly parameters?: { [key: string]: string };

}

/**
 * A new Neptune or Aurora cluster restored from an existing cluster at a point in time
 * (RestoreDBClusterToPointInTime), with its DB instances.
 *
 * The restore runs in a custom resource that checks the source first (it exists, runs the
 * engine, the restore time lies in its restorable window, the key is usable), waits until the
 * cluster is available and then lets CloudFormation create the instances.
 */
export class PointInTimeRestoredCluster extends RestoredClusterBase {
  /** The engine of the restored cluster. */
  public readonly engine: ClusterEngine;
  /**
   * The restored cluster as an `rds.IDatabaseCluster`, for `grantConnect`, metrics and other
   * aws-cdk-lib integrations. Only for Aurora engines.
   * @default - undefined for Neptune
   */
  public readonly databaseCluster?: rds.IDatabaseCluster;
  /**
   * The master user secret RDS manages (username and password), when `manageMasterUserPassword` is on.
   * @default - undefined without a managed password
   */
  public readonly secret?: secretsmanager.ISecret;
  private readonly props: PointInTimeRestoredClusterProps;

  /**
   * @param scope the construct to create the restore in
   * @param id the construct id, unique within the scope
   * @param props what to restore, from where, and how
   */
  constructor(scope: Construct, id: string, props: PointInTimeRestoredClusterProps) {
    try {
      super(scope, id, props, (self, { subnetGroupName, securityGroups }) => {
        // Checked once the construct exists, so that an invalid prop is raised as this construct's.
        validateProps(self, props);
        const optionGroupName = groupNameOf('optionGroup', props.optionGroup?.optionGroupName, 'optionGroupName', props.optionGroupName);
        if (props.engine === ClusterEngine.NEPTUNE && optionGroupName !== undefined) {
          invalidProp(props.optionGroup ? 'optionGroup' : 'optionGroupName', optionGroupName,
            'Neptune does not support option groups (the Neptune API documents OptionGroupName as not supported); remove it');
        }
        const parameterGroupName = clusterParameterGroupName(self, props.engine, props, props.engineVersion, partsRemovalPolicy(props));
        // What decides the restored data and its placement, and the settings that were inputs once (NAMING_SETTINGS):
        // the default identifier and the wait are named after them.
        const inputs: Omit<PointInTimeRestoredClusterProperties, keyof CommonRestoreProperties | Exclude<ClusterInPlace, NamingSetting> | 'DBClusterIdentifier'> = {
          Engine: props.engine,
          SourceDBClusterIdentifier: props.sourceClusterIdentifier,
          SourceDbClusterResourceId: props.sourceClusterResourceId,
          RestoreToTime: props.restorePoint?.time?.toISOString(),
          RestoreType: props.restoreType ?? RestoreType.FULL_COPY,
          Port: props.port,
          DBSubnetGroupName: subnetGroupName,
          VpcSecurityGroupIds: securityGroups.length ? securityGroups.map((sg) => sg.securityGroupId) : undefined,
          KmsKeyId: props.storageEncryptionKey?.keyArn,
          EnableIAMDatabaseAuthentication: props.iamAuthentication,
          OptionGroupName: optionGroupName,
          DBClusterParameterGroupName: parameterGroupName,
          EngineLifecycleSupport: props.engineLifecycleSupport,
        };
        return {
          kind: POINT_IN_TIME_RESTORED_CLUSTER,
          engine: props.engine,
          inputs,
          grant: (restore) => grantRestore(restore, props),
          restorePoint: `${props.sourceClusterIdentifier ?? props.sourceClusterResourceId} at ${props.restorePoint?.time?.toISOString() ?? 'its latest restorable time'}`,
          kindSettings: {
            manageMasterUserPassword: props.manageMasterUserPassword,
            masterUserSecretKey: props.masterUserSecretKey,
            engineVersion: props.engineVersion,
          },
        };
      });
      this.engine = props.engine;
      this.props = props;
      this.secret = this._managedSecret();
      if (props.engine !== ClusterEngine.NEPTUNE) this.databaseCluster = this._databaseCluster(this.secret);
    } catch (error) {
      rethrowOnConstruct(scope, id, error);
    }
  }

  /**
   * Adds a drill of this restore: on its schedule, a run restores the same source into a new cluster of its own
   * (named `drill-...`, tagged as a drill's), adds a writer of this cluster's class, runs the validation, measures
   * the recovery time and the age of the restored point, and deletes the cluster without a final snapshot after
   * the hold time. Neither this cluster nor the stack is touched.
   * @param id the drill's construct id, unique within this construct
   * @param options when it runs, from which point, and the objectives it is held to
   */
  public addDrill(id: string, options: RestoreDrillOptions): RestoreDrill {
    try {
      const props = this.props;
      const fixedPoint = props.restoreType === RestoreType.COPY_ON_WRITE ? 'this restore is a copy-on-write clone, which is always of the latest restorable time' : undefined;
      const subject = this._drillSubject({ fixedPoint }, (runner) => grantDrillRestore(runner, props));
      return RestoreDrill._create(this, id, subject, options);
    } catch (error) {
      rethrowOnConstruct(this, id, error);
    }
  }
}

/**
 * The drill role may restore from this source only into a cluster the call tags as the stack's drill's; it names
 * sources, subnet groups and parameter groups by pattern, as the handler's restore statement does.
 */
function grantDrillRestore(runner: DrillRunner, props: PointInTimeRestoredClusterProps): void {
  const stack = Stack.of(runner);
  // The source by name where the app gives it (a cluster of another account by its ARN, which the run also reads), the drill's cluster by its prefix.
  const source = props.sourceClusterIdentifier;
  const sourceArn = source === undefined ? undefined
    : isArn(source) ? source.replace(/:cluster:(.*)$/, (_m, name: string) => `:cluster:${name.toLowerCase()}`)
      : Token.isUnresolved(source) ? rdsArn(stack, 'cluster', '*') : rdsArn(stack, 'cluster', source.toLowerCase());
  const resources = [rdsArn(stack, 'cluster', `${runner.namePrefix}*`), ...['subgrp', 'cluster-pg', 'og'].map((type) => rdsArn(stack, type, '*'))];
  if (sourceArn) resources.push(sourceArn);
  if (sourceArn && isArn(source!) && Arn.split(sourceArn, ArnFormat.COLON_RESOURCE_NAME).account !== stack.account) {
    runner.allow(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: [sourceArn] }));
  }
  if (props.sourceClusterResourceId !== undefined) {
    const backups = rdsArn(stack, 'cluster-auto-backup', '*');
    resources.push(backups);
    runner.allow(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusterAutomatedBackups'], resources: [backups] }),
      'Retained automated backups are named by an id RDS makes, which the source\'s resource id does not tell');
  }
  runner.allow(new iam.PolicyStatement({ actions: ['rds:RestoreDBClusterToPointInTime'], resources, conditions: drillTagged(stack, 'aws:RequestTag') }),
    'A drill run restores from the source its restore names, only into a cluster of the stack\'s drill prefix that the call tags as the drill\'s '
    + '(aws:RequestTag/cdk-restore-constructs:drill); subnet groups and parameter groups of the account and region are named by pattern');
  if (props.storageEncryptionKey) runner.usesKey(props.storageEncryptionKey, ['rds']);
}

/**
 * The shared handler may restore into a cluster only when the call tags it with this stack; sources, subnet
 * groups and parameter groups of this account and region are named by pattern, so every point-in-time
 * restore of the stack shares the statement. A source of another account (a clone) is named by its ARN.
 */
function grantRestore(restore: RestoreResource, props: PointInTimeRestoredClusterProps): void {
  const resources = ['cluster', 'subgrp', 'cluster-pg', 'og'].map((type) => rdsArn(restore, type, '*'));
  const source = props.sourceClusterIdentifier;
  // RDS keeps identifiers in lowercase, and IAM compares ARNs as they are.
  const sourceArn = source !== undefined && isArn(source) ? source.replace(/:cluster:(.*)$/, (_m, id: string) => `:cluster:${id.toLowerCase()}`) : undefined;
  if (sourceArn && Arn.split(sourceArn, ArnFormat.COLON_RESOURCE_NAME).account !== Stack.of(restore).account) {
    resources.push(sourceArn);
    restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: [sourceArn] }));
  }
  if (props.sourceClusterResourceId !== undefined) {
    // The retained backups' ARN carries an id of its own, which the resource id does not tell.
    const backups = rdsArn(restore, 'cluster-auto-backup', '*');
    resources.push(backups);
    restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusterAutomatedBackups'], resources: [backups] }),
      'Retained automated backups are named by an id RDS makes, which the source\'s resource id does not tell');
  }
  restore.addToHandlerPolicy(new iam.PolicyStatement({
    actions: ['rds:RestoreDBClusterToPointInTime'], resources, conditions: thisStacks(restore, 'aws:RequestTag'),
  }), RESTORE_INTO_THIS_STACK);
  if (props.storageEncryptionKey) restore.grantKeyUse(props.storageEncryptionKey, ['rds']);
}

const isArn = (value: string) => !Token.isUnresolved(value) && value.startsWith('arn:');

/** A source named by ARN: an Aurora cluster, from another account only as a copy-on-write clone. */
function validateSourceArn(scope: Construct, props: PointInTimeRestoredClusterProps, arn: string): void {
  if (props.engine === ClusterEngine.NEPTUNE) {
    invalidProp('sourceClusterIdentifier', arn, 'Neptune restores from a cluster of this account, named by its identifier, not an ARN');
  }
  const parts = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster:[A-Za-z][A-Za-z0-9-]*$/.test(arn) ? Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME) : undefined;
  if (!parts) invalidProp('sourceClusterIdentifier', arn, 'an ARN here names a DB cluster: arn:aws:rds:<region>:<account>:cluster:<identifier>');
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region) && parts.region !== stack.region) {
    invalidProp('sourceClusterIdentifier', arn, `the source is in ${parts.region}, and a point-in-time restore stays in its region (${stack.region})`);
  }
  if (!Token.isUnresolved(stack.account) && parts.account !== stack.account && props.restoreType !== RestoreType.COPY_ON_WRITE) {
    invalidProp('restoreType', props.restoreType ?? RestoreType.FULL_COPY, `the source is in account ${parts.account}, and a cluster of another account can only be cloned: use RestoreType.COPY_ON_WRITE`);
  }
}

function validateProps(scope: Construct, props: PointInTimeRestoredClusterProps): void {
  if (!Object.values(ClusterEngine).includes(props.engine)) {
    invalidProp('engine', props.engine, `use one of ${Object.values(ClusterEngine).join(', ')}`);
  }
  validateCommonClusterProps(props);
  if ((props.sourceClusterIdentifier === undefined) === (props.sourceClusterResourceId === undefined)) {
    invalidProp('sourceClusterIdentifier', props.sourceClusterIdentifier ?? null,
      'give either sourceClusterIdentifier (the source\'s identifier or ARN) or sourceClusterResourceId (a deleted cluster\'s resource id), and only one');
  }
  const source = props.sourceClusterIdentifier;
  if (source !== undefined && isArn(source)) validateSourceArn(scope, props, source);
  else validateIdentifier('sourceClusterIdentifier', source);
  const resourceId = props.sourceClusterResourceId;
  if (resourceId !== undefined && !Token.isUnresolved(resourceId)) {
    if (props.engine === ClusterEngine.NEPTUNE) invalidProp('sourceClusterResourceId', resourceId, 'Neptune keeps no backups of a deleted cluster to restore from');
    if (props.restoreType === RestoreType.COPY_ON_WRITE) {
      invalidProp('restoreType', props.restoreType, 'a deleted cluster\'s retained backups cannot be cloned; use RestoreType.FULL_COPY');
    }
    if (!/^cluster-[A-Za-z0-9]+$/.test(resourceId)) invalidProp('sourceClusterResourceId', resourceId, 'use the deleted cluster\'s resource id as DbClusterResourceId showed it, such as cluster-KNRI5FZIPRSPUO4KGX6JVVIZRA');
  }
  if (props.clusterIdentifier && source && !Token.isUnresolved(props.clusterIdentifier) && !Token.isUnresolved(source)
    && props.clusterIdentifier.toLowerCase() === source.toLowerCase()) {
    invalidProp('clusterIdentifier', props.clusterIdentifier, 'it names the source cluster; the restored cluster needs a name of its own');
  }

  const time = props.restorePoint?.time;
  if (time !== undefined) {
    checkRestoreTime('restorePoint', time, 'it lies in the future; a restore point must be a past moment inside the source\'s restorable window, or RestorePoint.latest()');
  }
  if (props.restoreType === RestoreType.COPY_ON_WRITE && time !== undefined) {
    invalidProp('restoreType', props.restoreType, `a copy-on-write clone is always of the latest restorable time, but restorePoint is ${time.toISOString()}; use RestorePoint.latest() or RestoreType.FULL_COPY`);
  }
}
