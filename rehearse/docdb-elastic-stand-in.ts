/**
 * DocumentDB Elastic cluster snapshots, played locally for a rehearsal: moto_server does not implement
 * the docdb-elastic API. It keeps snapshots and their tags, checks what the service would (the source
 * snapshot exists, the target name is free, required members are there), walks a copy from CREATING to
 * ACTIVE and a deleted snapshot through DELETING, and answers in the REST-JSON shapes of the API model.
 * It does not evaluate IAM or KMS key policies.
 */
import { randomBytes } from 'crypto';
import * as http from 'http';
import { JsonStandIn, StandInAnswer } from './local-stand-in';

interface Snapshot {
  readonly arn: string;
  readonly name: string;
  readonly clusterArn: string;
  readonly kmsKeyId: string;
  /** As the API writes it in a snapshot (the list's filter takes it in lowercase). */
  readonly type: 'MANUAL' | 'AUTOMATED';
  readonly createdAt: string;
  status: string;
  looks: number;
}

/** Looks at a new copy before it is ACTIVE. */
const LOOKS_TO_ACTIVE = 1;
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

export class DocDbElasticStandIn extends JsonStandIn {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly tags = new Map<string, Record<string, string>>();
  /** Snapshots that existed and were deleted, with their names. */
  readonly deleted: string[] = [];

  /** A snapshot of a cluster, as a source to copy from. */
  addSnapshot(arn: string, name = arn.split('/').pop() ?? 'source'): void {
    this.snapshots.set(arn, {
      arn,
      name,
      clusterArn: `arn:aws:docdb-elastic:${REGION}:${ACCOUNT}:cluster/${randomBytes(16).toString('hex')}`,
      kmsKeyId: 'AWS_OWNED_KMS_KEY',
      type: 'MANUAL',
      createdAt: new Date().toISOString(),
      status: 'ACTIVE',
      looks: LOOKS_TO_ACTIVE,
    });
  }

  hasSnapshot(arn: string): boolean {
    return this.snapshots.has(arn);
  }

  /** The snapshots held, by name, with their status. */
  get held(): Array<{ name: string; arn: string; status: string }> {
    return [...this.snapshots.values()].map((s) => ({ name: s.name, arn: s.arn, status: s.status }));
  }

  protected answer(req: http.IncomingMessage, body: string): StandInAnswer {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let input: any = {};
    try {
      input = body ? JSON.parse(body) : {};
    } catch {
      return error(400, 'ValidationException', 'The request body is not JSON.');
    }
    const path = url.pathname.split('/').map(decodeURIComponent);
    const method = req.method;
    if (method === 'POST' && path[1] === 'cluster-snapshot' && path[3] === 'copy' && path.length === 4) return this.copy(path[2], input);
    if (path[1] === 'cluster-snapshot' && path.length === 3) {
      if (method === 'GET') return this.get(path[2]);
      if (method === 'DELETE') return this.delete(path[2]);
    }
    if (method === 'GET' && url.pathname === '/cluster-snapshots') return this.list(url.searchParams.get('snapshotType') ?? undefined);
    if (path[1] === 'tags' && path.length === 3) {
      if (method === 'GET') return this.tagsOf(path[2]);
      if (method === 'POST') return this.tag(path[2], input.tags);
      if (method === 'DELETE') return this.untag(path[2], url.searchParams.getAll('tagKeys'));
    }
    return error(404, 'UnknownOperationException', `The rehearsal's DocumentDB Elastic stand-in does not play ${method} ${url.pathname}.`);
  }

