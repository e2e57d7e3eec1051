import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App, CfnCondition, CfnParameter, CfnResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BackupResourceType, BackupRestoreJob, ClusterEngine, CopiedElasticSnapshot, DrillSchedule, HuaweiRdsEngine, HuaweiRdsRecovery, HuaweiRestoreSource,
  PointInTimeRestoredCluster, PointInTimeRestoredClusterProps, RestoreMetadata, RestoreValidation, S3ImportedAuroraCluster,
} from '../lib';
import { IN_CI } from './support/api-model';
import { Moto, requireMoto, startMoto, useEmulator } from './support/moto';
import { parseArgs } from '../rehearse/cli';
import { describeError, rehearse, RehearsalFailure, StandInState } from '../rehearse/rehearsal';

/**
 * cdk-restore-rehearse against moto_server: a synthesized stack with a Neptune and an Aurora
 * restore, run through the handler bundles of its own cloud assembly.
 */
const BIN = path.join(__dirname, '..', 'bin', 'cdk-restore-rehearse');
const run = requireMoto();
const suite = run ? describe : describe.skip;

function synthStack(sources: { graph: string; orders: string }, options: { chained?: boolean } = {}): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Rehearsed');
  const graph = new PointInTimeRestoredCluster(stack, 'Graph', {
    engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: sources.graph, clusterIdentifier: `${sources.graph}-copy`, instances: 1,
  });
  if (options.chained) {
    // A restore of the graph's restored cluster: it needs the first one.
    new PointInTimeRestoredCluster(stack, 'Chained', {
      engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: graph.clusterIdentifier, clusterIdentifier: `${sources.graph}-copy-of-copy`,
    });
  }
  new PointInTimeRestoredCluster(stack, 'Orders', {
    engine: ClusterEngine.AURORA_MYSQL,
    sourceClusterIdentifier: sources.orders,
    clusterIdentifier: `${sources.orders}-copy`,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  app.synth();
  return outdir;
}

/**
 * An app with all five kinds: a Huawei Cloud recovery (region cn-north-4: its real endpoint), an AWS Backup
 * restore job, a DocumentDB Elastic snapshot copy, an S3 import and a point-in-time restore.
 */
function synthMixedStack(prefix: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Mixed');
  new HuaweiRdsRecovery(stack, 'Recover', {
    region: 'cn-north-4',
    projectId: '0483b6b16e954cb88930a360d2c4e663',
    credentials: secretsmanager.Secret.fromSecretNameV2(stack, 'HuaweiKeys', `${prefix}/huawei-keys`),
    sourceInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
    targetInstanceId: 'f1a2b3c4d5e64f7a8b9c0d1e2f3a4b5cin01',
    restoreSource: HuaweiRestoreSource.backup('2f4ddb93-b901-4b08-93d8-1d2e472f30fe'),
    engine: HuaweiRdsEngine.MYSQL,
    acknowledgeOverwrite: true,
  });
  new BackupRestoreJob(stack, 'RestoreFs', {
    recoveryPointArn: `arn:aws:backup:us-east-1:123456789012:recovery-point:${prefix}-1EB3B5E7-9EB0-435A-A80B`,
    resourceType: BackupResourceType.EFS,
    metadata: RestoreMetadata.efs({ fileSystemId: 'fs-12345678', newFileSystem: true }),
  });
  new CopiedElasticSnapshot(stack, 'Copy', {
    sourceSnapshotArn: `arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/${prefix}0123456789abcdef`,
    targetSnapshotName: `${prefix}-orders-copy`,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new S3ImportedAuroraCluster(stack, 'Orders', {
    bucket: s3.Bucket.fromBucketName(stack, 'Backups', `${prefix}-backups`),
    sourceEngineVersion: '8.0.36',
    clusterIdentifier: `${prefix}-imported`,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new PointInTimeRestoredCluster(stack, 'Graph', {
    engine: ClusterEngine.NEPTUNE,
    sourceClusterIdentifier: `${prefix}-graph`,
    clusterIdentifier: `${prefix}-graph-copy`,
    // A key the stack makes: a placeholder unless the rehearsal makes it in the emulator first.
    storageEncryptionKey: new kms.Key(stack, 'Key'),
  });
  app.synth();
  return outdir;
}

async function clusterIds(): Promise<string[]> {
  const out = await new rds.RDSClient({}).send(new rds.DescribeDBClustersCommand({}));
  return (out.DBClusters ?? []).map((c) => c.DBClusterIdentifier!).sort();
}

suite('cdk-restore-rehearse', () => {
  let moto: Moto;
  let undo: () => void;
  const dirs: string[] = [];
  const lines: string[] = [];
  const print = (line: string) => { lines.push(line); };

  beforeAll(async () => {
    moto = await startMoto();
    undo = useEmulator(moto.endpoint);
  });
  afterAll(async () => {
    undo?.();
    await moto?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  beforeEach(() => { lines.length = 0; });

  async function withSources(prefix: string, options: { chained?: boolean } = {}): Promise<string> {
    await new neptune.NeptuneClient({}).send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: `${prefix}-graph`, Engine: 'neptune' }));
    await new rds.RDSClient({}).send(new rds.CreateDBClusterCommand({
      DBClusterIdentifier: `${prefix}-orders`, Engine: 'aurora-mysql', MasterUsername: 'admin', ManageMasterUserPassword: true,
    }));
    const dir = synthStack({ graph: `${prefix}-graph`, orders: `${prefix}-orders` }, options);
    dirs.push(dir);
    return dir;
  }

  test('a stack with a Neptune and an Aurora restore: created, waited for, described and deleted in reverse order', async () => {
    const app = await withSources('one');
    const result = await rehearse({ app, endpoint: moto.endpoint, print });

    expect(result.created).toEqual([
      expect.stringMatching(/^GraphRestore/), expect.stringMatching(/^GraphRestoreAttributes/),
      expect.stringMatching(/^OrdersRestore/), expect.stringMatching(/^OrdersRestoreAttributes/),
    ]);
    expect(result.deleted).toEqual([...result.created].reverse());
    const attributes = Object.values(result.attributes).find((a) => a.DBClusterIdentifier === 'one-graph-copy');
    expect(attributes).toMatchObject({ Port: '8182', DBClusterArn: 'arn:aws:rds:us-east-1:123456789012:cluster:one-graph-copy' });
    expect(result.notRehearsed).toEqual(expect.arrayContaining([expect.stringMatching(/^GraphInstance1/)]));

    const text = lines.join('\n');
    expect(text).toMatch(/RestoreDBClusterToPointInTime: neptune cluster "one-graph-copy" from "one-graph"/);
    // Neptune's restore call has no CopyTagsToSnapshot: ModifyDBCluster applies it before the wait ends.
    expect(text).toMatch(/WAIT {3}GraphRestoreWait\w+\n.*ModifyDBCluster "one-graph-copy" once restored: CopyTagsToSnapshot\n(?:.*\n)*? {4}signalled SUCCESS after/);
    expect(text).toMatch(/DeleteDBCluster "one-graph-copy" \(status "available"\): final snapshot "one-graph-copy-final-/);
    expect(text).toMatch(/DeleteDBCluster "one-orders-copy" \(status "available"\): no final snapshot/);
    expect(text).toMatch(/AWS::Neptune::DBInstance: GraphInstance1/);
    expect(text).toContain('Rehearsal passed: 4 resource(s) created and waited for, 4 deleted.');
    expect(await clusterIds()).toEqual(['one-graph', 'one-orders']);
  });

  test('the rehearsal plays the state machine the template defines: a changed definition (a fixed wait, an extra state) is played as changed', async () => {
    const app = await withSources('defined');
    const asSynthesized = await rehearse({ app, endpoint: moto.endpoint, print });
    const polled = asSynthesized.executions.filter((e) => /^GraphRestoreWait/.test(e.resource));
    expect(polled).toHaveLength(1);
    const names = polled[0].states.map((s) => s.name);
    expect(names.slice(0, 2)).toEqual(['LookAtRestore', 'Ended?']);
    expect(names).toContain('WaitBeforeNextLook');
    expect(names[names.length - 1]).toBe('Signalled');
    // The wait the poller asked for, through the definition's SecondsPath.
    const asked = polled[0].states.find((s) => s.name === 'WaitBeforeNextLook')!.waitSeconds;
    expect(asked).toBeGreaterThan(0);
    expect(asked).not.toBe(7);

    // The same app, its polling state machine edited in cdk.out: a Wait of 7 seconds, then a Pass state.
    const editedApp = await withSources('edited');
    const templateFile = path.join(editedApp, 'Rehearsed.template.json');
    const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
    const [machine] = Object.values<any>(template.Resources)
      .filter((r) => r.Type === 'AWS::StepFunctions::StateMachine' && JSON.stringify(r.Properties.DefinitionString).includes('LookAtRestore'));
    const wait = '"WaitBeforeNextLook":{"Type":"Wait","SecondsPath":"$.waitSeconds","Next":"LookAtRestore"}';
    const parts: unknown[] = machine.Properties.DefinitionString['Fn::Join'][1];
    const at = parts.findIndex((part) => typeof part === 'string' && part.includes(wait));
    expect(at).toBeGreaterThanOrEqual(0);
    parts[at] = (parts[at] as string).replace(wait,
      '"WaitBeforeNextLook":{"Type":"Wait","Seconds":7,"Next":"CountedLook"},"CountedLook":{"Type":"Pass","Next":"LookAtRestore"}');
    fs.writeFileSync(templateFile, JSON.stringify(template));
    lines.length = 0;
    const edited = await rehearse({ app: editedApp, endpoint: moto.endpoint, print });
    const played = edited.executions.filter((e) => /^GraphRestoreWait/.test(e.resource))[0].states;
    const waited = played.findIndex((s) => s.name === 'WaitBeforeNextLook');
    expect(played[waited]).toEqual({ name: 'WaitBeforeNextLook', type: 'Wait', waitSeconds: 7 });
    expect(played[waited + 1]).toEqual({ name: 'CountedLook', type: 'Pass' });
    expect(played[waited + 2].name).toBe('LookAtRestore');
    expect(lines.join('\n')).toMatch(/edited-graph-copy: status "[^"]+" \(.*; next look asked for in 7s\)/);
  });

  test('the template as CloudFormation reads it: a parameter\'s default, a condition that leaves a restore out; '
    + 'a function the rehearsal cannot resolve stops it before anything runs, named with its resource', async () => {
    await new neptune.NeptuneClient({}).send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'param-graph', Engine: 'neptune' }));
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
    dirs.push(outdir);
    const app = new App({ outdir });
    const stack = new Stack(app, 'Parameters');
    const source = new CfnParameter(stack, 'SourceCluster', { default: 'param-graph' });
    new PointInTimeRestoredCluster(stack, 'Graph', {
      engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: source.valueAsString, clusterIdentifier: 'param-graph-copy',
    });
    const never = new CfnCondition(stack, 'Never', { expression: Fn.conditionEquals(Fn.ref('AWS::Region'), 'mars-1') });
    new PointInTimeRestoredCluster(stack, 'Elsewhere', {
      engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'param-graph', clusterIdentifier: 'elsewhere-copy',
    }).node.findAll().forEach((c) => { if (c instanceof CfnResource) c.cfnOptions.condition = never; });
    app.synth();

    const result = await rehearse({ app: outdir, endpoint: moto.endpoint, print });
    expect(result.attributes[result.created[1]]).toMatchObject({ DBClusterIdentifier: 'param-graph-copy' });
    expect(lines.join('\n')).toMatch(/RestoreDBClusterToPointInTime: neptune cluster "param-graph-copy" from "param-graph"/);
    // The conditioned restore is not in the stack CloudFormation would make: neither created nor reported.
    expect([...result.created, ...result.notRehearsed].filter((id) => id.startsWith('Elsewhere'))).toEqual([]);
    expect(await clusterIds()).not.toContain('elsewhere-copy');

    const templateFile = path.join(outdir, 'Parameters.template.json');
    const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
    const [restoreId] = Object.keys(template.Resources).filter((id) => /^GraphRestore[0-9A-F]+$/.test(id));
    template.Resources[restoreId].Properties.Tags = { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://tags' } } };
    template.Conditions.Never = { 'Fn::Contains': [['mars-1'], { Ref: 'AWS::Region' }] };
    fs.writeFileSync(templateFile, JSON.stringify(template));
    lines.length = 0;
    const failure = await rehearse({ app: outdir, endpoint: moto.endpoint, print }).then(() => undefined, (e) => e);
    expect(failure).toBeInstanceOf(RehearsalFailure);
    expect(failure.message).toBe('The stack Parameters uses intrinsic functions the rehearsal does not resolve: '
      + `Fn::Transform (in ${restoreId}), Fn::Contains (in condition Never). `
      + 'It resolves those aws-cdk-lib emits; a template written another way cannot be rehearsed.');
    expect(lines.filter((line) => /^(CREATE|WAIT)/.test(line))).toEqual([]);
  });

  test('a failing restore fails with its own message; the others go on, those that need it are skipped, and the rollback deletes what was made', async () => {
    const app = await withSources('two', { chained: true });
    await new neptune.NeptuneClient({}).send(new neptune.DeleteDBClusterCommand({ DBClusterIdentifier: 'two-graph', SkipFinalSnapshot: true }));
    const failure = await rehearse({ app, endpoint: moto.endpoint, print }).then(() => undefined, (e) => e);
    expect(failure).toBeInstanceOf(RehearsalFailure);
    expect(failure.message).toMatch(/^1 failed, \d+ skipped as they needed a failed one: GraphRestore\w+: Source cluster "two-graph" does not exist in this account and region/);
    const result = (failure as RehearsalFailure).result!;
    expect(Object.keys(result.failed)).toEqual([expect.stringMatching(/^GraphRestore[0-9A-F]+$/)]);
    // The independent restore was created, waited for and read; the chained one never started.
    expect(result.created).toEqual([expect.stringMatching(/^OrdersRestore/), expect.stringMatching(/^OrdersRestoreAttributes/)]);
    expect(result.attributes[result.created[1]]).toMatchObject({ DBClusterIdentifier: 'two-orders-copy' });
    expect(result.skipped).toEqual(expect.arrayContaining([expect.stringMatching(/^GraphRestoreAttributes/), expect.stringMatching(/^ChainedRestore[0-9A-F]+$/)]));
    expect(result.deleted).toEqual([...result.created].reverse());
    const text = lines.join('\n');
    expect(text).toMatch(/SKIPPED GraphRestoreWait\w+: it needs GraphRestore[0-9A-F]+, which failed/);
    expect(text).toMatch(/SKIPPED ChainedRestore[0-9A-F]+: it needs \w+, which was skipped/);
    expect(text).toMatch(/ROLLBACK OrdersRestore[0-9A-F]+ \(Custom::PointInTimeRestoredCluster\) two-orders-copy/);
    // The emulator holds nothing the rehearsal made.
    const left = await clusterIds();
    for (const id of ['two-orders-copy', 'two-graph-copy', 'two-graph-copy-of-copy']) expect(left).not.toContain(id);
  });

  test('validators: a Node.js one runs in-process with the restore\'s event; a failing or silent one fails the rehearsal with its own message, '
    + 'and the rollback removes its restore; one in another runtime is reported as not rehearsed', async () => {
    await new neptune.NeptuneClient({}).send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'val-graph', Engine: 'neptune' }));
    await new rds.RDSClient({}).send(new rds.CreateDBClusterCommand({
      DBClusterIdentifier: 'val-orders', Engine: 'aurora-mysql', MasterUsername: 'admin', ManageMasterUserPassword: true,
    }));
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
    dirs.push(outdir);
    const code = (body: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-'));
      dirs.push(dir);
      fs.writeFileSync(path.join(dir, 'index.js'), body);
      return lambda.Code.fromAsset(dir);
    };
    const app = new App({ outdir });
    const stack = new Stack(app, 'Validated');
    const node = (id: string, body: string) => new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: code(body) });
    // Passes when the event names the restored graph and its port, as a real check would use them.
    const graphCheck = node('GraphCheck', `exports.handler = async (event) => ({
      passed: event.attributes.DBClusterIdentifier === 'val-graph-copy' && event.attributes.Port === '8182' && event.kind === 'PointInTimeRestoredCluster',
      message: 'graph ' + event.attributes.DBClusterIdentifier + ' answers on ' + event.attributes.Port + ', restored from ' + event.restorePoint,
    });`);
    const ordersCheck = node('OrdersCheck', "exports.handler = async () => ({ passed: false, message: 'orders has 0 rows, expected at least 1000' });");
    const pythonCheck = new lambda.Function(stack, 'PythonCheck', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: code('') });
    // Never answers, and takes over the console meanwhile: the rehearsal must get both back.
    const silentCheck = node('SilentCheck', 'exports.handler = () => { console.log = () => undefined; return new Promise(() => undefined); };');
    new PointInTimeRestoredCluster(stack, 'Graph', {
      engine: ClusterEngine.NEPTUNE,
      sourceClusterIdentifier: 'val-graph',
      clusterIdentifier: 'val-graph-copy',
      instances: 0,
      validation: RestoreValidation.fromFunction(graphCheck),
    });
    new PointInTimeRestoredCluster(stack, 'Orders', {
      engine: ClusterEngine.AURORA_MYSQL,
      sourceClusterIdentifier: 'val-orders',
      clusterIdentifier: 'val-orders-copy',
      instances: 0,
      removalPolicy: RemovalPolicy.DESTROY,
      validation: RestoreValidation.fromFunction(ordersCheck, { timeout: Duration.minutes(2) }),
    });
    new PointInTimeRestoredCluster(stack, 'Reports', {
      engine: ClusterEngine.NEPTUNE,
      sourceClusterIdentifier: 'val-graph',
      clusterIdentifier: 'val-reports-copy',
      instances: 0,
      validation: RestoreValidation.fromFunction(pythonCheck),
    });
    new PointInTimeRestoredCluster(stack, 'Silent', {
      engine: ClusterEngine.NEPTUNE,
      sourceClusterIdentifier: 'val-graph',
      clusterIdentifier: 'val-silent-copy',
      instances: 0,
      validation: RestoreValidation.fromFunction(silentCheck, { timeout: Duration.seconds(1) }),
    });
    app.synth();
    const consoleLog = console.log;

    const failure = await rehearse({ app: outdir, endpoint: moto.endpoint, print }).then(() => undefined, (e) => e as RehearsalFailure);
    expect(failure).toBeInstanceOf(RehearsalFailure);
    expect(failure!.message).toMatch(/^2 failed.*OrdersRestoreValidation\w+: The validation of val-orders-copy failed: orders has 0 rows, expected at least 1000/);
    expect(failure!.message).toMatch(/SilentRestoreValidation\w+: The validation of val-silent-copy failed: the validator did not answer within 1s/);
    expect(console.log).toBe(consoleLog);
    const result = failure!.result!;
    expect(result.validations).toEqual([
      { resource: expect.stringMatching(/^GraphRestoreValidation/), validator: expect.stringMatching(/^GraphCheck/), outcome: 'passed', message: 'graph val-graph-copy answers on 8182, restored from val-graph at its latest restorable time' },
      { resource: expect.stringMatching(/^OrdersRestoreValidation/), validator: expect.stringMatching(/^OrdersCheck/), outcome: 'failed', message: 'orders has 0 rows, expected at least 1000' },
      { resource: expect.stringMatching(/^ReportsRestoreValidation/), validator: expect.stringMatching(/^PythonCheck/), outcome: 'not rehearsed', message: 'it runs on python3.12' },
      { resource: expect.stringMatching(/^SilentRestoreValidation/), validator: expect.stringMatching(/^SilentCheck/), outcome: 'failed', message: 'no answer within 1s' },
    ]);
    // The graph's recovery time is an attribute of its validation: from the restore's start to the validation's end.
    const graph = Object.values(result.attributes).find((a) => a.DBClusterIdentifier === 'val-graph-copy');
    const [, validated] = Object.entries(result.attributes).find(([id]) => id.startsWith('GraphRestoreValidation'))!;
    expect(graph?.RecoveryTime).toMatch(/^\d+$/);
    expect(validated.RecoveryTime).toMatch(/^\d+$/);
    expect(Number(validated.RecoveryTime)).toBeGreaterThanOrEqual(Number(graph?.RecoveryTime));
    // The rollback removed every restore, the one that failed its validation included.
    const left = await clusterIds();
    for (const id of ['val-graph-copy', 'val-orders-copy', 'val-reports-copy', 'val-silent-copy']) expect(left).not.toContain(id);
    expect(lines.join('\n')).toMatch(/validating with OrdersCheck\w+ \(nodejs20.x, at most 120s\)/);
  });

  test('--drill: after Create, one run of each drill restores its own cluster with a writer, has the Node.js validator check it, deletes it '
    + 'and reports; a failing validation fails the drill, and its run still deletes what it made', async () => {
    const synthDrilled = (verdict: string, stackName: string) => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-'));
      dirs.push(outdir, dir);
      fs.writeFileSync(path.join(dir, 'index.js'), `exports.handler = async (event) => ({
        passed: event.drill ? ${verdict} && event.physicalResourceId.startsWith('drill-') && event.attributes.DBClusterIdentifier === event.physicalResourceId : true,
        message: (event.drill ? 'drill ' + event.drill : 'deploy-time restore') + ' checked ' + event.physicalResourceId,
      });`);
      const app = new App({ outdir });
      const stack = new Stack(app, stackName);
      const check = new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromAsset(dir) });
      const orders = new PointInTimeRestoredCluster(stack, 'Orders', {
        engine: ClusterEngine.AURORA_MYSQL,
        sourceClusterIdentifier: 'drilled-orders',
        removalPolicy: RemovalPolicy.DESTROY,
        instances: 1,
        validation: RestoreValidation.fromFunction(check),
      });
      orders.addDrill('Nightly', { schedule: DrillSchedule.daily(), recoveryTimeObjective: Duration.hours(1) });
      const legacy = new S3ImportedAuroraCluster(stack, 'Legacy', {
        bucket: s3.Bucket.fromBucketName(stack, 'Backups', `${stackName.toLowerCase()}-backups`),
        bucketPrefix: 'nightly/',
        sourceEngineVersion: '8.0.36',
        removalPolicy: RemovalPolicy.DESTROY,
      });
      legacy.addDrill('Weekly', { schedule: DrillSchedule.weekly({ weekDay: 'SUN' }) });
      const catalogue = new CopiedElasticSnapshot(stack, 'Catalogue', {
        sourceSnapshotArn: `arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/${stackName.toLowerCase()}0000000000000000`,
        targetSnapshotName: `${stackName.toLowerCase()}-catalogue-copy`,
      });
      catalogue.addDrill('Daily', { schedule: DrillSchedule.daily(), recoveryPointObjective: Duration.days(2) });
      app.synth();
      return outdir;
    };

    const passed = await rehearse({ app: synthDrilled('true', 'Drilled'), endpoint: moto.endpoint, print, createSources: true, drill: true });
    const [report, imported, copied] = passed.drills!;
    // The Elastic copy's drill copies the source snapshot once more, through its stand-in; the source's age is the recovery point.
    expect(copied).toMatchObject({ outcome: 'succeeded', objectives: { met: true }, leftBehind: [] });
    expect(copied.restoredId).toMatch(/^arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot\//);
    expect(copied.deleted).toEqual([copied.restoredId]);
    expect(copied.recoveryPointAgeSeconds).toBeGreaterThanOrEqual(0);
    // The S3 import's drill imports the backup once more, through the RDS stand-in, and measures no recovery point.
    expect(imported).toMatchObject({ outcome: 'succeeded', restorePoint: 's3://drilled-backups/nightly/', leftBehind: [] });
    expect(imported.recoveryPointAgeSeconds).toBeUndefined();
    expect(imported.deleted).toEqual([`${imported.restoredId}-1`, imported.restoredId]);
    expect(report).toMatchObject({ outcome: 'succeeded', validation: { passed: true }, objectives: { met: true }, leftBehind: [] });
    expect(report.validation!.message).toBe(`drill Drilled/Orders/Nightly checked ${report.restoredId}`);
    expect(report.deleted).toEqual([`${report.restoredId}-1`, report.restoredId]);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^DRILL .*Runs/), '    SUCCEEDED']));
    expect((await clusterIds()).filter((id) => id.startsWith('drill-'))).toEqual([]);

    lines.length = 0;
    const failure = await rehearse({ app: synthDrilled('false', 'DrilledAgain'), endpoint: moto.endpoint, print, createSources: true, drill: true }).then(() => undefined, (e) => e as RehearsalFailure);
    expect(failure).toBeInstanceOf(RehearsalFailure);
    // The deploy-time restore passes its validation; the drill's run does not, and says so.
    expect(failure!.message).toMatch(/Runs[0-9A-F]+: the drill run failed: the validation failed: drill DrilledAgain\/Orders\/Nightly checked drill-/);
    expect(failure!.result?.drills?.[0]).toMatchObject({ outcome: 'failed', leftBehind: [] });
    expect(failure!.result?.drills?.[1]).toMatchObject({ outcome: 'succeeded' });
    expect((await clusterIds()).filter((id) => id.startsWith('drill-'))).toEqual([]);
  });

  test('--keep leaves the clusters; a second run adopts them, and its delete removes them', async () => {
    const app = await withSources('three');
    const kept = await rehearse({ app, endpoint: moto.endpoint, print, keep: true });
    expect(kept.deleted).toEqual([]);
    expect(await clusterIds()).toEqual(expect.arrayContaining(['three-graph-copy', 'three-orders-copy']));

    lines.length = 0;
    await rehearse({ app, endpoint: moto.endpoint, print });
    const text = lines.join('\n');
    expect(text).toContain('Adopting DB cluster "three-graph-copy": this stack resource restored it from the same inputs');
    expect(text).not.toMatch(/RestoreDBClusterToPointInTime: neptune cluster "three-graph-copy"/);
    expect(await clusterIds()).not.toEqual(expect.arrayContaining(['three-graph-copy']));
    expect(await clusterIds()).not.toContain('three-orders-copy');
  });

  test('an API the emulator does not implement is reported as such, not as a crash', async () => {
    const app = await withSources('four');
    // A stand-in for an emulator that lacks the RDS API: it answers like moto does for unimplemented actions.
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith('/moto-api/')) { res.end('ok'); return; }
      if (String(req.headers['x-amz-target']).endsWith('CreateStateMachine')) {
        res.setHeader('content-type', 'application/x-amz-json-1.0');
        res.end(JSON.stringify({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Poller', creationDate: 0 }));
        return;
      }
      res.statusCode = 501;
      res.setHeader('content-type', 'text/xml');
      res.end('<ErrorResponse><Error><Type>Sender</Type><Code>NotImplemented</Code><Message>The DescribeDBClusters action has not been implemented</Message></Error></ErrorResponse>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await expect(rehearse({ app, endpoint, print })).rejects.toThrow(/the emulator does not implement an API this restore needs: .*has not been implemented/);
    } finally {
      server.close();
    }
  });

  test('the command: a closed endpoint is a clear error and exit code 1', async () => {
    const app = await withSources('five');
    const closed = await new Promise<number>((resolve) => {
      const s = http.createServer();
      s.listen(0, '127.0.0.1', () => { const port = (s.address() as AddressInfo).port; s.close(() => resolve(port)); });
    });
    const result = await promisify(execFile)('node', [BIN, '--app', app, '--endpoint', `http://127.0.0.1:${closed}`]).then(
      () => ({ code: 0, stderr: '' }), (e) => ({ code: e.code as number, stderr: String(e.stderr) }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No AWS API emulator answers at http://127.0.0.1:${closed}. Start one (moto_server -H 127.0.0.1 -p 5000), or leave out --endpoint`);
  });

  test('--create-sources, all five kinds: every source is made first; the emulator and the stand-ins hold the restores after Create, and not after Delete', async () => {
    const app = synthMixedStack('seven');
    dirs.push(app);
    let afterCreate: StandInState | undefined;
    const result = await rehearse({
      app,
      endpoint: moto.endpoint,
      print,
      createSources: true,
      afterCreate: async (standIns) => {
        afterCreate = standIns;
        // The point-in-time copy, encrypted with the key the stack made, and the import, with its managed secret.
        const clusters = (await new rds.RDSClient({}).send(new rds.DescribeDBClustersCommand({}))).DBClusters!;
        const copy = clusters.find((c) => c.DBClusterIdentifier === 'seven-graph-copy');
        expect(copy).toMatchObject({ Status: 'available', KmsKeyId: expect.stringMatching(/^arn:aws:kms:us-east-1:123456789012:key\//) });
        expect(clusters.find((c) => c.DBClusterIdentifier === 'seven-imported')).toMatchObject({ Engine: 'aurora-mysql', MasterUserSecret: expect.anything() });
        expect(standIns.s3Imports).toEqual(['seven-imported']);
        expect(standIns.elasticSnapshots.held.map((s) => [s.name, s.status])).toContainEqual(['seven-orders-copy', 'ACTIVE']);
        expect(standIns.backupJobs).toEqual([expect.objectContaining({ completed: true })]);
        expect(standIns.huaweiJobs).toEqual([expect.objectContaining({ completed: true })]);
      },
    });
    expect(afterCreate).toBeDefined();
    const text = lines.join('\n');
    expect(text).toMatch(/Huawei Cloud RDS \(https:\/\/rds\.cn-north-4\.myhuaweicloud\.com\) is played by the local stand-in at http:\/\/127\.0\.0\.1:\d+/);
    expect(text).toContain('created source: neptune cluster seven-graph');
    // The stack's own key was made in moto, and the restore used it (a placeholder would fail the pre-flight).
    expect(result.made).toEqual([expect.stringMatching(/^Key[0-9A-F]+$/)]);
    expect(text).toMatch(/MADE {3}Key[0-9A-F]+ \(AWS::KMS::Key\) in the emulator: arn:aws:kms:us-east-1:123456789012:key\//);
    expect(text).toContain('created source: Huawei Cloud RDS backup 2f4ddb93-b901-4b08-93d8-1d2e472f30fe of d8e6ca5a624745bcb546a227aa3ae1cfin01 (stand-in)');
    // The stand-in ran one job into the target, signed with the secret's key pair, to completion.
    expect(result.huaweiJobs).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{32}$/), instanceId: 'f1a2b3c4d5e64f7a8b9c0d1e2f3a4b5cin01', completed: true }]);
    expect(Object.values(result.attributes)).toContainEqual({
      JobId: result.huaweiJobs[0].id, RecoveryTime: expect.stringMatching(/^\d+$/), RestoreStartedAt: expect.stringMatching(/^\d{13}$/),
    });
    // The Backup stand-in ran the job on the recovery point it was given, and the attributes name what it made.
    expect(text).toMatch(/AWS Backup restore jobs are played by the local stand-in at http:\/\/127\.0\.0\.1:\d+/);
    expect(result.backupJobs).toEqual([expect.objectContaining({ recoveryPointArn: expect.stringMatching(/recovery-point:seven-/), completed: true })]);
    expect(Object.values(result.attributes)).toContainEqual(expect.objectContaining({
      RestoreJobId: result.backupJobs[0].id, Status: 'COMPLETED', CreatedResourceArn: result.backupJobs[0].createdResourceArn,
    }));
    // The Elastic stand-in made the copy, which DESTROY deleted; the source stays.
    expect(text).toMatch(/DocumentDB Elastic snapshots are played by the local stand-in at http:\/\/127\.0\.0\.1:\d+/);
    expect(result.elasticSnapshots.deleted).toEqual(['seven-orders-copy']);
    expect(result.elasticSnapshots.held).toEqual([expect.objectContaining({ arn: expect.stringMatching(/cluster-snapshot\/seven0123456789abcdef$/), status: 'ACTIVE' })]);
    expect(result.deleted).toEqual([...result.created].reverse());
    // The sources stay; what the restores made is gone.
    const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: 'seven/huawei-keys' }));
    expect(JSON.parse(secret.SecretString!)).toEqual({ accessKeyId: expect.stringMatching(/^REHEARSAL/), secretAccessKey: expect.any(String) });
    expect(await clusterIds()).toContain('seven-graph');
    expect(await clusterIds()).not.toContain('seven-graph-copy');
    expect(await clusterIds()).not.toContain('seven-imported');
  });

  test('without --create-sources a missing Huawei instance is refused by the pre-flight, and the other restores go on', async () => {
    const app = synthMixedStack('eight');
    dirs.push(app);
    await new neptune.NeptuneClient({}).send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'eight-graph', Engine: 'neptune' }));
    // The import's backup files are there (a missing one is retried for two minutes, as RDS's eventual consistency asks).
    await fetch(`${moto.endpoint}/eight-backups`, { method: 'PUT' });
    await fetch(`${moto.endpoint}/eight-backups/xtrabackup_info`, { method: 'PUT', body: 'tool_name = xtrabackup' });
    await new SecretsManagerClient({}).send(new CreateSecretCommand({
      Name: 'eight/huawei-keys', SecretString: JSON.stringify({ accessKeyId: 'AKEXAMPLE', secretAccessKey: 'not-a-real-key' }),
    }));
    const failure = await rehearse({ app, endpoint: moto.endpoint, print }).then(() => undefined, (e) => e as RehearsalFailure);
    expect(failure?.message).toMatch(/RecoverRestore\w+: Restoring into f1a2b3c4d5e64f7a8b9c0d1e2f3a4b5cin01 was checked before anything was sent, and nothing was sent: the source instance must exist in the project and region\. Project \w+ at http:\/\/127\.0\.0\.1:\d+ has no DB instance d8e6ca5a624745bcb546a227aa3ae1cfin01/);
    expect(failure!.result!.created).toEqual(expect.arrayContaining([expect.stringMatching(/^OrdersRestore[0-9A-F]+$/)]));
    // Without the flag the stack's own key is not made: the restore meets its placeholder, and says so.
    expect(failure?.message).toMatch(/GraphRestore[0-9A-F]+: Cannot restore "eight-graph-copy" with KMS key <Key[0-9A-F]+\.Arn>/);
    expect(failure?.message).toMatch(/CopyRestore\w+: .*ResourceNotFoundException/);
    expect(failure!.result!.huaweiJobs).toEqual([]);
    // The recovery point is missing too: AWS Backup's own error for it.
    expect(failure?.message).toMatch(/RestoreFsRestore\w+: StartRestoreJob of .* the recovery point does not exist.*ResourceNotFoundException/);
    expect(failure!.result!.backupJobs).toEqual([]);
  });

  // Proof that nothing leaves the machine: in a network namespace with only loopback nothing else could
  // answer, and a hook records every connection the process even tries to anything but loopback.
  const sealed = (() => {
    try {
      execFileSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  test('the command, sealed off in a network namespace with only loopback: every restore rehearses, and nothing tries to leave', async () => {
    if (!sealed) {
      // CI runs on these machines as root, where unshare and ip are there: their absence there is a failure.
      expect(IN_CI).toBe(false);
      console.warn('Skipping the sealed rehearsal: unshare -n or ip is not available here');
      return;
    }
    const app = synthMixedStack('sealed');
    dirs.push(app);
    const attempts = path.join(app, 'non-loopback-connections.log');
    const reportFile = path.join(app, 'report.json');
    // Its own moto_server inside the namespace: the one of this suite is outside it. The report carries out
    // what the emulator and the stand-ins held in there.
    const command = `ip link set lo up && exec node ${BIN} --app ${app} --create-sources --report ${reportFile}`;
    const { stdout } = await promisify(execFile)('unshare', ['-n', 'sh', '-c', command], {
      env: { ...process.env, AWS_ENDPOINT_URL: '', NODE_OPTIONS: `--require ${path.join(__dirname, 'support', 'loopback-only.js')}`, LOOPBACK_ONLY_LOG: attempts },
    });
    expect(stdout).toMatch(/against http:\/\/127\.0\.0\.1:\d+ \(moto_server started for this rehearsal\)/);
    expect(stdout).toMatch(/is played by the local stand-in at http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toContain('Rehearsal passed: 10 resource(s) created and waited for, 10 deleted.');
    expect(stdout).not.toMatch(/cannot be read|unknown \(/);
    expect(fs.existsSync(attempts) ? fs.readFileSync(attempts, 'utf8') : '').toBe('');
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    expect(report.passed).toBe(true);
    expect(report.result.made).toEqual([expect.stringMatching(/^Key/)]);
    // After Create: both clusters in the emulator, every stand-in's restore done.
    expect(report.afterCreate.clusters).toEqual(expect.arrayContaining(['sealed-graph', 'sealed-graph-copy', 'sealed-imported']));
    expect(report.afterCreate.standIns).toMatchObject({
      s3Imports: ['sealed-imported'],
      huaweiJobs: [{ completed: true }],
      backupJobs: [{ completed: true }],
      elasticSnapshots: { held: expect.arrayContaining([expect.objectContaining({ name: 'sealed-orders-copy', status: 'ACTIVE' })]) },
    });
    // After Delete: what the restores made is gone; the sources stay.
    expect(report.afterDelete.clusters).toEqual(['sealed-graph']);
    expect(report.afterDelete.standIns.elasticSnapshots.deleted).toEqual(['sealed-orders-copy']);
  });

  test('an S3 import: the stand-in plays RestoreDBClusterFromS3 over moto\'s S3, and the cluster lives in moto until its delete', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
    dirs.push(outdir);
    const app = new App({ outdir });
    const stack = new Stack(app, 'Imports');
    new S3ImportedAuroraCluster(stack, 'Orders', {
      bucket: s3.Bucket.fromBucketName(stack, 'Backups', 'nine-backups'),
      bucketPrefix: 'backups/2026-11-20/',
      sourceEngineVersion: '8.0.36',
      clusterIdentifier: 'nine-imported',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    app.synth();
    const result = await rehearse({ app: outdir, endpoint: moto.endpoint, print, createSources: true, keep: true });
    const text = lines.join('\n');
    expect(text).toContain('created source: backup files under s3://nine-backups/backups/2026-11-20/ (moto\'s S3)');
    expect(text).toMatch(/RestoreDBClusterFromS3 and DescribeDBEngineVersions are played by the local stand-in at http:\/\/127\.0\.0\.1:\d+/);
    // In moto, with the import's settings and its managed secret; the attributes read it from there.
    const [imported] = (await new rds.RDSClient({}).send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'nine-imported' }))).DBClusters!;
    expect(imported).toMatchObject({ Engine: 'aurora-mysql', EngineVersion: '8.0.mysql_aurora.3.10.3', MasterUsername: 'admin', StorageEncrypted: true });
    expect(Object.values(result.attributes)).toContainEqual(expect.objectContaining({
      DBClusterIdentifier: 'nine-imported', MasterUserSecretArn: imported.MasterUserSecret!.SecretArn,
    }));
    lines.length = 0;
    await rehearse({ app: outdir, endpoint: moto.endpoint, print });
    expect(lines.join('\n')).toContain('Adopting DB cluster "nine-imported"');
    expect(await clusterIds()).not.toContain('nine-imported');
  });

  describe('an update, played as CloudFormation sends it', () => {
    /** One Neptune restore with a derived identifier, deleted with the stack. */
    function graphApp(stackName: string, props: Partial<PointInTimeRestoredClusterProps> = {}): string {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
      dirs.push(outdir);
      const app = new App({ outdir });
      new PointInTimeRestoredCluster(new Stack(app, stackName), 'Graph', {
        engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'upd-graph', removalPolicy: RemovalPolicy.DESTROY, ...props,
      });
      app.synth();
      return outdir;
    }
    /** The clusters a stack restored, with their port, as the emulator holds them. */
    async function restored(stackName: string): Promise<Array<{ id: string; port?: number }>> {
      const out = await new neptune.NeptuneClient({}).send(new neptune.DescribeDBClustersCommand({}));
      return (out.DBClusters ?? []).filter((c) => c.DBClusterIdentifier!.startsWith(`${stackName.toLowerCase()}-`))
        .map((c) => ({ id: c.DBClusterIdentifier!, port: c.Port })).sort((a, b) => a.id.localeCompare(b.id));
    }
    /** The identifier the deployed stack's restore derived. */
    function derivedIn(assembly: string, stackName: string): string {
      const template = JSON.parse(fs.readFileSync(path.join(assembly, `${stackName}.template.json`), 'utf8'));
      return Object.values<any>(template.Resources).find((r) => r.Type === 'Custom::PointInTimeRestoredCluster').Properties.DBClusterIdentifier;
    }
    beforeAll(async () => {
      for (const id of ['upd-graph', 'upd-graph-2']) {
        await new neptune.NeptuneClient({}).send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: id, Engine: 'neptune' }));
      }
    });

    test('a changed port: an Update, ModifyDBCluster on the cluster restored, no second restore', async () => {
      const deployed = graphApp('UpdPort');
      let after: Array<{ id: string; port?: number }> = [];
      const result = await rehearse({
        app: graphApp('UpdPort', { port: 8200 }), updateFrom: deployed, endpoint: moto.endpoint, print, afterCreate: async () => { after = await restored('UpdPort'); },
      });
      expect(after).toEqual([{ id: derivedIn(deployed, 'UpdPort'), port: 8200 }]);
      expect(result.updated).toEqual([expect.stringMatching(/^GraphRestore[0-9A-F]{8}$/), expect.stringMatching(/^GraphRestoreAttributes/)]);
      const update = lines.join('\n').split(/\nUPDATE GraphRestore[0-9A-F]{8} /)[1];
      expect(update).toMatch(/ModifyDBCluster/);
      expect(update).not.toMatch(/RestoreDBClusterToPointInTime/);
      expect(lines.join('\n')).toMatch(/changed in place: Port/);
      expect(await restored('UpdPort')).toEqual([]);
    });

    test('an Aurora cluster upgraded and given the Data API: ModifyDBCluster and EnableHttpEndpoint on the cluster restored, no second restore', async () => {
      await new rds.RDSClient({}).send(new rds.CreateDBClusterCommand({
        DBClusterIdentifier: 'upd-ledger', Engine: 'aurora-postgresql', EngineVersion: '15.8', MasterUsername: 'admin', ManageMasterUserPassword: true,
      }));
      const ledgerApp = (props: Partial<PointInTimeRestoredClusterProps>) => graphApp('UpdLedger', {
        engine: ClusterEngine.AURORA_POSTGRESQL, sourceClusterIdentifier: 'upd-ledger', ...props,
      });
      const deployed = ledgerApp({});
      let clusters: rds.DBCluster[] = [];
      let standIns: StandInState | undefined;
      const result = await rehearse({
        app: ledgerApp({ engineVersion: '16.4', allowMajorVersionUpgrade: true, enableDataApi: true }),
        updateFrom: deployed,
        endpoint: moto.endpoint,
        print,
        afterCreate: async (state) => {
          standIns = state;
          clusters = (await new rds.RDSClient({}).send(new rds.DescribeDBClustersCommand({}))).DBClusters!
            .filter((c) => c.DBClusterIdentifier!.startsWith('updledger-'));
        },
      });
      // One cluster, the one deployed, upgraded: no second restore.
      expect(clusters.map((c) => [c.DBClusterIdentifier, c.EngineVersion])).toEqual([[derivedIn(deployed, 'UpdLedger'), '16.4']]);
      expect(standIns!.dataApiClusters).toEqual([clusters[0].DBClusterArn]);
      expect(result.updated).toEqual([expect.stringMatching(/^GraphRestore[0-9A-F]{8}$/), expect.stringMatching(/^GraphRestoreAttributes/)]);
      expect(lines.join('\n')).toMatch(/changed in place: .*EngineVersion/);
    });

    test('a changed source without a new restoreGeneration: the Update is refused, the rollback keeps the cluster, nothing is restored', async () => {
      const deployed = graphApp('UpdRefused');
      let after: Array<{ id: string; port?: number }> = [];
      const failure = await rehearse({
        app: graphApp('UpdRefused', { sourceClusterIdentifier: 'upd-graph-2' }),
        updateFrom: deployed,
        endpoint: moto.endpoint,
        print,
        afterCreate: async () => { after = await restored('UpdRefused'); },
      }).catch((e) => e);
      expect(failure).toBeInstanceOf(RehearsalFailure);
      expect(failure.message).toMatch(/changes restore inputs .*SourceDBClusterIdentifier from "upd-graph" to "upd-graph-2"/);
      // The Update failed; its rollback Update did not.
      expect(Object.keys(failure.result.failed)).toEqual([expect.stringMatching(/^GraphRestore[0-9A-F]{8}$/)]);
      expect(after).toEqual([{ id: derivedIn(deployed, 'UpdRefused'), port: 8182 }]);
      const text = lines.join('\n');
      expect(text).toMatch(/ROLLBACK GraphRestore[0-9A-F]{8} \(Custom::PointInTimeRestoredCluster\)/);
      expect(text).toMatch(/Rolling back: .* is kept/);
      expect(text).not.toMatch(/RestoreDBClusterToPointInTime: neptune cluster "[^"]+" from "upd-graph-2"/);
      expect(await restored('UpdRefused')).toEqual([]);
    });

    test('a restore added (with an instance) and one removed: the new one restored and waited for, the old one deleted once the update succeeded', async () => {
      const two = (second: 'Old' | 'New'): string => {
        const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
        dirs.push(outdir);
        const app = new App({ outdir });
        const stack = new Stack(app, 'UpdMoved');
        new PointInTimeRestoredCluster(stack, 'Graph', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'upd-graph', removalPolicy: RemovalPolicy.DESTROY });
        new PointInTimeRestoredCluster(stack, second, {
          engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'upd-graph-2', removalPolicy: RemovalPolicy.DESTROY, instances: second === 'New' ? 1 : 0,
        });
        app.synth();
        return outdir;
      };
      const deployed = two('Old');
      let after: string[] = [];
      const result = await rehearse({
        app: two('New'), updateFrom: deployed, endpoint: moto.endpoint, print, afterCreate: async () => { after = (await restored('UpdMoved')).map((c) => c.id); },
      });
      expect(after).toEqual([expect.stringMatching(/^updmoved-graph-/), expect.stringMatching(/^updmoved-new-/)]);
      expect(result.updated).toBeUndefined();
      expect(result.deleted).toEqual(expect.arrayContaining([expect.stringMatching(/^OldRestore[0-9A-F]{8}$/), expect.stringMatching(/^NewRestore[0-9A-F]{8}$/)]));
      expect(result.notRehearsed).toContainEqual(expect.stringMatching(/^NewInstance1/));
      const text = lines.join('\n');
      expect(text).toMatch(/Plan: 3 restore\(s\): 1 unchanged, 0 changed in place, 0 restored anew, 0 refused, 1 added, 1 removed/);
      expect(text).toMatch(/CLEANUP OldRestore[0-9A-F]{8} \(Custom::PointInTimeRestoredCluster\) updmoved-old-/);
      expect(text).toMatch(/AWS::Neptune::DBInstance: .*NewInstance1/);
      expect(await restored('UpdMoved')).toEqual([]);
    });

    test('a Huawei recovery from another backup: refused without a new restoreGeneration (nothing posted), restored once with one', async () => {
      const huaweiApp = (backupId: string, restoreGeneration?: number): string => {
        const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearse-'));
        dirs.push(outdir);
        const app = new App({ outdir });
        const stack = new Stack(app, 'UpdHuawei');
        new HuaweiRdsRecovery(stack, 'Recover', {
          region: 'cn-north-4',
          projectId: '0483b6b16e954cb88930a360d2c4e663',
          credentials: secretsmanager.Secret.fromSecretNameV2(stack, 'HuaweiKeys', 'upd/huawei-keys'),
          sourceInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
          targetInstanceId: 'f1a2b3c4d5e64f7a8b9c0d1e2f3a4b5cin01',
          restoreSource: HuaweiRestoreSource.backup(backupId),
          engine: HuaweiRdsEngine.MYSQL,
          acknowledgeOverwrite: true,
          restoreGeneration,
        });
        app.synth();
        return outdir;
      };
      const deployed = huaweiApp('2f4ddb93-b901-4b08-93d8-1d2e472f30fe');
      const next = '5a1b2c3d-0000-4b08-93d8-1d2e472f30fe';
      let jobs: StandInState['huaweiJobs'] = [];
      const failure = await rehearse({
        app: huaweiApp(next),
        updateFrom: deployed,
        endpoint: moto.endpoint,
        print,
        createSources: true,
        afterCreate: async (standIns) => { jobs = standIns.huaweiJobs; },
      }).catch((e) => e);
      expect(failure).toBeInstanceOf(RehearsalFailure);
      expect(failure.message).toMatch(/restored f1a2b3c4d5e64f7a8b9c0d1e2f3a4b5cin01 before with RecoverRestore[0-9A-F]+, of the same restoreGeneration \(0\)/);
      expect(jobs).toHaveLength(1);

      const result = await rehearse({
        app: huaweiApp(next, 1),
        updateFrom: deployed,
        endpoint: moto.endpoint,
        print,
        createSources: true,
        afterCreate: async (standIns) => { jobs = standIns.huaweiJobs; },
      });
      expect(jobs).toHaveLength(2);
      expect(result.deleted).toContainEqual(expect.stringMatching(/^RecoverRestore[0-9A-F]+$/));
    });

    test('a changed source with a new restoreGeneration: restored anew under a new name, the old cluster deleted once the update succeeded', async () => {
      const deployed = graphApp('UpdAnew');
      const old = derivedIn(deployed, 'UpdAnew');
      let after: Array<{ id: string; port?: number }> = [];
      const result = await rehearse({
        app: graphApp('UpdAnew', { sourceClusterIdentifier: 'upd-graph-2', restoreGeneration: 1 }),
        updateFrom: deployed,
        endpoint: moto.endpoint,
        print,
        afterCreate: async () => { after = await restored('UpdAnew'); },
      });
      expect(after).toHaveLength(1);
      expect(after[0].id).not.toBe(old);
      expect(result.updated).toContainEqual(expect.stringMatching(/^GraphRestore[0-9A-F]{8}$/));
      const text = lines.join('\n');
      expect(text).toMatch(new RegExp(`RestoreDBClusterToPointInTime: neptune cluster "${after[0].id}" from "upd-graph-2"`));
      expect(text).toMatch(new RegExp(`CLEANUP GraphRestore[0-9A-F]{8} \\(Custom::PointInTimeRestoredCluster\\) ${old}`));
      expect(await restored('UpdAnew')).toEqual([]);
    });
  });

  test('the command: rehearses a stack end to end and exits 0', async () => {
    const app = await withSources('six');
    const { stdout } = await promisify(execFile)('node', [BIN, '--app', app, '--endpoint', moto.endpoint]);
    expect(stdout).toContain('Rehearsal passed: 4 resource(s) created and waited for, 4 deleted.');
  });
});

