/**
 * The rehearsal's intrinsic functions: each one aws-cdk-lib emits resolves as CloudFormation resolves it,
 * and one it does not know is named, not turned into a placeholder.
 */
import { isTrue, NO_VALUE, resolveValue, ResolveContext, UnknownIntrinsic, unknownIntrinsics } from '../rehearse/intrinsics';

const ctx: ResolveContext = {
  mappings: { Endpoints: { 'us-east-1': { Url: 'https://east' } } },
  conditions: {
    InEast: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
    NotEast: { 'Fn::Not': [{ Condition: 'InEast' }] },
    Both: { 'Fn::And': [{ Condition: 'InEast' }, { 'Fn::Or': [{ Condition: 'NotEast' }, { 'Fn::Equals': ['a', 'a'] }] }] },
    FiveIsFive: { 'Fn::Equals': [{ Ref: 'Five' }, 5] },
  },
  region: 'us-east-1',
  ref: (name) => ({ 'AWS::Region': 'us-east-1', 'AWS::NoValue': NO_VALUE, 'Subnets': ['s-1', 's-2'], 'Key': 'key-1', 'Five': '5' } as Record<string, unknown>)[name] ?? `<${name}>`,
  getAtt: (id, attribute) => `${id}.${attribute}`,
};

test.each<[string, unknown, unknown]>([
  ['Ref', { Ref: 'Key' }, 'key-1'],
  ['Fn::GetAtt, as a list and as a dotted name', [{ 'Fn::GetAtt': ['Cluster', 'Endpoint.Port'] }, { 'Fn::GetAtt': 'Cluster.Arn' }], ['Cluster.Endpoint.Port', 'Cluster.Arn']],
  ['Fn::Join of a list parameter', { 'Fn::Join': [',', { Ref: 'Subnets' }] }, 's-1,s-2'],
  ['Fn::Select of Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, 'b'],
  ['Fn::Sub with its own variables, references and attributes', { 'Fn::Sub': ['${Key}:${Cluster.Arn}:${x}:${!Literal}', { x: { Ref: 'AWS::Region' } }] }, 'key-1:Cluster.Arn:us-east-1:${Literal}'],
  ['Fn::Base64', { 'Fn::Base64': 'hello' }, 'aGVsbG8='],
  ['Fn::GetAZs of the stack\'s region', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }, 'us-east-1a'],
  ['Fn::ImportValue, another stack\'s: a placeholder', { 'Fn::ImportValue': 'Shared:VpcId' }, '<ImportValue Shared:VpcId>'],
  ['Fn::FindInMap', { 'Fn::FindInMap': ['Endpoints', { Ref: 'AWS::Region' }, 'Url'] }, 'https://east'],
  ['Fn::FindInMap\'s default', { 'Fn::FindInMap': ['Endpoints', 'eu-west-1', 'Url', { DefaultValue: 'https://any' }] }, 'https://any'],
  ['Fn::If on a condition', { 'Fn::If': ['NotEast', 'west', 'east'] }, 'east'],
  ['AWS::NoValue from Fn::If: the element and the key are gone, as CloudFormation removes them',
    { Groups: ['sg-1', { 'Fn::If': ['NotEast', 'sg-2', { Ref: 'AWS::NoValue' }] }], Port: { 'Fn::If': ['NotEast', 1, { Ref: 'AWS::NoValue' }] }, Name: 'n' },
    { Groups: ['sg-1'], Name: 'n' }],
  ['Fn::Sub: a substituted value is not read again', { 'Fn::Sub': ['${x}', { x: '${!y}' }] }, '${!y}'],
  ['Fn::Cidr', { 'Fn::Cidr': ['10.0.0.0/16', 3, 8] }, ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']],
  ['Fn::Length', { 'Fn::Length': { Ref: 'Subnets' } }, 2],
  ['Fn::ToJsonString', { 'Fn::ToJsonString': { a: { Ref: 'Key' } } }, '{"a":"key-1"}'],
  ['an IAM statement\'s Condition block, which is no intrinsic', { Condition: { StringEquals: { 'aws:x': 'y' } } }, { Condition: { StringEquals: { 'aws:x': 'y' } } }],
])('%s', (_name, value, expected) => {
  expect(resolveValue(value, ctx)).toEqual(expected);
});

test('conditions combine as CloudFormation combines them', () => {
  expect([isTrue('InEast', ctx), isTrue('NotEast', ctx), isTrue('Both', ctx)]).toEqual([true, false, true]);
  // Scalars compare as strings: a number parameter's default "5" equals 5.
  expect(isTrue('FiveIsFive', ctx)).toBe(true);
  expect(() => isTrue('Missing', ctx)).toThrow('The template has no condition named Missing');
});

test('a function it does not know is named, wherever it stands', () => {
  const value = { Tags: [{ Value: { 'Fn::Transform': { Name: 'AWS::Include' } } }], Name: { 'Fn::Join': ['', [{ 'Fn::Magic': 1 }]] } };
  expect(unknownIntrinsics(value)).toEqual(['Fn::Transform', 'Fn::Magic']);
  expect(() => resolveValue(value, ctx)).toThrow(new UnknownIntrinsic('Fn::Transform'));
  expect(unknownIntrinsics({ Ref: 'Key', Other: { 'Fn::Sub': 'x' } })).toEqual([]);
});
