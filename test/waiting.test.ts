import { SCRIPTED_KIND } from './support/scripted-kind';
import { isTransient } from '../lambda/shared/errors';
import type { IsCompleteRequest, PollResult, RestoreKindHandler } from '../lambda/shared/types';
import { formatDuration, pollUntilDeadline, POLL_INTERVAL_MS } from '../lambda/shared/waiting';

/** A restore kind whose status follows a script over simulated time. */
function scripted(statusAt: (elapsedMs: number) => PollResult, clock: { now: number }, start: number): RestoreKindHandler {
  return {
    kind: SCRIPTED_KIND,
    onEvent: async () => ({ PhysicalResourceId: 'x' }),
    describe: async () => ({}),
    poll: async () => statusAt(clock.now - start),
  };
}

function event(startedAt: number, requestType = 'Create'): IsCompleteRequest {
  return {
    RequestType: requestType,
    ResourceType: 'Custom::Test',
    LogicalResourceId: 'R',
    PhysicalResourceId: 'restored-1',
    ResourceProperties: { ServiceToken: 'x' },
    WaitStartedAt: startedAt,
  } as unknown as IsCompleteRequest;
}

/** Drives the provider framework's loop: one isComplete per interval until complete or thrown. */
async function drive(handler: RestoreKindHandler, timeoutSeconds: number, clock: { now: number }, requestType = 'Create') {
  const start = clock.now;
  let polls = 0;
  for (;;) {
    polls++;
    const answer = await pollUntilDeadline(handler, event(start, requestType), timeoutSeconds, () => clock.now);
    if (answer.IsComplete) return { polls, answer };
    clock.now += POLL_INTERVAL_MS;
  }
}

beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

test('a restore that becomes available after 40 minutes within a 1-hour timeout completes', async () => {
  const clock = { now: 1_000_000 };
  const handler = scripted((ms) => ms >= 40 * 60_000 ? { done: true, status: 'available' } : { done: false, status: 'creating' }, clock, clock.now);
  const { polls, answer } = await drive(handler, 3600, clock);
  expect(answer).toEqual({ IsComplete: true });
  expect(polls).toBe(81);
});

test('a restore that never finishes fails at the timeout with the last status and the time waited', async () => {
  const clock = { now: 0 };
  const handler = scripted(() => ({ done: false, status: 'creating' }), clock, 0);
  await expect(drive(handler, 1800, clock)).rejects.toThrow('Timed out: Create of restored-1 did not finish within 30m (waited 29m30s; last status "creating")');
  expect(clock.now).toBe(29.5 * 60_000);
});

test('an in-place change that outlasts the hour fails saying the service goes on with it, and how to go on', async () => {
  const clock = { now: 0 };
  const handler = scripted(() => ({ done: false, status: 'upgrading from engine version 15.8 to 16.4' }), clock, 0);
  await expect(drive(handler, 3600, clock, 'Update')).rejects.toThrow('Timed out: the in-place change of restored-1 did not finish within 1h, the most '
    + 'CloudFormation waits for a custom resource (last status "upgrading from engine version 15.8 to 16.4"). What the service was sent goes on');
});

test('a terminal failure thrown by the kind passes through unchanged', async () => {
  const clock = { now: 0 };
  const handler: RestoreKindHandler = {
    kind: SCRIPTED_KIND,
    onEvent: async () => ({ PhysicalResourceId: 'x' }),
    describe: async () => ({}),
    poll: async () => { throw new Error('cluster status is "incompatible-restore"'); },
  };
  await expect(drive(handler, 3600, clock)).rejects.toThrow('cluster status is "incompatible-restore"');
});

test('transient errors count as "not yet", other errors do not', () => {
  expect(isTransient(Object.assign(new Error('x'), { name: 'Throttling' }))).toBe(true);
  expect(isTransient(Object.assign(new Error('x'), { name: 'ThrottlingException' }))).toBe(true);
  expect(isTransient(Object.assign(new Error('x'), { name: 'InternalFailure', $fault: 'server' }))).toBe(true);
  expect(isTransient(Object.assign(new Error('x'), { name: 'DBClusterNotFoundFault', $fault: 'client' }))).toBe(false);
  expect(isTransient(new Error('boom'))).toBe(false);
});

test.each([
  [0, '0s'], [45_000, '45s'], [60_000, '1m'], [90_000, '1m30s'], [3_600_000, '1h'], [3_720_000, '1h2m'],
])('formatDuration(%i) is %s', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
});
