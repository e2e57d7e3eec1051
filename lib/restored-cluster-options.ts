import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** Options every construct that makes a new DB cluster shares: its name, network, instances and lifecycle. */
export interface RestoredClusterOptions {
  /**
   * Identifier of the new cluster, stored in lowercase as RDS and Neptune store it. A fixed
   * identifier means a change to a restore input cannot replace the cluster (the old one holds
   * the name); leave it unset to allow that.
   * @default - derived from the construct path and the restore inputs
   */
  readonly clusterIdentifier?: string;

  /**
   * VPC to place the cluster in; a DB subnet group is created in it. Give either `vpc` or `subnetGroupName`, not both.
   * @default - the subnet group named by `subnetGroupName`, or the account's default
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` for the subnet group.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Name of an existing DB subnet group for the cluster.
   * @default - a subnet group created in `vpc`, or the account's default
   */
  readonly subnetGroupName?: string;

  /**
   * Security groups of the cluster.
   * @default - a new security group when `vpc` is given, otherwise the VPC's default security group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Map IAM identities to database accounts.
   * @default false
   */
  readonly iamAuthentication?: boolean;

  /**
   * Refuse deletion of the cluster. A stack delete then fails until it is turned off; turning it
   * off (or on) changes the cluster in place.
   * @default false
   */
  readonly deletionProtection?: boolean;

  /**
   * Number of DB instances to create in the cluster (0-16). The first is the writer.
   * @default 1
   */
  readonly instances?: number;

  /**
   * Instance class of the DB instances.
   * @default r6g.large
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * What happens to the cluster when it leaves the stack: SNAPSHOT takes a final snapshot and
   * deletes it, DESTROY deletes it without one, RETAIN leaves it in place.
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
