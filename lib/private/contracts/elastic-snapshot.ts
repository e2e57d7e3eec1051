import { CommonRestoreProperties, readBoolean, readCommonProperties, readEnum, readOptionalString, readString, readStringMap } from './common';

/** CloudFormation type of the DocumentDB Elastic snapshot copy custom resource. */
export const ELASTIC_SNAPSHOT_RESOURCE_TYPE = 'Custom::CopiedElasticSnapshot';

/** A snapshot is a backup: it is kept unless the user chose to destroy it. */
export type SnapshotRemovalPolicyName = 'retain' | 'destroy';

/** Properties of the copy custom resource. Names follow the CopyClusterSnapshot API. */
export interface ElasticSnapshotCopyProperties extends CommonRestoreProperties {
  readonly SourceSnapshotArn: string;
  readonly TargetSnapshotName: string;
  readonly CopyTags?: boolean;
  readonly KmsKeyId?: string;
  readonly Tags?: Record<string, string>;
  readonly RemovalPolicy: SnapshotRemovalPolicyName;
}

/** Attributes of the copy; lists are joined with commas (CloudFormation attributes are strings). */
export const ELASTIC_SNAPSHOT_ATTRIBUTES = [
  'SnapshotArn', 'SnapshotName', 'ClusterArn', 'SnapshotCreationTime', 'SnapshotType', 'KmsKeyId', 'AdminUserName', 'SubnetIds', 'VpcSecurityGroupIds',
] as const;
export type ElasticSnapshotAttribute = typeof ELASTIC_SNAPSHOT_ATTRIBUTES[number];

export function readElasticSnapshotCopyProperties(props: Record<string, unknown>): ElasticSnapshotCopyProperties {
  return {
    ...readCommonProperties(props),
    SourceSnapshotArn: readString('SourceSnapshotArn', props.SourceSnapshotArn),
    TargetSnapshotName: readString('TargetSnapshotName', props.TargetSnapshotName),
    CopyTags: readBoolean('CopyTags', props.CopyTags),
    KmsKeyId: readOptionalString('KmsKeyId', props.KmsKeyId),
    Tags: readStringMap('Tags', props.Tags),
    RemovalPolicy: readEnum('RemovalPolicy', props.RemovalPolicy ?? 'retain', ['retain', 'destroy'] as const),
  };
}
