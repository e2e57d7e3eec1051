import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ClusterEngine, DatabaseInsightsMode, EngineLifecycleSupport, NeptuneClusterInstance, PointInTimeRestoredCluster, PointInTimeRestoredClusterProps,
  RestoreType,
  S3ImportedAuroraCluster, S3ImportedAuroraClusterProps,
} from '../lib';

const PITR = 'Custom::PointInTimeRestoredCluster';

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

function restore(props: Partial<PointInTimeRestoredClusterProps> = {}, stack = newStack()) {
  const cluster = new PointInTimeRestoredCluster(stack, 'Restored', {
    engine: ClusterEngine.AURORA_POSTGRESQL,
    sourceClusterIdentifier: 'orders',
    ...props,
  });
  return { stack, cluster, template: () => Template.fromStack(stack) };
}

function importFromS3(props: Partial<S3ImportedAuroraClusterProps> = {}, stack = newStack()) {
  const bucket = s3.Bucket.fromBucketName(stack, 'Backups', 'my-backups');
  const cluster = new S3ImportedAuroraCluster(stack, 'Imported', { bucket, sourceEngineVersion: '8.0.36', ...props });
  return { stack, cluster, template: () => Template.fromStack(stack) };
}

function propsOf(template: Template, type = PITR): Record<string, any> {
  return Object.values(template.findResources(type))[0].Properties;
}

/** rds.IDatabaseCluster has no secret member; the view aws-cdk-lib imports keeps the one it was given. */
function secretOf(view: rds.IDatabaseCluster): unknown {
  return (view as unknown as { secret?: unknown }).secret;
}

