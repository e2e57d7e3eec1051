import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { restoreTimingOf } from '../lambda/shared/handlers';
import { initialPollerState, pollStep, PollerState } from '../lambda/shared/polling';
import type { WaitSignal } from '../lambda/shared/signal';
import type { RestoreKindHandler } from '../lambda/shared/types';
import {
  BackupResourceType, BackupRestoreJob, ClusterEngine, CopiedElasticSnapshot, HuaweiRdsEngine, HuaweiRdsRecovery, HuaweiRestoreSource,
  PointInTimeRestoredCluster, RestoreMetadata, RestorePoint, RestoreValidation, S3ImportedAuroraCluster,
} from '../lib';
import { VALIDATION_RESOURCE_TYPE } from '../lib/private/contracts/common';
import { POINT_IN_TIME_RESTORED_CLUSTER } from '../lib/private/kinds/point-in-time-restored-cluster';

/**
 * Validation hooks. A validation is a custom resource of its own, after the restore and what the construct
 * builds on it: its Create starts an execution of the polling state machine, whose poller steps describe the
 * restored resource, have the state machine invoke the user's function, and end with the verdict, which the
 * provider framework's isComplete reads. The poller runs under a simulated clock here; the state machine's
 * part (invoking the function, catching its errors) is played as its definition says, which is checked below.
 * validation-sequences.test.ts drives the handlers through CloudFormation's requests.
 */
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Restores/1f2e3d4c';
const HANDLE = { StackId: STACK_ID, WaitHandle: 'RestoreWaitHandle1A2B' };
const VALIDATOR = 'arn:aws:lambda:us-east-1:123456789012:function:orders-check';
const START = 1_700_000_000_000;
const VALIDATION = {
  FunctionArn: VALIDATOR,
  TimeoutSeconds: '300',
  ConstructPath: 'Restores/Orders',
  Kind: 'PointInTimeRestoredCluster',
  RestorePoint: 'prod-orders at 2026-11-20T23:45:00.000Z',
  RestoreResourceType: 'Custom::PointInTimeRestoredCluster',
  RestoredId: 'orders-copy',
  Engine: 'aurora-postgresql',
  RestoreLogicalId: 'OrdersRestore',
  RestoreStartedAt: String(START),
  RestoreSeconds: '1200',
};

function deps(now: () => number, signals: WaitSignal[], figures: object[], published: object[] = []) {
  const kind: RestoreKindHandler = {
    kind: POINT_IN_TIME_RESTORED_CLUSTER,
    onEvent: async () => ({ PhysicalResourceId: 'orders-copy' }),
    describe: async (restored) => {
      published.push(restored);
      return { DBClusterIdentifier: 'orders-copy', Endpoint: 'orders-copy.cluster-abc.us-east-1.rds.amazonaws.com', Port: '5432' };
    },
    poll: async () => ({ done: true, status: 'available' }),
  };
  return {
    now,
    kindOf: () => kind,
    signal: async (_u: unknown, s: WaitSignal) => { signals.push(s); },
    publish: async (_r: unknown, f: object) => { figures.push(f); },
  };
}

/** A validation's execution: its first step, then the state machine's answer from the validator, at a given time. */
function validationExecution(properties: Record<string, unknown> = VALIDATION) {
  let now = START + 1500_000;
  const signals: WaitSignal[] = [];
  const figures: object[] = [];
  const described: object[] = [];
  const d = deps(() => now, signals, figures, described);
  const initial: PollerState = {
    ResourceType: VALIDATION_RESOURCE_TYPE,
    ResourceProperties: properties,
    PhysicalResourceId: 'orders-copy',
    StackId: STACK_ID,
    LogicalResourceId: 'OrdersRestoreValidation1234ABCD',
    StartedAt: now,
    Polls: 0,
    done: false,
    waitSeconds: 0,
  };
  return {
    signals,
    figures,
    described,
    advance: (ms: number) => { now += ms; },
    first: () => pollStep(initial, d),
    answer: async (state: PollerState, answer: PollerState['validation']) => pollStep({ ...state, validation: answer }, d),
  };
}

beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

