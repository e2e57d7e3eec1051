/**
 * The restore metrics the poller publishes to CloudWatch, by the dimensions the construct reads them with.
 */
import { CloudWatchClient, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { log } from './log';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE } from '../../lib/private/contracts/common';

/** Which restore a metric is of: its stack and the logical id of its custom resource, as the construct names them. */
export interface RestoreIdentity {
  readonly StackId: string;
  readonly LogicalResourceId: string;
}

/** The figures of one look at a restore; a metric is published for each one given. */
export type RestoreFigures = Partial<Record<keyof typeof METRIC_NAMES, number>>;

/** Publishes a restore's figures. Never throws: a metric that cannot be published must not fail the restore. */
export type MetricPublisher = (restore: RestoreIdentity, figures: RestoreFigures) => Promise<void>;

const UNITS: Record<keyof typeof METRIC_NAMES, StandardUnit> = { progress: 'Percent', duration: 'Seconds', failed: 'Count', recoveryTime: 'Seconds' };

/** A service's "50%", "50.0" or "50.00%" as a number within 0 to 100; nothing when there is no figure. */
export function percentOf(text: unknown): number | undefined {
  const value = Number.parseFloat(String(text ?? ''));
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : undefined;
}

/** A stack's name from its id (arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>). */
export function stackNameOf(stackId: string): string {
  return stackId.split('/')[1] ?? stackId;
}

let cloudWatch: CloudWatchClient | undefined;

/** How long publishing may take, retries included. */
const PUBLISH_TIMEOUT_MS = 8_000;

/** The restore's figures as CloudWatch metrics, in the library's namespace. */
export const publishToCloudWatch: MetricPublisher = async (restore, figures) => {
  const dimensions = [
    { Name: METRIC_DIMENSIONS.stack, Value: stackNameOf(restore.StackId) },
    { Name: METRIC_DIMENSIONS.restore, Value: restore.LogicalResourceId },
  ];
  const timestamp = new Date();
  const data = (Object.keys(figures) as Array<keyof typeof METRIC_NAMES>).filter((key) => figures[key] !== undefined).map((key) => ({
    MetricName: METRIC_NAMES[key], Dimensions: dimensions, Unit: UNITS[key], Value: figures[key], Timestamp: timestamp,
  }));
  if (!data.length) return;
  try {
    cloudWatch ??= new CloudWatchClient({ maxAttempts: 2 });
    // Bounded: a hung call must not run the poller into its own one-minute timeout, which would fail the restore.
    const command = new PutMetricDataCommand({ Namespace: METRICS_NAMESPACE, MetricData: data });
    await cloudWatch.send(command, { abortSignal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS) });
  } catch (error) {
    log(`The restore's metrics could not be published (${(error as Error).name}: ${(error as Error).message}); the restore goes on without them`);
  }
};
