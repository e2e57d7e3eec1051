/**
 * Where a restored DB cluster runs and what it is called: its subnet group and security groups (made in the
 * given VPC, removed as aws-rds removes a cluster's parts) and the identifier derived from its construct path.
 */
import { Names, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { DERIVED_HASH_LENGTH } from './contracts/cluster';
import { identifierProblem } from './prop-checks';
import { inputsHash } from './references';
import type { CommonClusterProps } from './restored-cluster';

/** The subnet group and security groups a restored cluster runs in. */
export interface ClusterNetwork {
  readonly subnetGroupName?: string;
  readonly securityGroups: ec2.ISecurityGroup[];
}

/**
 * A valid cluster identifier from the construct path, with a hash of the restore inputs (the restore generation
 * among them), so a new restore names a new cluster, which can exist beside the old one until it is removed.
 */
export function defaultClusterIdentifier(scope: Construct, inputs: object): string {
  const hash = inputsHash(scope, inputs).slice(0, DERIVED_HASH_LENGTH);
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
export function partsRemovalPolicy(props: CommonClusterProps): RemovalPolicy {
  return props.removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/** The subnet group and security groups of the restored cluster. */
export function clusterNetwork(scope: Construct, props: CommonClusterProps): ClusterNetwork {
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