function handlerStatements(template: Template): any[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('writer and readers, as rds.DatabaseCluster takes them', () => {
  test('the writer in tier 0, readers after it, none public unless it says so, and the view knows them all', () => {
    const { cluster, template } = restore({
      writer: rds.ClusterInstance.provisioned('Writer', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.XLARGE) }),
      readers: [
        rds.ClusterInstance.serverlessV2('Reader1', { scaleWithWriter: true }),
        rds.ClusterInstance.provisioned('Reader2', { publiclyAccessible: true, caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1 }),
      ],
    });
    const t = template();
    const instances = t.findResources('AWS::RDS::DBInstance');
    const byId = (prefix: string) => Object.entries(instances).find(([id]) => id.startsWith(`Restored${prefix}`))!;
    const [writerId, writer] = byId('Writer');
    expect(writer.Properties).toMatchObject({ DBInstanceClass: 'db.r6g.xlarge', PromotionTier: 0, PubliclyAccessible: false, Engine: 'aurora-postgresql' });
    expect(writer.Properties.DBClusterIdentifier).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RestoredRestoreAttributes/), 'DBClusterIdentifier'] });
    const [, reader1] = byId('Reader1');
    expect(reader1.Properties).toMatchObject({ DBInstanceClass: 'db.serverless', PromotionTier: 1, PubliclyAccessible: false });
    expect(reader1.DependsOn).toContain(writerId);
    expect(byId('Reader2')[1].Properties).toMatchObject({ PubliclyAccessible: true, CACertificateIdentifier: 'rds-ca-rsa2048-g1' });
    expect(Object.keys(instances)).toHaveLength(3);
    expect(cluster.instanceIdentifiers).toHaveLength(3);
    expect(cluster.databaseCluster!.instanceEndpoints).toHaveLength(3);
    // A serverless instance needs the cluster's capacity range: aws-rds's defaults when none is given.
    expect(propsOf(t).ServerlessV2ScalingConfiguration).toEqual({ MinCapacity: 0.5, MaxCapacity: 2 });
  });

  test('provisioned instances only: no capacity range is sent', () => {
    const t = restore({ writer: rds.ClusterInstance.provisioned('Writer') }).template();
    expect(propsOf(t).ServerlessV2ScalingConfiguration).toBeUndefined();
  });

  test('the shorthand\'s instances are not publicly accessible, said explicitly (HIPAA and NIST checks flag the unset default)', () => {
    const t = restore({ instances: 2 }).template();
    t.resourcePropertiesCountIs('AWS::RDS::DBInstance', { PubliclyAccessible: false }, 2);
  });

  test('Neptune\'s shorthand instances take minor upgrades, said explicitly (cdk-nag AwsSolutions-N2)', () => {
    const t = restore({ engine: ClusterEngine.NEPTUNE, instances: 2 }).template();
    t.resourcePropertiesCountIs('AWS::Neptune::DBInstance', { AutoMinorVersionUpgrade: true }, 2);
  });

  test.each([
    [{ instances: 2, writer: rds.ClusterInstance.provisioned('W') }, /Invalid instances 2: give either the shorthand \(instances, instanceType\) or writer and readers, not both/],
    [{ instanceType: new ec2.InstanceType('r6g.large'), writer: rds.ClusterInstance.provisioned('W') }, /Invalid instanceType "r6g.large": give either the shorthand/],
    [{ readers: [rds.ClusterInstance.provisioned('R')] }, /Invalid readers "set": readers need a writer; give writer too/],
  ])('refuses %#: mixing the styles, or readers without a writer', (props, message) => {
    expect(() => restore(props as Partial<PointInTimeRestoredClusterProps>)).toThrow(message);
  });

  test('Neptune takes its own writer and readers, provisioned or serverless, readers after the writer', () => {
    const { cluster, template } = restore({
      engine: ClusterEngine.NEPTUNE,
      writer: NeptuneClusterInstance.provisioned('Writer', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.XLARGE), parameterGroupName: 'graph-params' }),
      readers: [NeptuneClusterInstance.serverless('Reader', { autoMinorVersionUpgrade: false })],
    });
    const t = template();
    const instances = t.findResources('AWS::Neptune::DBInstance');
    const [writerId, writer] = Object.entries(instances).find(([id]) => id.startsWith('RestoredWriter'))!;
    const [, reader] = Object.entries(instances).find(([id]) => id.startsWith('RestoredReader'))!;
    expect(writer.Properties).toMatchObject({ DBInstanceClass: 'db.r6g.xlarge', DBParameterGroupName: 'graph-params' });
    expect(reader.Properties).toMatchObject({ DBInstanceClass: 'db.serverless', AutoMinorVersionUpgrade: false });
    expect(reader.DependsOn).toContain(writerId);
    expect(cluster.instanceIdentifiers).toHaveLength(2);
    // A serverless instance needs the cluster's capacity range: Neptune's smallest when none is given.
    expect(propsOf(t).ServerlessV2ScalingConfiguration).toEqual({ MinCapacity: 1, MaxCapacity: 2.5 });
  });

  test('each engine refuses the other\'s instances, and says what it takes', () => {
    expect(() => restore({ engine: ClusterEngine.NEPTUNE, writer: rds.ClusterInstance.provisioned('W') }))
      .toThrow(/Invalid writer "an rds.IClusterInstance": a Neptune cluster takes NeptuneClusterInstance.provisioned\(...\) or NeptuneClusterInstance.serverless\(...\)/);
    expect(() => restore({ writer: rds.ClusterInstance.provisioned('W'), readers: [NeptuneClusterInstance.serverless('R')] }))
      .toThrow(/Invalid readers\[0\] "a NeptuneClusterInstance": an aurora-postgresql cluster takes rds.ClusterInstance.provisioned/);
    // Given to aws-cdk-lib's own cluster, it says where it belongs.
    const stack = newStack();
    expect(() => new rds.DatabaseCluster(stack, 'Plain', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      vpc: new ec2.Vpc(stack, 'Vpc'),
      writer: NeptuneClusterInstance.provisioned('W'),
    })).toThrow(/NeptuneClusterInstance W is a Neptune instance; give it to a PointInTimeRestoredCluster with ClusterEngine.NEPTUNE/);
  });

  test('the shorthand makes Neptune Serverless instances too', () => {
    const t = restore({ engine: ClusterEngine.NEPTUNE, instanceType: new ec2.InstanceType('serverless'), serverlessV2MaxCapacity: 16 }).template();
    t.hasResourceProperties('AWS::Neptune::DBInstance', { DBInstanceClass: 'db.serverless' });
    expect(propsOf(t).ServerlessV2ScalingConfiguration).toEqual({ MinCapacity: 1, MaxCapacity: 16 });
  });

  test('Enhanced Monitoring goes to every instance, with a role made for it when none is given', () => {
    const t = restore({ writer: rds.ClusterInstance.provisioned('Writer'), readers: [rds.ClusterInstance.provisioned('Reader')], monitoringInterval: Duration.seconds(30) }).template();
    t.resourcePropertiesCountIs('AWS::RDS::DBInstance', { MonitoringInterval: 30, MonitoringRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RestoredMonitoringRole'), 'Arn'] } }, 2);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'monitoring.rds.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('AmazonRDSEnhancedMonitoringRole')])] }],
    });
    expect(propsOf(t).MonitoringInterval).toBeUndefined();
  });
});

