/**
 * What a rehearsal knows of the stack it plays: the physical ids and attributes of what it ran or made, and
 * the values the template's references resolve to from them, its parameters and pseudo parameters.
 */
import * as kms from '@aws-sdk/client-kms';
import { AssemblyStack } from './assembly';
import { isTrue, NO_VALUE, resolveValue, ResolveContext, UnknownIntrinsic } from './intrinsics';
import { RehearsalFailure } from './outcome';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export class StackState {
  readonly physicalIds = new Map<string, string>();
  readonly attributes = new Map<string, Record<string, string>>();
  private readonly context: ResolveContext;

  constructor(private readonly stack: AssemblyStack) {
    this.context = {
      ref: (name) => this.ref(name),
      getAtt: (id, attribute) => this.getAtt(id, attribute),
      mappings: stack.mappings,
      conditions: stack.conditions,
      region: REGION,
    };
  }

  /** Fixed, so a second rehearsal of the same stack is the same stack to the handlers (adoption). */
  get stackId(): string {
    return `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${this.stack.name}/rehearsal`;
  }

  /** A value of resource `id`'s template, resolved; an intrinsic function the rehearsal does not know stops it. */
  resolve(value: unknown, id: string): unknown {
    try {
      return resolveValue(value, this.context);
    } catch (error) {
      if (error instanceof UnknownIntrinsic) throw new RehearsalFailure(`${id}: ${error.message}, so it cannot be rehearsed`);
      throw error;
    }
  }

  /** Whether CloudFormation creates the resource: it has no condition, or its condition holds. */
  creates(id: string): boolean {
    const condition = this.stack.resources[id].Condition;
    if (condition === undefined) return true;
    try {
      return isTrue(condition, this.context);
    } catch (error) {
      if (error instanceof UnknownIntrinsic) throw new RehearsalFailure(`${id}: its condition ${condition}: ${error.message}, so it cannot be rehearsed`);
      throw error;
    }
  }

  private ref(name: string): unknown {
    const pseudo: Record<string, string> = {
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stack.name,
      'AWS::StackId': this.stackId,
    };
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in pseudo) return pseudo[name];
    const known = this.physicalIds.get(name);
    if (known !== undefined) return known;
    const parameter = this.stack.parameters[name];
    // A parameter's default is what a deploy without overrides gets; a list parameter's is split as CloudFormation splits it.
    // An SSM parameter's value is what the account's parameter holds, which the rehearsal does not know.
    if (parameter?.Default !== undefined && !parameter.Type.startsWith('AWS::SSM::Parameter::Value<')) {
      return /^(List<|CommaDelimitedList)/.test(parameter.Type) ? String(parameter.Default).split(',') : String(parameter.Default);
    }
    return `<${name}>`;
  }

  private getAtt(id: string, attribute: string): string {
    const value = this.attributes.get(id)?.[attribute];
    if (value !== undefined) return value;
    if (attribute === 'Arn' && this.stack.resources[id]?.Type === 'AWS::Lambda::Function') {
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    }
    return `<${id}.${attribute}>`;
  }

  /**
   * A resource of the stack that a restore refers to and the emulator can hold (a KMS key, a bucket): made
   * there, so the restore gets a real ARN rather than a placeholder. What it made, or undefined for other types.
   */
  async makeInEmulator(id: string): Promise<string | undefined> {
    const resource = this.stack.resources[id];
    if (resource.Type === 'AWS::KMS::Key') {
      const { KeyMetadata: key } = await new kms.KMSClient({}).send(new kms.CreateKeyCommand({ Description: `${this.stack.name}/${id} (rehearsal)` }));
      this.physicalIds.set(id, key!.KeyId!);
      this.attributes.set(id, { Arn: key!.Arn!, KeyId: key!.KeyId! });
      return key!.Arn!;
    }
    if (resource.Type === 'AWS::S3::Bucket') {
      const name = String(this.resolve(resource.Properties?.BucketName ?? `${this.stack.name}-${id}`.toLowerCase().slice(0, 63), id));
      const created = await fetch(`${process.env.AWS_ENDPOINT_URL}/${encodeURIComponent(name)}`, { method: 'PUT' });
      if (!created.ok) throw new Error(`creating bucket ${name} in the emulator answered ${created.status}`);
      this.physicalIds.set(id, name);
      this.attributes.set(id, { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` });
      return name;
    }
    return undefined;
  }
}
