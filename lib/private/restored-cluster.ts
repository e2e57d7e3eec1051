import { Annotations, ArnFormat, ITaggable, Lazy, Names, RemovalPolicy, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ClusterInstances, createInstances } from './cluster-instances';
import { clusterSettings, MasterSecretSettings, retainLogs, validateClusterSettings } from './cluster-settings';
import { CLUSTER_IN_PLACE, CLUSTER_REMOVAL, ClusterEngineName, ClusterSettings, MASTER_USER_SECRET_ARN_ATTRIBUTE } from './contracts/cluster';
import { ClusterAttributes, RemovalPolicyName } from './contracts/common';
import { removalPolicyName } from './removal-policy';
import { RestoreConstruct } from './restore-construct';
import { RestoreProvider } from './restore-provider';
import { inputsHash, RestoreResource, thisStacks } from './restore-resource';
import { identifierProblem, invalidProp, tagProblem, validateIdentifier, validateIntegerRange } from './validation';
import type { ClusterEndpoint } from '../cluster-endpoint';
import type { RestoredClusterOptions } from '../restored-cluster-options';

/**
 * What every restored DB cluster construct shares: {@link RestoredClusterBase}, and the parts it is
 * built from (network, identifier, instances, attributes, the aws-cdk-lib view of it, the handler
 * permissions for its lifecycle).
 */

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

/**
 * A valid cluster identifier from the construct path, with a hash of the restore inputs, so a
 * change of input names a new cluster and CloudFormation can replace the old one.
 */
