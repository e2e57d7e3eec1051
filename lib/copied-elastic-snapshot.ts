/**
 * The `CopiedElasticSnapshot` construct: a copy of a DocumentDB Elastic cluster snapshot, waited for until it is active.
 */
import { Annotations, Arn, ArnFormat, Fn, ITaggable, Lazy, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CommonRestoreProperties } from './private/contracts/common';
import { DrillRunner, drillTagged } from './private/drill-runner';
import { thisStacks } from './private/handler-policy';
import { COPIED_ELASTIC_SNAPSHOT, CopiedElasticSnapshotAttribute, CopiedElasticSnapshotProperties } from './private/kinds/copied-elastic-snapshot';
import { identifierProblem, invalidProp, restoreGeneration } from './private/prop-checks';
import { removalPolicyName } from './private/removal-policy';
import { RestoreConstruct } from './private/restore-construct';
import { RestoreResource } from './private/restore-resource';
import { checkTags, DOCDB_ELASTIC_TAGS } from './private/tag-rules';
import { rethrowOnConstruct } from './private/validation-error';
import { RestoreDrill, RestoreDrillOptions } from './restore-drill';
import { RestoredResourceOptions } from './restore-options';

/** Props of {@link CopiedElasticSnapshot}. */
export interface CopiedElasticSnapshotProps extends RestoredResourceOptions {
  /**
   * ARN of the DocumentDB Elastic cluster snapshot to copy, such as
   * `arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/abc`. It may be in another region
   * than the stack: the copy is then made in the stack's region.
   */
  readonly sourceSnapshotArn: string;

  /**
   * Name of the copy: 1 to 63 letters, digits or hyphens, starting with a letter, not ending with a
   * hyphen, without two consecutive hyphens. Names are case-insensitive; the construct stores it in lowercase.
   */
  readonly targetSnapshotName: string;

  /**
   * Copy the source snapshot's tags to the copy.
   * @default false
   */
  readonly copyTags?: boolean;

  /**
   * KMS key to encrypt the copy with, in the stack's region. Required to copy an encrypted snapshot
   * from another region; refused for an unencrypted source.
   * @default - the source snapshot's key
   */
  readonly kmsKey?: kms.IKey;
}

const SOURCE_ARN = /^arn:aws[a-z-]*:docdb-elastic:([a-z0-9-]+):(\d{12}):cluster-snapshot\/[A-Za-z0-9-]+$/;

/**
 * A copy of a DocumentDB Elastic cluster snapshot (CopyClusterSnapshot), in the stack's region.
 * Waits until the copy is ACTIVE and exposes its attributes.
 */
export class CopiedElasticSnapshot extends RestoreConstruct implements ITaggable {
  /** ARN of the copy. */
  public readonly snapshotArn: string;
  /** Name of the copy (lowercase). */
  public readonly snapshotName: string;
  /** ARN of the elastic cluster the snapshot was taken of. */
  public readonly clusterArn: string;
  /** When the snapshot was taken. */
  public readonly snapshotCreationTime: string;
  /** MANUAL or AUTOMATED. */
  public readonly snapshotType: string;
  /** KMS key the copy is encrypted with. */
  public readonly kmsKeyId: string;
  /** Administrator user name of the snapshotted cluster. */
  public readonly adminUserName: string;
  /** Subnets of the snapshotted cluster. */
  public readonly subnetIds: string[];
  /** Security groups of the snapshotted cluster. */
  public readonly vpcSecurityGroupIds: string[];
  /** Tags of the copy, from `tags` and `Tags.of(...)`. */
  public readonly tags: TagManager;
  /** @internal */
  protected readonly _restore: RestoreResource;
  private readonly props: CopiedElasticSnapshotProps;

