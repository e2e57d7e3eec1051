import * as http from 'http';
import { AddressInfo } from 'net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { mockClient } from 'aws-sdk-client-mock';
import { cfnEvent } from './support/events';
import { callHuawei } from '../lambda/huawei-rds/api';
import { huaweiRecoveryHandler } from '../lambda/huawei-rds/handler';
import { onEvent } from '../lambda/shared/index';
import { initialPollerState, pollStep, PollerState } from '../lambda/shared/polling';
import type { WaitSignal } from '../lambda/shared/signal';
import { STATE_MACHINE_ARN_ENV } from '../lib/private/contracts/common';

/**
 * The Huawei Cloud RDS API is played by a test double: an HTTP server on 127.0.0.1 that checks
 * every request's signature with the official signer (@huaweicloud/huaweicloud-sdk-core) and
 * answers as the API documents. Secrets Manager is mocked with aws-sdk-client-mock.
 */
const AK = 'HWAKEXAMPLE0001';
const SK = 'hw-secret-key-that-must-never-be-logged';
const PROJECT = '0483b6b16e954cb88930a360d2c4e663';
const TYPE = 'Custom::HuaweiRdsRecovery';
const secrets = mockClient(SecretsManagerClient);
const sfnMock = mockClient(SFNClient);

interface Received { method: string; path: string; query: Record<string, string>; body: any; signatureValid: boolean }
let received: Received[] = [];
let answers: Array<(r: Received) => { status: number; body: object }> = [];
let server: http.Server;
let endpoint: string;