function defaultClusterIdentifier(scope: Construct, inputs: object): string {
  const hash = inputsHash(scope, inputs);
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

/**
 * The removal policy of the parts around the cluster (instances, subnet group, security group), as
 * aws-rds gives them: a retained cluster keeps the parts it runs in, since deleting them would fail
 * while it uses them; otherwise they go, the cluster's final snapshot holding the data.
 */
function partsRemovalPolicy(props: CommonClusterProps): RemovalPolicy {
  return props.removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/** The subnet group and security groups of the restored cluster. */
function clusterNetwork(scope: Construct, props: CommonClusterProps): ClusterNetwork {
  const path = scope.node.path;
  const removalPolicy = partsRemovalPolicy(props);
  const subnetGroupName = props.vpc
    ? new rds.SubnetGroup(scope, 'SubnetGroup', {
      vpc: props.vpc, vpcSubnets: props.vpcSubnets, description: `Subnets of the restored cluster ${path}`, removalPolicy,
    }).subnetGroupName
    : props.subnetGroupName;
  let securityGroups = props.securityGroups;
  if (!securityGroups && props.vpc) {
    const group = new ec2.SecurityGroup(scope, 'SecurityGroup', { vpc: props.vpc, description: `Restored cluster ${path}` });
    group.applyRemovalPolicy(removalPolicy);
    securityGroups = [group];
  }
  return { subnetGroupName, securityGroups: securityGroups ?? [] };
}

/** Tags from `Tags.of(...)` are checked once aspects have added them. */
function addTagValidation(scope: Construct, tags: TagManager): void {
  scope.node.addValidation({
    validate: () => Object.entries(tags.tagValues()).flatMap(([key, value]) => {
      const problem = tagProblem(key, value);
      return problem ? [`Invalid tag ${JSON.stringify(key)}=${JSON.stringify(value)} on the restored cluster: ${problem}`] : [];
    }),
  });
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
  const att = (name: keyof ClusterAttributes) => restore.getAttString(name);
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

/** Why the handler may read any cluster of the account and region. */
const READ_CLUSTERS = 'The handler reads clusters of this account and region (describe, list tags) to find out whether one exists and whose it is '
  + 'before it acts';

/** Why a restore call may name any source cluster, subnet group or parameter group of the account and region. */
export const RESTORE_INTO_THIS_STACK = 'The restore call is allowed only when it tags the new cluster with this stack '
  + '(aws:RequestTag/cdk-restore-constructs:stack), and it can tag only the clusters this stack names (a separate statement); '
  + 'the sources, subnet groups and parameter groups of the account and region are named by pattern so that the statement does not grow';

/** Why the handler may change or delete any cluster that carries the stack's tag. */
const CHANGE_THIS_STACKS = 'Changes and deletes are allowed only on clusters tagged with this stack (aws:ResourceTag/cdk-restore-constructs:stack), '
  + 'a tag the handler can put only on the clusters this stack names';

/** Why the stack's own clusters and final snapshots are named by a pattern. */
const THIS_STACKS_NAMES = 'The clusters whose identifiers the constructs derive share the construct path\'s start, named once as a pattern so that '
  + 'the statement does not grow with the restores; final snapshots are named after their cluster and the time of the delete';

/** ARN of an RDS resource of this stack (clusters, subnet groups, snapshots, ...). */
export function rdsArn(scope: Construct, resource: string, resourceName: string): string {
  return Stack.of(scope).formatArn({ service: 'rds', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** The restored clusters of a stack: identifiers the constructs derived, and those the user gave. */
interface ClusterTargets {
  readonly derived: string[];
  readonly given: string[];
}

const CLUSTER_TARGETS = new WeakMap<Stack, ClusterTargets>();

function commonPrefix(values: readonly string[]): string {
  let prefix = values[0] ?? '';
  for (const value of values) while (!value.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** Shorter than this, a shared start would be a pattern on others' clusters too; the identifiers are named each. */
const MIN_PREFIX = 8;

/**
 * The stack's clusters, named as tightly as a statement that does not grow can: derived identifiers by their
 * common start (the stack and construct path) as one pattern, given ones each.
 */
function targetNames(targets: ClusterTargets, suffix: string): string[] {
  const prefix = commonPrefix(targets.derived);
  const derived = targets.derived.length > 1 && prefix.length >= MIN_PREFIX ? [`${prefix}*`] : targets.derived;
  return [...new Set([...derived, ...targets.given])].map((name) => `${name}${suffix}`);
}

/**
 * Lets the handler tag a new cluster of this stack at its restore (and one an earlier version restored, to claim
 * it), and delete it with a final snapshot. Named by identifier, not by tag: IAM cannot tell tagging at creation
 * from tagging an existing cluster, so a tag condition alone would let the role claim any cluster.
 */
function grantStackClusters(restore: RestoreResource, identifier: string, derived: boolean): void {
  const stack = Stack.of(restore);
  let targets = CLUSTER_TARGETS.get(stack);
  if (!targets) {
    const named = targets = { derived: [], given: [] };
    CLUSTER_TARGETS.set(stack, named);
    restore.addToHandlerPolicy(new iam.PolicyStatement({
      actions: ['rds:AddTagsToResource'],
      resources: Lazy.uncachedList({ produce: () => targetNames(named, '').map((name) => rdsArn(stack, 'cluster', name)) }),
      conditions: thisStacks(restore, 'aws:RequestTag'),
    }));
    restore.addToHandlerPolicy(new iam.PolicyStatement({
      actions: ['rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource'],
      resources: Lazy.uncachedList({ produce: () => targetNames(named, '-final-*').map((name) => rdsArn(stack, 'cluster-snapshot', name)) }),
    }));
    const arn = (type: string, name: string) => ({ regex: `/^Resource::arn:<AWS::Partition>:rds:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\\d+):${type}:${name}$/` });
    RestoreProvider.of(restore).acceptWildcards([arn('cluster', '[a-z][a-z0-9-]*\\*'), arn('cluster-snapshot', '[a-z][a-z0-9-]*\\*?-final-\\*')], THIS_STACKS_NAMES);
  }
  (derived && !Token.isUnresolved(identifier) ? targets.derived : targets.given).push(identifier);
}

/**
 * What the shared handler does to a restored cluster after the restore: describe it, tag it, modify it,
 * delete it. The same statement for every cluster of the stack: changes need the stack's tag, which only
 * the stack's own clusters can get.
 */
function grantClusterLifecycle(restore: RestoreResource): void {
  const clusters = rdsArn(restore, 'cluster', '*');
  restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters', 'rds:ListTagsForResource'], resources: [clusters] }), READ_CLUSTERS);
  restore.addToHandlerPolicy(new iam.PolicyStatement({
    actions: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource', 'rds:ModifyDBCluster', 'rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot'],
    resources: [clusters],
    conditions: thisStacks(restore, 'aws:ResourceTag'),
  }), CHANGE_THIS_STACKS);
  // DescribeEvents has no resource-level permissions; it only reads the failure message.
  restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeEvents'], resources: ['*'] }),
    'rds:DescribeEvents has no resource-level permissions; the handler reads why a restore failed');
}

/** What the handler needs for the settings ModifyDBCluster or the restore call applies: the secret, the keys. */
function grantSettings(restore: RestoreResource, settings: ClusterSettings, props: CommonClusterProps, secret: MasterSecretSettings): void {
  if (settings.ManageMasterUserPassword) {
    // RDS creates the master user secret on the caller's behalf, named rds!cluster-..., and (when ModifyDBCluster
    // turns it on) rotates it to set the new password.
    restore.addToHandlerPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource', 'secretsmanager:RotateSecret'],
      resources: [Stack.of(restore).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: 'rds!cluster-*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }), 'RDS names the master user secrets it manages rds!cluster-<id>, with an id it makes; only such secrets are allowed');
  }
  if (secret.masterUserSecretKey) restore.grantKeyUse(secret.masterUserSecretKey, ['rds', 'secretsmanager'], true);
  if (props.performanceInsightEncryptionKey) restore.grantKeyUse(props.performanceInsightEncryptionKey, ['rds']);
}

function warnIfDeletionBlocked(scope: Construct, deletionProtection: boolean | undefined, removalPolicy: RemovalPolicyName): void {
  if (deletionProtection && removalPolicy !== 'retain') {
    Annotations.of(scope).addWarningV2('cdk-restore-constructs:deletionProtection',
      'deletionProtection is on, so deleting this construct fails until it is turned off; set removalPolicy to RETAIN to keep the cluster instead.');
  }
}

/** The subnet group and security groups a restored cluster runs in. */
export interface ClusterNetwork {
  readonly subnetGroupName?: string;
  readonly securityGroups: ec2.ISecurityGroup[];
}

/** What a kind that restores a DB cluster tells {@link RestoredClusterBase}, once the network exists. */
export interface ClusterRestore {
  /** The kind's custom resource type. */
  readonly resourceType: string;
  readonly engine: ClusterEngineName;
  /** The restore inputs: no identifier, and nothing that changes in place. The default identifier is named after them. */
  readonly inputs: Record<string, unknown>;
  /** Whether the master password is managed in Secrets Manager, and with which key. */
  readonly secret?: MasterSecretSettings;
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
  /** Network access to the restored cluster; its default port is the cluster's port. */
  public readonly connections: ec2.Connections;
  /** Tags applied to the restored cluster, from `Tags.of(...)`. */
  public readonly tags: TagManager;
  /** @internal */
  protected readonly _restore: RestoreResource;
  private readonly attributes: RestoredClusterAttributes;
  private readonly securityGroups: ec2.ISecurityGroup[];
  private readonly clusterEngine: ClusterEngineName;
  private readonly managesSecret: boolean;

  /**
   * @param restoreOf the kind's restore, given the construct (to create its own parts in) and the network
   */
  constructor(scope: Construct, id: string, props: CommonClusterProps, restoreOf: (self: Construct, network: ClusterNetwork) => ClusterRestore) {
    super(scope, id);
    const removalPolicy = clusterRemovalPolicy(props.removalPolicy);
    const network = clusterNetwork(this, props);
    const kind = restoreOf(this, network);
    const secret = kind.secret ?? {};
    validateClusterSettings(this, kind.engine, props, secret);
    this.clusterEngine = kind.engine;
    let instances: ClusterInstances | undefined;
    const settings = clusterSettings(kind.engine, props, secret, () => instances?.hasServerless ?? false);
    this.managesSecret = Boolean(settings.ManageMasterUserPassword);
    this.tags = new TagManager(TagType.KEY_VALUE, kind.resourceType);
    addTagValidation(this, this.tags);
    this.securityGroups = network.securityGroups;

    const identifier = props.clusterIdentifier ? lowercase(props.clusterIdentifier) : defaultClusterIdentifier(this, kind.inputs);
    this._restore = new RestoreResource(this, 'Restore', {
      resourceType: kind.resourceType,
      timeout: props.timeout,
      logRetention: props.logRetention,
      validation: props.validation,
      restorePoint: kind.restorePoint,
      inPlace: CLUSTER_IN_PLACE,
      properties: {
        ...settings,
        ...Object.fromEntries(Object.entries(kind.inputs).filter(([, value]) => value !== undefined)),
        DBClusterIdentifier: identifier,
        DeletionProtection: props.deletionProtection,
        RemovalPolicy: removalPolicy,
        Tags: Lazy.any({ produce: () => this.tags.renderTags() }),
      },
    });
    kind.grant(this._restore);
    grantStackClusters(this._restore, identifier, !props.clusterIdentifier);
    grantClusterLifecycle(this._restore);
    grantSettings(this._restore, settings, props, secret);

    this.attributes = restoredClusterAttributes(this._restore);
    this.clusterIdentifier = this.attributes.clusterIdentifier;
    this.clusterArn = this.attributes.clusterArn;
    this.clusterResourceId = this.attributes.clusterResourceId;
    this.clusterEndpoint = this.attributes.clusterEndpoint;
    this.clusterReadEndpoint = this.attributes.clusterReadEndpoint;
    this.connections = new ec2.Connections({ securityGroups: network.securityGroups, defaultPort: ec2.Port.tcp(this.attributes.port) });
    instances = createInstances(this, kind.engine, this.clusterIdentifier, props, partsRemovalPolicy(props));
    this.instanceIdentifiers = instances.identifiers;
    this.instanceEndpointAddresses = instances.endpointAddresses;
    retainLogs(this, kind.engine, this.clusterIdentifier, props);
    warnIfDeletionBlocked(this, props.deletionProtection, removalPolicy);
    this._restore.validateAfter(this.node.findAll(), this.securityGroups);
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
    return rds.DatabaseCluster.fromDatabaseClusterAttributes(this, 'DatabaseCluster', {
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
    });
  }
}
