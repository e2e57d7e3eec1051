import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, CfnResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  BackupResourceType, BackupRestoreJob, ClusterEngine, CopiedElasticSnapshot, DrillSchedule, HuaweiRdsEngine, HuaweiRdsRecovery, HuaweiRestoreSource,
  NeptuneClusterInstance, PointInTimeRestoredCluster, RestoreMetadata, RestoreValidation, S3ImportedAuroraCluster,
} from '../lib';

/**
 * The production posture of the library's own resources: cdk-nag's AwsSolutions pack finds nothing it has
 * not accepted with a reason, the functions and state machines log with a retention, and the constructs
 * offer the metrics the poller publishes.
 */

/** The construct ids below, and what the library adds to a stack by itself. */
const LIBRARY_PATHS = ['GraphCopy', 'OrdersClone', 'LegacyImport', 'CatalogueCopy', 'FilesRestore', 'BucketRestore', 'ReportingRecovery', 'CdkRestoreConstructsProvider',
  'CdkRestoreConstructsDrills',
  // aws-cdk-lib's singleton behind cloudwatchLogsRetention.
  'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a'];

/** A stack with all five constructs, each with the options that add resources (roles, keys, log retention, instances). */
function allFive(stack: Stack): void {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const vpcSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  new PointInTimeRestoredCluster(stack, 'GraphCopy', {
    engine: ClusterEngine.NEPTUNE,
    sourceClusterIdentifier: 'prod-graph',
    vpc,
    vpcSubnets,
    writer: NeptuneClusterInstance.provisioned('Writer'),
    readers: [NeptuneClusterInstance.serverless('Reader')],
    cloudwatchLogsExports: ['audit'],
    cloudwatchLogsRetention: logs.RetentionDays.ONE_WEEK,
  });
  const orders = new PointInTimeRestoredCluster(stack, 'OrdersClone', {
    engine: ClusterEngine.AURORA_MYSQL,
    sourceClusterIdentifier: 'prod-orders',
    vpc,
    vpcSubnets,
    instances: 2,
    storageEncryptionKey: key,
    manageMasterUserPassword: true,
    masterUserSecretKey: key,
    monitoringInterval: Duration.seconds(60),
    performanceInsightEncryptionKey: key,
    engineVersion: '8.0.mysql_aurora.3.08.0',
    parameters: { require_secure_transport: 'ON' },
    domain: 'd-1234567890',
    removalPolicy: RemovalPolicy.SNAPSHOT,
    // The app's own function; the policy that lets the poller invoke it is the library's.
    validation: RestoreValidation.fromFunction(new lambda.Function(stack, 'OrdersCheck', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ passed: true })'), timeout: Duration.minutes(5),
    })),
  });
  orders.addDrill('Nightly', { schedule: DrillSchedule.daily(), recoveryTimeObjective: Duration.hours(2) });
  new S3ImportedAuroraCluster(stack, 'LegacyImport', {
    bucket: s3.Bucket.fromBucketName(stack, 'Backups', 'legacy-backups'),
    bucketPrefix: 'nightly/',
    sourceEngineVersion: '8.0.36',
    vpc,
    vpcSubnets,
    writer: rds.ClusterInstance.serverlessV2('Writer'),
  });
  new CopiedElasticSnapshot(stack, 'CatalogueCopy', {
    sourceSnapshotArn: 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/3b2c8a1e9f0d4c7b8a6e5d4c3b2a1f0e',
    targetSnapshotName: 'catalogue-copy',
    kmsKey: key,
  });
  new BackupRestoreJob(stack, 'FilesRestore', {
    recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45',
    resourceType: BackupResourceType.EFS,
    metadata: RestoreMetadata.efs({ fileSystemId: 'fs-12345678', newFileSystem: true, kmsKey: key }),
  });
  new BackupRestoreJob(stack, 'BucketRestore', {
    recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:continuous:s3-assets-1234',
    resourceType: BackupResourceType.S3,
    metadata: RestoreMetadata.s3({ destinationBucketName: 'restored-assets', newBucket: true }),
  });
  new HuaweiRdsRecovery(stack, 'ReportingRecovery', {
    region: 'cn-north-4',
    projectId: '0483b6b16e954cb88930a360d2c4e663',
    credentials: secretsmanager.Secret.fromSecretNameV2(stack, 'HuaweiKeys', 'huawei/rds-restorer'),
    sourceInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
    targetInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
    restoreSource: HuaweiRestoreSource.backup('2f4ddb93-b901-4b08-93d8-1d2e472f30fe'),
    engine: HuaweiRdsEngine.MYSQL,
    acknowledgeOverwrite: true,
  });
}

