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
 * reach a real cloud. It keeps instances (engine, version, storage, time zone, parameters, databases),
 * backups and jobs; checks each request's signature with the official signer against the credentials of
 * the secret the restore names; answers the lookups the handler's pre-flight makes (Querying DB Instances,
 * the instance's parameters, Obtaining Backups, Querying the Restoration Time Range, the databases) in the
 * members of the official SDK's response models; checks what the service would of a restore (the instances
 * and the backup exist); and walks a recovery job from Running to Completed with its progress. Its error
 * codes for what the reference does not document start with REHEARSAL, and so does nothing else: a started
 * job is answered 202, which the reference does not state either.
 */

/** An instance as the stand-in holds it. */
export interface StandInInstance {
  /** datastore.type: MySQL, PostgreSQL or SQLServer. */
  readonly engine: string;
  /** datastore.version: 8.0, 14, 2017_EE. */
  readonly version: string;
  /** datastore.complete_version, which the service gives only for MySQL and PostgreSQL. */
  readonly completeVersion?: string;
  readonly status: string;
  /** volume.size, in GB. */
  readonly sizeGb: number;
  /** UTC+08:00 for MySQL and PostgreSQL; a Windows time zone name for SQL Server. */
  readonly timeZone: string;
  /** Parameter values, as strings (the service answers every value so). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly databases: readonly string[];
  /** The collation the instance's databases answer as their character_set. */
  readonly collation: string;
  /** A Flexus RDS instance, which the instance list shows only when group_type=flexus asks for it. */
  readonly flexus?: boolean;
  /** Milliseconds since the epoch: the start of its one restorable range, which ends now. */
  readonly restorableFrom: number;
}

/** A backup as the stand-in holds it. */
export interface StandInBackup {
  readonly instanceId: string;
  /** BUILDING, COMPLETED, FAILED or DELETING. */
  readonly status: string;
}

/** What an instance of each engine is, unless it is given otherwise: a passing pair for a rehearsal. */
const ENGINE_DEFAULTS: Record<string, Omit<StandInInstance, 'status' | 'restorableFrom'>> = {
  mysql: { engine: 'MySQL', version: '8.0', completeVersion: '8.0.28', sizeGb: 40, timeZone: 'UTC+00:00', parameters: { lower_case_table_names: '1' }, databases: [], collation: 'utf8mb4' },
  postgresql: { engine: 'PostgreSQL', version: '14', completeVersion: '14.4', sizeGb: 40, timeZone: 'UTC+00:00', parameters: {}, databases: [], collation: 'UTF8' },
  sqlserver: { engine: 'SQLServer', version: '2017_EE', sizeGb: 40, timeZone: 'UTC', parameters: {}, databases: [], collation: 'Chinese_PRC_CI_AS' },
};

interface Job {
  readonly id: string;
  readonly projectId: string;
  readonly instanceId: string;
  looks: number;
}

/** Looks at a job before it completes: the rehearsal shows the progress in between. */
const LOOKS_TO_COMPLETE = 2;

const DAY_MS = 86_400_000;

export class HuaweiRdsStandIn extends JsonStandIn {
  /** Instances, by project and id. */
  private readonly instances = new Map<string, Map<string, StandInInstance>>();
  /** Backups, by project and id. */
  private readonly backups = new Map<string, Map<string, StandInBackup>>();
  private readonly jobs = new Map<string, Job>();
  /** Every restore request that reached the stand-in with a valid signature, accepted or refused. */
  readonly recoveryRequests: object[] = [];
  private readonly credentials = new Map<string, string>();
  /** Credentials the stand-in accepts signatures of (the access key's secret key, by access key id). */
  acceptCredentials(accessKeyId: string, secretAccessKey: string): void {
    this.credentials.set(accessKeyId, secretAccessKey);
  }

  /**
   * An available instance of the engine (mysql, postgresql or sqlserver; MySQL unless given), restorable
   * for the last seven days, with what `details` says otherwise.
   */
  addInstance(projectId: string, instanceId: string, engine = 'mysql', details: Partial<StandInInstance> = {}): void {
    const held = this.instances.get(projectId) ?? new Map<string, StandInInstance>();
    held.set(instanceId, { ...ENGINE_DEFAULTS[engine], status: 'ACTIVE', restorableFrom: Date.now() - 7 * DAY_MS, ...details });
    this.instances.set(projectId, held);
  }

  addBackup(projectId: string, backupId: string, instanceId: string, status = 'COMPLETED'): void {
    const held = this.backups.get(projectId) ?? new Map<string, StandInBackup>();
    held.set(backupId, { instanceId, status });
    this.backups.set(projectId, held);
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
    return this.route(req.method ?? 'GET', url, json);
  }

  /** The answer to a request whose signature was checked. */
  private route(method: string, url: URL, json?: any): StandInAnswer {
    if (method === 'GET') {
      const lookup = this.lookup(url);
      if (lookup) return lookup;
    }
    const recovery = /^\/v3\.1\/([^/]+)\/instances\/recovery$/.exec(url.pathname);
    if (method === 'POST' && recovery) {
      this.recoveryRequests.push(json);
      return this.recover(recovery[1], json);
    }
    const jobs = /^\/v3\/([^/]+)\/jobs$/.exec(url.pathname);
    if (method === 'GET' && jobs) return this.job(jobs[1], url.searchParams.get('id') ?? '');
    return error(404, 'APIGW.0101', `The API does not exist or has not been published in the environment: ${method} ${url.pathname}`);
  }

