/**
 * What a drill run tells when it ends: its report (times, the validation's verdict, what it deleted), written to
 * the drill's bucket as the run's object and as `latest.json`; the same report as an EventBridge event; and its
 * figures as CloudWatch metrics, which the drill's alarms watch.
 */
import { CloudWatchClient, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DrillState } from './drill-run';
import { errorText } from './errors';
import { log } from './log';
import { METRIC_DIMENSIONS, METRICS_NAMESPACE } from '../../lib/private/contracts/common';
import {
  DRILL_DIMENSION, DRILL_EVENT_DETAIL_TYPE, DRILL_EVENT_SOURCE, DRILL_METRIC_NAMES, DRILL_REPORT_PREFIX, DrillConfig, SweepConfig,
} from '../../lib/private/contracts/drill';

/** The report of one run. */
export interface DrillReport {
  readonly drill: string;
  readonly drillPath: string;
  readonly stack: string;
  readonly execution: string;
  /** succeeded: restored, usable and validated; failed: anything else; skipped: another run was still going. */
  readonly outcome: 'succeeded' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly restoredId?: string;
  readonly restorePoint?: string;
  readonly startedAt?: string;
  readonly usableAt?: string;
  readonly validatedAt?: string;
  readonly endedAt: string;
  /** Seconds from the restore's start to the resource being usable and validated. */
  readonly recoveryTimeSeconds?: number;
  /** Seconds between the source's latest restorable time and the run's start: the data a restore then would lose. */
  readonly recoveryPointAgeSeconds?: number;
  /** Seconds between the point restored and the run's start: older than the above for a random point, by choice. */
  readonly restoredPointAgeSeconds?: number;
  readonly validation?: { readonly passed: boolean; readonly message: string };
  readonly objectives: {
    readonly recoveryTimeSeconds?: number;
    readonly recoveryPointSeconds?: number;
    /** Whether every objective given was met; absent when none was given or the run measured nothing. */
    readonly met?: boolean;
  };
  readonly deleted: readonly string[];
  /** What the run made and could not delete: the sweeper deletes it once it expires. */
  readonly leftBehind: readonly string[];
}

/** Tells a run's end and answers its report. Never throws: a report that cannot be told must not keep the run going. */
export type DrillReporter = (state: DrillState, how: { readonly skipped?: string }) => Promise<DrillReport>;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The report of a run as its state tells it, ended now. */
export function drillReport(state: DrillState, how: { readonly skipped?: string }, now: number): DrillReport {
  const config = state.Config;
  const end = state.ValidatedAt;
  const recoveryTime = end !== undefined && state.StartedAt !== undefined ? Math.round((end - state.StartedAt) / 1000) : undefined;
  const ageAt = (time: number | undefined) => (time !== undefined && state.StartedAt !== undefined
    ? Math.max(0, Math.round((state.StartedAt - time) / 1000)) : undefined);
  // What a restore at the run's start would lose, which the objective is about; a random point is older by choice.
  const pointAge = ageAt(state.LatestTime ?? state.PointTime);
  const rto = config.RecoveryTimeObjectiveSeconds;
  const rpo = config.RecoveryPointObjectiveSeconds;
  const judged = (rto !== undefined && recoveryTime !== undefined) || (rpo !== undefined && pointAge !== undefined);
  const within = (objective: number | undefined, figure: number | undefined) =>
    objective === undefined || (figure !== undefined && figure <= objective);
  const met = judged ? within(rto, recoveryTime) && within(rpo, pointAge) : undefined;
  const made = [...state.Parts ?? [], ...state.RestoredId ? [state.RestoredId] : []];
  const deleted = state.Deleted ?? [];
  const outcome = how.skipped ? 'skipped' : state.Failure || end === undefined ? 'failed' : 'succeeded';
  return {
    drill: config.DrillName,
    drillPath: config.DrillPath,
    stack: config.StackName,
    execution: state.Execution,
    outcome,
    reason: how.skipped ?? state.Failure,
    restoredId: state.RestoredId,
    restorePoint: state.RestorePoint,
    startedAt: iso(state.StartedAt),
    usableAt: iso(state.UsableAt),
    validatedAt: iso(state.ValidatedAt),
    endedAt: new Date(now).toISOString(),
    recoveryTimeSeconds: recoveryTime,
    recoveryPointAgeSeconds: pointAge,
    restoredPointAgeSeconds: ageAt(state.PointTime),
    validation: state.Verdict,
    objectives: { recoveryTimeSeconds: rto, recoveryPointSeconds: rpo, met },
    deleted,
    leftBehind: made.filter((id) => !deleted.includes(id)),
  };
}

