import { App, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3ImportedAuroraCluster, S3ImportedAuroraClusterProps } from '../lib';

const TYPE = 'Custom::S3ImportedAuroraCluster';

function newStack(): Stack {
  return new Stack(new App(), 'ImportStack', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function synth(props: Partial<S3ImportedAuroraClusterProps> = {}, stack = newStack()) {
  const bucket = props.bucket ?? s3.Bucket.fromBucketName(stack, 'Backups', 'my-backups');
  const cluster = new S3ImportedAuroraCluster(stack, 'Imported', { bucket, sourceEngineVersion: '8.0.36', bucketPrefix: 'backups/2026-11-20/', ...props });
  return { stack, cluster, template: () => Template.fromStack(stack) };
}

function importProps(template: Template): Record<string, any> {
  return Object.values(template.findResources(TYPE))[0].Properties;
}

function handlerStatements(template: Template): any[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('S3ImportedAuroraCluster: the import request', () => {
  test('defaults: admin, Aurora MySQL 3 for an 8.0 backup, encrypted storage, a created ingestion role, no password anywhere', () => {
    const t = synth().template();
    const props = importProps(t);
    expect(props).toMatchObject({
      Engine: 'aurora-mysql',
      EngineVersion: '8.0.mysql_aurora.3.10.3',
      MasterUsername: 'admin',
      SourceEngine: 'mysql',
      SourceEngineVersion: '8.0.36',
      S3BucketName: 'my-backups',
      S3Prefix: 'backups/2026-11-20/',
      StorageEncrypted: true,
      RemovalPolicy: 'snapshot',
      TimeoutSeconds: 10800,
    });
    expect(props.S3IngestionRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ImportedIngestionRole/), 'Arn'] });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/"MasterUserPassword"|"Password"/);
    t.resourceCountIs('AWS::RDS::DBInstance', 1);
    t.hasResourceProperties('AWS::RDS::DBInstance', { Engine: 'aurora-mysql', DBInstanceClass: 'db.r6g.large' });
  });

  test('a 5.7 backup defaults to Aurora MySQL 2', () => {
    expect(importProps(synth({ sourceEngineVersion: '5.7.40' }).template()).EngineVersion).toBe('5.7.mysql_aurora.2.12.5');
  });

  test('every option reaches the request', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'StorageKey');
    const secretKey = new kms.Key(stack, 'SecretKey');
    const props = importProps(synth({
      engineVersion: '8.0.mysql_aurora.3.08.0',
      masterUsername: 'dba',
      masterUserSecretKey: secretKey,
      clusterIdentifier: 'Orders-Imported',
      subnetGroupName: 'db-subnets',
      port: 3307,
      storageEncryptionKey: key,
      iamAuthentication: true,
      deletionProtection: true,
      backupRetention: Duration.days(7),
      databaseName: 'orders',
      removalPolicy: RemovalPolicy.RETAIN,
      timeout: Duration.hours(8),
    }, stack).template());
    expect(props).toMatchObject({
      EngineVersion: '8.0.mysql_aurora.3.08.0',
      MasterUsername: 'dba',
      DBClusterIdentifier: 'orders-imported',
      DBSubnetGroupName: 'db-subnets',
      Port: 3307,
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 7,
      DatabaseName: 'orders',
      RemovalPolicy: 'retain',
      TimeoutSeconds: 28800,
    });
    expect(props.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] });
    expect(props.MasterUserSecretKmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SecretKey/), 'Arn'] });
  });

  test('tags from Tags.of reach the request', () => {
    const { stack, template } = synth();
    Tags.of(stack).add('team', 'orders');
    expect(importProps(template()).Tags).toEqual([{ Key: 'team', Value: 'orders' }]);
  });
});