describe('cdk-restore-rehearse arguments', () => {
  test('parses every option', () => {
    expect(parseArgs(['--app', 'cdk.out', '--stack', 'S', '--endpoint', 'http://127.0.0.1:5000', '--keep', '--create-sources', '--report', 'r.json', '--drill']))
      .toEqual({ app: 'cdk.out', stack: 'S', endpoint: 'http://127.0.0.1:5000', keep: true, createSources: true, report: 'r.json', drill: true });
  });
  test.each([
    [[], /--app is required/],
    [['--app'], /--app needs a value/],
    [['--app', 'x', '--bogus'], /Unknown argument --bogus/],
  ])('%j is refused with the usage', (argv, message) => {
    expect(() => parseArgs(argv as string[])).toThrow(message);
    expect(() => parseArgs(argv as string[])).toThrow(/Usage: cdk-restore-rehearse --app/);
  });
  test('an assembly directory that is not one says so', async () => {
    await expect(rehearse({ app: os.tmpdir(), endpoint: 'http://127.0.0.1:1' })).rejects.toThrow(/is not a cloud assembly \(no manifest.json\)/);
  });
});

describe('how a rehearsal words an emulator\'s failure', () => {
  test.each([
    ['moto\'s HTML error page, as the SDK fails to parse it', 'Unexpected token \'<\', "<!doctype "... is not valid JSON', /\(it answered with an HTML page\)/],
    ['an emulator\'s own NotImplemented', 'The DescribeDBClusters action has not been implemented', /the emulator does not implement an API this restore needs: The DescribeDBClusters/],
  ])('%s is an API the emulator lacks', (_what, message, expected) => {
    expect(describeError(new Error(message))).toMatch(expected);
  });

  test('any other error is the handler\'s own message', () => {
    expect(describeError(new Error('Source cluster "x" does not exist'))).toBe('Source cluster "x" does not exist');
  });
});
