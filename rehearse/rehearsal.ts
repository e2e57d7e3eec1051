/**
 * A rehearsal of a synthesized stack's restores, played locally through the handler bundles of its cloud
 * assembly against an AWS API emulator.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import * as kms from '@aws-sdk/client-kms';
import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssemblyStack, dependenciesOf, dependencyOrder, pickStack, readStacks, TemplateResource } from './assembly';
import { BackupStandIn } from './backup-stand-in';
import { answerCloudFormation, isCloudFormationCall } from './cloudformation';
import { DocDbElasticStandIn } from './docdb-elastic-stand-in';
import { Emulator, emulatorAnswers, startMoto, useEmulator } from './emulator';
import { HuaweiRdsStandIn } from './huawei-stand-in';
import { asCloudFormationDelivers, resolveValue } from './intrinsics';
import { RdsS3ImportStandIn } from './rds-s3-import-stand-in';
import { PlayedState, playDefinition, TaskRunner } from './state-machine-player';
import { isStepFunctionsCall, PlayedExecution, StepFunctionsStandIn } from './step-functions';
import { executionName } from '../lambda/shared/executions';
import { VALIDATION_RESOURCE_TYPE } from '../lib/private/contracts/common';
import { BACKUP_RESTORE_JOB } from '../lib/private/kinds/backup-restore-job';
import { COPIED_ELASTIC_SNAPSHOT } from '../lib/private/kinds/copied-elastic-snapshot';
import { HUAWEI_RDS_RECOVERY } from '../lib/private/kinds/huawei-rds-recovery';
import { POINT_IN_TIME_RESTORED_CLUSTER } from '../lib/private/kinds/point-in-time-restored-cluster';
import { S3_IMPORTED_AURORA_CLUSTER } from '../lib/private/kinds/s3-imported-aurora-cluster';

/**
 * A rehearsal: a synthesized stack's restores run locally, through the handler bundles of its
 * cloud assembly, against an AWS API emulator. The rehearsal plays CloudFormation (the event
 * sequence, the wait conditions), the CDK provider framework (onEvent, then isComplete until
 * complete), Step Functions and the polling state machine (its synthesized definition, interpreted); the
 * handlers and the app's Node.js validators run as in Lambda.
 */
export interface RehearsalOptions {
  /** The cloud assembly directory (cdk.out). */
  readonly app: string;
  /** The stack to rehearse; needed when the assembly has several. */
  readonly stack?: string;
  /** A running emulator; without it moto_server is started on a free 127.0.0.1 port. */
  readonly endpoint?: string;
  /** Leave what was created in place (no Delete events). */
  readonly keep?: boolean;
  /**
   * Before each restore, create in the emulator (or the stand-in) the sources it names that do not exist
   * yet, so any app rehearses without seeding. Without it a missing source fails as the service would.
   */
  readonly createSources?: boolean;
  /** Longest real pause between two polls: a rehearsal compresses the waits the handlers ask for. */
  readonly maxPauseMs?: number;
  /** Where the progress lines go. */
  readonly print?: (line: string) => void;
  /**
   * Called once every restore has been created and waited for, before the deletes: what the emulator and
   * the stand-ins hold then is the deployed stack's state.
   */
  readonly afterCreate?: (standIns: StandInState) => Promise<void>;
  /** A file to write a JSON report to: the outcome, and what the emulator and the stand-ins held after Create and after Delete. */
  readonly report?: string;
}

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
}

export interface RehearsalResult extends StandInState {
  readonly stack: string;
  readonly endpoint: string;
  /** Logical ids of the custom resources created (or adopted), in order. */
  readonly created: string[];
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

const HUAWEI_TYPE = HUAWEI_RDS_RECOVERY.resourceType;
const POINT_IN_TIME_TYPE = POINT_IN_TIME_RESTORED_CLUSTER.resourceType;
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const WAIT_TYPES = new Set(['AWS::CloudFormation::WaitConditionHandle', 'AWS::CloudFormation::WaitCondition']);

interface CustomResourceHandlers {
  readonly onEvent: string;
  readonly isComplete?: string;
}

interface Invocation {
  readonly result: any;
  readonly logs: string[];
}

/** A function that ran past its timeout: Lambda would have stopped it. */
class InvocationTimeout extends Error {}

/** A handler's error in words that say when the emulator, not the restore, is at fault. */
export function describeError(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  if (/not (yet |been )?implemented|NotImplemented/i.test(message)) {
    return `the emulator does not implement an API this restore needs: ${message}`;
  }
  // moto answers an API it lacks with an HTML error page, which the SDK then fails to parse.
  if (/<html|<!doctype|Unexpected token '<'|mismatched tags/i.test(message)) {
    return `the emulator does not implement an API this restore needs (it answered with an HTML page): ${message}`;
  }
  return message;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function randomKey(length: number): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(length), (b) => letters[b % letters.length]).join('');
}

