/**
 * The shapes the handlers share: the provider framework's requests and answers, one look at a restore, and
 * what every kind's handler offers.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { AttributesProperties } from '../../lib/private/contracts/common';
import type { RestoreKind } from '../../lib/private/kinds/kind';

/** What the CDK Provider framework passes to onEvent: a CloudFormation request. */
export type OnEventRequest = CloudFormationCustomResourceEvent;

/** What onEvent answers; the framework merges it into the event isComplete receives. */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
  /** When the wait began (epoch milliseconds): the deadline counts from here. */
  readonly WaitStartedAt?: number;
  /** An Update that changes the restored resource in place: isComplete waits until the change is done. */
  readonly InPlace?: boolean;
  /** The in-place Update is a rollback's: an update that is not, and finds the stack rolling back, sends nothing more. */
  readonly Rollback?: boolean;
}

/** What the framework passes to isComplete: the request merged with onEvent's answer. */
export type IsCompleteRequest = OnEventRequest & OnEventResponse;

/** The stack resource a request is of: what names its owner. */
export type StackResourceRef = Pick<OnEventRequest, 'StackId' | 'LogicalResourceId'>;

/** What isComplete answers. Data is only allowed once IsComplete is true. */
export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

/** One poll of a kind's isComplete: finished or not, and the status seen, for timeout messages. */
export interface PollResult {
  readonly done: boolean;
  /** The service's status, as it named it. */
  readonly status: string;
  /** How far the restore has got, in percent, where the service tells. */
  readonly percentDone?: number;
}

/** What a restore kind implements. */
export interface RestoreKindHandler {
  /** The kind's one definition, which it shares with the construct and the rehearsal. */
  readonly kind: RestoreKind;
  /** Starts the restore (Create), changes it in place or replaces it (Update), or begins the delete. */
  onEvent(event: OnEventRequest): Promise<OnEventResponse>;
  /**
   * Describes the resource once and maps its status: for Create and Update whether the restore
   * is usable, for Delete whether it is gone. Throws on a terminal failure.
   */
  poll(event: IsCompleteRequest): Promise<PollResult>;
  /** The attributes of a finished restore, as the construct reads them. */
  describe(restored: AttributesProperties): Promise<Record<string, string>>;
}
