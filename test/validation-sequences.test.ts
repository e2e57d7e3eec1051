import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import * as neptune from '@aws-sdk/client-neptune';
import { cfnEvent } from './support/events';
import { Moto, requireMoto, startMoto, useEmulator } from './support/moto';
import { ProviderFramework } from './support/provider-framework';
import type { PollerState } from '../lambda/shared/polling';
import { STATE_MACHINE_ARN_ENV, VALIDATION_RESOURCE_TYPE } from '../lib/private/contracts/common';
import { PlayedExecution, StepFunctionsStandIn } from '../rehearse/step-functions';

/**
 * A validation through the requests CloudFormation sends, behind aws-cdk-lib's provider-framework runtime
 * and the bundled handler, the restored cluster in moto_server. Step Functions is the rehearsal's stand-in
 * (rehearse/step-functions.ts): moto records executions but cannot run one whose steps invoke Lambda
 * functions, so the test plays the polling state machine's steps with the bundle's poller, as its definition
 * says, and answers for the validator (what Lambda's invoke returned, or the error the state machine caught).
 */
const run = requireMoto();
const suite = run ? describe : describe.skip;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bundle: { poll(state: PollerState): Promise<PollerState> } = require(path.join(__dirname, '..', 'assets', 'restore-handler', 'index.js'));
const STARTED = Date.now() - 1800_000;