/** The report's figures as metric data, by the drill's dimensions. */
export function drillMetricData(config: DrillConfig, report: DrillReport, at: Date) {
  const dimensions = [{ Name: METRIC_DIMENSIONS.stack, Value: config.StackName }, { Name: DRILL_DIMENSION, Value: config.DrillName }];
  const figure = (name: string, value: number | undefined, unit: StandardUnit) =>
    (value === undefined ? [] : [{ MetricName: name, Dimensions: dimensions, Value: value, Unit: unit, Timestamp: at }]);
  if (report.outcome === 'skipped') return figure(DRILL_METRIC_NAMES.skipped, 1, 'Count');
  const succeeded = report.outcome === 'succeeded';
  return [
    ...figure(DRILL_METRIC_NAMES.succeeded, succeeded ? 1 : 0, 'Count'),
    ...figure(DRILL_METRIC_NAMES.failed, succeeded ? 0 : 1, 'Count'),
    ...figure(DRILL_METRIC_NAMES.recoveryTime, succeeded ? report.recoveryTimeSeconds : undefined, 'Seconds'),
    ...figure(DRILL_METRIC_NAMES.recoveryPointAge, report.recoveryPointAgeSeconds, 'Seconds'),
    ...figure(DRILL_METRIC_NAMES.objectiveMissed, report.objectives.met === undefined ? undefined : report.objectives.met ? 0 : 1, 'Count'),
  ];
}

/** Where a drill's reports are written in its bucket: each run's, the latest, and the latest that succeeded. */
export function reportKeys(drill: { readonly StackName: string; readonly DrillName: string }, report?: DrillReport) {
  const base = `${DRILL_REPORT_PREFIX}${drill.StackName}/${drill.DrillName}/`;
  return { run: `${base}${report?.startedAt ?? report?.endedAt}.json`, latest: `${base}latest.json`, lastSuccess: `${base}last-success.json` };
}

/** Runs one way of telling; its failure is logged, not thrown. */
async function tell(what: string, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    log(`The drill's ${what} could not be written (${errorText(error)}); the run's report is in this log`);
  }
}

/** The reporter the drill function uses: S3, EventBridge and CloudWatch, as the drill role allows. */
export function awsDrillReporter(now: () => number): DrillReporter {
  return async (state, how) => {
    const report = drillReport(state, how, now());
    log(`Drill report: ${JSON.stringify(report)}`);
    const config = state.Config;
    const body = JSON.stringify(report, undefined, 2);
    const keys = reportKeys(config, report);
    const s3 = new S3Client({ maxAttempts: 6 });
    // A skipped run restored nothing: it is no result to keep as the latest.
    if (report.outcome !== 'skipped') {
      await tell('report', () => s3.send(new PutObjectCommand({ Bucket: config.ReportBucket, Key: keys.run, Body: body, ContentType: 'application/json' })));
      await tell('latest report', () => s3.send(new PutObjectCommand({ Bucket: config.ReportBucket, Key: keys.latest, Body: body, ContentType: 'application/json' })));
    }
    if (report.outcome === 'succeeded') {
      await tell('last success', () => s3.send(new PutObjectCommand({ Bucket: config.ReportBucket, Key: keys.lastSuccess, Body: body, ContentType: 'application/json' })));
    }
    await tell('event', () => new EventBridgeClient({ maxAttempts: 6 }).send(new PutEventsCommand({
      Entries: [{ Source: DRILL_EVENT_SOURCE, DetailType: DRILL_EVENT_DETAIL_TYPE, Detail: body, Resources: [state.StateMachine] }],
    })));
    await tell('metrics', () => new CloudWatchClient({ maxAttempts: 6 }).send(new PutMetricDataCommand({
      Namespace: METRICS_NAMESPACE, MetricData: drillMetricData(config, report, new Date(now())),
    })));
    return report;
  };
}

/**
 * Tells CloudWatch, for each drill of the stack, how long ago its last successful run ended, from the report it
 * left: the staleness alarm watches this, whatever the schedule's interval (an alarm on the runs' own metrics
 * could look back at most 7 days). A drill that never succeeded publishes nothing, which the alarm takes as stale.
 */
export async function publishSinceSuccess(config: SweepConfig, now: number): Promise<Record<string, number>> {
  const s3 = new S3Client({ maxAttempts: 6 });
  const since: Record<string, number> = {};
  for (const drill of config.Drills ?? []) {
    try {
      const key = reportKeys({ StackName: config.StackName, DrillName: drill.DrillName }).lastSuccess;
      const out = await s3.send(new GetObjectCommand({ Bucket: drill.ReportBucket, Key: key }));
      const ended = Date.parse((JSON.parse(await out.Body!.transformToString()) as DrillReport).endedAt);
      if (Number.isFinite(ended)) since[drill.DrillName] = Math.max(0, Math.round((now - ended) / 1000));
    } catch (error) {
      if ((error as Error).name !== 'NoSuchKey') log(`The last success of drill ${drill.DrillName} cannot be read (${errorText(error)})`);
    }
  }
  const data = Object.entries(since).map(([name, seconds]) => ({
    MetricName: DRILL_METRIC_NAMES.sinceSuccess,
    Unit: 'Seconds' as StandardUnit,
    Value: seconds,
    Timestamp: new Date(now),
    Dimensions: [{ Name: METRIC_DIMENSIONS.stack, Value: config.StackName }, { Name: DRILL_DIMENSION, Value: name }],
  }));
  if (data.length) await tell('seconds since success', () => new CloudWatchClient({ maxAttempts: 6 }).send(new PutMetricDataCommand({ Namespace: METRICS_NAMESPACE, MetricData: data })));
  return since;
}
