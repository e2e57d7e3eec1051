import * as http from 'http';
import { AddressInfo } from 'net';
import type { RestoreFigures } from '../lambda/shared/metrics';
import { initialPollerState, nextPollDelaySeconds, pollStep, PollerState } from '../lambda/shared/polling';
import { putSignal, signalWaitCondition, WaitSignal } from '../lambda/shared/signal';
import type { PollResult, RestoreKindHandler } from '../lambda/shared/types';
import { answerCloudFormation, isCloudFormationCall } from '../rehearse/cloudformation';
import { useEmulator } from '../rehearse/emulator';
import { SCRIPTED_KIND } from './support/scripted-kind';

/**
 * The poller under a simulated clock: the loop below is what the state machine does (invoke,
 * wait waitSeconds, repeat until done), so hours of restore run in milliseconds.
 */
const HANDLE = { StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Restores/1f2e3d4c', WaitHandle: 'RestoreWaitHandle1A2B' };
const HOUR = 3_600_000;
const MINUTE = 60_000;

interface Run {
  state: PollerState;
  describes: number;
  signals: WaitSignal[];
  /** The figures the poller published, one set per look. */
  published: RestoreFigures[];
  endedAt: number;
}

async function simulate(statusAt: (elapsedMs: number) => PollResult | Error, timeoutSeconds: number): Promise<Run> {
  const start = 1_700_000_000_000;
  let now = start;
  let describes = 0;
  const signals: WaitSignal[] = [];
  const published: RestoreFigures[] = [];
  const kind: RestoreKindHandler = {
    kind: SCRIPTED_KIND,
    onEvent: async () => ({ PhysicalResourceId: 'restored-1' }),
    describe: async () => ({}),
    poll: async () => {
      describes++;
      const result = statusAt(now - start);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  let state = initialPollerState('Custom::Test', { TimeoutSeconds: String(timeoutSeconds), WaitHandle: 'Handle' }, 'restored-1', HANDLE, start, 'RestoreResource');
  for (let steps = 0; !state.done; steps++) {
    if (steps > 5000) throw new Error('the poller never ended');
    now += state.waitSeconds * 1000;
    state = await pollStep(state, {
      now: () => now,
      kindOf: () => kind,
      signal: async (_u, s) => { signals.push(s); },
      publish: async (_r: unknown, f: RestoreFigures) => { published.push(f); },
    });
  }
  return { state, describes, signals, published, endedAt: now - start };
}

const creatingUntil = (ms: number) => (elapsed: number): PollResult =>
  elapsed >= ms ? { done: true, status: 'available' } : { done: false, status: 'creating' };

beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

test('a restore that stays creating for 11 hours completes, and the signal is sent once', async () => {
  const run = await simulate(creatingUntil(11 * HOUR), 12 * 3600);
  // The signal's data is the restore's timing, which the attributes resource reads from the wait condition.
  const timing = JSON.stringify({ startedAt: 1_700_000_000_000, seconds: run.endedAt / 1000 });
  expect(run.signals).toEqual([{ Status: 'SUCCESS', UniqueId: 'restored-1', Data: timing, Reason: 'restored-1 is available after 11h' }]);
  // Noticed within a minute of finishing: the stack learns it within 90 seconds.
  expect(run.endedAt - 11 * HOUR).toBeLessThan(60_000);
});

test('a restore that never finishes fails at the configured timeout with the last status and the time waited', async () => {
  const run = await simulate(() => ({ done: false, status: 'creating' }), 4 * 3600);
  expect(run.signals).toHaveLength(1);
  expect(run.signals[0].Status).toBe('FAILURE');
  expect(run.signals[0].Reason).toMatch(/^Timed out: restored-1 did not finish within 4h \(waited 3h59m; last status "creating"\)/);
  expect(run.endedAt).toBeLessThan(4 * HOUR);
  expect(run.endedAt).toBeGreaterThanOrEqual(4 * HOUR - MINUTE);
});

test('a restore that fails at hour 2 signals FAILURE with the service\'s message', async () => {
  const run = await simulate((elapsed) => elapsed >= 2 * HOUR
    ? new Error('Restore of neptune cluster "restored-1" failed: cluster status is "incompatible-restore": insufficient storage')
    : { done: false, status: 'creating' }, 12 * 3600);
  expect(run.signals).toEqual([expect.objectContaining({
    Status: 'FAILURE', Reason: 'Restore of neptune cluster "restored-1" failed: cluster status is "incompatible-restore": insufficient storage',
  })]);
  expect(run.endedAt - 2 * HOUR).toBeLessThan(MINUTE);
});

test('transient errors keep polling; the restore still completes', async () => {
  const run = await simulate((elapsed) => elapsed < 5 * MINUTE
    ? Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })
    : creatingUntil(20 * MINUTE)(elapsed), 3 * 3600);
  expect(run.signals.map((s) => s.Status)).toEqual(['SUCCESS']);
});

test('a failed step reported by the state machine signals FAILURE with its cause, and publishes the failure', async () => {
  const signals: WaitSignal[] = [];
  const published: RestoreFigures[] = [];
  const state = { ...initialPollerState('Custom::Test', { TimeoutSeconds: '3600', WaitHandle: 'Handle' }, 'restored-1', HANDLE, 0, 'RestoreResource'), error: { Error: 'Lambda.Unknown', Cause: 'The function timed out' } };
  const next = await pollStep(state, {
    now: () => 0,
    kindOf: () => { throw new Error('not reached'); },
    signal: async (_u, s) => { signals.push(s); },
    publish: async (_r: unknown, f: RestoreFigures) => { published.push(f); },
  });
  expect(next.done).toBe(true);
  expect(signals).toEqual([expect.objectContaining({ Status: 'FAILURE', Reason: 'The restore poller failed: The function timed out' })]);
  expect(published).toEqual([{ duration: 0, failed: 1 }]);
});

test('every look publishes progress and the time so far; the end publishes the duration, 100% and no failure', async () => {
  const run = await simulate((elapsed) => (elapsed >= 50 * 1000
    ? { done: true, status: 'COMPLETED' }
    : { done: false, status: 'RUNNING', percentDone: elapsed >= 20 * 1000 ? 40 : undefined }), 3600);
  // Looks at 0 s and 20 s (the first delay is 20 s), then 40 s, then done at 60 s.
  expect(run.published).toEqual([
    { progress: 0, duration: 0 },
    { progress: 40, duration: 20 },
    { progress: 40, duration: 40 },
    { duration: 60, failed: 0, progress: 100, recoveryTime: 60 },
  ]);
});

test('a restore that times out publishes its last duration as a failure', async () => {
  const run = await simulate(() => ({ done: false, status: 'creating' }), 600);
  expect(run.published.at(-1)).toEqual({ duration: run.endedAt / 1000, failed: 1 });
});

test('an execution started before the poller published metrics (no LogicalResourceId) still ends, without metrics', async () => {
  const published: RestoreFigures[] = [];
  const { LogicalResourceId: _l, ...old } = initialPollerState('Custom::Test', { TimeoutSeconds: '3600', WaitHandle: 'Handle' }, 'restored-1', HANDLE, 0, 'RestoreResource');
  const kind = { poll: async () => ({ done: true, status: 'available' }) } as unknown as RestoreKindHandler;
  const next = await pollStep(old, {
    now: () => 1000,
    kindOf: () => kind,
    signal: async () => undefined,
    publish: async (_r, f) => { published.push(f); },
  });
  expect(next.done).toBe(true);
  expect(published).toEqual([]);
});

test('describe calls: at most 45 for a 30-minute restore, one a minute after ten minutes', async () => {
  const thirty = await simulate(creatingUntil(30 * MINUTE), 3 * 3600);
  const eleven = await simulate(creatingUntil(11 * HOUR), 12 * 3600);
  console.info(`describe calls: 30-minute restore ${thirty.describes}, 11-hour restore ${eleven.describes}`);
  expect(thirty.describes).toBeLessThanOrEqual(45);
  // After ten minutes, one a minute: 11 h needs at most (11 h - 10 min) / 1 min more looks.
  expect(eleven.describes - (await simulate(creatingUntil(10 * MINUTE), 3 * 3600)).describes).toBeLessThanOrEqual(11 * 60 - 10 + 1);
});

test.each([[0, 20], [MINUTE, 20], [2 * MINUTE, 30], [9 * MINUTE, 30], [10 * MINUTE, 60], [11 * HOUR, 60]])(
  'after %i ms the next look is in %i s', (elapsed, seconds) => {
    expect(nextPollDelaySeconds(elapsed)).toBe(seconds);
  });

describe('the signal itself', () => {
  test('is an HTTP PUT of Status, UniqueId, Data and Reason with an empty content type', async () => {
    const received: Array<{ method?: string; contentType?: string; body: string; url?: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        received.push({ method: req.method, contentType: req.headers['content-type'], body, url: req.url });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      await putSignal(`http://127.0.0.1:${port}/handle?X-Amz-Signature=abc`, { Status: 'SUCCESS', UniqueId: 'restored-1', Data: '', Reason: 'done' });
      expect(received).toEqual([{ method: 'PUT', contentType: '', url: '/handle?X-Amz-Signature=abc', body: JSON.stringify({ Status: 'SUCCESS', UniqueId: 'restored-1', Data: '', Reason: 'done' }) }]);
    } finally {
      server.close();
    }
  });

  // Issue 13, row 9: the URL is presigned, so it travels nowhere; the handle is named, and looked up to signal.
  describe('to a handle named by stack and logical id', () => {
    const puts: Array<{ url?: string; body: string }> = [];
    let server: http.Server;
    let undoEnv: () => void;
    beforeAll(async () => {
      // CloudFormation's DescribeStackResource, as the rehearsal plays it, and the handle's URL on one server.
      server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
          if (isCloudFormationCall(req)) {
            const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            return answerCloudFormation(body, res, (stack, id) => (stack === HANDLE.StackId && id === HANDLE.WaitHandle ? `${base}/signed?X-Amz-Signature=a&b=c` : undefined));
          }
          puts.push({ url: req.url, body });
          res.end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      undoEnv = useEmulator(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
    afterAll(() => {
      undoEnv();
      server.close();
    });

    test('finds its URL with DescribeStackResource and PUTs the signal there', async () => {
      await signalWaitCondition(HANDLE, { Status: 'SUCCESS', UniqueId: 'restored-1', Data: '', Reason: 'done' });
      expect(puts).toEqual([{ url: '/signed?X-Amz-Signature=a&b=c', body: expect.stringContaining('"Status":"SUCCESS"') }]);
    });

    test('a handle CloudFormation does not know fails with CloudFormation\'s reason, and nothing is PUT', async () => {
      puts.length = 0;
      await expect(signalWaitCondition({ ...HANDLE, WaitHandle: 'Other' }, { Status: 'FAILURE', UniqueId: 'x', Data: '', Reason: '' })).rejects.toThrow(
        /^Looking up wait condition handle Other to signal FAILURE failed \(ValidationError: Resource Other does not exist for stack .*\); the stack waits until the wait condition times out\.$/);
      expect(puts).toEqual([]);
    });
  });

  // Issue 13, row 8: a handle whose presigned URL has expired refuses the signal; that must be told, not dropped.
  describe('refused by the handle', () => {
    let answers: number[] = [];
    let puts = 0;
    let server: http.Server;
    let url: string;
    const lines: string[] = [];
    beforeAll(async () => {
      server = http.createServer((_req, res) => { puts++; res.statusCode = answers.shift() ?? 500; res.end(); });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/h`;
    });
    afterAll(() => server.close());
    beforeEach(() => {
      puts = 0;
      lines.length = 0;
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
      jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { lines.push(args.join(' ')); });
    });
    afterEach(() => {
      jest.useRealTimers();
      jest.restoreAllMocks();
    });
    const settle = async (count: number) => {
      for (let i = 0; i < 20 && puts < count; i++) await jest.advanceTimersByTimeAsync(1_000);
    };

    test('once is tried again after a pause, and logged with the reason', async () => {
      answers = [403, 200];
      const sent = putSignal(url, { Status: 'SUCCESS', UniqueId: 'x', Data: '', Reason: '' });
      await settle(2);
      await expect(sent).resolves.toBeUndefined();
      expect(puts).toBe(2);
      expect(lines.join('\n')).toContain('Signalling SUCCESS to the wait condition failed (Error: Signalling the wait condition failed with HTTP 403); trying again in 5s');
    });

    test('twice fails, saying the stack now waits for the wait condition\'s timeout, so the state machine retries it', async () => {
      answers = [403, 403];
      const sent = expect(putSignal(url, { Status: 'FAILURE', UniqueId: 'x', Data: '', Reason: '' })).rejects.toThrow(
        'Signalling the wait condition failed with HTTP 403. The wait condition did not take the signal; its handle\'s presigned URL may have expired');
      await settle(2);
      await sent;
      expect(puts).toBe(2);
    });
  });
});
