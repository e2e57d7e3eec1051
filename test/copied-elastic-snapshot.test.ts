import { App, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CopiedElasticSnapshot, CopiedElasticSnapshotProps } from '../lib';

const TYPE = 'Custom::CopiedElasticSnapshot';
const SOURCE = 'arn:aws:docdb-elastic:us-east-1:123456789012:cluster-snapshot/abc123';

function newStack(region = 'us-east-1'): Stack {
  return new Stack(new App(), 'CopyStack', { env: { account: '123456789012', region } });
}

function synth(props: Partial<CopiedElasticSnapshotProps> = {}, stack = newStack()) {
  const copy = new CopiedElasticSnapshot(stack, 'Copy', { sourceSnapshotArn: SOURCE, targetSnapshotName: 'orders-2026-11-20', ...props });
  return { stack, copy, template: () => Template.fromStack(stack) };
}

const copyProps = (t: Template) => Object.values(t.findResources(TYPE))[0].Properties;

test('the copy request: source, lowercase name, copyTags, key, tags, removal policy RETAIN by default', () => {
  const stack = newStack();
  const kmsKey = new kms.Key(stack, 'Key');
  const { template } = synth({ targetSnapshotName: 'Orders-2026-11-20', copyTags: true, kmsKey, tags: { team: 'orders' } }, stack);
  const props = copyProps(template());
  expect(props).toMatchObject({
    SourceSnapshotArn: SOURCE, TargetSnapshotName: 'orders-2026-11-20', CopyTags: true, Tags: { team: 'orders' }, RemovalPolicy: 'retain', TimeoutSeconds: 10800,
  });
  expect(props.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
  Annotations.fromStack(stack).hasInfo('/CopyStack/Copy', Match.stringLikeRegexp('stored as "orders-2026-11-20": snapshot names are case-insensitive'));
});

test('DESTROY reaches the handler; Tags.of adds to the tags', () => {
  const { stack, template } = synth({ removalPolicy: RemovalPolicy.DESTROY, tags: { team: 'orders' } });
  Tags.of(stack).add('env', 'dr');
  expect(copyProps(template())).toMatchObject({ RemovalPolicy: 'destroy', Tags: { team: 'orders', env: 'dr' } });
});

test('attributes, lists split from the handler\'s comma-joined strings', () => {
  const { stack, copy } = synth();
  expect(stack.resolve(copy.snapshotArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CopyRestoreAttributes/), 'SnapshotArn'] });
  expect(stack.resolve(copy.subnetIds)).toEqual({ 'Fn::Split': [',', { 'Fn::GetAtt': [expect.stringMatching(/^CopyRestoreAttributes/), 'SubnetIds'] }] });
  for (const attr of [copy.snapshotName, copy.clusterArn, copy.snapshotCreationTime, copy.snapshotType, copy.kmsKeyId, copy.adminUserName]) {
    expect(JSON.stringify(stack.resolve(attr))).toContain('CopyRestoreAttributes');
  }
  expect(JSON.stringify(stack.resolve(copy.vpcSecurityGroupIds))).toContain('VpcSecurityGroupIds');
});

test('a cross-region copy is supported and said so; the wait condition holds the stack', () => {
  const stack = newStack('eu-west-1');
  const { template } = synth({}, stack);
  Annotations.fromStack(stack).hasInfo('/CopyStack/Copy', Match.stringLikeRegexp('^Cross-region copy: .* An encrypted source needs kmsKey'));
  template().resourceCountIs('AWS::CloudFormation::WaitCondition', 1);
});

test('a cross-region copy with a key is not told it needs one', () => {
  const stack = newStack('eu-west-1');
  synth({ kmsKey: new kms.Key(stack, 'CopyKey') }, stack);
  const infos = Annotations.fromStack(stack).findInfo('/CopyStack/Copy', Match.stringLikeRegexp('Cross-region copy')).map((m) => String(m.entry.data));
  expect(infos).toEqual([expect.stringMatching(/is copied into eu-west-1, encrypted with kmsKey\.$/)]);
});

