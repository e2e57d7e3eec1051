import { App, CfnParameter, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import {
  ClusterEngine, PointInTimeRestoredCluster, PointInTimeRestoredClusterProps, RestorePoint, RestoreType,
} from '../lib';

const RESOURCE_TYPE = 'Custom::PointInTimeRestoredCluster';

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
}

function synth(props: Partial<PointInTimeRestoredClusterProps> = {}, stack = newStack()) {
  const cluster = new PointInTimeRestoredCluster(stack, 'Restored', {
    engine: ClusterEngine.NEPTUNE,
    sourceClusterIdentifier: 'prod-graph',
    ...props,
  });
  return { stack, cluster, template: () => Template.fromStack(stack) };
}

function restoreProps(template: Template): Record<string, any> {
  const resources = template.findResources(RESOURCE_TYPE);
  const [only] = Object.values(resources);
  return only.Properties;
}

function handlerStatements(template: Template): any[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([logicalId]) => logicalId.startsWith('CdkRestoreConstructsProviderHandlerRole'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('PointInTimeRestoredCluster: the restore request', () => {
  test('passes the source, restore point, type and every option to the custom resource', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const { template } = synth({
      restorePoint: RestorePoint.at(new Date('2026-11-20T23:45:00Z')),
      clusterIdentifier: 'graph-restored',
      subnetGroupName: 'my-subnets',
      port: 8182,
      storageEncryptionKey: key,
      iamAuthentication: true,
      deletionProtection: false,
      clusterParameterGroupName: 'my-params',
      timeout: Duration.minutes(45),
    }, stack);
    const props = restoreProps(template());
    expect(props).toMatchObject({
      Engine: 'neptune',
      SourceDBClusterIdentifier: 'prod-graph',
      DBClusterIdentifier: 'graph-restored',
      RestoreToTime: '2026-11-20T23:45:00.000Z',
      RestoreType: 'full-copy',
      DBSubnetGroupName: 'my-subnets',
      Port: 8182,
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: false,
      DBClusterParameterGroupName: 'my-params',
      RemovalPolicy: 'snapshot',
      TimeoutSeconds: 2700,
    });
    expect(props.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
  });

  test('an Aurora restore takes an option group', () => {
    const props = restoreProps(synth({ engine: ClusterEngine.AURORA_MYSQL, optionGroupName: 'my-options' }).template());
    expect(props).toMatchObject({ Engine: 'aurora-mysql', OptionGroupName: 'my-options' });
  });

  // aws-rds's types, as DatabaseCluster takes them; the names are their deprecated forms.
  test('parameterGroup and optionGroup take aws-rds\'s groups: one made in the app is referenced, one by name gives its name', () => {
    const stack = newStack();
    const parameterGroup = new rds.ParameterGroup(stack, 'Tuned', {
      engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 }), parameters: { innodb_print_all_deadlocks: '1' },
    });
    const optionGroup = rds.OptionGroup.fromOptionGroupName(stack, 'Options', 'my-options');
    const t = synth({ engine: ClusterEngine.AURORA_MYSQL, parameterGroup, optionGroup }, stack).template();
    expect(restoreProps(t)).toMatchObject({ DBClusterParameterGroupName: { Ref: expect.stringMatching(/^Tuned/) }, OptionGroupName: 'my-options' });
    t.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', { Parameters: { innodb_print_all_deadlocks: '1' } });
  });

  test('a group by name through parameterGroup is the same restore as clusterParameterGroupName: no logical id or property moves', () => {
    const byName = synth({ clusterParameterGroupName: 'my-params' }).template().toJSON();
    const stack = newStack();
    const byObject = synth({ parameterGroup: rds.ParameterGroup.fromParameterGroupName(stack, 'Params', 'my-params') }, stack).template().toJSON();
    expect(Object.keys(byObject.Resources).sort()).toEqual(Object.keys(byName.Resources).sort());
    const restore = (tpl: any) => Object.values<any>(tpl.Resources).find((r) => r.Type === RESOURCE_TYPE).Properties;
    expect(restore(byObject)).toEqual(restore(byName));
  });

  test.each([
    [{ parameterGroup: 'P', clusterParameterGroupName: 'my-params' }, /Invalid clusterParameterGroupName "my-params": parameterGroup is given too; give parameterGroup alone/],
    [{ optionGroup: 'O', optionGroupName: 'my-options', engine: ClusterEngine.AURORA_MYSQL }, /Invalid optionGroupName "my-options": optionGroup is given too/],
    [{ optionGroup: 'O' }, /Invalid optionGroup "my-options": Neptune does not support option groups/],
  ])('%j is refused, naming the prop', (given: Record<string, any>, message) => {
    const stack = newStack();
    const objects: Record<string, unknown> = {
      ...(given.parameterGroup ? { parameterGroup: rds.ParameterGroup.fromParameterGroupName(stack, 'Params', 'tuned') } : {}),
      ...(given.optionGroup ? { optionGroup: rds.OptionGroup.fromOptionGroupName(stack, 'Options', 'my-options') } : {}),
    };
    const { parameterGroup: _p, optionGroup: _o, ...names } = given;
    expect(() => synth({ ...names, ...objects }, stack)).toThrow(message);
  });

  // The Neptune API model (botocore 1.43) lists copy-on-write for RestoreType: Neptune fast clones.
  test.each([ClusterEngine.NEPTUNE, ClusterEngine.AURORA_POSTGRESQL])('%s: a copy-on-write clone of the latest restorable time', (engine) => {
    const props = restoreProps(synth({ engine, restoreType: RestoreType.COPY_ON_WRITE, restorePoint: RestorePoint.latest() }).template());
    expect(props).toMatchObject({ Engine: engine, RestoreType: 'copy-on-write' });
    expect(props.RestoreToTime).toBeUndefined();
  });

  test('defaults: latest restorable time, full copy, three hours, snapshot on delete, one r6g.large instance', () => {
    const { template } = synth();
    const t = template();
    const props = restoreProps(t);
    expect(props.RestoreToTime).toBeUndefined();
    expect(props.RestoreType).toBe('full-copy');
    expect(props.TimeoutSeconds).toBe(10800);
    expect(props.RemovalPolicy).toBe('snapshot');
    t.resourceCountIs('AWS::Neptune::DBInstance', 1);
    t.hasResourceProperties('AWS::Neptune::DBInstance', {
      DBInstanceClass: 'db.r6g.large',
      DBClusterIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RestoredRestoreAttributes'), 'DBClusterIdentifier'] },
    });
  });

  // Issue 13, row 6: RETAIN used to reach the cluster only; deleting the stack then deleted the instances
  // and failed on a subnet group the retained cluster still used.
  test.each([
    [RemovalPolicy.RETAIN, 'Retain'],
    [RemovalPolicy.SNAPSHOT, 'Delete'],
    [RemovalPolicy.DESTROY, 'Delete'],
  ])('removal policy %s: the instances, subnet group and security group get DeletionPolicy %s', (removalPolicy, deletionPolicy) => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const t = synth({ removalPolicy, vpc, instances: 2 }, stack).template();
    for (const type of ['AWS::Neptune::DBInstance', 'AWS::RDS::DBSubnetGroup', 'AWS::EC2::SecurityGroup']) {
      const resources = Object.entries(t.findResources(type)).filter(([id]) => id.startsWith('Restored'));
      expect(resources.length).toBeGreaterThan(0);
      expect(resources.map(([id, r]) => [id, r.DeletionPolicy, r.UpdateReplacePolicy]))
        .toEqual(resources.map(([id]) => [id, deletionPolicy, deletionPolicy]));
    }
  });

  test.each([
    [RemovalPolicy.SNAPSHOT, 'snapshot'],
    [RemovalPolicy.DESTROY, 'destroy'],
    [RemovalPolicy.RETAIN, 'retain'],
  ])('removal policy %s reaches the handler as %s', (policy, wire) => {
    expect(restoreProps(synth({ removalPolicy: policy }).template()).RemovalPolicy).toBe(wire);
  });

  test('the default identifier is valid, stable for the same inputs and new for other inputs', () => {
    const a = restoreProps(synth().template()).DBClusterIdentifier;
    const again = restoreProps(synth().template()).DBClusterIdentifier;
    const moved = restoreProps(synth({ restorePoint: RestorePoint.at(new Date('2026-01-01T00:00:00Z')) }).template()).DBClusterIdentifier;
    expect(a).toMatch(/^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/);
    expect(a).toBe(again);
    expect(moved).not.toBe(a);
  });

  test('deletion protection, removal policy and timeout do not change the default identifier: they change in place', () => {
    const a = restoreProps(synth().template()).DBClusterIdentifier;
    const changed = synth({ deletionProtection: true, removalPolicy: RemovalPolicy.RETAIN, timeout: Duration.minutes(20) });
    const b = restoreProps(changed.template()).DBClusterIdentifier;
    expect(b).toBe(a);
  });

  test('a given identifier is stored in lowercase, as RDS stores it', () => {
    const props = restoreProps(synth({ clusterIdentifier: 'Graph-Restored' }).template());
    expect(props.DBClusterIdentifier).toBe('graph-restored');
  });

  test('the default identifier of a deeply nested construct still fits 63 characters', () => {
    const stack = newStack();
    let scope: Construct = stack;
    for (let i = 0; i < 8; i++) scope = new Construct(scope, `AVeryLongConstructIdNumber${i}`);
    const cluster = new PointInTimeRestoredCluster(scope, 'Restored', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'src' });
    const id = restoreProps(Template.fromStack(stack)).DBClusterIdentifier;
    expect(id.length).toBeLessThanOrEqual(63);
    expect(id).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
    expect(cluster.instanceIdentifiers).toHaveLength(1);
  });

  test('Aurora engines get RDS instances with the engine, the writer first', () => {
    const instanceType = ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.XLARGE);
    const { template } = synth({ engine: ClusterEngine.AURORA_MYSQL, instances: 3, instanceType });
    const t = template();
    t.resourceCountIs('AWS::RDS::DBInstance', 3);
    t.resourceCountIs('AWS::Neptune::DBInstance', 0);
    t.hasResourceProperties('AWS::RDS::DBInstance', { Engine: 'aurora-mysql', DBInstanceClass: 'db.r6g.xlarge' });
    const instances = t.findResources('AWS::RDS::DBInstance');
    const writer = Object.keys(instances).find((k) => k.startsWith('RestoredInstance1'))!;
    const replicas = Object.entries(instances).filter(([k]) => k !== writer);
    for (const [, replica] of replicas) expect(replica.DependsOn).toContain(writer);
  });

  test('zero instances restores the cluster alone', () => {
    const { template, cluster } = synth({ instances: 0 });
    template().resourceCountIs('AWS::Neptune::DBInstance', 0);
    expect(cluster.instanceIdentifiers).toEqual([]);
  });

  test('copy-on-write is passed for Aurora at the latest restorable time', () => {
    const props = restoreProps(synth({ engine: ClusterEngine.AURORA_POSTGRESQL, restoreType: RestoreType.COPY_ON_WRITE }).template());
    expect(props.RestoreType).toBe('copy-on-write');
    expect(props.Engine).toBe('aurora-postgresql');
  });
});

