/**
 * What a restore lets the stack's shared handler do: statements scoped to the resources it names, merged
 * into the shared role's policy so that the policy does not grow with the restores, except where a statement
 * names what another restore made; and the use of KMS keys through the services only.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { STACK_TAG_KEY } from './contracts/common';
import { referencedResources } from './references';
import { RestoreProvider } from './restore-provider';

/**
 * The condition that limits a handler statement to what this stack's restores make: the create call tags
 * the new resource with the stack (`aws:RequestTag`), or the resource already carries it (`aws:ResourceTag`).
 */
export function thisStacks(scope: Construct, key: 'aws:RequestTag' | 'aws:ResourceTag'): Record<string, Record<string, string>> {
  return { StringEquals: { [`${key}/${STACK_TAG_KEY}`]: Stack.of(scope).stackId } };
}

/** The constructs that are restores, each of whose resources other restores' statements may name. */
const RESTORES = new WeakSet<IConstruct>();

/** Marks a construct as a restore, whose resources only it may wait for the policies of. */
export function markRestore(restore: IConstruct): void {
  RESTORES.add(restore);
}

/** The policy of a restore's own, which only it waits for; made the first time it is needed. */
function ownPolicy(restore: Construct, waiting: IConstruct): iam.Policy {
  const existing = restore.node.tryFindChild('HandlerPolicy') as iam.Policy | undefined;
  if (existing) return existing;
  const policy = new iam.Policy(restore, 'HandlerPolicy', { roles: [RestoreProvider.of(restore).role] });
  waiting.node.addDependency(policy);
  return policy;
}

/**
 * Lets the shared handler role make these calls for a restore. Every restore's custom resource waits for the
 * role's default policy, so a resource naming what another restore made (restore B from restore A's cluster)
 * would close a cycle there: it goes in a policy of the restore's own, which only `waiting` (its custom
 * resource) waits for; the statement's other resources stay in the shared one. Each in a list: a resource may
 * be a list token (Lazy.list), which resolves only in a list.
 * @param wildcardReason why a resource pattern with `*` is as narrow as it can be (cdk-nag's IAM5)
 */
export function allowHandler(restore: Construct, waiting: IConstruct, statement: iam.PolicyStatement, wildcardReason?: string): void {
  const theirs = (resource: string) => referencedResources(restore, [resource])
    .some((r) => r.node.scopes.some((s) => RESTORES.has(s) && s !== restore));
  const withResources = (resources: string[]) =>
    new iam.PolicyStatement({ effect: statement.effect, actions: statement.actions, conditions: statement.conditions, resources });
  const own = statement.resources.filter(theirs);
  const shared = statement.resources.filter((resource) => !theirs(resource));
  if (own.length) ownPolicy(restore, waiting).addStatements(withResources(own));
  if (shared.length) RestoreProvider.of(restore).allow(withResources(shared), wildcardReason);
}

/**
 * The ARN KMS authorizes against: an alias made in the app stands for its key. An alias imported by name
 * names no key the app knows; its ARN is all there is.
 */
function keyArnOf(key: kms.IKey): string {
  if (key instanceof kms.Alias) return key.aliasTargetKey.keyArn;
  return key.keyArn;
}

/**
 * The statements that let the services the handler calls use a KMS key on its behalf: describe it, grant the
 * service its use (only for an AWS resource), and where `dataKeys` is set, encrypt and decrypt through those
 * services only.
 */
export function keyUseStatements(scope: Construct, key: kms.IKey, services: readonly string[], dataKeys: boolean): iam.PolicyStatement[] {
  const { region, urlSuffix } = Stack.of(scope);
  const through = { 'kms:ViaService': services.map((service) => `${service}.${region}.${urlSuffix}`) };
  const arn = keyArnOf(key);
  return [
    new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [arn] }),
    new iam.PolicyStatement({
      actions: ['kms:CreateGrant'], resources: [arn], conditions: { StringEquals: through, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
    ...(dataKeys ? [new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [arn], conditions: { StringEquals: through } })] : []),
  ];
}
