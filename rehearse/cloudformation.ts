/**
 * CloudFormation's DescribeStackResource, DescribeStacks and ListStackResources, in their wire format (the
 * awsQuery protocol), for whoever plays CloudFormation locally: the rehearsal, and the tests. The handler asks
 * the first for a wait condition handle's physical id, which is the URL it signals (moto keeps no such URL: it
 * ignores handles), or for a restore's Metadata; the second whether the stack is rolling back; the third which
 * restores the stack holds; DescribeStackEvents, what a resource was before an update.
 */
import type { IncomingMessage, ServerResponse } from 'http';

/** The physical id of a stack's resource, or undefined when the stack has no resource of that name. */
export type PhysicalIdLookup = (stackId: string, logicalId: string) => string | undefined;

/** A resource the stack holds, as ListStackResources and DescribeStackResource tell it. */
export interface HeldResource {
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
  readonly ResourceType: string;
  /** Its template Metadata. */
  readonly Metadata?: unknown;
}

/** The resources a stack holds besides its wait condition handles. */
export type HeldResourcesLookup = (stackId: string) => readonly HeldResource[];

/** One of a stack's events: a resource's (or, with the stack's type, the stack's own) status at a time. */
export interface StackEventRecord {
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceStatus: string;
  readonly Timestamp: Date;
}

/** A stack's events, oldest first. */
export type StackEventsLookup = (stackId: string) => readonly StackEventRecord[];

/** A played stack's status and events, as DescribeStacks and DescribeStackEvents tell them. */
export class StackHistory {
  status = '';
  readonly events: StackEventRecord[] = [];

  constructor(private readonly stackName: string, private readonly stackId: string) {
    this.setStatus('CREATE_IN_PROGRESS');
  }

  setStatus(status: string): void {
    this.status = status;
    this.events.push({ LogicalResourceId: this.stackName, PhysicalResourceId: this.stackId, ResourceType: 'AWS::CloudFormation::Stack', ResourceStatus: status, Timestamp: new Date() });
  }

  /** A resource's request completed. */
  completed(id: string, type: string, requestType: string, physicalId: string): void {
    this.events.push({ LogicalResourceId: id, PhysicalResourceId: physicalId, ResourceType: type, ResourceStatus: `${requestType.toUpperCase()}_COMPLETE`, Timestamp: new Date() });
  }
}

/** An awsQuery answer to `action`, its result's members in `result`. */
function answer(res: ServerResponse, action: string, result: string): void {
  res.setHeader('content-type', 'text/xml');
  res.end(`<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><${action}Result>${result}</${action}Result>`
    + `<ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></${action}Response>`);
}

function describeStackEvents(stackId: string, events: readonly StackEventRecord[], res: ServerResponse): void {
  const stackName = xmlEscape(stackId.split('/')[1] ?? stackId);
  // Newest first, as CloudFormation answers.
  answer(res, 'DescribeStackEvents', '<StackEvents>'
    + [...events].reverse().map((e, i) => `<member><StackId>${xmlEscape(stackId)}</StackId><EventId>event-${events.length - i}</EventId>`
      + `<StackName>${stackName}</StackName><LogicalResourceId>${xmlEscape(e.LogicalResourceId)}</LogicalResourceId>`
      + `<PhysicalResourceId>${xmlEscape(e.PhysicalResourceId)}</PhysicalResourceId><ResourceType>${xmlEscape(e.ResourceType)}</ResourceType>`
      + `<Timestamp>${e.Timestamp.toISOString()}</Timestamp><ResourceStatus>${xmlEscape(e.ResourceStatus)}</ResourceStatus></member>`).join('')
    + '</StackEvents>');
}