describe('PointInTimeRestoredCluster: networking', () => {
  test('with a vpc: a subnet group and a security group are created and passed to the restore', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const { template, cluster } = synth({ vpc }, stack);
    const t = template();
    t.resourceCountIs('AWS::RDS::DBSubnetGroup', 1);
    const props = restoreProps(t);
    expect(props.DBSubnetGroupName).toEqual({ Ref: expect.stringMatching(/^RestoredSubnetGroup/) });
    expect(props.VpcSecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^RestoredSecurityGroup/), 'GroupId'] }]);
    expect(cluster.connections.securityGroups).toHaveLength(1);
  });

  test('allowDefaultPortFrom opens the port the handler reports', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const { cluster, template } = synth({ vpc }, stack);
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc });
    cluster.connections.allowDefaultPortFrom(client);
    template().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RestoredRestore'), 'Port'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Client'), 'GroupId'] },
    });
  });

  test.each<[string, (c: any, client: ec2.SecurityGroup) => void]>([
    ['allowDefaultPortFrom', (c, client) => c.connections.allowDefaultPortFrom(client)],
    ['allowFrom', (c, client) => c.connections.allowFrom(client, ec2.Port.tcp(3306))],
    ['allowTo', (c, client) => c.connections.allowTo(client, ec2.Port.allTraffic())],
    ['allowDefaultPortFromAnyIpv4', (c) => c.connections.allowDefaultPortFromAnyIpv4()],
  ])('without vpc or securityGroups, connections.%s fails at synth saying why, instead of adding nothing', (method, use) => {
    const stack = newStack();
    const { cluster } = synth({}, stack);
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc: new ec2.Vpc(stack, 'Vpc') });
    expect(() => use(cluster, client)).toThrow(`Invalid use of connections on TestStack/Restored (${method}, called by the app or by a construct it gave the cluster to): `
      + 'the restored cluster has no security group this app manages');
    expect(() => use(cluster, client)).toThrow(/Give vpc \(a security group is made for the cluster\) or securityGroups/);
  });

  test('the same for a rule another construct adds toward the cluster, a group added to it, an empty securityGroups, and the rds view', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const client = new ec2.SecurityGroup(stack, 'Client', { vpc });
    const { cluster } = synth({}, stack);
    expect(() => client.connections.allowTo(cluster, ec2.Port.tcp(8182))).toThrow(/^Invalid use of connections on TestStack\/Restored \(allowFrom, called by the app or by a construct/);
    expect(() => cluster.connections.addSecurityGroup(client)).toThrow(/\(addSecurityGroup, /);
    const empty = new PointInTimeRestoredCluster(stack, 'Empty', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod-graph', vpc, securityGroups: [] });
    expect(() => empty.connections.allowDefaultPortFrom(client)).toThrow(/securityGroups is missing or empty/);
    const aurora = new PointInTimeRestoredCluster(stack, 'Aurora', { engine: ClusterEngine.AURORA_POSTGRESQL, sourceClusterIdentifier: 'prod-orders' });
    // An rds.DatabaseProxy opens the cluster's port through the view's connections, as any aws-rds construct would.
    expect(() => aurora.databaseCluster!.connections.allowDefaultPortFrom(client)).toThrow(/^Invalid use of connections on TestStack\/Aurora \(allowDefaultPortFrom/);
  });

  test('without vpc, given security groups make connections work', () => {
    const stack = newStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Mine', 'sg-0123456789abcdef0');
    const { cluster, template } = synth({ subnetGroupName: 'existing-subnets', securityGroups: [sg] }, stack);
    cluster.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.0.0/16'));
    template().hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', CidrIp: '10.0.0.0/16' });
  });

  test('given security groups are used instead of a new one', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const sg = new ec2.SecurityGroup(stack, 'Mine', { vpc });
    const { template } = synth({ vpc, securityGroups: [sg] }, stack);
    const t = template();
    expect(restoreProps(t).VpcSecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Mine/), 'GroupId'] }]);
    expect(Object.keys(t.findResources('AWS::EC2::SecurityGroup'))).toHaveLength(1);
  });
});