describe('cluster settings', () => {
  test('each is in the custom resource under its API name', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'InsightsKey');
    const t = restore({
      engine: ClusterEngine.AURORA_MYSQL,
      serverlessV2MinCapacity: 1,
      serverlessV2MaxCapacity: 16,
      storageType: rds.DBClusterStorageType.AURORA_IOPT1,
      cloudwatchLogsExports: ['audit', 'error'],
      copyTagsToSnapshot: false,
      backtrackWindow: Duration.hours(24),
      backup: { retention: Duration.days(14), preferredWindow: '03:00-04:00' },
      preferredMaintenanceWindow: 'Sun:23:45-Mon:00:15',
      networkType: rds.NetworkType.DUAL,
      engineLifecycleSupport: EngineLifecycleSupport.OPEN_SOURCE_RDS_EXTENDED_SUPPORT_DISABLED,
      performanceInsightRetention: rds.PerformanceInsightRetention.MONTHS_1,
      performanceInsightEncryptionKey: key,
    }, stack).template();
    expect(propsOf(t)).toMatchObject({
      ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 16 },
      StorageType: 'aurora-iopt1',
      EnableCloudwatchLogsExports: ['audit', 'error'],
      CopyTagsToSnapshot: false,
      BacktrackWindow: 86400,
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'Sun:23:45-Mon:00:15',
      NetworkType: 'DUAL',
      EngineLifecycleSupport: 'open-source-rds-extended-support-disabled',
      EnablePerformanceInsights: true,
      PerformanceInsightsRetentionPeriod: 31,
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^InsightsKey/), 'Arn'] },
    });
    // The handler may use the key for Performance Insights.
    const keyArn = { 'Fn::GetAtt': [expect.stringMatching(/^InsightsKey/), 'Arn'] };
    expect(handlerStatements(t)).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'kms:DescribeKey', Resource: keyArn }),
      expect.objectContaining({ Action: 'kms:CreateGrant', Resource: keyArn, Condition: expect.objectContaining({ Bool: { 'kms:GrantIsForAWSResource': 'true' } }) }),
    ]));
  });

  test('the version, minor upgrades, Database Insights and write forwarding are sent under their API names', () => {
    const t = restore({
      engineVersion: '16.4',
      allowMajorVersionUpgrade: true,
      autoMinorVersionUpgrade: false,
      databaseInsightsMode: DatabaseInsightsMode.ADVANCED,
      performanceInsightRetention: rds.PerformanceInsightRetention.MONTHS_15,
      enableLocalWriteForwarding: true,
    }).template();
    expect(propsOf(t)).toMatchObject({
      EngineVersion: '16.4',
      AllowMajorVersionUpgrade: true,
      AutoMinorVersionUpgrade: false,
      DatabaseInsightsMode: 'advanced',
      // The advanced mode is Performance Insights with more: aws-rds turns it on too.
      EnablePerformanceInsights: true,
      PerformanceInsightsRetentionPeriod: 465,
      EnableLocalWriteForwarding: true,
    });
  });

  test('the Data API is a setting, which the handler may switch only on the stack\'s clusters', () => {
    const { cluster, template } = restore({ enableDataApi: true });
    // aws-rds's own grant works on the view.
    const role = new iam.Role(Stack.of(cluster), 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    cluster.databaseCluster!.grantDataApiAccess(role);
    const t = template();
    expect(propsOf(t).EnableHttpEndpoint).toBe(true);
    expect(handlerStatements(t)).toContainEqual(expect.objectContaining({
      Action: ['rds:EnableHttpEndpoint', 'rds:DisableHttpEndpoint'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:us-east-1:123456789012:cluster:*']] },
      Condition: { StringEquals: { 'aws:ResourceTag/cdk-restore-constructs:stack': { Ref: 'AWS::StackId' } } },
    }));
    const appStatements = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles?.[0]?.Ref?.startsWith('App'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(appStatements.flatMap((st) => [st.Action].flat())).toEqual(expect.arrayContaining(['rds-data:ExecuteStatement']));
    const without = handlerStatements(restore().template());
    expect(without.flatMap((st) => [st.Action].flat())).not.toContain('rds:EnableHttpEndpoint');
  });

  test('the instances\' parameter group of a major upgrade is sent by name, and the handler may name it', () => {
    const stack = newStack();
    const t = restore({
      engineVersion: '16.4',
      allowMajorVersionUpgrade: true,
      instanceParameterGroup: rds.ParameterGroup.fromParameterGroupName(stack, 'Pg16', 'orders-pg16'),
    }, stack).template();
    expect(propsOf(t).DBInstanceParameterGroupName).toBe('orders-pg16');
    const pg = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:us-east-1:123456789012:pg:*']] };
    const modifies = handlerStatements(t).filter((st) => st.Action === 'rds:ModifyDBCluster' && !st.Condition);
    expect(modifies.flatMap((st) => [st.Resource].flat())).toContainEqual(pg);
    expect(handlerStatements(restore().template()).flatMap((st) => [st.Resource].flat())).not.toContainEqual(pg);
  });

  test('a directory for Kerberos authentication: its id and a role RDS may use, made as aws-rds makes it, which only RDS may be passed', () => {
    const t = restore({ domain: 'd-1234567890' }).template();
    const [[roleId, role]] = Object.entries(t.findResources('AWS::IAM::Role', {
      Properties: {
        ManagedPolicyArns: Match.arrayWith([
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonRDSDirectoryServiceAccess']] },
        ]),
      },
    }));
    const trusted = role.Properties.AssumeRolePolicyDocument.Statement.flatMap((st: any) => [st.Principal.Service].flat());
    expect(trusted.sort()).toEqual(['directoryservice.rds.amazonaws.com', 'rds.amazonaws.com']);
    expect(propsOf(t)).toMatchObject({ Domain: 'd-1234567890', DomainIAMRoleName: { Ref: roleId } });
    expect(handlerStatements(t)).toContainEqual({
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': ['rds.amazonaws.com', 'directoryservice.rds.amazonaws.com'] } },
    });

    const stack = newStack();
    const own = iam.Role.fromRoleName(stack, 'Own', 'kerberos-access');
    const given = restore({ domain: 'd-1234567890', domainRole: own }, stack).template();
    expect(propsOf(given).DomainIAMRoleName).toBe('kerberos-access');
    expect(given.findResources('AWS::IAM::Role', { Properties: { ManagedPolicyArns: Match.anyValue() } })).not.toHaveProperty(roleId);
    expect(propsOf(importFromS3({ domain: 'd-1234567890' }).template(), 'Custom::S3ImportedAuroraCluster').Domain).toBe('d-1234567890');

    expect(() => restore({ engine: ClusterEngine.NEPTUNE, domain: 'd-1234567890' })).toThrow('Invalid domain "d-1234567890": Neptune does not support it');
    const other = newStack();
    expect(() => restore({ domainRole: iam.Role.fromRoleName(other, 'R', 'kerberos-access') }, other)).toThrow('Invalid domainRole "set": it is the role of Kerberos authentication\'s directory; give domain too');
    expect(handlerStatements(restore().template()).map((st) => st.Action)).not.toContain('iam:PassRole');
  });

  describe('parameters make a cluster parameter group of the engine version\'s family, as aws-rds does', () => {
    const groupOf = (t: Template, type: string) => Object.entries(t.findResources(type));

    test.each([
      [ClusterEngine.AURORA_POSTGRESQL, '16.4', 'AWS::RDS::DBClusterParameterGroup', 'aurora-postgresql16'],
      [ClusterEngine.AURORA_POSTGRESQL, '9.6.22', 'AWS::RDS::DBClusterParameterGroup', 'aurora-postgresql9.6'],
      [ClusterEngine.AURORA_MYSQL, '8.0.mysql_aurora.3.08.0', 'AWS::RDS::DBClusterParameterGroup', 'aurora-mysql8.0'],
      [ClusterEngine.NEPTUNE, '1.3.2.1', 'AWS::Neptune::DBClusterParameterGroup', 'neptune1.3'],
      [ClusterEngine.NEPTUNE, '1.1.1.0', 'AWS::Neptune::DBClusterParameterGroup', 'neptune1'],
    ])('%s %s: %s of family %s, which the restore names', (engine, engineVersion, type, family) => {
      const t = restore({ engine, engineVersion, parameters: { log_min_duration_statement: '500' } }).template();
      const groups = groupOf(t, type);
      expect(groups).toHaveLength(1);
      const [logicalId, group] = groups[0];
      expect(group.Properties).toMatchObject({ Family: family, Parameters: { log_min_duration_statement: '500' } });
      expect(propsOf(t).DBClusterParameterGroupName).toEqual({ Ref: logicalId });
    });

    test('an S3 import\'s group is of its engine version, the default one included', () => {
      const t = importFromS3({ parameters: { innodb_sort_buffer_size: '2097152' } }).template();
      const [[logicalId, group]] = groupOf(t, 'AWS::RDS::DBClusterParameterGroup');
      expect(group.Properties).toMatchObject({ Family: 'aurora-mysql8.0', Parameters: { innodb_sort_buffer_size: '2097152' } });
      expect(propsOf(t, 'Custom::S3ImportedAuroraCluster').DBClusterParameterGroupName).toEqual({ Ref: logicalId });
      expect(groupOf(importFromS3({ sourceEngineVersion: '5.7.44', parameters: { a: 'b' } }).template(), 'AWS::RDS::DBClusterParameterGroup')[0][1].Properties.Family)
        .toBe('aurora-mysql5.7');
    });

    test('a major upgrade makes a group of the new family: a new name, which the cluster moves to in place', () => {
      const t16 = restore({ engineVersion: '16.4', parameters: { a: 'b' } }).template();
      const t17 = restore({ engineVersion: '17.5', allowMajorVersionUpgrade: true, parameters: { a: 'b' } }).template();
      const [[id16]] = groupOf(t16, 'AWS::RDS::DBClusterParameterGroup');
      const [[id17, group17]] = groupOf(t17, 'AWS::RDS::DBClusterParameterGroup');
      // The same logical id: CloudFormation replaces the group, as its family needs, and names the new one.
      expect(id17).toBe(id16);
      expect(group17.Properties.Family).toBe('aurora-postgresql17');
      expect(propsOf(t17).DBClusterIdentifier).toEqual(propsOf(t16).DBClusterIdentifier);
    });

    test('a cluster kept by its removal policy keeps the group it uses, and the directory\'s role', () => {
      const t = restore({ engineVersion: '16.4', parameters: { a: 'b' }, domain: 'd-1234567890', removalPolicy: RemovalPolicy.RETAIN }).template();
      expect(groupOf(t, 'AWS::RDS::DBClusterParameterGroup')[0][1]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      const roles = Object.values(t.findResources('AWS::IAM::Role')).filter((r: any) => JSON.stringify(r).includes('AmazonRDSDirectoryServiceAccess'));
      expect(roles).toEqual([expect.objectContaining({ DeletionPolicy: 'Retain' })]);
      const neptune = restore({ engine: ClusterEngine.NEPTUNE, engineVersion: '1.3.2.1', parameters: { a: 'b' }, removalPolicy: RemovalPolicy.RETAIN }).template();
      expect(groupOf(neptune, 'AWS::Neptune::DBClusterParameterGroup')[0][1]).toMatchObject({ DeletionPolicy: 'Retain' });
      expect(groupOf(restore({ engineVersion: '16.4', parameters: { a: 'b' } }).template(), 'AWS::RDS::DBClusterParameterGroup')[0][1]).toMatchObject({ DeletionPolicy: 'Delete' });
    });

    test('without a literal engineVersion, or with a parameter group too, it is refused at synth', () => {
      expect(() => restore({ parameters: { a: 'b' } })).toThrow(
        'Invalid parameters {"a":"b"}: the parameter group it makes is of the engine version\'s family, so it needs engineVersion as a literal');
      const stack = newStack();
      expect(() => restore({ engineVersion: '16.4', parameters: { a: 'b' }, parameterGroup: rds.ParameterGroup.fromParameterGroupName(stack, 'Pg', 'tuned') }, stack))
        .toThrow('Invalid parameters {"a":"b"}: parameterGroup is given too; give one of them (parameters makes a parameter group)');
      expect(() => restore({ engineVersion: '16.4', parameters: { a: 'b' }, clusterParameterGroupName: 'tuned' }))
        .toThrow(/Invalid parameters .*: clusterParameterGroupName is given too/);
    });
  });

  test('an engine upgrade and the newer settings change in place: same identifier, same wait', () => {
    const ids = (props: Partial<PointInTimeRestoredClusterProps>) => {
      const t = restore(props).template();
      return { cluster: propsOf(t).DBClusterIdentifier, handle: Object.keys(t.findResources('AWS::CloudFormation::WaitConditionHandle')) };
    };
    const before = ids({});
    expect(ids({
      engineVersion: '16.6',
      allowMajorVersionUpgrade: true,
      autoMinorVersionUpgrade: false,
      enableLocalWriteForwarding: true,
      enableDataApi: true,
      databaseInsightsMode: DatabaseInsightsMode.ADVANCED,
      performanceInsightRetention: rds.PerformanceInsightRetention.MONTHS_15,
    })).toEqual(before);
  });

  test('copyTagsToSnapshot defaults to true, as aws-rds; nothing else is sent unless given', () => {
    const props = propsOf(restore().template());
    expect(props.CopyTagsToSnapshot).toBe(true);
    for (const key of ['StorageType', 'BackupRetentionPeriod', 'EnablePerformanceInsights', 'ManageMasterUserPassword', 'ServerlessV2ScalingConfiguration']) {
      expect(props[key]).toBeUndefined();
    }
  });

  test('a change of settings changes the cluster in place: same identifier, same wait', () => {
    const ids = (props: Partial<PointInTimeRestoredClusterProps>) => {
      const t = restore(props).template();
      return { cluster: propsOf(t).DBClusterIdentifier, handle: Object.keys(t.findResources('AWS::CloudFormation::WaitConditionHandle')) };
    };
    const before = ids({});
    const changed = { backup: { retention: Duration.days(30) }, storageType: rds.DBClusterStorageType.AURORA_IOPT1, manageMasterUserPassword: true };
    expect(ids(changed)).toEqual(before);
    // A setting that was a restore input once still names the cluster, so that upgrades rename nothing; the
    // handler changes it in place, and the cluster keeps the name it has (NameDerived).
    expect(ids({ port: 5433 }).cluster).not.toEqual(before.cluster);
    // A new restore is asked for by a new generation, which names a new cluster and a new wait.
    const asked = ids({ restoreGeneration: 1 });
    expect([asked.cluster === before.cluster, asked.handle[0] === before.handle[0]]).toEqual([false, false]);
  });

  test('Neptune names its storage types its own way', () => {
    const t = restore({ engine: ClusterEngine.NEPTUNE, storageType: rds.DBClusterStorageType.AURORA_IOPT1 }).template();
    expect(propsOf(t).StorageType).toBe('iopt1');
    expect(propsOf(restore({ engine: ClusterEngine.NEPTUNE, storageType: rds.DBClusterStorageType.AURORA }).template()).StorageType).toBe('standard');
  });

  test('exported logs are kept for the retention chosen, by aws-cdk-lib\'s LogRetention', () => {
    const t = restore({ cloudwatchLogsExports: ['postgresql'], cloudwatchLogsRetention: logs.RetentionDays.ONE_MONTH }).template();
    t.hasResourceProperties('Custom::LogRetention', {
      LogGroupName: { 'Fn::Join': ['', ['/aws/rds/cluster/', { 'Fn::GetAtt': [Match.stringLikeRegexp('^RestoredRestoreAttributes'), 'DBClusterIdentifier'] }, '/postgresql']] },
      RetentionInDays: 30,
    });
    const neptuneTemplate = restore({ engine: ClusterEngine.NEPTUNE, cloudwatchLogsExports: ['audit'], cloudwatchLogsRetention: logs.RetentionDays.ONE_WEEK }).template();
    neptuneTemplate.hasResourceProperties('Custom::LogRetention', { LogGroupName: { 'Fn::Join': ['', ['/aws/neptune/', Match.anyValue(), '/audit']] } });
  });

  test.each([
    ['serverlessV2MinCapacity', { serverlessV2MinCapacity: 0.7 }, /Invalid serverlessV2MinCapacity 0.7: use 0 to 256 Aurora capacity units, in steps of 0.5/],
    ['serverlessV2MaxCapacity', { serverlessV2MaxCapacity: 0.5 }, /Invalid serverlessV2MaxCapacity 0.5: use 1 to 256 Aurora capacity units/],
    ['max below min', { serverlessV2MinCapacity: 8, serverlessV2MaxCapacity: 4 }, /Invalid serverlessV2MaxCapacity 4: it is below serverlessV2MinCapacity \(8\)/],
    ['Neptune capacity', { engine: ClusterEngine.NEPTUNE, serverlessV2MinCapacity: 0.5 }, /use 1 to 128 Neptune capacity units/],
    ['storageType', { storageType: 'gp3' as rds.DBClusterStorageType }, /Invalid storageType "gp3": use DBClusterStorageType.AURORA or AURORA_IOPT1/],
    ['a log type of another engine', { cloudwatchLogsExports: ['slowquery'] }, /Invalid cloudwatchLogsExports "slowquery": aurora-postgresql exports instance, postgresql, iam-db-auth-error/],
    ['backtrack on PostgreSQL', { backtrackWindow: Duration.hours(1) }, /Invalid backtrackWindow "1 hour": backtracking is an Aurora MySQL feature; the engine is aurora-postgresql/],
    ['backtrack too long', { engine: ClusterEngine.AURORA_MYSQL, backtrackWindow: Duration.hours(73) }, /Invalid backtrackWindow "3 days 1 hour": use whole seconds from 0 to 72 hours/],
    ['backup retention', { backup: { retention: Duration.days(36) } }, /Invalid backup.retention "36 days": use whole days from 1 to 35/],
    ['backup window format', { backup: { retention: Duration.days(1), preferredWindow: '3:00-4:00' } }, /Invalid backup.preferredWindow "3:00-4:00": use hh24:mi-hh24:mi/],
    ['backup window too short', { backup: { retention: Duration.days(1), preferredWindow: '03:00-03:15' } }, /at least 30 minutes/],
    ['maintenance window format', { preferredMaintenanceWindow: 'Sunday 23:45' }, /Invalid preferredMaintenanceWindow "Sunday 23:45": use ddd:hh24:mi-ddd:hh24:mi/],
    ['overlapping windows', { backup: { retention: Duration.days(1), preferredWindow: '23:30-00:30' }, preferredMaintenanceWindow: 'Mon:00:00-Mon:01:00' },
      /Invalid preferredMaintenanceWindow "Mon:00:00-Mon:01:00": it overlaps the backup window 23:30-00:30/],
    ['insights off with a retention', { enablePerformanceInsights: false, performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT }, /Invalid enablePerformanceInsights false/],
    ['monitoring interval', { monitoringInterval: Duration.seconds(20) }, /Invalid monitoringInterval "20 seconds": use one of 0, 1, 5, 10, 15, 30, 60 seconds/],
    ['copy-on-write of retained backups', { sourceClusterIdentifier: undefined, sourceClusterResourceId: 'cluster-ABC', restoreType: RestoreType.COPY_ON_WRITE },
      /Invalid restoreType "copy-on-write": a deleted cluster's retained backups cannot be cloned/],
    ['a source in another region', { sourceClusterIdentifier: 'arn:aws:rds:eu-west-1:123456789012:cluster:orders' },
      /Invalid sourceClusterIdentifier "arn:aws:rds:eu-west-1:123456789012:cluster:orders": the source is in eu-west-1, and a point-in-time restore stays in its region/],
    ['Neptune network type', { engine: ClusterEngine.NEPTUNE, networkType: rds.NetworkType.DUAL }, /Invalid networkType "DUAL": Neptune does not support it/],
    ['Neptune Performance Insights', { engine: ClusterEngine.NEPTUNE, enablePerformanceInsights: true }, /Invalid enablePerformanceInsights true: Neptune does not support it/],
    ['advanced Database Insights without 15 months of retention', { databaseInsightsMode: DatabaseInsightsMode.ADVANCED },
      /Invalid performanceInsightRetention "unset": the advanced databaseInsightsMode keeps Performance Insights data 15 months/],
    ['advanced Database Insights with Performance Insights off', {
      databaseInsightsMode: DatabaseInsightsMode.ADVANCED,
      enablePerformanceInsights: false,
      performanceInsightRetention: rds.PerformanceInsightRetention.MONTHS_15,
    }, /Invalid enablePerformanceInsights false: .*advanced databaseInsightsMode/],
    ['a Database Insights mode RDS does not have', { databaseInsightsMode: 'basic' as DatabaseInsightsMode }, /Invalid databaseInsightsMode "basic": use one of standard, advanced/],
    ['an Aurora PostgreSQL version in Aurora MySQL\'s place', { engine: ClusterEngine.AURORA_MYSQL, engineVersion: '16.4' },
      /Invalid engineVersion "16.4": use an engine version of aurora-mysql, such as 8.0.mysql_aurora.3.08.0/],
    ['a version that is no version', { engineVersion: 'latest' }, /Invalid engineVersion "latest": use an engine version of aurora-postgresql, such as 16.4/],
    ['Neptune cluster-level minor upgrades', { engine: ClusterEngine.NEPTUNE, autoMinorVersionUpgrade: false }, /Invalid autoMinorVersionUpgrade false: Neptune does not support it/],
    ['Neptune write forwarding', { engine: ClusterEngine.NEPTUNE, enableLocalWriteForwarding: true }, /Invalid enableLocalWriteForwarding true: Neptune does not support it/],
    ['Neptune Data API', { engine: ClusterEngine.NEPTUNE, enableDataApi: true }, /Invalid enableDataApi true: Neptune does not support it/],
    ['Neptune Database Insights', { engine: ClusterEngine.NEPTUNE, databaseInsightsMode: DatabaseInsightsMode.STANDARD }, /Invalid databaseInsightsMode "standard": Neptune does not support it/],
  ])('refuses %s at synth, naming the prop and the value', (_what, props, message) => {
    expect(() => restore(props as Partial<PointInTimeRestoredClusterProps>)).toThrow(message);
  });

  test('what has no effect is a synth warning, not an error: aws-rds ignores it too', () => {
    const { stack } = restore({ cloudwatchLogsRetention: logs.RetentionDays.ONE_DAY, monitoringRole: new iam.Role(newStack(), 'R', { assumedBy: new iam.AnyPrincipal() }) });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/cloudwatchLogsRetention has no effect: no logs are exported/),
      expect.stringMatching(/monitoringRole has no effect without monitoringInterval/),
    ]));
  });

  test('windows that do not overlap are fine, across midnight included', () => {
    expect(() => restore({ backup: { retention: Duration.days(1), preferredWindow: '23:30-00:15' }, preferredMaintenanceWindow: 'Mon:01:00-Mon:01:30' })).not.toThrow();
  });
});

