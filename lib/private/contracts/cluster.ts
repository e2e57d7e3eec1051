import { readString, RemovalPolicyName, RemovalRule } from './common';

/** What the kinds that restore a DB cluster share in their contracts. */

/** The DB cluster engines, as the RDS and Neptune APIs name them. */
export const CLUSTER_ENGINES = ['neptune', 'aurora-mysql', 'aurora-postgresql'] as const;
export type ClusterEngineName = typeof CLUSTER_ENGINES[number];

/** A restored cluster is deleted with a final snapshot unless the user chose otherwise. */
export const CLUSTER_REMOVAL: RemovalRule<RemovalPolicyName> = { allowed: ['snapshot', 'destroy', 'retain'], default: 'snapshot' };

/**
 * What changes on a restored cluster without a new restore: its tags, its removal policy, and its
 * deletion protection, which must be switchable off before a delete.
 */
export const CLUSTER_IN_PLACE = ['Tags', 'RemovalPolicy', 'DeletionProtection'] as const;
export type ClusterInPlace = typeof CLUSTER_IN_PLACE[number];

/** A resource tag as the RDS and Neptune APIs take it. */
export interface ApiTag {
  readonly Key: string;
  readonly Value: string;
}

export function readTags(raw: unknown): ApiTag[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new Error(`Property Tags must be a list of {Key, Value}, got ${JSON.stringify(raw)}`);
  return raw.map((tag, i) => ({ Key: readString(`Tags[${i}].Key`, tag?.Key), Value: String(tag?.Value ?? '') }));
}

export function readStringList(name: string, raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new Error(`Property ${name} must be a list of strings, got ${JSON.stringify(raw)}`);
  return raw.map((item, i) => readString(`${name}[${i}]`, item));
}