describe('PointInTimeRestoredCluster: attributes and integrations', () => {
  test('attributes come from the custom resource', () => {
    const { stack, cluster } = synth();
    const resolve = (v: unknown) => stack.resolve(v);
    expect(resolve(cluster.clusterIdentifier)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RestoredRestoreAttributes/), 'DBClusterIdentifier'] });
    expect(resolve(cluster.clusterArn)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'DBClusterArn'] });
    expect(resolve(cluster.clusterResourceId)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'DbClusterResourceId'] });
    expect(resolve(cluster.clusterEndpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Endpoint'] });
    expect(resolve(cluster.clusterReadEndpoint.hostname)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'ReaderEndpoint'] });
    expect(JSON.stringify(resolve(cluster.clusterEndpoint.socketAddress))).toContain('Port');
    expect(cluster.databaseCluster).toBeUndefined();
  });

  test('Aurora offers an rds.IDatabaseCluster view: grantConnect and metrics work', () => {
    const { stack, cluster, template } = synth({ engine: ClusterEngine.AURORA_MYSQL });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    cluster.databaseCluster!.grantConnect(role, 'app_user');
    const metric = cluster.databaseCluster!.metricCPUUtilization();
    expect(stack.resolve(metric.dimensions)).toEqual({ DBClusterIdentifier: { 'Fn::GetAtt': [expect.any(String), 'DBClusterIdentifier'] } });
    const statement = template().findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^App') }] } });
    const doc = JSON.stringify(Object.values(statement)[0]);
    expect(doc).toContain('rds-db:connect');
    expect(doc).toContain('DbClusterResourceId');
  });

  test('the view knows each instance: its identifier and its endpoint, writer first', () => {
    const { stack, cluster } = synth({ engine: ClusterEngine.AURORA_POSTGRESQL, instances: 2 });
    const view = cluster.databaseCluster!;
    expect(stack.resolve(view.instanceIdentifiers)).toEqual([{ Ref: expect.stringMatching(/^RestoredInstance1/) }, { Ref: expect.stringMatching(/^RestoredInstance2/) }]);
    expect(stack.resolve(view.instanceEndpoints.map((e) => e.hostname))).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^RestoredInstance1/), 'Endpoint.Address'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^RestoredInstance2/), 'Endpoint.Address'] },
    ]);
  });

  test('tags from Tags.of reach the restore request', () => {
    const { stack, template } = synth();
    Tags.of(stack).add('team', 'graph');
    expect(restoreProps(template()).Tags).toEqual([{ Key: 'team', Value: 'graph' }]);
  });
});

