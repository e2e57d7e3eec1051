/**
 * The DB cluster calls the cluster lifecycle makes, behind one interface for Neptune's client and RDS's:
 * describe, tag, modify, delete, and the messages of failed restores.
 */
import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import type { ClusterEngineName, ClusterSettings } from '../../lib/private/contracts/cluster';
import type { ApiTag } from '../../lib/private/contracts/common';
import type { PointInTimeRestoredClusterProperties } from '../../lib/private/kinds/point-in-time-restored-cluster';
import { errorText } from '../shared/errors';
import { log } from '../shared/log';

/** The fields of a DB cluster the handler reads; Neptune and RDS describe them alike. */
export interface Cluster {
  readonly DBClusterIdentifier?: string;
  readonly DBClusterArn?: string;
  readonly DbClusterResourceId?: string;
  readonly Status?: string;
  readonly Engine?: string;
  readonly Endpoint?: string;
  readonly ReaderEndpoint?: string;
  readonly Port?: number;
  readonly EarliestRestorableTime?: Date;
  readonly LatestRestorableTime?: Date;
  readonly DBClusterMembers?: { readonly DBInstanceIdentifier?: string }[];
  readonly StorageEncrypted?: boolean;
  readonly MasterUserSecret?: { readonly SecretArn?: string; readonly SecretStatus?: string; readonly KmsKeyId?: string };
  readonly EnabledCloudwatchLogsExports?: string[];
  readonly CopyTagsToSnapshot?: boolean;
  readonly BackupRetentionPeriod?: number;
  readonly PreferredBackupWindow?: string;
  readonly PreferredMaintenanceWindow?: string;
  readonly StorageType?: string;
  readonly NetworkType?: string;
  readonly BacktrackWindow?: number;
  readonly PerformanceInsightsEnabled?: boolean;
  readonly ServerlessV2ScalingConfiguration?: { readonly MinCapacity?: number; readonly MaxCapacity?: number };
  readonly VpcSecurityGroups?: { readonly VpcSecurityGroupId?: string }[];
  readonly IAMDatabaseAuthenticationEnabled?: boolean;
  readonly DBClusterParameterGroup?: string;
  readonly DBClusterOptionGroupMemberships?: { readonly DBClusterOptionGroupName?: string }[];
  readonly EngineVersion?: string;
  readonly AutoMinorVersionUpgrade?: boolean;
  readonly DatabaseInsightsMode?: string;
  readonly LocalWriteForwardingStatus?: string;
  readonly HttpEndpointEnabled?: boolean;
  readonly DeletionProtection?: boolean;
  readonly DomainMemberships?: { readonly Domain?: string; readonly IAMRoleName?: string; readonly Status?: string }[];
}

/** What a cluster's automated backups, retained after it was deleted, tell about it (RDS only). */
export interface RetainedBackups {
  readonly Engine?: string;
  readonly EngineVersion?: string;
  readonly StorageEncrypted?: boolean;
  readonly EarliestRestorableTime?: Date;
  readonly LatestRestorableTime?: Date;
}

/**
 * ModifyDBCluster's members for a change of settings: the settings as named there, the log exports as
 * the types to turn on and off.
 */
export type SettingsChange = Omit<ClusterSettings, 'EnableCloudwatchLogsExports'> & {
  readonly CloudwatchLogsExportConfiguration?: { readonly EnableLogTypes?: string[]; readonly DisableLogTypes?: string[] };
};

/**
 * RestoreDBClusterToPointInTime's input, in the members both APIs share: the contract's
 * properties (named after the API) with the restore time as the SDK takes it.
 */
export type RestoreInput = Omit<PointInTimeRestoredClusterProperties, 'Engine' | 'RestoreToTime' | 'RemovalPolicy' | 'TimeoutSeconds' | 'WaitHandle'> & {
  readonly RestoreToTime?: Date;
  readonly UseLatestRestorableTime?: boolean;
};

