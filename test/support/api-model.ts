import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/**
 * The official AWS API models, as botocore ships them on this machine (the same models the SDKs
 * are generated from). Requests the handlers send are checked against them: required members,
 * unknown members, and each member's type.
 */

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
}

export interface ApiModel {
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

function botocoreDataDir(): string | undefined {
  try {
    const dir = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
    return path.join(dir, 'data');
  } catch {
    return undefined;
  }
}

/** The model of a service, or undefined when botocore is not installed here. */
export function loadApiModel(service: string): ApiModel | undefined {
  const data = botocoreDataDir();
  if (!data || !fs.existsSync(path.join(data, service))) return undefined;
  const versions = fs.readdirSync(path.join(data, service)).sort();
  const dir = path.join(data, service, versions[versions.length - 1]);
  const gz = path.join(dir, 'service-2.json.gz');
  const text = fs.existsSync(gz) ? zlib.gunzipSync(fs.readFileSync(gz)).toString('utf8') : fs.readFileSync(path.join(dir, 'service-2.json'), 'utf8');
  return JSON.parse(text);
}

/** Every way the value departs from the shape, as readable lines; empty when it conforms. */
export function modelProblems(model: ApiModel, shapeName: string, value: unknown, where = ''): string[] {
  const shape = model.shapes[shapeName];
  if (value === undefined) return [];
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null) return [`${where || shapeName}: expected a structure`];
      const v = value as Record<string, unknown>;
      const problems = (shape.required ?? []).filter((m) => v[m] === undefined).map((m) => `${where}${m}: required member missing`);
      for (const [k, member] of Object.entries(v)) {
        if (member === undefined) continue;
        const def = shape.members?.[k];
        if (!def) problems.push(`${where}${k}: not a member of ${shapeName}`);
        else problems.push(...modelProblems(model, def.shape, member, `${where}${k}.`));
      }
      return problems;
    }
    case 'list':
      if (!Array.isArray(value)) return [`${where}: expected a list`];
      return value.flatMap((item, i) => modelProblems(model, shape.member!.shape, item, `${where}[${i}].`));
    case 'string': {
      if (typeof value !== 'string') return [`${where}: expected a string, got ${JSON.stringify(value)}`];
      const problems: string[] = [];
      if (shape.enum && !shape.enum.includes(value)) problems.push(`${where}: ${value} is not one of ${shape.enum.join(', ')}`);
      if (shape.min !== undefined && value.length < shape.min) problems.push(`${where}: shorter than ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) problems.push(`${where}: longer than ${shape.max}`);
      return problems;
    }
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? [] : [`${where}: expected an integer, got ${JSON.stringify(value)}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${where}: expected a boolean, got ${JSON.stringify(value)}`];
    case 'timestamp':
      return value instanceof Date ? [] : [`${where}: expected a timestamp, got ${JSON.stringify(value)}`];
    default:
      return [];
  }
}

/** Problems of an operation's input against the model. */
export function inputProblems(model: ApiModel, operation: string, input: unknown): string[] {
  const op = model.operations[operation];
  if (!op) return [`${operation} is not an operation of this model`];
  return modelProblems(model, op.input!.shape, input);
}

/** True on CI, where a missing tool must fail the run rather than skip the test. */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
