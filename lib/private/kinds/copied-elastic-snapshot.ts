/** The DocumentDB Elastic snapshot copy (CopyClusterSnapshot), in this region or from another. */
import { RestoreKind } from './kind';
import {
  CommonRestoreProperties, readBoolean, readCommonProperties, readFields, readOptionalString, readString, readStringMap, removalBy, RemovalRule,
} from '../contracts/common';

/** A snapshot is a backup: it is kept unless the user chose to destroy it. A snapshot of a snapshot is not offered. */
const REMOVAL: RemovalRule<'retain' | 'destroy'> = { allowed: ['retain', 'destroy'], default: 'retain' };

/** Properties of the copy custom resource. Names follow the CopyClusterSnapshot API. */
export interface CopiedElasticSnapshotProperties extends CommonRestoreProperties {
  readonly SourceSnapshotArn: string;
  readonly TargetSnapshotName: string;
  readonly CopyTags?: boolean;
  readonly KmsKeyId?: string;
  readonly Tags?: Record<string, string>;
  readonly RemovalPolicy: typeof REMOVAL.default;
}

/** Attributes of the copy; lists are joined with commas (CloudFormation attributes are strings). */
const ATTRIBUTES = [
  'SnapshotArn', 'SnapshotName', 'ClusterArn', 'SnapshotCreationTime', 'SnapshotType', 'KmsKeyId', 'AdminUserName', 'SubnetIds', 'VpcSecurityGroupIds',
] as const;
export type CopiedElasticSnapshotAttribute = typeof ATTRIBUTES[number];

function read(props: Record<string, unknown>): CopiedElasticSnapshotProperties {
  return {
    ...readCommonProperties(props),
    ...readFields(props, {
      SourceSnapshotArn: readString,
      TargetSnapshotName: readString,
      CopyTags: readBoolean,
      KmsKeyId: readOptionalString,
      Tags: readStringMap,
      RemovalPolicy: removalBy(REMOVAL),
    }),
  };
}

export const COPIED_ELASTIC_SNAPSHOT: RestoreKind<CopiedElasticSnapshotProperties, CopiedElasticSnapshotAttribute> & { removal: typeof REMOVAL } = {
  name: 'copied-elastic-snapshot',
  resourceType: 'Custom::CopiedElasticSnapshot',
  read,
  // The copy's tags and removal policy change in place; anything else makes another copy.
  inPlace: ['Tags', 'RemovalPolicy'],
  removal: REMOVAL,
  attributes: ATTRIBUTES,
  tags: 'map',
  restoresOnUpdate: true,
};
