import { Annotations, ArnFormat, CfnResource, Names, RemovalPolicy, Stack, TagManager, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as neptune from 'aws-cdk-lib/aws-neptune';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { ClusterAttributes, RemovalPolicyName } from './contracts/common';
import { inputsHash, RestoreResource } from './restore-resource';
import { identifierProblem, invalidProp, tagProblem, validateIdentifier, validateIntegerRange } from './validation';
import type { ClusterEndpoint } from '../cluster-endpoint';
import type { RestoredClusterOptions } from '../restored-cluster-options';

/**
 * The parts every restored DB cluster construct shares: its network, identifier, instances,
 * attributes, the aws-cdk-lib view of it, and the handler permissions for its lifecycle.
 */

/** Props every restored-cluster construct has. */
export interface CommonClusterProps extends RestoredClusterOptions {
  readonly port?: number;
}

export type ClusterEngineName = 'neptune' | 'aurora-mysql' | 'aurora-postgresql';

const MAX_INSTANCES = 16;
const REMOVAL_POLICIES = new Map<RemovalPolicy, RemovalPolicyName>([
  [RemovalPolicy.SNAPSHOT, 'snapshot'],
  [RemovalPolicy.DESTROY, 'destroy'],
  [RemovalPolicy.RETAIN, 'retain'],
]);

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
  if (props.removalPolicy !== undefined && !REMOVAL_POLICIES.has(props.removalPolicy)) {
    invalidProp('removalPolicy', props.removalPolicy, 'use RemovalPolicy.SNAPSHOT, RemovalPolicy.DESTROY or RemovalPolicy.RETAIN');
  }
}

export function removalPolicyName(policy: RemovalPolicy | undefined): RemovalPolicyName {
  return REMOVAL_POLICIES.get(policy ?? RemovalPolicy.SNAPSHOT)!;
}

/** The services keep identifiers in lowercase, and ARNs carry them so. */
export function lowercase(value: string): string {
  return Token.isUnresolved(value) ? value : value.toLowerCase();
}

/**
 * A valid cluster identifier from the construct path, with a hash of the restore inputs, so a
 * change of input names a new cluster and CloudFormation can replace the old one.
 */
export function defaultClusterIdentifier(scope: Construct, inputs: object): string {
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
export function clusterNetwork(scope: Construct, props: CommonClusterProps): { subnetGroupName?: string; securityGroups: ec2.ISecurityGroup[] } {
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
export function addTagValidation(scope: Construct, tags: TagManager): void {
  scope.node.addValidation({
    validate: () => Object.entries(tags.tagValues()).flatMap(([key, value]) => {
      const problem = tagProblem(key, value);
      return problem ? [`Invalid tag ${JSON.stringify(key)}=${JSON.stringify(value)} on the restored cluster: ${problem}`] : [];
    }),
  });
}

/** The attributes of a restored cluster, as tokens read after the restore's wait. */
export interface RestoredClusterAttributes {
  readonly clusterIdentifier: string;
  readonly clusterArn: string;
  readonly clusterResourceId: string;
  readonly clusterEndpoint: ClusterEndpoint;
  readonly clusterReadEndpoint: ClusterEndpoint;
  readonly port: number;
}

export function restoredClusterAttributes(restore: RestoreResource): RestoredClusterAttributes {
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

/** The DB instances, as native CloudFormation resources attached to the restored cluster. */
export function createInstances(scope: Construct, engine: ClusterEngineName, clusterIdentifier: string, props: CommonClusterProps): string[] {
  const instanceClass = `db.${(props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE)).toString()}`;
  const identifiers: string[] = [];
  let writer: CfnResource | undefined;
  for (let i = 1; i <= (props.instances ?? 1); i++) {
    const instance = engine === 'neptune'
      ? new neptune.CfnDBInstance(scope, `Instance${i}`, { dbClusterIdentifier: clusterIdentifier, dbInstanceClass: instanceClass })
      : new rds.CfnDBInstance(scope, `Instance${i}`, { dbClusterIdentifier: clusterIdentifier, dbInstanceClass: instanceClass, engine });
    instance.applyRemovalPolicy(partsRemovalPolicy(props));
    // The first instance of a cluster becomes its writer, so replicas wait for it.
    if (writer) instance.node.addDependency(writer);
    writer ??= instance;
    identifiers.push(instance.ref);
  }
  return identifiers;
}

/** The restored Aurora cluster as aws-cdk-lib's own `rds.IDatabaseCluster`. */
export function auroraClusterView(scope: Construct, engine: 'aurora-mysql' | 'aurora-postgresql', attributes: RestoredClusterAttributes,
  securityGroups: ec2.ISecurityGroup[], instanceIdentifiers: string[]): rds.IDatabaseCluster {
  return rds.DatabaseCluster.fromDatabaseClusterAttributes(scope, 'DatabaseCluster', {
    clusterIdentifier: attributes.clusterIdentifier,
    clusterResourceIdentifier: attributes.clusterResourceId,
    clusterEndpointAddress: attributes.clusterEndpoint.hostname,
    readerEndpointAddress: attributes.clusterReadEndpoint.hostname,
    port: attributes.port,
    securityGroups,
    instanceIdentifiers,
    engine: engine === 'aurora-mysql' ? rds.DatabaseClusterEngine.AURORA_MYSQL : rds.DatabaseClusterEngine.AURORA_POSTGRESQL,
  });
}

/** ARN of an RDS resource of this stack (clusters, subnet groups, snapshots, ...). */
export function rdsArn(scope: Construct, resource: string, resourceName: string): string {
  return Stack.of(scope).formatArn({ service: 'rds', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * What the shared handler does to a restored cluster after the restore: describe it, tag it,
 * switch deletion protection, delete it with a final snapshot. Scoped to this cluster and its
 * final snapshots.
 */
export function grantClusterLifecycle(restore: RestoreResource, identifier: string): void {
  const target = rdsArn(restore, 'cluster', identifier);
  restore.addToHandlerPolicy(new iam.PolicyStatement({
    actions: [
      'rds:DescribeDBClusters', 'rds:AddTagsToResource', 'rds:RemoveTagsFromResource', 'rds:ListTagsForResource',
      'rds:ModifyDBCluster', 'rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot',
    ],
    resources: [target, rdsArn(restore, 'cluster-snapshot', `${identifier}-final-*`)],
  }));
  // DescribeEvents has no resource-level permissions; it only reads the failure message.
  restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeEvents'], resources: ['*'] }));
}

export function warnIfDeletionBlocked(scope: Construct, deletionProtection: boolean | undefined, removalPolicy: RemovalPolicyName): void {
  if (deletionProtection && removalPolicy !== 'retain') {
    Annotations.of(scope).addWarningV2('cdk-restore-constructs:deletionProtection',
      'deletionProtection is on, so deleting this construct fails until it is turned off; set removalPolicy to RETAIN to keep the cluster instead.');
  }
}