describe('the poller', () => {
  test('a validation\'s first step describes the restored resource and asks the state machine to invoke the validator with its event', async () => {
    const v = validationExecution();
    const state = await v.first();
    expect(v.described).toEqual([{ RestoreResourceType: 'Custom::PointInTimeRestoredCluster', RestoredId: 'orders-copy', Engine: 'aurora-postgresql' }]);
    expect(state).toMatchObject({ done: false, waitSeconds: 0, LastStatus: 'validating' });
    expect(state.validate).toEqual({
      FunctionArn: VALIDATOR,
      TimeoutSeconds: 300,
      Event: {
        kind: 'PointInTimeRestoredCluster',
        constructPath: 'Restores/Orders',
        stackId: STACK_ID,
        physicalResourceId: 'orders-copy',
        attributes: { DBClusterIdentifier: 'orders-copy', Endpoint: 'orders-copy.cluster-abc.us-east-1.rds.amazonaws.com', Port: '5432' },
        restorePoint: 'prod-orders at 2026-11-20T23:45:00.000Z',
        restoreSeconds: 1200,
      },
    });
    expect(v.signals).toEqual([]);
    expect(v.figures).toEqual([]);
  });

  test('passed: the execution ends with the verdict and the recovery time from the restore\'s start, which it publishes once', async () => {
    const v = validationExecution();
    const asked = await v.first();
    v.advance(90_000);
    const end = await v.answer(asked, { Payload: { passed: true, message: '1203 orders, newest at 23:44' } });
    expect(end).toMatchObject({ done: true, Verdict: { passed: true, message: '1203 orders, newest at 23:44' }, RecoveryTime: 1500 + 90 });
    expect(end.validate).toBeUndefined();
    expect(end.validation).toBeUndefined();
    expect(v.figures).toEqual([{ recoveryTime: 1590 }]);
    expect(v.signals).toEqual([]);
  });

  test.each([
    ['failed', { Payload: { passed: false, message: 'orders has 0 rows, expected at least 1000' } }, 'orders has 0 rows, expected at least 1000'],
    ['failed without a message', { Payload: { passed: false } }, 'the validator gave no message'],
    ['threw', { Error: 'Error', Cause: JSON.stringify({ errorType: 'Error', errorMessage: 'connect ETIMEDOUT 10.0.3.7:5432' }) }, 'the validator failed (Error): connect ETIMEDOUT 10.0.3.7:5432'],
    ['timed out', { Error: 'States.Timeout', Cause: '' }, 'the validator did not answer within 300s'],
    ['throttled past the retries', { Error: 'Lambda.TooManyRequestsException', Cause: 'Rate exceeded' }, 'the validator failed (Lambda.TooManyRequestsException): Rate exceeded'],
    ['answered something else', { Payload: 'ok' }, 'the validator answered "ok", not { "passed": true|false, "message": "..." }'],
  ])('%s: the verdict fails with the message, and the restore counts as failed', async (_case, answer, message) => {
    const v = validationExecution();
    const end = await v.answer(await v.first(), answer);
    expect(end).toMatchObject({ done: true, Verdict: { passed: false, message } });
    expect(v.figures).toEqual([{ failed: 1 }]);
  });

  test('a step that failed outright (the state machine caught it) fails the verdict with why', async () => {
    const v = validationExecution();
    const initial = await v.first();
    const end = await pollStep({ ...initial, validate: undefined, error: { Error: 'Lambda.Unknown', Cause: 'describe failed' } }, deps(() => START, [], []));
    expect(end).toMatchObject({ done: true, Verdict: { passed: false, message: 'the validation could not run: describe failed' } });
  });

  test('a validation long after its restore ended (a new validator in a later deployment) has no recovery time to publish', async () => {
    // The restore ended at START + 1200 s; this validation starts 4 hours after that.
    const v = validationExecution({ ...VALIDATION, RestoreStartedAt: String(START - 4 * 3600_000) });
    const end = await v.answer(await v.first(), { Payload: { passed: true } });
    expect(end.Verdict).toEqual({ passed: true, message: '' });
    expect(end.RecoveryTime).toBeUndefined();
    expect(v.figures).toEqual([{}]);
  });

  test('a restore whose start is unknown (made in an earlier deployment) has no recovery time to publish', async () => {
    const { RestoreStartedAt: _s, RestoreSeconds: _r, ...props } = VALIDATION;
    const v = validationExecution(props);
    const asked = await v.first();
    expect(asked.validate?.Event.restoreSeconds).toBe(0);
    const end = await v.answer(asked, { Payload: { passed: true } });
    expect(end).toMatchObject({ done: true, Verdict: { passed: true, message: '' } });
    expect(end.RecoveryTime).toBeUndefined();
    expect(v.figures).toEqual([{}]);
  });

  test.each([
    ['without a validation, the restore\'s end is the recovery\'s: it publishes the recovery time', {}, { recoveryTime: 1200 }],
    ['with a validation to come, the restore leaves the recovery time to it', { Validated: 'true' }, {}],
  ])('%s; its signal carries its timing for the attributes resource', async (_case, extra, recovery) => {
    const signals: WaitSignal[] = [];
    const figures: object[] = [];
    const state = initialPollerState('Custom::PointInTimeRestoredCluster', { TimeoutSeconds: '3600', WaitHandle: 'Handle', ...extra }, 'orders-copy', HANDLE, START, 'OrdersRestore');
    const end = await pollStep(state, deps(() => START + 1200_000, signals, figures));
    expect(end.done).toBe(true);
    expect(signals).toEqual([{ Status: 'SUCCESS', UniqueId: 'orders-copy', Data: JSON.stringify({ startedAt: START, seconds: 1200 }), Reason: 'orders-copy is available after 20m' }]);
    expect(figures).toEqual([{ duration: 1200, failed: 0, progress: 100, ...recovery }]);
  });
});