describe('a managed master secret after a point-in-time restore', () => {
  test('is asked for in the properties, exposed as secret and on the databaseCluster view, with the grants RDS needs', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'SecretKey');
    const { cluster, template } = restore({ manageMasterUserPassword: true, masterUserSecretKey: key }, stack);
    const t = template();
    expect(propsOf(t)).toMatchObject({ ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^SecretKey/), 'Arn'] } });
    expect(stack.resolve(cluster.secret!.secretArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RestoredRestoreAttributes/), 'MasterUserSecretArn'] });
    expect(secretOf(cluster.databaseCluster!)).toBe(cluster.secret);
    const secretActions = handlerStatements(t).flatMap((st: any) => [st.Action].flat()).filter((a: string) => a.startsWith('secretsmanager:'));
    expect(secretActions.sort()).toEqual(['secretsmanager:CreateSecret', 'secretsmanager:RotateSecret', 'secretsmanager:TagResource']);
    // No password anywhere.
    expect(JSON.stringify(t.toJSON())).not.toMatch(/"MasterUserPassword"/);
  });

  test('a key alone implies the managed password; without either there is no secret', () => {
    const stack = newStack();
    expect(propsOf(restore({ masterUserSecretKey: new kms.Key(stack, 'K') }, stack).template()).ManageMasterUserPassword).toBe(true);
    const { cluster } = restore();
    expect(cluster.secret).toBeUndefined();
    expect(secretOf(cluster.databaseCluster!)).toBeUndefined();
  });

  test('Neptune has no managed password; a key with the password turned off is a contradiction', () => {
    expect(() => restore({ engine: ClusterEngine.NEPTUNE, manageMasterUserPassword: true })).toThrow(/Invalid manageMasterUserPassword true: Neptune does not support it/);
    const stack = newStack();
    expect(() => restore({ manageMasterUserPassword: false, masterUserSecretKey: new kms.Key(stack, 'K') }, stack)).toThrow(/Invalid masterUserSecretKey "set": .*manageMasterUserPassword is false/);
  });
});