describe('S3ImportedAuroraCluster: the ingestion role and the handler\'s permissions', () => {
  test('the default role trusts RDS and reads only the bucket\'s objects under the prefix, and the bucket\'s key', () => {
    const stack = newStack();
    const bucketKey = new kms.Key(stack, 'BucketKey');
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: bucketKey });
    const t = synth({ bucket }, stack).template();
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'rds.amazonaws.com' } }] },
    });
    const [policy] = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ImportedIngestionRole') }] } }));
    const text = JSON.stringify(policy.Properties.PolicyDocument);
    expect(text).toContain('/backups/2026-11-20/*');
    expect(text).toContain('kms:Decrypt');
    // What the import uses, no action wildcards (cdk-nag AwsSolutions-IAM5).
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((st: any) => [st.Action].flat()).filter((a: string) => a.startsWith('s3:'));
    expect(actions.sort()).toEqual(['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket']);
  });

  test('the handler may pass only the ingestion role, only to RDS, and import only into a cluster it tags with the stack', () => {
    const statements = handlerStatements(synth({ clusterIdentifier: 'orders-imported' }).template());
    const pass = statements.find((s) => s.Action === 'iam:PassRole');
    expect(pass).toMatchObject({
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ImportedIngestionRole/), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'rds.amazonaws.com' } },
    });
    const restore = statements.find((s) => JSON.stringify(s.Action).includes('rds:RestoreDBClusterFromS3'));
    expect(restore.Condition).toEqual({ StringEquals: { 'aws:RequestTag/cdk-restore-constructs:stack': { Ref: 'AWS::StackId' } } });
    expect(JSON.stringify(restore.Resource)).toMatch(/:rds:eu-west-1:123456789012:cluster:\*".*:subgrp:\*"/);
    const secrets = statements.find((s) => JSON.stringify(s.Action).includes('secretsmanager:CreateSecret'));
    expect(JSON.stringify(secrets.Resource)).toContain(':secretsmanager:eu-west-1:123456789012:secret:rds!cluster-*"');
    for (const s of statements) {
      if (s.Resource === '*') expect([s.Action].flat().every((a: string) => /^rds:Describe|^cloudwatch:PutMetricData$/.test(a))).toBe(true);
    }
  });

  test('RDS may rotate only the master secrets of this stack\'s clusters, and tag them only with its own keys; one statement for all imports', () => {
    const stack = newStack();
    synth({ clusterIdentifier: 'orders-imported' }, stack);
    new S3ImportedAuroraCluster(stack, 'Second', { bucket: s3.Bucket.fromBucketName(stack, 'More', 'more-backups'), sourceEngineVersion: '8.0.36' });
    const statements = handlerStatements(Template.fromStack(stack));
    const rotate = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:RotateSecret'));
    expect(rotate).toHaveLength(1);
    expect([rotate[0].Action].flat()).toEqual(['secretsmanager:RotateSecret']);
    const clusters = JSON.stringify(rotate[0].Condition.StringLike['secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn']);
    expect(clusters).toContain(':rds:eu-west-1:123456789012:cluster:orders-imported"');
    expect(clusters).toMatch(/:cluster:importstack-second-[a-z0-9-]*\*"/);
    expect(clusters).not.toMatch(/:cluster:\*"/);
    const tag = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:TagResource'));
    expect(tag).toHaveLength(1);
    expect(tag[0].Condition).toEqual({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['aws:rds:primaryDBClusterArn', 'aws:rds:primaryDBInstanceArn', 'aws:secretsmanager:owningService'] } });
  });

  test('a given ingestion role is used and none is created', () => {
    const stack = newStack();
    const ingestionRole = iam.Role.fromRoleArn(stack, 'Given', 'arn:aws:iam::123456789012:role/backup-reader');
    const t = synth({ ingestionRole }, stack).template();
    expect(importProps(t).S3IngestionRoleArn).toBe('arn:aws:iam::123456789012:role/backup-reader');
    expect(Object.keys(t.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('ImportedIngestionRole'))).toEqual([]);
  });

  test('a secret key is granted to the handler for RDS to encrypt the secret', () => {
    const stack = newStack();
    const secretKey = new kms.Key(stack, 'SecretKey');
    const text = JSON.stringify(handlerStatements(synth({ masterUserSecretKey: secretKey }, stack).template()));
    expect(text).toContain('kms:GenerateDataKey');
  });
});

