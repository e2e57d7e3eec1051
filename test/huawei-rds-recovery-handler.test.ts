import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { cfnEvent, WAIT_HANDLE } from './support/events';
import { HuaweiRdsDouble, ok } from './support/huawei-double';
import { mockStackStatus, mockWaitHandleLookup } from './support/wait-handle';
import { callHuawei, HuaweiApiError, isTransientHuaweiError, wasRefusedUnread } from '../lambda/huawei-rds-recovery/api';
import { explainHuawei, huaweiRdsRecoveryHandler } from '../lambda/huawei-rds-recovery/handler';
import { onEvent } from '../lambda/index';
import type { RestoreFigures } from '../lambda/shared/metrics';
import { initialPollerState, pollStep, PollerState } from '../lambda/shared/polling';
import type { WaitSignal } from '../lambda/shared/signal';
import { STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';

// The Huawei Cloud RDS API is played by the double in support/ (the official signer checks every
// request); Secrets Manager is mocked with aws-sdk-client-mock.
const AK = 'HWAKEXAMPLE0001';
const SK = 'hw-secret-key-that-must-never-be-logged';
const PROJECT = '0483b6b16e954cb88930a360d2c4e663';
const TYPE = 'Custom::HuaweiRdsRecovery';
const secrets = mockClient(SecretsManagerClient);
const sfnMock = mockClient(SFNClient);
const cfnMock = mockWaitHandleLookup();
const huawei = new HuaweiRdsDouble(AK, SK);

beforeAll(() => huawei.start());
afterAll(() => huawei.close());

let lines: string[] = [];
/** The instances and backup of props(): a SQL Server pair the pre-flight passes. */
function seedWorld(engine = 'sqlserver', details = {}): void {
  huawei.world.addInstance(PROJECT, 'src01in04', engine, details);
  huawei.world.addInstance(PROJECT, 'dst01in04', engine, details);
  huawei.world.addBackup(PROJECT, 'b021670e69ba4538b7b2ed07257306aebr04', 'src01in04');
}

beforeEach(() => {
  huawei.reset();
  seedWorld();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ accessKeyId: AK, secretAccessKey: SK }) });
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({});
  process.env[STATE_MACHINE_ARN_ENV] = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Poller';
  lines = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { lines.push(args.map(String).join(' ')); });
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

const props = () => ({
  Endpoint: huawei.endpoint,
  ProjectId: PROJECT,
  CredentialsSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:huawei-abc',
  Engine: 'sqlserver',
  SourceInstanceId: 'src01in04',
  TargetInstanceId: 'dst01in04',
  RestoreType: 'backup',
  BackupId: 'b021670e69ba4538b7b2ed07257306aebr04',
  DatabaseNames: { db1: 'dbtest1,dbtest2', db3: '' },
  RestoreAllDatabases: false,
  TimeoutSeconds: 10800,
  WaitHandle: 'RestoreWaitHandle1A2B3C4D',
});

