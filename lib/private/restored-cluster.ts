/**
 * What every restored DB cluster construct shares: {@link RestoredClusterBase}, the part of them that does not
 * depend on which API restores the cluster. Its network, identifier, instances, settings and the handler's
 * permissions are built by modules of their own (`cluster-*.ts`).
 */
import { Annotations, ITaggable, Lazy, RemovalPolicy, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as neptune from 'aws-cdk-lib/aws-neptune';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { grantClusterLifecycle, grantDrillClusters, grantDrillSettings, grantSettings, grantStackClusters } from './cluster-grants';
import { ClusterInstances, createInstances } from './cluster-instances';
import { ClusterNetwork, clusterNetwork, defaultClusterIdentifier, partsRemovalPolicy } from './cluster-network';
import { clusterSettings, domainRoleOf, KindSettings, retainLogs, validateClusterSettings } from './cluster-settings';
import type { ClusterEndpoint } from '../cluster-endpoint';
import type { RestoredClusterOptions } from '../restored-cluster-options';
import { CLUSTER_REMOVAL, ClusterAttribute, ClusterEngineName, MASTER_USER_SECRET_ARN_ATTRIBUTE } from './contracts/cluster';
import { RemovalPolicyName } from './contracts/common';
import type { DrillRunner } from './drill-runner';
import { RestoreKind } from './kinds/kind';
import { invalidProp, restoreGeneration, validateIdentifier, validateIntegerRange } from './prop-checks';
import { removalPolicyName } from './removal-policy';
import { RestoreConstruct } from './restore-construct';
import { RestoreResource } from './restore-resource';
import { checkTags, RDS_TAGS } from './tag-rules';
import { UnmanagedConnections } from './unmanaged-connections';
import type { DrillSubject } from '../restore-drill';

export type { ClusterNetwork } from './cluster-network';
export { rdsArn, RESTORE_INTO_THIS_STACK } from './cluster-grants';

/** Props every restored-cluster construct has. */
export interface CommonClusterProps extends RestoredClusterOptions {
  readonly port?: number;
}

const MAX_INSTANCES = 16;

export function validateCommonClusterProps(props: CommonClusterProps): void {
  validateIdentifier('clusterIdentifier', props.clusterIdentifier);
  validateIntegerRange('port', props.port, 1150, 65535);
  validateIntegerRange('instances', props.instances, 0, MAX_INSTANCES);
  if (props.vpc && props.subnetGroupName) {
    invalidProp('subnetGroupName', props.subnetGroupName, 'give either vpc (a subnet group is created in it) or subnetGroupName, not both');
  }
  if (props.vpcSubnets && !props.vpc) {
    invalidProp('vpcSubnets', 'set', 'vpcSubnets selects subnets of vpc, which is not given');
  }
  clusterRemovalPolicy(props.removalPolicy);
}

function clusterRemovalPolicy(policy: RemovalPolicy | undefined): RemovalPolicyName {
  return removalPolicyName(policy, CLUSTER_REMOVAL, 'use RemovalPolicy.SNAPSHOT, RemovalPolicy.DESTROY or RemovalPolicy.RETAIN');
}

/** The services keep identifiers in lowercase, and ARNs carry them so. */
export function lowercase(value: string): string {
  return Token.isUnresolved(value) ? value : value.toLowerCase();
}

/** The attributes of a restored cluster, as tokens read after the restore's wait. */
interface RestoredClusterAttributes {
  readonly clusterIdentifier: string;
  readonly clusterArn: string;
  readonly clusterResourceId: string;
  readonly clusterEndpoint: ClusterEndpoint;
  readonly clusterReadEndpoint: ClusterEndpoint;
  readonly port: number;
}

function restoredClusterAttributes(restore: RestoreResource): RestoredClusterAttributes {
  const att = (name: ClusterAttribute) => restore.getAttString(name);
  const port = Token.asNumber(att('Port'));
  const endpoint = (hostname: string): ClusterEndpoint => ({ hostname, port, socketAddress: `${hostname}:${Token.asString(port)}` });
  return {
    clusterIdentifier: att('DBClusterIdentifier'),
    clusterArn: att('DBClusterArn'),
    clusterResourceId: att('DbClusterResourceId'),
    clusterEndpoint: endpoint(att('Endpoint')),
    clusterReadEndpoint: endpoint(att('ReaderEndpoint')),
    port,
  };
}

function warnIfDeletionBlocked(scope: Construct, deletionProtection: boolean | undefined, removalPolicy: RemovalPolicyName): void {
  if (deletionProtection && removalPolicy !== 'retain') {
    Annotations.of(scope).addWarningV2('cdk-restore-constructs:deletionProtection',
      'deletionProtection is on, so deleting this construct fails until it is turned off; set removalPolicy to RETAIN to keep the cluster instead.');
  }
}

/** What a kind that restores a DB cluster tells {@link RestoredClusterBase}, once the network exists. */
export interface ClusterRestore {
  /** The kind restored. */
  readonly kind: RestoreKind;
  readonly engine: ClusterEngineName;
  /**
   * The restore inputs (no identifier), with the settings that were inputs once in their old places
   * (NAMING_SETTINGS, and an S3 import's two of its own): the default identifier and the wait are named after them.
   */
  readonly inputs: Record<string, unknown>;
  /** Whether the master password is managed in Secrets Manager, and with which key; the engine version to upgrade to. */
  readonly kindSettings?: KindSettings;
  /** What the cluster is restored from, in words, for the validator. */
  readonly restorePoint: string;
  /** Lets the shared handler make the restore's own call, scoped to what it names. */
  grant(restore: RestoreResource): void;
}

/**
 * A DB cluster made by a restore, with its instances: the part of the cluster constructs that does
 * not depend on which API restores it (as aws-rds's `DatabaseClusterNew` sits behind its clusters).
 * Not exported from the package: jsii copies its members into each construct.
 * @internal
 */
export abstract class RestoredClusterBase extends RestoreConstruct implements ec2.IConnectable, ITaggable {
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
  /** Endpoint addresses of the DB instances, writer first. Aurora only. */
  public readonly instanceEndpointAddresses: string[];
  /**
   * Network access to the restored cluster; its default port is the cluster's port. Without `vpc` or
   * `securityGroups` the cluster has no security group the app manages, and using this fails at synth.
   */
  public readonly connections: ec2.Connections;
  /** Tags applied to the restored cluster, from `tags` and `Tags.of(...)`. */
  public readonly tags: TagManager;
  /** @internal */
  protected readonly _restore: RestoreResource;
  private readonly attributes: RestoredClusterAttributes;
  private readonly securityGroups: ec2.ISecurityGroup[];
  private readonly clusterEngine: ClusterEngineName;
  private readonly managesSecret: boolean;
  private readonly dataApiEnabled: boolean;
  private readonly drillSettings: (runner: DrillRunner) => void;

  /**
   * @param restoreOf the kind's restore, given the construct (to create its own parts in) and the network
   */
  constructor(scope: Construct, id: string, props: CommonClusterProps, restoreOf: (self: Construct, network: ClusterNetwork) => ClusterRestore) {
    super(scope, id);
    const removalPolicy = clusterRemovalPolicy(props.removalPolicy);
    const network = clusterNetwork(this, props);
    const restoring = restoreOf(this, network);
    const own = restoring.kindSettings ?? {};
    validateClusterSettings(this, restoring.engine, props, own);
    this.clusterEngine = restoring.engine;
    let instances: ClusterInstances | undefined;
    const domainRole = domainRoleOf(this, props);
    const settings = clusterSettings(restoring.engine, props, own, () => instances?.hasServerless ?? false, domainRole);
    this.drillSettings = (runner) => grantDrillSettings(runner, settings, props, own, domainRole);
    this.managesSecret = Boolean(settings.ManageMasterUserPassword);
    this.dataApiEnabled = Boolean(props.enableDataApi);
    this.tags = new TagManager(TagType.KEY_VALUE, restoring.kind.resourceType, props.tags);
    checkTags(this, this.tags, RDS_TAGS, 'the restored cluster');
    this.securityGroups = network.securityGroups;
    const generation = restoreGeneration(props.restoreGeneration);
    const identifier = props.clusterIdentifier
      ? lowercase(props.clusterIdentifier)
      : defaultClusterIdentifier(this, { ...restoring.inputs, ...generation });
    this._restore = new RestoreResource(this, 'Restore', {
      kind: restoring.kind,
      timeout: props.timeout,
      logRetention: props.logRetention,
      validation: props.validation,
      restorePoint: restoring.restorePoint,
      properties: {
        ...settings,
        ...Object.fromEntries(Object.entries(restoring.inputs).filter(([, value]) => value !== undefined)),
        ...generation,
        DBClusterIdentifier: identifier,
        ...(props.clusterIdentifier ? {} : { NameDerived: true }),
        DeletionProtection: props.deletionProtection,
        RemovalPolicy: removalPolicy,
        Tags: Lazy.any({ produce: () => this.tags.renderTags() }),
      },
    });
    restoring.grant(this._restore);
    grantStackClusters(this._restore, identifier, !props.clusterIdentifier);
    grantClusterLifecycle(this._restore);
    grantSettings(this._restore, settings, props, own, domainRole);

    this.attributes = restoredClusterAttributes(this._restore);
    this.clusterIdentifier = this.attributes.clusterIdentifier;
    this.clusterArn = this.attributes.clusterArn;
    this.clusterResourceId = this.attributes.clusterResourceId;
    this.clusterEndpoint = this.attributes.clusterEndpoint;
    this.clusterReadEndpoint = this.attributes.clusterReadEndpoint;
    const port = ec2.Port.tcp(this.attributes.port);
    this.connections = network.securityGroups.length
      ? new ec2.Connections({ securityGroups: network.securityGroups, defaultPort: port })
      : new UnmanagedConnections(this, port);
    instances = createInstances(this, restoring.engine, this.clusterIdentifier, props, partsRemovalPolicy(props));
    this.instanceIdentifiers = instances.identifiers;
    this.instanceEndpointAddresses = instances.endpointAddresses;
    retainLogs(this, restoring.engine, this.clusterIdentifier, props);
    warnIfDeletionBlocked(this, props.deletionProtection, removalPolicy);
    this._restore.validateAfter(this.node.findAll(), this.securityGroups);
  }

  /**
   * What a drill of this restore repeats: the restore as synthesized, its writer's class, and the drill role's
   * statements for clusters; the kind grants its restore call.
   * @internal
   */
  protected _drillSubject(point: Pick<DrillSubject, 'fixedPoint' | 'unmeasuredPoint'>, grant: (runner: DrillRunner) => void): DrillSubject {
    const restore = this._restore.made;
    const isInstance = (c: unknown): c is rds.CfnDBInstance | neptune.CfnDBInstance =>
      c instanceof rds.CfnDBInstance || c instanceof neptune.CfnDBInstance;
    const writer = this.node.findAll().find(isInstance);
    return {
      resourceType: restore.kind.resourceType,
      properties: restore.properties,
      restorePath: this.node.path,
      timeout: restore.timeout,
      validation: restore.validation,
      instances: writer?.dbInstanceClass ? [{ DBInstanceClass: writer.dbInstanceClass }] : [],
      ...point,
      grant: (runner) => {
        grantDrillClusters(runner, this.clusterEngine);
        this.drillSettings(runner);
        grant(runner);
      },
    };
  }

  /**
   * The master user secret RDS manages, when it does.
   * @internal
   */
  protected _managedSecret(): secretsmanager.ISecret | undefined {
    if (!this.managesSecret) return undefined;
    return secretsmanager.Secret.fromSecretCompleteArn(this, 'Secret', this._restore.getAttString(MASTER_USER_SECRET_ARN_ATTRIBUTE));
  }

  /**
   * The restored Aurora cluster as aws-cdk-lib's own `rds.IDatabaseCluster`, with its instances and secret.
   * @internal
   */
  protected _databaseCluster(secret: secretsmanager.ISecret | undefined): rds.IDatabaseCluster {
    const attributes = this.attributes;
    const view = rds.DatabaseCluster.fromDatabaseClusterAttributes(this, 'DatabaseCluster', {
      clusterIdentifier: attributes.clusterIdentifier,
      clusterResourceIdentifier: attributes.clusterResourceId,
      clusterEndpointAddress: attributes.clusterEndpoint.hostname,
      readerEndpointAddress: attributes.clusterReadEndpoint.hostname,
      port: attributes.port,
      securityGroups: this.securityGroups,
      instanceIdentifiers: this.instanceIdentifiers,
      instanceEndpointAddresses: this.instanceEndpointAddresses,
      engine: this.clusterEngine === 'aurora-mysql' ? rds.DatabaseClusterEngine.AURORA_MYSQL : rds.DatabaseClusterEngine.AURORA_POSTGRESQL,
      secret,
      // aws-rds's grantDataApiAccess refuses a cluster whose Data API is off.
      dataApiEnabled: this.dataApiEnabled,
    });
    // Without a security group the view's own connections would drop rules (an rds.DatabaseProxy's among them) unsaid.
    if (this.connections instanceof UnmanagedConnections) Object.defineProperty(view, 'connections', { value: this.connections });
    return view;
  }
}