  /**
   * @param scope the construct to create the copy in
   * @param id the construct id, unique within the scope
   * @param props what to copy, and how
   */
  constructor(scope: Construct, id: string, props: CopiedElasticSnapshotProps) {
    try {
      super(scope, id);
      this.props = props;
      const removalPolicy = validateProps(this, props);
      this.tags = new TagManager(TagType.MAP, COPIED_ELASTIC_SNAPSHOT.resourceType, props.tags);
      checkTags(this, this.tags, DOCDB_ELASTIC_TAGS, 'the snapshot copy');

      const name = Token.isUnresolved(props.targetSnapshotName) ? props.targetSnapshotName : props.targetSnapshotName.toLowerCase();
      if (name !== props.targetSnapshotName) {
        Annotations.of(this).addInfo(`targetSnapshotName "${props.targetSnapshotName}" is stored as "${name}": snapshot names are case-insensitive.`);
      }
      const properties: Omit<CopiedElasticSnapshotProperties, keyof CommonRestoreProperties | 'Tags'> = {
        SourceSnapshotArn: props.sourceSnapshotArn,
        TargetSnapshotName: name,
        CopyTags: props.copyTags,
        KmsKeyId: props.kmsKey?.keyArn,
        RemovalPolicy: removalPolicy,
      };
      const restore = this._restore = new RestoreResource(this, 'Restore', {
        kind: COPIED_ELASTIC_SNAPSHOT,
        timeout: props.timeout,
        logRetention: props.logRetention,
        validation: props.validation,
        restorePoint: props.sourceSnapshotArn,
        properties: { ...properties, ...restoreGeneration(props.restoreGeneration), Tags: Lazy.any({ produce: () => this.tags.renderTags() }) },
      });

      grantCopy(restore, props.sourceSnapshotArn);
      if (props.kmsKey) restore.grantKeyUse(props.kmsKey, ['docdb-elastic'], true);

      const att = (attribute: CopiedElasticSnapshotAttribute) => restore.getAttString(attribute);
      this.snapshotArn = att('SnapshotArn');
      this.snapshotName = att('SnapshotName');
      this.clusterArn = att('ClusterArn');
      this.snapshotCreationTime = att('SnapshotCreationTime');
      this.snapshotType = att('SnapshotType');
      this.kmsKeyId = att('KmsKeyId');
      this.adminUserName = att('AdminUserName');
      this.subnetIds = Fn.split(',', att('SubnetIds'));
      this.vpcSecurityGroupIds = Fn.split(',', att('VpcSecurityGroupIds'));
    } catch (error) {
      rethrowOnConstruct(scope, id, error);
    }
  }

  /**
   * Adds a drill of this copy: on its schedule, a run copies the same source snapshot into a copy of its own (named
   * `drill-...`, tagged as a drill's), waits until it is ACTIVE, runs the validation, measures the recovery time and
   * the source snapshot's age, and deletes the copy after the hold time. This copy and the stack are not touched.
   * @param id the drill's construct id, unique within this construct
   * @param options when it runs, and the objectives it is held to
   */
  public addDrill(id: string, options: RestoreDrillOptions): RestoreDrill {
    try {
      const restore = this._restore.made;
      return RestoreDrill._create(this, id, {
        resourceType: restore.kind.resourceType,
        properties: restore.properties,
        restorePath: this.node.path,
        timeout: restore.timeout,
        validation: restore.validation,
        instances: [],
        fixedPoint: 'a snapshot copy copies the snapshot it names, which has no window to choose a time from',
        grant: (runner) => grantDrillCopy(runner, this.props),
      }, options);
    } catch (error) {
      rethrowOnConstruct(this, id, error);
    }
  }
}

/**
 * The drill role's rights on snapshots, as the handler's (grantCopy): copies are named by the service, so they are
 * told apart by the drill tag, which the copy call must give and a delete must find.
 */
