/**
 * Reading a cloud assembly for a rehearsal: its stacks, their templates and the order of their resources.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A resource of a synthesized CloudFormation template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DependsOn?: string | string[];
  /** The template condition that decides whether CloudFormation creates it. */
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** A parameter of a synthesized template. */
export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: unknown;
}

/** One stack of a cloud assembly. */
export interface AssemblyStack {
  readonly name: string;
  readonly assemblyDir: string;
  readonly resources: Record<string, TemplateResource>;
  readonly parameters: Record<string, TemplateParameter>;
  readonly mappings: Record<string, Record<string, Record<string, unknown>>>;
  readonly conditions: Record<string, unknown>;
  /** The asset directory that a Lambda function's code comes from, by the asset's S3 key. */
  assetDirOf(s3Key: string): string;
}

export function readStacks(dir: string): AssemblyStack[] {
  const assemblyDir = path.resolve(dir);
  const manifestPath = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`${assemblyDir} is not a cloud assembly (no manifest.json). Pass the directory that cdk synth wrote, usually cdk.out.`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  return Object.entries<any>(manifest.artifacts ?? {})
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([name, artifact]) => {
      const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf8'));
      return {
        name: artifact.properties.stackName ?? name,
        assemblyDir,
        resources: template.Resources ?? {},
        parameters: template.Parameters ?? {},
        mappings: template.Mappings ?? {},
        conditions: template.Conditions ?? {},
        assetDirOf: (s3Key: string) => path.join(assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`),
      };
    });
}

export function pickStack(stacks: AssemblyStack[], name: string | undefined): AssemblyStack {
  if (name) {
    const stack = stacks.find((s) => s.name === name);
    if (!stack) throw new Error(`No stack named ${name} in the assembly; it has ${stacks.map((s) => s.name).join(', ') || 'none'}.`);
    return stack;
  }
  if (stacks.length !== 1) {
    throw new Error(`The assembly has ${stacks.length} stacks (${stacks.map((s) => s.name).join(', ')}); name one with --stack.`);
  }
  return stacks[0];
}

/** The logical ids a value refers to (Ref, Fn::GetAtt and ${} in Fn::Sub). */
export function referencesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (!value || typeof value !== 'object') return [];
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref' && typeof arg === 'string' && !arg.startsWith('AWS::')) return [arg];
    if (key === 'Fn::GetAtt') return [Array.isArray(arg) ? arg[0] : String(arg).split('.')[0]];
    if (key === 'Fn::Sub') {
      const text = Array.isArray(arg) ? arg[0] : arg;
      const names = [...String(text).matchAll(/\$\{([^}!]+)\}/g)].map((m) => m[1].split('.')[0]).filter((n) => !n.startsWith('AWS::'));
      return [...names, ...(Array.isArray(arg) ? referencesIn(arg[1]) : [])];
    }
  }
  return entries.flatMap(([, v]) => referencesIn(v));
}

/** The resources of the template that a resource depends on: by DependsOn, Ref or Fn::GetAtt. */
export function dependenciesOf(resources: Record<string, TemplateResource>, id: string): string[] {
  const r = resources[id];
  const explicit = r.DependsOn === undefined ? [] : [r.DependsOn].flat();
  return [...new Set([...explicit, ...referencesIn(r.Properties)])].filter((d) => d in resources);
}

/** Logical ids in an order where each resource comes after those it depends on. */
export function dependencyOrder(resources: Record<string, TemplateResource>): string[] {
  const deps = (id: string) => dependenciesOf(resources, id);
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw new Error(`The template has a dependency cycle through ${id}`);
    state.set(id, 'visiting');
    deps(id).forEach(visit);
    state.set(id, 'done');
    order.push(id);
  };
  Object.keys(resources).forEach(visit);
  return order;
}
