/**
 * The Step Functions calls the handlers make (StartExecution, DescribeExecution, StopExecution, and a drill's ListExecutions), played for
 * the rehearsal, which runs the executions itself: an emulator can record an execution but not run one that
 * invokes the bundle's poller and the app's validators. An execution stays RUNNING until the rehearsal has
 * played it, as the service's would until its steps had run.
 */
import type { IncomingMessage, ServerResponse } from 'http';

/** An execution a handler started. */
export interface PlayedExecution {
  readonly arn: string;
  readonly name: string;
  readonly input: any;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** Whether the rehearsal has run (or is running) its steps. */
  played: boolean;
}

/** Whether a request is a Step Functions call (the awsJson1_0 protocol names its operation in a header). */
export function isStepFunctionsCall(req: IncomingMessage): boolean {
  return String(req.headers['x-amz-target'] ?? '').startsWith('AWSStepFunctions.');
}

export class StepFunctionsStandIn {
  readonly executions = new Map<string, PlayedExecution>();

  /** Answers one call, as the service would in its wire format. */
  answer(req: IncomingMessage, body: string, res: ServerResponse): void {
    const operation = String(req.headers['x-amz-target']).replace('AWSStepFunctions.', '');
    const request = JSON.parse(body || '{}');
    const reply = (status: number, payload: object) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      res.end(JSON.stringify(payload));
    };
    const fail = (type: string, message: string) => reply(400, { __type: type, message });
    if (operation === 'StartExecution') {
      const arn = `${String(request.stateMachineArn).replace(':stateMachine:', ':execution:')}:${request.name}`;
      const existing = this.executions.get(arn);
      if (existing && existing.input !== request.input) return fail('ExecutionAlreadyExists', `Execution already exists: '${arn}'`);
      if (!existing) this.executions.set(arn, { arn, name: request.name, input: request.input, status: 'RUNNING', played: false });
      return reply(200, { executionArn: arn, startDate: Date.now() / 1000 });
    }
    if (operation === 'ListExecutions') {
      // A drill run asks for other runs of its state machine still going; the rehearsal plays one at a time.
      const prefix = `${String(request.stateMachineArn).replace(':stateMachine:', ':execution:')}:`;
      const listed = [...this.executions.values()]
        .filter((e) => e.arn.startsWith(prefix) && (!request.statusFilter || e.status === request.statusFilter));
      return reply(200, { executions: listed.map((e) => ({ executionArn: e.arn, name: e.name, status: e.status, startDate: Date.now() / 1000 })) });
    }
    const execution = this.executions.get(String(request.executionArn));
    if (!execution) return fail('ExecutionDoesNotExist', `Execution does not exist: '${request.executionArn}'`);
    if (operation === 'DescribeExecution') {
      return reply(200, {
        executionArn: execution.arn,
        name: execution.name,
        status: execution.status,
        input: execution.input,
        ...(execution.output === undefined ? {} : { output: JSON.stringify(execution.output) }),
        ...(execution.error ? { error: execution.error, cause: execution.cause ?? '' } : {}),
        startDate: Date.now() / 1000,
      });
    }
    if (operation === 'StopExecution') {
      if (execution.status === 'RUNNING') Object.assign(execution, { status: 'ABORTED', error: request.error, cause: request.cause });
      return reply(200, { stopDate: Date.now() / 1000 });
    }
    return fail('UnknownOperationException', `The rehearsal plays StartExecution, DescribeExecution, StopExecution and ListExecutions, not ${operation}`);
  }

  /** The execution a handler started under this name, if any. */
  named(name: string): PlayedExecution | undefined {
    return [...this.executions.values()].find((e) => e.name === name);
  }

  /** Executions started and not yet played. */
  unplayed(): PlayedExecution[] {
    return [...this.executions.values()].filter((e) => !e.played && e.status === 'RUNNING');
  }
}
