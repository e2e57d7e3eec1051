/**
 * The plan of an update: for each restore of a stack, what deploying a new synth over the deployed one does
 * to it (nothing, a change in place, a new restore, or a refusal), decided by the same rules the handler
 * applies to CloudFormation's Update, on the values the templates resolve to.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AssemblyStack, pickStack, readStacks, referencesIn } from './assembly';
import { asCloudFormationDelivers } from './intrinsics';
import * as kinds from './kinds';
import { StackState } from './stack-state';
import { newRestoreRefusal, restoreInputChanges, shownValue } from '../lambda/shared/lifecycle';
import type { CommonRestoreProperties } from '../lib/private/contracts/common';
import type { RestoreKind } from '../lib/private/kinds/kind';

/** What an update does to one restore. */
export type PlanVerdict = 'unchanged' | 'in place' | 'new restore' | 'refused' | 'added' | 'removed' | 'unreadable';

/** One restore's part in an update. */
export interface RestorePlan {
  /** The restore's logical id. */
  readonly id: string;
  /** Its kind's construct type (`Custom::PointInTimeRestoredCluster`). */
  readonly type: string;
  readonly verdict: PlanVerdict;
  /** The in-place settings whose values change. */
  readonly inPlace: readonly string[];
  /** The restore inputs whose values change, old and new, as the templates resolve them. */
  readonly inputs: ReadonlyArray<{ property: string; from: unknown; to: unknown }>;
  /** Why: the refusal the handler would answer, or what CloudFormation does with an added or removed restore. */
  readonly reason?: string;
  /**
   * Restore inputs whose value only the deploy tells: they come from parameters (the value passed, or the
   * previous one) or from other resources (a replacement changes them), the same expression in both templates.
   */
  readonly decidedAtDeploy: ReadonlyArray<{ property: string; parameters: string[]; resources: string[] }>;
}

const KINDS: ReadonlyMap<string, RestoreKind> = new Map(Object.values(kinds).map((k) => [k.kind.resourceType, k.kind as unknown as RestoreKind]));

/**
 * The stack to compare against: a cloud assembly (the synth that was deployed), or a template file (what
 * `aws cloudformation get-template` answers for the deployed stack, TemplateBody or the whole answer).
 */
export function readDeployed(location: string, stackName: string): AssemblyStack {
  // The stack is known by its name: another one's restores have another owner, and every Update of them would be refused.
  if (fs.existsSync(location) && fs.statSync(location).isFile()) {
    const parsed = JSON.parse(fs.readFileSync(location, 'utf8'));
    const template = typeof parsed.TemplateBody === 'string' ? JSON.parse(parsed.TemplateBody) : parsed.TemplateBody ?? parsed;
    if (!template.Resources) throw new Error(`${location} is not a CloudFormation template in JSON (it has no Resources).`);
    return {
      name: stackName,
      assemblyDir: path.dirname(path.resolve(location)),
      resources: template.Resources,
      parameters: template.Parameters ?? {},
      mappings: template.Mappings ?? {},
      conditions: template.Conditions ?? {},
      assetDirOf: () => {
        throw new Error('a deployed template has no assets');
      },
    };
  }
  return pickStack(readStacks(location), stackName);
}

/** What a restore input's value depends on that no template holds: the parameters and other resources it refers to. */
function dependsOn(value: unknown, stack: AssemblyStack): { parameters: string[]; resources: string[] } {
  const names = referencesIn(value).filter((name) => !name.startsWith('AWS::'));
  const imported = JSON.stringify(value ?? null).includes('"Fn::ImportValue"') ? ['(an export of another stack)'] : [];
  return {
    parameters: names.filter((n) => n in stack.parameters),
    resources: [...names.filter((n) => n in stack.resources && !['AWS::Lambda::Function', 'AWS::CloudFormation::WaitConditionHandle'].includes(stack.resources[n].Type)), ...imported],
  };
}