describe('the constructs', () => {
  function stackWithValidator() {
    const stack = new Stack(new App(), 'Restores', { env: { account: '123456789012', region: 'us-east-1' } });
    const validator = new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ passed: true })') });
    return { stack, validator };
  }

  test('each kind passes its validation to the poller: the function, the timeout, its path and kind, and what it restores from', () => {
    const { stack, validator } = stackWithValidator();
    const validation = RestoreValidation.fromFunction(validator, { timeout: Duration.minutes(10) });
    new PointInTimeRestoredCluster(stack, 'Pitr', { engine: ClusterEngine.AURORA_POSTGRESQL, sourceClusterIdentifier: 'prod', restorePoint: RestorePoint.at(new Date('2026-11-20T23:45:00Z')), validation });
    new S3ImportedAuroraCluster(stack, 'Import', { bucket: s3.Bucket.fromBucketName(stack, 'B', 'backups'), bucketPrefix: 'nightly/', sourceEngineVersion: '8.0.36', validation });
    new CopiedElasticSnapshot(stack, 'Copy', { sourceSnapshotArn: 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/abc', targetSnapshotName: 'copy', validation });
    new BackupRestoreJob(stack, 'Job', {
      recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45',
      resourceType: BackupResourceType.EFS,
      metadata: RestoreMetadata.efs({ fileSystemId: 'fs-12345678', newFileSystem: true }),
      validation,
    });
    new HuaweiRdsRecovery(stack, 'Huawei', {
      region: 'cn-north-4',
      projectId: '0483b6b16e954cb88930a360d2c4e663',
      credentials: secretsmanager.Secret.fromSecretNameV2(stack, 'K', 'huawei'),
      sourceInstanceId: 'src01in01',
      targetInstanceId: 'src01in01',
      restoreSource: HuaweiRestoreSource.backup('b1'),
      engine: HuaweiRdsEngine.MYSQL,
      acknowledgeOverwrite: true,
      validation,
    });
    const t = Template.fromStack(stack);
    const validations = Object.values(t.findResources(VALIDATION_RESOURCE_TYPE)).map((r) => stack.resolve(r.Properties));
    const check = { 'Fn::GetAtt': [expect.stringMatching(/^Check/), 'Arn'] };
    const common = (construct: string, type: string) => ({
      ServiceToken: expect.anything(),
      FunctionArn: check,
      TimeoutSeconds: 600,
      ConstructPath: `Restores/${construct}`,
      RestoreResourceType: `Custom::${type}`,
      Kind: type,
      RestoredId: { Ref: expect.stringMatching(new RegExp(`^${construct}Restore[0-9A-F]{8,16}$`)) },
      RestoreLogicalId: expect.stringMatching(new RegExp(`^${construct}Restore[0-9A-F]{8,16}$`)),
      RestoreStartedAt: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${construct}Restore\\w*Attributes`)), 'RestoreStartedAt'] },
      RestoreSeconds: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${construct}Restore\\w*Attributes`)), 'RecoveryTime'] },
    });
    expect(validations).toEqual([
      { ...common('Pitr', 'PointInTimeRestoredCluster'), Engine: 'aurora-postgresql', RestorePoint: 'prod at 2026-11-20T23:45:00.000Z' },
      { ...common('Import', 'S3ImportedAuroraCluster'), Engine: 'aurora-mysql', RestorePoint: 's3://backups/nightly/' },
      { ...common('Copy', 'CopiedElasticSnapshot'), RestorePoint: 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/abc' },
      { ...common('Job', 'BackupRestoreJob'), RestorePoint: 'arn:aws:backup:us-east-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45' },
      { ...common('Huawei', 'HuaweiRdsRecovery'), Engine: 'mysql', RestorePoint: 'backup b1 of src01in01' },
    ]);
    // Each restore knows a validation follows, so that it leaves the recovery time to it.
    for (const type of ['PointInTimeRestoredCluster', 'S3ImportedAuroraCluster', 'CopiedElasticSnapshot', 'BackupRestoreJob', 'HuaweiRdsRecovery']) {
      expect(Object.values(t.findResources(`Custom::${type}`)).map((r) => r.Properties.Validated)).toEqual([true]);
    }
  });

  test('only the polling state machine may invoke the validator, that function only; the validation waits for that grant, the restore does not', () => {
    const { stack, validator } = stackWithValidator();
    new PointInTimeRestoredCluster(stack, 'Pitr', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod', validation: RestoreValidation.fromFunction(validator) });
    const t = Template.fromStack(stack);
    const invokers = Object.entries(t.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('"Check'))
      .map(([id, p]) => ({ id, roles: p.Properties.Roles, statements: p.Properties.PolicyDocument.Statement }));
    expect(invokers).toEqual([{
      id: expect.stringMatching(/^PitrRestoreValidationPolicy/),
      roles: [{ Ref: expect.stringMatching(/^CdkRestoreConstructsProviderPollerRole/) }],
      statements: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Check/), 'Arn'] } }],
    }]);
    const [validation] = Object.values(t.findResources(VALIDATION_RESOURCE_TYPE));
    expect(validation.DependsOn).toContain(invokers[0].id);
    const [restore] = Object.values(t.findResources('Custom::PointInTimeRestoredCluster'));
    expect(restore.DependsOn).not.toContain(invokers[0].id);
  });

  test('the state machine invokes the function the poller names, within its timeout, retries Lambda\'s throttling and faults only, and hands errors back', () => {
    const { stack, validator } = stackWithValidator();
    new PointInTimeRestoredCluster(stack, 'Pitr', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod', validation: RestoreValidation.fromFunction(validator) });
    const [machine] = Object.entries(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine')).filter(([id]) => id.startsWith('CdkRestoreConstructsProviderPoller'));
    const definition = JSON.parse((stack.resolve(machine[1].Properties.DefinitionString)['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'aws')).join(''));
    expect(definition.States['Ended?'].Choices).toEqual(expect.arrayContaining([{ Variable: '$.validate', IsPresent: true, Next: 'ValidateRestore' }]));
    expect(definition.States.ValidateRestore).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { 'FunctionName.$': '$.validate.FunctionArn', 'Payload.$': '$.validate.Event' },
      TimeoutSecondsPath: '$.validate.TimeoutSeconds',
      ResultSelector: { 'Payload.$': '$.Payload' },
      ResultPath: '$.validation',
      Retry: [{
        ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
      }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.validation', Next: 'LookAtRestore' }],
      Next: 'LookAtRestore',
    });
  });

  test.each([
    [Duration.minutes(16), /Invalid validation timeout "16 minutes": use a duration from 1 second to 15 minutes/],
    [Duration.minutes(0), /Invalid validation timeout/],
  ])('a validation timeout of %s is refused', (timeout, message) => {
    const { validator } = stackWithValidator();
    expect(() => RestoreValidation.fromFunction(validator, { timeout })).toThrow(message);
  });

  test('a validation longer than the restore\'s timeout is refused; a validator that times out before it is warned about', () => {
    const { stack, validator } = stackWithValidator();
    expect(() => new PointInTimeRestoredCluster(stack, 'Pitr', {
      engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod', timeout: Duration.minutes(10), validation: RestoreValidation.fromFunction(validator, { timeout: Duration.minutes(15) }),
    })).toThrow(/Invalid validation "15 minutes timeout": a validation may take no longer than its restore's timeout \(10 minutes\)/);
    new PointInTimeRestoredCluster(stack, 'Short', {
      engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod', validation: RestoreValidation.fromFunction(validator, { timeout: Duration.minutes(5) }),
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('validatorTimeout'));
    expect(warnings.map((w) => [w.id, w.entry.data])).toEqual([['/Restores/Short', expect.stringMatching(
      /^The validator Restores\/Check times out after 3 seconds, before the validation's timeout of 5 minutes: a slow validation fails with Lambda's "Task timed out"/)]]);
  });

  test('the README\'s wiring (VPC, port, the managed secret) has no cycle; the validation waits for the instances, the ingress rule and the grant', () => {
    const stack = new Stack(new App(), 'Restores', { env: { account: '123456789012', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const check = new lambda.Function(stack, 'VpcCheck', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), vpc });
    const orders = new PointInTimeRestoredCluster(stack, 'Orders', {
      engine: ClusterEngine.AURORA_POSTGRESQL,
      sourceClusterIdentifier: 'prod-orders',
      vpc,
      instances: 2,
      manageMasterUserPassword: true,
      validation: RestoreValidation.fromFunction(check),
    });
    orders.connections.allowDefaultPortFrom(check);
    orders.secret!.grantRead(check);
    const t = Template.fromStack(stack);
    const [[, validation]] = Object.entries(t.findResources(VALIDATION_RESOURCE_TYPE));
    const instances = Object.keys(t.findResources('AWS::RDS::DBInstance'));
    const ingress = Object.keys(t.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((id) => JSON.stringify(t.toJSON().Resources[id]).includes('RestoreAttributes'));
    expect(instances).toHaveLength(2);
    expect(ingress).toHaveLength(1);
    expect(validation.DependsOn).toEqual(expect.arrayContaining([...instances, ...ingress]));
    // The grant: the validator's role policy names the restore's secret, and the validation waits for the validator.
    const grant = Object.entries(t.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('VpcCheckServiceRoleDefaultPolicy'))!;
    expect(JSON.stringify(grant[1].Properties.PolicyDocument)).toContain('MasterUserSecretArn');
    expect(validation.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^OrdersRestoreValidationPolicy/)]));
  });

  test('what waits for the construct or its `ready` is left out of what the validation waits for: no cycle', () => {
    const stack = new Stack(new App(), 'Restores', { env: { account: '123456789012', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const dbGroup = new ec2.SecurityGroup(stack, 'DbGroup', { vpc });
    const check = new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), vpc });
    const app = new lambda.Function(stack, 'App', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), vpc });
    const later = new lambda.Function(stack, 'Later', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), vpc });
    const orders = new PointInTimeRestoredCluster(stack, 'Orders', {
      engine: ClusterEngine.AURORA_POSTGRESQL, sourceClusterIdentifier: 'prod-orders', vpc, securityGroups: [dbGroup], validation: RestoreValidation.fromFunction(check),
    });
    orders.connections.allowDefaultPortFrom(check);
    orders.connections.allowDefaultPortFrom(app);
    orders.connections.allowDefaultPortFrom(later);
    app.node.addDependency(orders);
    later.node.addDependency(orders.ready);
    // A resource an app puts under the construct, built on its recovery time.
    new ssm.StringParameter(orders, 'RecoveryTime', { stringValue: Token.asString(orders.recoveryTime) });
    const t = Template.fromStack(stack);
    const [validation] = Object.values(t.findResources(VALIDATION_RESOURCE_TYPE));
    const rules = Object.entries(t.findResources('AWS::EC2::SecurityGroupIngress'));
    const ruleFrom = (peer: string) => rules.find(([, r]) => JSON.stringify(r.Properties.SourceSecurityGroupId).includes(peer))![0];
    expect(validation.DependsOn).toContain(ruleFrom('CheckSecurityGroup'));
    expect(validation.DependsOn).not.toContain(ruleFrom('AppSecurityGroup'));
    expect(validation.DependsOn).not.toContain(ruleFrom('LaterSecurityGroup'));
    expect(validation.DependsOn.filter((id: string) => id.startsWith('OrdersRecoveryTime'))).toEqual([]);
    expect((orders.ready as Construct).node.id).toMatch(/^Validation[0-9A-F]{8}$/);
  });

  test('a rule on the construct\'s security group with a port of its own is waited for too', () => {
    const stack = new Stack(new App(), 'Restores', { env: { account: '123456789012', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const check = new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), vpc });
    const orders = new PointInTimeRestoredCluster(stack, 'Orders', {
      engine: ClusterEngine.AURORA_POSTGRESQL, sourceClusterIdentifier: 'prod-orders', vpc, validation: RestoreValidation.fromFunction(check),
    });
    orders.connections.allowFrom(check, ec2.Port.tcp(5432));
    const t = Template.fromStack(stack);
    const [validation] = Object.values(t.findResources(VALIDATION_RESOURCE_TYPE));
    const [[rule]] = Object.entries(t.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { FromPort: 5432 } }));
    expect(validation.DependsOn).toContain(rule);
  });

  test('adding a validation to a restore starts no new restore: the same wait, and the restore only learns that a validation follows', () => {
    const restoreOf = (validated: boolean) => {
      const { stack, validator } = stackWithValidator();
      new PointInTimeRestoredCluster(stack, 'Pitr', {
        engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod', ...(validated ? { validation: RestoreValidation.fromFunction(validator) } : {}),
      });
      const t = Template.fromStack(stack);
      const [[id, restore]] = Object.entries(t.findResources('Custom::PointInTimeRestoredCluster'));
      return { id, waits: Object.keys(t.findResources('AWS::CloudFormation::WaitCondition')), properties: restore.Properties };
    };
    const before = restoreOf(false);
    const after = restoreOf(true);
    expect(after.id).toBe(before.id);
    expect(after.waits).toEqual(before.waits);
    expect(after.properties).toEqual({ ...before.properties, Validated: true });
  });

  test('a new restore or a new validator is a new validation (a new logical id); an unrelated change is not', () => {
    const ids = (sourceClusterIdentifier: string, validatorId: string, minutes: number, deletionProtection = false) => {
      const { stack } = stackWithValidator();
      const fn = new lambda.Function(stack, validatorId, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
      new PointInTimeRestoredCluster(stack, 'Pitr', {
        engine: ClusterEngine.NEPTUNE,
        sourceClusterIdentifier,
        deletionProtection,
        validation: RestoreValidation.fromFunction(fn, { timeout: Duration.minutes(minutes) }),
      });
      return Object.keys(Template.fromStack(stack).findResources(VALIDATION_RESOURCE_TYPE));
    };
    const [base] = ids('prod', 'Check2', 5);
    expect(base).toMatch(/^PitrRestoreValidation[0-9A-F]{8}/);
    expect(ids('other', 'Check2', 5)).not.toEqual([base]);
    expect(ids('prod', 'Check3', 5)).not.toEqual([base]);
    expect(ids('prod', 'Check2', 6)).not.toEqual([base]);
    // Deletion protection changes in place: the same restore, the same validation.
    expect(ids('prod', 'Check2', 5, true)).toEqual([base]);
  });

  test('recoveryTime is read after the restore without a validation, after the validation with one; and a metric', () => {
    const { stack, validator } = stackWithValidator();
    const plain = new PointInTimeRestoredCluster(stack, 'Plain', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod' });
    const validated = new PointInTimeRestoredCluster(stack, 'Validated', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod', validation: RestoreValidation.fromFunction(validator) });
    expect(stack.resolve(plain.recoveryTime)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PlainRestoreAttributes/), 'RecoveryTime'] });
    expect(stack.resolve(validated.recoveryTime)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ValidatedRestoreValidation[0-9A-F]{8}/), 'RecoveryTime'] });
    expect(plain.metricRecoveryTime().metricName).toBe('RecoveryTime');
    // Without a validation, ready is the restore's end: its attributes read.
    expect((plain.ready as Construct).node.id).toMatch(/^Attributes$/);
  });
});

describe('the attributes resource reads the restore\'s timing from its wait condition', () => {
  test.each([
    ['a signal with the timing', JSON.stringify({ 'orders-copy': JSON.stringify({ startedAt: START, seconds: 1742 }) }), { startedAt: START, seconds: 1742 }],
    ['a signal without data (an update that signalled at once)', JSON.stringify({ 'orders-copy': '' }), undefined],
    ['no wait data', undefined, undefined],
    ['data of another shape', JSON.stringify({ 'orders-copy': '1742' }), undefined],
  ])('%s', (_case, data, timing) => {
    expect(restoreTimingOf(data)).toEqual(timing);
  });
});
