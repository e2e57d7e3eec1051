import * as fs from 'fs';
import * as path from 'path';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { POLL_INTERVAL_SECONDS } from './contracts/common';
import { validateDuration } from './validation';

/** Where scripts/bundle.ts writes the handler; shipped in the npm package. */
const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'restore-handler');

/** How often the provider asks the handler whether a restore or delete has finished. */
export const QUERY_INTERVAL = Duration.seconds(POLL_INTERVAL_SECONDS);

/** The longest a restore can wait: a custom resource's own limit (CloudFormation ServiceTimeout). */
export const MAX_TIMEOUT = Duration.hours(1);

/** The wait used when a construct is given no timeout. */
export const DEFAULT_TIMEOUT = Duration.hours(1);

/**
 * The custom-resource provider of one stack, shared by every restore in it, so the number of
 * Lambda functions does not grow with the number of restores. Constructs widen its role with
 * statements scoped to the resources they name.
 */
class RestoreProvider extends Construct {
  static of(scope: Construct): RestoreProvider {
    const stack = Stack.of(scope);
    const id = 'CdkRestoreConstructsProvider';
    return (stack.node.tryFindChild(id) as RestoreProvider | undefined) ?? new RestoreProvider(stack, id);
  }

  readonly role: iam.Role;
  readonly serviceToken: string;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    if (!fs.existsSync(path.join(HANDLER_ASSET, 'index.js'))) {
      throw new Error(`The restore handler bundle is missing at ${HANDLER_ASSET}. In a checkout of cdk-restore-constructs, run "npm run bundle" first; an installed package always ships it.`);
    }

    this.role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
      description: 'Runs the restore handlers of cdk-restore-constructs in this stack',
    });

    const code = lambda.Code.fromAsset(HANDLER_ASSET);
    const handlerProps = {
      code,
      runtime: lambda.Runtime.NODEJS_22_X,
      role: this.role,
      memorySize: 256,
    };
    const onEvent = new lambda.Function(this, 'OnEvent', {
      ...handlerProps,
      handler: 'index.onEvent',
      timeout: Duration.minutes(5),
      description: 'cdk-restore-constructs: starts restores and deletes',
    });
    const isComplete = new lambda.Function(this, 'IsComplete', {
      ...handlerProps,
      handler: 'index.isComplete',
      timeout: Duration.minutes(2),
      description: 'cdk-restore-constructs: reports whether a restore or delete has finished',
    });

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: QUERY_INTERVAL,
      totalTimeout: MAX_TIMEOUT,
    });
    this.serviceToken = provider.serviceToken;
  }
}

/** Props of {@link RestoreResource}. */
export interface RestoreResourceProps {
  /** CloudFormation type of the custom resource, which also selects the handler. */
  readonly resourceType: string;
  /** The kind's properties, shaped by its contract. */
  readonly properties: Record<string, unknown>;
  /** How long the handler may wait for the restore to finish. */
  readonly timeout?: Duration;
}

/**
 * One restore: a custom resource that starts it and waits until the restored resource is usable.
 * Every construct waits through this class, so the waiting mechanism can change in one place.
 */
export class RestoreResource extends Construct {
  private readonly provider: RestoreProvider;
  private readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: RestoreResourceProps) {
    super(scope, id);
    const timeout = props.timeout ?? DEFAULT_TIMEOUT;
    validateDuration('timeout', timeout, Duration.minutes(1), MAX_TIMEOUT);

    this.provider = RestoreProvider.of(this);
    this.resource = new CustomResource(this, 'Default', {
      serviceToken: this.provider.serviceToken,
      resourceType: props.resourceType,
      properties: { ...props.properties, TimeoutSeconds: timeout.toSeconds() },
    });
    // The handler must not run before the statements the constructs add to its role are in place.
    this.resource.node.addDependency(this.provider.role);
  }

  /** The physical id the handler returned. */
  get ref(): string {
    return this.resource.ref;
  }

  /** An attribute the handler returned, as a string token. */
  getAttString(name: string): string {
    return this.resource.getAttString(name);
  }

  /** Lets the shared handler role make these calls; scope each statement to the resources involved. */
  addToHandlerPolicy(statement: iam.PolicyStatement): void {
    this.provider.role.addToPrincipalPolicy(statement);
  }

  /** The principal the shared handlers run as, for grants such as `key.grant(...)`. */
  get handlerPrincipal(): iam.IGrantable {
    return this.provider.role;
  }
}