test('the handler may copy only into a snapshot it tags with the stack, and change or delete only snapshots that carry that tag', () => {
  const stack = newStack();
  const kmsKey = new kms.Key(stack, 'CopyKey');
  const t = synth({ kmsKey }, stack).template();
  const statements = Object.entries(t.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const stackTag = (key: string) => ({ StringEquals: { [`${key}/cdk-restore-constructs:stack`]: { Ref: 'AWS::StackId' } } });
  const withAction = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
  const [copy] = withAction('docdb-elastic:CopyClusterSnapshot');
  expect(copy.Condition).toEqual(stackTag('aws:RequestTag'));
  // The source is of this account and region, so the pattern covers it.
  expect(JSON.stringify(copy.Resource)).toContain(':docdb-elastic:us-east-1:123456789012:cluster-snapshot/*');
  expect(JSON.stringify(copy.Resource)).not.toContain(SOURCE);
  for (const action of ['docdb-elastic:DeleteClusterSnapshot', 'docdb-elastic:UntagResource']) {
    expect(withAction(action)).toEqual([expect.objectContaining({ Condition: stackTag('aws:ResourceTag') })]);
  }
  const viaElastic = { 'kms:ViaService': [{ 'Fn::Join': ['', ['docdb-elastic.us-east-1.', { Ref: 'AWS::URLSuffix' }]] }] };
  expect(withAction('kms:CreateGrant')).toEqual([expect.objectContaining({ Condition: { StringEquals: viaElastic, Bool: { 'kms:GrantIsForAWSResource': 'true' } } })]);
  expect(withAction('kms:Decrypt')).toEqual([expect.objectContaining({ Condition: { StringEquals: viaElastic } })]);
  for (const s of statements) if (s.Resource === '*') expect([s.Action].flat().every((a: string) => /:(Describe|List)|^cloudwatch:PutMetricData$/.test(a))).toBe(true);
});

test('a copy of another copy: only the other copy\'s ARN goes in a policy of its own; the patterns stay in the shared statements', () => {
  const stack = newStack();
  const first = new CopiedElasticSnapshot(stack, 'First', { sourceSnapshotArn: SOURCE, targetSnapshotName: 'first' });
  new CopiedElasticSnapshot(stack, 'Second', { sourceSnapshotArn: first.snapshotArn, targetSnapshotName: 'second' });
  const policies = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
  const [own] = policies.filter(([id]) => id.startsWith('SecondRestoreHandlerPolicy')).map(([, p]) => p.Properties.PolicyDocument.Statement);
  const firstCopy = { 'Fn::GetAtt': [expect.stringMatching(/^FirstRestoreAttributes/), 'SnapshotArn'] };
  expect(own.map((st: any) => st.Resource)).toEqual([firstCopy, firstCopy]);
  // No wildcard in a policy cdk-nag would find without its reason, and the shared statements are not split.
  expect(JSON.stringify(own)).not.toContain('*');
  const shared = policies.filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole')).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  expect(shared.filter((st: any) => [st.Action].flat().includes('docdb-elastic:CopyClusterSnapshot'))).toHaveLength(1);
});

test('a source of another account is named by its ARN', () => {
  const shared = 'arn:aws:docdb-elastic:us-east-1:210987654321:cluster-snapshot/0f1e2d3c4b5a69788796a5b4c3d2e1f0';
  const statements = Object.entries(synth({ sourceSnapshotArn: shared }).template().findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const copy = statements.find((s) => [s.Action].flat().includes('docdb-elastic:CopyClusterSnapshot'));
  expect(copy.Resource).toContain(shared);
});

describe('validation at synth', () => {
  test.each([
    ['sourceSnapshotArn', { sourceSnapshotArn: 'arn:aws:rds:us-east-1:123456789012:cluster-snapshot:abc' }, /Invalid sourceSnapshotArn .*use the ARN of a DocumentDB Elastic cluster snapshot/],
    ['sourceSnapshotArn', { sourceSnapshotArn: 'abc123' }, /Invalid sourceSnapshotArn "abc123"/],
    ['targetSnapshotName', { targetSnapshotName: '1-copy' }, /Invalid targetSnapshotName "1-copy": it does not start with a letter/],
    ['targetSnapshotName', { targetSnapshotName: 'copy-' }, /ends with a hyphen/],
    ['targetSnapshotName', { targetSnapshotName: 'a--b' }, /two consecutive hyphens/],
    ['targetSnapshotName', { targetSnapshotName: 'x'.repeat(64) }, /it has 64 characters/],
    ['removalPolicy', { removalPolicy: RemovalPolicy.SNAPSHOT }, /Invalid removalPolicy "snapshot": use RemovalPolicy.RETAIN .* or RemovalPolicy.DESTROY/],
    ['timeout', { timeout: Duration.hours(13) }, /Invalid timeout "13 hours"/],
  ])('%s: %j is refused', (_p, props, message) => {
    expect(() => synth(props as Partial<CopiedElasticSnapshotProps>)).toThrow(message);
  });

  test('a key of another region is refused', () => {
    const stack = newStack();
    const kmsKey = kms.Key.fromKeyArn(stack, 'Far', 'arn:aws:kms:eu-west-1:123456789012:key/1234');
    expect(() => synth({ kmsKey }, stack)).toThrow(/Invalid kmsKey "eu-west-1": the copy is made in the stack's region us-east-1, and KMS keys do not cross regions/);
  });

  test.each([
    [{ 'aws:x': 'v' }, /must match/],
    [{ 'has space': 'v' }, /must match/],
    [{ ['k'.repeat(129)]: 'v' }, /the key has 129 characters/],
    [{ ok: 'v'.repeat(257) }, /the value has 257 characters/],
  ])('tags %j are refused', (tags, message) => {
    const { template } = synth({ tags });
    expect(() => template()).toThrow(message);
  });

  test('keys the API pattern allows pass, including digits through its +-= range', () => {
    const { template } = synth({ tags: { 'team:orders/2026': 'x', 'a.b_c=d': '' } });
    expect(() => template()).not.toThrow();
  });
});
