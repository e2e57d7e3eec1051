import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as sfn from '@aws-sdk/client-sfn';
import { cfnEvent } from './support/events';
import { HuaweiRdsDouble, ok } from './support/huawei-double';
import { Moto, requireMoto, startMoto, useEmulator } from './support/moto';
import { ProviderFramework } from './support/provider-framework';
import { createPollerStateMachine, WaitHandles } from './support/wait-handle';
import { executionArn, executionName } from '../lambda/shared/executions';
import { STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';

/**
 * The request sequences CloudFormation sends, through aws-cdk-lib's provider-framework runtime and the
 * bundled handler, against moto_server (and the Huawei Cloud double, which moto cannot play). Each test
 * asserts what CloudFormation hears, what the wait condition is told, and what the emulator holds
 * afterwards. Faults no emulator can produce on demand (a cluster stuck in `creating` at a delete's
 * deadline, a restored cluster fallen into a terminal state, throttling while waiting) are driven in the
 * kinds' handler tests and waiting.test.ts instead.
 */
const TYPE = 'Custom::PointInTimeRestoredCluster';
const run = requireMoto();
const suite = run ? describe : describe.skip;

suite('CloudFormation sequences through the provider framework', () => {
  let moto: Moto;
  let restoreEnv: () => void;
  let cfn: ProviderFramework;
  let handles: WaitHandles;
  let pollerArn: string;
  let clusters = 0;

  const neptuneClient = () => new neptune.NeptuneClient({});
  const clusterIds = async () => (await neptuneClient().send(new neptune.DescribeDBClustersCommand({}))).DBClusters!
    .map((c) => c.DBClusterIdentifier).sort();
  const signalsOf = (handle: string) => handles.signalsOf(handle);
  const finalSnapshots = async (clusterId: string) => (await new rds.RDSClient({}).send(new rds.DescribeDBClusterSnapshotsCommand({
    DBClusterIdentifier: clusterId, SnapshotType: 'manual',
  }))).DBClusterSnapshots!.map((s) => s.DBClusterSnapshotIdentifier);
  const pollingStatus = async (handle: string) => (await new sfn.SFNClient({}).send(new sfn.DescribeExecutionCommand({
    executionArn: executionArn(pollerArn, executionName(handles.urlOf(handle))),
  }))).status;

  /** A restore of its own source into a new cluster, with a fresh wait handle. */
  async function restoreProps() {
    const n = ++clusters;
    await neptuneClient().send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: `source-${n}`, Engine: 'neptune' }));
    return {
      Engine: 'neptune',
      SourceDBClusterIdentifier: `source-${n}`,
      DBClusterIdentifier: `restored-${n}`,
      RestoreType: 'full-copy',
      RemovalPolicy: 'snapshot',
      TimeoutSeconds: 3600,
      WaitHandle: handles.newHandle(),
    };
  }

  beforeAll(async () => {
    moto = await startMoto();
    restoreEnv = useEmulator(moto.endpoint);
    handles = await WaitHandles.start();
    pollerArn = await createPollerStateMachine();
    cfn = new ProviderFramework();
  });

  afterAll(async () => {
    restoreEnv?.();
    handles?.close();
    await moto?.stop();
  });

  beforeEach(() => {
    process.env[STATE_MACHINE_ARN_ENV] = pollerArn;
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  test('a Create retried after it succeeded adopts its cluster: one cluster, one id', async () => {
    const props = await restoreProps();
    const first = await cfn.send(cfnEvent('Create', TYPE, props));
    const retried = await cfn.send(cfnEvent('Create', TYPE, props));
    expect([first.Status, retried.Status]).toEqual(['SUCCESS', 'SUCCESS']);
    expect([first.PhysicalResourceId, retried.PhysicalResourceId]).toEqual([props.DBClusterIdentifier, props.DBClusterIdentifier]);
    expect((await clusterIds()).filter((id) => id === props.DBClusterIdentifier)).toHaveLength(1);
  });

  test('a Create that fails before the restore starts leaves nothing, and the Delete of its marker touches nothing', async () => {
    const props = { ...(await restoreProps()), SourceDBClusterIdentifier: 'no-such-source' };
    const before = await clusterIds();
    const failed = await cfn.send(cfnEvent('Create', TYPE, props));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: ProviderFramework.CREATE_FAILED_MARKER });
    expect(failed.Reason).toContain('Source cluster "no-such-source" does not exist');
    const deleted = await cfn.send(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: failed.PhysicalResourceId }));
    expect(deleted.Status).toBe('SUCCESS');
    expect(await clusterIds()).toEqual(before);
    expect(signalsOf(props.WaitHandle)).toEqual([]);
  });

  // Issue 13, row 2: before the fix, the failed StartExecution made the Create fail with the framework's
  // marker, the rollback's Delete never reached the handler, and the restored cluster stayed running.
  test('a restore whose polling cannot start is rolled back by its real id, and the rollback deletes it', async () => {
    const props = await restoreProps();
    process.env[STATE_MACHINE_ARN_ENV] = pollerArn.replace(/:Poller$/, ':Deleted');

    const created = await cfn.send(cfnEvent('Create', TYPE, props));
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: props.DBClusterIdentifier });
    expect(signalsOf(props.WaitHandle)).toEqual([expect.objectContaining({ Status: 'FAILURE', UniqueId: props.DBClusterIdentifier })]);
    expect(await clusterIds()).toContain(props.DBClusterIdentifier);

    // The wait condition fails, and the rollback deletes the custom resource by the id CloudFormation holds.
    const deleted = await cfn.send(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: created.PhysicalResourceId }));
    expect(deleted.Status).toBe('SUCCESS');
    expect(await clusterIds()).not.toContain(props.DBClusterIdentifier);
    expect(await finalSnapshots(props.DBClusterIdentifier)).toEqual([expect.stringMatching(new RegExp(`^${props.DBClusterIdentifier}-final-`))]);
  });

  // Issue 13, row 3 for clusters: the rollback Update sends the old inputs back. It must find the first
  // cluster (CloudFormation deletes the old physical resource only after an update succeeds), not restore again.
  test('an Update of a restore input, its rollback Update and the cleanup: the first cluster stays, the second goes with a final snapshot', async () => {
    const original = await restoreProps();
    const created = await cfn.send(cfnEvent('Create', TYPE, original));
    const changed = { ...original, DBClusterIdentifier: `${original.DBClusterIdentifier}-b`, RestoreGeneration: 1, WaitHandle: handles.newHandle() };

    const updated = await cfn.send(cfnEvent('Update', TYPE, changed, { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: original }));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: changed.DBClusterIdentifier });
    expect(await pollingStatus(changed.WaitHandle)).toBe('RUNNING');
    expect(await clusterIds()).toEqual(expect.arrayContaining([original.DBClusterIdentifier, changed.DBClusterIdentifier]));

    // A later resource fails: CloudFormation sends the old properties back, then deletes what the update made.
    const rolledBack = await cfn.send(cfnEvent('Update', TYPE, original, { PhysicalResourceId: updated.PhysicalResourceId, OldResourceProperties: changed }));
    expect(rolledBack).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: original.DBClusterIdentifier });
    const cleanup = await cfn.send(cfnEvent('Delete', TYPE, changed, { PhysicalResourceId: updated.PhysicalResourceId }));
    expect(cleanup.Status).toBe('SUCCESS');

    const left = await clusterIds();
    expect(left.filter((id) => id?.startsWith(original.DBClusterIdentifier))).toEqual([original.DBClusterIdentifier]);
    expect(await finalSnapshots(original.DBClusterIdentifier)).toEqual([]);
    expect(await finalSnapshots(changed.DBClusterIdentifier)).toEqual([expect.stringMatching(new RegExp(`^${changed.DBClusterIdentifier}-final-`))]);
    expect(await pollingStatus(changed.WaitHandle)).toBe('ABORTED');
  });

  test('a stack delete while the restore is being polled stops the polling, then deletes the cluster with a final snapshot', async () => {
    const props = await restoreProps();
    const created = await cfn.send(cfnEvent('Create', TYPE, props));
    expect(await pollingStatus(props.WaitHandle)).toBe('RUNNING');
    const deleted = await cfn.send(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: created.PhysicalResourceId }));
    expect(deleted.Status).toBe('SUCCESS');
    expect(await pollingStatus(props.WaitHandle)).toBe('ABORTED');
    expect(await clusterIds()).not.toContain(props.DBClusterIdentifier);
    expect(await finalSnapshots(props.DBClusterIdentifier)).toHaveLength(1);
    // Nobody signals a wait condition whose stack is going away.
    expect(signalsOf(props.WaitHandle)).toEqual([]);
  });

  test('an Update of the timeout alone (same restore, new handle) signals SUCCESS at once: nothing restored, nothing polled', async () => {
    const props = await restoreProps();
    const created = await cfn.send(cfnEvent('Create', TYPE, props));
    const before = await clusterIds();
    const longer = { ...props, TimeoutSeconds: 7200, WaitHandle: handles.newHandle() };
    const updated = await cfn.send(cfnEvent('Update', TYPE, longer, { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props }));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: props.DBClusterIdentifier });
    expect(signalsOf(longer.WaitHandle)).toEqual([expect.objectContaining({ Status: 'SUCCESS', UniqueId: props.DBClusterIdentifier })]);
    await expect(pollingStatus(longer.WaitHandle)).rejects.toThrow(/does not exist/i);
    expect(await clusterIds()).toEqual(before);
  });

  const describeCluster = async (id: string) =>
    (await neptuneClient().send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters![0];

  // Issue 27, case 1: each of these was a restore input, so a change restored a new cluster from the source.
  // IAM authentication too (cluster-settings-handler.test.ts): moto does not show it changed.
  test('security groups, port and parameter group change in place: ModifyDBCluster, no new restore', async () => {
    const props = { ...(await restoreProps()), VpcSecurityGroupIds: ['sg-0aaa1111'], Port: 8182 };
    const created = await cfn.send(cfnEvent('Create', TYPE, props));
    const before = await clusterIds();
    await neptuneClient().send(new neptune.CreateDBClusterParameterGroupCommand({
      DBClusterParameterGroupName: 'graph-tuned', DBParameterGroupFamily: 'neptune1.3', Description: 'tuned',
    }));
    const changed = {
      ...props, VpcSecurityGroupIds: ['sg-0bbb2222', 'sg-0ccc3333'], Port: 8192, DBClusterParameterGroupName: 'graph-tuned',
    };
    const updated = await cfn.send(cfnEvent('Update', TYPE, changed, { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props }));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: props.DBClusterIdentifier });
    expect(await clusterIds()).toEqual(before);
    const cluster = await describeCluster(props.DBClusterIdentifier);
    expect(cluster.VpcSecurityGroups!.map((g) => g.VpcSecurityGroupId).sort()).toEqual(['sg-0bbb2222', 'sg-0ccc3333']);
    expect(cluster.Port).toBe(8192);
    expect(cluster.DBClusterParameterGroup).toBe('graph-tuned');
    // The same wait: nothing for CloudFormation to wait for, and nothing polled anew.
    expect(signalsOf(props.WaitHandle)).toEqual([]);
  });

  // Issue 27, "decide on resolved values": an input through a CfnParameter changes under the same wait.
  test('a restore time changed at deploy without a new generation is refused and touches nothing; the rollback Update keeps the cluster', async () => {
    const props = await restoreProps();
    const created = await cfn.send(cfnEvent('Create', TYPE, props));
    const before = await clusterIds();
    const tokenChanged = { ...props, RestoreToTime: new Date(Date.now() - 60_000).toISOString(), Port: 8200 };
    const refused = await cfn.send(cfnEvent('Update', TYPE, tokenChanged, { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props }));
    expect(refused).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/RestoreToTime from null to ".*Z".*give restoreGeneration a new value/) });
    expect(await clusterIds()).toEqual(before);
    expect((await describeCluster(props.DBClusterIdentifier)).Port).not.toBe(8200);

    handles.stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
    try {
      const rolledBack = await cfn.send(cfnEvent('Update', TYPE, props, { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: tokenChanged }));
      expect(rolledBack).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: props.DBClusterIdentifier });
    } finally {
      handles.stackStatus = 'UPDATE_IN_PROGRESS';
    }
    expect(await clusterIds()).toEqual(before);
    expect(await finalSnapshots(props.DBClusterIdentifier)).toEqual([]);
  });

  // Issue 27, case 4 and the upgrade: a derived identifier names the cluster once; a new name alone restores nothing.
  test('a derived identifier that changes alone keeps the cluster under its name', async () => {
    const props = { ...(await restoreProps()), NameDerived: true };
    const created = await cfn.send(cfnEvent('Create', TYPE, props));
    const before = await clusterIds();
    const renamed = { ...props, DBClusterIdentifier: `${props.DBClusterIdentifier}-0a1b2c3d`, WaitHandle: handles.newHandle() };
    const updated = await cfn.send(cfnEvent('Update', TYPE, renamed, { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props }));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: props.DBClusterIdentifier });
    expect(await clusterIds()).toEqual(before);
    expect(signalsOf(renamed.WaitHandle)).toEqual([expect.objectContaining({ Status: 'SUCCESS', UniqueId: props.DBClusterIdentifier })]);
  });

  // After a change of a setting that names it (or an upgrade), a cluster keeps its name while the properties
  // name another; a rollback of a new restore must go back to it, not restore the old inputs once more.
  async function renamedThenRenewed() {
    // Named as the construct derives names: its own part, then 8 characters of hash.
    const props = await restoreProps();
    const derived = (hash: string) => `${props.DBClusterIdentifier}-${hash}`;
    const original = { ...props, DBClusterIdentifier: derived('1111aaaa'), NameDerived: true };
    const created = await cfn.send(cfnEvent('Create', TYPE, original));
    const renamed = { ...original, DBClusterIdentifier: derived('2222bbbb'), Port: 8200, WaitHandle: handles.newHandle() };
    const kept = await cfn.send(cfnEvent('Update', TYPE, renamed, { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: original }));
    expect(kept).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: original.DBClusterIdentifier });
    const asked = { ...renamed, DBClusterIdentifier: derived('3333cccc'), RestoreGeneration: 1, WaitHandle: handles.newHandle() };
    const renewed = await cfn.send(cfnEvent('Update', TYPE, asked, { PhysicalResourceId: kept.PhysicalResourceId, OldResourceProperties: renamed }));
    expect(renewed).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: asked.DBClusterIdentifier });
    const rollBack = async () => {
      handles.stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
      return cfn.send(cfnEvent('Update', TYPE, renamed, { PhysicalResourceId: renewed.PhysicalResourceId, OldResourceProperties: asked }))
        .finally(() => { handles.stackStatus = 'UPDATE_IN_PROGRESS'; });
    };
    return { original, asked, rollBack };
  }

  test('rolling back a new restore of a cluster that kept its name goes back to that cluster, restoring nothing', async () => {
    const { original, asked, rollBack } = await renamedThenRenewed();
    const before = await clusterIds();
    expect(before).toEqual(expect.arrayContaining([original.DBClusterIdentifier, asked.DBClusterIdentifier]));
    const rolledBack = await rollBack();
    expect(rolledBack).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: original.DBClusterIdentifier });
    expect(await clusterIds()).toEqual(before);
  });

  test('a rollback that cannot find the cluster restored before restores nothing and says how to go on', async () => {
    const { original, asked, rollBack } = await renamedThenRenewed();
    await neptuneClient().send(new neptune.DeleteDBClusterCommand({ DBClusterIdentifier: original.DBClusterIdentifier, SkipFinalSnapshot: true }));
    const before = await clusterIds();
    const rolledBack = await rollBack();
    expect(rolledBack).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/Rolling back, this update would restore anew.*continue-update-rollback --resources-to-skip/) });
    expect(await clusterIds()).toEqual(before);
    expect(before).toContain(asked.DBClusterIdentifier);
  });

  // A handle's logical id comes back with the same inputs (a redeploy after a rollback), and Step Functions
  // keeps a closed execution's name for 90 days: named after the logical id, the second restore was never polled.
  test('a redeploy after a rollback brings a handle back under the same logical id, and its restore is polled again', async () => {
    const props = await restoreProps();
    const first = await cfn.send(cfnEvent('Create', TYPE, props));
    expect(await pollingStatus(props.WaitHandle)).toBe('RUNNING');
    await cfn.send(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: first.PhysicalResourceId }));

    handles.recreate(props.WaitHandle);
    // Another cluster name only because moto names an automated snapshot after the cluster and the minute,
    // and refuses a second restore of one name within a minute.
    const again = await cfn.send(cfnEvent('Create', TYPE, { ...props, DBClusterIdentifier: `${props.DBClusterIdentifier}-again` }));
    expect(again.Status).toBe('SUCCESS');
    expect(await pollingStatus(props.WaitHandle)).toBe('RUNNING');
  });

  // Issue 13, row 6 (the handler's part; the construct gives the instances and networking RETAIN too).
  test('RETAIN: the Delete leaves the cluster as it is, without a snapshot', async () => {
    const props = { ...(await restoreProps()), RemovalPolicy: 'retain' };
    const created = await cfn.send(cfnEvent('Create', TYPE, props));
    const deleted = await cfn.send(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: created.PhysicalResourceId }));
    expect(deleted.Status).toBe('SUCCESS');
    expect(await clusterIds()).toContain(props.DBClusterIdentifier);
    expect(await finalSnapshots(props.DBClusterIdentifier)).toEqual([]);
  });

  // Issue 13, row 3: CloudFormation rolls an Update back with another Update, the old properties sent back.
  describe('a Huawei Cloud RDS recovery (the API played by the double, its keys in the emulator\'s Secrets Manager)', () => {
    const HUAWEI_TYPE = 'Custom::HuaweiRdsRecovery';
    const keys = { accessKeyId: 'HWAKEXAMPLE0002', secretAccessKey: 'hw-fault-matrix-secret' };
    const huawei = new HuaweiRdsDouble(keys.accessKeyId, keys.secretAccessKey);
    let secretArn: string;
    beforeAll(async () => {
      await huawei.start();
      // The pre-flight's lookups find a SQL Server pair and the backups the tests restore.
      for (const instance of ['src01in04', 'dst01in04']) huawei.world.addInstance('0483b6b16e954cb88930a360d2c4e663', instance, 'sqlserver');
      for (const backup of ['backup-1', 'backup-2', 'backup-3']) huawei.world.addBackup('0483b6b16e954cb88930a360d2c4e663', backup, 'src01in04');
      secretArn = (await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: 'huawei-keys', SecretString: JSON.stringify(keys) }))).ARN!;
    });
    afterAll(() => huawei.close());

    const recovery = (backupId: string) => ({
      Endpoint: huawei.endpoint,
      ProjectId: '0483b6b16e954cb88930a360d2c4e663',
      CredentialsSecretArn: secretArn,
      Engine: 'sqlserver',
      SourceInstanceId: 'src01in04',
      TargetInstanceId: 'dst01in04',
      RestoreType: 'backup',
      BackupId: backupId,
      TimeoutSeconds: 3600,
      WaitHandle: handles.newHandle(),
    });
    const restoresPosted = () => huawei.received.filter((r) => r.method === 'POST').map((r) => r.body.source.backup_id);

    test('an Update and its rollback Update never restore into the instance again; only a new resource restores', async () => {
      const first = recovery('backup-1');
      const second = recovery('backup-2');
      huawei.answers.push(ok({ job_id: 'job-1' }));
      const created = await cfn.send(cfnEvent('Create', HUAWEI_TYPE, first, { LogicalResourceId: 'RecoveryRestore1111' }));
      expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'job-1' });

      // The backup changed at deploy (a CfnParameter): same logical id, same wait. Refused; its rollback keeps the job.
      const token = { ...second, WaitHandle: first.WaitHandle };
      const updated = await cfn.send(cfnEvent('Update', HUAWEI_TYPE, token, { PhysicalResourceId: 'job-1', OldResourceProperties: first, LogicalResourceId: 'RecoveryRestore1111' }));
      expect(updated).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/BackupId from "backup-1" to "backup-2".*restoreGeneration/) });
      handles.stackStatus = 'UPDATE_ROLLBACK_IN_PROGRESS';
      const rolledBack = await cfn.send(cfnEvent('Update', HUAWEI_TYPE, first, { PhysicalResourceId: 'job-1', OldResourceProperties: token, LogicalResourceId: 'RecoveryRestore1111' }))
        .finally(() => { handles.stackStatus = 'UPDATE_IN_PROGRESS'; });
      expect(rolledBack).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'job-1' });
      expect(restoresPosted()).toEqual(['backup-1']);
      expect(signalsOf(first.WaitHandle)).toEqual([]);

      // What the construct makes of new inputs: another resource, restored once; rolling it back is its Delete.
      huawei.answers.push(ok({ job_id: 'job-2' }));
      const replacement = await cfn.send(cfnEvent('Create', HUAWEI_TYPE, second, { LogicalResourceId: 'RecoveryRestore2222' }));
      const removed = await cfn.send(cfnEvent('Delete', HUAWEI_TYPE, second, { PhysicalResourceId: replacement.PhysicalResourceId, LogicalResourceId: 'RecoveryRestore2222' }));
      expect([replacement.Status, removed.Status]).toEqual(['SUCCESS', 'SUCCESS']);
      expect(restoresPosted()).toEqual(['backup-1', 'backup-2']);
      expect(huawei.received.every((r) => r.signatureValid)).toBe(true);
    });

    // Issue 27: a changed literal input makes a new resource, created while the stack still holds the one it
    // replaces. Without a new restoreGeneration it would overwrite the instance a second time, unasked.
    test('a new resource for changed inputs, of the generation of the restore the stack holds, is refused and posts nothing; '
      + 'with a new generation it restores once', async () => {
      const posted = restoresPosted().length;
      const held = (generation?: number) => ({
        LogicalResourceId: 'RecoverRestore11111111AAAAAAAA',
        PhysicalResourceId: 'job-1',
        ResourceType: HUAWEI_TYPE,
        ...(generation === undefined ? {} : { Metadata: { 'cdk-restore-constructs:restoreGeneration': generation } }),
      });
      const elsewhere = { LogicalResourceId: 'OtherRestore33333333CCCCCCCC', PhysicalResourceId: 'job-9', ResourceType: HUAWEI_TYPE };
      const id = { LogicalResourceId: 'RecoverRestore22222222BBBBBBBB' };
      try {
        handles.held = [held(), elsewhere];
        const refused = await cfn.send(cfnEvent('Create', HUAWEI_TYPE, recovery('backup-3'), id));
        expect(refused).toMatchObject({
          Status: 'FAILED', Reason: expect.stringMatching(/restored dst01in04 before with RecoverRestore11111111AAAAAAAA, of the same restoreGeneration \(0\).*Nothing was sent/),
        });
        expect(restoresPosted()).toHaveLength(posted);

        handles.held = [held(1)];
        const again = await cfn.send(cfnEvent('Create', HUAWEI_TYPE, { ...recovery('backup-3'), RestoreGeneration: 1 }, id));
        expect(again).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/same restoreGeneration \(1\)/) });
        expect(restoresPosted()).toHaveLength(posted);

        // Another construct's restore (another path) does not count, nor one of another generation.
        handles.held = [held(), elsewhere];
        huawei.answers.push(ok({ job_id: 'job-3' }));
        const asked = await cfn.send(cfnEvent('Create', HUAWEI_TYPE, { ...recovery('backup-3'), RestoreGeneration: 1 }, id));
        expect(asked).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'job-3' });
        expect(restoresPosted().slice(posted)).toEqual(['backup-3']);
      } finally {
        handles.held = [];
      }
    });
  });

  // Issue 13, row 7: a physical id may name a cluster this resource did not restore.
  test('a Delete naming a cluster without this stack resource\'s owner tag leaves it alone', async () => {
    const props = { ...(await restoreProps()), RemovalPolicy: 'destroy' };
    await neptuneClient().send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'someone-elses', Engine: 'neptune' }));
    const deleted = await cfn.send(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'someone-elses' }));
    expect(deleted.Status).toBe('SUCCESS');
    expect(await clusterIds()).toContain('someone-elses');
    expect(await finalSnapshots('someone-elses')).toEqual([]);
  });
});
