import * as logs from 'aws-cdk-lib/aws-logs';

/** Options every restore construct takes, whatever it restores. */
export interface RestoreOptions {
  /**
   * How long the library's functions and state machines in this stack keep their logs. They are shared by
   * every restore of the stack, so each restore construct that sets this must set the same value; setting
   * it on one of them is enough.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}
