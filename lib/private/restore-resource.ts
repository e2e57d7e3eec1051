import { createHash } from 'crypto';
import {
  Annotations, Aspects, CfnResource, Lazy, CfnWaitCondition, CfnWaitConditionHandle, CustomResource, DefaultTokenResolver, Duration, IAspect,
  IPostProcessor, IResolvable, IResolveContext, Reference, Stack, StringConcat, Tokenization,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct, IDependable } from 'constructs';
import {
  ATTRIBUTES_RESOURCE_TYPE, AttributesProperties, DEFAULT_TIMEOUT_SECONDS, MAX_WAIT_CONDITION_SECONDS, MIN_TIMEOUT_SECONDS, restoreInputsOf,
  METRIC_DIMENSIONS, METRICS_NAMESPACE, RECOVERY_TIME_ATTRIBUTE, RESTORE_STARTED_AT_ATTRIBUTE, STACK_TAG_KEY, VALIDATION_RESOURCE_TYPE,
  ValidationProperties,
} from './contracts/common';
import { RestoreProvider } from './restore-provider';
import { invalidProp, validateDuration } from './validation';
import type { RestoreValidation } from '../restore-validation';

/**
 * Eight hex digits of a hash of inputs as the template will hold them: names derived from it change
 * exactly when the inputs do.
 */
export function inputsHash(scope: Construct, inputs: object): string {
  return createHash('sha256').update(JSON.stringify(Stack.of(scope).resolve(inputs))).digest('hex').slice(0, 8);
}

/** A hash of the in-place properties that describe can see (not tags, nor the removal policy); none without them. */
function inPlaceRevision(scope: Construct, properties: Record<string, unknown>, inPlace: readonly string[]): string | undefined {
  const visible = Object.fromEntries(Object.entries(properties)
    .filter(([key, value]) => inPlace.includes(key) && !['Tags', 'RemovalPolicy'].includes(key) && value !== undefined));
  return Object.keys(visible).length ? inputsHash(scope, visible) : undefined;
}

/**
 * The resources of the scope's stack that a value refers to (by Ref or Fn::GetAtt, however nested), found
 * by the references' own targets: a logical id alone could name a resource of another stack with the same
 * construct path.
 */
function referencedResources(scope: Construct, value: unknown): CfnResource[] {
  const stack = Stack.of(scope);
  const found = new Set<CfnResource>();
  class Collector extends DefaultTokenResolver {
    resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
      if (token instanceof Reference && token.target instanceof CfnResource && Stack.of(token.target) === stack) found.add(token.target);
      return super.resolveToken(token, context, postProcessor);
    }
  }
  Tokenization.resolve(value, { scope, resolver: new Collector(new StringConcat()) });
  return [...found];
}

/**
 * Makes a wait condition handle depend on every resource of its stack that the restore's inputs refer
 * to. The handle's presigned URL is valid for about a day from the handle's creation, so a handle made
 * at stack start could expire before a restore that waits on another restore (its source) signals.
 * Its restore's references are only known once the whole app is built, hence an aspect.
 */
class CreateHandleWithItsRestore implements IAspect {
  constructor(private readonly handle: CfnWaitConditionHandle, private readonly inputs: Record<string, unknown>) {}

  visit(node: IConstruct): void {
    if (node !== this.handle) return;
    this.handle.node.addDependency(...referencedResources(this.handle, this.inputs));
  }
}

/** The security group rules of a stack: their ports, and the groups they name. */
type SecurityGroupRule = ec2.CfnSecurityGroupIngress | ec2.CfnSecurityGroupEgress;

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
    private readonly builtOn: () => { parts: IConstruct[]; securityGroups: ec2.ISecurityGroup[] },
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

/** The security groups a rule names: its own, and its peer. */
function ruleGroups(rule: SecurityGroupRule): string[] {
  const peer = rule instanceof ec2.CfnSecurityGroupIngress ? rule.sourceSecurityGroupId : rule.destinationSecurityGroupId;
  return [rule.groupId, peer].filter((group): group is string => group !== undefined);
}

