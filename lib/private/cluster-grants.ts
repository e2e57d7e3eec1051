/**
 * The handler's permissions for restored DB clusters: the restore into this stack's clusters only, their
 * lifecycle (describe, tag, modify, delete) only while they carry the stack's tag, and what their settings use.
 */
import { ArnFormat, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KindSettings } from './cluster-settings';
import { ClusterEngineName, ClusterSettings, DERIVED_HASH_LENGTH } from './contracts/cluster';
import { DrillRunner, drillTagged } from './drill-runner';
import { thisStacks } from './handler-policy';
import { nagResourceName } from './nag';
import { RestoreProvider } from './restore-provider';
import type { RestoreResource } from './restore-resource';
import type { CommonClusterProps } from './restored-cluster';

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
  /** Their ARNs (patterns), one list token per stack, so that the statements naming them do not grow. */
  readonly arns: string[];
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
 * common start (the stack and construct path) as one pattern, given ones each. A derived identifier is named
 * by its construct's part only, without the hash of its inputs: a cluster keeps the name it was restored under
 * when a later version of the library derives another one.
 */
function targetNames(targets: ClusterTargets, suffix: string): string[] {
  const prefix = commonPrefix(targets.derived);
  const derived = targets.derived.length > 1 && prefix.length >= MIN_PREFIX ? [`${prefix}*`] : targets.derived.map((start) => `${start}*`);
  return [...new Set([...derived, ...targets.given])].map((name) => `${name}${suffix}`);
}

/**
 * Lets the handler tag a new cluster of this stack at its restore (and one an earlier version restored, to claim
 * it), and delete it with a final snapshot. Named by identifier, not by tag: IAM cannot tell tagging at creation
 * from tagging an existing cluster, so a tag condition alone would let the role claim any cluster.
 */
export function grantStackClusters(restore: RestoreResource, identifier: string, derived: boolean): void {
  const stack = Stack.of(restore);
  let targets = CLUSTER_TARGETS.get(stack);
  if (!targets) {
    const named: ClusterTargets = targets = {
      derived: [], given: [], arns: Lazy.uncachedList({ produce: () => targetNames(named, '').map((name) => rdsArn(stack, 'cluster', name)) }),
    };
    CLUSTER_TARGETS.set(stack, named);
    restore.addToHandlerPolicy(new iam.PolicyStatement({
      actions: ['rds:AddTagsToResource'], resources: named.arns, conditions: thisStacks(restore, 'aws:RequestTag'),
    }));
    restore.addToHandlerPolicy(new iam.PolicyStatement({
      actions: ['rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource'],
      resources: Lazy.uncachedList({ produce: () => targetNames(named, '-final-*').map((name) => rdsArn(stack, 'cluster-snapshot', name)) }),
    }));
  }
  if (derived && !Token.isUnresolved(identifier)) targets.derived.push(identifier.slice(0, -DERIVED_HASH_LENGTH));
  else targets.given.push(identifier);
  // The findings are the very ARNs the statements will hold, rendered as cdk-nag renders them (partition, region
  // and account as the app's flags and environment make them), written again as each restore adds its name.
  const patterns = [...targetNames(targets, '').filter((name) => name.includes('*')).map((name) => rdsArn(stack, 'cluster', name)),
    ...targetNames(targets, '-final-*').map((name) => rdsArn(stack, 'cluster-snapshot', name))];
  RestoreProvider.of(restore).acceptWildcards(patterns.map((arn) => nagResourceName(stack, arn)), THIS_STACKS_NAMES, 'stack clusters');
}

/**
 * What the shared handler does to a restored cluster after the restore: describe it, tag it, modify it,
 * delete it. The same statement for every cluster of the stack: changes need the stack's tag, which only
 * the stack's own clusters can get.
 */
export function grantClusterLifecycle(restore: RestoreResource): void {
  const clusters = rdsArn(restore, 'cluster', '*');
  restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters', 'rds:ListTagsForResource'], resources: [clusters] }), READ_CLUSTERS);
  restore.addToHandlerPolicy(new iam.PolicyStatement({
    actions: ['rds:AddTagsToResource', 'rds:RemoveTagsFromResource', 'rds:ModifyDBCluster', 'rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot'],
    resources: [clusters],
    conditions: thisStacks(restore, 'aws:ResourceTag'),
  }), CHANGE_THIS_STACKS);
  // ModifyDBCluster also names the parameter and option groups it sets, which are not the stack's to tag.
  restore.addToHandlerPolicy(new iam.PolicyStatement({
    actions: ['rds:ModifyDBCluster'], resources: [rdsArn(restore, 'cluster-pg', '*'), rdsArn(restore, 'og', '*')],
  }), 'A change of a restored cluster\'s parameter or option group names that group, any of the account and region; the cluster itself '
    + 'must still carry the stack\'s tag');
  // DescribeEvents has no resource-level permissions; it only reads the failure message.
  restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['rds:DescribeEvents'], resources: ['*'] }),
    'rds:DescribeEvents has no resource-level permissions; the handler reads why a restore failed');
}

