/**
 * The stack's Lambda functions, run in this process as Lambda would run them: their bundle from the cloud
 * assembly, their handler, their environment, their timeout; and what of their logs a rehearsal shows.
 */
import * as path from 'path';
import { AssemblyStack } from './assembly';
import { StackState } from './stack-state';

/** What one invocation answered, and the lines it logged. */
export interface Invocation {
  readonly result: any;
  readonly logs: string[];
}

/** A function that ran past its timeout: Lambda would have stopped it. */
export class InvocationTimeout extends Error {}

export class FunctionRunner {
  constructor(
    private readonly stack: AssemblyStack,
    private readonly state: StackState,
    private readonly print: (line: string) => void,
  ) {}

  /**
   * Runs a function of the assembly. Past `timeoutMs` it is abandoned (it throws {@link InvocationTimeout}),
   * and this process's console and environment are its own again.
   */
  async invoke(functionId: string, event: unknown, timeoutMs?: number): Promise<Invocation> {
    const props = this.stack.resources[functionId]?.Properties ?? {};
    const key = props.Code?.S3Key;
    if (typeof key !== 'string') throw new Error(`Function ${functionId} has no asset code that a rehearsal can run`);
    const [file, exportName] = String(props.Handler).split(/\.(?=[^.]+$)/);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const handler = require(path.join(this.stack.assetDirOf(key), `${file}.js`))[exportName];
    const env = this.state.resolve(props.Environment?.Variables ?? {}, functionId) as Record<string, string>;
    const saved = { ...process.env };
    Object.assign(process.env, env, { AWS_LAMBDA_FUNCTION_NAME: functionId });
    const logs: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => { logs.push(args.map(String).join(' ')); };
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<never>((_resolve, reject) => {
        if (timeoutMs !== undefined) timer = setTimeout(() => reject(new InvocationTimeout(`${functionId} ran past ${timeoutMs / 1000}s`)), timeoutMs);
      });
      return { result: await Promise.race([handler(event), timedOut]), logs };
    } catch (error) {
      (error as any).logs = logs;
      throw error;
    } finally {
      clearTimeout(timer);
      console.log = log;
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  }

  /** The handler's own lines worth showing: the API calls and decisions, not the event dumps. */
  showLogs(logs: string[]): void {
    for (const line of logs) {
      if (/^(onEvent|isComplete|poll)( answer)?\s*\{/.test(line)) continue;
      this.print(`      ${line.length > 220 ? `${line.slice(0, 217)}...` : line}`);
    }
  }

  /** An invocation's answer, its logs shown. */
  async run(functionId: string, event: unknown): Promise<any> {
    const invocation = await this.invoke(functionId, event);
    this.showLogs(invocation.logs);
    return invocation.result;
  }
}