/**
 * The condition that limits a handler statement to what this stack's restores make: the create call tags
 * the new resource with the stack (`aws:RequestTag`), or the resource already carries it (`aws:ResourceTag`).
 */
export function thisStacks(scope: Construct, key: 'aws:RequestTag' | 'aws:ResourceTag'): Record<string, Record<string, string>> {
  return { StringEquals: { [`${key}/${STACK_TAG_KEY}`]: Stack.of(scope).stackId } };
}

/**
 * The ARN KMS authorizes against: an alias made in the app stands for its key. An alias imported by name
 * names no key the app knows; its ARN is all there is.
 */
function keyArnOf(key: kms.IKey): string {
  if (key instanceof kms.Alias) return key.aliasTargetKey.keyArn;
  return key.keyArn;
}

/** Props of {@link RestoreResource}. */
export interface RestoreResourceProps {
  /** CloudFormation type of the custom resource, which also selects the handler. */
  readonly resourceType: string;
  /** The kind's properties, shaped by its contract. */
  readonly properties: Record<string, unknown>;
  /** The kind's properties that change in place (its contract's list); a change to any other starts a new restore and wait. */
  readonly inPlace: readonly string[];
  /** How long the restore may take. */
  readonly timeout?: Duration;
  /** How long the stack's restore functions keep their logs, as the construct asks. */
  readonly logRetention?: logs.RetentionDays;
  /** The user's check of the restored resource, run once the restore and what the construct builds on it exist. */
  readonly validation?: RestoreValidation;
  /** What the restore restores from, told to the validator. */
  readonly restorePoint?: string;
}

/**
 * One restore: a custom resource that starts it, a wait condition that holds the stack until the
 * poller signals the restore's end (up to 12 hours), and a custom resource after it that reads
 * the restored resource's attributes. Every construct waits through this class.
 */
export class RestoreResource extends Construct {
  private readonly provider: RestoreProvider;
  private readonly resource: CustomResource;
  private readonly attributes: CustomResource;
  private readonly validation?: CustomResource;
  /** What the construct built on the restore, for its validation to wait for; see {@link RestoreResource.validateAfter}. */
  private builtOn: { parts: IConstruct[]; securityGroups: ec2.ISecurityGroup[] } = { parts: [], securityGroups: [] };
  /** The wait condition holding the stack until the restore ends. */
  readonly waitCondition: CfnWaitCondition;