/** A held resource as StackResourceSummary (ListStackResources) has it, or with `stackId` as StackResourceDetail. */
function resourceXml(r: HeldResource, stackId?: string): string {
  return (stackId ? `<StackId>${xmlEscape(stackId)}</StackId><StackName>${xmlEscape(stackId.split('/')[1] ?? stackId)}</StackName>` : '')
    + `<LogicalResourceId>${xmlEscape(r.LogicalResourceId)}</LogicalResourceId><PhysicalResourceId>${xmlEscape(r.PhysicalResourceId)}</PhysicalResourceId>`
    + `<ResourceType>${xmlEscape(r.ResourceType)}</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus>`
    + `<LastUpdatedTimestamp>${new Date().toISOString()}</LastUpdatedTimestamp>`
    + (stackId && r.Metadata !== undefined ? `<Metadata>${xmlEscape(JSON.stringify(r.Metadata))}</Metadata>` : '');
}

function listStackResources(held: readonly HeldResource[], res: ServerResponse): void {
  answer(res, 'ListStackResources', `<StackResourceSummaries>${held.map((r) => `<member>${resourceXml(r)}</member>`).join('')}</StackResourceSummaries>`);
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Whether a request is a CloudFormation API call (a form-encoded POST), rather than a signal. */
export function isCloudFormationCall(req: IncomingMessage): boolean {
  return req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** A stack's status, as DescribeStacks tells it (the handler asks whether an Update is a rollback's). */
export type StackStatusLookup = (stackId: string) => string;

function describeStacks(stackId: string, status: string, res: ServerResponse): void {
  answer(res, 'DescribeStacks', `<Stacks><member><StackId>${xmlEscape(stackId)}</StackId><StackName>${xmlEscape(stackId.split('/')[1] ?? stackId)}</StackName>`
    + `<CreationTime>${new Date().toISOString()}</CreationTime><StackStatus>${xmlEscape(status)}</StackStatus></member></Stacks>`);
}

/** Answers one CloudFormation API call: DescribeStackResource, DescribeStacks for the stack's status, ListStackResources and DescribeStackEvents. */
export function answerCloudFormation(
  body: string, res: ServerResponse, lookup: PhysicalIdLookup, stackStatus: StackStatusLookup = () => 'UPDATE_IN_PROGRESS',
  heldResources: HeldResourcesLookup = () => [],
  stackEvents: StackEventsLookup = () => [],
): void {
  const params = new URLSearchParams(body);
  const fail = (status: number, code: string, message: string) => {
    res.statusCode = status;
    res.setHeader('content-type', 'text/xml');
    res.end(`<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code>`
      + `<Message>${xmlEscape(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`);
  };
  if (params.get('Action') === 'DescribeStacks') return describeStacks(params.get('StackName') ?? '', stackStatus(params.get('StackName') ?? ''), res);
  if (params.get('Action') === 'ListStackResources') return listStackResources(heldResources(params.get('StackName') ?? ''), res);
  if (params.get('Action') === 'DescribeStackEvents') return describeStackEvents(params.get('StackName') ?? '', stackEvents(params.get('StackName') ?? ''), res);
  if (params.get('Action') !== 'DescribeStackResource') {
    return fail(400, 'InvalidAction',
      `The local CloudFormation plays DescribeStackResource, DescribeStacks, ListStackResources and DescribeStackEvents only, not ${params.get('Action')}`);
  }
  const stackId = params.get('StackName') ?? '';
  const logicalId = params.get('LogicalResourceId') ?? '';
  // A restore the stack holds, or else a wait condition handle, whose physical id is its URL.
  const handleUrl = lookup(stackId, logicalId);
  const held = heldResources(stackId).find((r) => r.LogicalResourceId === logicalId)
    ?? (handleUrl === undefined ? undefined : { LogicalResourceId: logicalId, PhysicalResourceId: handleUrl, ResourceType: 'AWS::CloudFormation::WaitConditionHandle' });
  if (!held) return fail(400, 'ValidationError', `Resource ${logicalId} does not exist for stack ${stackId}`);
  answer(res, 'DescribeStackResource', `<StackResourceDetail>${resourceXml(held, stackId)}</StackResourceDetail>`);
}