/** A restore's properties as CloudFormation delivers them in its request, and as its handler reads them. */
function readRestore(kind: RestoreKind, stack: AssemblyStack, id: string): { delivered: Record<string, unknown>; props: CommonRestoreProperties } {
  const resolved = new StackState(stack).resolve(stack.resources[id].Properties ?? {}, id) as Record<string, unknown>;
  const delivered = asCloudFormationDelivers(resolved) as Record<string, unknown>;
  return { delivered, props: kind.read(delivered) };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function planOne(id: string, kind: RestoreKind, deployed: AssemblyStack, next: AssemblyStack): RestorePlan {
  const type = kind.resourceType;
  const raw = next.resources[id].Properties ?? {};
  const rawBefore = deployed.resources[id].Properties ?? {};
  // An expression the same in both templates resolves at deploy to whatever its parameter or resource holds then.
  const sameExpression = (property: string) => same(raw[property], rawBefore[property]);
  const decidedAtDeploy = Object.keys(raw)
    .filter((property) => !kind.inPlace.includes(property) && sameExpression(property))
    .map((property) => ({ property, ...dependsOn(raw[property], next) }))
    .filter((p) => p.parameters.length || p.resources.length);
  let old: ReturnType<typeof readRestore>;
  let now: ReturnType<typeof readRestore>;
  try {
    old = readRestore(kind, deployed, id);
    now = readRestore(kind, next, id);
  } catch (error) {
    // The reader's message names the property; its value is not repeated, as it may be sensitive.
    return { id, type, verdict: 'unreadable', inPlace: [], inputs: [], reason: String((error as Error).message).replace(/, got [\s\S]*$/, ''), decidedAtDeploy };
  }
  // A parameter's default that changed is not a change: a deploy passes a value, or keeps the previous one.
  const byParameter = (key: string) => key in raw && sameExpression(key) && dependsOn(raw[key], next).parameters.length > 0;
  const inPlace = kind.inPlace.filter((key) => !same((old.props as any)[key], (now.props as any)[key]) && !byParameter(key));
  const inputs = restoreInputChanges(kind, old.props, now.props).filter((c) => !byParameter(c.property));
  if (!inputs.length) return { id, type, verdict: inPlace.length ? 'in place' : 'unchanged', inPlace, inputs, decidedAtDeploy };
  // The physical id is not in a template: the logical id stands for it in the refusal's words.
  const event = {
    RequestType: 'Update', PhysicalResourceId: id, OldResourceProperties: old.delivered, ResourceProperties: now.delivered,
  } as Parameters<typeof newRestoreRefusal>[1];
  const name = kind.derivedName;
  const nameKept = name && !now.props.NameDerived && same(old.delivered[name], now.delivered[name]);
  const refusal = newRestoreRefusal(kind, event, inputs)
    ?? (nameKept ? `the new restore would take the name ${JSON.stringify(now.delivered[name])}, which the one restored before holds until it is removed: `
      + `give ${name} a new value with the new restoreGeneration, or leave it to the construct` : undefined);
  const reason = refusal ?? `restored anew from the new inputs; CloudFormation waits for it, then removes the old one${kind.removal ? ' by its removal policy' : ''}`;
  return { id, type, verdict: refusal ? 'refused' : 'new restore', inPlace, inputs, reason, decidedAtDeploy };
}

/** What deploying `next` over `deployed` does to each restore of the stack, in logical id order. */
export function planUpdate(deployed: AssemblyStack, next: AssemblyStack): RestorePlan[] {
  const restores = (stack: AssemblyStack) => Object.keys(stack.resources).filter((id) => KINDS.has(stack.resources[id].Type));
  const before = new Set(restores(deployed));
  const after = new Set(restores(next));
  const plans: RestorePlan[] = [];
  for (const id of [...new Set([...before, ...after])].sort()) {
    const type = (next.resources[id] ?? deployed.resources[id]).Type;
    const none = { inPlace: [], inputs: [], decidedAtDeploy: [] };
    if (!after.has(id)) {
      const moved = [...after].some((other) => !before.has(other) && next.resources[other].Type === type);
      plans.push({
        id,
        type,
        verdict: 'removed',
        ...none,
        reason: 'CloudFormation deletes it, and what it restored goes by its removal policy'
          + (moved ? '. A restore of the same kind is added under another logical id: if it is this one moved (a changed construct id or path), '
            + 'keep the old id, or it is restored anew' : ''),
      });
    } else if (!before.has(id)) {
      plans.push({ id, type, verdict: 'added', ...none, reason: 'a new restore' });
    } else if (deployed.resources[id].Type !== type) {
      plans.push({
        id,
        type,
        verdict: 'refused',
        ...none,
        reason: `its type changes from ${deployed.resources[id].Type}, which CloudFormation refuses for the whole update: give it a new logical id`,
      });
    } else {
      plans.push(planOne(id, KINDS.get(type)!, deployed, next));
    }
  }
  return plans;
}

/** The plan in lines for a person, sensitive values not shown. */
export function planInWords(plans: readonly RestorePlan[]): string[] {
  const lines: string[] = [];
  for (const plan of plans) {
    const kind = KINDS.get(plan.type);
    const value = (property: string, v: unknown) => shownValue(kind ?? {}, property, v, 120);
    lines.push(`${plan.id} (${plan.type}): ${plan.verdict.toUpperCase()}`);
    if (plan.inPlace.length) lines.push(`    changed in place: ${plan.inPlace.join(', ')}`);
    for (const c of plan.inputs) lines.push(`    restore input ${c.property}: ${value(c.property, c.from)} -> ${value(c.property, c.to)}`);
    if (plan.reason) lines.push(`    ${plan.verdict === 'refused' ? 'the deploy fails: ' : ''}${plan.reason}`);
    for (const p of plan.decidedAtDeploy) {
      const from = [...p.parameters.map((n) => `parameter ${n}`), ...p.resources.map((n) => `resource ${n}`)].join(', ');
      lines.push(`    decided at deploy: restore input ${p.property} comes from ${from}; a value other than the deployed one (a parameter passed anew, `
        + 'a replaced resource) is a changed restore input');
    }
  }
  const count = (verdict: PlanVerdict) => plans.filter((p) => p.verdict === verdict).length;
  lines.push(`Plan: ${plans.length} restore(s): ${count('unchanged')} unchanged, ${count('in place')} changed in place, `
    + `${count('new restore')} restored anew, ${count('refused')} refused, ${count('added')} added, ${count('removed')} removed`
    + `${count('unreadable') ? `, ${count('unreadable')} that cannot be told from the templates` : ''}.`);
  return lines;
}