describe('S3ImportedAuroraCluster: attributes', () => {
  test('the secret and the cluster come from the attributes read after the wait', () => {
    const { stack, cluster } = synth();
    expect(stack.resolve(cluster.secret.secretArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ImportedRestoreAttributes/), 'MasterUserSecretArn'] });
    expect(stack.resolve(cluster.clusterEndpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ImportedRestoreAttributes/), 'Endpoint'] });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    cluster.secret.grantRead(role);
    cluster.databaseCluster.grantConnect(role, 'app');
    const text = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^App') }] } }));
    expect(text).toContain('secretsmanager:GetSecretValue');
    expect(text).toContain('rds-db:connect');
  });

  test('allowDefaultPortFrom opens the cluster\'s port', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const { cluster, template } = synth({ vpc }, stack);
    cluster.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.0.0/16'));
    template().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      CidrIp: '10.0.0.0/16', FromPort: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ImportedRestoreAttributes'), 'Port'] },
    });
  });
});

describe('S3ImportedAuroraCluster: validation at synth', () => {
  test.each([
    ['sourceEngineVersion', { sourceEngineVersion: '5.6.10' }, /Invalid sourceEngineVersion "5.6.10": use the MySQL version the backup was taken from, 5.7.x or 8.0.x/],
    ['sourceEngineVersion', { sourceEngineVersion: '8.0' }, /Invalid sourceEngineVersion "8.0"/],
    ['engineVersion', { engineVersion: '8.0.36' }, /Invalid engineVersion "8.0.36": use an Aurora MySQL version/],
    ['engineVersion', { sourceEngineVersion: '5.7.40', engineVersion: '8.0.mysql_aurora.3.08.0' }, /a MySQL 5.7 backup imports only into Aurora MySQL 2/],
    ['masterUsername', { masterUsername: '1admin' }, /Invalid masterUsername "1admin": use 1 to 16 letters or digits, starting with a letter/],
    ['masterUsername', { masterUsername: 'a'.repeat(17) }, /Invalid masterUsername/],
    ['masterUsername', { masterUsername: 'db_admin' }, /Invalid masterUsername "db_admin"/],
    ['masterUsername', { masterUsername: 'Select' }, /Invalid masterUsername "Select": it is a name MySQL or RDS reserves/],
    ['masterUsername', { masterUsername: 'rdsadmin' }, /reserves/],
    ['bucketPrefix', { bucketPrefix: '/backups/' }, /Invalid bucketPrefix "\/backups\/": an S3 key prefix does not start with "\/"/],
    ['bucketPrefix', { bucketPrefix: 's3://my-backups/x/' }, /without s3:\/\/ and the bucket name/],
    ['bucketPrefix', { bucketPrefix: 'k'.repeat(1025) }, /it has 1025 characters; S3 keys have at most 1024/],
    ['backupRetention', { backupRetention: Duration.days(36) }, /Invalid backupRetention "36 days": use whole days from 1 to 35/],
    ['backupRetention', { backupRetention: Duration.hours(12) }, /Invalid backupRetention "12 hours"/],
    ['databaseName', { databaseName: '9orders' }, /Invalid databaseName "9orders"/],
    ['databaseName', { databaseName: 'o'.repeat(65) }, /Invalid databaseName/],
    ['port', { port: 80 }, /Invalid port 80: use a whole number from 1150 to 65535/],
    ['instances', { instances: 17 }, /Invalid instances 17/],
    ['clusterIdentifier', { clusterIdentifier: 'bad--name' }, /Invalid clusterIdentifier "bad--name"/],
    ['timeout', { timeout: Duration.hours(13) }, /Invalid timeout "13 hours"/],
    ['removalPolicy', { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }, /Invalid removalPolicy/],
  ])('%s: %j is refused', (_prop, props, message) => {
    expect(() => synth(props as Partial<S3ImportedAuroraClusterProps>)).toThrow(message);
  });

  test('vpc and subnetGroupName together are refused', () => {
    const stack = newStack();
    expect(() => synth({ vpc: new ec2.Vpc(stack, 'Vpc'), subnetGroupName: 'x' }, stack)).toThrow(/Invalid subnetGroupName "x": give either vpc/);
  });

  test('tag keys are checked', () => {
    const { stack } = synth();
    Tags.of(stack).add('aws:nope', 'x');
    expect(() => Template.fromStack(stack)).toThrow(/starts with "aws:"/);
  });
});
