import { ITaggable, Lazy, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { ClusterEndpoint } from './cluster-endpoint';
import { POINT_IN_TIME_RESOURCE_TYPE, PointInTimeRestoreProperties } from './private/contracts/point-in-time';
import { RestoreResource } from './private/restore-resource';
import {
  addTagValidation, auroraClusterView, clusterNetwork, createInstances, defaultClusterIdentifier, grantClusterLifecycle, lowercase, rdsArn,
  removalPolicyName, restoredClusterAttributes, validateCommonClusterProps, warnIfDeletionBlocked,
} from './private/restored-cluster';
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
export class PointInTimeRestoredCluster extends Construct implements ec2.IConnectable, ITaggable {
  /** Identifier of the restored cluster. */
  public readonly clusterIdentifier: string;
  /** ARN of the restored cluster. */
  public readonly clusterArn: string;
  /** Region-unique, immutable identifier of the restored cluster (`cluster-...`), used by IAM auth. */
  public readonly clusterResourceId: string;
  /** The cluster's writer endpoint. */
  public readonly clusterEndpoint: ClusterEndpoint;
  /** The cluster's reader endpoint. */
  public readonly clusterReadEndpoint: ClusterEndpoint;
  /** Identifiers of the DB instances, writer first. */
  public readonly instanceIdentifiers: string[];
  /** Network access to the restored cluster; its default port is the cluster's port. */
  public readonly connections: ec2.Connections;
  /** Tags applied to the restored cluster, from `Tags.of(...)`. */
  public readonly tags: TagManager;
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
    super(scope, id);
    validateProps(props);
    this.engine = props.engine;
    const removalPolicy = removalPolicyName(props.removalPolicy);
    this.tags = new TagManager(TagType.KEY_VALUE, POINT_IN_TIME_RESOURCE_TYPE);
    addTagValidation(this, this.tags);
    const { subnetGroupName, securityGroups } = clusterNetwork(this, props);

    // What decides the restored data and its placement; a change to any of it names a new cluster.
    const inputs: Omit<PointInTimeRestoreProperties, 'TimeoutSeconds' | 'RemovalPolicy' | 'Tags' | 'DBClusterIdentifier' | 'DeletionProtection'> = {
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
    const identifier = props.clusterIdentifier ? lowercase(props.clusterIdentifier) : defaultClusterIdentifier(this, inputs);

    const restore = new RestoreResource(this, 'Restore', {
      resourceType: POINT_IN_TIME_RESOURCE_TYPE,
      timeout: props.timeout,
      properties: { ...inputs, DBClusterIdentifier: identifier, DeletionProtection: props.deletionProtection, RemovalPolicy: removalPolicy },
      lateProperties: { Tags: Lazy.any({ produce: () => this.tags.renderTags() }) },
    });
    this.grantRestore(restore, props, identifier, subnetGroupName);
    grantClusterLifecycle(restore, identifier);

    const attributes = restoredClusterAttributes(restore);
    this.clusterIdentifier = attributes.clusterIdentifier;
    this.clusterArn = attributes.clusterArn;
    this.clusterResourceId = attributes.clusterResourceId;
    this.clusterEndpoint = attributes.clusterEndpoint;
    this.clusterReadEndpoint = attributes.clusterReadEndpoint;
    this.connections = new ec2.Connections({ securityGroups, defaultPort: ec2.Port.tcp(attributes.port) });
    this.instanceIdentifiers = createInstances(this, props.engine, this.clusterIdentifier, props);
    if (props.engine !== ClusterEngine.NEPTUNE) {
      this.databaseCluster = auroraClusterView(this, props.engine, attributes, securityGroups, this.instanceIdentifiers);
    }
    warnIfDeletionBlocked(this, props.deletionProtection, removalPolicy);
  }

  /** The shared handler may restore only from this source into this target, with the groups named. */
  private grantRestore(restore: RestoreResource, props: PointInTimeRestoredClusterProps, identifier: string,
    subnetGroupName: string | undefined): void {
    const source = rdsArn(this, 'cluster', lowercase(props.sourceClusterIdentifier));
    const resources = [source, rdsArn(this, 'cluster', identifier), rdsArn(this, 'subgrp', subnetGroupName ?? 'default')];
    if (props.optionGroupName) resources.push(rdsArn(this, 'og', props.optionGroupName));
    if (props.clusterParameterGroupName) resources.push(rdsArn(this, 'cluster-pg', props.clusterParameterGroupName));
    restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:RestoreDBClusterToPointInTime', 'rds:DescribeDBClusters'], resources }));
    props.storageEncryptionKey?.grant(restore.handlerPrincipal, 'kms:DescribeKey', 'kms:CreateGrant');
  }
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
