import {
  CopyClusterSnapshotCommand, DeleteClusterSnapshotCommand, DocDBElasticClient, GetClusterSnapshotCommand, ListClusterSnapshotsCommand,
  ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-docdb-elastic';
import { loadApiModel, modelProblems } from './support/api-model';
import { standInClientConfig } from './support/stand-in-client';
import { DocDbElasticStandIn } from '../rehearse/docdb-elastic-stand-in';

/**
 * The rehearsal's DocumentDB Elastic stand-in, driven by the real SDK client: the client parses every
 * answer, and the parsed answers are checked against botocore's model of the API.
 */
const SOURCE = 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/0123456789abcdef0123456789abcdef';
const model = loadApiModel('docdb-elastic');
let standIn: DocDbElasticStandIn;
let client: DocDBElasticClient;

function conforms(shape: string, answer: { $metadata?: unknown }): void {
  if (!model) return;
  const { $metadata, ...output } = answer;
  expect(modelProblems(model, shape, output)).toEqual([]);
}

beforeEach(async () => {
  standIn = new DocDbElasticStandIn();
  await standIn.start();
  standIn.addSnapshot(SOURCE, 'nightly');
  client = new DocDBElasticClient(standInClientConfig(standIn.endpoint));
});
afterEach(() => standIn.close());

test('a copy is CREATING, then ACTIVE, carries its tags, is listed, and a delete passes through DELETING', async () => {
  const copied = await client.send(new CopyClusterSnapshotCommand({ snapshotArn: SOURCE, targetSnapshotName: 'orders-copy', tags: { team: 'orders' } }));
  conforms('CopyClusterSnapshotOutput', copied);
  const arn = copied.snapshot!.snapshotArn!;
  expect(copied.snapshot).toMatchObject({ snapshotName: 'orders-copy', status: 'CREATING', snapshotType: 'MANUAL' });
  const first = await client.send(new GetClusterSnapshotCommand({ snapshotArn: arn }));
  const second = await client.send(new GetClusterSnapshotCommand({ snapshotArn: arn }));
  expect([first.snapshot!.status, second.snapshot!.status]).toEqual(['CREATING', 'ACTIVE']);
  conforms('GetClusterSnapshotOutput', second);
  const listed = await client.send(new ListClusterSnapshotsCommand({ snapshotType: 'manual' }));
  conforms('ListClusterSnapshotsOutput', listed);
  expect(listed.snapshots!.map((s) => s.snapshotName).sort()).toEqual(['nightly', 'orders-copy']);

  await client.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: 'x', gone: 'y' } }));
  await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['gone'] }));
  await expect(client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).resolves.toMatchObject({ tags: { team: 'orders', owner: 'x' } });

  await expect(client.send(new DeleteClusterSnapshotCommand({ snapshotArn: arn }))).resolves.toMatchObject({ snapshot: { status: 'DELETING' } });
  await expect(client.send(new GetClusterSnapshotCommand({ snapshotArn: arn }))).resolves.toMatchObject({ snapshot: { status: 'DELETING' } });
  await expect(client.send(new GetClusterSnapshotCommand({ snapshotArn: arn }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  expect(standIn.deleted).toEqual(['orders-copy']);
});

test.each([
  ['a source that does not exist', { snapshotArn: `${SOURCE}0`, targetSnapshotName: 'x' }, 'ResourceNotFoundException'],
  ['a name already taken', { snapshotArn: SOURCE, targetSnapshotName: 'NIGHTLY' }, 'ConflictException'],
])('a copy from %s is refused with the service\'s error', async (_what, input, name) => {
  await expect(client.send(new CopyClusterSnapshotCommand(input))).rejects.toMatchObject({ name });
  expect(standIn.held).toHaveLength(1);
});

test('a snapshot still being created cannot be deleted yet (ConflictException)', async () => {
  const { snapshot } = await client.send(new CopyClusterSnapshotCommand({ snapshotArn: SOURCE, targetSnapshotName: 'early' }));
  await expect(client.send(new DeleteClusterSnapshotCommand({ snapshotArn: snapshot!.snapshotArn }))).rejects.toMatchObject({ name: 'ConflictException' });
});
