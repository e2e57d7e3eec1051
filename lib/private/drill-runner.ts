/**
 * What every drill of a stack shares: the drill functions (a run's step, the sweep) on a role of their own that
 * creates and deletes only drill-tagged resources of drill names, the hourly sweep, and the default report bucket.
 */
import * as path from 'path';
import { ArnFormat, Aws, CfnResource, Duration, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from './contracts/common';
import { DRILL_REPORT_PREFIX, DRILL_STATE_MACHINE_PREFIX, DRILL_TAG_KEY, DrillHeartbeat, SweepConfig } from './contracts/drill';
import { keyUseStatements } from './handler-policy';
import { MergedStatements } from './merged-statements';
import { nagResourceName, suppressNag } from './nag';
import { newestNodeRuntime } from './provider-checks';
import { inputsHash } from './references';

const HANDLER_ASSET = path.join(__dirname, '..', '..', 'assets', 'restore-handler');

/** The drill tag a create call must put on what it makes (`aws:RequestTag`), or a resource must carry (`aws:ResourceTag`). */
export function drillTagged(stack: Stack, key: 'aws:RequestTag' | 'aws:ResourceTag'): Record<string, Record<string, string>> {
  return { StringEquals: { [`${key}/${DRILL_TAG_KEY}`]: stack.stackName } };
}

/** The shared parts of a stack's drills; made with its first drill. */
export class DrillRunner extends Construct {
  static of(scope: Construct): DrillRunner {
    const stack = Stack.of(scope);
    const id = 'CdkRestoreConstructsDrills';
    return (stack.node.tryFindChild(id) as DrillRunner | undefined) ?? new DrillRunner(stack, id);
  }

  /** The start of every name a drill run of this stack gives what it restores, and of its drills' state machines. */
  readonly namePrefix: string;
  readonly stateMachinePrefix: string;
  readonly role: iam.Role;
  readonly stepFunction: lambda.Function;
  readonly logGroup: logs.LogGroup;
  private readonly statements: MergedStatements;
  private readonly engines = new Set<string>();
  private bucket?: s3.Bucket;
  private readonly reportBuckets = new Set<string>();
  private readonly wildcardReasons = new Map<string, Set<string>>();
  private readonly heartbeats: DrillHeartbeat[] = [];

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    // A hash of the stack's name, so that one stack's drills never name, tag or delete another's.
    const stackHash = inputsHash(this, { stack: Token.isUnresolved(stack.stackName) ? this.node.path : stack.stackName }).slice(0, 8);
    this.namePrefix = `drill-${stackHash}-`;
    this.stateMachinePrefix = `${DRILL_STATE_MACHINE_PREFIX}${stackHash}-`;
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the restore drills of cdk-restore-constructs in this stack: creates and deletes only drill-tagged resources',
    });
    this.statements = new MergedStatements(stack, this.role);
    this.logGroup.grantWrite(this.role);
    const code = lambda.Code.fromAsset(HANDLER_ASSET);
    const common = { code, runtime: newestNodeRuntime(), role: this.role, memorySize: 256, logGroup: this.logGroup };
    this.stepFunction = new lambda.Function(this, 'Step', {
      ...common, handler: 'index.drill', timeout: Duration.minutes(2), description: 'cdk-restore-constructs: one step of a restore drill run',
    });
    const sweeper = new lambda.Function(this, 'Sweep', {
      ...common, handler: 'index.sweepDrills', timeout: Duration.minutes(5), description: 'cdk-restore-constructs: deletes what expired drill runs left',
    });
    this.grantDrillBasics(stack);
    this.sweepHourly(sweeper);
  }

  /** What every run does whatever it restores: read its state machine's runs, publish its figures, tell its result. */
  private grantDrillBasics(stack: Stack): void {
    const machines = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: `${this.stateMachinePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.allow(new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [machines] }),
      'A run looks for other runs of its own drill; the stack\'s drill state machines share a name prefix');
    this.allow(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
    }), 'cloudwatch:PutMetricData has no resource-level permissions; the statement allows only the library\'s own metrics namespace');
    this.allow(new iam.PolicyStatement({
      actions: ['events:PutEvents'], resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
    }));
  }

  /** The sweep, once an hour, of the names this stack's drills give. */
  private sweepHourly(sweeper: lambda.Function): void {
    const role = new iam.Role(this, 'SweepScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
    });
    sweeper.grantInvoke(role);
    suppressNag(role.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: 'aws-cdk-lib\'s grantInvoke allows the sweeper function\'s versions and aliases (<function ARN>:*), of this one function only',
      appliesTo: [{ regex: '/^Resource::<.*Sweep.*\\.Arn>:\\*$/g' }],
    }]);
    new scheduler.CfnSchedule(this, 'SweepSchedule', {
      description: 'cdk-restore-constructs: deletes what expired restore drill runs of this stack left behind',
      scheduleExpression: 'rate(1 hour)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: sweeper.functionArn,
        roleArn: role.roleArn,
        input: Stack.of(this).toJsonString({
          NamePrefix: this.namePrefix,
          StackName: Stack.of(this).stackName,
          Engines: Lazy.list({ produce: () => [...this.engines] }),
          Drills: Lazy.any({ produce: () => this.heartbeats }) as unknown as DrillHeartbeat[],
        } satisfies SweepConfig),
        retryPolicy: { maximumRetryAttempts: 0 },
      },
    });
  }

  /** A drill whose last success the hourly sweep tells CloudWatch about. */
  watches(heartbeat: DrillHeartbeat): void {
    this.heartbeats.push(heartbeat);
  }

  /** The engines the sweep lists clusters of. */
  sweepsEngine(engine: string): void {
    this.engines.add(engine);
  }

  /** The bucket a drill's reports go to when it names none: one per stack, encrypted, kept when the stack goes. */
  defaultReportBucket(): s3.IBucket {
    this.bucket ??= new s3.Bucket(this, 'Reports', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
    });
    suppressNag(this.bucket, [{ id: 'AwsSolutions-S1', reason: 'The drill reports bucket is written only by the drill role; give reportBucket for a bucket with server access logs' }]);
    return this.bucket;
  }

  /** Lets the drill functions write reports to this bucket, under the library's prefix for this stack. */
  writesReportsTo(bucket: s3.IBucket): void {
    const key = Stack.of(this).resolve(bucket.bucketArn);
    if (this.reportBuckets.has(JSON.stringify(key))) return;
    this.reportBuckets.add(JSON.stringify(key));
    this.allow(new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject'], resources: [bucket.arnForObjects(`${DRILL_REPORT_PREFIX}${Stack.of(this).stackName}/*`)],
    }), 'Drill reports are objects named by the run\'s drill and start, under the library\'s prefix for this stack; the sweep reads each drill\'s last success');
    // Listing under the prefix makes a missing report NoSuchKey, not AccessDenied: a drill that never succeeded is not an error.
    this.allow(new iam.PolicyStatement({
      actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': `${DRILL_REPORT_PREFIX}${Stack.of(this).stackName}/*` } },
    }));
    bucket.encryptionKey?.grantEncryptDecrypt(this.role);
  }

  /** Lets the drill functions use a key through RDS (a restore of an encrypted source). */
  usesKey(key: kms.IKey, services: readonly string[], dataKeys = false): void {
    for (const statement of keyUseStatements(this, key, services, dataKeys)) this.allow(statement);
  }

  /**
   * Lets the drill functions make these calls. A statement whose actions and conditions match one already there
   * adds its resources to it, so the drills of a stack share their statements.
   */
  allow(statement: iam.PolicyStatement, wildcardReason?: string): void {
    for (const resource of this.statements.add(statement)) {
      if (!resource.includes('*')) continue;
      if (!wildcardReason) throw new Error(`Internal error: the drill statement on ${resource} needs a reason for its wildcard`);
      this.acceptWildcard(nagResourceName(Stack.of(this), resource), wildcardReason);
    }
  }


  private acceptWildcard(finding: string, reason: string): void {
    const reasons = this.wildcardReasons.get(finding) ?? new Set<string>();
    reasons.add(reason);
    this.wildcardReasons.set(finding, reasons);
    const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    policy.addMetadata('cdk_nag', {
      rules_to_suppress: [...this.wildcardReasons].map(([appliesTo, given]) => ({ id: 'AwsSolutions-IAM5', reason: [...given].join('. '), applies_to: [appliesTo] })),
    });
  }
}