function grantDrillCopy(runner: DrillRunner, props: CopiedElasticSnapshotProps): void {
  const stack = Stack.of(runner);
  runner.sweepsEngine('docdb-elastic');
  const snapshots = stack.formatArn({ service: 'docdb-elastic', resource: 'cluster-snapshot', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const source = props.sourceSnapshotArn;
  // As the handler's grant: the source by its ARN unless it is a snapshot of this account and region.
  const parts = Token.isUnresolved(source) ? undefined : Arn.split(source, ArnFormat.SLASH_RESOURCE_NAME);
  const covered = parts !== undefined && parts.account === stack.account && parts.region === stack.region;
  const withSource = covered ? [snapshots] : [snapshots, source];
  runner.allow(new iam.PolicyStatement({ actions: ['docdb-elastic:GetClusterSnapshot', 'docdb-elastic:ListTagsForResource'], resources: withSource }),
    'A drill run reads the source snapshot, and the snapshots of this account and region to find its copy and whose it is');
  runner.allow(new iam.PolicyStatement({
    actions: ['docdb-elastic:CopyClusterSnapshot', 'docdb-elastic:TagResource'], resources: withSource, conditions: drillTagged(stack, 'aws:RequestTag'),
  }), 'A copy is allowed only when the call tags it as this stack\'s drill\'s; the service names copies with an id it makes, so IAM cannot name them');
  runner.allow(new iam.PolicyStatement({
    actions: ['docdb-elastic:DeleteClusterSnapshot', 'docdb-elastic:TagResource'], resources: [snapshots], conditions: drillTagged(stack, 'aws:ResourceTag'),
  }), 'Deletes are allowed only on snapshots that carry the stack\'s drill tag, the tag its runs\' copies get');
  runner.allow(new iam.PolicyStatement({ actions: ['docdb-elastic:ListClusterSnapshots'], resources: ['*'] }),
    'docdb-elastic:ListClusterSnapshots has no resource-level permissions; a run finds its copy by name, and the sweep finds expired ones');
  if (props.kmsKey) runner.usesKey(props.kmsKey, ['docdb-elastic'], true);
}

/**
 * The handler's rights on snapshots. A copy's ARN carries an id the service makes, so copies are named by a
 * pattern and told apart by the stack's tag: the copy call must put it on the copy, and only copies that
 * carry it may be changed or deleted. IAM cannot tell the copy's tagging from a later tag call, so unlike the
 * clusters' (named by identifier) these rights stop mistakes, not a handler that set out to tag another
 * snapshot; the handler deletes only what carries its own owner tag. The source is read by its ARN when the
 * pattern does not cover it.
 */
function grantCopy(restore: RestoreResource, source: string): void {
  const stack = Stack.of(restore);
  const snapshots = stack.formatArn({ service: 'docdb-elastic', resource: 'cluster-snapshot', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const parts = Token.isUnresolved(source) ? undefined : Arn.split(source, ArnFormat.SLASH_RESOURCE_NAME);
  const covered = parts !== undefined && parts.account === stack.account && parts.region === stack.region;
  const withSource = covered ? [snapshots] : [snapshots, source];
  restore.addToHandlerPolicy(new iam.PolicyStatement({
    actions: ['docdb-elastic:GetClusterSnapshot', 'docdb-elastic:ListTagsForResource'], resources: withSource,
  }), 'The handler reads snapshots of this account and region to find an earlier attempt\'s copy and whose it is before it acts');
  restore.addToHandlerPolicy(new iam.PolicyStatement({
    actions: ['docdb-elastic:CopyClusterSnapshot', 'docdb-elastic:CreateClusterSnapshot', 'docdb-elastic:TagResource'],
    resources: withSource,
    conditions: thisStacks(restore, 'aws:RequestTag'),
  }), 'A copy is allowed only when the call tags it with this stack (aws:RequestTag/cdk-restore-constructs:stack); the service names it with an id '
    + 'it makes, so IAM cannot name it, and cannot tell this tagging from tagging another snapshot: the handler\'s own owner check keeps it to its copies');
  restore.addToHandlerPolicy(new iam.PolicyStatement({
    actions: ['docdb-elastic:DeleteClusterSnapshot', 'docdb-elastic:TagResource', 'docdb-elastic:UntagResource'],
    resources: [snapshots],
    conditions: thisStacks(restore, 'aws:ResourceTag'),
  }), 'Changes and deletes are allowed only on snapshots tagged with this stack (aws:ResourceTag/cdk-restore-constructs:stack), the tag its copies get');
  restore.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['docdb-elastic:ListClusterSnapshots'], resources: ['*'] }),
    'docdb-elastic:ListClusterSnapshots has no resource-level permissions; the handler finds an earlier attempt\'s copy by name');
}

function validateProps(scope: Construct, props: CopiedElasticSnapshotProps): CopiedElasticSnapshotProperties['RemovalPolicy'] {
  const stack = Stack.of(scope);
  const arn = props.sourceSnapshotArn;
  if (!Token.isUnresolved(arn)) {
    const match = SOURCE_ARN.exec(arn);
    if (!match) {
      invalidProp('sourceSnapshotArn', arn, 'use the ARN of a DocumentDB Elastic cluster snapshot: arn:aws:docdb-elastic:<region>:<account>:cluster-snapshot/<id>');
    }
    const sourceRegion = match[1];
    const keyRegion = props.kmsKey?.env.region;
    if (props.kmsKey && keyRegion && !Token.isUnresolved(keyRegion) && !Token.isUnresolved(stack.region) && keyRegion !== stack.region) {
      invalidProp('kmsKey', keyRegion, `the copy is made in the stack's region ${stack.region}, and KMS keys do not cross regions; give a key of ${stack.region}`);
    }
    if (!Token.isUnresolved(stack.region) && sourceRegion !== stack.region) {
      Annotations.of(scope).addInfo(`Cross-region copy: ${arn} (${sourceRegion}) is copied into ${stack.region}`
        + (props.kmsKey ? ', encrypted with kmsKey.' : '. An encrypted source needs kmsKey (the copy is refused before it starts without one).'));
    }
  }
  const name = props.targetSnapshotName;
  if (!Token.isUnresolved(name)) {
    const problem = identifierProblem(name);
    if (problem) invalidProp('targetSnapshotName', name, `${problem}; use 1 to 63 letters, digits or hyphens, starting with a letter, not ending with a hyphen and without two consecutive hyphens`);
  }
  return removalPolicyName(props.removalPolicy, COPIED_ELASTIC_SNAPSHOT.removal,
    'use RemovalPolicy.RETAIN (keep the copy) or RemovalPolicy.DESTROY (delete it); a snapshot of a snapshot is not offered');
}
