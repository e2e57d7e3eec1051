import {
  CommonRestoreProperties, readBoolean, readCommonProperties, readOptionalString, readRemovalPolicy, readString, readStringMap, RemovalRule,
} from './common';

/** CloudFormation type of the DocumentDB Elastic snapshot copy custom resource. */
export const COPIED_ELASTIC_SNAPSHOT_RESOURCE_TYPE = 'Custom::CopiedElasticSnapshot';

/** A snapshot is a backup: it is kept unless the user chose to destroy it. A snapshot of a snapshot is not offered. */
export const COPIED_ELASTIC_SNAPSHOT_REMOVAL: RemovalRule<'retain' | 'destroy'> = { allowed: ['retain', 'destroy'], default: 'retain' };

/** The copy's tags and removal policy change in place; anything else makes another copy. */
export const COPIED_ELASTIC_SNAPSHOT_IN_PLACE = ['Tags', 'RemovalPolicy'] as const;

/** Properties of the copy custom resource. Names follow the CopyClusterSnapshot API. */
export interface CopiedElasticSnapshotProperties extends CommonRestoreProperties {
  readonly SourceSnapshotArn: string;
  readonly TargetSnapshotName: string;
  readonly CopyTags?: boolean;
  readonly KmsKeyId?: string;
  readonly Tags?: Record<string, string>;
  readonly RemovalPolicy: typeof COPIED_ELASTIC_SNAPSHOT_REMOVAL.default;
}

/** Attributes of the copy; lists are joined with commas (CloudFormation attributes are strings). */
export const COPIED_ELASTIC_SNAPSHOT_ATTRIBUTES = [
  'SnapshotArn', 'SnapshotName', 'ClusterArn', 'SnapshotCreationTime', 'SnapshotType', 'KmsKeyId', 'AdminUserName', 'SubnetIds', 'VpcSecurityGroupIds',
] as const;
export type CopiedElasticSnapshotAttribute = typeof COPIED_ELASTIC_SNAPSHOT_ATTRIBUTES[number];

export function readCopiedElasticSnapshotProperties(props: Record<string, unknown>): CopiedElasticSnapshotProperties {
  return {
    ...readCommonProperties(props),
    SourceSnapshotArn: readString('SourceSnapshotArn', props.SourceSnapshotArn),
    TargetSnapshotName: readString('TargetSnapshotName', props.TargetSnapshotName),
    CopyTags: readBoolean('CopyTags', props.CopyTags),
    KmsKeyId: readOptionalString('KmsKeyId', props.KmsKeyId),
    Tags: readStringMap('Tags', props.Tags),
    RemovalPolicy: readRemovalPolicy(props.RemovalPolicy, COPIED_ELASTIC_SNAPSHOT_REMOVAL),
  };
}