/**
 * The cluster calls of a point-in-time restore. Neptune has its own SDK client over the same
 * operations as RDS; this is the one place that knows which of the two an engine uses.
 */
export interface ClusterApi {
  /** The cluster (by identifier, or by ARN, clusters shared from other accounts included), or undefined when it does not exist. */
  describe(identifier: string): Promise<Cluster | undefined>;
  /** The clusters of the account and region whose identifiers start so. */
  listStartingWith(prefix: string): Promise<Cluster[]>;
  /** The retained automated backups of a deleted cluster, by its resource id; undefined when there are none. */
  retainedBackups(resourceId: string): Promise<RetainedBackups | undefined>;
  /** Changes settings of the cluster, at once rather than in the next maintenance window; the Data API by its own switch. */
  modify(cluster: { readonly identifier: string; readonly arn: string }, change: SettingsChange): Promise<void>;
  restore(input: RestoreInput): Promise<void>;
  /** Deletes the cluster, taking a final snapshot under that identifier unless it is undefined. */
  delete(identifier: string, finalSnapshotIdentifier: string | undefined): Promise<void>;
  setDeletionProtection(identifier: string, enabled: boolean): Promise<void>;
  listTags(arn: string): Promise<ApiTag[]>;
  addTags(arn: string, tags: ApiTag[]): Promise<void>;
  removeTags(arn: string, keys: string[]): Promise<void>;
  /** The newest event message RDS recorded for the cluster, if it can be read. */
  latestEventMessage(identifier: string): Promise<string | undefined>;
  /** The event messages RDS recorded for the cluster since then, oldest first; none when they cannot be read. */
  eventsSince(identifier: string, since: Date): Promise<string[]>;
  /** The versions RDS upgrades this version of the engine to (its ValidUpgradeTarget); undefined when RDS does not say. */
  upgradeTargets(engine: string, version: string): Promise<string[] | undefined>;
  /** Adds a DB instance to a cluster (a drill's; a restore's own instances are CloudFormation's). */
  createInstance(input: InstanceInput): Promise<void>;
  /** The DB instance's status, or undefined when it does not exist. */
  instanceStatus(identifier: string): Promise<string | undefined>;
  /** Deletes a DB instance of a cluster (whose data is the cluster's: no snapshot of its own). */
  deleteInstance(identifier: string): Promise<void>;
}

/** A DB instance added to a cluster: its name, class, engine and tags. */
export interface InstanceInput {
  readonly DBInstanceIdentifier: string;
  readonly DBClusterIdentifier: string;
  readonly DBInstanceClass: string;
  readonly Engine: string;
  readonly Tags: ApiTag[];
}

/**
 * The commands used, which both SDK packages export with matching shapes. Their classes are
 * distinct types, so they are held loosely here; the handler tests check every request against
 * both official API models.
 */
type CommandClass = new (input: any) => unknown;
interface Sdk {
  readonly DescribeDBClustersCommand: CommandClass;
  readonly RestoreDBClusterToPointInTimeCommand: CommandClass;
  readonly DeleteDBClusterCommand: CommandClass;
  readonly ModifyDBClusterCommand: CommandClass;
  readonly ListTagsForResourceCommand: CommandClass;
  readonly AddTagsToResourceCommand: CommandClass;
  readonly RemoveTagsFromResourceCommand: CommandClass;
  readonly DescribeEventsCommand: CommandClass;
  readonly DescribeDBEngineVersionsCommand: CommandClass;
  readonly CreateDBInstanceCommand: CommandClass;
  readonly DescribeDBInstancesCommand: CommandClass;
  readonly DeleteDBInstanceCommand: CommandClass;
  /** RDS only: Neptune keeps no automated backups of a deleted cluster. */
  readonly DescribeDBClusterAutomatedBackupsCommand?: CommandClass;
  /** RDS only: Neptune has no Data API. */
  readonly EnableHttpEndpointCommand?: CommandClass;
  readonly DisableHttpEndpointCommand?: CommandClass;
}