/** Recomputes the signature of a received request with the official signer. */
function signatureValid(req: http.IncomingMessage, url: URL, body: string): boolean {
  const request = {
    endpoint: `${endpoint}${url.pathname}`,
    method: req.method,
    headers: { 'content-type': req.headers['content-type'], 'X-Sdk-Date': req.headers['x-sdk-date'] },
    queryParams: Object.fromEntries(url.searchParams),
    data: body ? JSON.parse(body) : undefined,
    pathParams: {},
  };
  const expected = (AKSKSigner.sign(request as any, { getAk: () => AK, getSk: () => SK } as any) as Record<string, string>).Authorization;
  return req.headers.authorization === expected;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const url = new URL(req.url!, 'http://127.0.0.1');
      const r: Received = {
        method: req.method!,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: body ? JSON.parse(body) : undefined,
        signatureValid: signatureValid(req, url, body),
      };
      received.push(r);
      const answer = r.signatureValid
        ? (answers.shift() ?? (() => ({ status: 500, body: { error_code: 'TEST.0', error_msg: 'no answer scripted' } })))(r)
        : { status: 401, body: { error_code: 'APIGW.0301', error_msg: 'Incorrect IAM authentication information' } };
      res.statusCode = answer.status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

let lines: string[] = [];
beforeEach(() => {
  received = [];
  answers = [];
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
  Endpoint: endpoint,
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
  WaitHandleUrl: 'https://handle.example/h?X-Amz-Signature=s',
});
const ok = (body: object) => () => ({ status: 200, body });

describe('Create', () => {
  test('POSTs the recovery, signed with the secret\'s keys; the job id is the physical id', async () => {
    answers.push(ok({ job_id: 'ff80808157127d9301571bf8160c001d' }));
    await expect(onEvent(cfnEvent('Create', TYPE, props()))).resolves.toMatchObject({ PhysicalResourceId: 'ff80808157127d9301571bf8160c001d' });
    expect(received).toEqual([{
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
    answers.push(ok({ job_id: 'j2' }));
    await onEvent(cfnEvent('Create', TYPE, { ...props(), Engine: 'mysql', RestoreType: 'timestamp', BackupId: undefined, RestoreTime: 1532001446987, DatabaseNames: undefined, RestoreAllDatabases: undefined }));
    expect(received[0].body).toEqual({ source: { instance_id: 'src01in04', type: 'timestamp', restore_time: 1532001446987 }, target: { instance_id: 'dst01in04' } });
  });

  test.each([
    [401, 'APIGW.0301', /the credentials in the secret were not accepted/],
    [403, 'RDS.0005', /not allowed to do this/],
    [404, 'DBS.200823', /the instance, backup or project does not exist/],
    [400, 'DBS.280343', /Huawei Cloud refused the request/],
    [409, 'DBS.200022', /the request conflicts with the state of the instance or backup/],
  ])('HTTP %i maps to a clear failure with the API\'s code', async (status, code, message) => {
    answers.push(() => ({ status, body: { error_code: code, error_msg: 'detail from Huawei Cloud' } }));
    const failure = onEvent(cfnEvent('Create', TYPE, props()));
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toThrow(`(${code}: detail from Huawei Cloud)`);
  });

  test('500 and 429 are retried with a bound', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    answers.push(() => ({ status: 500, body: { error_code: 'SYS.0500', error_msg: 'busy' } }), () => ({ status: 429, body: {} }), ok({ job_id: 'j3' }));
    const pending = onEvent(cfnEvent('Create', TYPE, props()));
    for (let i = 0; i < 20 && received.length < 3; i++) await jest.advanceTimersByTimeAsync(5_000);
    await expect(pending).resolves.toMatchObject({ PhysicalResourceId: 'j3' });
    expect(received).toHaveLength(3);
  });

  describe('a target instance busy with another operation', () => {
    const busy = (code = 'DBS.200019') => () => ({ status: 409, body: { error_code: code, error_msg: 'Operation cannot be executed in current state of the DB instance.' } });
    const settle = async (posts: number) => {
      for (let i = 0; i < 100 && received.length < posts; i++) await jest.advanceTimersByTimeAsync(5_000);
    };
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] }));

    test('is waited for with growing pauses, then restored once', async () => {
      // The 409 body some Huawei Cloud services send (errCode, externalMessage) is understood too.
      answers.push(busy(), () => ({ status: 409, body: { errCode: 'DBS.201202', externalMessage: 'another operation is running' } }), ok({ job_id: 'j4' }));
      const pending = onEvent(cfnEvent('Create', TYPE, props()));
      await settle(3);
      await expect(pending).resolves.toMatchObject({ PhysicalResourceId: 'j4' });
      expect(received.map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
      expect(lines.filter((l) => l.includes('Restoring into a busy instance failed'))).toEqual([
        expect.stringContaining('trying again in 5s'), expect.stringContaining('trying again in 10s'),
      ]);
    });

    test('fails after a bounded wait, saying what to do', async () => {
      for (let i = 0; i < 10; i++) answers.push(busy());
      const pending = onEvent(cfnEvent('Create', TYPE, props()));
      const failure = expect(pending).rejects.toThrow('failed: the instance stayed busy with another operation for 195 seconds; wait until that operation ends, then deploy again (DBS.200019:');
      await settle(7);
      await failure;
      expect(received).toHaveLength(7);
    });

    test('a 409 that is not a busy instance fails at once', async () => {
      answers.push(busy('DBS.200022'), ok({ job_id: 'never' }));
      await expect(onEvent(cfnEvent('Create', TYPE, props()))).rejects.toThrow('the request conflicts with the state of the instance or backup (DBS.200022:');
      expect(received).toHaveLength(1);
    });
  });

  test('a secret without both keys fails before any call', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ accessKeyId: AK }) });
    await expect(onEvent(cfnEvent('Create', TYPE, props()))).rejects.toThrow('must hold both accessKeyId and secretAccessKey');
    expect(received).toEqual([]);
  });

  test('the double rejects a request signed with other keys: the signature check is real', async () => {
    await expect(callHuawei({ Endpoint: endpoint }, { accessKeyId: AK, secretAccessKey: 'wrong' }, 'GET', `/v3/${PROJECT}/jobs`, { id: 'x' }))
      .rejects.toMatchObject({ status: 401, code: 'APIGW.0301' });
  });
});

