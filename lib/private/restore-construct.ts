/**
 * The base class of every restore construct: readiness, recovery time and the metrics every kind offers.
 */
import { Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IDependable } from 'constructs';
import { METRIC_NAMES } from './contracts/common';
import type { RestoreResource } from './restore-resource';

/**
 * What every restore construct offers whatever it restores: the metrics its poller publishes.
 * Not exported from the package: jsii copies its members into each construct.
 * @internal
 */
export abstract class RestoreConstruct extends Construct {
  /** @internal */
  protected abstract readonly _restore: RestoreResource;

  /**
   * Done once the restore has ended and passed its validation (without one, once it has ended). A resource
   * that must only ever see a validated restore waits for it: `resource.node.addDependency(restored.ready)`.
   * Narrower than the whole construct, on which a security group of the app that the restore lets in could
   * not wait without a cycle.
   */
  public get ready(): IDependable {
    return this._restore.ready;
  }

  /**
   * Seconds from the start of the restore to the end of its validation (to the restored resource being usable,
   * without a validation), as the poller measured it. 0 when unknown: the last wait had no restore to measure
   * (an update that changed no restore input), or the restore was made before the library measured it.
   */
  public get recoveryTime(): number {
    return Token.asNumber(this._restore.recoveryTime);
  }

  /**
   * The recovery time of each restore that succeeded, in seconds, published once: from the start of the
   * restore to its end, or with a validation to the validation's passing.
   * @default - the Maximum over 5 minutes
   */
  public metricRecoveryTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._restore.metric(METRIC_NAMES.recoveryTime, { unit: cloudwatch.Unit.SECONDS, ...props });
  }

  /**
   * How long the restore has taken, in seconds. The poller publishes it at every look while the restore runs
   * and once more at its end, so the Maximum climbs while a slow restore is still running: alarm on it above
   * your recovery-time objective.
   * @default - the Maximum over 5 minutes
   */
  public metricDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._restore.metric(METRIC_NAMES.duration, { unit: cloudwatch.Unit.SECONDS, ...props });
  }

  /**
   * How far the restore has got, in percent: the service's own figure where it gives one (AWS Backup, Huawei
   * Cloud), otherwise 0 until the restored resource is usable and then 100.
   * @default - the Maximum over 5 minutes
   */
  public metricProgress(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._restore.metric(METRIC_NAMES.progress, { unit: cloudwatch.Unit.PERCENT, ...props });
  }

  /**
   * Whether the restore failed: 1 when it ended in failure (or timed out) while the poller watched it, 0 when
   * it succeeded, published once at its end, and 1 again if its validation fails. A restore call refused
   * before polling starts publishes nothing.
   * @default - the Maximum over 5 minutes
   */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._restore.metric(METRIC_NAMES.failed, { unit: cloudwatch.Unit.COUNT, ...props });
  }
}
