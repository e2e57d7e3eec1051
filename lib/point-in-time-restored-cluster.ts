import { createHash } from 'crypto';
import {
  ArnFormat, Annotations, CfnResource, Duration, Lazy, Names, RemovalPolicy, Stack, TagManager, TagType, Token, ITaggable,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as neptune from 'aws-cdk-lib/aws-neptune';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { RemovalPolicyName } from './private/contracts/common';
import { POINT_IN_TIME_ATTRIBUTES as ATTR, POINT_IN_TIME_RESOURCE_TYPE, PointInTimeRestoreProperties } from './private/contracts/point-in-time';
import { RestoreResource } from './private/restore-resource';
import {
  identifierProblem, invalidProp, tagProblem, validateGroupName, validateIdentifier, validateIntegerRange,
} from './private/validation';

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
  /** A full copy of the source's storage. The only type Neptune supports. */
  FULL_COPY = 'full-copy',
  /**
   * An Aurora clone that shares storage pages with the source until either side writes them.
   * Aurora only, and only at the latest restorable time.
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
export interface PointInTimeRestoredClusterProps {
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
   * Identifier of the restored cluster, stored in lowercase as RDS and Neptune store it.
   * A fixed identifier means a change to a restore input
   * cannot replace the cluster (the old one holds the name); leave it unset to allow that.
   * @default - derived from the construct path and the restore inputs
   */
  readonly clusterIdentifier?: string;

  /**
   * VPC to place the restored cluster in. A DB subnet group is created in it.
   * Give either `vpc` or `subnetGroupName`, not both.
   * @default - the subnet group named by `subnetGroupName`, or the account's default
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` for the subnet group.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Name of an existing DB subnet group for the restored cluster.
   * @default - a subnet group created in `vpc`, or the account's default
   */
  readonly subnetGroupName?: string;

  /**
   * Security groups of the restored cluster.
   * @default - a new security group when `vpc` is given, otherwise the VPC's default security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

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
   * Map IAM identities to database accounts.
   * @default false
   */
  readonly iamAuthentication?: boolean;

  /**
   * Refuse deletion of the restored cluster. A stack delete then fails until it is turned off;
   * turning it off (or on) changes the cluster in place.
   * @default false
   */
  readonly deletionProtection?: boolean;

  /**
   * Name of the option group of the restored cluster.
   * @default - the engine's default option group
   */
  readonly optionGroupName?: string;

  /**
   * Name of the DB cluster parameter group of the restored cluster.
   * @default - the engine's default cluster parameter group
   */
  readonly clusterParameterGroupName?: string;

  /**
   * Number of DB instances to create in the restored cluster (0-16). The first is the writer.
   * @default 1
   */
  readonly instances?: number;

  /**
   * Instance class of the DB instances.
   * @default r6g.large
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * What happens to the restored cluster when it leaves the stack: SNAPSHOT takes a final
   * snapshot and deletes it, DESTROY deletes it without one, RETAIN leaves it in place.
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long the restore may take until the cluster is available (5 minutes to 12 hours). At the
   * timeout the deployment fails with the last status seen, and the rollback deletes the cluster.
   * @default Duration.hours(3)
   */
  readonly timeout?: Duration;
}

/** Hostname and port of a cluster endpoint. */
export interface ClusterEndpoint {
  /** DNS name of the endpoint. */
  readonly hostname: string;
  /** Port of the endpoint. */
  readonly port: number;
  /** `hostname:port`, as one string. */
  readonly socketAddress: string;
}