function elapsedSince(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)}s`;
}

class Rehearsal {
  private readonly physicalIds = new Map<string, string>();
  private readonly attributes = new Map<string, Record<string, string>>();
  private readonly signals = new Map<string, Array<{ Status: string; Reason: string; UniqueId: string; Data: string }>>();
  private readonly validations: RehearsedValidation[] = [];
  private readonly executions: RehearsedExecution[] = [];
  private readonly stateMachines = new Map<string, string>();
  private readonly resources: Record<string, TemplateResource>;
  private signalBase = '';
  private signalServer?: http.Server;
  /** Huawei Cloud, played locally: a rehearsal never reaches a real cloud. */
  readonly huawei = new HuaweiRdsStandIn();
  /** AWS Backup's restore jobs, which moto lacks. */
  readonly backup = new BackupStandIn();
  /** Step Functions' executions, which the rehearsal runs itself. */
  readonly stepFunctions = new StepFunctionsStandIn();
  /** DocumentDB Elastic's cluster snapshots, which moto lacks. */
  readonly docdbElastic = new DocDbElasticStandIn();
  /** RDS's S3 import, which moto lacks; the other RDS calls pass through it to moto. Made once moto's endpoint is known. */
  rdsImport?: RdsS3ImportStandIn;

  constructor(
    private readonly stack: AssemblyStack,
    private readonly print: (line: string) => void,
    private readonly maxPauseMs: number,
    private readonly createSources: boolean,
  ) {
    this.resources = stack.resources;
  }

  async startSignalReceiver(): Promise<void> {
    this.signalServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        if (isStepFunctionsCall(req)) return this.stepFunctions.answer(req, body, res);
        // The handlers look up a wait condition handle's URL from CloudFormation, which the rehearsal plays.
        if (isCloudFormationCall(req)) {
          return answerCloudFormation(body, res, (stackId, logicalId) => (stackId === this.stackId ? this.physicalIds.get(logicalId) : undefined));
        }
        const key = new URL(req.url ?? '/', 'http://localhost').pathname.slice(1);
        try {
          this.signals.set(key, [...(this.signals.get(key) ?? []), JSON.parse(body)]);
          res.statusCode = 200;
        } catch {
          res.statusCode = 400;
        }
        res.end();
      });
    });
    await new Promise<void>((r) => this.signalServer!.listen(0, '127.0.0.1', r));
    await this.huawei.start();
    await this.backup.start();
    process.env.AWS_ENDPOINT_URL_BACKUP = this.backup.endpoint;
    await this.docdbElastic.start();
    process.env.AWS_ENDPOINT_URL_DOCDB_ELASTIC = this.docdbElastic.endpoint;
    this.rdsImport = new RdsS3ImportStandIn(String(process.env.AWS_ENDPOINT_URL));
    await this.rdsImport.start();
    process.env.AWS_ENDPOINT_URL_RDS = this.rdsImport.endpoint;
    this.signalBase = `http://127.0.0.1:${(this.signalServer.address() as AddressInfo).port}`;
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = this.signalBase;
    process.env.AWS_ENDPOINT_URL_SFN = this.signalBase;
  }

  stopSignalReceiver(): void {
    delete process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
    delete process.env.AWS_ENDPOINT_URL_SFN;
    this.signalServer?.close();
    this.huawei.close();
    delete process.env.AWS_ENDPOINT_URL_BACKUP;
    this.backup.close();
    delete process.env.AWS_ENDPOINT_URL_DOCDB_ELASTIC;
    this.docdbElastic.close();
    delete process.env.AWS_ENDPOINT_URL_RDS;
    this.rdsImport?.close();
  }

  /**
   * What a restore needs before its Create: for Huawei Cloud, the stand-in accepts the credentials of the
   * secret the restore names; with createSources, the sources it names are made where they are missing.
   */
  private async prepare(id: string, props: Record<string, any>): Promise<void> {
    const type = this.resources[id].Type;
    if (type === HUAWEI_TYPE) await this.prepareHuawei(props);
    if (type === POINT_IN_TIME_TYPE && this.createSources) await this.createSourceCluster(props);
    if (type === S3_IMPORTED_AURORA_CLUSTER.resourceType && this.createSources && await this.rdsImport!.ensureBackupFiles(props.S3BucketName, props.S3Prefix ?? '')) {
      this.print(`    created source: backup files under s3://${props.S3BucketName}/${props.S3Prefix ?? ''} (moto's S3)`);
    }
    if (type === COPIED_ELASTIC_SNAPSHOT.resourceType && this.createSources && !this.docdbElastic.hasSnapshot(props.SourceSnapshotArn)) {
      this.docdbElastic.addSnapshot(props.SourceSnapshotArn);
      this.print(`    created source: DocumentDB Elastic cluster snapshot ${props.SourceSnapshotArn} (stand-in)`);
    }
    if (type === BACKUP_RESTORE_JOB.resourceType && this.createSources && !this.backup.hasRecoveryPoint(props.RecoveryPointArn)) {
      this.backup.addRecoveryPoint(props.RecoveryPointArn, props.ResourceType);
      this.print(`    created source: ${props.ResourceType} recovery point ${props.RecoveryPointArn} (stand-in)`);
    }
  }

  private async prepareHuawei(props: Record<string, any>): Promise<void> {
    const secrets = new SecretsManagerClient({});
    const secretId = String(props.CredentialsSecretArn);
    let secret: string | undefined;
    try {
      secret = (await secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      // Without createSources the handler meets the missing secret itself, and says what is wrong.
      if (!this.createSources) return;
      // Named as the ARN says (a partial ARN, or a complete one, whose suffix the emulator resolves by name).
      const name = secretId.replace(/^arn:[^:]+:secretsmanager:[^:]+:\d+:secret:/, '');
      secret = JSON.stringify({ accessKeyId: `REHEARSAL${randomKey(12)}`, secretAccessKey: randomKey(40) });
      await secrets.send(new CreateSecretCommand({ Name: name, SecretString: secret }));
      this.print(`    created source: the credentials secret ${name} (a made-up key pair the stand-in accepts)`);
    }
    try {
      const { accessKeyId, secretAccessKey } = JSON.parse(secret ?? '');
      if (accessKeyId && secretAccessKey) this.huawei.acceptCredentials(accessKeyId, secretAccessKey);
    } catch {
      // The handler reads the secret too, and says what is wrong with it.
    }
    if (!this.createSources) return;
    const project = String(props.ProjectId);
    for (const instance of [props.SourceInstanceId, props.TargetInstanceId]) {
      if (this.huawei.hasInstance(project, instance)) continue;
      this.huawei.addInstance(project, instance);
      this.print(`    created source: Huawei Cloud RDS instance ${instance} in project ${project} (stand-in)`);
    }
    if (props.BackupId) {
      this.huawei.addBackup(project, props.BackupId, props.SourceInstanceId);
      this.print(`    created source: Huawei Cloud RDS backup ${props.BackupId} of ${props.SourceInstanceId} (stand-in)`);
    }
  }

  /**
   * A resource of the stack that a restore refers to and the emulator can hold (a KMS key, a bucket): made
   * there, so the restore gets a real ARN rather than a placeholder. False for other types.
   */
  private async createStackResource(id: string): Promise<boolean> {
    const type = this.resources[id].Type;
    if (type === 'AWS::KMS::Key') {
      const { KeyMetadata: key } = await new kms.KMSClient({}).send(new kms.CreateKeyCommand({ Description: `${this.stack.name}/${id} (rehearsal)` }));
      this.physicalIds.set(id, key!.KeyId!);
      this.attributes.set(id, { Arn: key!.Arn!, KeyId: key!.KeyId! });
      this.print(`MADE   ${id} (${type}) in the emulator: ${key!.Arn}`);
      return true;
    }
    if (type === 'AWS::S3::Bucket') {
      const name = String(this.resolve(this.resources[id].Properties?.BucketName ?? `${this.stack.name}-${id}`.toLowerCase().slice(0, 63)));
      const created = await fetch(`${process.env.AWS_ENDPOINT_URL}/${encodeURIComponent(name)}`, { method: 'PUT' });
      if (!created.ok) throw new Error(`creating bucket ${name} in the emulator answered ${created.status}`);
      this.physicalIds.set(id, name);
      this.attributes.set(id, { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` });
      this.print(`MADE   ${id} (${type}) in the emulator: ${name}`);
      return true;
    }
    return false;
  }

  /** The source cluster of a point-in-time restore, when it is named (not an ARN, not another restore's). */
  private async createSourceCluster(props: Record<string, any>): Promise<void> {
    const source = props.SourceDBClusterIdentifier;
    if (typeof source !== 'string' || source.startsWith('arn:') || source.includes('<')) return;
    const engine = String(props.Engine);
    const client: { send(command: any): Promise<any> } = engine === 'neptune' ? new neptune.NeptuneClient({}) : new rds.RDSClient({});
    const sdk: any = engine === 'neptune' ? neptune : rds;
    try {
      await client.send(new sdk.DescribeDBClustersCommand({ DBClusterIdentifier: source }));
      return;
    } catch (error) {
      if ((error as Error).name !== 'DBClusterNotFoundFault') throw error;
    }
    await client.send(new sdk.CreateDBClusterCommand({
      DBClusterIdentifier: source,
      Engine: engine,
      ...(engine === 'neptune' ? {} : { MasterUsername: 'admin', ManageMasterUserPassword: true }),
      ...(props.KmsKeyId ? { StorageEncrypted: true } : {}),
    }));
    this.print(`    created source: ${engine} cluster ${source}`);
  }

  private resolve(value: unknown): unknown {
    return resolveValue(value, {
      ref: (name) => this.ref(name),
      getAtt: (id, attribute) => this.getAtt(id, attribute),
    });
  }

  private ref(name: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stack.name,
      'AWS::StackId': this.stackId,
      'AWS::NoValue': '',
    };
    if (name in pseudo) return pseudo[name];
    const known = this.physicalIds.get(name);
    if (known !== undefined) return known;
    return `<${name}>`;
  }

  private getAtt(id: string, attribute: string): string {
    const value = this.attributes.get(id)?.[attribute];
    if (value !== undefined) return value;
    if (attribute === 'Arn' && this.resources[id]?.Type === 'AWS::Lambda::Function') {
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    }
    return `<${id}.${attribute}>`;
  }

  private get stackId(): string {
    // Fixed, so a second rehearsal of the same stack is the same stack to the handlers (adoption).
    return `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${this.stack.name}/rehearsal`;
  }

  /** The user handlers behind a custom resource, when a CDK provider framework serves it. */
  handlersOf(resource: TemplateResource): CustomResourceHandlers | undefined {
    if (!resource.Type.startsWith('Custom::') && resource.Type !== 'AWS::CloudFormation::CustomResource') return undefined;
    const token = resource.Properties?.ServiceToken;
    const framework = Array.isArray(token?.['Fn::GetAtt']) ? this.resources[token['Fn::GetAtt'][0]] : undefined;
    const env = framework?.Properties?.Environment?.Variables ?? {};
    const fn = (value: any) => (Array.isArray(value?.['Fn::GetAtt']) ? value['Fn::GetAtt'][0] as string : undefined);
    const onEvent = fn(env.USER_ON_EVENT_FUNCTION_ARN);
    return onEvent ? { onEvent, isComplete: fn(env.USER_IS_COMPLETE_FUNCTION_ARN) } : undefined;
  }

  /**
   * Runs a function of the assembly as Lambda would: its bundle, its handler, its environment. Past `timeoutMs`
   * it is abandoned (it throws {@link InvocationTimeout}), and this process's console and environment are its own again.
   */
  private async invoke(functionId: string, event: unknown, timeoutMs?: number): Promise<Invocation> {
    const props = this.resources[functionId]?.Properties ?? {};
    const key = props.Code?.S3Key;
    if (typeof key !== 'string') throw new Error(`Function ${functionId} has no asset code that a rehearsal can run`);
    const [file, exportName] = String(props.Handler).split(/\.(?=[^.]+$)/);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const handler = require(path.join(this.stack.assetDirOf(key), `${file}.js`))[exportName];
    const env = this.resolve(props.Environment?.Variables ?? {}) as Record<string, string>;
    const saved = { ...process.env };
    Object.assign(process.env, env, { AWS_LAMBDA_FUNCTION_NAME: functionId });
    const logs: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => { logs.push(args.map(String).join(' ')); };
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<never>((_resolve, reject) => {
        if (timeoutMs !== undefined) timer = setTimeout(() => reject(new InvocationTimeout(`${functionId} ran past ${timeoutMs / 1000}s`)), timeoutMs);
      });
      return { result: await Promise.race([handler(event), timedOut]), logs };
    } catch (error) {
      (error as any).logs = logs;
      throw error;
    } finally {
      clearTimeout(timer);
      console.log = log;
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  }

  /** The handler's own lines worth showing: the API calls and decisions, not the event dumps. */
  private showLogs(logs: string[]): void {
    for (const line of logs) {
      if (/^(onEvent|isComplete|poll)( answer)?\s*\{/.test(line) || /^(onEvent|isComplete|poll)( answer)? \{/.test(line)) continue;
      this.print(`      ${line.length > 220 ? `${line.slice(0, 217)}...` : line}`);
    }
  }

  /** Names the stack's state machines, so Ref can name them; the rehearsal plays their executions. */
  async prepareStateMachines(): Promise<void> {
    for (const [id, resource] of Object.entries(this.resources)) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
      this.physicalIds.set(id, arn);
      this.stateMachines.set(id, arn);
    }
  }

  private event(requestType: 'Create' | 'Delete', id: string, physicalId?: string): any {
    const resource = this.resources[id];
    const { ServiceToken, ...props } = resource.Properties ?? {};
    // Huawei Cloud is played by the stand-in: the restore's own endpoint would reach the real cloud.
    if (resource.Type === HUAWEI_TYPE) props.Endpoint = this.huawei.endpoint;
    return {
      RequestType: requestType,
      ServiceToken: String(this.resolve(ServiceToken)),
      ResponseURL: `${this.signalBase}/cloudformation-response/${id}`,
      StackId: this.stackId,
      RequestId: `rehearsal-${requestType.toLowerCase()}-${id}`,
      LogicalResourceId: id,
      ResourceType: resource.Type,
      ResourceProperties: asCloudFormationDelivers({ ServiceToken: this.resolve(ServiceToken), ...(this.resolve(props) as object) }),
      ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    };
  }

  /** onEvent, then isComplete until complete, as the provider framework runs them. */
  private async runCustomResource(requestType: 'Create' | 'Delete', id: string, handlers: CustomResourceHandlers): Promise<void> {
    const start = Date.now();
    const request = this.event(requestType, id, this.physicalIds.get(id));
    if (requestType === 'Create' && this.resources[id].Type === S3_IMPORTED_AURORA_CLUSTER.resourceType) {
      this.print(`    RestoreDBClusterFromS3 and DescribeDBEngineVersions are played by the local stand-in at ${this.rdsImport!.endpoint}; `
        + 'the other RDS calls pass through it to moto');
    }
    if (requestType === 'Create' && this.resources[id].Type === COPIED_ELASTIC_SNAPSHOT.resourceType) {
      this.print(`    DocumentDB Elastic snapshots are played by the local stand-in at ${this.docdbElastic.endpoint} (moto does not implement them)`);
    }
    if (requestType === 'Create' && this.resources[id].Type === BACKUP_RESTORE_JOB.resourceType) {
      this.print(`    AWS Backup restore jobs are played by the local stand-in at ${this.backup.endpoint} (moto does not implement them)`);
    }
    if (requestType === 'Create' && this.resources[id].Type === HUAWEI_TYPE) {
      this.print(`    Huawei Cloud RDS (${this.resolve(this.resources[id].Properties?.Endpoint)}) is played by the local stand-in at ${this.huawei.endpoint}`);
    }
    if (requestType === 'Create') await this.prepare(id, request.ResourceProperties);
    if (requestType === 'Create') {
      const placeholders = Object.entries(request.ResourceProperties as Record<string, unknown>)
        .filter(([, v]) => JSON.stringify(v).includes('<'))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      if (placeholders.length) this.print(`    placeholders for resources not rehearsed: ${placeholders.join(', ')}`);
    }
    const answer = await this.invoke(handlers.onEvent, request);
    this.showLogs(answer.logs);
    // A validation runs in the execution its Create started, while the provider framework's waiter asks isComplete.
    for (const execution of this.stepFunctions.unplayed()) {
      if (JSON.parse(execution.input).ResourceType === VALIDATION_RESOURCE_TYPE) await this.playExecution(id, execution);
    }
    const physicalId = answer.result?.PhysicalResourceId ?? request.PhysicalResourceId ?? request.RequestId;
    let data: Record<string, string> = { ...(answer.result?.Data ?? {}) };
    if (handlers.isComplete) {
      for (let polls = 1; ; polls++) {
        const complete = await this.invoke(handlers.isComplete, { ...request, ...answer.result, PhysicalResourceId: physicalId });
        this.showLogs(complete.logs);
        if (complete.result?.IsComplete) {
          data = { ...data, ...(complete.result.Data ?? {}) };
          break;
        }
        this.print(`    waiting for ${requestType.toLowerCase()} of ${physicalId} (${elapsedSince(start)}, look ${polls})`);
        await sleep(this.maxPauseMs);
      }
    }
    if (requestType === 'Create') {
      this.physicalIds.set(id, physicalId);
      this.attributes.set(id, data);
    }
  }

  /** Plays the polling state machine for the execution that signals this wait condition's handle. */
  private async runWait(id: string): Promise<void> {
    const handleId = String(this.resources[id].Properties?.Handle?.Ref ?? '');
    const handleUrl = this.physicalIds.get(handleId);
    if (!handleUrl) throw new RehearsalFailure(`${id}: its Handle is not a Ref to a wait condition handle of the stack`);
    // A restore whose polling could not start tells its wait condition FAILURE itself.
    const told = this.signals.get(new URL(handleUrl).pathname.slice(1))?.[0];
    if (told && told.Status !== 'SUCCESS') throw new RehearsalFailure(`${id}: the wait condition was signalled ${told.Status}: ${told.Reason}`);
    const start = Date.now();
    const execution = this.stepFunctions.named(executionName(handleUrl));
    if (!execution) throw new RehearsalFailure(`${id}: no polling execution signals this wait condition, so CloudFormation would wait until its Timeout`);
    await this.playExecution(id, execution);
    const signal = this.signals.get(new URL(handleUrl).pathname.slice(1))?.[0];
    if (!signal) throw new RehearsalFailure(`${id}: the poller ended without signalling the wait condition`);
    // What Fn::GetAtt Data of a wait condition gives: the signals' data by unique id.
    this.attributes.set(id, { Data: JSON.stringify({ [signal.UniqueId]: signal.Data }) });
    if (signal.Status !== 'SUCCESS') throw new RehearsalFailure(`${id}: the wait condition was signalled ${signal.Status}: ${signal.Reason}`);
    this.print(`    signalled SUCCESS after ${elapsedSince(start)}: ${signal.Reason}`);
  }

  /**
   * Runs an execution of one of the stack's state machines as its synthesized definition says (see
   * `state-machine-player.ts`): its Task states run the assembly's functions here, its waits are shortened.
   * `label` is the resource the execution is for.
   */
  private async playExecution(label: string, execution: PlayedExecution): Promise<void> {
    execution.played = true;
    const machineId = [...this.stateMachines].find(([, arn]) => execution.arn.startsWith(`${arn.replace(':stateMachine:', ':execution:')}:`))?.[0];
    if (!machineId) throw new RehearsalFailure(`${label}: execution ${execution.arn} is of no state machine of the stack`);
    const definition = JSON.parse(String(this.resolve(this.resources[machineId].Properties?.DefinitionString)));
    const start = Date.now();
    const runner: TaskRunner = {
      runFunction: async (arn, input) => {
        const step = await this.invoke(this.functionOf(arn, machineId), input);
        this.showLogs(step.logs);
        return step.result;
      },
      invoke: (functionName, payload, timeoutSeconds) => this.runValidator(label, functionName, payload, timeoutSeconds),
    };
    const onState = (state: PlayedState, input: any) => {
      if (state.type !== 'Wait') return;
      this.print(`    ${input.PhysicalResourceId}: status "${input.LastStatus}" (${elapsedSince(start)}; next look asked for in ${state.waitSeconds}s)`);
    };
    try {
      const run = await playDefinition(definition, JSON.parse(execution.input), runner, { maxPauseMs: this.maxPauseMs, onState });
      this.executions.push({ resource: label, stateMachine: machineId, states: run.states });
      Object.assign(execution, { status: 'SUCCEEDED', output: run.output });
    } catch (error) {
      const failure = ((error as Error)?.cause ?? error) as Error;
      Object.assign(execution, { status: 'FAILED', error: failure?.name ?? 'Error', cause: failure?.message });
      throw new RehearsalFailure(`${label}: the execution of ${machineId} failed: ${failure?.name}: ${failure?.message}`);
    }
  }

  /** The stack's function a Task state names by its ARN. */
  private functionOf(arn: string, machineId: string): string {
    const id = arn.split(':function:')[1];
    if (this.resources[id]?.Type !== 'AWS::Lambda::Function') throw new RehearsalFailure(`State machine ${machineId} invokes ${arn}, which is no function of the stack`);
    return id;
  }

  /**
   * Runs a validator as Step Functions' lambda:invoke would: a Node.js function of the assembly, in this
   * process, within its timeout; its answer as the invocation's Payload, its error thrown as Lambda names it.
   * A validator the rehearsal cannot run (another runtime, inline code, not in the stack) is reported, and
   * passes, so the rest of the stack is still rehearsed.
   */
  private async runValidator(resource: string, functionArn: string, payload: unknown, timeoutSeconds = 60): Promise<{ Payload: unknown }> {
    const functionId = String(functionArn).split(':function:')[1] ?? functionArn;
    const props = this.resources[functionId]?.Type === 'AWS::Lambda::Function' ? this.resources[functionId].Properties ?? {} : undefined;
    const runtime = String(props?.Runtime ?? 'unknown');
    if (!props || !runtime.startsWith('nodejs') || typeof props.Code?.S3Key !== 'string') {
      const why = !props ? 'is not a function of this stack' : !runtime.startsWith('nodejs') ? `runs on ${runtime}` : 'has no asset code';
      this.print(`    validator ${functionId} not rehearsed: it ${why}`);
      this.validations.push({ resource, validator: functionId, outcome: 'not rehearsed', message: `it ${why}` });
      return { Payload: { passed: true, message: `validator not rehearsed (it ${why})` } };
    }
    this.print(`    validating with ${functionId} (${runtime}, at most ${timeoutSeconds}s)`);
    const failed = (name: string, cause: string) => Object.assign(new Error(cause), { name, cause });
    try {
      const answer = await this.invoke(functionId, payload, timeoutSeconds * 1000);
      this.showLogs(answer.logs);
      const result = answer.result as { passed?: boolean; message?: string } | undefined;
      this.validations.push({ resource, validator: functionId, outcome: result?.passed === true ? 'passed' : 'failed', message: String(result?.message ?? '') });
      return { Payload: answer.result };
    } catch (error) {
      if ((error as any).logs) this.showLogs((error as any).logs);
      if (error instanceof InvocationTimeout) {
        this.validations.push({ resource, validator: functionId, outcome: 'failed', message: `no answer within ${timeoutSeconds}s` });
        throw failed('States.Timeout', `The validator did not answer within ${timeoutSeconds}s`);
      }
      const e = error as Error;
      this.validations.push({ resource, validator: functionId, outcome: 'failed', message: `threw ${e?.name}: ${e?.message}` });
      throw failed(e?.name ?? 'Error', JSON.stringify({ errorType: e?.name, errorMessage: e?.message }));
    }
  }

  standInState(): StandInState {
    return {
      huaweiJobs: this.huawei.startedJobs,
      backupJobs: this.backup.startedJobs,
      elasticSnapshots: { held: this.docdbElastic.held, deleted: [...this.docdbElastic.deleted] },
      s3Imports: [...this.rdsImport?.imports ?? []],
    };
  }

  async run(keep: boolean, afterCreate?: (standIns: StandInState) => Promise<void>): Promise<RehearsalResult & { endpoint: string }> {
    const order = dependencyOrder(this.resources);
    const created: string[] = [];
    const deleted: string[] = [];
    const notRehearsed: string[] = [];
    const failed: Record<string, string> = {};
    /** Restores and waits not run because something they need failed. */
    const skipped: string[] = [];
    const blocked = new Set<string>();
    /** The stack's own resources that createSources made in the emulator, for the restores that refer to them. */
    const made: string[] = [];
    const rehearsed = (id: string) => this.handlersOf(this.resources[id]) !== undefined;

    const deleteFailed: Record<string, string> = {};
    const deleteAll = async (label: string) => {
      for (const id of [...created].reverse()) {
        this.print(`${label} ${id} (${this.resources[id].Type}) ${this.physicalIds.get(id)}`);
        // A failed delete must not keep the others from going, nor hide what failed before.
        try {
          await this.runCustomResource('Delete', id, this.handlersOf(this.resources[id])!);
          deleted.push(id);
        } catch (error) {
          if ((error as any).logs) this.showLogs((error as any).logs);
          deleteFailed[id] = `${id}: delete failed: ${describeError(error)}`;
          this.print(`FAILED ${deleteFailed[id]}`);
        }
      }
    };

    for (const id of order) {
      const resource = this.resources[id];
      const handlers = this.handlersOf(resource);
      // CloudFormation would not get here; the restores that do not need the failed one go on.
      const blocker = dependenciesOf(this.resources, id).find((d) => d in failed || blocked.has(d));
      if (blocker) {
        blocked.add(id);
        if (handlers || WAIT_TYPES.has(resource.Type)) {
          skipped.push(id);
          this.print(`SKIPPED ${id}: it needs ${blocker}, which ${blocker in failed ? 'failed' : 'was skipped'}`);
        } else {
          notRehearsed.push(id);
        }
        continue;
      }
      try {
        if (resource.Type === 'AWS::CloudFormation::WaitConditionHandle') {
          this.physicalIds.set(id, `${this.signalBase}/${id}`);
        } else if (resource.Type === 'AWS::CloudFormation::WaitCondition') {
          this.print(`WAIT   ${id}`);
          await this.runWait(id);
        } else if (handlers) {
          this.print(`CREATE ${id} (${resource.Type})`);
          await this.runCustomResource('Create', id, handlers);
          created.push(id);
          const data = this.attributes.get(id) ?? {};
          const shown = Object.entries(data).map(([k, v]) => `${k}=${v}`).join(', ');
          this.print(`    physical id ${this.physicalIds.get(id)}${shown ? `; attributes: ${shown}` : ''}`);
        } else if (this.createSources && await this.createStackResource(id)) {
          made.push(id);
        } else if (!WAIT_TYPES.has(resource.Type)) {
          notRehearsed.push(id);
        }
      } catch (error) {
        const message = error instanceof RehearsalFailure ? error.message : `${id}: ${describeError(error)}`;
        if ((error as any).logs) this.showLogs((error as any).logs);
        this.print(`FAILED ${message}`);
        failed[id] = message;
      }
    }
    if (afterCreate) await afterCreate(this.standInState());
    // After a failure CloudFormation rolls the whole stack back: everything created is deleted.
    if (!keep) await deleteAll(Object.keys(failed).length ? 'ROLLBACK' : 'DELETE');
    const failures = [...Object.values(failed), ...Object.values(deleteFailed)];
    const result = {
      stack: this.stack.name,
      endpoint: '',
      created,
      deleted,
      notRehearsed,
      attributes: Object.fromEntries([...this.attributes].filter(([id]) => rehearsed(id))),
      failed: { ...failed, ...deleteFailed },
      made,
      skipped,
      validations: this.validations,
      executions: this.executions,
      ...this.standInState(),
    };
    if (failures.length) {
      throw new RehearsalFailure(`${failures.length} failed${skipped.length ? `, ${skipped.length} skipped as they needed a failed one` : ''}: ${failures.join('; ')}`, result);
    }
    return result;
  }
}

/** The DB clusters the emulator holds (RDS and Neptune share its backend, but each client lists its own engines). */
async function emulatorClusters(): Promise<string[]> {
  const ids = new Set<string>();
  for (const [client, sdk] of [[new rds.RDSClient({}), rds], [new neptune.NeptuneClient({}), neptune]] as Array<[any, any]>) {
    const out = await client.send(new sdk.DescribeDBClustersCommand({}));
    for (const cluster of out.DBClusters ?? []) ids.add(cluster.DBClusterIdentifier);
  }
  return [...ids].sort();
}

/**
 * Runs the rehearsal and, with `report`, writes what the emulator and the stand-ins held after Create and
 * after Delete, and the outcome, as JSON: for pipelines, and for checks that run where a test cannot reach.
 */
async function runReporting(rehearsal: Rehearsal, options: RehearsalOptions): Promise<RehearsalResult> {
  let afterCreate: object | undefined;
  const hook = async (standIns: StandInState) => {
    if (options.report) afterCreate = { standIns, clusters: await emulatorClusters() };
    await options.afterCreate?.(standIns);
  };
  let result: RehearsalResult | undefined;
  let failure: unknown;
  try {
    result = await rehearsal.run(options.keep ?? false, hook);
  } catch (error) {
    failure = error;
  }
  if (options.report) {
    fs.writeFileSync(options.report, JSON.stringify({
      passed: failure === undefined,
      failure: failure === undefined ? undefined : (failure as Error).message,
      afterCreate,
      afterDelete: { standIns: rehearsal.standInState(), clusters: await emulatorClusters() },
      result: result ?? (failure instanceof RehearsalFailure ? failure.result : undefined),
    }, null, 2));
  }
  if (failure !== undefined) throw failure;
  return result!;
}

/** Runs a rehearsal; throws RehearsalFailure when the rehearsed stack fails. */
export async function rehearse(options: RehearsalOptions): Promise<RehearsalResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const stack = pickStack(readStacks(options.app), options.stack);
  let emulator: Emulator | undefined;
  let endpoint = options.endpoint;
  if (endpoint) {
    if (!(await emulatorAnswers(endpoint))) {
      throw new Error(`No AWS API emulator answers at ${endpoint}. Start one (moto_server -H 127.0.0.1 -p 5000), or leave out --endpoint and the rehearsal starts moto_server itself.`);
    }
  } else {
    try {
      emulator = await startMoto();
    } catch (error) {
      throw new Error(`${(error as Error).message}. Install it, or pass --endpoint <url> of a running AWS API emulator.`);
    }
    endpoint = emulator.endpoint;
  }
  const undoEnv = useEmulator(endpoint, REGION);
  const rehearsal = new Rehearsal(stack, print, options.maxPauseMs ?? 500, options.createSources ?? false);
  try {
    print(`Rehearsing stack ${stack.name} from ${options.app} against ${endpoint}${emulator ? ' (moto_server started for this rehearsal)' : ''}`);
    await rehearsal.startSignalReceiver();
    await rehearsal.prepareStateMachines();
    const result = await runReporting(rehearsal, options);
    if (result.notRehearsed.length) {
      const byType = new Map<string, string[]>();
      for (const id of result.notRehearsed) byType.set(stack.resources[id].Type, [...(byType.get(stack.resources[id].Type) ?? []), id]);
      print(`Not rehearsed (${result.notRehearsed.length} resources; references to them resolved to <placeholders>):`);
      for (const [type, ids] of byType) print(`    ${type}: ${ids.join(', ')}`);
    }
    for (const v of result.validations) print(`Validation ${v.resource} by ${v.validator}: ${v.outcome}${v.message ? ` (${v.message})` : ''}`);
    print(`Rehearsal passed: ${result.created.length} resource(s) created and waited for, ${result.deleted.length} deleted${options.keep ? ' (--keep: left in place)' : ''}.`);
    return { ...result, endpoint };
  } finally {
    rehearsal.stopSignalReceiver();
    undoEnv();
    await emulator?.stop();
  }
}
