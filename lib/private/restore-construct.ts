import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
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
   * it succeeded, published once at its end. A restore call refused before polling starts publishes nothing.
   * @default - the Maximum over 5 minutes
   */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this._restore.metric(METRIC_NAMES.failed, { unit: cloudwatch.Unit.COUNT, ...props });
  }
}