describe('PointInTimeRestoredCluster: the shared provider', () => {
  function lambdaCount(restores: number): number {
    const stack = newStack();
    for (let i = 0; i < restores; i++) {
      new PointInTimeRestoredCluster(stack, `Restored${i}`, {
        engine: i % 2 ? ClusterEngine.AURORA_MYSQL : ClusterEngine.NEPTUNE,
        sourceClusterIdentifier: `source-${i}`,
      });
    }
    return Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function')).length;
  }

  test('one restore and twenty restores synthesize the same number of Lambda functions', () => {
    const one = lambdaCount(1);
    expect(one).toBeGreaterThan(0);
    expect(lambdaCount(20)).toBe(one);
  });

  test('the handlers run on the newest Node.js runtime aws-cdk-lib offers, from the bundled asset', () => {
    const major = (name: string) => Number(/^nodejs(\d+)\.x$/.exec(name)?.[1] ?? 0);
    const newest = lambda.Runtime.ALL.map((r) => r.name).filter((name) => major(name) > 0).sort((a, b) => major(b) - major(a))[0];
    expect(major(newest)).toBeGreaterThanOrEqual(22);
    const t = synth().template();
    for (const handler of ['index.onEvent', 'index.isComplete', 'index.poll']) t.hasResourceProperties('AWS::Lambda::Function', { Handler: handler, Runtime: newest });
  });

  test('the custom resource waits for the handler policy', () => {
    const t = synth().template();
    const [resource] = Object.values(t.findResources(RESOURCE_TYPE));
    expect(resource.DependsOn.some((d: string) => d.startsWith('CdkRestoreConstructsProviderHandlerRoleDefaultPolicy'))).toBe(true);
  });
});

