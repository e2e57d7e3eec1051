/**
 * The app's validators, run as Step Functions' lambda:invoke would run them for a restore's validation step:
 * a Node.js function of the assembly, in this process, within its timeout; what each answered is recorded.
 */
import { AssemblyStack } from './assembly';
import { FunctionRunner, InvocationTimeout } from './functions';
import { RehearsedValidation } from './outcome';

export class ValidatorRunner {
  /** The validations run, in order. */
  readonly validations: RehearsedValidation[] = [];

  constructor(
    private readonly stack: AssemblyStack,
    private readonly functions: FunctionRunner,
    private readonly print: (line: string) => void,
  ) {}

  /**
   * The invocation's Payload is the validator's answer; its error is thrown as Lambda names it. A validator
   * the rehearsal cannot run (another runtime, inline code, not in the stack) is reported, and passes, so the
   * rest of the stack is still rehearsed.
   */
  async run(resource: string, functionArn: string, payload: unknown, timeoutSeconds = 60): Promise<{ Payload: unknown }> {
    const functionId = String(functionArn).split(':function:')[1] ?? functionArn;
    const candidate = this.stack.resources[functionId];
    const props = candidate?.Type === 'AWS::Lambda::Function' ? candidate.Properties ?? {} : undefined;
    const runtime = String(props?.Runtime ?? 'unknown');
    const record = (outcome: RehearsedValidation['outcome'], message: string) => this.validations.push({ resource, validator: functionId, outcome, message });
    if (!props || !runtime.startsWith('nodejs') || typeof props.Code?.S3Key !== 'string') {
      const why = !props ? 'is not a function of this stack' : !runtime.startsWith('nodejs') ? `runs on ${runtime}` : 'has no asset code';
      this.print(`    validator ${functionId} not rehearsed: it ${why}`);
      record('not rehearsed', `it ${why}`);
      return { Payload: { passed: true, message: `validator not rehearsed (it ${why})` } };
    }
    this.print(`    validating with ${functionId} (${runtime}, at most ${timeoutSeconds}s)`);
    const failed = (name: string, cause: string) => Object.assign(new Error(cause), { name, cause });
    try {
      const answer = await this.functions.invoke(functionId, payload, timeoutSeconds * 1000);
      this.functions.showLogs(answer.logs);
      const result = answer.result as { passed?: boolean; message?: string } | undefined;
      record(result?.passed === true ? 'passed' : 'failed', String(result?.message ?? ''));
      return { Payload: answer.result };
    } catch (error) {
      if ((error as any).logs) this.functions.showLogs((error as any).logs);
      if (error instanceof InvocationTimeout) {
        record('failed', `no answer within ${timeoutSeconds}s`);
        throw failed('States.Timeout', `The validator did not answer within ${timeoutSeconds}s`);
      }
      const e = error as Error;
      record('failed', `threw ${e?.name}: ${e?.message}`);
      throw failed(e?.name ?? 'Error', JSON.stringify({ errorType: e?.name, errorMessage: e?.message }));
    }
  }
}
