/**
 * The user's check of a restored resource, run by the polling workflow before the stack goes on.
 */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { MAX_VALIDATION_SECONDS } from './private/contracts/common';
import { validateDuration } from './private/prop-checks';

/** Options of {@link RestoreValidation.fromFunction}. */
export interface RestoreValidationOptions {
  /**
   * How long the validator may take: at most 15 minutes (Lambda's limit), and no longer than the construct's
   * `timeout`. Give the function the same timeout.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
}

/**
 * A check of the restored resource that must pass for the deployment to succeed. Once the restore is done and
 * what the construct builds on it exists (a cluster's instances, and the security group rules to its port), the
 * polling workflow invokes the function with a {@link RestoreValidationEvent}. Unless it answers a
 * {@link RestoreValidationResult} that passed, the deployment fails and rolls back. What must only build on a
 * validated restore waits for the construct's `ready`: `resource.node.addDependency(restored.ready)`.
 */
export class RestoreValidation {
  /**
   * Validates with a Lambda function of yours (in the VPC if it must reach the database). The library lets
   * its polling workflow invoke it, and no other of its parts. It may refer to the restore's attributes (grant
   * it the managed secret, let it in on the cluster's port); everything else it needs is in its event. It must
   * be idempotent: Lambda's faults are retried, so it may run twice.
   * @param fn the validator
   * @param options how long it may take
   */
  public static fromFunction(fn: lambda.IFunction, options: RestoreValidationOptions = {}): RestoreValidation {
    const timeout = options.timeout ?? Duration.minutes(5);
    validateDuration('validation timeout', timeout, Duration.seconds(1), Duration.seconds(MAX_VALIDATION_SECONDS));
    return new RestoreValidation(fn, timeout);
  }

  private constructor(
    /** The validator. */
    public readonly validator: lambda.IFunction,
    /** How long the validator may take. */
    public readonly timeout: Duration,
  ) {}
}

/**
 * What the validator receives: the restored resource, where to reach it, and how long the restore took.
 * Type your validator's event with it.
 */
export interface RestoreValidationEvent {
  /** The construct's kind: `PointInTimeRestoredCluster`, `S3ImportedAuroraCluster`, `CopiedElasticSnapshot`, `BackupRestoreJob` or `HuaweiRdsRecovery`. */
  readonly kind: string;
  /** The construct's path in the app. */
  readonly constructPath: string;
  /** The id of the stack being deployed. */
  readonly stackId: string;
  /** The restored resource's id: the cluster identifier, the copy's ARN, the restore job's or recovery job's id. */
  readonly physicalResourceId: string;
  /**
   * The restored resource's attributes, as the construct exposes them. For clusters: `DBClusterIdentifier`,
   * `DBClusterArn`, `DbClusterResourceId`, `Endpoint`, `ReaderEndpoint`, `Port` and `MasterUserSecretArn`
   * (empty without a managed secret); for a Backup restore, `CreatedResourceArn` among others.
   */
  readonly attributes: { [name: string]: string };
  /** What was restored from: a time (ISO 8601) or `latest restorable time`, a backup, a snapshot, a recovery point. */
  readonly restorePoint: string;
  /** Seconds the restore took, from its start until the restored resource was usable (in the deployment that made it); 0 when unknown. */
  readonly restoreSeconds: number;
  /**
   * The path of the drill whose run restored this resource: a copy, deleted after the run.
   * @default - absent for the deploy-time restore
   */
  readonly drill?: string;
}

/** What the validator answers. Throwing an error fails the validation too, with the error's message. */
export interface RestoreValidationResult {
  /** Whether the restore is what it should be. */
  readonly passed: boolean;
  /**
   * Why. A failed validation's message is the validation resource's failure reason in the stack's events; a
   * passing one's is in the library's function logs.
   * @default - none
   */
  readonly message?: string;
}
