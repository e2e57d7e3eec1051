/**
 * A state machine of the stack, played as its synthesized definition says, by aws-local-stepfunctions (an
 * Amazon States Language interpreter): its Choice rules, paths, Retry and Catch are the definition's own, so
 * a changed definition is played as changed. Only what reaches outside is the rehearsal's: a Task state that
 * invokes a Lambda function runs the assembly's function in this process, and a Wait state pauses for at most
 * the rehearsal's pause.
 */
import type * as Interpreter from 'aws-local-stepfunctions' with { 'resolution-mode': 'import' };

// The package is an ES module with a CommonJS build, which is what this CommonJS module (and its bundle) loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof Interpreter;

// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node.js has from version 22 on; the rehearsal
// still runs on Node.js 20, where this stands in for it with the same contract.
const promises = Promise as unknown as { withResolvers?: () => unknown };
if (!promises.withResolvers) {
  promises.withResolvers = () => {
    let resolve: unknown;
    let reject: unknown;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

/** What a Task state of the definition reaches: a function of the assembly, or a validator by its ARN. */
export interface TaskRunner {
  /** Runs the stack's function whose ARN a Task state names as its Resource, with the state's input. */
  runFunction(functionArn: string, input: unknown): Promise<unknown>;
  /**
   * Runs the function an `arn:aws:states:::lambda:invoke` state names, within its timeout; answers what the
   * integration answers (`{ Payload }`), or throws an error named as Lambda names the function's error.
   */
  invoke(functionName: string, payload: unknown, timeoutSeconds?: number): Promise<{ Payload: unknown }>;
}

/** A state the execution entered, in order; a Wait state with the seconds its definition asked for. */
export interface PlayedState {
  readonly name: string;
  readonly type: string;
  readonly waitSeconds?: number;
}

/** How an execution is played. */
export interface PlayOptions {
  /** The longest a Wait state pauses, in milliseconds, whatever it asks for. */
  readonly maxPauseMs: number;
  /** Told of each state the execution enters, with its input. */
  readonly onState?: (state: PlayedState, input: any) => void;
  /** The context object's execution and state machine, as Step Functions gives them (`$$.Execution.Id`). */
  readonly context?: { readonly Execution?: { readonly Id: string }; readonly StateMachine?: { readonly Id: string } };
}

/** What an execution did: its output, and the states it went through. */
export interface PlayedRun {
  readonly output: unknown;
  readonly states: PlayedState[];
}

/** The ARN of a Lambda function, as a Task state names it in its Resource. */
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;

/**
 * aws-local-stepfunctions reads a Task's TimeoutSecondsPath from the input after Parameters, where Step
 * Functions reads it from the state's input. So the timeout is carried through Parameters under this key and
 * taken off again before the function is invoked.
 */
const TIMEOUT_KEY = 'rehearsalTimeoutSeconds';

type StateDefinition = Record<string, any>;

/** The path's value in the input, for the few simple paths (`$.a.b`) a definition uses for waits. */
function valueAt(input: any, jsonPath: string): unknown {
  return jsonPath.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce((value, key) => value?.[key], input);
}

/**
 * The definition as aws-local-stepfunctions plays it like Step Functions, and the local handlers of its Task
 * states. A Task that reaches a service the rehearsal does not play stops the rehearsal, naming it.
 */
function prepare(definition: { States: Record<string, StateDefinition> }, runner: TaskRunner) {
  const states: Record<string, StateDefinition> = {};
  const handlers: Record<string, (input: any) => Promise<any>> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Map' || state.Type === 'Parallel') throw new Error(`State ${name} is a ${state.Type} state, which the rehearsal does not play`);
    if (state.Type !== 'Task') { states[name] = state; continue; }
    const resource = String(state.Resource);
    if (FUNCTION_ARN.test(resource)) {
      states[name] = state;
      handlers[name] = (input) => runner.runFunction(resource, input);
    } else if (LAMBDA_INVOKE.test(resource)) {
      const { TimeoutSecondsPath, ...rest } = state;
      states[name] = TimeoutSecondsPath
        ? { ...rest, Parameters: { ...rest.Parameters, [`${TIMEOUT_KEY}.$`]: TimeoutSecondsPath }, TimeoutSecondsPath: `$.${TIMEOUT_KEY}` }
        : state;
      handlers[name] = ({ FunctionName, Payload, [TIMEOUT_KEY]: timeout }) => runner.invoke(FunctionName, Payload, timeout ?? state.TimeoutSeconds);
    } else {
      throw new Error(`State ${name} calls ${resource}, which the rehearsal does not play; it plays Lambda functions and lambda:invoke`);
    }
  }
  return { definition: { ...definition, States: states }, handlers };
}

/** Plays one execution of the definition with this input, to its end. Throws as the execution fails. */
export async function playDefinition(definition: any, input: unknown, runner: TaskRunner, options: PlayOptions): Promise<PlayedRun> {
  const { definition: playable, handlers } = prepare(definition, runner);
  const waits = Object.fromEntries(Object.entries(playable.States).filter(([, s]) => s.Type === 'Wait').map(([name]) => [name, options.maxPauseMs]));
  // Retries of a failed Lambda call wait a moment, not the definition's backoff of minutes.
  const retries = Object.fromEntries(Object.entries(playable.States).filter(([, s]) => s.Retry).map(([name]) => [name, 10]));
  const machine = new StateMachine(playable as any, { validationOptions: { checkArn: false, checkPaths: true } });
  const overrides = { taskResourceLocalHandlers: handlers, waitTimeOverrides: waits, retryIntervalOverrides: retries };
  const execution = machine.run(input as any, { overrides, ...(options.context ? { context: options.context as any } : {}) });
  const states: PlayedState[] = [];
  const watching = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type !== 'StateEntered' || 'parentState' in event) continue;
      const definitionOf = playable.States[event.state.name] ?? {};
      const asked = definitionOf.Seconds ?? (definitionOf.SecondsPath ? valueAt(event.state.input, definitionOf.SecondsPath) : undefined);
      const state: PlayedState = { name: event.state.name, type: event.state.type, ...(event.state.type === 'Wait' ? { waitSeconds: Number(asked) } : {}) };
      states.push(state);
      options.onState?.(state, event.state.input);
    }
  })();
  try {
    const output = await execution.result;
    return { output, states };
  } finally {
    await watching.catch(() => undefined);
  }
}
