/** Huawei Cloud RDS v3.1 "restore to an existing DB instance", then its job until it ends. */
import { callHuawei, HuaweiApiError, HuaweiCredentials, isInstanceBusyError, isTransientHuaweiError, readCredentials, wasRefusedUnread } from './api';
import { HuaweiLookup, huaweiPreflight } from './preflight';
import { AttributesProperties } from '../../lib/private/contracts/common';
import { HUAWEI_RDS_RECOVERY, HuaweiRdsRecoveryProperties } from '../../lib/private/kinds/huawei-rds-recovery';
import { sameGenerationRestore } from '../shared/earlier-restores';
import { failure, transientRetry } from '../shared/errors';
import { restoreLifecycle } from '../shared/lifecycle';
import { log } from '../shared/log';
import { percentOf } from '../shared/metrics';
import { retrying, RetryPolicy } from '../shared/retry';
import { IsCompleteRequest, OnEventRequest, OnEventResponse, PollResult } from '../shared/types';

const TRANSIENT_RETRY = transientRetry('Huawei Cloud RDS call', isTransientHuaweiError);

/** The restore request is sent again only when it surely started nothing: a second one would restore twice. */
const REFUSED_RETRY = transientRetry('Huawei Cloud RDS restore request', wasRefusedUnread);

/**
 * An instance runs one operation at a time, and a backup or another job may hold it for a while. The
 * waits add up to about three minutes, inside the five the starting function has.
 */
const BUSY_RETRY: RetryPolicy = { retryable: isInstanceBusyError, delaysSeconds: [5, 10, 20, 40, 60, 60], label: 'Restoring into a busy instance' };

/** What the API's answers mean, in words a user can act on. */
export function explainHuawei(error: unknown, what: string): Error {
  const message = (error as Error)?.message ?? String(error);
  const unresolved = /(ENOTFOUND|EAI_AGAIN)\s+(\S+)/.exec(message);
  if (unresolved) {
    return new Error(`${what} failed: the endpoint's host ${unresolved[2]} could not be resolved (${unresolved[1]}), so nothing reached Huawei Cloud. `
      + 'Check the region, or the endpoint, of the construct.');
  }
  if (!(error instanceof HuaweiApiError)) return new Error(`${what} failed: ${message}`);
  const hints: Record<number, string> = {
    400: 'Huawei Cloud refused the request',
    401: 'the credentials in the secret were not accepted (check accessKeyId and secretAccessKey)',
    403: 'the credentials are not allowed to do this (check the IAM user\'s RDS permissions and the project)',
    404: 'the instance, backup or project does not exist',
    409: 'the request conflicts with the state of the instance or backup',
    429: 'Huawei Cloud kept throttling the requests',
  };
  const busy = `the instance stayed busy with another operation for ${BUSY_RETRY.delaysSeconds.reduce((a, b) => a + b, 0)} seconds; wait until that operation ends, then deploy again`;
  const hint = isInstanceBusyError(error) ? busy : hints[error.status] ?? (error.status >= 500 ? 'Huawei Cloud kept failing' : `HTTP ${error.status}`);
  return failure(what, hint, `${error.code}: ${error.message}`);
}

function requestBody(props: HuaweiRdsRecoveryProperties): object {
  return {
    source: {
      instance_id: props.SourceInstanceId,
      type: props.RestoreType,
      ...(props.RestoreType === 'backup' ? { backup_id: props.BackupId } : { restore_time: props.RestoreTime }),
      ...(props.DatabaseNames ? { database_name: props.DatabaseNames } : {}),
      ...(props.RestoreAllDatabases !== undefined ? { restore_all_database: props.RestoreAllDatabases } : {}),
    },
    target: { instance_id: props.TargetInstanceId },
  };
}

function describeRecovery(props: HuaweiRdsRecoveryProperties): string {
  const from = props.RestoreType === 'backup' ? `backup ${props.BackupId}` : `the point in time ${new Date(props.RestoreTime ?? 0).toISOString()}`;
  return `${props.Engine} instance ${props.TargetInstanceId} from ${from} of ${props.SourceInstanceId}`;
}