/**
 * Who is granted what a cluster's settings need: the stack's handler role for its restores, or the drill role for
 * its runs; each on its own clusters (the ARN pattern and the tag condition) and with its own words for why.
 */
interface SettingsGrantee {
  /** The clusters it changes, the tag condition that holds it to them, and why. */
  readonly clusters: string;
  readonly owned: Record<string, Record<string, string>>;
  readonly ownedReason: string;
  /** Whose tag the cluster must carry, and who reads, in the reasons. */
  readonly whoseTag: string;
  readonly reader: string;
  allow(statement: iam.PolicyStatement, wildcardReason?: string): void;
  useKey(key: kms.IKey, services: readonly string[], dataKeys?: boolean): void;
  /** Grants what RDS does with the caller's rights for a managed master password. */
  masterSecrets(): void;
}

function grantSettingsTo(
  grantee: SettingsGrantee, scope: Construct, settings: ClusterSettings, props: CommonClusterProps, secret: KindSettings,
  domainRole: iam.IRole | undefined,
): void {
  if (settings.ManageMasterUserPassword) grantee.masterSecrets();
  if (secret.masterUserSecretKey) grantee.useKey(secret.masterUserSecretKey, ['rds', 'secretsmanager'], true);
  if (props.performanceInsightEncryptionKey) grantee.useKey(props.performanceInsightEncryptionKey, ['rds']);
  if (settings.DBInstanceParameterGroupName !== undefined) {
    grantee.allow(new iam.PolicyStatement({ actions: ['rds:ModifyDBCluster'], resources: [rdsArn(scope, 'pg', '*')] }),
      `An upgrade to another major version names the instances' parameter group, any of the account and region; the cluster itself must still carry ${grantee.whoseTag}`);
  }
  if (settings.EngineVersion !== undefined) {
    grantee.allow(new iam.PolicyStatement({ actions: ['rds:DescribeDBEngineVersions'], resources: ['*'] }),
      `rds:DescribeDBEngineVersions has no resource-level permissions; ${grantee.reader} reads which versions RDS upgrades a cluster's version to`);
  }
  // RDS calls the Directory Service with the role the restore or the change passes it.
  if (domainRole) {
    grantee.allow(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [domainRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': ['rds.amazonaws.com', 'directoryservice.rds.amazonaws.com'] } },
    }));
  }
  if (settings.EnableHttpEndpoint !== undefined) {
    grantee.allow(new iam.PolicyStatement({
      actions: ['rds:EnableHttpEndpoint', 'rds:DisableHttpEndpoint'], resources: [grantee.clusters], conditions: grantee.owned,
    }), grantee.ownedReason);
  }
}

/** What the handler needs for the settings ModifyDBCluster or the restore call applies: the secret, the keys. */
export function grantSettings(
  restore: RestoreResource, settings: ClusterSettings, props: CommonClusterProps, secret: KindSettings, domainRole: iam.IRole | undefined,
): void {
  grantSettingsTo({
    allow: (statement, reason) => restore.addToHandlerPolicy(statement, reason),
    useKey: (key, services, dataKeys) => restore.grantKeyUse(key, services, dataKeys),
    masterSecrets: () => grantMasterSecrets(restore),
    clusters: rdsArn(restore, 'cluster', '*'),
    owned: thisStacks(restore, 'aws:ResourceTag'),
    ownedReason: CHANGE_THIS_STACKS,
    whoseTag: 'the stack\'s tag',
    reader: 'the handler',
  }, restore, settings, props, secret, domainRole);
}

/**
 * The tags RDS puts on a master user secret it manages: the cluster (or instance) it is for, and the owning
 * service. The aws: prefix is reserved to AWS, so the handler itself can set none of them.
 */
const RDS_SECRET_TAG_KEYS = ['aws:rds:primaryDBClusterArn', 'aws:rds:primaryDBInstanceArn', 'aws:secretsmanager:owningService'];

const SECRETS_GRANTED = new WeakSet<Stack>();

/**
 * What RDS does with the caller's rights when it manages a cluster's master user password: it creates the
 * secret (named rds!cluster-<id it makes>), tags it with the cluster's ARN, and rotates it. Once per stack.
 * Creating names no existing secret; tagging is held to the keys only RDS can set (aws: is reserved), and
 * rotating to the secrets whose cluster tag names one of this stack's clusters, so the master password of
 * another cluster of the account cannot be rotated by this role.
 */
function grantMasterSecrets(restore: RestoreResource): void {
  const stack = Stack.of(restore);
  if (SECRETS_GRANTED.has(stack)) return;
  SECRETS_GRANTED.add(stack);
  for (const statement of masterSecretStatements(stack, CLUSTER_TARGETS.get(stack)!.arns)) restore.addToHandlerPolicy(statement, MASTER_SECRETS);
}

const MASTER_SECRETS = 'RDS names the master user secrets it manages rds!cluster-<id>, with an id it makes; only such secrets are allowed';