describe('Update', () => {
  // Issue 13, row 3: the Update posted a restore, and so did CloudFormation's rollback Update after it.
  test('an Update and its rollback never restore into the instance again', async () => {
    const changed = { ...props(), BackupId: '5a1b2c3d00004b0893d81d2e472f30febr04' };
    const update = await onEvent(cfnEvent('Update', TYPE, changed, { PhysicalResourceId: 'job-1', OldResourceProperties: props() }));
    const rollback = await onEvent(cfnEvent('Update', TYPE, props(), { PhysicalResourceId: 'job-1', OldResourceProperties: changed }));
    expect([update.PhysicalResourceId, rollback.PhysicalResourceId]).toEqual(['job-1', 'job-1']);
    expect(received).toEqual([]);
    expect(lines.join('\n')).toContain('never restores into dst01in04 again');
  });
});

describe('waiting on the job', () => {
  const signals: WaitSignal[] = [];
  const state = (startedAt = Date.now()) => initialPollerState(TYPE, cfnEvent('Create', TYPE, props()).ResourceProperties, 'job-1', startedAt);
  const deps = (now = Date.now) => ({ now, kindOf: () => huaweiRecoveryHandler, signal: async (_u: string, s: WaitSignal) => { signals.push(s); } });
  beforeEach(() => { signals.length = 0; });

  test('Running, then Completed: the job is read with a signed GET', async () => {
    answers.push(ok({ job: { id: 'job-1', status: 'Running', process: '40%' } }), ok({ job: { id: 'job-1', status: 'Completed' } }));
    const first = await pollStep(state(), deps());
    expect(first).toMatchObject({ done: false, LastStatus: 'Running (40%)' });
    await pollStep(first, deps());
    expect(signals.map((s) => s.Status)).toEqual(['SUCCESS']);
    expect(received.map((r) => [r.method, r.path, r.query, r.signatureValid])).toEqual([
      ['GET', `/v3/${PROJECT}/jobs`, { id: 'job-1' }, true], ['GET', `/v3/${PROJECT}/jobs`, { id: 'job-1' }, true],
    ]);
  });

  test('Failed: FAILURE with the job\'s fail_reason', async () => {
    answers.push(ok({ job: { id: 'job-1', status: 'Failed', fail_reason: 'The target instance is abnormal.' } }));
    await pollStep(state(), deps());
    expect(signals).toEqual([expect.objectContaining({
      Status: 'FAILURE', Reason: 'Recovery job job-1 (sqlserver instance dst01in04 from backup b021670e69ba4538b7b2ed07257306aebr04 of src01in04) failed: The target instance is abnormal.',
    })]);
  });

  test('a 500 or 429 while waiting is a look that told nothing, not the job\'s failure', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const fault = () => ({ status: 500, body: { error_code: 'SYS.0500', error_msg: 'internal error' } });
    // The call's own retries (three) run out on the first look; the second look finds the job done.
    answers.push(fault, fault, () => ({ status: 429, body: {} }), fault, ok({ job: { id: 'job-1', status: 'Completed' } }));
    const pending = pollStep(state(), deps());
    for (let i = 0; i < 20 && received.length < 4; i++) await jest.advanceTimersByTimeAsync(5_000);
    const first = await pending;
    expect(first).toMatchObject({ done: false, LastStatus: expect.stringContaining('unknown') });
    expect(signals).toEqual([]);
    await pollStep(first, deps());
    expect(signals.map((s) => s.Status)).toEqual(['SUCCESS']);
  });

  test('a job that never ends fails at the timeout with its last status', async () => {
    let now = 1_700_000_000_000;
    const start = now;
    let s: PollerState = initialPollerState(TYPE, { ...cfnEvent('Create', TYPE, props()).ResourceProperties, TimeoutSeconds: '600' }, 'job-1', start);
    while (!s.done) {
      answers.push(ok({ job: { id: 'job-1', status: 'Running' } }));
      s = await pollStep(s, deps(() => now));
      now += s.waitSeconds * 1000;
    }
    expect(signals).toEqual([expect.objectContaining({ Status: 'FAILURE', Reason: expect.stringMatching(/^Timed out: job-1 did not finish within 10m \(waited 9m\d*s?; last status "Running"\)/) })]);
  });

  test('delete calls nothing and says the instance is left as it is', async () => {
    await onEvent(cfnEvent('Delete', TYPE, props(), { PhysicalResourceId: 'job-1' }));
    expect(received).toEqual([]);
    expect(lines.join('\n')).toContain('deleting this resource does nothing to instance dst01in04');
  });
});
