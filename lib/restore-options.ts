/**
 * The options every restore construct shares, declared once: how long the restore may take, its validation
 * and its logs; and, for the constructs whose restored resource the stack keeps, its removal and tags.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { RestoreValidation } from './restore-validation';

/** Options every restore construct takes, whatever it restores. */
export interface RestoreOptions {
  /**
   * How long the library's functions and state machines in this stack keep their logs. They are shared by
   * every restore of the stack, so each restore construct that sets this must set the same value; setting
   * it on one of them is enough.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * A check of the restored resource that must pass for the deployment to succeed, such as
   * `RestoreValidation.fromFunction(fn)`. It runs once the restore and what the construct builds on it
   * exist. Failed, thrown or timed out, it fails the deployment, and the rollback removes a restore made in
   * that deployment as its removal policy says. It runs for each new restore, and once more when the
   * validator, its timeout or the construct's `timeout` changes (then on the restore there is).
   * @default - the restore is done when the restored resource is usable
   */
  readonly validation?: RestoreValidation;

  /**
   * How long the restore may take until the restored resource is usable (5 minutes to 12 hours). At the
   * timeout the deployment fails with the last status seen, and the rollback removes what the restore made as
   * its removal policy says. A DocumentDB Elastic copy's status has no failed value, so for a copy this deadline
   * is also what ends one that never finishes.
   * @default Duration.hours(3)
   */
  readonly timeout?: Duration;

  /**
   * Asks for a new restore. A deployed restore is never repeated by accident: when a restore input changes
   * (the source, the restore point, anything no API can change on what was restored), the deployment fails
   * before anything is touched, naming each changed input, unless this changed too. Give it a new value (any
   * whole number other than the last one) to restore anew; what the old restore made is then removed by its
   * removal policy once the deployment succeeds. A literal, not a token: CloudFormation's wait for the new
   * restore is named after it at synth. Do not go back to an earlier value: with a retained removal policy, the
   * resource restored under it may still exist, and would be taken as the restore asked for.
   * @default 0
   */
  readonly restoreGeneration?: number;
}

/** Options of the restore constructs whose restored resource the stack keeps: a cluster, a snapshot copy. */
export interface RestoredResourceOptions extends RestoreOptions {
  /**
   * What happens to the restored resource when it leaves the stack. A cluster offers SNAPSHOT (a final
   * snapshot, then the delete), DESTROY (no final snapshot) and RETAIN (left in place); a snapshot copy, RETAIN
   * and DESTROY.
   * @default - RemovalPolicy.SNAPSHOT for a cluster, as `rds.DatabaseCluster`; RemovalPolicy.RETAIN for a
   * snapshot copy, which is a backup
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Tags of the restored resource, beside those `Tags.of(...)` adds. Keys and values follow the service's
   * rules (RDS and Neptune: keys of 1 to 128 characters, values of up to 256, neither starting with `aws:`;
   * DocumentDB Elastic: keys matching `^(?!aws:)[a-zA-Z+-=._:/]+$`). A change is applied in place.
   * @default - only the tags `Tags.of(...)` adds
   */
  readonly tags?: { [key: string]: string };
}
