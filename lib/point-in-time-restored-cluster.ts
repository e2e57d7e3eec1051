import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { ClusterInPlace } from './private/contracts/cluster';
import { CommonRestoreProperties } from './private/contracts/common';
import { POINT_IN_TIME_RESTORED_CLUSTER_RESOURCE_TYPE, PointInTimeRestoredClusterProperties } from './private/contracts/point-in-time-restored-cluster';
import { RestoreResource } from './private/restore-resource';
import { lowercase, rdsArn, RestoredClusterBase, validateCommonClusterProps } from './private/restored-cluster';
import { invalidProp, validateGroupName, validateIdentifier } from './private/validation';
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

/** The moment of the source cluster's history to restore. */
export class RestorePoint {
  /** The source's latest restorable time (usually within the last five minutes). */
  public static latest(): RestorePoint {
    return new RestorePoint(undefined);
  }

  /**
   * A moment in UTC, which must lie between the source's earliest and latest restorable times.
   * The restorable window is checked against the live account before the restore starts.
   */
  public static at(time: Date): RestorePoint {
    return new RestorePoint(time);
  }

  /**
   * The moment to restore.
   * @default - the latest restorable time
   */
  public readonly time?: Date;

  private constructor(time: Date | undefined) {
    this.time = time;
  }

  /** True when this is the latest restorable time rather than a fixed moment. */
  public get isLatest(): boolean {
    return this.time === undefined;
  }
}

/** Props of {@link PointInTimeRestoredCluster}. */
export interface PointInTimeRestoredClusterProps extends RestoredClusterOptions {
  /** Engine of the source cluster; the handler checks that the source really runs it. */
  readonly engine: ClusterEngine;

  /** Identifier of the existing cluster to restore from, in this stack's account and region. */
  readonly sourceClusterIdentifier: string;

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
   * Name of the option group of the restored cluster. Aurora only: Neptune does not support option groups.
   * @default - the engine's default option group
   */
  readonly optionGroupName?: string;

  /**
   * Name of the DB cluster parameter group of the restored cluster.
   * @default - the engine's default cluster parameter group
   */
  readonly clusterParameterGroupName?: string;

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
   * @param scope the construct to create the restore in
   * @param id the construct id, unique within the scope
   * @param props what to restore, from where, and how
   */
  constructor(scope: Construct, id: string, props: PointInTimeRestoredClusterProps) {
    validateProps(props);
    super(scope, id, props, (self, { subnetGroupName, securityGroups }) => {
      // What decides the restored data and its placement; a change to any of it names a new cluster.
      const inputs: Omit<PointInTimeRestoredClusterProperties, keyof CommonRestoreProperties | ClusterInPlace | 'DBClusterIdentifier'> = {
        Engine: props.engine,
        SourceDBClusterIdentifier: props.sourceClusterIdentifier,
        RestoreToTime: props.restorePoint?.time?.toISOString(),
        RestoreType: props.restoreType ?? RestoreType.FULL_COPY,
        Port: props.port,
        DBSubnetGroupName: subnetGroupName,
        VpcSecurityGroupIds: securityGroups.length ? securityGroups.map((sg) => sg.securityGroupId) : undefined,
        KmsKeyId: props.storageEncryptionKey?.keyArn,
        EnableIAMDatabaseAuthentication: props.iamAuthentication,
        OptionGroupName: props.optionGroupName,
        DBClusterParameterGroupName: props.clusterParameterGroupName,
      };
      return {
        resourceType: POINT_IN_TIME_RESTORED_CLUSTER_RESOURCE_TYPE,
        engine: props.engine,
        inputs,
        grant: (restore, identifier) => grantRestore(self, restore, props, identifier, subnetGroupName),
      };
    });
    this.engine = props.engine;
    if (props.engine !== ClusterEngine.NEPTUNE) this.databaseCluster = this._databaseCluster(props.engine);
  }
}

/** The shared handler may restore only from this source into this target, with the groups named. */
function grantRestore(scope: Construct, restore: RestoreResource, props: PointInTimeRestoredClusterProps, identifier: string,
  subnetGroupName: string | undefined): void {
  const source = rdsArn(scope, 'cluster', lowercase(props.sourceClusterIdentifier));
  const resources = [source, rdsArn(scope, 'cluster', identifier), rdsArn(scope, 'subgrp', subnetGroupName ?? 'default')];
  if (props.optionGroupName) resources.push(rdsArn(scope, 'og', props.optionGroupName));
  if (props.clusterParameterGroupName) resources.push(rdsArn(scope, 'cluster-pg', props.clusterParameterGroupName));
  restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:RestoreDBClusterToPointInTime', 'rds:DescribeDBClusters'], resources }));
  props.storageEncryptionKey?.grant(restore.handlerPrincipal, 'kms:DescribeKey', 'kms:CreateGrant');
}

function validateProps(props: PointInTimeRestoredClusterProps): void {
  if (!Object.values(ClusterEngine).includes(props.engine)) {
    invalidProp('engine', props.engine, `use one of ${Object.values(ClusterEngine).join(', ')}`);
  }
  validateCommonClusterProps(props);
  validateIdentifier('sourceClusterIdentifier', props.sourceClusterIdentifier);
  if (props.clusterIdentifier && !Token.isUnresolved(props.clusterIdentifier) && !Token.isUnresolved(props.sourceClusterIdentifier)
    && props.clusterIdentifier.toLowerCase() === props.sourceClusterIdentifier.toLowerCase()) {
    invalidProp('clusterIdentifier', props.clusterIdentifier, 'it names the source cluster; the restored cluster needs a name of its own');
  }
  if (props.engine === ClusterEngine.NEPTUNE && props.optionGroupName !== undefined) {
    invalidProp('optionGroupName', props.optionGroupName, 'Neptune does not support option groups (the Neptune API documents OptionGroupName as not supported); remove optionGroupName');
  }
  validateGroupName('optionGroupName', props.optionGroupName);
  validateGroupName('clusterParameterGroupName', props.clusterParameterGroupName);

  const time = props.restorePoint?.time;
  if (time !== undefined) {
    if (Number.isNaN(time.getTime())) invalidProp('restorePoint', String(time), 'the date is not a valid time');
    if (time.getTime() > Date.now()) {
      invalidProp('restorePoint', time.toISOString(), 'it lies in the future; a restore point must be a past moment inside the source\'s restorable window, or RestorePoint.latest()');
    }
  }
  if (props.restoreType === RestoreType.COPY_ON_WRITE && time !== undefined) {
    invalidProp('restoreType', props.restoreType, `a copy-on-write clone is always of the latest restorable time, but restorePoint is ${time.toISOString()}; use RestorePoint.latest() or RestoreType.FULL_COPY`);
  }
}
