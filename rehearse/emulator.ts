/**
 * moto_server for a rehearsal or a test, and the routing of each SDK call to it or to a local stand-in.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as net from 'net';

/**
 * moto_server, the AWS API emulator, on a free port of 127.0.0.1: started and stopped by whoever
 * needs it (a rehearsal, or a test).
 */
export interface Emulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export const MOTO_MISSING = 'moto_server is not installed (it comes with Python\'s moto package: pip install "moto[server]")';

export function motoInstalled(): boolean {
  try {
    execFileSync('moto_server', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Whether an emulator answers at the endpoint (moto's own status page). */
export async function emulatorAnswers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint.replace(/\/$/, '')}/moto-api/`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function waitUntilUp(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode} before it answered`);
    if (await emulatorAnswers(endpoint)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGTERM');
  throw new Error(`moto_server did not answer on ${endpoint} within 30 seconds`);
}

export async function startMoto(): Promise<Emulator> {
  if (!motoInstalled()) throw new Error(MOTO_MISSING);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await waitUntilUp(endpoint, child);
  return {
    endpoint,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/**
 * Points the AWS SDK of this process at the emulator, with throwaway credentials; returns the undo. Whatever
 * else could send a call elsewhere goes: a service's own AWS_ENDPOINT_URL_<SERVICE> (which beats the
 * global one), a profile, the shared config and credentials files, and the switch that ignores
 * configured endpoints.
 */
export function useEmulator(endpoint: string, region = 'us-east-1'): () => void {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('AWS_ENDPOINT_URL_') || key === 'AWS_PROFILE') delete process.env[key];
  }
  Object.assign(process.env, {
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  });
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}
