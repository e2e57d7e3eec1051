import * as fs from 'fs';
import * as path from 'path';
import * as neptune from '@aws-sdk/client-neptune';
import * as rds from '@aws-sdk/client-rds';
import { cfnEvent, completeEvent } from './support/events';
import { Moto, requireMoto, startMoto, useEmulator } from './support/moto';
import type { IsCompleteResponse, OnEventRequest, OnEventResponse } from '../lambda/shared/types';
import { OWNER_TAG_KEY } from '../lib/private/contracts/common';

/**
 * The bundled handler, exactly as Lambda loads it from the asset, against moto_server: a real
 * RDS/Neptune API emulator on 127.0.0.1. Each step checks the emulator's state.
 */
const BUNDLE = path.join(__dirname, '..', 'assets', 'restore-handler', 'index.js');
const TYPE = 'Custom::PointInTimeRestoredCluster';
const run = requireMoto();
const suite = run ? describe : describe.skip;

interface Handler {
  onEvent(event: OnEventRequest): Promise<OnEventResponse>;
  isComplete(event: unknown): Promise<IsCompleteResponse>;
}

/** Runs isComplete the way the provider framework does, until it says complete (bounded). */
async function waitComplete(handler: Handler, request: OnEventRequest, answer: OnEventResponse): Promise<IsCompleteResponse> {
  for (let poll = 0; poll < 20; poll++) {
    const result = await handler.isComplete(completeEvent(request, answer));
    if (result.IsComplete) return result;
  }
  throw new Error('isComplete never reported completion');
}

