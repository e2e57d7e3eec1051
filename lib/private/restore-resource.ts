/**
 * One restore in the template: the custom resource that starts it, the wait condition that holds the stack
 * until the restore ends, and the custom resource after it that reads what was restored. Every construct
 * waits through this class; its IAM, its validation and its references live in modules of their own.
 */
import {
  Aspects, CfnResource, CfnWaitCondition, CfnWaitConditionHandle, CustomResource, Duration, IAspect, Lazy, Stack,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct, IDependable } from 'constructs';
import {
  ATTRIBUTES_RESOURCE_TYPE, AttributesProperties, DEFAULT_TIMEOUT_SECONDS, GENERATION_METADATA_KEY, MAX_WAIT_CONDITION_SECONDS, METRIC_DIMENSIONS,
  METRICS_NAMESPACE, MIN_TIMEOUT_SECONDS, RECOVERY_TIME_ATTRIBUTE, restoreInputsOf,
} from './contracts/common';
import { allowHandler, keyUseStatements, markRestore } from './handler-policy';
import { RestoreKind } from './kinds/kind';
import { validateDuration } from './prop-checks';
import { inputsHash, referencedResources } from './references';
import { RestoreProvider } from './restore-provider';
import { addValidationStage, BuiltOnRestore } from './validation-stage';
import type { RestoreValidation } from '../restore-validation';

/** A hash of the in-place properties that describe can see (not tags, nor the removal policy); none without them. */
function inPlaceRevision(scope: Construct, properties: Record<string, unknown>, inPlace: readonly string[]): string | undefined {
  const visible = Object.fromEntries(Object.entries(properties)
    .filter(([key, value]) => inPlace.includes(key) && !['Tags', 'RemovalPolicy'].includes(key) && value !== undefined));
  return Object.keys(visible).length ? inputsHash(scope, visible) : undefined;
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

/** Props of {@link RestoreResource}. */
export interface RestoreResourceProps {
  /** The kind restored: its custom resource type selects the handler, its in-place list what starts a new wait. */
  readonly kind: RestoreKind;
  /** The kind's properties, shaped by its contract. */
  readonly properties: Record<string, unknown>;
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
 * the restored resource's attributes.
 */
export class RestoreResource extends Construct {
  private readonly resource: CustomResource;
  private readonly attributes: CustomResource;
  private readonly validationResource?: CustomResource;
  /** What the construct built on the restore, for its validation to wait for; see {@link RestoreResource.validateAfter}. */
  private builtOn: BuiltOnRestore = { parts: [], securityGroups: [] };
  /** The wait condition holding the stack until the restore ends. */
  readonly waitCondition: CfnWaitCondition;
  /** What the restore was made of (its kind, its custom resource's properties, timeout and validation): what a drill repeats. */
  readonly made: RestoreResourceProps & { readonly timeout: Duration };

  constructor(scope: Construct, id: string, props: RestoreResourceProps) {
    super(scope, id);
    markRestore(this);
    const timeout = props.timeout ?? Duration.seconds(DEFAULT_TIMEOUT_SECONDS);
    validateDuration('timeout', timeout, Duration.seconds(MIN_TIMEOUT_SECONDS), Duration.seconds(MAX_WAIT_CONDITION_SECONDS));
    const timeoutSeconds = timeout.toSeconds();
    const { kind, properties } = this.made = { ...props, timeout };

    const provider = RestoreProvider.of(this);
    provider.useLogRetention(props.logRetention, scope.node.path);
    // Wait conditions cannot be updated: a new restore, or a new timeout, needs a new handle and
    // condition, so their logical ids carry a hash of everything that starts a new wait (and of the
    // settings the kind still names it after).
    const naming = kind.inPlace.filter((key) => !(kind.namedBy ?? []).includes(key));
    const waitId = inputsHash(this, { ...restoreInputsOf(properties, naming), TimeoutSeconds: timeoutSeconds }).toUpperCase();
    const handle = new CfnWaitConditionHandle(this, `WaitHandle${waitId}`);
    Aspects.of(handle).add(new CreateHandleWithItsRestore(handle, properties));

    this.resource = new CustomResource(this, 'Default', {
      serviceToken: provider.serviceToken,
      resourceType: kind.resourceType,
      // The handle by name, not its URL (a Ref): the URL is presigned, and the provider framework logs
      // every property and passes them through its waiter's execution input.
      properties: { ...properties, TimeoutSeconds: timeoutSeconds, WaitHandle: handle.logicalId, ...(props.validation ? { Validated: true } : {}) },
    });
    // The handler must not run before the statements the constructs add to its role are in place.
    this.resource.node.addDependency(provider.role, provider.pollingPolicy, handle);
    // Where a later restore of the construct that is another resource reads this one's generation (properties are not readable there).
    if (properties.RestoreGeneration !== undefined) {
      (this.resource.node.defaultChild as CfnResource).addMetadata(GENERATION_METADATA_KEY, properties.RestoreGeneration);
    }

    this.waitCondition = new CfnWaitCondition(this, `Wait${waitId}`, { handle: handle.ref, timeout: String(timeoutSeconds), count: 1 });
    this.waitCondition.node.addDependency(this.resource);

    this.attributes = new CustomResource(this, 'Attributes', {
      serviceToken: provider.serviceToken,
      resourceType: ATTRIBUTES_RESOURCE_TYPE,
      properties: {
        RestoreResourceType: kind.resourceType,
        RestoredId: this.resource.ref,
        Engine: properties.Engine,
        // Lazy: some settings are only known once the instances are bound.
        Revision: Lazy.any({ produce: () => inPlaceRevision(this, properties, kind.inPlace) }),
        WaitData: this.waitCondition.attrData,
      } satisfies Record<keyof AttributesProperties, unknown>,
    });
    if (props.validation) {
      this.validationResource = addValidationStage(this, props.validation, {
        kind,
        resource: this.resource,
        attributes: this.attributes,
        waitId,
        timeout,
        restorePoint: props.restorePoint,
        engine: properties.Engine,
        builtOn: () => this.builtOn,
      });
    }
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
    return this.validationResource ?? this.attributes;
  }

  /**
   * Seconds from the start of the restore to the end of its validation, or to its own end without one; 0
   * when unknown.
   */
  get recoveryTime(): string {
    return (this.validationResource ?? this.attributes).getAttString(RECOVERY_TIME_ATTRIBUTE);
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
    allowHandler(this, this.resource, statement, wildcardReason);
  }

  /**
   * Lets the services the handler calls use a KMS key on its behalf: describe it, grant the service its use
   * (only for an AWS resource), and where `dataKeys` is set, encrypt and decrypt through those services only.
   */
  grantKeyUse(key: kms.IKey, services: readonly string[], dataKeys = false): void {
    for (const statement of keyUseStatements(this, key, services, dataKeys)) this.addToHandlerPolicy(statement);
  }

  /** The principal the shared handlers run as, for grants such as `secret.grantRead(...)`. */
  get handlerPrincipal(): iam.IGrantable {
    return RestoreProvider.of(this).role;
  }
}
