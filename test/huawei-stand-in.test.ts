import { callHuawei, HuaweiApiError } from '../lambda/huawei-rds-recovery/api';
import { HuaweiRdsStandIn } from '../rehearse/huawei-stand-in';

/**
 * The rehearsal's Huawei Cloud RDS stand-in, driven by the handler's own client (signed with the official
 * signer): what it accepts, what it refuses as the service would, and how a job progresses.
 */
const PROJECT = '0483b6b16e954cb88930a360d2c4e663';
const SOURCE = 'd8e6ca5a624745bcb546a227aa3ae1cfin01';
const TARGET = 'f1a2b3c4d5e64f7a8b9c0d1e2f3a4b5cin01';
const BACKUP = '2f4ddb93-b901-4b08-93d8-1d2e472f30fe';
const keys = { accessKeyId: 'AKREHEARSAL', secretAccessKey: 'a-secret-key' };

let standIn: HuaweiRdsStandIn;
const call = (method: 'GET' | 'POST', path: string, query: Record<string, string>, body?: object, credentials = keys) =>
  callHuawei({ Endpoint: standIn.endpoint }, credentials, method, path, query, body);
const recover = (body: object, credentials = keys) => call('POST', `/v3.1/${PROJECT}/instances/recovery`, {}, body, credentials);
const refusal = (promise: Promise<unknown>) =>
  promise.then(() => undefined, (e: HuaweiApiError) => ({ status: e.status, code: e.code, message: e.message }));

beforeEach(async () => {
  standIn = new HuaweiRdsStandIn();
  await standIn.start();
  standIn.acceptCredentials(keys.accessKeyId, keys.secretAccessKey);
  standIn.addInstance(PROJECT, SOURCE);
  standIn.addInstance(PROJECT, TARGET);
  standIn.addBackup(PROJECT, BACKUP, SOURCE);
});
afterEach(() => standIn.close());

test('a signed restore from a backup starts a job, which runs, then completes', async () => {
  const { job_id: id } = await recover({ source: { instance_id: SOURCE, type: 'backup', backup_id: BACKUP }, target: { instance_id: TARGET } });
  const look = () => call('GET', `/v3/${PROJECT}/jobs`, { id });
  await expect(look()).resolves.toMatchObject({ job: { id, status: 'Running', process: '50%', instance: { id: TARGET } } });
  await expect(look()).resolves.toMatchObject({ job: { id, status: 'Completed', process: '100%' } });
  expect(standIn.startedJobs).toEqual([{ id, instanceId: TARGET, completed: true }]);
  // A job is its project's: another project does not see it.
  await expect(refusal(call('GET', '/v3/another-project/jobs', { id }))).resolves.toMatchObject({ status: 404 });
});

test('a request signed with another secret key gets the gateway\'s 401, and starts nothing', async () => {
  await expect(refusal(recover({ source: { instance_id: SOURCE, backup_id: BACKUP }, target: { instance_id: TARGET } }, { ...keys, secretAccessKey: 'wrong' })))
    .resolves.toEqual({ status: 401, code: 'APIGW.0301', message: expect.stringMatching(/Incorrect IAM authentication information/) });
  await expect(refusal(recover({ source: { instance_id: SOURCE, backup_id: BACKUP }, target: { instance_id: TARGET } }, { accessKeyId: 'AKUNKNOWN', secretAccessKey: 'x' })))
    .resolves.toMatchObject({ status: 401 });
  expect(standIn.startedJobs).toEqual([]);
});

test.each([
  ['a missing target instance', { source: { instance_id: SOURCE, type: 'backup', backup_id: BACKUP }, target: { instance_id: 'nope' } }, 404, /target DB instance nope does not exist/],
  ['a missing backup', { source: { instance_id: SOURCE, type: 'backup', backup_id: 'nope' }, target: { instance_id: TARGET } }, 404, /backup nope does not exist/],
  ['a backup of another instance', { source: { instance_id: TARGET, type: 'backup', backup_id: BACKUP }, target: { instance_id: TARGET } }, 400, /is not a backup of instance/],
  ['a restore time in the future', { source: { instance_id: SOURCE, type: 'timestamp', restore_time: Date.now() + 3_600_000 }, target: { instance_id: TARGET } }, 400, /not a past time/],
])('%s is refused as the service would', async (_what, body, status, message) => {
  const answer = await refusal(recover(body));
  expect(answer).toMatchObject({ status, message: expect.stringMatching(message) });
  expect(standIn.startedJobs).toEqual([]);
});
