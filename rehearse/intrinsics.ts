/**
 * Resolves CloudFormation intrinsic functions against what a rehearsal knows: the physical ids
 * and attributes of the resources it ran, and placeholders for those it did not.
 */
export interface ResolveContext {
  /** The value of Ref for a logical id or pseudo parameter. */
  ref(name: string): string;
  /** The value of Fn::GetAtt. */
  getAtt(logicalId: string, attribute: string): string;
}

export function resolveValue(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
    const [fn, arg] = entries[0];
    switch (fn) {
      case 'Ref':
        return ctx.ref(String(arg));
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        return ctx.getAtt(String(id), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolveValue(parts, ctx) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (resolveValue(list, ctx) as unknown[])[Number(resolveValue(index, ctx))];
      }
      case 'Fn::Split': {
        const [separator, text] = arg as [string, unknown];
        return String(resolveValue(text, ctx)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        const local = resolveValue(vars, ctx) as Record<string, unknown>;
        return String(text).replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
          if (name in local) return String(local[name]);
          const [id, attribute] = name.split(/\.(.*)/);
          return attribute ? ctx.getAtt(id, attribute) : ctx.ref(id);
        });
      }
      default:
        return `<${fn}>`;
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveValue(v, ctx)]));
}

/** CloudFormation hands custom resources every scalar as a string; so does a rehearsal. */
export function asCloudFormationDelivers(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(asCloudFormationDelivers);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asCloudFormationDelivers(v)]));
  return value;
}
