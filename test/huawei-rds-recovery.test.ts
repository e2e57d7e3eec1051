import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { HuaweiRdsEngine, HuaweiRdsRecovery, HuaweiRdsRecoveryProps, HuaweiRestoreSource } from '../lib';

const TYPE = 'Custom::HuaweiRdsRecovery';
const PROJECT = '0483b6b16e954cb88930a360d2c4e663';

function synth(props: Partial<HuaweiRdsRecoveryProps> = {}, secretName = 'huawei/rds-restorer') {
  const stack = new Stack(new App(), 'HwStack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const credentials = secretsmanager.Secret.fromSecretNameV2(stack, 'Creds', secretName);
  const recovery = new HuaweiRdsRecovery(stack, 'Recover', {
    region: 'cn-north-4',
    projectId: PROJECT,
    credentials,
    sourceInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
    targetInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01',
    restoreSource: HuaweiRestoreSource.backup('2f4ddb93-b901-4b08-93d8-1d2e472f30fe'),
    engine: HuaweiRdsEngine.SQL_SERVER,
    acknowledgeOverwrite: true,
    ...props,
  });
  return { stack, recovery, template: () => Template.fromStack(stack) };
}
const recoveryProps = (t: Template) => Object.values(t.findResources(TYPE))[0].Properties;

test('the request: endpoint from the region, the secret\'s ARN (never its keys), a backup source and SQL Server options', () => {
  const t = synth({ databaseNames: { db1: 'dbtest1,dbtest2', db2: 'db2new,db02', db3: '' }, restoreAllDatabases: false }).template();
  const props = recoveryProps(t);
  expect(props).toMatchObject({
    Endpoint: 'https://rds.cn-north-4.myhuaweicloud.com',
    ProjectId: PROJECT,
    Engine: 'sqlserver',
    RestoreType: 'backup',
    BackupId: '2f4ddb93-b901-4b08-93d8-1d2e472f30fe',
    DatabaseNames: { db1: 'dbtest1,dbtest2', db2: 'db2new,db02', db3: '' },
    RestoreAllDatabases: false,
  });
  expect(JSON.stringify(props.CredentialsSecretArn)).toContain('huawei/rds-restorer');
  expect(JSON.stringify(t.toJSON())).not.toMatch(/accessKeyId|secretAccessKey/);
  const handlerPolicies = JSON.stringify(Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('CdkRestoreConstructsProviderHandlerRole')));
  expect(handlerPolicies).toContain('secretsmanager:GetSecretValue');
});

test('a point in time is sent in milliseconds of UTC; an endpoint may be given instead of a region', () => {
  const at = new Date('2026-11-20T23:45:00Z');
  const props = recoveryProps(synth({ region: undefined, endpoint: 'https://rds.ap-southeast-1.myhuaweicloud.com/', restoreSource: HuaweiRestoreSource.pointInTime(at), engine: HuaweiRdsEngine.MYSQL }).template());
  expect(props).toMatchObject({ RestoreType: 'timestamp', RestoreTime: at.getTime(), Endpoint: 'https://rds.ap-southeast-1.myhuaweicloud.com' });
});

// Issue 13, row 3: an Update restored again, and so did its rollback. Another restore is now another
// resource: CloudFormation creates it and deletes the old one, and a rollback only deletes it again.
test('other restore inputs make another recovery resource; new credentials keep it', () => {
  const logicalIds = (props: Partial<HuaweiRdsRecoveryProps>, secretName?: string) =>
    Object.keys(synth(props, secretName).template().findResources(TYPE));
  const [original] = logicalIds({});
  expect(logicalIds({ restoreSource: HuaweiRestoreSource.backup('5a1b2c3d-0000-4b08-93d8-1d2e472f30fe') })).not.toEqual([original]);
  expect(logicalIds({ targetInstanceId: 'c9f7db6b735856cdc657b338bb4bf2d0in04' })).not.toEqual([original]);
  expect(logicalIds({}, 'huawei/other-keys')).toEqual([original]);
  // A new restoreGeneration, and only it, asks for another restore of the same inputs.
  expect(logicalIds({ restoreGeneration: 1 })).not.toEqual([original]);
  expect(recoveryProps(synth({ restoreGeneration: 1 }).template()).RestoreGeneration).toBe(1);
  expect(recoveryProps(synth().template())).not.toHaveProperty('RestoreGeneration');
});

// A restore of new inputs is another resource, which reads in the stack whether the one it follows was of its generation.
test('the recovery resource records its restoreGeneration in its template Metadata; without one it records nothing', () => {
  const metadataOf = (props: Partial<HuaweiRdsRecoveryProps>) => Object.values(synth(props).template().findResources(TYPE))[0].Metadata;
  expect(metadataOf({ restoreGeneration: 2 })).toEqual({ 'cdk-restore-constructs:restoreGeneration': 2 });
  expect(metadataOf({})).toBeUndefined();
});

test('restoreGeneration is a literal whole number: the wait for its restore is named at synth', () => {
  const stack = new Stack();
  const generation = new CfnParameter(stack, 'Generation', { type: 'Number' }).valueAsNumber;
  expect(() => synth({ restoreGeneration: generation })).toThrow(/^Invalid restoreGeneration .*: give a literal whole number/);
  expect(() => synth({ restoreGeneration: 1.5 })).toThrow('Invalid restoreGeneration 1.5: use a whole number from 0 to 9007199254740991');
});

