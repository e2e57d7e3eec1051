import * as http from 'http';
import { AddressInfo } from 'net';
import * as sfn from '@aws-sdk/client-sfn';
import type { WaitSignal } from '../../lambda/shared/signal';

/**
 * Wait condition handles, played by an HTTP server on 127.0.0.1 that keeps every signal PUT to each
 * handle URL it hands out (CloudFormation's handles are presigned S3 URLs that only take the PUT).
 */
export class WaitHandles {
  static async start(): Promise<WaitHandles> {
    const handles = new WaitHandles();
    await new Promise<void>((r) => handles.server.listen(0, '127.0.0.1', r));
    return handles;
  }

  private readonly signals = new Map<string, WaitSignal[]>();
  private count = 0;
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const key = new URL(req.url!, 'http://x').pathname;
      this.signals.set(key, [...(this.signals.get(key) ?? []), JSON.parse(body)]);
      res.end();
    });
  });

  private constructor() {}

  /** A fresh handle URL. */
  newHandle(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/handle-${++this.count}?X-Amz-Signature=test`;
  }

  /** The signals the handle has received, in order. */
  signalsOf(handleUrl: string): WaitSignal[] {
    return this.signals.get(new URL(handleUrl).pathname) ?? [];
  }

  close(): void {
    this.server.close();
  }
}

/**
 * The per-stack polling state machine, created in the emulator (moto records its executions without
 * running them; the tests play its part). Returns its ARN.
 */
export async function createPollerStateMachine(): Promise<string> {
  const machine = await new sfn.SFNClient({}).send(new sfn.CreateStateMachineCommand({
    name: 'Poller',
    roleArn: 'arn:aws:iam::123456789012:role/poller',
    definition: JSON.stringify({ StartAt: 'Poll', States: { Poll: { Type: 'Pass', End: true } } }),
  }));
  return machine.stateMachineArn!;
}
