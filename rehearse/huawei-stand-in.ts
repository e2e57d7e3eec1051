/**
 * Huawei Cloud RDS, played locally for rehearsals and tests.
 */
import { randomBytes } from 'crypto';
import * as http from 'http';
// The official Huawei Cloud signer, to check each request's signature as the API gateway does.
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { JsonStandIn, StandInAnswer } from './local-stand-in';

/**
 * Huawei Cloud RDS, played locally for a rehearsal: no emulator covers it, and a rehearsal must never
 * reach a real cloud. It keeps instances, backups and jobs, checks each request's signature with the
 * official signer against the credentials of the secret the restore names, checks what the service
 * would (the instances and the backup exist), and walks a recovery job from Running to Completed with
 * its progress, in the v3/v3.1 wire format the handler speaks. Its error codes for what the reference does
 * not document start with REHEARSAL, and so does nothing else: a started job is answered 202, which the
 * reference does not state either.
 */

interface Job {
  readonly id: string;
  readonly projectId: string;
  readonly instanceId: string;
  looks: number;
}

/** Looks at a job before it completes: the rehearsal shows the progress in between. */
const LOOKS_TO_COMPLETE = 2;

export class HuaweiRdsStandIn extends JsonStandIn {
  /** Instance ids, by project. */
  private readonly instances = new Map<string, Set<string>>();
  /** Backup ids and the instance each is of, by project. */
  private readonly backups = new Map<string, Map<string, string>>();
  private readonly jobs = new Map<string, Job>();
  private readonly credentials = new Map<string, string>();
  /** Credentials the stand-in accepts signatures of (the access key's secret key, by access key id). */
  acceptCredentials(accessKeyId: string, secretAccessKey: string): void {
    this.credentials.set(accessKeyId, secretAccessKey);
  }

  addInstance(projectId: string, instanceId: string): void {
    this.instances.set(projectId, new Set([...(this.instances.get(projectId) ?? []), instanceId]));
  }

  addBackup(projectId: string, backupId: string, instanceId: string): void {
    this.backups.set(projectId, new Map([...(this.backups.get(projectId) ?? []), [backupId, instanceId]]));
  }

  hasInstance(projectId: string, instanceId: string): boolean {
    return this.instances.get(projectId)?.has(instanceId) ?? false;
  }

  /** The jobs started, with the instance each restored into. */
  get startedJobs(): Array<{ id: string; instanceId: string; completed: boolean }> {
    return [...this.jobs.values()].map((j) => ({ id: j.id, instanceId: j.instanceId, completed: j.looks >= LOOKS_TO_COMPLETE }));
  }

  protected answer(req: http.IncomingMessage, body: string): StandInAnswer {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let json: any;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      return error(400, 'REHEARSAL.InvalidParameter', 'The request body is not JSON.');
    }
    // The gateway signs the bytes sent; the signer here hashes the body as the SDK serializes it, so the two must match.
    if ((json !== undefined && JSON.stringify(json) !== body) || !this.signatureValid(req, url, json)) return error(401, 'APIGW.0301', 'Incorrect IAM authentication information: verify aksk signature fail');
    const recovery = /^\/v3\.1\/([^/]+)\/instances\/recovery$/.exec(url.pathname);
    if (req.method === 'POST' && recovery) return this.recover(recovery[1], json);
    const jobs = /^\/v3\/([^/]+)\/jobs$/.exec(url.pathname);
    if (req.method === 'GET' && jobs) return this.job(jobs[1], url.searchParams.get('id') ?? '');
    return error(404, 'APIGW.0101', `The API does not exist or has not been published in the environment: ${req.method} ${url.pathname}`);
  }

  private recover(projectId: string, request: any): StandInAnswer {
    const source = request?.source ?? {};
    const target = request?.target ?? {};
    for (const [role, id] of [['source', source.instance_id], ['target', target.instance_id]]) {
      if (!id) return error(400, 'REHEARSAL.InvalidParameter', `Invalid parameter: ${role}.instance_id is required.`);
      if (!this.hasInstance(projectId, id)) return error(404, 'REHEARSAL.InstanceNotFound', `The ${role} DB instance ${id} does not exist in project ${projectId}.`);
    }
    // The reference makes type optional when a backup is named.
    if (source.type === 'backup' || (source.type === undefined && source.backup_id)) {
      const of = this.backups.get(projectId)?.get(source.backup_id);
      if (!of) return error(404, 'REHEARSAL.BackupNotFound', `The backup ${source.backup_id} does not exist.`);
      if (of !== source.instance_id) return error(400, 'REHEARSAL.InvalidParameter', `The backup ${source.backup_id} is not a backup of instance ${source.instance_id}.`);
    } else if (source.type === 'timestamp') {
      if (!Number.isInteger(source.restore_time) || source.restore_time > Date.now()) {
        return error(400, 'REHEARSAL.InvalidParameter', `Invalid parameter: restore_time ${source.restore_time} is not a past time in milliseconds.`);
      }
    } else {
      return error(400, 'REHEARSAL.InvalidParameter', `Invalid parameter: source.type ${source.type} is neither backup nor timestamp.`);
    }
    const id = randomBytes(16).toString('hex');
    this.jobs.set(id, { id, projectId, instanceId: target.instance_id, looks: 0 });
    return { status: 202, body: { job_id: id } };
  }

  private job(projectId: string, id: string): StandInAnswer {
    const job = this.jobs.get(id);
    if (!job || job.projectId !== projectId) return error(404, 'REHEARSAL.JobNotFound', `The job ${id} does not exist.`);
    job.looks++;
    const completed = job.looks >= LOOKS_TO_COMPLETE;
    return {
      status: 200,
      body: {
        job: {
          id,
          name: 'RestoreMysqlInstance',
          status: completed ? 'Completed' : 'Running',
          process: completed ? '100%' : `${Math.round((100 * job.looks) / LOOKS_TO_COMPLETE)}%`,
          instance: { id: job.instanceId },
        },
      },
    };
  }

  private signatureValid(req: http.IncomingMessage, url: URL, json: unknown): boolean {
    const accessKeyId = /Access=([^,]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
    const secretAccessKey = accessKeyId ? this.credentials.get(accessKeyId) : undefined;
    if (!accessKeyId || !secretAccessKey) return false;
    const request = {
      endpoint: `${this.endpoint}${url.pathname}`,
      method: req.method,
      headers: { 'content-type': req.headers['content-type'], 'X-Sdk-Date': req.headers['x-sdk-date'] },
      queryParams: Object.fromEntries(url.searchParams),
      data: json,
      pathParams: {},
    };
    const expected = AKSKSigner.sign(request as any, { getAk: () => accessKeyId, getSk: () => secretAccessKey } as any) as Record<string, string>;
    return req.headers.authorization === expected.Authorization;
  }
}

function error(status: number, code: string, message: string): StandInAnswer {
  return { status, body: { error_code: code, error_msg: message } };
}
