import * as http from 'http';
import { AddressInfo } from 'net';
import { percentOf, stackNameOf } from '../lambda/shared/metrics';

/**
 * The poller's metric publishing. What CloudWatch holds after a restore is checked against moto in
 * test/point-in-time-restored-cluster-moto.test.ts; here, what must never happen: a metrics endpoint that
 * does not answer holding the poller until its Lambda timeout fails the restore.
 */

test.each([
  ['50%', 50], ['42.00%', 42], ['12.5', 12.5], ['100', 100], ['140%', 100], [undefined, undefined], ['', undefined], ['?', undefined],
])('percentOf(%j) is %j', (text, value) => {
  expect(percentOf(text)).toBe(value);
});

test('the stack name is read from the stack id', () => {
  expect(stackNameOf('arn:aws:cloudformation:us-east-1:123456789012:stack/Restores-Prod/5b6d3f10-0000-11ef-9c1e-0a1b2c3d4e5f')).toBe('Restores-Prod');
});

test('a CloudWatch endpoint that never answers: publishing gives up within seconds, without an error, and says so', async () => {
  const held: http.ServerResponse[] = [];
  let requests = 0;
  const server = http.createServer((_req, res) => { requests++; held.push(res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDWATCH: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  const lines: string[] = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { lines.push(args.join(' ')); });
  try {
    let publish!: typeof import('../lambda/shared/metrics').publishToCloudWatch;
    // A module of its own, so its client is made with this endpoint.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => { publish = require('../lambda/shared/metrics').publishToCloudWatch; });
    const started = Date.now();
    await expect(publish({ StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/S/1', LogicalResourceId: 'R' }, { duration: 5 })).resolves.toBeUndefined();
    // At most eight seconds, retries included: well inside the poller's one minute.
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(requests).toBeGreaterThanOrEqual(1);
    expect(lines.join('\n')).toMatch(/could not be published .*the restore goes on without them/);
  } finally {
    jest.restoreAllMocks();
    for (const res of held) res.destroy();
    server.close();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}, 30_000);