  /**
   * The answer to one of the pre-flight's lookups, or undefined for a path that is none of them; public, so
   * that a test double scripting the restore's own requests answers the lookups from this model.
   */
  lookup(url: URL): StandInAnswer | undefined {
    const query = url.searchParams;
    const list = /^\/v3\/([^/]+)\/instances$/.exec(url.pathname);
    if (list) return this.listInstances(list[1], query);
    const backups = /^\/v3\/([^/]+)\/backups$/.exec(url.pathname);
    if (backups) return this.listBackups(backups[1], query);
    const of = /^\/v3\/([^/]+)\/instances\/([^/]+)\/(configurations|restore-time|database\/detail)$/.exec(url.pathname);
    if (!of) return undefined;
    const instance = this.instances.get(of[1])?.get(of[2]);
    if (!instance) return error(404, 'DBS.200823', `The DB instance ${of[2]} does not exist.`);
    if (of[3] === 'configurations') {
      return ok({
        datastore_version_name: instance.version,
        datastore_name: instance.engine.toLowerCase(),
        configuration_parameters: Object.entries(instance.parameters).map(([name, value]) => ({
          name, value, restart_required: true, readonly: false, value_range: '', type: 'string', description: '',
        })),
      });
    }
    if (of[3] === 'restore-time') return ok({ restore_time: restorableOn(instance, query.get('date')) });
    const [page, limit] = [Number(query.get('page')), Number(query.get('limit'))];
    // The SDK's request model makes both required, limit at most 100.
    if (!(page >= 1) || !(limit >= 1 && limit <= 100)) return error(400, 'REHEARSAL.InvalidParameter', 'Invalid parameter: page (from 1) and limit (1 to 100) are required.');
    const names = instance.databases.slice((page - 1) * limit, page * limit);
    return ok({ databases: names.map((name) => ({ name, character_set: instance.collation, state: 'Running' })), total_count: instance.databases.length });
  }

  /** Querying DB Instances: by id, exact (the service's leading-* fuzzy match is not played); Flexus ones only when asked for. */
  private listInstances(projectId: string, query: URLSearchParams): StandInAnswer {
    const id = query.get('id');
    const flexus = query.get('group_type') === 'flexus';
    const all = [...(this.instances.get(projectId) ?? new Map<string, StandInInstance>()).entries()]
      .filter(([key, i]) => (!id || key === id) && Boolean(i.flexus) === flexus);
    return ok({
      instances: all.map(([key, i]) => ({
        id: key,
        name: key,
        status: i.status,
        type: 'Single',
        datastore: { type: i.engine, version: i.version, ...(i.completeVersion ? { complete_version: i.completeVersion } : {}) },
        volume: { type: 'CLOUDSSD', size: i.sizeGb },
        time_zone: i.timeZone,
        region: 'rehearsal',
      })),
      total_count: all.length,
    });
  }

  /** Obtaining Backups: instance_id is required; backup_id narrows. */
  private listBackups(projectId: string, query: URLSearchParams): StandInAnswer {
    const instanceId = query.get('instance_id');
    if (!instanceId) return error(400, 'REHEARSAL.InvalidParameter', 'Invalid parameter: instance_id is required.');
    const id = query.get('backup_id');
    const all = [...(this.backups.get(projectId) ?? new Map<string, StandInBackup>()).entries()]
      .filter(([key, b]) => b.instanceId === instanceId && (!id || key === id));
    return ok({
      backups: all.map(([key, b]) => ({ id: key, name: key, instance_id: b.instanceId, status: b.status, type: 'manual' })),
      total_count: all.length,
    });
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
      if (of.instanceId !== source.instance_id) return error(400, 'REHEARSAL.InvalidParameter', `The backup ${source.backup_id} is not a backup of instance ${source.instance_id}.`);
      if (of.status !== 'COMPLETED') return error(400, 'REHEARSAL.InvalidParameter', `The backup ${source.backup_id} is ${of.status}, not COMPLETED.`);
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

/**
 * An instance's restorable range cut to the UTC day asked for, as the reference describes the date parameter;
 * without a date, the whole range. How the service cuts a range at midnight is a guess.
 */
function restorableOn(instance: StandInInstance, date: string | null): Array<{ start_time: number; end_time: number }> {
  const [from, to] = [instance.restorableFrom, Date.now()];
  if (!date) return [{ start_time: from, end_time: to }];
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const [start, end] = [Math.max(from, dayStart), Math.min(to, dayStart + DAY_MS - 1)];
  return start <= end ? [{ start_time: start, end_time: end }] : [];
}

function ok(body: object): StandInAnswer {
  return { status: 200, body };
}

function error(status: number, code: string, message: string): StandInAnswer {
  return { status, body: { error_code: code, error_msg: message } };
}
