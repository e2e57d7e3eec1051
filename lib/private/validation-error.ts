/**
 * The library's synth-time errors as aws-cdk-lib raises its own: a ValidationError attached to the construct, which
 * `cdk synth` shows with the construct's place in the tree and only the app's own stack frames.
 */
import * as cdk from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** An invalid prop, found before the construct it belongs to is known (or while it is being built). */
export class InvalidPropError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPropError';
  }
}

/**
 * aws-cdk-lib's ValidationError for the construct, where the app's aws-cdk-lib has it (from 2.17x; its type is
 * internal, so it is looked up at run time and its constructor checked by the message it keeps); else an Error
 * that names the construct's path.
 */
export function validationError(construct: IConstruct, message: string): Error {
  const ValidationError = (cdk as unknown as Record<string, unknown>).ValidationError;
  if (typeof ValidationError === 'function') {
    const Make = ValidationError as new (...args: unknown[]) => Error;
    for (const args of [['ValidationError', message, construct], [message, construct]]) {
      try {
        const error = new Make(...args);
        if (error.message === message) return error;
      } catch {
        // Another aws-cdk-lib's constructor: the next form, or the plain error below.
      }
    }
  }
  return new Error(`${message} (at ${construct.node.path})`);
}

/**
 * Re-raises an invalid prop met while a public construct was built as a ValidationError of that construct (or of
 * its scope, when the check ran before the construct was made); any other error goes on as it is.
 */
export function rethrowOnConstruct(scope: IConstruct, id: string, error: unknown): never {
  if (!(error instanceof InvalidPropError)) throw error;
  throw validationError(scope.node.tryFindChild(id) ?? scope, error.message);
}