suite('bundled handler against moto_server', () => {
  let moto: Moto;
  let restoreEnv: () => void;
  let handler: Handler;

  beforeAll(async () => {
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run "npm run bundle" first`);
    moto = await startMoto();
    restoreEnv = useEmulator(moto.endpoint);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(BUNDLE);
  });

  afterAll(async () => {
    restoreEnv?.();
    await moto?.stop();
  });

  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  test('Neptune: create restores the cluster, waits for it, and delete takes a final snapshot', async () => {
    const client = new neptune.NeptuneClient({});
    await client.send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'prod-graph', Engine: 'neptune' }));
    const props = {
      Engine: 'neptune',
      SourceDBClusterIdentifier: 'prod-graph',
      DBClusterIdentifier: 'graph-restored',
      RestoreType: 'full-copy',
      RemovalPolicy: 'snapshot',
      TimeoutSeconds: 600,
      Tags: [{ Key: 'team', Value: 'graph' }],
    };

    const create = cfnEvent('Create', TYPE, props);
    const created = await handler.onEvent(create);
    expect(created.PhysicalResourceId).toBe('graph-restored');
    const [cluster] = (await client.send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: 'graph-restored' }))).DBClusters!;
    expect(cluster.Engine).toBe('neptune');
    const tags = (await client.send(new neptune.ListTagsForResourceCommand({ ResourceName: cluster.DBClusterArn }))).TagList!;
    expect(tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'graph' }, expect.objectContaining({ Key: OWNER_TAG_KEY })]));

    const done = await waitComplete(handler, create, created);
    expect(done.Data).toMatchObject({
      DBClusterIdentifier: 'graph-restored',
      DBClusterArn: cluster.DBClusterArn,
      DbClusterResourceId: cluster.DbClusterResourceId,
      Endpoint: cluster.Endpoint,
      ReaderEndpoint: cluster.ReaderEndpoint,
      Port: '8182',
    });

    // A second Create of the same request (a retried attempt) adopts the cluster.
    const again = await handler.onEvent(cfnEvent('Create', TYPE, props));
    expect(again.PhysicalResourceId).toBe('graph-restored');
    expect((await client.send(new neptune.DescribeDBClustersCommand({}))).DBClusters!.map((c) => c.DBClusterIdentifier).sort())
      .toEqual(['graph-restored', 'prod-graph']);

    const del = cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'graph-restored' });
    const deleting = await handler.onEvent(del);
    await waitComplete(handler, del, deleting);
    await expect(client.send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: 'graph-restored' }))).rejects.toThrow(/not found/);
    const snapshots = (await new rds.RDSClient({}).send(new rds.DescribeDBClusterSnapshotsCommand({}))).DBClusterSnapshots!;
    expect(snapshots.map((s) => s.DBClusterSnapshotIdentifier)).toContainEqual(expect.stringMatching(/^graph-restored-final-\d{8}t\d{6}$/));
    // The source is untouched.
    expect((await client.send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: 'prod-graph' }))).DBClusters).toHaveLength(1);
  });

  test('Aurora MySQL: restore to a point in time, then DESTROY deletes without a snapshot', async () => {
    const client = new rds.RDSClient({});
    await client.send(new rds.CreateDBClusterCommand({ DBClusterIdentifier: 'orders', Engine: 'aurora-mysql', MasterUsername: 'admin', MasterUserPassword: 'not-a-real-secret-1' }));
    const [source] = (await client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'orders' }))).DBClusters!;
    const props = {
      Engine: 'aurora-mysql',
      SourceDBClusterIdentifier: 'orders',
      DBClusterIdentifier: 'orders-copy',
      RestoreType: 'full-copy',
      RestoreToTime: source.LatestRestorableTime!.toISOString(),
      RemovalPolicy: 'destroy',
      TimeoutSeconds: 600,
    };

    const create = cfnEvent('Create', TYPE, props);
    const created = await handler.onEvent(create);
    const done = await waitComplete(handler, create, created);
    expect(done.Data).toMatchObject({ DBClusterIdentifier: 'orders-copy', Port: '3306' });
    const [copy] = (await client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'orders-copy' }))).DBClusters!;
    expect(copy).toMatchObject({ Engine: 'aurora-mysql', Status: 'available' });

    const before = (await client.send(new rds.DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'orders-copy', SnapshotType: 'manual' }))).DBClusterSnapshots!.length;
    const del = cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'orders-copy' });
    await waitComplete(handler, del, await handler.onEvent(del));
    await expect(client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'orders-copy' }))).rejects.toThrow(/not found/);
    const after = (await client.send(new rds.DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: 'orders-copy', SnapshotType: 'manual' }))).DBClusterSnapshots!.length;
    expect(after).toBe(before);
  });

  test('a missing source fails before anything is created, and its delete is a no-op', async () => {
    const props = {
      Engine: 'neptune',
      SourceDBClusterIdentifier: 'no-such-source',
      DBClusterIdentifier: 'never-made',
      RestoreType: 'full-copy',
      RemovalPolicy: 'snapshot',
      TimeoutSeconds: 600,
    };
    await expect(handler.onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(/Source cluster "no-such-source" does not exist/);
    const client = new neptune.NeptuneClient({});
    await expect(client.send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: 'never-made' }))).rejects.toThrow(/not found/);
    const del = cfnEvent('Delete', TYPE, props, { PhysicalResourceId: 'never-made' });
    await expect(waitComplete(handler, del, await handler.onEvent(del))).resolves.toEqual({ IsComplete: true });
  });

  test('a cluster of the same name that someone else made is refused and left alone', async () => {
    const client = new neptune.NeptuneClient({});
    await client.send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'src-two', Engine: 'neptune' }));
    await client.send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'taken-name', Engine: 'neptune' }));
    const props = { Engine: 'neptune', SourceDBClusterIdentifier: 'src-two', DBClusterIdentifier: 'taken-name', RestoreType: 'full-copy', RemovalPolicy: 'snapshot', TimeoutSeconds: 600 };
    await expect(handler.onEvent(cfnEvent('Create', TYPE, props))).rejects.toThrow(/already exists and was not created by this stack resource/);
    expect((await client.send(new neptune.DescribeDBClustersCommand({ DBClusterIdentifier: 'taken-name' }))).DBClusters).toHaveLength(1);
  });
});