describe('PointInTimeRestoredCluster: waiting up to 12 hours', () => {
  function waitParts(template: Template) {
    const handles = Object.keys(template.findResources('AWS::CloudFormation::WaitConditionHandle'));
    const conditions = template.findResources('AWS::CloudFormation::WaitCondition');
    return { handles, conditions, conditionIds: Object.keys(conditions) };
  }

  test.each([Duration.minutes(5), Duration.hours(3), Duration.hours(12)])('the wait condition\'s Timeout equals a timeout of %s', (timeout) => {
    const { conditions } = waitParts(synth({ timeout }).template());
    const [condition] = Object.values(conditions);
    expect(condition.Properties).toEqual({ Handle: { Ref: expect.stringMatching(/^RestoredRestoreWaitHandle/) }, Timeout: String(timeout.toSeconds()), Count: 1 });
  });

  test('the wait condition comes after the restore, and the attributes after the wait condition', () => {
    const t = synth().template();
    const { conditions, conditionIds } = waitParts(t);
    const [restoreId] = Object.keys(t.findResources(RESOURCE_TYPE));
    expect(Object.values(conditions)[0].DependsOn).toContain(restoreId);
    const [attributes] = Object.values(t.findResources('Custom::RestoredResourceAttributes'));
    expect(attributes.Properties.WaitData).toEqual({ 'Fn::GetAtt': [conditionIds[0], 'Data'] });
    expect(attributes.Properties.RestoredId).toEqual({ Ref: restoreId });
    expect(attributes.Properties.RestoreResourceType).toBe(RESOURCE_TYPE);
  });

  test('a change of restore input makes a new handle and wait condition; a tag change does not', () => {
    const before = waitParts(synth().template());
    const moved = waitParts(synth({ restorePoint: RestorePoint.at(new Date('2026-11-01T00:00:00Z')) }).template());
    const longer = waitParts(synth({ timeout: Duration.hours(6) }).template());
    const tagged = synth();
    Tags.of(tagged.stack).add('team', 'graph');
    const retagged = waitParts(tagged.template());
    expect(moved.handles).not.toEqual(before.handles);
    expect(moved.conditionIds).not.toEqual(before.conditionIds);
    expect(longer.handles).not.toEqual(before.handles);
    expect(retagged.handles).toEqual(before.handles);
    expect(retagged.conditionIds).toEqual(before.conditionIds);
    // What the handler changes in place (the contract's one list) starts no new wait either.
    const protectedOne = waitParts(synth({ deletionProtection: true, removalPolicy: RemovalPolicy.RETAIN }).template());
    expect(protectedOne.handles).toEqual(before.handles);
  });

  // Issue 13, row 9: the handle's URL is presigned. A Ref would put it in the custom resource's properties,
  // which the provider framework logs and passes through its waiter's execution input.
  test('the restore resource names its handle, comes after it, and never holds its URL', () => {
    const t = synth().template();
    const { handles } = waitParts(t);
    const [resource] = Object.values(t.findResources(RESOURCE_TYPE));
    expect(resource.Properties.WaitHandle).toBe(handles[0]);
    expect(resource.DependsOn).toContain(handles[0]);
    expect(JSON.stringify(resource.Properties)).not.toContain('"Ref":"RestoredRestoreWaitHandle');
    // The handler looks the URL up, in this stack only, when it signals.
    // It reads the stack's status, in this stack only, to tell a rollback's Update, and its resources, to tell a repeated restore.
    expect(handlerStatements(t)).toContainEqual({
      Action: ['cloudformation:DescribeStackResource', 'cloudformation:DescribeStacks', 'cloudformation:ListStackResources', 'cloudformation:DescribeStackEvents'],
      Effect: 'Allow',
      Resource: { Ref: 'AWS::StackId' },
    });
  });

  test('the attributes resource holds what names the restored cluster, none of the restore\'s inputs', () => {
    const t = synth({ timeout: Duration.hours(6) }).template();
    const [attributes] = Object.values(t.findResources('Custom::RestoredResourceAttributes'));
    expect(Object.keys(attributes.Properties).sort()).toEqual(['Engine', 'RestoreResourceType', 'RestoredId', 'Revision', 'ServiceToken', 'WaitData']);
    // The wait condition's data: the poller's signal, which carries the recovery time.
    expect(attributes.Properties.WaitData).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RestoredRestoreWait[0-9A-F]{8}/), 'Data'] });
    expect(attributes.Properties.Engine).toBe('neptune');
    // A hash of the in-place settings, not the settings: their change (a managed secret turned on) re-reads the attributes.
    expect(attributes.Properties.Revision).toMatch(/^[0-9a-f]{8}$/);
  });

  // Issue 13, row 8: a handle's URL is valid for about a day from the handle's creation. A handle made at
  // stack start could expire while the restore it serves still waits for the restore it is made from.
  test('a restore of another restore\'s cluster gets its wait handle only once that cluster has been read', () => {
    const stack = newStack();
    const first = new PointInTimeRestoredCluster(stack, 'First', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod-graph' });
    const second = new PointInTimeRestoredCluster(stack, 'Second', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: first.clusterIdentifier });
    const unrelated = new iam.Role(stack, 'Unrelated', { assumedBy: new iam.AccountRootPrincipal() });
    second.node.addDependency(unrelated);
    const t = Template.fromStack(stack);
    const handles = t.findResources('AWS::CloudFormation::WaitConditionHandle');
    const secondHandle = Object.entries(handles).find(([id]) => id.startsWith('SecondRestoreWaitHandle'))![1];
    const firstHandle = Object.entries(handles).find(([id]) => id.startsWith('FirstRestoreWaitHandle'))![1];
    const firstAttributes = Object.keys(t.findResources('Custom::RestoredResourceAttributes')).find((id) => id.startsWith('FirstRestoreAttributes'));
    expect(secondHandle.DependsOn).toEqual(expect.arrayContaining([firstAttributes, expect.stringMatching(/^Unrelated/)]));
    expect(firstHandle.DependsOn).toBeUndefined();
    // The handler's statements name this account's clusters by pattern, so none names the first restore's
    // cluster and the shared policy waits for no restore (a cycle; the template above would not load).
    expect(JSON.stringify(handlerStatements(t))).not.toContain('FirstRestoreAttributes');
  });

  test('a statement that names what another restore made is that restore\'s own policy, so the shared one waits for no restore', () => {
    const stack = newStack();
    const first = new PointInTimeRestoredCluster(stack, 'First', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod-graph' });
    const second = new PointInTimeRestoredCluster(stack, 'Second', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod-graph' });
    (second as unknown as { _restore: { addToHandlerPolicy(s: iam.PolicyStatement): void } })._restore.addToHandlerPolicy(
      new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: [first.clusterArn] }));
    const t = Template.fromStack(stack);
    const policies = Object.keys(t.findResources('AWS::IAM::Policy'));
    const secondPolicy = policies.find((id) => id.startsWith('SecondRestoreHandlerPolicy'));
    expect(secondPolicy).toBeDefined();
    const [secondRestore] = Object.entries(t.findResources(RESOURCE_TYPE)).filter(([id]) => id.startsWith('SecondRestore')).map(([, r]) => r);
    expect(secondRestore.DependsOn).toContain(secondPolicy);
  });

  // The references are told apart by their targets, not by logical id: the same construct path in two
  // stacks gives the same logical id, and matching by it made a handle depend on its own restore (a cycle).
  test('a restore of a cluster restored in another stack: no dependency on its own restore, no cycle', () => {
    const app = new App();
    const env = { account: '123456789012', region: 'us-east-1' };
    const first = new PointInTimeRestoredCluster(new Stack(app, 'First', { env }), 'Cluster', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: 'prod' });
    const secondStack = new Stack(app, 'Second', { env });
    new PointInTimeRestoredCluster(secondStack, 'Cluster', { engine: ClusterEngine.NEPTUNE, sourceClusterIdentifier: first.clusterIdentifier });
    const t = Template.fromStack(secondStack);
    const [handle] = Object.values(t.findResources('AWS::CloudFormation::WaitConditionHandle'));
    expect(handle.DependsOn).toBeUndefined();
    expect(Object.keys(t.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('ClusterRestoreHandlerPolicy'))).toEqual([]);
  });

  test('one polling state machine per stack, whose handler may start, follow and stop only its own executions', () => {
    const stack = newStack();
    synth({}, stack);
    new PointInTimeRestoredCluster(stack, 'Second', { engine: ClusterEngine.AURORA_MYSQL, sourceClusterIdentifier: 'orders' });
    const t = Template.fromStack(stack);
    const machines = Object.keys(t.findResources('AWS::StepFunctions::StateMachine'));
    // Ours, and the provider framework's own waiter (used for deletes and validations).
    expect(machines.filter((m) => m.startsWith('CdkRestoreConstructsProviderPoller'))).toHaveLength(1);
    expect(machines).toHaveLength(2);
    const [policy] = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('PollingPolicy') } }));
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements.find((s: any) => s.Action === 'states:StartExecution').Resource).toEqual({ Ref: expect.stringMatching(/Poller/) });
    const follow = statements.find((s: any) => JSON.stringify(s.Action) === JSON.stringify(['states:StopExecution', 'states:DescribeExecution']));
    expect(JSON.stringify(follow.Resource)).toContain(':execution:');
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Environment: { Variables: { RESTORE_POLLER_STATE_MACHINE_ARN: { Ref: Match.stringLikeRegexp('Poller') } } },
    });
  });
});

