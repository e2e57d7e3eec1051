/**
 * The validation stage of a restore: a custom resource, after the restore and what the construct builds on it,
 * that has the polling workflow invoke the user's function and waits for its verdict.
 */
import { Annotations, Aspects, CfnResource, CustomResource, Duration, IAspect, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { RECOVERY_TIME_ATTRIBUTE, RESTORE_STARTED_AT_ATTRIBUTE, VALIDATION_RESOURCE_TYPE, ValidationProperties } from './contracts/common';
import { constructNameOf, RestoreKind } from './kinds/kind';
import { invalidProp } from './prop-checks';
import { inputsHash, referencedResources } from './references';
import { RestoreProvider } from './restore-provider';
import type { RestoreValidation } from '../restore-validation';

/** What the construct built on the restore, for its validation to wait for. */
export interface BuiltOnRestore {
  readonly parts: IConstruct[];
  readonly securityGroups: ec2.ISecurityGroup[];
}

/** The security group rules of a stack: their ports, and the groups they name. */
type SecurityGroupRule = ec2.CfnSecurityGroupIngress | ec2.CfnSecurityGroupEgress;

/** The security groups a rule names: its own, and its peer. */
function ruleGroups(rule: SecurityGroupRule): string[] {
  const peer = rule instanceof ec2.CfnSecurityGroupIngress ? rule.sourceSecurityGroupId : rule.destinationSecurityGroupId;
  return [rule.groupId, peer].filter((group): group is string => group !== undefined);
}

/**
 * Whether a resource waits, by a dependency of its own or of one of its scopes (`node.addDependency`), for
 * the construct that holds the validation, or for one of the resources it refers to: the validation cannot
 * also wait for it.
 */
function waitsFor(validation: IConstruct, resource: CfnResource, references: unknown): boolean {
  const waits = (c: IConstruct) => c.node.scopes.some((scope) => scope.node.dependencies.some((d) => validation.node.scopes.includes(d)));
  return waits(resource) || referencedResources(resource, references).some(waits);
}

/**
 * Makes a validation wait for what the app builds on its restore before it runs: the parts the construct
 * made (a cluster's instances), and the security group rules to the restored resource's port or on the
 * construct's security groups, which a validator in the VPC needs to reach it. Rules are known only once the
 * whole app is built, hence an aspect. What itself waits for the validation (a resource that depends on the
 * construct, or on its `ready`) is left out, or the template would have a cycle.
 */
class ValidateWhatIsBuilt implements IAspect {
  constructor(
    private readonly validation: CustomResource,
    private readonly properties: Record<string, unknown>,
    private readonly attributes: CustomResource,
    private readonly builtOn: () => BuiltOnRestore,
  ) {}

  visit(node: IConstruct): void {
    if (node !== this.validation) return;
    const stack = Stack.of(this.validation);
    const { parts, securityGroups } = this.builtOn();
    // What its properties refer to it waits for already.
    const referenced = new Set<IConstruct>(referencedResources(this.validation, this.properties));
    const own = (c: IConstruct) => c.node.scopes.includes(this.validation) || referenced.has(c);
    const resources = parts.filter((c): c is CfnResource => c instanceof CfnResource && !own(c))
      .filter((c) => !waitsFor(this.validation, c, []));
    const attributes = this.attributes.node.defaultChild as CfnResource;
    const groups = new Set(securityGroups.map((g) => JSON.stringify(stack.resolve(g.securityGroupId))));
    const onTheRestore = (rule: SecurityGroupRule) => referencedResources(rule, [rule.fromPort, rule.toPort]).includes(attributes)
      || ruleGroups(rule).some((group) => groups.has(JSON.stringify(stack.resolve(group))));
    const isRule = (c: IConstruct): c is SecurityGroupRule => c instanceof ec2.CfnSecurityGroupIngress || c instanceof ec2.CfnSecurityGroupEgress;
    const rules = stack.node.findAll().filter((c): c is SecurityGroupRule => isRule(c) && Stack.of(c) === stack)
      .filter((rule) => onTheRestore(rule) && !waitsFor(this.validation, rule, ruleGroups(rule)));
    this.validation.node.addDependency(...resources, ...rules);
  }
}

/** What the validation stage is of: the restore's custom resource, its attributes, and what names its wait. */
export interface ValidatedRestore {
  readonly kind: RestoreKind;
  readonly resource: CustomResource;
  readonly attributes: CustomResource;
  readonly waitId: string;
  readonly timeout: Duration;
  readonly restorePoint?: string;
  /** The engine of a restored cluster, which selects the API that describes it. */
  readonly engine?: unknown;
  readonly builtOn: () => BuiltOnRestore;
}

/** Refuses a validation that may outlast its restore; warns of a validator whose own timeout is shorter. */
function checkTimeouts(scope: Construct, validation: RestoreValidation, timeout: Duration): void {
  const seconds = validation.timeout.toSeconds();
  if (seconds > timeout.toSeconds()) {
    invalidProp('validation', `${validation.timeout.toHumanString()} timeout`,
      `a validation may take no longer than its restore's timeout (${timeout.toHumanString()}): give the validator less, or the restore more`);
  }
  const fn = validation.validator;
  // Lambda's own default is 3 seconds, too short for most checks of a database.
  const fnTimeout = fn instanceof lambda.Function ? fn.timeout ?? Duration.seconds(3) : undefined;
  if (fnTimeout && fnTimeout.toSeconds() < seconds) {
    Annotations.of(scope).addWarningV2('cdk-restore-constructs:validatorTimeout',
      `The validator ${fn.node.path} times out after ${fnTimeout.toHumanString()}, before the validation's timeout of ${validation.timeout.toHumanString()}: `
      + 'a slow validation fails with Lambda\'s "Task timed out". Give both the same duration.');
  }
}

/**
 * The validation: a custom resource that has the polling workflow invoke the user's function, once the restore
 * and what the construct builds on it exist. The workflow may invoke it by a policy of this restore's own:
 * the validator may refer to the restore's attributes (its secret, its port), which no other restore's custom
 * resource must wait for.
 *
 * Its logical id carries a hash of what it validates and how (the restore's wait id, the validator, its
 * timeout): a new restore or a new validator is a new validation, created, and the one before it deleted
 * once the update succeeds. So a validation only ever runs on Create, and a rollback, which deletes the new
 * one and keeps the one before, never runs one.
 */
export function addValidationStage(restore: Construct, validation: RestoreValidation, of: ValidatedRestore): CustomResource {
  checkTimeouts(restore.node.scope!, validation, of.timeout);
  const provider = RestoreProvider.of(restore);
  const fn = validation.validator;
  const seconds = validation.timeout.toSeconds();
  const policy = new iam.Policy(restore, 'ValidationPolicy', {
    roles: [provider.pollerRole],
    statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
  });
  const id = inputsHash(restore, { waitId: of.waitId, validator: fn.functionArn, seconds, restorePoint: of.restorePoint }).toUpperCase();
  const properties = {
    FunctionArn: fn.functionArn,
    TimeoutSeconds: seconds,
    ConstructPath: restore.node.scope!.node.path,
    Kind: constructNameOf(of.kind),
    RestorePoint: of.restorePoint ?? '',
    RestoreResourceType: of.kind.resourceType,
    RestoredId: of.resource.ref,
    Engine: of.engine,
    RestoreLogicalId: (of.resource.node.defaultChild as CfnResource).logicalId,
    RestoreStartedAt: of.attributes.getAttString(RESTORE_STARTED_AT_ATTRIBUTE),
    RestoreSeconds: of.attributes.getAttString(RECOVERY_TIME_ATTRIBUTE),
  } satisfies Record<keyof ValidationProperties, unknown>;
  const resource = new CustomResource(restore, `Validation${id}`, { serviceToken: provider.serviceToken, resourceType: VALIDATION_RESOURCE_TYPE, properties });
  resource.node.addDependency(policy);
  Aspects.of(resource).add(new ValidateWhatIsBuilt(resource, properties, of.attributes, of.builtOn));
  return resource;
}
