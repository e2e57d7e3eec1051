/**
 * Wire contract of a restore drill: what a drill's state machine hands its run function, the tags on what a run
 * restores, and the metrics it publishes. Imported by the construct and the handler so they cannot drift.
 */

/**
 * The tag on everything a drill run restores, valued with the stack's name. The drill role creates only what
 * the call tags with it (`aws:RequestTag`) and deletes only what carries it (`aws:ResourceTag`).
 */
export const DRILL_TAG_KEY = 'cdk-restore-constructs:drill';

/** When a drill run's resources may be deleted by the sweeper (ISO 8601): after the run's longest possible end. */
export const DRILL_EXPIRES_TAG_KEY = 'cdk-restore-constructs:drill-expires';

/** The dimension that names a drill in its metrics, beside the stack's name. */
export const DRILL_DIMENSION = 'Drill';

/** The metrics a drill run publishes, by key. */
export const DRILL_METRIC_NAMES = {
  succeeded: 'DrillSucceeded',
  failed: 'DrillFailed',
  recoveryTime: 'DrillRecoveryTime',
  recoveryPointAge: 'DrillRecoveryPointAge',
  objectiveMissed: 'DrillObjectiveMissed',
  skipped: 'DrillSkipped',
  sinceSuccess: 'DrillSecondsSinceSuccess',
} as const;

/** The EventBridge source and detail type of a drill run's result. */
export const DRILL_EVENT_SOURCE = 'cdk-restore-constructs';
export const DRILL_EVENT_DETAIL_TYPE = 'Restore Drill Result';

/** Where a drill's reports go in its bucket: `<prefix><stack>/<drill>/<run start>.json`, and `latest.json` beside. */
export const DRILL_REPORT_PREFIX = 'restore-drills/';

/** What a run restores from: the latest restorable time, or a random time within the last `WithinSeconds`. */
export type DrillPointChoice = { readonly Latest: true } | { readonly WithinSeconds: number };

/** A DB instance a drill run adds to a restored cluster, as the construct's writer is. */
export interface DrillInstance {
  readonly DBInstanceClass: string;
}

/** The drill, as its state machine's first state hands it to every step of a run. */
export interface DrillConfig {
  /** The drill's construct path, for reports. */
  readonly DrillPath: string;
  /** The drill's name in its metrics and reports, unique in its stack. */
  readonly DrillName: string;
  /** The stack's name, the drill tag's value. */
  readonly StackName: string;
  /** The stack's id, for the ownership tags the restore's handler writes. */
  readonly StackId: string;
  /** The start of every name a run gives (lowercase); the date and time of the run follow. */
  readonly NamePrefix: string;
  /** The restore's kind and its custom resource's properties, as the construct synthesized them. */
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, unknown>;
  /** The restore construct's path, told to the validator. */
  readonly RestorePath: string;
  readonly RestorePoint: DrillPointChoice;
  /** The instances a cluster restore gets before it is validated; none for other kinds. */
  readonly Instances: readonly DrillInstance[];
  /** How long the restored resource is kept after it is validated, in seconds. */
  readonly HoldSeconds: number;
  /** How long the restore may take before the run fails, in seconds. */
  readonly TimeoutSeconds: number;
  readonly RecoveryTimeObjectiveSeconds?: number;
  readonly RecoveryPointObjectiveSeconds?: number;
  /** The user's validator and how long it may take. */
  readonly Validation?: { readonly FunctionArn: string; readonly TimeoutSeconds: number };
  /** The bucket the run's report is written to. */
  readonly ReportBucket: string;
}

/** A drill whose last success the hourly sweep tells CloudWatch about, for its staleness alarm. */
export interface DrillHeartbeat {
  readonly DrillName: string;
  readonly ReportBucket: string;
}

/** What the sweeper is told: which names are drill runs' and which APIs list them, and the stack's drills. */
export interface SweepConfig {
  readonly NamePrefix: string;
  readonly StackName: string;
  readonly Engines: readonly string[];
  readonly Drills?: readonly DrillHeartbeat[];
}

/** The start of every drill state machine's name, which a rehearsal finds them by. */
export const DRILL_STATE_MACHINE_PREFIX = 'CdkRestoreDrill-';

/** The longest a run goes on past its restore's timeout, hold time and validation: instances, deletes, report. */
export const DRILL_MARGIN_SECONDS = 2 * 3600;

/** The longest hold a drill takes (as AWS Backup restore testing's validation window), in hours. */
export const MAX_DRILL_HOLD_HOURS = 168;
