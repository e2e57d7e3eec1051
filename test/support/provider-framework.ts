import * as path from 'path';
import type { OnEventRequest } from '../../lambda/shared/types';

/**
 * CloudFormation's side of the library's custom resources, played around aws-cdk-lib's own
 * provider-framework runtime (custom-resources/lib/provider-framework/runtime of the installed
 * aws-cdk-lib), with the handler bundle that ships in assets/ as its user functions.
 *
 * The framework's code runs as it does in Lambda: its failure markers, its refusal to change a
 * physical id on Delete, its handling of a Delete after a failed Create. What stands in is what the
 * framework reaches over the network, the three services nothing local provides: Lambda's Invoke
 * (the bundle is called in this process, errors returned as Lambda returns them), the waiter state
 * machine (isComplete called until complete, or the framework's timeout handler once the attempts
 * run out), and the HTTPS PUT of the response, which is what this harness hands back.
 */

const RUNTIME = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resources', 'lib', 'provider-framework', 'runtime');
const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'restore-handler', 'index.js');
const ON_EVENT_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:restore-onEvent';
const IS_COMPLETE_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:restore-isComplete';

/** What the framework PUT to CloudFormation's response URL. */
export interface CloudFormationResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, unknown>;
}

interface FrameworkModule {
  onEvent(event: unknown): Promise<void>;
  isComplete(event: unknown): Promise<void>;
  onTimeout(event: unknown): Promise<void>;
}

/* eslint-disable @typescript-eslint/no-require-imports */
export class ProviderFramework {
  /** Marker the framework answers a failed Create with; the Delete that follows is ignored. */
  static readonly CREATE_FAILED_MARKER: string = require(path.join(RUNTIME, 'cfn-response.js')).CREATE_FAILED_PHYSICAL_ID_MARKER;
  private static readonly Retry: new () => Error = require(path.join(RUNTIME, 'cfn-response.js')).Retry;

  private readonly framework: FrameworkModule = require(path.join(RUNTIME, 'framework.js'));
  private readonly bundle: Record<string, (event: unknown) => Promise<unknown>> = require(BUNDLE);
  private responses: CloudFormationResponse[] = [];
  private waiters: unknown[] = [];

  /**
   * @param maxWaiterAttempts isComplete calls before the waiter gives up (the real one: totalTimeout / queryInterval)
   */
  constructor(private readonly maxWaiterAttempts = 20) {
    process.env.USER_ON_EVENT_FUNCTION_ARN = ON_EVENT_ARN;
    process.env.USER_IS_COMPLETE_FUNCTION_ARN = IS_COMPLETE_ARN;
    process.env.WAITER_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:waiter';
    const outbound = require(path.join(RUNTIME, 'outbound.js'));
    outbound.invokeFunction = (request: { FunctionName: string; Payload: string }) => this.invoke(request);
    outbound.startExecution = async (request: { input: string }) => {
      this.waiters.push(JSON.parse(request.input));
      return {};
    };
    outbound.httpRequest = async (_options: unknown, body: string) => {
      this.responses.push(JSON.parse(body));
    };
  }

  /**
   * Sends one request as CloudFormation does and returns what CloudFormation hears: onEvent, then,
   * if the framework started its waiter, `whileWaiting`, and isComplete until it answers.
   */
  async send(event: OnEventRequest, whileWaiting?: () => Promise<void>): Promise<CloudFormationResponse> {
    this.responses = [];
    this.waiters = [];
    await this.framework.onEvent(event);
    // What runs between onEvent and isComplete's answer: a validation's execution, played by the test.
    if (this.waiters.length && whileWaiting) await whileWaiting();
    for (const waiter of this.waiters) await this.runWaiter(waiter);
    if (this.responses.length !== 1) throw new Error(`CloudFormation got ${this.responses.length} responses to one request`);
    return this.responses[0];
  }

  private async runWaiter(input: unknown): Promise<void> {
    for (let attempt = 0; attempt < this.maxWaiterAttempts; attempt++) {
      try {
        await this.framework.isComplete(input);
        return;
      } catch (error) {
        // The framework throws Retry while the user function says not complete; the state machine waits and asks again.
        if (!(error instanceof ProviderFramework.Retry)) throw error;
      }
    }
    await this.framework.onTimeout({ Cause: JSON.stringify({ errorMessage: JSON.stringify(input) }) });
  }

  /** Lambda's Invoke: a thrown error comes back as FunctionError with the error's message, as Lambda reports it. */
  private async invoke(request: { FunctionName: string; Payload: string }) {
    const handler = request.FunctionName === ON_EVENT_ARN ? 'onEvent' : 'isComplete';
    try {
      const result = await this.bundle[handler](JSON.parse(request.Payload));
      return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(result ?? null)) };
    } catch (error) {
      const e = error as Error;
      return {
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: Buffer.from(JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') })),
      };
    }
  }
}