/** Creating and tagging the secrets RDS makes, and rotating only those whose cluster tag names one of these clusters. */
function masterSecretStatements(stack: Stack, clusters: string | string[]): iam.PolicyStatement[] {
  const secrets = [stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: 'rds!cluster-*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })];
  return [
    new iam.PolicyStatement({ actions: ['secretsmanager:CreateSecret'], resources: secrets }),
    new iam.PolicyStatement({
      actions: ['secretsmanager:TagResource'], resources: secrets, conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': RDS_SECRET_TAG_KEYS } },
    }),
    new iam.PolicyStatement({
      actions: ['secretsmanager:RotateSecret'],
      resources: secrets,
      conditions: { StringLike: { 'secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn': clusters } },
    }),
  ];
}

const DRILL_CLUSTERS_GRANTED = new WeakSet<DrillRunner>();

/**
 * What the drill role does to the clusters and instances its runs make, once per stack: read any (to find a
 * source and what a run made), tag only the drill names of this stack (so that it cannot give another cluster the
 * drill tag), add instances only with the drill tag, and change or delete only what carries it.
 */
export function grantDrillClusters(runner: DrillRunner, engine: ClusterEngineName): void {
  runner.sweepsEngine(engine);
  if (DRILL_CLUSTERS_GRANTED.has(runner)) return;
  DRILL_CLUSTERS_GRANTED.add(runner);
  const stack = Stack.of(runner);
  const prefix = runner.namePrefix;
  const ours = [rdsArn(stack, 'cluster', `${prefix}*`), rdsArn(stack, 'db', `${prefix}*`)];
  const ourNames = 'A drill run names what it makes with the stack\'s drill prefix and the run\'s start, so its clusters and instances are named by that prefix';
  runner.allow(new iam.PolicyStatement({
    actions: ['rds:DescribeDBClusters', 'rds:DescribeDBInstances', 'rds:ListTagsForResource'], resources: [rdsArn(stack, 'cluster', '*'), rdsArn(stack, 'db', '*')],
  }), 'A drill run reads clusters of this account and region (its source, and whether what it names exists and whose it is) before it acts');
  runner.allow(new iam.PolicyStatement({ actions: ['rds:AddTagsToResource'], resources: ours }), ourNames);
  runner.allow(new iam.PolicyStatement({
    actions: ['rds:CreateDBInstance'],
    resources: [...ours, ...['subgrp', 'pg', 'og', 'secgrp'].map((type) => rdsArn(stack, type, '*'))],
    conditions: drillTagged(stack, 'aws:RequestTag'),
  }), `${ourNames}; an instance is made only when the call gives it the drill tag, in any subnet group or parameter group of the account and region`);
  runner.allow(new iam.PolicyStatement({
    actions: ['rds:ModifyDBCluster', 'rds:DeleteDBCluster', 'rds:DeleteDBInstance'], resources: ours, conditions: drillTagged(stack, 'aws:ResourceTag'),
  }), `${ourNames}, and changed or deleted only while they carry the stack's drill tag`);
  runner.allow(new iam.PolicyStatement({ actions: ['rds:ModifyDBCluster'], resources: [rdsArn(stack, 'cluster-pg', '*'), rdsArn(stack, 'og', '*')] }),
    'A change of a drill cluster\'s parameter or option group names that group, any of the account and region; the cluster itself must carry the drill tag');
  runner.allow(new iam.PolicyStatement({ actions: ['rds:DescribeEvents', 'rds:DescribeDBEngineVersions'], resources: ['*'] }),
    'rds:DescribeEvents and rds:DescribeDBEngineVersions have no resource-level permissions; a run reads why a restore failed');
}

/** RDS makes the master user secret of a drill cluster with the caller's rights, as for a restored one. */
function grantDrillSecrets(runner: DrillRunner): void {
  const stack = Stack.of(runner);
  // Only the secrets of the drill's clusters, by the cluster tag RDS gives them.
  for (const statement of masterSecretStatements(stack, rdsArn(stack, 'cluster', `${runner.namePrefix}*`))) runner.allow(statement, MASTER_SECRETS);
}

/**
 * What a drill run needs for the settings the restore applies, as the handler gets them (grantSettings): the
 * managed secret and its key, the Performance Insights key, an upgrade's groups and versions, the directory's
 * role, the Data API; each on the drill's clusters only.
 */
export function grantDrillSettings(
  runner: DrillRunner, settings: ClusterSettings, props: CommonClusterProps, secret: KindSettings, domainRole: iam.IRole | undefined,
): void {
  const stack = Stack.of(runner);
  grantSettingsTo({
    allow: (statement, reason) => runner.allow(statement, reason),
    useKey: (key, services, dataKeys) => runner.usesKey(key, services, dataKeys),
    masterSecrets: () => grantDrillSecrets(runner),
    clusters: rdsArn(stack, 'cluster', `${runner.namePrefix}*`),
    owned: drillTagged(stack, 'aws:ResourceTag'),
    ownedReason: 'A drill run names what it makes with the stack\'s drill prefix; the Data API is switched only on clusters carrying the drill tag',
    whoseTag: 'the drill tag',
    reader: 'a drill run',
  }, runner, settings, props, secret, domainRole);
}