describe('sources the peers accept', () => {
  const SHARED = 'arn:aws:rds:us-east-1:210987654321:cluster:orders';

  test('a cluster shared from another account, by ARN, as a clone: IAM names that ARN', () => {
    const t = restore({ sourceClusterIdentifier: SHARED, restoreType: RestoreType.COPY_ON_WRITE }).template();
    expect(propsOf(t).SourceDBClusterIdentifier).toBe(SHARED);
    const restoreStatement = handlerStatements(t).find((s) => [s.Action].flat().includes('rds:RestoreDBClusterToPointInTime'));
    expect(restoreStatement.Resource).toContain(SHARED);
  });

  test.each([
    [{ sourceClusterIdentifier: SHARED }, /Invalid restoreType "full-copy": the source is in account 210987654321, and a cluster of another account can only be cloned/],
    [{ sourceClusterIdentifier: 'arn:aws:rds:us-east-1:123456789012:db:orders' }, /an ARN here names a DB cluster: arn:aws:rds:<region>:<account>:cluster:<identifier>/],
    [{ engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: SHARED, restoreType: RestoreType.COPY_ON_WRITE }, /Neptune restores from a cluster of this account/],
    [{ sourceClusterIdentifier: undefined }, /Invalid sourceClusterIdentifier null: give either sourceClusterIdentifier .* or sourceClusterResourceId/],
    [{ sourceClusterResourceId: 'cluster-ABC' }, /and only one/],
    [{ sourceClusterIdentifier: undefined, sourceClusterResourceId: 'db-ABC' }, /Invalid sourceClusterResourceId "db-ABC"/],
    [{ engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: undefined, sourceClusterResourceId: 'cluster-ABC' }, /Neptune keeps no backups of a deleted cluster/],
  ])('refuses source %#', (props, message) => {
    expect(() => restore(props as Partial<PointInTimeRestoredClusterProps>)).toThrow(message);
  });

  test('a deleted cluster by resource id: restored from its retained backups, which the handler may read', () => {
    const t = restore({ sourceClusterIdentifier: undefined, sourceClusterResourceId: 'cluster-KNRI5FZIPRSPUO4KGX6JVVIZRA' }).template();
    expect(propsOf(t)).toMatchObject({ SourceDbClusterResourceId: 'cluster-KNRI5FZIPRSPUO4KGX6JVVIZRA' });
    expect(propsOf(t).SourceDBClusterIdentifier).toBeUndefined();
    expect(handlerStatements(t)).toContainEqual(expect.objectContaining({
      Action: 'rds:DescribeDBClusterAutomatedBackups',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:us-east-1:123456789012:cluster-auto-backup:*']] },
    }));
  });
});

