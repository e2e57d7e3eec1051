/**
 * cdk-nag suppressions for what the library cannot make compliant, written as the resource metadata
 * cdk-nag reads (`cdk_nag.rules_to_suppress`), so the library does not depend on cdk-nag. Each one says
 * why, and is as narrow as the finding: IAM5 suppressions name the wildcard they accept.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One accepted finding: the rule, why, and for IAM4/IAM5 which policy or wildcard it applies to. */
export interface NagSuppression {
  /** The rule id, such as `AwsSolutions-IAM5`. */
  readonly id: string;
  readonly reason: string;
  /** Finding ids (`Resource::...`, `Action::...`, `Policy::...`); a string is exact, `{ regex }` a pattern. */
  readonly appliesTo?: ReadonlyArray<string | { readonly regex: string }>;
}

function cfnResourceOf(construct: IConstruct): CfnResource | undefined {
  if (construct instanceof CfnResource) return construct;
  const child = construct.node.defaultChild;
  return child instanceof CfnResource ? child : undefined;
}

/** Adds suppressions to a construct's CloudFormation resource, merged with any it has. */
export function suppressNag(construct: IConstruct, suppressions: readonly NagSuppression[]): void {
  const resource = cfnResourceOf(construct);
  if (!resource) throw new Error(`Internal error: ${construct.node.path} has no CloudFormation resource to carry cdk-nag suppressions`);
  const existing: object[] = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  const added = suppressions.map(({ id, reason, appliesTo }) => ({ id, reason, ...(appliesTo ? { applies_to: appliesTo } : {}) }));
  const unique = [...new Map([...existing, ...added].map((rule) => [JSON.stringify(rule), rule])).values()];
  resource.addMetadata('cdk_nag', { rules_to_suppress: unique });
}

/**
 * How cdk-nag names a resource in an IAM5 finding, rendered by its rules (cdk-nag's flattenCfnReference): a
 * reference as `<LogicalId>`, an attribute as `<LogicalId.Attribute>`, an import as its export's name, a Sub by
 * its text, `${` and `}` in any string as `<` and `>`, and anything else as its JSON.
 */
export function nagResourceName(stack: Stack, resource: string): string {
  const render = (value: unknown): string => {
    if (value === undefined) return '';
    if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const v = (value ?? {}) as Record<string, any>;
    if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
    if (v['Fn::Sub']) return render(v['Fn::Sub']);
    if (v['Fn::GetAtt']) return `<${render(v['Fn::GetAtt'][0])}.${render(v['Fn::GetAtt'][1])}>`;
    if (v['Fn::ImportValue']) return render(v['Fn::ImportValue']);
    if (v.Ref) return `<${render(v.Ref)}>`;
    return JSON.stringify(value);
  };
  return `Resource::${render(stack.resolve(resource))}`;
}

/** A finding id for a resource ARN that holds a token, matched whatever the token's logical id. */
export function tokenArnPattern(suffix: string): { regex: string } {
  return { regex: `/^Resource::<[A-Za-z0-9]+\\.Arn>${suffix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$/` };
}
