import { DrillReport, drillReport } from '../lambda/shared/drill-report';
import { DrillDependencies, drillStep, DrillState, DrillTarget } from '../lambda/shared/drill-run';
import type { PollResult, RestoreKindHandler } from '../lambda/shared/types';
import type { DrillConfig } from '../lib/private/contracts/drill';

/**
 * The run's decisions when steps fail outright or time runs out, which no emulator can make happen on cue: the
 * kind's handler and the drill target are stand-ins here (each records what it was asked), the step function is real.
 */
const config = {
  DrillName: 'Nightly-ab12',
  DrillPath: 'S/Orders/Nightly',
  StackName: 'S',
  StackId: 'arn:stack',
  NamePrefix: 'drill-0000aaaa-ab12-',
  ResourceType: 'Custom::PointInTimeRestoredCluster',
  ResourceProperties: {},
  RestorePath: 'S/Orders',
  RestorePoint: { Latest: true },
  Instances: [],
  HoldSeconds: 0,
  TimeoutSeconds: 3600,
  ReportBucket: 'b',
} as unknown as DrillConfig;

function world(deleteLooks: PollResult[], made = false) {
  const asked: string[] = [];
  const expired: string[] = [];
  let now = Date.parse('2026-12-08T02:00:00Z');
  const kind = {
    onEvent: async (event: any) => { asked.push(`${event.RequestType} ${event.ResourceProperties.DBClusterIdentifier ?? ''}`); return { PhysicalResourceId: 'x' }; },
    poll: async (event: any) => { asked.push(`look ${event.RequestType} ${event.PhysicalResourceId}`); return deleteLooks.shift() ?? { done: true, status: 'deleted' }; },
  } as unknown as RestoreKindHandler;
  const target: DrillTarget = {
    resourceType: config.ResourceType,
    prepare: async (_c, name) => ({ properties: { DBClusterIdentifier: name }, restorePoint: 'the source at its latest restorable time' }),
    addParts: async () => ({ done: true, status: 'available', parts: [] }),
    removeParts: async () => ({ done: true, status: 'gone' }),
    expire: async (_c, state) => { expired.push(state.RestoredId ?? '(none)'); },
    // Whether the start that died had made it: what the kind finds by the run's name.
    locate: async (_c, name) => { asked.push(`locate ${name}`); return made ? `id-of-${name}` : undefined; },
  };
  const reports: DrillReport[] = [];
  const deps: DrillDependencies = {
    now: () => now,
    kindOf: () => kind,
    targetOf: () => target,
    runningOthers: async () => [],
    report: async (state) => {
      const r = drillReport(state, {}, now);
      reports.push(r);
      return r;
    },
  };
  return { deps, asked, expired, reports, advance: (ms: number) => { now += ms; } };
}

async function runFrom(state: DrillState, deps: DrillDependencies, steps = 20): Promise<DrillState> {
  for (let i = 0; i < steps && !state.done; i++) state = await drillStep(state, deps);
  return state;
}

const begun = { Config: config, Execution: 'arn:execution:died', StateMachine: 'arn:sm' } as DrillState;

beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

test('a step that died while starting the restore: the run deletes whatever of its name exists, and reports nothing deleted when nothing was', async () => {
  const { deps, asked, reports } = world([]);
  const prepared = await drillStep(begun, deps);
  expect(prepared).toMatchObject({ phase: 'starting', Name: expect.stringMatching(/^drill-0000aaaa-ab12-20261208020000-[0-9a-f]{4}$/) });
  // The Lambda function timed out during CreateDBCluster...: the state machine hands the error to the next step.
  const ended = await runFrom({ ...prepared, error: { Error: 'States.Timeout', Cause: 'Task timed out' } }, deps);
  expect(asked).toEqual([`locate ${prepared.Name}`]);
  expect(reports[0]).toMatchObject({ outcome: 'failed', deleted: [], leftBehind: [] });
  expect(ended.Failure).toMatch(/a step failed \(States.Timeout\)/);
});

test('when the restore did start, the same path deletes it and says so', async () => {
  const { deps, asked, reports } = world([{ done: false, status: 'deleting' }, { done: true, status: 'deleted' }], true);
  const prepared = await drillStep(begun, deps);
  await runFrom({ ...prepared, error: { Error: 'Lambda.Unknown', Cause: 'crashed' } }, deps);
  // Deleted by the id the kind found it under (a snapshot copy's ARN, not its name).
  expect(asked).toEqual([`locate ${prepared.Name}`, `look Delete id-of-${prepared.Name}`, `look Delete id-of-${prepared.Name}`]);
  expect(reports[0]).toMatchObject({ outcome: 'failed', deleted: [`id-of-${prepared.Name}`], leftBehind: [] });
});

test('five failed steps in a row end the run, which marks what it made expired for the sweep and still reports', async () => {
  const { deps, expired, reports } = world([]);
  let state: DrillState = { ...begun, phase: 'deleting', RestoredId: 'drill-x', StartedAt: 0, Failure: 'the validation failed: empty' };
  for (let i = 0; i < 5 && !state.done; i++) state = await drillStep({ ...state, error: { Error: 'RDS.Throttling', Cause: 'slow down' } }, deps);
  expect(state.done).toBe(true);
  expect(expired).toEqual(['drill-x']);
  expect(reports).toHaveLength(1);
  expect(reports[0].reason).toMatch(/^the validation failed: empty; then the run gave up after 5 failed steps; the hourly sweep deletes what is left$/);
  expect(reports[0].leftBehind).toEqual(['drill-x']);
});

test('a throttled look for other runs is looked again, not a failed run', async () => {
  const { deps } = world([]);
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  const once = { ...deps, runningOthers: jest.fn().mockRejectedValueOnce(throttled).mockResolvedValue([]) };
  const again = await drillStep(begun, once);
  expect(again).toMatchObject({ done: false, waitSeconds: 30 });
  expect(again.phase ?? 'begin').toBe('begin');
  expect(again.Failure).toBeUndefined();
  expect((await drillStep(again, once)).phase).toBe('starting');
});

test('a delete still going at the run\'s deadline ends the run before its state machine times out, reported and handed to the sweep', async () => {
  const looks = Array.from({ length: 100 }, () => ({ done: false, status: 'deleting' }));
  const { deps, expired, reports, advance } = world(looks);
  let state = await drillStep(begun, deps);
  state = { ...state, phase: 'deleting', RestoredId: state.Name };
  state = await drillStep(state, deps);
  expect(state.done).toBe(false);
  advance((3600 + 2 * 3600) * 1000);
  state = await drillStep(state, deps);
  expect(state.done).toBe(true);
  expect(expired).toEqual([state.RestoredId]);
  expect(reports[0].reason).toMatch(/was still not deleted at the run's deadline \(status "deleting"\); the hourly sweep deletes what is left/);
});
