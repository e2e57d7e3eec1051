/**
 * What a rehearsal tells: the result of a rehearsed stack, the executions and validations it played, what
 * the stand-ins held, and the failure that a failed restore ends it with.
 */
import { PlayedState } from './state-machine-player';
import type { DrillReport } from '../lambda/shared/drill-report';

/** What the stand-ins hold. */
export interface StandInState {
  /** The Huawei Cloud recovery jobs the stand-in ran, with the instance each restored into. */
  readonly huaweiJobs: Array<{ id: string; instanceId: string; completed: boolean }>;
  /** The DocumentDB Elastic snapshots the stand-in holds, and those deleted. */
  readonly elasticSnapshots: { held: Array<{ name: string; arn: string; status: string }>; deleted: string[] };
  /** The AWS Backup restore jobs the stand-in ran. */
  readonly backupJobs: Array<{ id: string; recoveryPointArn: string; completed: boolean; createdResourceArn: string }>;
  /** The S3 imports the RDS stand-in played, by cluster identifier. */
  readonly s3Imports: string[];
  /** The clusters whose Data API the RDS stand-in has on, by ARN (moto has no Data API switch). */
  readonly dataApiClusters: string[];
}

export interface RehearsalResult extends StandInState {
  readonly stack: string;
  readonly endpoint: string;
  /** Logical ids of the custom resources created (or adopted), in order. */
  readonly created: string[];
  /** With an update: the logical ids of the restores it sent an Update to, in order. */
  readonly updated?: string[];
  /** Logical ids deleted, in order. */
  readonly deleted: string[];
  /** Logical ids not rehearsed, which resolved to placeholders. */
  readonly notRehearsed: string[];
  /** Attributes each rehearsed resource returned. */
  readonly attributes: Record<string, Record<string, string>>;
  /** Each failed resource's message (its Create, wait or Delete), by logical id. */
  readonly failed: Record<string, string>;
  /** The stack's own resources (KMS keys, buckets) that --create-sources made in the emulator. */
  readonly made: string[];
  /** Logical ids not rehearsed because something they depend on failed. */
  readonly skipped: string[];
  /** The validations run, by the logical id of their resource and of their function, and what the functions answered. */
  readonly validations: RehearsedValidation[];
  /** The state machine executions played, in order: the resource each was for, and the states it went through. */
  readonly executions: RehearsedExecution[];
  /** With `drill`: the report of each drill's run, in order. */
  readonly drills?: DrillReport[];
}

/** One execution of a state machine of the stack, as the rehearsal played its definition. */
export interface RehearsedExecution {
  readonly resource: string;
  readonly stateMachine: string;
  readonly states: PlayedState[];
}

/** A validation the rehearsal ran (Node.js validators from the assembly, in-process) or reported as not rehearsed. */
export interface RehearsedValidation {
  /** The validation custom resource. */
  readonly resource: string;
  readonly validator: string;
  readonly outcome: 'passed' | 'failed' | 'not rehearsed';
  readonly message: string;
}

/**
 * A failure of the rehearsed stack (not of the rehearsal itself): exit non-zero with this message. When
 * restores failed, `result` tells what else was rehearsed, and what was deleted after.
 */
export class RehearsalFailure extends Error {
  constructor(message: string, readonly result?: RehearsalResult) {
    super(message);
  }
}

