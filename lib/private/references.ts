/**
 * What a value of the template refers to, and hashes of values as the template will hold them: how a
 * restore finds the resources its inputs name, and names what changes exactly when its inputs do.
 */
import { createHash } from 'crypto';
import { CfnResource, DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, Reference, Stack, StringConcat, Tokenization } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Eight hex digits of a hash of inputs as the template will hold them: names derived from it change
 * exactly when the inputs do.
 */
export function inputsHash(scope: Construct, inputs: object): string {
  return createHash('sha256').update(JSON.stringify(Stack.of(scope).resolve(inputs))).digest('hex').slice(0, 8);
}

/**
 * The resources of the scope's stack that a value refers to (by Ref or Fn::GetAtt, however nested), found
 * by the references' own targets: a logical id alone could name a resource of another stack with the same
 * construct path.
 */
export function referencedResources(scope: Construct, value: unknown): CfnResource[] {
  const stack = Stack.of(scope);
  const found = new Set<CfnResource>();
  class Collector extends DefaultTokenResolver {
    resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
      if (token instanceof Reference && token.target instanceof CfnResource && Stack.of(token.target) === stack) found.add(token.target);
      return super.resolveToken(token, context, postProcessor);
    }
  }
  Tokenization.resolve(value, { scope, resolver: new Collector(new StringConcat()) });
  return [...found];
}
