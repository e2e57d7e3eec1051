/**
 * The executions of the stack's state machines, played as their synthesized definitions say (see
 * `state-machine-player.ts`): their Task states run the assembly's functions here, their waits are shortened,
 * and what each went through is recorded.
 */
import { TemplateResource } from './assembly';
import { FunctionRunner } from './functions';
import { RehearsalFailure, RehearsedExecution } from './outcome';
import { ACCOUNT, REGION, StackState } from './stack-state';
import { PlayedState, playDefinition, TaskRunner } from './state-machine-player';
import { PlayedExecution } from './step-functions';
import { ValidatorRunner } from './validators';
import type { DrillReport } from '../lambda/shared/drill-report';
import { DRILL_STATE_MACHINE_PREFIX } from '../lib/private/contracts/drill';

/** Seconds since `start`, as the progress lines show them. */
export function elapsedSince(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)}s`;
}

export class ExecutionPlayer {
  /** The executions played, in order. */
  readonly executions: RehearsedExecution[] = [];
  private readonly stateMachines = new Map<string, string>();

  constructor(
    private readonly resources: Record<string, TemplateResource>,
    private readonly state: StackState,
    private readonly functions: FunctionRunner,
    private readonly validators: ValidatorRunner,
    private readonly options: { readonly maxPauseMs: number; print(line: string): void },
  ) {
    // Named so that Ref can name them.
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
      state.physicalIds.set(id, arn);
      this.stateMachines.set(id, arn);
    }
  }

  /** Plays an execution; `label` is the resource it is for. A failed execution fails that resource. */
  async play(label: string, execution: PlayedExecution): Promise<void> {
    execution.played = true;
    const machineId = [...this.stateMachines].find(([, arn]) => execution.arn.startsWith(`${arn.replace(':stateMachine:', ':execution:')}:`))?.[0];
    if (!machineId) throw new RehearsalFailure(`${label}: execution ${execution.arn} is of no state machine of the stack`);
    const definition = JSON.parse(String(this.state.resolve(this.resources[machineId].Properties?.DefinitionString, machineId)));
    const start = Date.now();
    const runner: TaskRunner = {
      runFunction: (arn, input) => this.functions.run(this.functionOf(arn, machineId), input),
      invoke: (functionName, payload, timeoutSeconds) => this.validators.run(label, functionName, payload, timeoutSeconds),
    };
    const onState = (state: PlayedState, input: any) => {
      if (state.type !== 'Wait') return;
      this.options.print(`    ${input.PhysicalResourceId}: status "${input.LastStatus}" (${elapsedSince(start)}; next look asked for in ${state.waitSeconds}s)`);
    };
    try {
      const run = await playDefinition(definition, JSON.parse(execution.input), runner, { maxPauseMs: this.options.maxPauseMs, onState });
      this.executions.push({ resource: label, stateMachine: machineId, states: run.states });
      Object.assign(execution, { status: 'SUCCEEDED', output: run.output });
    } catch (error) {
      const failure = ((error as Error)?.cause ?? error) as Error;
      Object.assign(execution, { status: 'FAILED', error: failure?.name ?? 'Error', cause: failure?.message });
      throw new RehearsalFailure(`${label}: the execution of ${machineId} failed: ${failure?.name}: ${failure?.message}`);
    }
  }

  /** The stack's drill state machines (their ids), which the library names CdkRestoreDrill-... */
  drillMachines(): string[] {
    return [...this.stateMachines.keys()].filter((id) => String(this.resources[id].Properties?.StateMachineName ?? '').startsWith(DRILL_STATE_MACHINE_PREFIX));
  }

  /** Plays one run of a drill, as its schedule starts it (input `{}`); answers the run's report. */
  async playDrill(machineId: string): Promise<DrillReport> {
    const arn = this.stateMachines.get(machineId)!;
    const definition = JSON.parse(String(this.state.resolve(this.resources[machineId].Properties?.DefinitionString, machineId)));
    const runner: TaskRunner = {
      runFunction: (functionArn, input) => this.functions.run(this.functionOf(functionArn, machineId), input),
      invoke: (functionName, payload, timeoutSeconds) => this.validators.run(machineId, functionName, payload, timeoutSeconds),
    };
    const onState = (state: PlayedState, input: any) => {
      if (state.type === 'Wait' && input.phase) this.options.print(`    ${input.RestoredId ?? 'drill'}: ${input.phase}${input.LastStatus ? `, status "${input.LastStatus}"` : ''}`);
    };
    const execution = `${arn.replace(':stateMachine:', ':execution:')}:rehearsal-${Date.now()}`;
    const run = await playDefinition(definition, {}, runner, {
      maxPauseMs: this.options.maxPauseMs, onState, context: { Execution: { Id: execution }, StateMachine: { Id: arn } },
    });
    this.executions.push({ resource: machineId, stateMachine: machineId, states: run.states });
    const report = (run.output as { Report?: DrillReport } | undefined)?.Report;
    if (!report) throw new RehearsalFailure(`${machineId}: the drill run ended without a report`);
    return report;
  }

  /** The stack's function a Task state names by its ARN. */
  private functionOf(arn: string, machineId: string): string {
    const id = arn.split(':function:')[1];
    if (this.resources[id]?.Type !== 'AWS::Lambda::Function') throw new RehearsalFailure(`State machine ${machineId} invokes ${arn}, which is no function of the stack`);
    return id;
  }
}
