import * as rds from '@aws-sdk/client-rds';
import { Moto, requireMoto, startMoto } from './support/moto';
import { standInClientConfig } from './support/stand-in-client';
import { RdsS3ImportStandIn } from '../rehearse/rds-s3-import-stand-in';

/**
 * The rehearsal's RDS stand-in in front of moto_server, driven by the real RDS client: it plays the S3
 * import, the engine-version lookup and the Data API's switch, passes the rest to moto, and the client parses every answer.
 */
const run = requireMoto();
const suite = run ? describe : describe.skip;

suite('the RDS S3-import stand-in', () => {
  let moto: Moto;
  let standIn: RdsS3ImportStandIn;
  let client: rds.RDSClient;
  const importInput = (id: string, prefix: string): rds.RestoreDBClusterFromS3CommandInput => ({
    DBClusterIdentifier: id,
    Engine: 'aurora-mysql',
    EngineVersion: '8.0.mysql_aurora.3.10.3',
    MasterUsername: 'admin',
    ManageMasterUserPassword: true,
    SourceEngine: 'mysql',
    SourceEngineVersion: '8.0.36',
    S3BucketName: 'backups',
    S3Prefix: prefix,
    S3IngestionRoleArn: 'arn:aws:iam::123456789012:role/ingest',
    StorageEncrypted: true,
    BackupRetentionPeriod: 7,
    Tags: [{ Key: 'team', Value: 'orders' }],
    VpcSecurityGroupIds: ['sg-1'],
  });

  beforeAll(async () => {
    moto = await startMoto();
    standIn = new RdsS3ImportStandIn(moto.endpoint);
    await standIn.start();
    client = new rds.RDSClient(standInClientConfig(standIn.endpoint));
  });
  afterAll(async () => {
    standIn?.close();
    await moto?.stop();
  });

  test('an import of backup files that are there makes the cluster in moto, with the request\'s settings', async () => {
    expect(await standIn.ensureBackupFiles('backups', 'nightly/')).toBe(true);
    expect(await standIn.ensureBackupFiles('backups', 'nightly/')).toBe(false);
    const out = await client.send(new rds.RestoreDBClusterFromS3Command(importInput('imported', 'nightly/')));
    expect(out.DBCluster).toMatchObject({ DBClusterIdentifier: 'imported', Engine: 'aurora-mysql', BackupRetentionPeriod: 7 });
    // Passed through to moto: the same cluster, as every later call sees it.
    const [described] = (await client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'imported' }))).DBClusters!;
    expect(described).toMatchObject({ EngineVersion: '8.0.mysql_aurora.3.10.3', StorageEncrypted: true, MasterUserSecret: expect.objectContaining({ SecretArn: expect.any(String) }) });
    const tags = await client.send(new rds.ListTagsForResourceCommand({ ResourceName: described.DBClusterArn }));
    expect(tags.TagList).toContainEqual({ Key: 'team', Value: 'orders' });
    expect(standIn.imports).toEqual(['imported']);
  });

  test.each([
    ['a bucket that does not exist', 'missing-bucket', 'x/', /The S3 bucket missing-bucket cannot be found/],
    ['a prefix without backup files', 'backups', 'empty/', /holds no backup files under the prefix "empty\/"/],
  ])('%s is refused with InvalidS3BucketFault, and nothing is made', async (_what, bucket, prefix, message) => {
    await expect(client.send(new rds.RestoreDBClusterFromS3Command({ ...importInput('refused', prefix), S3BucketName: bucket })))
      .rejects.toMatchObject({ name: 'InvalidS3BucketFault', message: expect.stringMatching(message) });
    await expect(client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'refused' }))).rejects.toMatchObject({ name: 'DBClusterNotFoundFault' });
  });

  test('the Data API is turned on and off for a cluster moto has, and DescribeDBClusters shows it; an unknown cluster is ResourceNotFoundFault', async () => {
    await client.send(new rds.CreateDBClusterCommand({ DBClusterIdentifier: 'queried', Engine: 'aurora-postgresql', MasterUsername: 'admin', ManageMasterUserPassword: true }));
    await client.send(new rds.CreateDBClusterCommand({ DBClusterIdentifier: 'other', Engine: 'aurora-postgresql', MasterUsername: 'admin', ManageMasterUserPassword: true }));
    const enabled = async () => Object.fromEntries((await client.send(new rds.DescribeDBClustersCommand({}))).DBClusters!
      .filter((c) => ['queried', 'other'].includes(c.DBClusterIdentifier!)).map((c) => [c.DBClusterIdentifier, c.HttpEndpointEnabled]));
    const arn = (await client.send(new rds.DescribeDBClustersCommand({ DBClusterIdentifier: 'queried' }))).DBClusters![0].DBClusterArn!;
    expect(await client.send(new rds.EnableHttpEndpointCommand({ ResourceArn: arn }))).toMatchObject({ ResourceArn: arn, HttpEndpointEnabled: true });
    expect(await enabled()).toEqual({ queried: true, other: false });
    expect(await client.send(new rds.DisableHttpEndpointCommand({ ResourceArn: arn }))).toMatchObject({ HttpEndpointEnabled: false });
    expect(await enabled()).toEqual({ queried: false, other: false });
    await expect(client.send(new rds.EnableHttpEndpointCommand({ ResourceArn: arn.replace(':queried', ':missing') })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundFault' });
  });

  test('DescribeDBEngineVersions offers Aurora MySQL 2 and 3 versions, and nothing else', async () => {
    const offered = await client.send(new rds.DescribeDBEngineVersionsCommand({ Engine: 'aurora-mysql', EngineVersion: '8.0.mysql_aurora.3.10.3' }));
    expect(offered.DBEngineVersions).toEqual([expect.objectContaining({ EngineVersion: '8.0.mysql_aurora.3.10.3', DBParameterGroupFamily: 'aurora-mysql8.0' })]);
    const unknown = await client.send(new rds.DescribeDBEngineVersionsCommand({ Engine: 'aurora-mysql', EngineVersion: '9.9.nope' }));
    expect(unknown.DBEngineVersions ?? []).toEqual([]);
  });
});
