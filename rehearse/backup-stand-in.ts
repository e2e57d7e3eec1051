/**
 * AWS Backup's restore jobs, played locally for a rehearsal: moto_server does not implement
 * StartRestoreJob or DescribeRestoreJob. It keeps recovery points and jobs, checks what the service
 * would (the recovery point exists and is of the resource type asked for; the required members are
 * there), honours the idempotency token, and walks a job from PENDING through RUNNING to COMPLETED
 * with PercentDone, answering in the service's REST-JSON wire format. It also describes its recovery
 * points and their restore metadata (DescribeRecoveryPoint, GetRecoveryPointRestoreMetadata), each in
 * the vault it was put in. It does not evaluate IAM, so the role a job would pass is not checked.
 */
import { randomBytes, randomUUID } from 'crypto';
import * as http from 'http';
import { JsonStandIn, StandInAnswer } from './local-stand-in';

interface Job {
  readonly id: string;
  readonly recoveryPointArn: string;
  readonly resourceType: string;
  readonly iamRoleArn: string;
  readonly createdAt: number;
  readonly createdResourceArn: string;
  looks: number;
}

/** A recovery point as the stand-in holds it. */
export interface StandInRecoveryPoint {
  /** The vault that holds it. */
  readonly vault?: string;
  /** Its status, as DescribeRecoveryPoint names it. */
  readonly status?: string;
  /** Its restore metadata, as GetRecoveryPointRestoreMetadata lists it. */
  readonly metadata?: Record<string, string>;
}

interface HeldPoint {
  readonly resourceType: string;
  readonly vault: string;
  readonly status: string;
  readonly metadata: Record<string, string>;
}

/** Looks at a job before it completes: PENDING, then RUNNING, then COMPLETED. */
const LOOKS_TO_COMPLETE = 2;
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

/** An ARN for the resource a restore job of this type creates. */
function createdResourceArn(resourceType: string): string {
  const id = randomBytes(8).toString('hex');
  const arns: Record<string, string> = {
    EFS: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/fs-${id}`,
    EBS: `arn:aws:ec2:${REGION}::snapshot/snap-${id}`,
    EC2: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-${id}`,
    RDS: `arn:aws:rds:${REGION}:${ACCOUNT}:db:restored-${id}`,
    Aurora: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:restored-${id}`,
    DynamoDB: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/restored-${id}`,
    S3: `arn:aws:s3:::restored-${id}`,
  };
  return arns[resourceType] ?? `arn:aws:backup:${REGION}:${ACCOUNT}:restored-resource:${resourceType.toLowerCase()}-${id}`;
}

export class BackupStandIn extends JsonStandIn {
  /** Recovery points: the resource type each holds, and where. */
  private readonly recoveryPoints = new Map<string, HeldPoint>();
  private readonly jobs = new Map<string, Job>();
  private readonly tokens = new Map<string, string>();
  /** A recovery point of this type, by default COMPLETED in the vault named Default (every account has one), without metadata. */
  addRecoveryPoint(arn: string, resourceType: string, point: StandInRecoveryPoint = {}): void {
    this.recoveryPoints.set(arn, { resourceType, vault: point.vault ?? 'Default', status: point.status ?? 'COMPLETED', metadata: point.metadata ?? {} });
  }

  hasRecoveryPoint(arn: string): boolean {
    return this.recoveryPoints.has(arn);
  }

  /** The jobs started, and whether each has completed. */
  get startedJobs(): Array<{ id: string; recoveryPointArn: string; completed: boolean; createdResourceArn: string }> {
    return [...this.jobs.values()].map((j) => ({
      id: j.id, recoveryPointArn: j.recoveryPointArn, completed: j.looks > LOOKS_TO_COMPLETE, createdResourceArn: j.createdResourceArn,
    }));
  }