function newStack(app = new App()): Stack {
  return new Stack(app, 'Restores', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** The context `cdk init app --language typescript` writes into cdk.json (aws-cdk 2.1115.1): the feature flags of a new app. */
const CDK_INIT_CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'cdk-init', 'cdk.json'), 'utf8')).context;

describe.each<[string, Record<string, unknown>, { account: string; region: string } | undefined]>([
  ['a bare App, with account and region', {}, { account: '123456789012', region: 'us-east-1' }],
  ['cdk init\'s feature flags, with account and region', CDK_INIT_CONTEXT, { account: '123456789012', region: 'us-east-1' }],
  ['cdk init\'s feature flags, environment-agnostic', CDK_INIT_CONTEXT, undefined],
])('cdk-nag AwsSolutions in %s', (_case, context, env) => {
  const app = new App({ context });
  const stack = new Stack(app, 'Restores', { env });
  allFive(stack);
  Aspects.of(app).add(new AwsSolutionsChecks());
  const findings = [...Annotations.fromStack(stack).findError('*', Match.anyValue()), ...Annotations.fromStack(stack).findWarning('*', Match.anyValue())];
  const ours = findings.filter((f) => LIBRARY_PATHS.some((p) => f.id.startsWith(`/Restores/${p}/`)));

  test('finds nothing unsuppressed on the library\'s resources, with all five constructs and their optional parts', () => {
    // The check runs: the app's own VPC (no flow log) is a finding it reports.
    expect(findings.some((f) => f.id.startsWith('/Restores/Vpc/'))).toBe(true);
    expect(ours.map((f) => `${f.id}: ${String(f.entry.data).split(':')[0]} ${String(f.entry.data).match(/Finding: (\S+)|\[([^\]]+)\]/)?.[0] ?? ''}`)).toEqual([]);
  });

  test('the handler policy accepts no wildcard it does not hold: each IAM5 finding it names is one of its resources, as cdk-nag renders it', () => {
    const template = Template.fromStack(stack).toJSON();
    const render = (value: any): string => typeof value === 'string' ? value
      : value.Ref ? `<${value.Ref}>` : value['Fn::GetAtt'] ? `<${value['Fn::GetAtt'].join('.')}>` : value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]);
    const [policy] = Object.entries(template.Resources as Record<string, any>).filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRoleDefaultPolicy'));
    const held = new Set(policy[1].Properties.PolicyDocument.Statement.flatMap((st: any) => [st.Resource].flat()).map((r: any) => `Resource::${render(r)}`));
    const named = policy[1].Metadata.cdk_nag.rules_to_suppress.filter((r: any) => r.id === 'AwsSolutions-IAM5').flatMap((r: any) => r.applies_to)
      .filter((finding: unknown) => typeof finding === 'string' && finding.startsWith('Resource::'));
    expect(named.length).toBeGreaterThan(3);
    for (const finding of named) expect([finding, held.has(finding)]).toEqual([finding, true]);
  });

  test('every suppression the library writes names a rule and gives a reason of its own', () => {
    const template = Template.fromStack(stack).toJSON();
    const suppressions = Object.values(template.Resources as Record<string, any>).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(suppressions.length).toBeGreaterThan(10);
    for (const s of suppressions) {
      expect(s.id).toMatch(/^AwsSolutions-[A-Z]+\d+$/);
      expect(s.reason.length).toBeGreaterThan(40);
      // IAM findings are accepted one policy or wildcard at a time, never the rule as a whole.
      if (/IAM[45]$/.test(s.id)) expect(s.applies_to?.length).toBeGreaterThan(0);
    }
  });
});