describe('PointInTimeRestoredCluster: IAM', () => {
  const onlyThisStack = (key: string) => ({ StringEquals: { [`${key}/cdk-restore-constructs:stack`]: { Ref: 'AWS::StackId' } } });
  const statementWith = (statements: any[], action: string) => statements.filter((s) => [s.Action].flat().includes(action));

  test('a restore must tag its cluster with the stack; changes and deletes need that tag; a key is used only through RDS', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const statements = handlerStatements(synth({ clusterIdentifier: 'graph-restored', storageEncryptionKey: key }, stack).template());
    const [restore] = statementWith(statements, 'rds:RestoreDBClusterToPointInTime');
    expect(restore.Condition).toEqual(onlyThisStack('aws:RequestTag'));
    expect(JSON.stringify(restore.Resource)).toMatch(/:cluster:\*.*:subgrp:\*/);
    for (const action of ['rds:DeleteDBCluster', 'rds:ModifyDBCluster', 'rds:RemoveTagsFromResource']) {
      const onClusters = statementWith(statements, action).filter((s) => JSON.stringify(s.Resource).includes(':cluster:*'));
      expect(onClusters).toEqual([expect.objectContaining({ Condition: onlyThisStack('aws:ResourceTag') })]);
    }
    // Tagging is allowed on a cluster that is the stack's (resource tag), or with the stack's tag on a cluster this
    // stack names (a tag condition alone would let the role claim any cluster by tagging it).
    const tagging = statementWith(statements, 'rds:AddTagsToResource');
    expect(tagging.map((s) => s.Condition)).toEqual(expect.arrayContaining([onlyThisStack('aws:RequestTag'), onlyThisStack('aws:ResourceTag')]));
    const claim = tagging.find((s) => JSON.stringify(s.Condition).includes('aws:RequestTag'));
    expect(JSON.stringify(claim.Resource)).toMatch(/:cluster:graph-restored"/);
    expect(JSON.stringify(claim.Resource)).not.toContain('*');
    // Deleting with a final snapshot is allowed on this stack's final snapshots, named after its cluster.
    const finalSnapshot = statementWith(statements, 'rds:DeleteDBCluster').find((s) => !s.Condition);
    expect([finalSnapshot.Action].flat()).toEqual(['rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource']);
    expect(JSON.stringify(finalSnapshot.Resource)).toContain(':cluster-snapshot:graph-restored-final-*');
    const [grant] = statementWith(statements, 'kms:CreateGrant');
    expect(grant).toMatchObject({
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      Condition: {
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
        StringEquals: { 'kms:ViaService': [{ 'Fn::Join': ['', [expect.stringMatching(/^rds\.[a-z0-9-]+\.$/), { Ref: 'AWS::URLSuffix' }]] }] },
      },
    });
    // Nothing unconditioned changes a cluster; unconditioned deletes and tags name this stack's final snapshots only,
    // and ModifyDBCluster names the groups it may set, the cluster still held to the stack's tag.
    const groups = statements.filter((x) => !x.Condition && x.Action === 'rds:ModifyDBCluster');
    expect(groups.map((x) => JSON.stringify(x.Resource))).toEqual([expect.stringMatching(/:cluster-pg:\*"\]\]\},\{.*:og:\*"\]\]\}\]$/)]);
    for (const s of statements.filter((x) => !x.Condition && !groups.includes(x))) {
      const mutating = [s.Action].flat().filter((a: string) => /rds:(Restore|Delete|Modify|Add|Remove)/.test(a));
      if (mutating.length) expect(JSON.stringify(s.Resource)).toMatch(/^\[?\{[^*]*:cluster-snapshot:graph-restored-final-\*"\]\]\}\]?$/);
    }
  });

  test('twenty restores from twenty sources have the statements of one: the role does not grow', () => {
    const count = (restores: number, named: boolean) => {
      const stack = newStack();
      for (let i = 0; i < restores; i++) {
        new PointInTimeRestoredCluster(stack, `Copy${i}`, {
          engine: ClusterEngine.AURORA_MYSQL, sourceClusterIdentifier: `orders-${i}`, clusterIdentifier: named ? `orders-copy-${i}` : undefined,
        });
      }
      const t = Template.fromStack(stack);
      return { statements: handlerStatements(t).length, managed: Object.keys(t.findResources('AWS::IAM::ManagedPolicy')).length, text: JSON.stringify(handlerStatements(t)) };
    };
    const one = count(1, false);
    const twenty = count(20, false);
    expect(twenty.statements).toBe(one.statements);
    expect(twenty.managed).toBe(0);
    // Neither the sources nor the derived identifiers are named one by one.
    expect(twenty.text).not.toMatch(/orders-\d|copy1\d/);
    // Identifiers the user gives are named, each in the statements already there.
    const named = count(20, true);
    expect(named.statements).toBe(one.statements);
    expect(named.text).toContain(':cluster:orders-copy-19"');
  });

  test('clusters the constructs name are one pattern, their common start; clusters the user names are each named', () => {
    const stack = newStack();
    for (let i = 0; i < 3; i++) new PointInTimeRestoredCluster(stack, `Copy${i}`, { engine: ClusterEngine.AURORA_MYSQL, sourceClusterIdentifier: `orders-${i}` });
    new PointInTimeRestoredCluster(stack, 'Named', { engine: ClusterEngine.AURORA_MYSQL, sourceClusterIdentifier: 'ledger', clusterIdentifier: 'ledger-copy' });
    const statements = handlerStatements(Template.fromStack(stack));
    const claim = statementWith(statements, 'rds:AddTagsToResource').find((s) => JSON.stringify(s.Condition).includes('aws:RequestTag'));
    const names = claim.Resource.map((r: any) => r['Fn::Join'][1].at(-1).split(':cluster:')[1]);
    expect(names).toEqual([expect.stringMatching(/^[a-z][a-z0-9-]{7,}\*$/), 'ledger-copy']);
    const derived = Object.values(Template.fromStack(stack).findResources(RESOURCE_TYPE)).map((r) => r.Properties.DBClusterIdentifier)
      .filter((id: string) => id !== 'ledger-copy');
    for (const id of derived) expect(id.startsWith(names[0].slice(0, -1))).toBe(true);
  });
});

