/**
 * The library's synth-time errors as aws-cdk-lib raises its own: a ValidationError attached to the construct, which
 * `cdk synth` shows with the construct's place in the tree and only the app's own stack frames.
 */
import * as cdk from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Marks an error as an invalid prop, whichever copy of the library made it. */
const INVALID_PROP = Symbol.for('cdk-restore-constructs.invalidProp');

/**
 * One of aws-cdk-lib's error classes, where the app's aws-cdk-lib has it (from 2.17x; their types are internal, so
 * they are looked up at run time), made with the first argument list whose error keeps the message.
 */
function cdkError(className: string, message: string, argumentLists: unknown[][]): Error | undefined {
  const ErrorClass = (cdk as unknown as Record<string, unknown>)[className];
  if (typeof ErrorClass !== 'function') return undefined;
  for (const args of argumentLists) {
    try {
      const error = new (ErrorClass as new (...a: unknown[]) => Error)(...args);
      if (error.message === message) return error;
    } catch {
      // Another aws-cdk-lib's constructor: the next argument list, or none.
    }
  }
  return undefined;
}

/** aws-cdk-lib's ValidationError of the construct; where the app's aws-cdk-lib has none, an Error naming the construct's path. */
export function validationError(construct: IConstruct, message: string): Error {
  return cdkError('ValidationError', message, [['ValidationError', message, construct], [message, construct]])
    ?? new Error(`${message} (at ${construct.node.path})`);
}

/**
 * An invalid prop found where no construct is known (a static factory such as RestoreMetadata.efs, or a check that a
 * construct re-raises as its own): aws-cdk-lib's UnscopedValidationError where it has one.
 */
export function invalidPropError(message: string): Error {
  const error = cdkError('UnscopedValidationError', message, [['ValidationError', message], [message]]) ?? new Error(message);
  Object.defineProperty(error, INVALID_PROP, { value: true });
  return error;
}

/**
 * Re-raises an invalid prop met while a public construct was built as a ValidationError of that construct (found by
 * its id: the catch that calls this may run before `this` exists); any other error goes on as it is.
 */
export function rethrowOnConstruct(scope: IConstruct, id: string, error: unknown): never {
  if (!(error as Record<symbol, unknown>)?.[INVALID_PROP]) throw error;
  throw validationError(scope.node.tryFindChild(id) ?? scope, (error as Error).message);
}