/** SDK clients retry throttling and transient faults themselves, with backoff; allow them a few more tries. */
const CLIENT_CONFIG = { maxAttempts: 6 };

export function isNotFound(error: unknown): boolean {
  return (error as Error)?.name === 'DBClusterNotFoundFault';
}

/** The cluster calls, through one SDK's client and commands. */
class SdkClusterApi implements ClusterApi {
  constructor(private readonly client: { send(command: any): Promise<any> }, private readonly sdk: Sdk) {}

  async describe(identifier: string): Promise<Cluster | undefined> {
    try {
      // A cluster shared from another account (the source of a cross-account clone) is described by its ARN,
      // and only when shared clusters are asked for; Neptune has no such clusters.
      const shared = identifier.startsWith('arn:') && this.sdk.DescribeDBClusterAutomatedBackupsCommand ? { IncludeShared: true } : {};
      const out = await this.client.send(new this.sdk.DescribeDBClustersCommand({ DBClusterIdentifier: identifier, ...shared }));
      return out.DBClusters?.[0];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async listStartingWith(prefix: string): Promise<Cluster[]> {
    const found: Cluster[] = [];
    let marker: string | undefined;
    do {
      const out = await this.client.send(new this.sdk.DescribeDBClustersCommand({ Marker: marker }));
      found.push(...(out.DBClusters ?? []).filter((c: Cluster) => c.DBClusterIdentifier?.startsWith(prefix)));
      marker = out.Marker;
    } while (marker);
    return found;
  }

  async retainedBackups(resourceId: string): Promise<RetainedBackups | undefined> {
    if (!this.sdk.DescribeDBClusterAutomatedBackupsCommand) return undefined;
    try {
      const out = await this.client.send(new this.sdk.DescribeDBClusterAutomatedBackupsCommand({ DbClusterResourceId: resourceId }));
      const backup = out.DBClusterAutomatedBackups?.[0];
      if (!backup) return undefined;
      return {
        Engine: backup.Engine,
        EngineVersion: backup.EngineVersion,
        StorageEncrypted: backup.StorageEncrypted,
        EarliestRestorableTime: backup.RestoreWindow?.EarliestTime,
        LatestRestorableTime: backup.RestoreWindow?.LatestTime,
      };
    } catch (error) {
      if ((error as Error)?.name === 'DBClusterAutomatedBackupNotFoundFault') return undefined;
      throw error;
    }
  }

  async modify(cluster: { readonly identifier: string; readonly arn: string }, change: SettingsChange): Promise<void> {
    const { EnableHttpEndpoint: dataApi, ...settings } = change;
    // The Data API first: its switch is refused while the cluster is modifying, which ModifyDBCluster starts.
    if (dataApi !== undefined) {
      const command = dataApi ? this.sdk.EnableHttpEndpointCommand : this.sdk.DisableHttpEndpointCommand;
      if (!command) throw new Error(`DB cluster "${cluster.identifier}" has no Data API: its engine's API has none`);
      await this.client.send(new command({ ResourceArn: cluster.arn }));
    }
    if (Object.keys(settings).length) {
      await this.client.send(new this.sdk.ModifyDBClusterCommand({ ...settings, DBClusterIdentifier: cluster.identifier, ApplyImmediately: true }));
    }
  }

  async restore(input: RestoreInput): Promise<void> {
    await this.client.send(new this.sdk.RestoreDBClusterToPointInTimeCommand(input));
  }

  async delete(identifier: string, finalSnapshotIdentifier: string | undefined): Promise<void> {
    await this.client.send(new this.sdk.DeleteDBClusterCommand({
      DBClusterIdentifier: identifier,
      SkipFinalSnapshot: finalSnapshotIdentifier === undefined,
      FinalDBSnapshotIdentifier: finalSnapshotIdentifier,
    }));
  }

  async setDeletionProtection(identifier: string, enabled: boolean): Promise<void> {
    await this.client.send(new this.sdk.ModifyDBClusterCommand({
      DBClusterIdentifier: identifier, DeletionProtection: enabled, ApplyImmediately: true,
    }));
  }

  async listTags(arn: string): Promise<ApiTag[]> {
    const out = await this.client.send(new this.sdk.ListTagsForResourceCommand({ ResourceName: arn }));
    return (out.TagList ?? []).map((t: { Key?: string; Value?: string }) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
  }

  async addTags(arn: string, tags: ApiTag[]): Promise<void> {
    await this.client.send(new this.sdk.AddTagsToResourceCommand({ ResourceName: arn, Tags: tags }));
  }

  async removeTags(arn: string, keys: string[]): Promise<void> {
    await this.client.send(new this.sdk.RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: keys }));
  }

  async latestEventMessage(identifier: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new this.sdk.DescribeEventsCommand({
        SourceIdentifier: identifier, SourceType: 'db-cluster', Duration: 24 * 60,
      }));
      const events: Array<{ Message?: string }> = out.Events ?? [];
      return events[events.length - 1]?.Message;
    } catch {
      // The event text only enriches a failure message; its absence must not hide the failure.
      return undefined;
    }
  }

  async upgradeTargets(engine: string, version: string): Promise<string[] | undefined> {
    try {
      // RDS lists a version it no longer offers for new clusters only when asked to; Neptune's API has no such member.
      const all = this.sdk.DescribeDBClusterAutomatedBackupsCommand ? { IncludeAll: true } : {};
      const out = await this.client.send(new this.sdk.DescribeDBEngineVersionsCommand({ Engine: engine, EngineVersion: version, ...all }));
      const targets: Array<{ EngineVersion?: string }> | undefined = out.DBEngineVersions?.[0]?.ValidUpgradeTarget;
      return targets?.map((t) => t.EngineVersion ?? '');
    } catch (error) {
      // The check only tells a refusal early; RDS refuses what it does not offer anyway.
      log(`The upgrades RDS offers from ${engine} ${version} cannot be read (${errorText(error)}); the upgrade is not checked against them`);
      return undefined;
    }
  }

  async createInstance(input: InstanceInput): Promise<void> {
    // Reached through the cluster's network only, as the construct's own instances.
    const reach = this.sdk.EnableHttpEndpointCommand ? { PubliclyAccessible: false } : {};
    await this.client.send(new this.sdk.CreateDBInstanceCommand({ ...input, ...reach }));
  }

  async instanceStatus(identifier: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new this.sdk.DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
      return out.DBInstances?.[0]?.DBInstanceStatus ?? 'unknown';
    } catch (error) {
      if ((error as Error)?.name === 'DBInstanceNotFoundFault') return undefined;
      throw error;
    }
  }

  async deleteInstance(identifier: string): Promise<void> {
    try {
      // An instance of a cluster keeps no data of its own; one that failed (incompatible-network, ...) is deleted only so.
      await this.client.send(new this.sdk.DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier, SkipFinalSnapshot: true }));
    } catch (error) {
      if ((error as Error)?.name !== 'DBInstanceNotFoundFault') throw error;
    }
  }

  async eventsSince(identifier: string, since: Date): Promise<string[]> {
    try {
      const messages: string[] = [];
      let marker: string | undefined;
      for (let page = 0; page < 5 && (page === 0 || marker); page++) {
        const out = await this.client.send(new this.sdk.DescribeEventsCommand({ SourceIdentifier: identifier, SourceType: 'db-cluster', StartTime: since, Marker: marker }));
        messages.push(...(out.Events ?? []).map((e: { Message?: string }) => e.Message ?? ''));
        marker = out.Marker;
      }
      return messages;
    } catch {
      // Events only tell a failure early; without them the wait ends at its deadline.
      return [];
    }
  }
}

export function clusterApiFor(engine: ClusterEngineName): ClusterApi {
  return engine === 'neptune'
    ? new SdkClusterApi(new neptune.NeptuneClient(CLIENT_CONFIG), neptune)
    : new SdkClusterApi(new rds.RDSClient(CLIENT_CONFIG), rds);
}