describe('PointInTimeRestoredCluster: validation at synth', () => {
  test.each([
    ['clusterIdentifier', { clusterIdentifier: '1starts-with-digit' }, /Invalid clusterIdentifier "1starts-with-digit": it does not start with a letter/],
    ['clusterIdentifier', { clusterIdentifier: 'ends-with-' }, /Invalid clusterIdentifier "ends-with-": it ends with a hyphen/],
    ['clusterIdentifier', { clusterIdentifier: 'two--hyphens' }, /two consecutive hyphens/],
    ['clusterIdentifier', { clusterIdentifier: 'under_score' }, /other than a letter, digit or hyphen/],
    ['clusterIdentifier', { clusterIdentifier: 'a'.repeat(64) }, /it has 64 characters; use 1 to 63/],
    ['clusterIdentifier', { clusterIdentifier: 'PROD-graph' }, /names the source cluster/],
    ['sourceClusterIdentifier', { sourceClusterIdentifier: '' }, /Invalid sourceClusterIdentifier "": it has 0 characters/],
    ['port', { port: 1149 }, /Invalid port 1149: use a whole number from 1150 to 65535/],
    ['port', { port: 65536 }, /Invalid port 65536/],
    ['port', { port: 8182.5 }, /Invalid port 8182.5/],
    ['instances', { instances: 17 }, /Invalid instances 17: use a whole number from 0 to 16/],
    ['instances', { instances: -1 }, /Invalid instances -1/],
    ['optionGroupName', { optionGroupName: 'bad_name' }, /Invalid optionGroupName "bad_name"/],
    ['clusterParameterGroupName', { clusterParameterGroupName: '-x' }, /Invalid clusterParameterGroupName "-x"/],
    ['restorePoint', { restorePoint: RestorePoint.at(new Date(Date.now() + 3_600_000)) }, /Invalid restorePoint ".*": it lies in the future/],
    ['restorePoint', { restorePoint: RestorePoint.at(new Date('not a date')) }, /Invalid restorePoint "Invalid Date": the date is not a valid time/],
    ['restoreType', { restoreType: RestoreType.COPY_ON_WRITE, restorePoint: RestorePoint.at(new Date('2026-11-01T00:00:00Z')) }, /Invalid restoreType "copy-on-write": a copy-on-write clone is always of the latest restorable time/],
    ['optionGroupName', { optionGroupName: 'my-options' }, /Invalid optionGroupName "my-options": Neptune does not support option groups/],
    ['restoreType', { engine: ClusterEngine.AURORA_MYSQL, restoreType: RestoreType.COPY_ON_WRITE, restorePoint: RestorePoint.at(new Date('2026-11-01T00:00:00Z')) }, /always of the latest restorable time, but restorePoint is 2026-11-01T00:00:00.000Z/],
    ['timeout', { timeout: Duration.hours(13) }, /Invalid timeout "13 hours": use a duration from 5 minutes to 12 hours/],
    ['timeout', { timeout: Duration.minutes(4) }, /Invalid timeout "4 minutes"/],
    ['removalPolicy', { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }, /Invalid removalPolicy "retain-on-update-or-delete"/],
    ['engine', { engine: 'docdb' as ClusterEngine }, /Invalid engine "docdb": use one of neptune, aurora-mysql, aurora-postgresql/],
  ])('%s: %j is refused', (_prop, props, message) => {
    expect(() => synth(props as Partial<PointInTimeRestoredClusterProps>)).toThrow(message);
  });

  test('vpc and subnetGroupName together are refused', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    expect(() => synth({ vpc, subnetGroupName: 'mine' }, stack)).toThrow(/Invalid subnetGroupName "mine": give either vpc/);
  });

  test('vpcSubnets without vpc is refused', () => {
    expect(() => synth({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } })).toThrow(/Invalid vpcSubnets/);
  });

  test.each([
    ['aws:reserved', 'x', /starts with "aws:"/],
    ['k'.repeat(129), 'x', /the key has 129 characters/],
    ['ok', 'v'.repeat(257), /the value has 257 characters/],
    ['bad{key}', 'x', /may contain only/],
  ])('tag %s=%s is refused at synth', (key, value, message) => {
    const { stack } = synth();
    Tags.of(stack).add(key, value);
    expect(() => Template.fromStack(stack)).toThrow(message);
  });

  test('tokens are not validated at synth', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'Name').valueAsString;
    const port = new CfnParameter(stack, 'Port', { type: 'Number' }).valueAsNumber;
    expect(() => synth({ clusterIdentifier: name, sourceClusterIdentifier: name, port }, stack).template()).not.toThrow();
  });

  test('deletion protection without RETAIN warns that a delete will fail', () => {
    const { stack } = synth({ deletionProtection: true });
    Annotations.fromStack(stack).hasWarning('/TestStack/Restored', Match.stringLikeRegexp('deletionProtection is on'));
  });
});
