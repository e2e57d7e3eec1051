/**
 * The options of every restored cluster construct: its network, instances, settings and logs.
 */
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { RestoredResourceOptions } from './restore-options';

/**
 * Whether a cluster may run on RDS Extended Support once its major version leaves standard support
 * (the values of aws-cdk-lib's `rds.EngineLifecycleSupport`, which needs a newer aws-cdk-lib than this library's floor).
 */
export enum EngineLifecycleSupport {
  /** Stay on the major version under RDS Extended Support, which is charged. */
  OPEN_SOURCE_RDS_EXTENDED_SUPPORT = 'open-source-rds-extended-support',
  /** Be upgraded to a supported major version at the end of standard support. */
  OPEN_SOURCE_RDS_EXTENDED_SUPPORT_DISABLED = 'open-source-rds-extended-support-disabled',
}

/**
 * The mode of CloudWatch Database Insights (the values of aws-cdk-lib's `rds.DatabaseInsightsMode`, which needs a
 * newer aws-cdk-lib than this library's floor).
 */
export enum DatabaseInsightsMode {
  /** Standard mode, which RDS gives an Aurora cluster. */
  STANDARD = 'standard',
  /** Advanced mode: Performance Insights with 15 months of retention, and more metrics. */
  ADVANCED = 'advanced',
}

/** Options every construct that makes a new DB cluster shares: its name, network, instances and lifecycle. */
export interface RestoredClusterOptions extends RestoredResourceOptions {
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
   * Number of DB instances to create in the cluster (0-16), the first one the writer: a shorthand for
   * `writer` and `readers` (give one style, not both).
   * @default 1
   */
  readonly instances?: number;

  /**
   * Instance class of the DB instances of the `instances` shorthand. For Neptune Serverless, `new ec2.InstanceType('serverless')`.
   * @default r6g.large
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The writer instance, as aws-cdk-lib's `rds.DatabaseCluster` takes it: for Aurora
   * `rds.ClusterInstance.provisioned(...)` or `rds.ClusterInstance.serverlessV2(...)`, with its own settings
   * (`publiclyAccessible` defaulting to false); for Neptune `NeptuneClusterInstance.provisioned(...)` or
   * `NeptuneClusterInstance.serverless(...)`.
   * @default - the `instances` shorthand
   */
  readonly writer?: rds.IClusterInstance;

  /**
   * The reader instances, as aws-cdk-lib's `rds.DatabaseCluster` takes them (for Neptune, `NeptuneClusterInstance`s);
   * each is created after the writer.
   * @default - no readers (or the `instances` shorthand)
   */
  readonly readers?: rds.IClusterInstance[];

  /**
   * Smallest capacity of a serverless instance: Aurora capacity units (0 to 256, in steps of 0.5) or Neptune
   * capacity units (1 to 128).
   * @default - 0.5 for Aurora, 1 for Neptune, when the cluster has a serverless instance
   */
  readonly serverlessV2MinCapacity?: number;

  /**
   * Largest capacity of a serverless instance: Aurora capacity units (1 to 256, in steps of 0.5) or Neptune
   * capacity units (2.5 to 128).
   * @default - 2 for Aurora, 2.5 for Neptune, when the cluster has a serverless instance
   */
  readonly serverlessV2MaxCapacity?: number;

  /**
   * Storage configuration: standard or I/O-Optimized. For Neptune, `AURORA` means its `standard` and
   * `AURORA_IOPT1` its `iopt1`.
   * @default - the API's default, standard storage
   */
  readonly storageType?: rds.DBClusterStorageType;

  /**
   * Log types to export to CloudWatch Logs. Aurora MySQL: audit, error, general, instance, slowquery,
   * iam-db-auth-error; Aurora PostgreSQL: instance, postgresql, iam-db-auth-error; Neptune: audit, slowquery.
   * @default - none
   */
  readonly cloudwatchLogsExports?: string[];

  /**
   * How long the exported logs are kept in CloudWatch Logs.
   * @default - forever
   */
  readonly cloudwatchLogsRetention?: logs.RetentionDays;

  /**
   * Copy the cluster's tags to its snapshots (the final snapshot included).
   * @default true
   */
  readonly copyTagsToSnapshot?: boolean;

  /**
   * How far back the cluster can be backtracked (up to 72 hours). Aurora MySQL only, and only chosen at the
   * restore: a cluster restored without backtracking cannot turn it on later.
   * @default - no backtracking
   */
  readonly backtrackWindow?: Duration;

  /**
   * Automated backups: how long they are kept (1 to 35 days) and the daily window in which they are taken.
   * @default - one day, in a window RDS chooses (or the source's settings, for a point-in-time restore)
   */
  readonly backup?: rds.BackupProps;