describe('S3ImportedAuroraCluster: the same settings', () => {
  test('takes aws-rds\'s parameter group as parameterGroup, one made in the app by reference', () => {
    const stack = newStack();
    const parameterGroup = new rds.ParameterGroup(stack, 'Tuned', {
      engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 }), parameters: { aurora_binlog_replication_max_yield_seconds: '0' },
    });
    expect(propsOf(importFromS3({ parameterGroup }, stack).template(), 'Custom::S3ImportedAuroraCluster'))
      .toMatchObject({ DBClusterParameterGroupName: { Ref: expect.stringMatching(/^Tuned/) } });
  });

  test('takes a cluster parameter group, which the handler may use', () => {
    const t = importFromS3({ clusterParameterGroupName: 'my-cluster-params', serverlessV2MaxCapacity: 4 }).template();
    expect(propsOf(t, 'Custom::S3ImportedAuroraCluster')).toMatchObject({
      DBClusterParameterGroupName: 'my-cluster-params', ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 }, ManageMasterUserPassword: true,
    });
    // Parameter groups of the account and region, by pattern, as the import must tag its cluster with the stack.
    const statement = handlerStatements(t).find((s) => [s.Action].flat().includes('rds:RestoreDBClusterFromS3'));
    expect(JSON.stringify(statement.Resource)).toMatch(/cluster-pg:\*/);
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:RequestTag/cdk-restore-constructs:stack': { Ref: 'AWS::StackId' } } });
  });

  test('allowMajorVersionUpgrade has no effect, and says so: the import keeps the backup\'s major version', () => {
    const { stack } = importFromS3({ allowMajorVersionUpgrade: true });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toContainEqual(expect.stringMatching(/allowMajorVersionUpgrade has no effect on an S3 import/));
  });

  test('backup.retention changes in place; the deprecated backupRetention still names the cluster, as it always has', () => {
    const name = (props: Partial<S3ImportedAuroraClusterProps>) => propsOf(importFromS3(props).template(), 'Custom::S3ImportedAuroraCluster').DBClusterIdentifier;
    const plain = name({});
    expect(name({ backup: { retention: Duration.days(7) } })).toBe(plain);
    expect(name({ backupRetention: Duration.days(7) })).not.toBe(plain);
    expect(() => importFromS3({ backupRetention: Duration.days(7), backup: { retention: Duration.days(7) } }))
      .toThrow(/Invalid backupRetention "7 days": give backup.retention or the deprecated backupRetention, not both/);
  });

  test('writer and readers work as for a point-in-time restore', () => {
    const { cluster, template } = importFromS3({ writer: rds.ClusterInstance.serverlessV2('Writer') });
    template().hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', Engine: 'aurora-mysql', PromotionTier: 0, PubliclyAccessible: false });
    expect(cluster.databaseCluster.instanceIdentifiers).toHaveLength(1);
    expect(secretOf(cluster.databaseCluster)).toBe(cluster.secret);
  });
});
