/**
 * Signals to a restore's wait condition handle: CloudFormation's signal document, and the clip of reasons and
 * messages to what a signal and a CloudFormation status reason can carry.
 */
import * as http from 'http';
import * as https from 'https';
import { URL } from 'url';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { retrying } from './retry';

/** What a wait condition handle takes: CloudFormation's signal document. */
export interface WaitSignal {
  readonly Status: 'SUCCESS' | 'FAILURE';
  readonly UniqueId: string;
  readonly Data: string;
  readonly Reason: string;
}

/**
 * The wait condition handle a restore signals, by name. Its URL is presigned (whoever holds it can
 * answer for the restore), so it is looked up from CloudFormation only when a signal is sent.
 */
export interface WaitHandleRef {
  /** The stack that holds the handle (the custom resource's own stack). */
  readonly StackId: string;
  /** The handle's logical id. */
  readonly WaitHandle: string;
}

/** Sends a signal to a handle; the production implementation is {@link signalWaitCondition}. */
export type SignalSender = (handle: WaitHandleRef, signal: WaitSignal) => Promise<void>;

/** Long reasons are cut: CloudFormation shows them in a stack event, and takes at most 4 KB of response. */
const MAX_REASON = 1000;

/** A reason, or a message that becomes one, cut to what CloudFormation shows (or to a shorter length). */
export function clip(text: string, max = MAX_REASON): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

export function signalDocument(status: WaitSignal['Status'], uniqueId: string, reason: string, data = ''): WaitSignal {
  return { Status: status, UniqueId: uniqueId, Data: data, Reason: clip(reason) };
}

/** A handle's URL is its physical id. */
export async function waitHandleUrl(handle: WaitHandleRef): Promise<string> {
  const out = await new CloudFormationClient({ maxAttempts: 6 }).send(new DescribeStackResourceCommand({
    StackName: handle.StackId, LogicalResourceId: handle.WaitHandle,
  }));
  const url = out.StackResourceDetail?.PhysicalResourceId;
  if (!url) throw new Error(`Wait condition handle ${handle.WaitHandle} of stack ${handle.StackId} has no URL yet`);
  return url;
}

export const signalWaitCondition: SignalSender = async (handle, signal) => {
  let url: string;
  try {
    url = await waitHandleUrl(handle);
  } catch (error) {
    throw new Error(`Looking up wait condition handle ${handle.WaitHandle} to signal ${signal.Status} failed (${(error as Error).name}: ${(error as Error).message}); `
      + 'the stack waits until the wait condition times out.');
  }
  await putSignal(url, signal);
};

/**
 * PUTs the signal to the presigned URL, and once more after a pause when that fails: a signal that
 * does not arrive leaves the stack waiting until the wait condition's timeout, so a refusal is logged
 * with its reason and, if it persists, fails the caller rather than passing unnoticed.
 */
export async function putSignal(url: string, signal: WaitSignal): Promise<void> {
  try {
    await retrying({ retryable: () => true, delaysSeconds: [5], label: `Signalling ${signal.Status} to the wait condition` }, () => putOnce(url, signal));
  } catch (error) {
    throw new Error(`${(error as Error).message}. The wait condition did not take the signal; its handle's presigned URL may have expired, `
      + 'and the stack waits until the wait condition times out.');
  }
}

/**
 * The signature covers the content type, which must be empty, so this uses https directly rather
 * than fetch (which would set one).
 */
const putOnce = (url: string, signal: WaitSignal) => new Promise<void>((resolve, reject) => {
  const body = JSON.stringify(signal);
  const target = new URL(url);
  const request = (target.protocol === 'http:' ? http : https).request({
    hostname: target.hostname,
    port: target.port || undefined,
    path: `${target.pathname}${target.search}`,
    method: 'PUT',
    headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
  }, (response) => {
    response.resume();
    response.on('end', () => {
      const code = response.statusCode ?? 0;
      if (code >= 200 && code < 300) resolve();
      else reject(new Error(`Signalling the wait condition failed with HTTP ${code}`));
    });
  });
  request.on('error', reject);
  request.end(body);
});
