/** StartRestoreJob of AWS Backup, then DescribeRestoreJob until the job ends. */
import { createHash } from 'crypto';
import {
  BackupClient, DescribeRecoveryPointCommand, DescribeRecoveryPointCommandOutput, DescribeRestoreJobCommand, DescribeRestoreJobCommandOutput,
  GetRecoveryPointRestoreMetadataCommand, GetRecoveryPointRestoreMetadataCommandOutput, StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { AttributesProperties, restoreInputsOf } from '../../lib/private/contracts/common';
import { BACKUP_RESTORE_JOB, BackupRestoreJobProperties, DOCUMENTED_RESTORE_METADATA, RDS_FAMILY_RESOURCE_TYPES } from '../../lib/private/kinds/backup-restore-job';
import { explain, transientRetry } from '../shared/errors';
import { restoreLifecycle } from '../shared/lifecycle';
import { log } from '../shared/log';
import { percentOf } from '../shared/metrics';
import { ownerToken, requestToken } from '../shared/ownership';
import { retrying } from '../shared/retry';
import { physicalIdBeforeUpdate } from '../shared/stack-events';
import { continueRollbackWithout, isRollingBack } from '../shared/stack-status';
import { IsCompleteRequest, OnEventRequest, OnEventResponse, PollResult, StackResourceRef } from '../shared/types';

const client = () => new BackupClient({ maxAttempts: 6 });

const TRANSIENT_RETRY = transientRetry('AWS Backup call');

/**
 * The job's idempotency token: the same for every attempt of one stack resource's request, so a
 * retried Create never starts a second job; new for a replacement with other inputs.
 */
export function idempotencyToken(event: StackResourceRef, props: BackupRestoreJobProperties): string {
  return createHash('sha256').update(`${ownerToken(event)}|${requestToken(restoreInputsOf(props, BACKUP_RESTORE_JOB.inPlace))}`).digest('hex');
}

/**
 * A rollback's Update asks for the restore the update replaced. It is answered with that restore's job, never
 * with a new one: the job the rollback goes back to may have been started months before, and StartRestoreJob's
 * token stops repeating a job only for a while (an hour, as AWS Backup's API reference once said; it says no
 * more now). Jobs carry no tags, so the stack's events tell which job this resource had before the update.
 */
async function rollBackTo(event: Extract<OnEventRequest, { RequestType: 'Update' }>, props: BackupRestoreJobProperties): Promise<OnEventResponse> {
  let before: string | undefined;
  try {
    before = await physicalIdBeforeUpdate(event);
  } catch (error) {
    throw new Error('Rolling back, the restore job this resource had before the update could not be read from the stack\'s events '
      + `(${(error as Error).name}: ${(error as Error).message}); nothing was started. ${continueRollbackWithout(event)}`);
  }
  if (!before) {
    throw new Error(`Rolling back, this update would start a restore job of ${props.RecoveryPointArn} again, and the stack's events do not tell the job `
      + `this resource had before the update, so nothing was started. ${continueRollbackWithout(event)}`);
  }
  log(`Rolling back: restore job ${before}, this resource's before the update, is its again; no job started`);
  return { PhysicalResourceId: before };
}

/** Recovery point statuses no restore starts from: not made yet, or being removed (an EXPIRED one may still be restored). */
const UNRESTORABLE = new Set(['CREATING', 'DELETING']);

/** One of the vault's answers about the point, or a failure that says which vault was asked what, before any job. */
async function askVault<T>(props: BackupRestoreJobProperties, vault: string, what: (where: string) => string, command: new (input: {
  BackupVaultName: string; RecoveryPointArn: string; BackupVaultAccountId?: string;
}) => any, hints: Record<string, string> = {}): Promise<T> {
  const where = `backup vault "${vault}"${props.BackupVaultAccountId ? ` of account ${props.BackupVaultAccountId}` : ''}`;
  try {
    return await retrying(TRANSIENT_RETRY, () => client().send(new command({
      BackupVaultName: vault, RecoveryPointArn: props.RecoveryPointArn, BackupVaultAccountId: props.BackupVaultAccountId,
    })) as Promise<T>);
  } catch (error) {
    throw explain(error, what(where), hints);
  }
}

/**
 * Why the request's metadata does not fit the point, or undefined: for a type whose keys AWS Backup documents, the
 * keys it needs, and no key that neither the point nor the documentation knows. Other unknown keys are only logged.
 */
function metadataRefusal(props: BackupRestoreJobProperties, known: readonly string[]): string | undefined {
  const given = Object.keys(props.Metadata ?? {});
  const has = (keys: readonly string[], key: string) => keys.some((k) => k.toLowerCase() === key.toLowerCase());
  const documented = DOCUMENTED_RESTORE_METADATA[props.ResourceType];
  const missing = (documented?.required ?? []).filter((k) => !has(given, k));
  if (missing.length) return `a restore of type ${props.ResourceType} needs the metadata key${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which the request lacks`;
  const allowed = [...new Set([...known, ...documented?.known ?? []])].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  const unknown = given.filter((k) => !has(allowed, k));
  if (!unknown.length) return undefined;
  const why = `the recovery point knows no metadata key ${unknown.join(', ')}; it knows ${allowed.join(', ') || 'none'}`;
  if (documented) return why;
  log(`${why} (AWS Backup documents no complete list for ${props.ResourceType}, so the job is started and AWS Backup decides)`);
  return undefined;
}

/** Whether the point holds the type declared; the types restored from RDS's snapshots are one. */
function sameResourceType(held: string, declared: string): boolean {
  const family = (type: string) => RDS_FAMILY_RESOURCE_TYPES.some((t) => t.toLowerCase() === type.toLowerCase()) ? 'rds' : type.toLowerCase();
  return family(held) === family(declared);
}

/**
 * What only AWS Backup can tell, before a job starts: the vault holds the point, it is made and not being deleted,
 * it holds the resource type declared, and the metadata fits it (metadataRefusal). Without a vault (the point's
 * ARN does not tell it), none of it is checked.
 */
async function preflight(props: BackupRestoreJobProperties): Promise<void> {
  const vault = props.BackupVaultName;
  if (!vault) {
    log(`No backup vault given: recovery point ${props.RecoveryPointArn} is not checked before the restore job starts`);
    return;
  }
  const point = await askVault<DescribeRecoveryPointCommandOutput>(props, vault,
    (where) => `Recovery point ${props.RecoveryPointArn} was looked up in ${where} before the restore job, and nothing was started`, DescribeRecoveryPointCommand, {
      ResourceNotFoundException: 'the vault does not hold it: give the vault that does (aws backup describe-recovery-point tells), or a recovery point that exists',
    });
  const refuse = (why: string) => new Error(`Recovery point ${props.RecoveryPointArn} cannot be restored: ${why}. Nothing was started.`);
  const status = point.Status ?? 'unknown';
  if (UNRESTORABLE.has(status)) {
    throw refuse(`its status is ${status}${point.StatusMessage ? ` (${point.StatusMessage})` : ''}; a restore starts from a point that is made and not being deleted`);
  }
  if (point.ResourceType && !sameResourceType(point.ResourceType, props.ResourceType)) {
    throw refuse(`it holds a resource of type ${point.ResourceType} (${point.ResourceArn ?? 'its source unknown'}), and resourceType is ${props.ResourceType}`);
  }
  const metadata = await askVault<GetRecoveryPointRestoreMetadataCommandOutput>(props, vault,
    () => `The restore metadata of recovery point ${props.RecoveryPointArn} was read before the restore job, and nothing was started`,
    GetRecoveryPointRestoreMetadataCommand);
  const refusal = metadataRefusal(props, Object.keys(metadata.RestoreMetadata ?? {}));
  if (refusal) throw refuse(refusal);
}

async function start(event: OnEventRequest, props: BackupRestoreJobProperties): Promise<OnEventResponse> {
  if (event.RequestType === 'Update' && await isRollingBack(event.StackId)) return rollBackTo(event, props);
  await preflight(props);
  log(`StartRestoreJob: ${props.ResourceType} from ${props.RecoveryPointArn} (metadata keys: ${Object.keys(props.Metadata ?? {}).join(', ') || 'none'})`);
  try {
    const out = await retrying(TRANSIENT_RETRY, () => client().send(new StartRestoreJobCommand({
      RecoveryPointArn: props.RecoveryPointArn,
      ResourceType: props.ResourceType,
      IamRoleArn: props.IamRoleArn,
      Metadata: props.Metadata ?? {},
      CopySourceTagsToRestoredResource: props.CopySourceTagsToRestoredResource,
      IdempotencyToken: idempotencyToken(event, props),
    })));
    log(`Restore job ${out.RestoreJobId} started`);
    return { PhysicalResourceId: out.RestoreJobId! };
  } catch (error) {
    const hints: Record<string, string> = {
      ResourceNotFoundException: 'the recovery point does not exist, or this account cannot see it',
      InvalidParameterValueException: 'a value is not accepted (check the metadata against GetRecoveryPointRestoreMetadata)',
      MissingParameterValueException: 'a required value is missing (the resource type may need more metadata)',
      InvalidRequestException: 'the request is not valid for this recovery point',
      ServiceUnavailableException: 'AWS Backup kept failing',
    };
    throw explain(error, `StartRestoreJob of ${props.RecoveryPointArn} (${props.ResourceType})`, hints);
  }
}

async function describeJob(jobId: string): Promise<DescribeRestoreJobCommandOutput> {
  return retrying(TRANSIENT_RETRY, () => client().send(new DescribeRestoreJobCommand({ RestoreJobId: jobId })));
}

export const backupRestoreJobHandler = restoreLifecycle({
  kind: BACKUP_RESTORE_JOB,
  // Other inputs mean another restore: a new job, and CloudFormation "deletes" the old one (a no-op).
  start,
  leftInPlace: (id) => `Restore job ${id}: the resource it restored is not managed by this stack and is left in place`,

  async poll(event: IsCompleteRequest): Promise<PollResult> {
    const job = await describeJob(event.PhysicalResourceId);
    const status = job.Status ?? 'unknown';
    // Progress at every poll, for whoever watches the logs.
    log(`Restore job ${event.PhysicalResourceId}: ${status}, ${job.PercentDone ?? '?'} done, expected to take ${job.ExpectedCompletionTimeMinutes ?? '?'} minutes in all`);
    if (status === 'FAILED' || status === 'ABORTED') {
      throw new Error(`Restore job ${event.PhysicalResourceId} ${status}: ${job.StatusMessage ?? 'AWS Backup gave no message'}`);
    }
    return { done: status === 'COMPLETED', status: job.PercentDone ? `${status} (${job.PercentDone} done)` : status, percentDone: percentOf(job.PercentDone) };
  },

  async describe(restored: AttributesProperties): Promise<Record<string, string>> {
    const job = await describeJob(restored.RestoredId);
    return {
      RestoreJobId: job.RestoreJobId ?? restored.RestoredId,
      CreatedResourceArn: job.CreatedResourceArn ?? '',
      Status: job.Status ?? '',
      ResourceType: job.ResourceType ?? '',
      CompletionDate: job.CompletionDate?.toISOString() ?? '',
    };
  },
});