suite('a validation through the provider framework', () => {
  let moto: Moto;
  let restoreEnv: () => void;
  let server: http.Server;
  let stepFunctions: StepFunctionsStandIn;
  let cfn: ProviderFramework;

  const props = (extra: Record<string, unknown> = {}) => ({
    FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders-check',
    TimeoutSeconds: 300,
    ConstructPath: 'Restores/Orders',
    Kind: 'PointInTimeRestoredCluster',
    RestorePoint: 'prod-orders at its latest restorable time',
    RestoreResourceType: 'Custom::PointInTimeRestoredCluster',
    RestoredId: 'orders-copy',
    Engine: 'neptune',
    RestoreLogicalId: 'OrdersRestore1A2B3C4D',
    RestoreStartedAt: STARTED,
    RestoreSeconds: 1500,
    ...extra,
  });
  const event = (type: 'Create' | 'Update' | 'Delete', extra: Parameters<typeof cfnEvent>[3] = {}) =>
    cfnEvent(type, VALIDATION_RESOURCE_TYPE, props(), { LogicalResourceId: 'OrdersRestoreValidation5E6F7A8B', ...extra });

  /** The polling state machine, for the executions started and not yet run: the poller's steps, and the validator's answer. */
  const playing = (answer: PollerState['validation'], asked: unknown[] = []) => async () => {
    for (const execution of stepFunctions.unplayed()) await play(execution, answer, asked);
  };
  async function play(execution: PlayedExecution, answer: PollerState['validation'], asked: unknown[]) {
    execution.played = true;
    let state: PollerState = JSON.parse(execution.input);
    while (!state.done) {
      state = await bundle.poll(state);
      if (state.validate && !state.done) {
        asked.push(state.validate);
        state = { ...state, validation: answer };
      }
    }
    Object.assign(execution, { status: 'SUCCEEDED', output: state });
  }

  beforeAll(async () => {
    moto = await startMoto();
    restoreEnv = useEmulator(moto.endpoint);
    stepFunctions = new StepFunctionsStandIn();
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => stepFunctions.answer(req, body, res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.env.AWS_ENDPOINT_URL_SFN = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new neptune.NeptuneClient({}).send(new neptune.CreateDBClusterCommand({ DBClusterIdentifier: 'orders-copy', Engine: 'neptune' }));
    cfn = new ProviderFramework();
  });

  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_SFN;
    server?.close();
    restoreEnv?.();
    await moto?.stop();
  });

  beforeEach(() => {
    process.env[STATE_MACHINE_ARN_ENV] = 'arn:aws:states:us-east-1:123456789012:stateMachine:Poller';
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  test('passed: SUCCESS under the execution\'s id, the recovery time from the restore\'s start; a retried Create starts nothing more', async () => {
    const asked: any[] = [];
    const create = event('Create');
    const created = await cfn.send(create, playing({ Payload: { passed: true, message: '1203 orders' } }, asked));
    expect(created).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: expect.stringMatching(/:execution:Poller:validate-[0-9a-f]{40}$/) });
    expect(Number(created.Data?.RecoveryTime)).toBeGreaterThanOrEqual(1800);
    expect(Number(created.Data?.RecoveryTime)).toBeLessThan(1800 + 60);
    // The validator was asked about the cluster as moto describes it.
    expect(asked).toEqual([expect.objectContaining({
      FunctionArn: props().FunctionArn,
      TimeoutSeconds: 300,
      Event: expect.objectContaining({
        physicalResourceId: 'orders-copy', restoreSeconds: 1500, attributes: expect.objectContaining({ DBClusterIdentifier: 'orders-copy', Port: '8182' }),
      }),
    })]);

    const executions = stepFunctions.executions.size;
    const retried = await cfn.send(create, playing({ Payload: { passed: false, message: 'must not be asked' } }));
    expect(retried).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId, Data: { RecoveryTime: created.Data?.RecoveryTime } });
    expect(stepFunctions.executions.size).toBe(executions);
  });

  test('failed: FAILED with the validator\'s message, and the rollback\'s Delete reaches the handler by the execution\'s id', async () => {
    const created = await cfn.send(event('Create'), playing({ Payload: { passed: false, message: 'orders has 0 rows, expected at least 1000' } }));
    expect(created).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringContaining(':execution:Poller:validate-') });
    expect(created.Reason).toContain('The validation of orders-copy failed: orders has 0 rows, expected at least 1000');
    const deleted = await cfn.send(event('Delete', { PhysicalResourceId: created.PhysicalResourceId }));
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
    expect(stepFunctions.executions.get(created.PhysicalResourceId)?.status).toBe('SUCCEEDED');
  });

  test('an Update, a rollback\'s included, validates nothing again: the same id, no new execution, the recovery time it had', async () => {
    const created = await cfn.send(event('Create'), playing({ Payload: { passed: true } }));
    const executions = stepFunctions.executions.size;
    const updated = await cfn.send(event('Update', { PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props({ RestoreSeconds: 1400 }) }),
      playing({ Payload: { passed: false, message: 'must not be asked' } }));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId, Data: { RecoveryTime: created.Data?.RecoveryTime } });
    expect(stepFunctions.executions.size).toBe(executions);
  });

  test('an Update once Step Functions has forgotten the execution keeps the validation, its recovery time unknown', async () => {
    const gone = 'arn:aws:states:us-east-1:123456789012:execution:Poller:validate-forgotten';
    const updated = await cfn.send(event('Update', { PhysicalResourceId: gone, OldResourceProperties: props() }));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: gone, Data: { RecoveryTime: '0' } });
  });

  test('a Delete while the validation runs stops its execution', async () => {
    const create = event('Create');
    // The validator has not answered yet: the waiter gives up, and the stack is rolled back.
    const timedOut = await cfn.send(create);
    expect(timedOut).toMatchObject({ Status: 'FAILED', Reason: 'Operation timed out' });
    const [running] = stepFunctions.unplayed();
    expect(running.status).toBe('RUNNING');
    const deleted = await cfn.send(event('Delete', { PhysicalResourceId: running.arn }));
    expect(deleted.Status).toBe('SUCCESS');
    expect(running.status).toBe('ABORTED');
  });

  test('an execution that failed outside the validator (an answer over 256 KB) fails the validation, naming why', async () => {
    const failing = async () => {
      for (const execution of stepFunctions.unplayed()) {
        Object.assign(execution, { played: true, status: 'FAILED', error: 'States.DataLimitExceeded', cause: 'The state/task returned a result with a size exceeding the maximum' });
      }
    };
    const created = await cfn.send(event('Create'), failing);
    expect(created.Status).toBe('FAILED');
    expect(created.Reason).toMatch(/The validation of orders-copy did not finish: its execution \S+ is FAILED with States\.DataLimitExceeded: .*\(the validator's answer must stay under 256 KB\)/);
  });
});