  /**
   * Weekly window for maintenance, in UTC, such as `Sun:23:45-Mon:00:15`; at least 30 minutes.
   * @default - a 30-minute window RDS chooses
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * IPv4 only, or IPv4 and IPv6 (the subnet group must support both). Aurora only.
   * @default - IPv4
   */
  readonly networkType?: rds.NetworkType;

  /**
   * Whether the cluster may stay on its major version under RDS Extended Support. Aurora only.
   * @default - RDS Extended Support
   */
  readonly engineLifecycleSupport?: EngineLifecycleSupport;

  /**
   * Turn on Performance Insights for the cluster. Aurora only.
   * @default - false, unless `performanceInsightRetention` or `performanceInsightEncryptionKey` is given, or
   * `databaseInsightsMode` is `DatabaseInsightsMode.ADVANCED`
   */
  readonly enablePerformanceInsights?: boolean;

  /**
   * How long Performance Insights data is kept. `DatabaseInsightsMode.ADVANCED` needs `PerformanceInsightRetention.MONTHS_15`.
   * @default - 7 days, when Performance Insights is on
   */
  readonly performanceInsightRetention?: rds.PerformanceInsightRetention;

  /**
   * KMS key that encrypts Performance Insights data.
   * @default - the account's aws/rds key
   */
  readonly performanceInsightEncryptionKey?: kms.IKey;

  /**
   * Interval between Enhanced Monitoring samples of the instances (1, 5, 10, 15, 30 or 60 seconds). Aurora only:
   * Aurora monitors per instance, so this goes to every instance.
   * @default - no Enhanced Monitoring
   */
  readonly monitoringInterval?: Duration;

  /**
   * The mode of CloudWatch Database Insights. Aurora only. `ADVANCED` turns Performance Insights on and needs its
   * retention at `PerformanceInsightRetention.MONTHS_15`.
   * @default - the mode RDS gives the cluster (standard)
   */
  readonly databaseInsightsMode?: DatabaseInsightsMode;

  /**
   * Apply minor engine upgrades to the cluster automatically, in the maintenance window. Aurora only (a Neptune
   * instance has its own setting, `NeptuneClusterInstance`'s `autoMinorVersionUpgrade`).
   * @default - RDS's default, true
   */
  readonly autoMinorVersionUpgrade?: boolean;

  /**
   * Let reader instances forward writes to the writer. Aurora only: Aurora MySQL 3.04 or later, Aurora PostgreSQL
   * 14.13, 15.8, 16.4 or later.
   * @default false
   */
  readonly enableLocalWriteForwarding?: boolean;

  /**
   * Turn on the RDS Data API (the cluster's HTTP endpoint), once the cluster is restored and its other settings
   * applied. Aurora only, on the versions the Data API supports; `databaseCluster.grantDataApiAccess(...)` grants
   * its use. `false` turns it off in place; removing the prop leaves the cluster as it is.
   * @default - the Data API stays off
   */
  readonly enableDataApi?: boolean;

  /**
   * Let a change of the engine version cross a major version (Aurora PostgreSQL 15 to 16, Aurora MySQL 2 to 3,
   * Neptune 1.2 to 1.3). An upgrade is applied in place, at once, with an outage; it cannot be undone, and a
   * rollback of the deployment keeps the upgraded version.
   * @default false
   */
  readonly allowMajorVersionUpgrade?: boolean;

  /**
   * The DB parameter group an upgrade to another major version applies to every instance (ModifyDBCluster's
   * `DBInstanceParameterGroupName`): RDS needs one of the new version's family when the instances have a custom
   * group of the old one. Give the instances the same group, so that CloudFormation keeps it on them afterwards.
   * @default - the instances keep the group they have (RDS's default group of the new version for a default group)
   */
  readonly instanceParameterGroup?: rds.IParameterGroup;

  /**
   * The role Enhanced Monitoring publishes with.
   * @default - a role with AmazonRDSEnhancedMonitoringRole, when `monitoringInterval` is given
   */
  readonly monitoringRole?: iam.IRole;

  /**
   * The directory (AWS Managed Microsoft AD, by its id such as d-1234567890) the restored cluster joins for
   * Kerberos authentication, as aws-rds's `domain`. A change later moves the cluster to the new directory in
   * place; removing it takes the cluster out of its directory. Aurora only.
   * @default - no Kerberos authentication
   */
  readonly domain?: string;

  /**
   * The role RDS calls the Directory Service with, for `domain`.
   * @default - a role with AmazonRDSDirectoryServiceAccess, when `domain` is given
   */
  readonly domainRole?: iam.IRole;
}
