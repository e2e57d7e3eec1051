import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import { cfnEvent } from './support/events';
import { Moto, requireMoto, startMoto, useEmulator } from './support/moto';
import { ProviderFramework } from './support/provider-framework';
import { createPollerStateMachine, WaitHandles } from './support/wait-handle';
import { STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';

/**
 * The request sequences CloudFormation sends, through aws-cdk-lib's provider-framework runtime and the
 * bundled handler, against moto_server. Each test asserts what CloudFormation hears, what the wait
 * condition is told, and what the emulator holds afterwards.
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
  const signalsOf = (handleUrl: string) => handles.signalsOf(handleUrl);

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
      WaitHandleUrl: handles.newHandle(),
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
    expect(signalsOf(props.WaitHandleUrl)).toEqual([]);
  });

  // Issue 13, row 2: before the fix, the failed StartExecution made the Create fail with the framework's
  // marker, the rollback's Delete never reached the handler, and the restored cluster stayed running.
  test('a restore whose polling cannot start is rolled back by its real id, and the rollback deletes it', async () => {
    const props = await restoreProps();
    process.env[STATE_MACHINE_ARN_ENV] = pollerArn.replace(/:Poller$/, ':Deleted');

    const created = await cfn.send(cfnEvent('Create', TYPE, props));
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: props.DBClusterIdentifier });
    expect(signalsOf(props.WaitHandleUrl)).toEqual([expect.objectContaining({ Status: 'FAILURE', UniqueId: props.DBClusterIdentifier })]);
    expect(await clusterIds()).toContain(props.DBClusterIdentifier);

    // The wait condition fails, and the rollback deletes the custom resource by the id CloudFormation holds.
    const deleted = await cfn.send(cfnEvent('Delete', TYPE, props, { PhysicalResourceId: created.PhysicalResourceId }));
    expect(deleted.Status).toBe('SUCCESS');
    expect(await clusterIds()).not.toContain(props.DBClusterIdentifier);
    const snapshots = (await new rds.RDSClient({}).send(new rds.DescribeDBClusterSnapshotsCommand({
      DBClusterIdentifier: props.DBClusterIdentifier, SnapshotType: 'manual',
    }))).DBClusterSnapshots!;
    expect(snapshots.map((s) => s.DBClusterSnapshotIdentifier)).toEqual([expect.stringMatching(new RegExp(`^${props.DBClusterIdentifier}-final-`))]);
  });
});