  constructor(scope: Construct, id: string, props: RestoreResourceProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(DEFAULT_TIMEOUT_SECONDS);
    validateDuration('timeout', timeout, Duration.seconds(MIN_TIMEOUT_SECONDS), Duration.seconds(MAX_WAIT_CONDITION_SECONDS));
    const timeoutSeconds = timeout.toSeconds();

    this.provider = RestoreProvider.of(this);
    this.provider.useLogRetention(props.logRetention, scope.node.path);
    // Wait conditions cannot be updated: a new restore, or a new timeout, needs a new handle and
    // condition, so their logical ids carry a hash of everything that starts a new wait.
    const waitId = inputsHash(this, { ...restoreInputsOf(props.properties, props.inPlace), TimeoutSeconds: timeoutSeconds }).toUpperCase();
    const handle = new CfnWaitConditionHandle(this, `WaitHandle${waitId}`);
    Aspects.of(handle).add(new CreateHandleWithItsRestore(handle, props.properties));

    this.resource = new CustomResource(this, 'Default', {
      serviceToken: this.provider.serviceToken,
      resourceType: props.resourceType,
      // The handle by name, not its URL (a Ref): the URL is presigned, and the provider framework logs
      // every property and passes them through its waiter's execution input.
      properties: {
        ...props.properties, TimeoutSeconds: timeoutSeconds, WaitHandle: handle.logicalId, ...(props.validation ? { Validated: true } : {}),
      },
    });
    // The handler must not run before the statements the constructs add to its role are in place.
    this.resource.node.addDependency(this.provider.role, this.provider.pollingPolicy, handle);

    this.waitCondition = new CfnWaitCondition(this, `Wait${waitId}`, { handle: handle.ref, timeout: String(timeoutSeconds), count: 1 });
    this.waitCondition.node.addDependency(this.resource);

    this.attributes = new CustomResource(this, 'Attributes', {
      serviceToken: this.provider.serviceToken,
      resourceType: ATTRIBUTES_RESOURCE_TYPE,
      properties: {
        RestoreResourceType: props.resourceType,
        RestoredId: this.resource.ref,
        Engine: props.properties.Engine,
        // Lazy: some settings are only known once the instances are bound.
        Revision: Lazy.any({ produce: () => inPlaceRevision(this, props.properties, props.inPlace) }),
        WaitData: this.waitCondition.attrData,
      } satisfies Record<keyof AttributesProperties, unknown>,
    });
    if (props.validation) this.validation = this.validationStage(props, props.validation, timeout, waitId);
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
  private validationStage(props: RestoreResourceProps, validation: RestoreValidation, timeout: Duration, waitId: string): CustomResource {
    const seconds = validation.timeout.toSeconds();
    if (seconds > timeout.toSeconds()) {
      invalidProp('validation', `${validation.timeout.toHumanString()} timeout`,
        `a validation may take no longer than its restore's timeout (${timeout.toHumanString()}): give the validator less, or the restore more`);
    }
    const fn = validation.validator;
    // Lambda's own default is 3 seconds, too short for most checks of a database.
    const fnTimeout = fn instanceof lambda.Function ? fn.timeout ?? Duration.seconds(3) : undefined;
    if (fnTimeout && fnTimeout.toSeconds() < seconds) {
      Annotations.of(this.node.scope!).addWarningV2('cdk-restore-constructs:validatorTimeout',
        `The validator ${fn.node.path} times out after ${fnTimeout.toHumanString()}, before the validation's timeout of ${validation.timeout.toHumanString()}: `
        + 'a slow validation fails with Lambda\'s "Task timed out". Give both the same duration.');
    }
    const policy = new iam.Policy(this, 'ValidationPolicy', {
      roles: [this.provider.pollerRole],
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
    });
    const id = inputsHash(this, { waitId, validator: fn.functionArn, seconds, restorePoint: props.restorePoint }).toUpperCase();
    const properties = {
      FunctionArn: fn.functionArn,
      TimeoutSeconds: seconds,
      ConstructPath: this.node.scope!.node.path,
      Kind: props.resourceType.replace(/^Custom::/, ''),
      RestorePoint: props.restorePoint ?? '',
      RestoreResourceType: props.resourceType,
      RestoredId: this.resource.ref,
      Engine: props.properties.Engine,
      RestoreLogicalId: (this.resource.node.defaultChild as CfnResource).logicalId,
      RestoreStartedAt: this.attributes.getAttString(RESTORE_STARTED_AT_ATTRIBUTE),
      RestoreSeconds: this.attributes.getAttString(RECOVERY_TIME_ATTRIBUTE),
    } satisfies Record<keyof ValidationProperties, unknown>;
    const resource = new CustomResource(this, `Validation${id}`, { serviceToken: this.provider.serviceToken, resourceType: VALIDATION_RESOURCE_TYPE, properties });
    resource.node.addDependency(policy);
    Aspects.of(resource).add(new ValidateWhatIsBuilt(resource, properties, this.attributes, () => this.builtOn));
    return resource;
  }

  /**
   * Tells the validation what the construct built on the restore, once it has: its parts (those it holds when
   * this is called, not what an app adds under it later), and its security groups, whose rules a validator in
   * the VPC may need.
   */
  validateAfter(parts: IConstruct[], securityGroups: ec2.ISecurityGroup[]): void {
    this.builtOn = { parts, securityGroups };
  }

  /** The restore ended, and passed its validation if it has one. */
  get ready(): IDependable {
    return this.validation ?? this.attributes;
  }

  /**
   * Seconds from the start of the restore to the end of its validation, or to its own end without one; 0
   * when unknown.
   */
  get recoveryTime(): string {
    return (this.validation ?? this.attributes).getAttString(RECOVERY_TIME_ATTRIBUTE);
  }

  /** The physical id the handler returned. */
  get ref(): string {
    return this.resource.ref;
  }

  /**
   * A metric the poller publishes for this restore (see METRIC_NAMES), by the dimensions it publishes
   * with: the stack's name and the logical id of the restore's custom resource.
   */
  metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    const stack = Stack.of(this);
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      statistic: cloudwatch.Stats.MAXIMUM,
      ...props,
      dimensionsMap: {
        [METRIC_DIMENSIONS.stack]: stack.stackName,
        [METRIC_DIMENSIONS.restore]: (this.resource.node.defaultChild as CfnResource).logicalId,
        ...props.dimensionsMap,
      },
    });
  }

  /** An attribute of the restored resource, read once the restore has ended. */
  getAttString(name: string): string {
    return this.attributes.getAttString(name);
  }

  /**
   * Lets the shared handler role make these calls; scope each statement to the resources involved.
   * @param wildcardReason why a resource pattern with `*` is as narrow as it can be (cdk-nag's IAM5)
   */
  addToHandlerPolicy(statement: iam.PolicyStatement, wildcardReason?: string): void {
    // Every restore's custom resource waits for the role's default policy, so a resource naming what another
    // restore made (restore B from restore A's cluster) would close a cycle there. It goes in a policy of its
    // own, which only this restore waits for; the statement's other resources stay in the shared one. Each in a
    // list: a resource may be a list token (Lazy.list), which resolves only in a list.
    const theirs = (resource: string) => referencedResources(this, [resource])
      .some((r) => r.node.scopes.some((s) => s instanceof RestoreResource && s !== this));
    const withResources = (resources: string[]) =>
      new iam.PolicyStatement({ effect: statement.effect, actions: statement.actions, conditions: statement.conditions, resources });
    const own = statement.resources.filter(theirs);
    const shared = statement.resources.filter((resource) => !theirs(resource));
    if (own.length) this.ownPolicy().addStatements(withResources(own));
    if (shared.length) this.provider.allow(withResources(shared), wildcardReason);
  }

  private ownPolicy(): iam.Policy {
    const existing = this.node.tryFindChild('HandlerPolicy') as iam.Policy | undefined;
    if (existing) return existing;
    const policy = new iam.Policy(this, 'HandlerPolicy', { roles: [this.provider.role] });
    this.resource.node.addDependency(policy);
    return policy;
  }

  /**
   * Lets the services the handler calls use a KMS key on its behalf: describe it, grant the service its use
   * (only for an AWS resource), and where `dataKeys` is set, encrypt and decrypt through those services only.
   */
  grantKeyUse(key: kms.IKey, services: readonly string[], dataKeys = false): void {
    const { region, urlSuffix } = Stack.of(this);
    const through = { 'kms:ViaService': services.map((service) => `${service}.${region}.${urlSuffix}`) };
    const arn = keyArnOf(key);
    this.addToHandlerPolicy(new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [arn] }));
    this.addToHandlerPolicy(new iam.PolicyStatement({
      actions: ['kms:CreateGrant'], resources: [arn], conditions: { StringEquals: through, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
    if (dataKeys) {
      this.addToHandlerPolicy(new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [arn], conditions: { StringEquals: through },
      }));
    }
  }

  /** The principal the shared handlers run as, for grants such as `secret.grantRead(...)`. */
  get handlerPrincipal(): iam.IGrantable {
    return this.provider.role;
  }
}