describe('Create', () => {
  test('POSTs the recovery after the pre-flight\'s lookups, all signed with the secret\'s keys; the job id is the physical id', async () => {
    huawei.answers.push(ok({ job_id: 'ff80808157127d9301571bf8160c001d' }));
    await expect(onEvent(cfnEvent('Create', TYPE, props()))).resolves.toMatchObject({ PhysicalResourceId: 'ff80808157127d9301571bf8160c001d' });
    expect(huawei.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v3/${PROJECT}/instances`, `GET /v3/${PROJECT}/instances`,
      `GET /v3/${PROJECT}/instances/src01in04/database/detail`, `GET /v3/${PROJECT}/instances/dst01in04/database/detail`, `GET /v3/${PROJECT}/backups`,
      `POST /v3.1/${PROJECT}/instances/recovery`,
    ]);
    expect(huawei.received.every((r) => r.signatureValid)).toBe(true);
    expect(huawei.scripted).toEqual([{
      method: 'POST',
      path: `/v3.1/${PROJECT}/instances/recovery`,
      query: {},
      signatureValid: true,
      body: {
        source: { instance_id: 'src01in04', type: 'backup', backup_id: 'b021670e69ba4538b7b2ed07257306aebr04', database_name: { db1: 'dbtest1,dbtest2', db3: '' }, restore_all_database: false },
        target: { instance_id: 'dst01in04' },
      },
    }]);
    expect(lines.join('\n')).not.toContain(SK);
    expect(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input.input).not.toContain(SK);
  });

  test('a point in time is sent as restore_time in milliseconds', async () => {
    seedWorld('mysql', { restorableFrom: 1532000000000 });
    huawei.answers.push(ok({ job_id: 'j2' }));
    await onEvent(cfnEvent('Create', TYPE, { ...props(), Engine: 'mysql', RestoreType: 'timestamp', BackupId: undefined, RestoreTime: 1532001446987, DatabaseNames: undefined, RestoreAllDatabases: undefined }));
    expect(huawei.scripted[0].body).toEqual({ source: { instance_id: 'src01in04', type: 'timestamp', restore_time: 1532001446987 }, target: { instance_id: 'dst01in04' } });
  });

  test.each([
    [401, 'APIGW.0301', /the credentials in the secret were not accepted/],
    [403, 'RDS.0005', /not allowed to do this/],
    [404, 'DBS.200823', /the instance, backup or project does not exist/],
    [400, 'DBS.280343', /Huawei Cloud refused the request/],
    [409, 'DBS.200022', /the request conflicts with the state of the instance or backup/],
  ])('HTTP %i maps to a clear failure with the API\'s code', async (status, code, message) => {
    huawei.answers.push(() => ({ status, body: { error_code: code, error_msg: 'detail from Huawei Cloud' } }));
    const failure = onEvent(cfnEvent('Create', TYPE, props()));
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toThrow(`(${code}: detail from Huawei Cloud)`);
  });

  test('a throttled restore request (429: refused, so nothing started) is sent again, with a bound', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    huawei.answers.push(() => ({ status: 429, body: {} }), () => ({ status: 429, body: {} }), ok({ job_id: 'j3' }));
    const pending = onEvent(cfnEvent('Create', TYPE, props()));
    for (let i = 0; i < 20 && huawei.scripted.length < 3; i++) await jest.advanceTimersByTimeAsync(5_000);
    await expect(pending).resolves.toMatchObject({ PhysicalResourceId: 'j3' });
    expect(huawei.scripted).toHaveLength(3);
  });

  test.each<[string, unknown, boolean, boolean]>([
    ['429', new HuaweiApiError(429, 'APIGW.0308', 'throttled'), true, true],
    ['503', new HuaweiApiError(503, 'SYS.0503', 'unavailable'), true, false],
    ['a refused connection', new Error('connect ECONNREFUSED 10.0.0.1:443'), true, true],
    ['a name that did not resolve', new Error('getaddrinfo ENOTFOUND rds.example'), true, true],
    ['a reset after sending', new Error('read ECONNRESET'), true, false],
    ['no answer within 30 seconds', new Error('ETIMEDOUT: Huawei Cloud did not answer within 30 seconds'), true, false],
    ['a 409 of a busy instance', new HuaweiApiError(409, 'DBS.200019', 'busy'), false, false],
  ])('%s: transient %s, surely started nothing %s', (_what, error, transient, refused) => {
    expect([isTransientHuaweiError(error), wasRefusedUnread(error)]).toEqual([transient, refused]);
  });

  test('a restore request answered 500 may have started: it is sent once, and the Create fails saying what to check', async () => {
    huawei.answers.push(() => ({ status: 500, body: { error_code: 'SYS.0500', error_msg: 'internal error' } }), ok({ job_id: 'never' }));
    const failure = onEvent(cfnEvent('Create', TYPE, props()));
    await expect(failure).rejects.toThrow(/may have started: Huawei Cloud's answer to the request was lost \(HTTP 500, SYS.0500: internal error\)/);
    await expect(failure).rejects.toThrow(/It is not sent again, as a second request would restore into dst01in04 a second time/);
    expect(huawei.scripted.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  describe('a pre-flight lookup that fails', () => {
    // The double's scripts answer the lookups here (its model is told to know none), so that one can fail.
    beforeEach(() => jest.spyOn(huawei.world, 'lookup').mockReturnValue(undefined));
    const posts = () => huawei.received.filter((r) => r.method === 'POST');

    test('refused (403): the Create fails naming the lookup and what the refusal means, and nothing is posted', async () => {
      huawei.answers.push(() => ({ status: 403, body: { error_code: 'RDS.0005', error_msg: 'no permission for rds:instance:list' } }));
      await expect(onEvent(cfnEvent('Create', TYPE, props()))).rejects.toThrow(`Reading /v3/${PROJECT}/instances before restoring sqlserver instance dst01in04 `
        + 'from backup b021670e69ba4538b7b2ed07257306aebr04 of src01in04 (nothing was sent) failed: the credentials are not allowed to do this '
        + '(check the IAM user\'s RDS permissions and the project) (RDS.0005: no permission for rds:instance:list)');
      expect(huawei.received).toHaveLength(1);
      expect(posts()).toEqual([]);
    });

    test('failing (500): tried again with a bound, then the Create fails, and nothing is posted', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
      const fault = () => ({ status: 500, body: { error_code: 'SYS.0500', error_msg: 'internal error' } });
      huawei.answers.push(fault, fault, fault, fault, ok({ job_id: 'never' }));
      const failure = expect(onEvent(cfnEvent('Create', TYPE, props()))).rejects.toThrow(/^Reading \/v3\/\w+\/instances before restoring .* failed: Huawei Cloud kept failing \(SYS.0500: internal error\)$/);
      for (let i = 0; i < 20 && huawei.received.length < 4; i++) await jest.advanceTimersByTimeAsync(5_000);
      await failure;
      expect(huawei.received.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'GET']);
      expect(posts()).toEqual([]);
    });
  });

  describe('a target instance busy with another operation', () => {
    const busy = (code = 'DBS.200019') => () => ({ status: 409, body: { error_code: code, error_msg: 'Operation cannot be executed in current state of the DB instance.' } });
    const settle = async (posts: number) => {
      for (let i = 0; i < 100 && huawei.scripted.length < posts; i++) await jest.advanceTimersByTimeAsync(5_000);
    };
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] }));

    test('is waited for with growing pauses, then restored once', async () => {
      // The 409 body some Huawei Cloud services send (errCode, externalMessage) is understood too.
      huawei.answers.push(busy(), () => ({ status: 409, body: { errCode: 'DBS.201202', externalMessage: 'another operation is running' } }), ok({ job_id: 'j4' }));
      const pending = onEvent(cfnEvent('Create', TYPE, props()));
      await settle(3);
      await expect(pending).resolves.toMatchObject({ PhysicalResourceId: 'j4' });
      expect(huawei.scripted.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
      expect(lines.filter((l) => l.includes('Restoring into a busy instance failed'))).toEqual([
        expect.stringContaining('trying again in 5s'), expect.stringContaining('trying again in 10s'),
      ]);
    });

    test('fails after a bounded wait, saying what to do', async () => {
      for (let i = 0; i < 10; i++) huawei.answers.push(busy());
      const pending = onEvent(cfnEvent('Create', TYPE, props()));
      const failure = expect(pending).rejects.toThrow('failed: the instance stayed busy with another operation for 195 seconds; wait until that operation ends, then deploy again (DBS.200019:');
      await settle(7);
      await failure;
      expect(huawei.scripted).toHaveLength(7);
    });

    test('a 409 that is not a busy instance fails at once', async () => {
      huawei.answers.push(busy('DBS.200022'), ok({ job_id: 'never' }));
      await expect(onEvent(cfnEvent('Create', TYPE, props()))).rejects.toThrow('the request conflicts with the state of the instance or backup (DBS.200022:');
      expect(huawei.scripted).toHaveLength(1);
    });
  });

  test('a secret without both keys fails before any call', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ accessKeyId: AK }) });
    await expect(onEvent(cfnEvent('Create', TYPE, props()))).rejects.toThrow('must hold both accessKeyId and secretAccessKey');
    expect(huawei.received).toEqual([]);
  });

  test('the double rejects a request signed with other keys: the signature check is real', async () => {
    await expect(callHuawei({ Endpoint: huawei.endpoint }, { accessKeyId: AK, secretAccessKey: 'wrong' }, 'GET', `/v3/${PROJECT}/jobs`, { id: 'x' }))
      .rejects.toMatchObject({ status: 401, code: 'APIGW.0301' });
  });
});

// A name that does not resolve cannot be played without a resolver that answers for it: the error Node.js gives is used as it reads.
test('an endpoint whose host does not resolve is said so, not as a generic network error', () => {
  expect(explainHuawei(new Error('getaddrinfo ENOTFOUND rds.cn-nort-4.myhuaweicloud.com'), 'Restoring instance x').message).toBe(
    'Restoring instance x failed: the endpoint\'s host rds.cn-nort-4.myhuaweicloud.com could not be resolved (ENOTFOUND), so nothing reached Huawei Cloud. '
    + 'Check the region, or the endpoint, of the construct.');
});

describe('Update', () => {
  // Issue 13, row 3: the Update posted a restore, and so did CloudFormation's rollback Update after it.
  // Issue 27, case 2: a backupId given through a CfnParameter changes at deploy, under the same logical id and wait.
  test('an Update that changes the backup is refused, posting nothing; its rollback Update keeps the job', async () => {
    const changed = { ...props(), BackupId: '5a1b2c3d00004b0893d81d2e472f30febr04' };
    mockStackStatus(cfnMock, 'UPDATE_IN_PROGRESS');
    await expect(onEvent(cfnEvent('Update', TYPE, changed, { PhysicalResourceId: 'job-1', OldResourceProperties: props() })))
      .rejects.toThrow(/changes restore inputs of job-1.*BackupId from "[0-9a-z]+" to "5a1b2c3d00004b0893d81d2e472f30febr04".*give restoreGeneration a new value/);
    mockStackStatus(cfnMock, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const rollback = await onEvent(cfnEvent('Update', TYPE, props(), { PhysicalResourceId: 'job-1', OldResourceProperties: changed }));
    expect(rollback.PhysicalResourceId).toBe('job-1');
    expect(huawei.received).toEqual([]);
  });
});

describe('waiting on the job', () => {
  const signals: WaitSignal[] = [];
  const published: RestoreFigures[] = [];
  const state = (startedAt = Date.now()) => initialPollerState(TYPE, cfnEvent('Create', TYPE, props()).ResourceProperties, 'job-1', WAIT_HANDLE, startedAt, 'RestoreResource');
  const deps = (now = Date.now) => ({
    now,
    kindOf: () => huaweiRdsRecoveryHandler,
    signal: async (_u: unknown, s: WaitSignal) => { signals.push(s); },
    publish: async (_r: unknown, f: RestoreFigures) => { published.push(f); },
  });
  beforeEach(() => { signals.length = 0; });

  test('Running, then Completed: the job is read with a signed GET', async () => {
    huawei.answers.push(ok({ job: { id: 'job-1', status: 'Running', process: '40%' } }), ok({ job: { id: 'job-1', status: 'Completed' } }));
    const first = await pollStep(state(), deps());
    expect(first).toMatchObject({ done: false, LastStatus: 'Running (40%)' });
    expect(published.at(-1)).toMatchObject({ progress: 40 });
    await pollStep(first, deps());
    expect(signals.map((s) => s.Status)).toEqual(['SUCCESS']);
    expect(huawei.scripted.map((r) => [r.method, r.path, r.query, r.signatureValid])).toEqual([
      ['GET', `/v3/${PROJECT}/jobs`, { id: 'job-1' }, true], ['GET', `/v3/${PROJECT}/jobs`, { id: 'job-1' }, true],
    ]);
  });

  test('Failed: FAILURE with the job\'s fail_reason', async () => {
    huawei.answers.push(ok({ job: { id: 'job-1', status: 'Failed', fail_reason: 'The target instance is abnormal.' } }));
    await pollStep(state(), deps());
    expect(signals).toEqual([expect.objectContaining({
      Status: 'FAILURE', Reason: 'Recovery job job-1 (sqlserver instance dst01in04 from backup b021670e69ba4538b7b2ed07257306aebr04 of src01in04) failed: The target instance is abnormal.',
    })]);
  });

  test('a 500 or 429 while waiting is a look that told nothing, not the job\'s failure', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const fault = () => ({ status: 500, body: { error_code: 'SYS.0500', error_msg: 'internal error' } });
    // The call's own retries (three) run out on the first look; the second look finds the job done.
    huawei.answers.push(fault, fault, () => ({ status: 429, body: {} }), fault, ok({ job: { id: 'job-1', status: 'Completed' } }));
    const pending = pollStep(state(), deps());
    for (let i = 0; i < 20 && huawei.scripted.length < 4; i++) await jest.advanceTimersByTimeAsync(5_000);
    const first = await pending;
    expect(first).toMatchObject({ done: false, LastStatus: expect.stringContaining('unknown') });
    expect(signals).toEqual([]);
    await pollStep(first, deps());
    expect(signals.map((s) => s.Status)).toEqual(['SUCCESS']);
  });

  test('a job that never ends fails at the timeout with its last status', async () => {
    let now = 1_700_000_000_000;
    const start = now;
    let s: PollerState = initialPollerState(TYPE, { ...cfnEvent('Create', TYPE, props()).ResourceProperties, TimeoutSeconds: '600' }, 'job-1', WAIT_HANDLE, start, 'RestoreResource');
    while (!s.done) {
      huawei.answers.push(ok({ job: { id: 'job-1', status: 'Running' } }));
      s = await pollStep(s, deps(() => now));
      now += s.waitSeconds * 1000;
    }
    expect(signals).toEqual([expect.objectContaining({ Status: 'FAILURE', Reason: expect.stringMatching(/^Timed out: job-1 did not finish within 10m \(waited 9m\d*s?; last status "Running"\)/) })]);
  });

  test('delete calls nothing and says the instance is left as it is', async () => {
    await onEvent(cfnEvent('Delete', TYPE, props(), { PhysicalResourceId: 'job-1' }));
    expect(huawei.received).toEqual([]);
    expect(lines.join('\n')).toContain('deleting this resource does nothing to instance dst01in04');
  });
});
