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
}
