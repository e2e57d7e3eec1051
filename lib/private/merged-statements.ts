/**
 * The statements of one role, merged: a statement whose effect, actions and conditions match one already there adds
 * its resources to it, so a policy that many restores (or drills) add to does not grow a statement each.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

export class MergedStatements {
  private readonly statements = new Map<string, iam.PolicyStatement>();

  constructor(private readonly stack: Stack, private readonly role: iam.IRole) {}

  /** Adds the statement to its twin (made on first use); answers the resources it brought that were not there yet. */
  add(statement: iam.PolicyStatement): string[] {
    const json = this.stack.resolve(statement.toStatementJson());
    const key = JSON.stringify({ effect: json.Effect, actions: [json.Action].flat().sort(), conditions: json.Condition });
    let merged = this.statements.get(key);
    if (!merged) {
      merged = new iam.PolicyStatement({ effect: statement.effect, actions: statement.actions, conditions: statement.conditions });
      this.statements.set(key, merged);
      this.role.addToPrincipalPolicy(merged);
    }
    // Each in a list of its own: a resource may be a list token (Lazy.list), which resolves only in a list.
    const resolved = (resource: string) => JSON.stringify(this.stack.resolve([resource]));
    const present = new Set(merged.resources.map(resolved));
    const added = statement.resources.filter((resource) => !present.has(resolved(resource)));
    merged.addResources(...added);
    return added;
  }
}
