/**
 * What the shared provider checks of the app it is part of: the newest Node.js runtime the installed
 * aws-cdk-lib offers, and a stack's nearness to CloudFormation's resource limit.
 */
import { Annotations, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';

/** CloudFormation's limit of resources in one stack, and the share of it at which synth warns. */
const STACK_RESOURCE_LIMIT = 500;
const STACK_RESOURCE_WARNING = 450;

/**
 * The newest Node.js runtime the installed aws-cdk-lib offers: the handler bundle needs nothing newer
 * than Node.js 20, and cdk-nag (AwsSolutions-L1) asks for the newest.
 */
export function newestNodeRuntime(): lambda.Runtime {
  const major = (runtime: lambda.Runtime) => Number(/^nodejs(\d+)\.x$/.exec(runtime.name)?.[1] ?? 0);
  return lambda.Runtime.ALL.filter((runtime) => runtime.family === lambda.RuntimeFamily.NODEJS && major(runtime) > 0)
    .reduce((newest, runtime) => (major(runtime) > major(newest) ? runtime : newest), lambda.Runtime.NODEJS_22_X);
}

/** Warns when a stack with restores nears CloudFormation's resource limit, before a deploy fails on it. */
export class StackSizeWarning implements IAspect {
  constructor(private readonly stack: Stack) {}

  visit(node: IConstruct): void {
    if (node !== this.stack) return;
    const count = this.stack.node.findAll().filter((c) => c instanceof CfnResource && Stack.of(c) === this.stack).length;
    if (count >= STACK_RESOURCE_WARNING) {
      Annotations.of(this.stack).addWarningV2('cdk-restore-constructs:stackSize',
        `Stack ${this.stack.stackName} has ${count} CloudFormation resources, near the limit of ${STACK_RESOURCE_LIMIT}: each restore adds 4 resources `
        + 'plus its instances and network. Split the restores across stacks (each stack gets its own handler) before a deploy fails on the limit.');
    }
  }
}
