import * as http from 'http';
import { AddressInfo } from 'net';
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import * as sfn from '@aws-sdk/client-sfn';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { STACK_ID } from './events';
import type { WaitSignal } from '../../lambda/shared/signal';
import { answerCloudFormation, HeldResource, isCloudFormationCall, StackEventRecord } from '../../rehearse/cloudformation';

/**
 * Wait condition handles of the test events' stack, played by an HTTP server on 127.0.0.1: it keeps
 * every signal PUT to each handle URL it hands out (CloudFormation's handles are presigned S3 URLs
 * that only take the PUT), and answers CloudFormation's DescribeStackResource, by which the handler
 * finds a handle's URL, and DescribeStacks, by which it tells a rollback, for as long as it runs
 * (AWS_ENDPOINT_URL_CLOUDFORMATION points at it).
 */
export class WaitHandles {
  static async start(): Promise<WaitHandles> {
    const handles = new WaitHandles();
    await new Promise<void>((r) => handles.server.listen(0, '127.0.0.1', r));
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = handles.base;
    return handles;
  }

  /** What DescribeStacks tells of the test stack: a test sets UPDATE_ROLLBACK_IN_PROGRESS to play a rollback's Update. */
  stackStatus = 'UPDATE_IN_PROGRESS';
  /** The restores the test stack holds besides its handles, as ListStackResources and DescribeStackResource tell them. */
  held: HeldResource[] = [];
  /** The test stack's events, oldest first, as DescribeStackEvents tells them (newest first). */
  events: StackEventRecord[] = [];
  private readonly signals = new Map<string, WaitSignal[]>();
  private readonly urls = new Map<string, string>();
  private count = 0;
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      if (isCloudFormationCall(req)) {
        const physicalId = (stackId: string, logicalId: string) => (stackId === STACK_ID ? this.urls.get(logicalId) : undefined);
        const ours = <T>(list: T[]) => (stackId: string) => (stackId === STACK_ID ? list : []);
        return answerCloudFormation(body, res, physicalId, () => this.stackStatus, ours(this.held), ours(this.events));
      }
      const key = new URL(req.url!, 'http://x').pathname;
      this.signals.set(key, [...(this.signals.get(key) ?? []), JSON.parse(body)]);
      res.end();
    });
  });

  private constructor() {}

  private get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A fresh handle in the test stack; returns its logical id. */
  newHandle(): string {
    const logicalId = `RestoreWaitHandle${++this.count}`;
    this.urls.set(logicalId, `${this.base}/handle-${this.count}?X-Amz-Signature=test`);
    return logicalId;
  }

  /**
   * The handle of that logical id made anew, as CloudFormation does when a stack brings back a handle
   * it had deleted (a redeploy after a rollback): same logical id, another URL.
   */
  recreate(logicalId: string): void {
    this.urls.set(logicalId, `${this.base}/handle-${++this.count}?X-Amz-Signature=test`);
  }

  /** The handle's current URL. */
  urlOf(logicalId: string): string {
    return this.urls.get(logicalId)!;
  }

  /** The signals the handle (by logical id) has received, in order. */
  signalsOf(logicalId: string): WaitSignal[] {
    const url = this.urls.get(logicalId);
    return url ? this.signals.get(new URL(url).pathname) ?? [] : [];
  }

  close(): void {
    delete process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
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

/**
 * CloudFormation's DescribeStackResource, by aws-sdk-client-mock, for the handler unit tests (which mock
 * every AWS client): each handle's URL is a made-up presigned URL that names it. Tests that PUT signals use
 * {@link WaitHandles} instead, which serves both the lookup and the handle on loopback.
 */
export function mockWaitHandleLookup(): AwsStub<any, any, any> {
  const cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStackResourceCommand).callsFake((input: { LogicalResourceId: string }) => ({
    StackResourceDetail: { PhysicalResourceId: handleUrlFor(input.LogicalResourceId) },
  }));
  return cfn;
}

/** Has the mocked CloudFormation tell the test stack's status, as the handler reads it to tell a rollback's Update. */
export function mockStackStatus(cfn: AwsStub<any, any, any>, status: string): void {
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackId: STACK_ID, StackName: 'TestStack', CreationTime: new Date(), StackStatus: status as any }] });
}

/** The URL {@link mockWaitHandleLookup} gives a handle. */
export function handleUrlFor(logicalId: string): string {
  return `https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com/${logicalId}?X-Amz-Signature=test`;
}