  private copy(sourceArn: string, input: any): StandInAnswer {
    if (!input.targetSnapshotName) return error(400, 'ValidationException', 'targetSnapshotName is required.');
    const source = this.snapshots.get(sourceArn);
    if (!source) return error(404, 'ResourceNotFoundException', `Snapshot ${sourceArn} not found.`);
    const name = String(input.targetSnapshotName);
    if ([...this.snapshots.values()].some((s) => s.name.toLowerCase() === name.toLowerCase())) {
      return error(409, 'ConflictException', `A snapshot named ${name} already exists.`);
    }
    const arn = `arn:aws:docdb-elastic:${REGION}:${ACCOUNT}:cluster-snapshot/${randomBytes(16).toString('hex')}`;
    const copy: Snapshot = {
      arn,
      name,
      clusterArn: source.clusterArn,
      kmsKeyId: input.kmsKeyId ?? source.kmsKeyId,
      type: 'MANUAL',
      createdAt: new Date().toISOString(),
      status: 'CREATING',
      looks: 0,
    };
    this.snapshots.set(arn, copy);
    this.tags.set(arn, { ...(input.copyTags ? this.tags.get(sourceArn) : {}), ...(input.tags ?? {}) });
    return { status: 200, body: { snapshot: shapeOf(copy) } };
  }

  private get(arn: string): StandInAnswer {
    const snapshot = this.snapshots.get(arn);
    if (!snapshot) return error(404, 'ResourceNotFoundException', `Snapshot ${arn} not found.`);
    if (snapshot.status === 'DELETING') {
      // Gone at the next look, as a delete that finished.
      this.snapshots.delete(arn);
      this.tags.delete(arn);
      this.deleted.push(snapshot.name);
    } else if (snapshot.status === 'CREATING' && ++snapshot.looks > LOOKS_TO_ACTIVE) {
      snapshot.status = 'ACTIVE';
    }
    return { status: 200, body: { snapshot: shapeOf(snapshot) } };
  }

  private delete(arn: string): StandInAnswer {
    const snapshot = this.snapshots.get(arn);
    if (!snapshot) return error(404, 'ResourceNotFoundException', `Snapshot ${arn} not found.`);
    if (snapshot.status === 'CREATING') return error(409, 'ConflictException', `Snapshot ${arn} is being created and cannot be deleted yet.`);
    snapshot.status = 'DELETING';
    return { status: 200, body: { snapshot: shapeOf(snapshot) } };
  }

  private list(type: string | undefined): StandInAnswer {
    const snapshots = [...this.snapshots.values()].filter((s) => !type || s.type === type.toUpperCase());
    return {
      status: 200,
      body: {
        snapshots: snapshots.map((s) => ({
          clusterArn: s.clusterArn, snapshotArn: s.arn, snapshotCreationTime: s.createdAt, snapshotName: s.name, status: s.status,
        })),
      },
    };
  }

  private tagsOf(arn: string): StandInAnswer {
    if (!this.snapshots.has(arn)) return error(404, 'ResourceNotFoundException', `Resource ${arn} not found.`);
    return { status: 200, body: { tags: this.tags.get(arn) ?? {} } };
  }

  private tag(arn: string, tags: Record<string, string> | undefined): StandInAnswer {
    if (!this.snapshots.has(arn)) return error(404, 'ResourceNotFoundException', `Resource ${arn} not found.`);
    if (!tags) return error(400, 'ValidationException', 'tags is required.');
    this.tags.set(arn, { ...this.tags.get(arn), ...tags });
    return { status: 200, body: {} };
  }

  private untag(arn: string, keys: string[]): StandInAnswer {
    if (!this.snapshots.has(arn)) return error(404, 'ResourceNotFoundException', `Resource ${arn} not found.`);
    if (!keys.length) return error(400, 'ValidationException', 'tagKeys is required.');
    const kept = { ...this.tags.get(arn) };
    for (const key of keys) delete kept[key];
    this.tags.set(arn, kept);
    return { status: 200, body: {} };
  }
}

/** A snapshot as the API describes it (ClusterSnapshot). */
function shapeOf(s: Snapshot): object {
  return {
    adminUserName: 'admin',
    clusterArn: s.clusterArn,
    clusterCreationTime: s.createdAt,
    kmsKeyId: s.kmsKeyId,
    snapshotArn: s.arn,
    snapshotCreationTime: s.createdAt,
    snapshotName: s.name,
    snapshotType: s.type,
    status: s.status,
    subnetIds: [],
    vpcSecurityGroupIds: [],
  };
}

function error(status: number, code: string, message: string): StandInAnswer {
  return { status, headers: { 'x-amzn-errortype': code }, body: { message } };
}
