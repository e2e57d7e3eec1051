/**
 * Resolves CloudFormation intrinsic functions against what a rehearsal knows: the physical ids and attributes
 * of the resources it ran (placeholders for those it did not), the template's parameters, mappings and
 * conditions. Every function aws-cdk-lib emits is resolved; any other stops the rehearsal, named.
 */

/** What a value's references resolve to. */
export interface ResolveContext {
  /** The template's Mappings section. */
  readonly mappings: Record<string, Record<string, Record<string, unknown>>>;
  /** The template's Conditions section. */
  readonly conditions: Record<string, unknown>;
  /** The region Fn::GetAZs answers for when asked for the stack's own (''). */
  readonly region: string;
  /** The value of Ref for a logical id, parameter or pseudo parameter (a list for a list parameter). */
  ref(name: string): unknown;
  /** The value of Fn::GetAtt. */
  getAtt(logicalId: string, attribute: string): string;
}

/** What `Ref: AWS::NoValue` stands for: CloudFormation removes the property or list element it is in. */
export const NO_VALUE = Symbol('AWS::NoValue');

/** A function the rehearsal does not know: CloudFormation would run it, the rehearsal cannot. */
export class UnknownIntrinsic extends Error {
  constructor(readonly fn: string) {
    super(`${fn} is an intrinsic function the rehearsal does not resolve`);
  }
}

type Intrinsic = (arg: any, ctx: ResolveContext, resolve: (value: unknown) => unknown) => unknown;

/** The availability zones moto's regions have, which Fn::GetAZs answers with. */
const ZONES = ['a', 'b', 'c', 'd', 'e', 'f'];

function cidr(block: string, count: number, bits: number): string[] {
  const [address, prefix] = block.split('/');
  const start = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  if (32 - Number(prefix) < bits) throw new Error(`Fn::Cidr cannot cut /${32 - bits} subnets out of ${block}`);
  const toText = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
  return Array.from({ length: count }, (_, i) => `${toText(start + i * 2 ** bits)}/${32 - bits}`);
}

const INTRINSICS: Record<string, Intrinsic> = {
  'Ref': (arg, ctx) => ctx.ref(String(arg)),
  'Fn::GetAtt': (arg, ctx, resolve) => {
    const [id, attribute] = Array.isArray(arg) ? resolve(arg) as string[] : String(arg).split(/\.(.*)/);
    return ctx.getAtt(String(id), String(attribute));
  },
  'Fn::Join': ([separator, parts], _ctx, resolve) => (resolve(parts) as unknown[]).map(String).join(separator),
  'Fn::Select': ([index, list], _ctx, resolve) => (resolve(list) as unknown[])[Number(resolve(index))],
  'Fn::Split': ([separator, text], _ctx, resolve) => String(resolve(text)).split(separator),
  'Fn::Sub': (arg, ctx, resolve) => {
    const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
    const local = resolve(vars) as Record<string, unknown>;
    // One pass, so that a substituted value is never read again: ${!Name} is the literal ${Name}.
    return String(text).replace(/\$\{(!?)([^}]*)\}/g, (_m, literal: string, name: string) => {
      if (literal) return `\${${name}}`;
      if (name in local) return String(local[name]);
      const [id, attribute] = name.split(/\.(.*)/);
      return attribute ? ctx.getAtt(id, attribute) : String(ctx.ref(id));
    });
  },
  'Fn::Base64': (arg, _ctx, resolve) => Buffer.from(String(resolve(arg))).toString('base64'),
  'Fn::GetAZs': (arg, ctx, resolve) => {
    const region = String(resolve(arg) || ctx.region);
    return ZONES.map((zone) => `${region}${zone}`);
  },
  // Another stack's export: not in this rehearsal, so a placeholder, as a reference to a resource it did not run.
  'Fn::ImportValue': (arg, _ctx, resolve) => `<ImportValue ${resolve(arg)}>`,
  'Fn::FindInMap': (arg, ctx, resolve) => {
    const [map, top, second, fallback] = resolve(arg) as [string, string, string, { DefaultValue?: unknown }?];
    const value = ctx.mappings[map]?.[top]?.[second];
    if (value !== undefined) return value;
    if (fallback?.DefaultValue !== undefined) return fallback.DefaultValue;
    throw new Error(`Fn::FindInMap: the mapping ${map} has no ${top}.${second}`);
  },
  'Fn::If': ([condition, whenTrue, whenFalse], ctx, resolve) => resolve(isTrue(condition, ctx) ? whenTrue : whenFalse),
  // CloudFormation compares scalars as strings: a number parameter's "5" equals 5.
  'Fn::Equals': ([a, b], _ctx, resolve) => {
    const text = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));
    return text(resolve(a)) === text(resolve(b));
  },
  'Fn::And': (args: unknown[], _ctx, resolve) => args.every((c) => resolve(c) === true),
  'Fn::Or': (args: unknown[], _ctx, resolve) => args.some((c) => resolve(c) === true),
  'Fn::Not': ([c], _ctx, resolve) => resolve(c) !== true,
  'Condition': (name, ctx) => isTrue(String(name), ctx),
  'Fn::Cidr': (arg, _ctx, resolve) => {
    const [block, count, bits] = resolve(arg) as [string, unknown, unknown];
    return cidr(String(block), Number(count), Number(bits));
  },
  'Fn::Length': (arg, _ctx, resolve) => (resolve(arg) as unknown[]).length,
  'Fn::ToJsonString': (arg, _ctx, resolve) => JSON.stringify(resolve(arg)),
};

/** Whether a condition of the template holds. */
export function isTrue(condition: string, ctx: ResolveContext): boolean {
  if (!(condition in ctx.conditions)) throw new Error(`The template has no condition named ${condition}`);
  return resolveValue(ctx.conditions[condition], ctx) === true;
}

function intrinsicOf(value: unknown): [string, unknown] | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  const [key, arg] = entries[0] ?? [];
  // A condition by name is a string; an IAM statement's Condition block is an object.
  const named = key === 'Ref' || (key === 'Condition' && typeof arg === 'string') || key?.startsWith('Fn::');
  return entries.length === 1 && named ? entries[0] : undefined;
}

/** A value with its intrinsic functions resolved; throws {@link UnknownIntrinsic} for one it does not know. */
export function resolveValue(value: unknown, ctx: ResolveContext): unknown {
  const resolve = (inner: unknown) => resolveValue(inner, ctx);
  if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
  if (!value || typeof value !== 'object') return value;
  const intrinsic = intrinsicOf(value);
  if (intrinsic) {
    const fn = INTRINSICS[intrinsic[0]];
    if (!fn) throw new UnknownIntrinsic(intrinsic[0]);
    return fn(intrinsic[1], ctx, resolve);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]).filter(([, v]) => v !== NO_VALUE));
}

/** The intrinsic functions a value uses that the rehearsal does not resolve. */
export function unknownIntrinsics(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(unknownIntrinsics);
  if (!value || typeof value !== 'object') return [];
  const intrinsic = intrinsicOf(value);
  const own = intrinsic && !(intrinsic[0] in INTRINSICS) ? [intrinsic[0]] : [];
  return [...new Set([...own, ...Object.values(value).flatMap(unknownIntrinsics)])];
}

/** CloudFormation hands custom resources every scalar as a string; so does a rehearsal. */
export { asCloudFormationDelivers } from '../lib/private/contracts/common';