/** A restore request whose answer was lost: it may have started, and it is not sent again. */
function outcomeUnknown(error: unknown, props: HuaweiRdsRecoveryProperties): Error {
  const detail = error instanceof HuaweiApiError ? `HTTP ${error.status}, ${error.code}: ${error.message}` : (error as Error)?.message;
  return new Error(`Restoring ${describeRecovery(props)} may have started: Huawei Cloud's answer to the request was lost (${detail}). `
    + `It is not sent again, as a second request would restore into ${props.TargetInstanceId} a second time. Look at the instance's `
    + 'tasks (Huawei Cloud console, Task Center) before you deploy again: if a restore started, deploying again restores once more, '
    + 'so wait for it to end and decide; if none started, deploy again.');
}

/** The pre-flight's GETs, retried as any read is; a failed one says that nothing was sent. */
function lookups(props: HuaweiRdsRecoveryProperties, credentials: HuaweiCredentials): HuaweiLookup {
  return async (path, query) => {
    try {
      return await retrying(TRANSIENT_RETRY, () => callHuawei(props, credentials, 'GET', path, query));
    } catch (error) {
      throw explainHuawei(error, `Reading ${path} before restoring ${describeRecovery(props)} (nothing was sent)`);
    }
  };
}

async function start(event: OnEventRequest, props: HuaweiRdsRecoveryProperties): Promise<OnEventResponse> {
  // A changed input is a new resource, created while the stack still holds the one it replaces: without a new
  // restoreGeneration it would overwrite the instance a second time unasked.
  const generation = props.RestoreGeneration ?? 0;
  const earlier = await sameGenerationRestore(event, generation);
  if (earlier) {
    throw new Error(`This stack restored ${props.TargetInstanceId} before with ${earlier}, of the same restoreGeneration (${generation}); the inputs `
      + `changed (${describeRecovery(props)}), and restoring again overwrites the instance, which is done only when asked. Nothing was sent. To `
      + 'restore again, give restoreGeneration a new value with this change; to keep what the instance holds, put the old values back.');
  }
  const credentials = await readCredentials(props.CredentialsSecretArn);
  await huaweiPreflight(lookups(props, credentials), props);
  log(`POST /v3.1/${props.ProjectId}/instances/recovery: ${describeRecovery(props)}`);
  try {
    const post = () => callHuawei(props, credentials, 'POST', `/v3.1/${props.ProjectId}/instances/recovery`, {}, requestBody(props));
    // A refused request started nothing, so neither retry can start a second restore.
    const answer = await retrying(BUSY_RETRY, () => retrying(REFUSED_RETRY, post));
    if (!answer.job_id) throw new Error(`the answer has no job_id: ${JSON.stringify(answer).slice(0, 200)}`);
    log(`Recovery job ${answer.job_id} started`);
    return { PhysicalResourceId: String(answer.job_id) };
  } catch (error) {
    if (isTransientHuaweiError(error) && !wasRefusedUnread(error)) throw outcomeUnknown(error, props);
    throw explainHuawei(error, `Restoring ${describeRecovery(props)}`);
  }
}

export const huaweiRdsRecoveryHandler = restoreLifecycle({
  kind: HUAWEI_RDS_RECOVERY,
  start,
  leftInPlace: (id, props) => `Recovery job ${id}: deleting this resource does nothing to instance ${props.TargetInstanceId}; `
    + 'its restored data stays',

  async poll(event: IsCompleteRequest, props: HuaweiRdsRecoveryProperties): Promise<PollResult> {
    const credentials = await readCredentials(props.CredentialsSecretArn);
    let answer: any;
    try {
      answer = await retrying(TRANSIENT_RETRY, () => callHuawei(props, credentials, 'GET', `/v3/${props.ProjectId}/jobs`, { id: event.PhysicalResourceId }));
    } catch (error) {
      // Throttling, a 5xx or a dropped connection says nothing of the job: look again at the next poll,
      // as the AWS kinds do, until the restore's deadline.
      if (isTransientHuaweiError(error)) return { done: false, status: `unknown (${(error as Error).message})` };
      throw explainHuawei(error, `Reading recovery job ${event.PhysicalResourceId}`);
    }
    const job = answer.job ?? {};
    const status = String(job.status ?? 'unknown');
    if (status === 'Failed') {
      throw new Error(`Recovery job ${event.PhysicalResourceId} (${describeRecovery(props)}) failed: ${job.fail_reason ?? 'Huawei Cloud gave no reason'}`);
    }
    return { done: status === 'Completed', status: job.process ? `${status} (${job.process})` : status, percentDone: percentOf(job.process) };
  },

  async describe(restored: AttributesProperties): Promise<Record<string, string>> {
    return { JobId: restored.RestoredId };
  },
});