test('names given through Fn.importValue and Fn.sub are accepted as cdk-nag renders them, under cdk init\'s flags', () => {
  const app = new App({ context: CDK_INIT_CONTEXT });
  const stack = new Stack(app, 'Restores', { env: { account: '123456789012', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const vpcSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  new S3ImportedAuroraCluster(stack, 'Imported', {
    bucket: s3.Bucket.fromBucketName(stack, 'Backups', Fn.importValue('LegacyBackupsBucket')),
    sourceEngineVersion: '8.0.36',
    vpc,
    vpcSubnets,
    writer: rds.ClusterInstance.serverlessV2('Writer'),
  });
  const graph = { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod-graph', vpc, vpcSubnets };
  new PointInTimeRestoredCluster(stack, 'Imports', { ...graph, clusterIdentifier: Fn.importValue('GraphCopyName') });
  new PointInTimeRestoredCluster(stack, 'Subs', { ...graph, clusterIdentifier: Fn.sub('${AWS::StackName}-graph') });
  Aspects.of(app).add(new AwsSolutionsChecks());
  const findings = [...Annotations.fromStack(stack).findError('*', Match.anyValue()), ...Annotations.fromStack(stack).findWarning('*', Match.anyValue())]
    .filter((f) => ['Imported', 'Imports', 'Subs', 'CdkRestoreConstructsProvider'].some((p) => f.id.startsWith(`/Restores/${p}/`)));
  expect(findings.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 200)}`)).toEqual([]);
});

describe('least privilege that does not grow', () => {
  function handlerRole(template: Template) {
    const statements = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const [role] = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole')).map(([, r]) => r);
    return { statements, managedPolicies: role.Properties.ManagedPolicyArns ?? [] };
  }

  test('no function role of the library carries an AWS managed policy', () => {
    const stack = newStack();
    allFive(stack);
    const roles = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Role'))
      .filter(([id, role]) => id.startsWith('CdkRestoreConstructsProvider') && JSON.stringify(role).includes('lambda.amazonaws.com'));
    // The handlers' role and the provider framework's three.
    expect(roles).toHaveLength(4);
    for (const [id, role] of roles) expect([id, role.Properties.ManagedPolicyArns]).toEqual([id, undefined]);
  });

  test('all five kinds together: every statement that changes something is held to the stack\'s tag, a named resource, or a service', () => {
    const stack = newStack();
    allFive(stack);
    const { statements } = handlerRole(Template.fromStack(stack));
    const changes = /:(Restore|Delete|Modify|Add|Remove|Copy|Create|Tag|Untag|Start|PassRole|RotateSecret)/;
    for (const s of statements) {
      const changing = [s.Action].flat().filter((a: string) => changes.test(a) && !a.startsWith('logs:') && !a.startsWith('states:'));
      if (!changing.length || s.Condition) continue;
      // Unconditioned: only on named resources, or the patterns whose names the service chooses (final snapshots, RDS's secrets),
      // or the groups a ModifyDBCluster sets (the cluster it modifies is held to the stack's tag by another statement).
      expect([changing, JSON.stringify(s.Resource)]).toEqual([changing, expect.not.stringMatching(/^"\*"$/)]);
      if (changing.join() === 'rds:ModifyDBCluster') expect(JSON.stringify(s.Resource)).not.toMatch(/:cluster:/);
      else if (JSON.stringify(s.Resource).includes('*')) expect(JSON.stringify(s.Resource)).toMatch(/-final-\*|rds!cluster-\*/);
    }
  });
});

describe('what others wrote, and aliases', () => {
  test('a suppression the app put on the handler policy stays when later restores add theirs', () => {
    const stack = newStack();
    new PointInTimeRestoredCluster(stack, 'First', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'a' });
    const policy = stack.node.findChild('CdkRestoreConstructsProvider').node.findChild('HandlerRole').node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    const mine = { id: 'AwsSolutions-IAM5', reason: 'The app accepts this for its own reasons, written before the second restore', applies_to: ['Resource::*'] };
    policy.addMetadata('cdk_nag', { rules_to_suppress: [...policy.getMetadata('cdk_nag').rules_to_suppress, mine] });
    new CopiedElasticSnapshot(stack, 'Second', { sourceSnapshotArn: 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/abc', targetSnapshotName: 'copy' });
    const rules = policy.getMetadata('cdk_nag').rules_to_suppress;
    expect(rules).toContainEqual(mine);
    expect(rules.some((r: any) => r.reason.includes('ListClusterSnapshots'))).toBe(true);
  });

  test('a key given as an alias made in the app is granted on its key, which is what KMS authorizes', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'StorageKey');
    const alias = key.addAlias('alias/restores');
    new PointInTimeRestoredCluster(stack, 'A', { engine: ClusterEngine.AURORA_MYSQL, sourceClusterIdentifier: 'a', storageEncryptionKey: alias });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const keyStatements = statements.filter((st) => [st.Action].flat().some((a: string) => a.startsWith('kms:')));
    expect(keyStatements.map((st) => st.Action).sort()).toEqual(['kms:CreateGrant', 'kms:DescribeKey']);
    for (const st of keyStatements) expect(st.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] });
  });
});

describe('logs and state machines', () => {
  test('every function the library adds logs to a log group that keeps its logs a month, unless told otherwise', () => {
    const stack = newStack();
    allFive(stack);
    const t = Template.fromStack(stack);
    const groups = t.findResources('AWS::Logs::LogGroup');
    const functions = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('CdkRestoreConstructsProvider'));
    // The three handlers and the provider framework's three.
    expect(functions).toHaveLength(6);
    for (const [, fn] of functions) {
      const group = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      expect(groups[group]?.Properties.RetentionInDays).toBe(30);
    }
  });

  test('logRetention sets the retention; two constructs of a stack that ask for different ones are refused, naming both', () => {
    const stack = newStack();
    new PointInTimeRestoredCluster(stack, 'A', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'a', logRetention: logs.RetentionDays.ONE_YEAR });
    new PointInTimeRestoredCluster(stack, 'B', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'b' });
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 365 }, 2);

    const conflicting = newStack();
    new PointInTimeRestoredCluster(conflicting, 'A', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'a', logRetention: logs.RetentionDays.ONE_YEAR });
    new PointInTimeRestoredCluster(conflicting, 'B', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'b', logRetention: logs.RetentionDays.ONE_WEEK });
    expect(() => Template.fromStack(conflicting)).toThrow(/Invalid logRetention: .*Restores\/A gives 365 days and Restores\/B gives 7 days/);
  });

  test('logRetention INFINITE keeps the logs: no retention on the groups', () => {
    const stack = newStack();
    new PointInTimeRestoredCluster(stack, 'A', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'a', logRetention: logs.RetentionDays.INFINITE });
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: Match.absent() }, 2);
  });

  test('both state machines log all events, without the execution data; the poller is traced', () => {
    const stack = newStack();
    new PointInTimeRestoredCluster(stack, 'A', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'a' });
    const t = Template.fromStack(stack);
    const machines = t.findResources('AWS::StepFunctions::StateMachine');
    expect(Object.keys(machines)).toHaveLength(2);
    for (const machine of Object.values(machines)) {
      expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    }
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true } });
  });
});

describe('metrics', () => {
  test('metricDuration, metricProgress and metricFailed name what the poller publishes for this restore', () => {
    const stack = newStack();
    const copy = new PointInTimeRestoredCluster(stack, 'A', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'a' });
    const restoreId = Object.keys(Template.fromStack(stack).findResources('Custom::PointInTimeRestoredCluster'))[0];
    const dimensions = { StackName: 'Restores', Restore: restoreId };
    const resolved = (metric: cloudwatch.Metric) => stack.resolve({
      namespace: metric.namespace, name: metric.metricName, dims: metric.dimensions, stat: metric.statistic,
    });
    expect(resolved(copy.metricDuration())).toEqual({ namespace: 'CdkRestoreConstructs', name: 'Duration', dims: dimensions, stat: 'Maximum' });
    expect(resolved(copy.metricProgress())).toEqual({ namespace: 'CdkRestoreConstructs', name: 'Progress', dims: dimensions, stat: 'Maximum' });
    expect(resolved(copy.metricFailed())).toEqual({ namespace: 'CdkRestoreConstructs', name: 'Failed', dims: dimensions, stat: 'Maximum' });
    expect(copy.metricDuration({ period: Duration.minutes(1) }).period.toMinutes()).toBe(1);
  });

  test('each kind offers them, and an alarm on a recovery-time objective synthesizes', () => {
    const stack = newStack();
    allFive(stack);
    for (const id of ['GraphCopy', 'LegacyImport', 'CatalogueCopy', 'FilesRestore', 'ReportingRecovery']) {
      const restore = stack.node.findChild(id) as unknown as { metricDuration(): cloudwatch.Metric };
      restore.metricDuration().createAlarm(stack, `${id}Rto`, { threshold: 3600, evaluationPeriods: 1 });
    }
    // Beside the three of OrdersClone's drill (a failed run, no success within two days, a missed objective).
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 5 + 3);
  });

  test('the handler may publish metrics only in the library\'s namespace', () => {
    const stack = newStack();
    new PointInTimeRestoredCluster(stack, 'A', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'a' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'cloudwatch:PutMetricData', Effect: 'Allow', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'CdkRestoreConstructs' } } }]) },
    });
  });
});

describe('CloudFormation\'s resource limit', () => {
  function withRestores(count: number): Stack {
    const stack = newStack();
    for (let i = 0; i < count; i++) new PointInTimeRestoredCluster(stack, `Copy${i}`, { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: `graph-${i}` });
    return stack;
  }
  const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('near the limit of 500'));

  test('a stack near 500 resources is warned at synth, saying what to do', () => {
    const stack = withRestores(90);
    const count = Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    expect(count).toBeGreaterThanOrEqual(450);
    expect(warnings(stack).map((w) => w.entry.data)).toEqual([expect.stringContaining(`has ${count} CloudFormation resources`)]);
    expect(String(warnings(stack)[0].entry.data)).toMatch(/Split the restores across stacks/);
  });

  test('a stack well inside the limit is not', () => {
    expect(warnings(withRestores(10))).toEqual([]);
  });
});