test('each region Huawei Cloud offers RDS in makes its endpoint, the European one in its own domain', () => {
  expect(recoveryProps(synth({ region: 'la-south-2' }).template()).Endpoint).toBe('https://rds.la-south-2.myhuaweicloud.com');
  expect(recoveryProps(synth({ region: 'eu-west-101' }).template()).Endpoint).toBe('https://rds.eu-west-101.myhuaweicloud.eu');
});

describe('validation at synth, each with the rule\'s reason', () => {
  test.each([
    ['acknowledgeOverwrite', { acknowledgeOverwrite: false }, /Invalid acknowledgeOverwrite false: restoring into the existing instance .* overwrites its data; set acknowledgeOverwrite: true/],
    ['databaseNames on MySQL', { engine: HuaweiRdsEngine.MYSQL, databaseNames: { a: 'b' } }, /Invalid databaseNames .*only for RDS for SQL Server/],
    ['restoreAllDatabases on PostgreSQL', { engine: HuaweiRdsEngine.POSTGRESQL, restoreAllDatabases: true }, /Invalid restoreAllDatabases true: this option is available only for RDS for SQL Server/],
    ['a name equal to its original', { databaseNames: { A: 'A' } }, /Invalid databaseNames.A "A": a single new name must differ from its original name/],
    ['a name equal to its original but for case', { databaseNames: { A: 'a' } }, /Invalid databaseNames.A "a": a single new name must differ from its original name/],
    ['a PostgreSQL restore into its source instance', { engine: HuaweiRdsEngine.POSTGRESQL },
      /Invalid targetInstanceId "d8e6ca5a624745bcb546a227aa3ae1cfin01": it is the source instance; Huawei Cloud restores into the original instance only for MySQL and SQL Server/],
    ['a repeated name', { databaseNames: { B: 'B1,B2', C: 'B1,C1' } }, /Invalid databaseNames.C "B1": each new database name must be unique/],
    ['a case-insensitive clash', { databaseNames: { D: 'D1,d1' } }, /Invalid databaseNames.D "d1": it clashes with "D1": database names may be case-insensitive/],
    ['a reserved name', { databaseNames: { A: 'MSDB' } }, /Invalid databaseNames.A "MSDB": rdsadmin, master, msdb, tempdb, model and resource \(in any case\) are reserved/],
    ['a reserved name', { databaseNames: { A: 'Resource' } }, /reserved/],
    ['a name with other characters', { databaseNames: { A: 'new db' } }, /Invalid databaseNames.A "new db": a new database name has 1 to 64 letters, digits, "_" or "-"/],
    ['a name too long', { databaseNames: { A: 'n'.repeat(65) } }, /1 to 64 letters/],
    ['a name of another original', { databaseNames: { A: 'B', B: 'B2' } }, /Invalid databaseNames.A "B": a new name must differ from the names of the original databases/],
    ['region and endpoint', { endpoint: 'https://rds.cn-north-4.myhuaweicloud.com' }, /Invalid endpoint .*give either region or endpoint, not both/],
    ['neither', { region: undefined }, /Invalid region undefined: give region/],
    ['a region', { region: 'north4' }, /Invalid region "north4"/],
    ['a region with a typo', { region: 'cn-nort-4' },
      /Invalid region "cn-nort-4": Huawei Cloud has no RDS region cn-nort-4 that this library knows; the nearest is cn-north-4\. For a region newer than this library, give endpoint/],
    ['an endpoint', { region: undefined, endpoint: 'http://rds.example.com/v3' }, /Invalid endpoint "http:\/\/rds.example.com\/v3": use an https URL without a path/],
    ['a project id', { projectId: 'my-project' }, /Invalid projectId "my-project": a Huawei Cloud project ID is 32 hexadecimal characters/],
  ])('%s is refused', (_name, props, message) => {
    expect(() => synth(props as Partial<HuaweiRdsRecoveryProps>)).toThrow(message);
  });

  test('a restore time in the future is refused', () => {
    expect(() => HuaweiRestoreSource.pointInTime(new Date(Date.now() + 60_000))).toThrow(/Invalid restoreSource ".*": a restore time lies in the past/);
  });

  // The seed's two examples, verbatim from the API reference's database_name parameter.
  test('the API reference\'s correct example passes: a list may keep the original name', () => {
    const databaseNames = JSON.parse('{"A":"A,A1,A2","B":"B1,B2","C":""}');
    expect(recoveryProps(synth({ databaseNames }).template()).DatabaseNames).toEqual(databaseNames);
  });

  test('the API reference\'s wrong example is refused, for its first error', () => {
    const databaseNames = JSON.parse('{"A":"A","B":"B1,B2","C":"B1,C1","D":"D1,d1"}');
    expect(() => synth({ databaseNames })).toThrow(/Invalid databaseNames.A "A": a single new name must differ from its original name/);
  });

  test.each([HuaweiRdsEngine.MYSQL, HuaweiRdsEngine.SQL_SERVER])('%s may restore into its source instance', (engine) => {
    expect(recoveryProps(synth({ engine }).template())).toMatchObject({ Engine: engine, TargetInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01' });
  });

  test('PostgreSQL may restore into another existing instance', () => {
    const props = recoveryProps(synth({ engine: HuaweiRdsEngine.POSTGRESQL, targetInstanceId: 'c9f7db6b735856cdc657b338bb4bf2d0in03' }).template());
    expect(props).toMatchObject({ Engine: 'postgresql', SourceInstanceId: 'd8e6ca5a624745bcb546a227aa3ae1cfin01', TargetInstanceId: 'c9f7db6b735856cdc657b338bb4bf2d0in03' });
  });
});