const MAX_INSTANCES = 16;
const REMOVAL_POLICIES = new Map<RemovalPolicy, RemovalPolicyName>([
  [RemovalPolicy.SNAPSHOT, 'snapshot'],
  [RemovalPolicy.DESTROY, 'destroy'],
  [RemovalPolicy.RETAIN, 'retain'],
]);

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
    const stack = Stack.of(this);
    const removalPolicy = REMOVAL_POLICIES.get(props.removalPolicy ?? RemovalPolicy.SNAPSHOT)!;

    this.tags = new TagManager(TagType.KEY_VALUE, POINT_IN_TIME_RESOURCE_TYPE);
    this.node.addValidation({
      validate: () => tagErrors(this.tags),
    });

    let subnetGroupName = props.subnetGroupName;
    if (props.vpc) {
      subnetGroupName = new rds.SubnetGroup(this, 'SubnetGroup', {
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        description: `Subnets of the restored cluster ${this.node.path}`,
        removalPolicy: RemovalPolicy.DESTROY,
      }).subnetGroupName;
    }
    const securityGroups = props.securityGroups ?? (props.vpc ? [new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Restored cluster ${this.node.path}`,
    })] : []);

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
    const identifier = props.clusterIdentifier ? lowercase(props.clusterIdentifier) : defaultIdentifier(this, inputs);

    const restore = new RestoreResource(this, 'Restore', {
      resourceType: POINT_IN_TIME_RESOURCE_TYPE,
      timeout: props.timeout,
      properties: {
        ...inputs,
        DBClusterIdentifier: identifier,
        DeletionProtection: props.deletionProtection,
        RemovalPolicy: removalPolicy,
      },
      lateProperties: { Tags: Lazy.any({ produce: () => this.tags.renderTags() }) },
    });
    this.grantHandler(restore, stack, props, identifier, subnetGroupName);

    this.clusterIdentifier = restore.getAttString(ATTR.DBClusterIdentifier);
    this.clusterArn = restore.getAttString(ATTR.DBClusterArn);
    this.clusterResourceId = restore.getAttString(ATTR.DbClusterResourceId);
    const port = Token.asNumber(restore.getAttString(ATTR.Port));
    this.clusterEndpoint = endpoint(restore.getAttString(ATTR.Endpoint), port);
    this.clusterReadEndpoint = endpoint(restore.getAttString(ATTR.ReaderEndpoint), port);
    this.connections = new ec2.Connections({ securityGroups, defaultPort: ec2.Port.tcp(port) });

    const instanceClass = `db.${(props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE)).toString()}`;
    this.instanceIdentifiers = [];
    let writer: CfnResource | undefined;
    for (let i = 1; i <= (props.instances ?? 1); i++) {
      const instance = props.engine === ClusterEngine.NEPTUNE
        ? new neptune.CfnDBInstance(this, `Instance${i}`, {
          dbClusterIdentifier: this.clusterIdentifier,
          dbInstanceClass: instanceClass,
        })
        : new rds.CfnDBInstance(this, `Instance${i}`, {
          dbClusterIdentifier: this.clusterIdentifier,
          dbInstanceClass: instanceClass,
          engine: props.engine,
        });
      // The first instance of a cluster becomes its writer, so replicas wait for it.
      if (writer) instance.addDependency(writer);
      writer ??= instance;
      this.instanceIdentifiers.push(instance.ref);
    }

    if (props.engine !== ClusterEngine.NEPTUNE) {
      this.databaseCluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(this, 'DatabaseCluster', {
        clusterIdentifier: this.clusterIdentifier,
        clusterResourceIdentifier: this.clusterResourceId,
        clusterEndpointAddress: this.clusterEndpoint.hostname,
        readerEndpointAddress: this.clusterReadEndpoint.hostname,
        port,
        securityGroups,
        instanceIdentifiers: this.instanceIdentifiers,
        engine: props.engine === ClusterEngine.AURORA_MYSQL
          ? rds.DatabaseClusterEngine.AURORA_MYSQL
          : rds.DatabaseClusterEngine.AURORA_POSTGRESQL,
      });
    }

    if (props.deletionProtection && removalPolicy !== 'retain') {
      Annotations.of(this).addWarningV2('cdk-restore-constructs:deletionProtection',
        'deletionProtection is on, so deleting this construct fails until it is turned off; set removalPolicy to RETAIN to keep the cluster instead.');
    }
  }

  /** The shared handler may act only on this restore's source, target and the resources they name. */
  private grantHandler(restore: RestoreResource, stack: Stack, props: PointInTimeRestoredClusterProps,
    identifier: string, subnetGroupName: string | undefined): void {
    const arn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'rds', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const source = arn('cluster', lowercase(props.sourceClusterIdentifier));
    const target = arn('cluster', identifier);

    // Two statements a restore, so that many restores in one stack stay within the role's policy quotas.
    const restoreResources = [source, target, arn('subgrp', subnetGroupName ?? 'default')];
    if (props.optionGroupName) restoreResources.push(arn('og', props.optionGroupName));
    if (props.clusterParameterGroupName) restoreResources.push(arn('cluster-pg', props.clusterParameterGroupName));
    restore.addToHandlerPolicy(new iam.PolicyStatement({
      actions: ['rds:RestoreDBClusterToPointInTime', 'rds:DescribeDBClusters'],
      resources: restoreResources,
    }));
    restore.addToHandlerPolicy(new iam.PolicyStatement({
      actions: [
        'rds:AddTagsToResource', 'rds:RemoveTagsFromResource', 'rds:ListTagsForResource', 'rds:ModifyDBCluster',
        'rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot',
      ],
      resources: [target, arn('cluster-snapshot', `${identifier}-final-*`)],
    }));
    // DescribeEvents has no resource-level permissions; it only reads the failure message.
    restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeEvents'], resources: ['*'] }));
    props.storageEncryptionKey?.grant(restore.handlerPrincipal, 'kms:DescribeKey', 'kms:CreateGrant');
  }
}

/** The services keep identifiers in lowercase, and ARNs carry them so. */
function lowercase(value: string): string {
  return Token.isUnresolved(value) ? value : value.toLowerCase();
}

function endpoint(hostname: string, port: number): ClusterEndpoint {
  return { hostname, port, socketAddress: `${hostname}:${Token.asString(port)}` };
}

function validateProps(props: PointInTimeRestoredClusterProps): void {
  if (!Object.values(ClusterEngine).includes(props.engine)) {
    invalidProp('engine', props.engine, `use one of ${Object.values(ClusterEngine).join(', ')}`);
  }
  validateIdentifier('sourceClusterIdentifier', props.sourceClusterIdentifier);
  validateIdentifier('clusterIdentifier', props.clusterIdentifier);
  if (props.clusterIdentifier && !Token.isUnresolved(props.clusterIdentifier) && !Token.isUnresolved(props.sourceClusterIdentifier)
    && props.clusterIdentifier.toLowerCase() === props.sourceClusterIdentifier.toLowerCase()) {
    invalidProp('clusterIdentifier', props.clusterIdentifier, 'it names the source cluster; the restored cluster needs a name of its own');
  }
  validateIntegerRange('port', props.port, 1150, 65535);
  validateIntegerRange('instances', props.instances, 0, MAX_INSTANCES);
  validateGroupName('optionGroupName', props.optionGroupName);
  validateGroupName('clusterParameterGroupName', props.clusterParameterGroupName);

  const time = props.restorePoint?.time;
  if (time !== undefined) {
    if (Number.isNaN(time.getTime())) invalidProp('restorePoint', String(time), 'the date is not a valid time');
    if (time.getTime() > Date.now()) {
      invalidProp('restorePoint', time.toISOString(), 'it lies in the future; a restore point must be a past moment inside the source\'s restorable window, or RestorePoint.latest()');
    }
  }
  if (props.restoreType === RestoreType.COPY_ON_WRITE) {
    if (props.engine === ClusterEngine.NEPTUNE) {
      invalidProp('restoreType', props.restoreType, 'Neptune supports only full-copy restores; use RestoreType.FULL_COPY');
    }
    if (time !== undefined) {
      invalidProp('restoreType', props.restoreType, `a copy-on-write clone is always of the latest restorable time, but restorePoint is ${time.toISOString()}; use RestorePoint.latest() or RestoreType.FULL_COPY`);
    }
  }
  if (props.vpc && props.subnetGroupName) {
    invalidProp('subnetGroupName', props.subnetGroupName, 'give either vpc (a subnet group is created in it) or subnetGroupName, not both');
  }
  if (props.vpcSubnets && !props.vpc) {
    invalidProp('vpcSubnets', 'set', 'vpcSubnets selects subnets of vpc, which is not given');
  }
  if (props.removalPolicy !== undefined && !REMOVAL_POLICIES.has(props.removalPolicy)) {
    invalidProp('removalPolicy', props.removalPolicy, 'use RemovalPolicy.SNAPSHOT, RemovalPolicy.DESTROY or RemovalPolicy.RETAIN');
  }
}

function tagErrors(tags: TagManager): string[] {
  return Object.entries(tags.tagValues()).flatMap(([key, value]) => {
    const problem = tagProblem(key, value);
    return problem ? [`Invalid tag ${JSON.stringify(key)}=${JSON.stringify(value)} on the restored cluster: ${problem}`] : [];
  });
}

/**
 * A valid cluster identifier from the construct path, with a hash of the restore inputs, so a
 * change of input names a new cluster and CloudFormation can replace the old one.
 */
function defaultIdentifier(scope: Construct, inputs: object): string {
  const hash = createHash('sha256').update(JSON.stringify(Stack.of(scope).resolve(inputs))).digest('hex').slice(0, 8);
  const base = Names.uniqueResourceName(scope, { maxLength: 50, separator: '-' })
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-$/, '');
  const identifier = `${base || 'restored'}-${hash}`;
  if (identifierProblem(identifier)) throw new Error(`Internal error: derived identifier ${identifier} is invalid`);
  return identifier;
}
