/**
 * A construct's `removalPolicy` in its kind's words, refused at synth where the kind does not offer it.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RemovalPolicyName, RemovalRule } from './contracts/common';
import { invalidProp } from './prop-checks';

/** aws-cdk-lib's removal policies as the contracts name them. */
const NAMES = new Map<RemovalPolicy, RemovalPolicyName>([
  [RemovalPolicy.SNAPSHOT, 'snapshot'],
  [RemovalPolicy.DESTROY, 'destroy'],
  [RemovalPolicy.RETAIN, 'retain'],
]);

/**
 * A construct's `removalPolicy` as its kind's contract names it, or the kind's default; a policy the kind
 * does not offer fails synth with the hint.
 */
export function removalPolicyName<T extends RemovalPolicyName>(policy: RemovalPolicy | undefined, rule: RemovalRule<T>, hint: string): T {
  if (policy === undefined) return rule.default;
  const name = NAMES.get(policy);
  if (!name || !(rule.allowed as readonly string[]).includes(name)) invalidProp('removalPolicy', policy, hint);
  return name as T;
}