  protected answer(req: http.IncomingMessage, body: string): StandInAnswer {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'PUT' && url.pathname === '/restore-jobs') {
      let input: any;
      try {
        input = JSON.parse(body || '{}');
      } catch {
        return error(400, 'InvalidParameterValueException', 'The request body is not JSON.');
      }
      return this.startJob(input);
    }
    const describe = /^\/restore-jobs\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && describe) return this.describeJob(decodeURIComponent(describe[1]));
    const point = /^\/backup-vaults\/([^/]+)\/recovery-points\/([^/]+)(\/restore-metadata)?$/.exec(url.pathname);
    if (req.method === 'GET' && point) return this.describePoint(decodeURIComponent(point[1]), decodeURIComponent(point[2]), Boolean(point[3]));
    return error(404, 'UnknownOperationException', 'The rehearsal\'s AWS Backup stand-in plays StartRestoreJob, DescribeRestoreJob, DescribeRecoveryPoint '
      + `and GetRecoveryPointRestoreMetadata, not ${req.method} ${url.pathname}.`);
  }

  /** DescribeRecoveryPoint, or with `metadata` GetRecoveryPointRestoreMetadata, of a point in the vault named. */
  private describePoint(vault: string, arn: string, metadata: boolean): StandInAnswer {
    const held = this.recoveryPoints.get(arn);
    if (!held || held.vault !== vault) return error(404, 'ResourceNotFoundException', `Recovery point ${arn} is not in backup vault ${vault}.`);
    const vaultArn = `arn:aws:backup:${REGION}:${ACCOUNT}:backup-vault:${vault}`;
    if (metadata) {
      const body = { BackupVaultArn: vaultArn, RecoveryPointArn: arn, ResourceType: held.resourceType, RestoreMetadata: held.metadata };
      return { status: 200, body };
    }
    return {
      status: 200,
      body: {
        RecoveryPointArn: arn,
        BackupVaultName: vault,
        BackupVaultArn: vaultArn,
        ResourceType: held.resourceType,
        Status: held.status,
        ResourceArn: `arn:aws:backup:${REGION}:${ACCOUNT}:source:${held.resourceType.toLowerCase()}`,
        CreationDate: Date.now() / 1000 - 3600,
      },
    };
  }

  private startJob(input: any): StandInAnswer {
    for (const member of ['RecoveryPointArn', 'Metadata']) {
      if (input[member] === undefined) return error(400, 'MissingParameterValueException', `${member} is required.`);
    }
    const held = this.recoveryPoints.get(input.RecoveryPointArn);
    if (!held) return error(404, 'ResourceNotFoundException', `Recovery point ${input.RecoveryPointArn} does not exist.`);
    if (input.ResourceType && input.ResourceType !== held.resourceType) {
      return error(400, 'InvalidRequestException', `Recovery point ${input.RecoveryPointArn} holds a ${held.resourceType} resource, not ${input.ResourceType}.`);
    }
    const earlier = input.IdempotencyToken ? this.tokens.get(input.IdempotencyToken) : undefined;
    if (earlier) return { status: 200, body: { RestoreJobId: earlier } };
    const id = randomUUID().toUpperCase();
    this.jobs.set(id, {
      id,
      recoveryPointArn: input.RecoveryPointArn,
      resourceType: held.resourceType,
      iamRoleArn: input.IamRoleArn ?? '',
      createdAt: Date.now() / 1000,
      createdResourceArn: createdResourceArn(held.resourceType),
      looks: 0,
    });
    if (input.IdempotencyToken) this.tokens.set(input.IdempotencyToken, id);
    return { status: 200, body: { RestoreJobId: id } };
  }

  private describeJob(id: string): StandInAnswer {
    const job = this.jobs.get(id);
    if (!job) return error(404, 'ResourceNotFoundException', `Restore job ${id} does not exist.`);
    const look = job.looks++;
    const completed = look >= LOOKS_TO_COMPLETE;
    const status = completed ? 'COMPLETED' : look === 0 ? 'PENDING' : 'RUNNING';
    return {
      status: 200,
      body: {
        AccountId: ACCOUNT,
        RestoreJobId: id,
        RecoveryPointArn: job.recoveryPointArn,
        CreationDate: job.createdAt,
        Status: status,
        PercentDone: completed ? '100%' : `${Math.round((100 * look) / LOOKS_TO_COMPLETE)}%`,
        ExpectedCompletionTimeMinutes: 1,
        IamRoleArn: job.iamRoleArn,
        ResourceType: job.resourceType,
        ...(completed ? { CompletionDate: Date.now() / 1000, CreatedResourceArn: job.createdResourceArn } : {}),
      },
    };
  }
}

function error(status: number, code: string, message: string): StandInAnswer {
  return { status, headers: { 'x-amzn-errortype': code }, body: { Code: code, Message: message } };
}
