/**
 * Wire contract shared by every restore kind: what the constructs put in a custom resource's
 * properties and what the handler reads back. Imported by both sides so they cannot drift.
 *
 * CloudFormation hands every scalar property to the handler as a string, so each reader
 * here accepts the string form as well as the typed one.
 */

/** Properties every restore custom resource carries besides its kind's own. */
export interface CommonRestoreProperties {
  /** How long the restore may take before it fails, in seconds (the wait condition's Timeout). */
  readonly TimeoutSeconds: number;
  /**
   * Logical id of the wait condition handle that the poller signals when the restore ends. The handle's
   * URL is presigned, so whoever holds it can answer for the restore: the handler looks it up (it is the
   * handle's physical id) only to signal, and it never travels in properties, logs or execution state.
   */
  readonly WaitHandle?: string;
  /**
   * Whether a validation follows the restore: then the validation's end, not the restore's, ends the recovery,
   * and only the validation publishes the recovery time.
   */
  readonly Validated?: boolean;
  /**
   * The user's `restoreGeneration`: a restore input like the others, and the one by which an Update asks for a
   * new restore. Without a change of it, an Update whose other restore inputs changed is refused.
   */
  readonly RestoreGeneration?: number;
  /**
   * Set when the construct derived the name of what it restores (its kind's `derivedName` property) rather
   * than the user giving it: a derived name that changes alone (a library upgrade names it otherwise) is no
   * new restore, and what was restored keeps the name it has.
   */
  readonly NameDerived?: boolean;
}

/**
 * CloudFormation type of the custom resource that has the user's function validate a restored resource, once
 * what the construct builds on it (its instances, the network rules to it) exists.
 */
export const VALIDATION_RESOURCE_TYPE = 'Custom::RestoreValidation';

/** The validation custom resource's properties. */
export interface ValidationProperties {
  /** The validator. */
  readonly FunctionArn: string;
  /** How long the validator may take, in seconds (at most 900, Lambda's limit). */
  readonly TimeoutSeconds: number;
  /** The construct's path in the app, and its kind (its class name), told to the validator. */
  readonly ConstructPath: string;
  readonly Kind: string;
  /** What the restore restored from, as the construct describes it (a time, a backup, a snapshot). */
  readonly RestorePoint: string;
  /** The restore's custom resource type, and what it restored: to describe the restored resource. */
  readonly RestoreResourceType: string;
  readonly RestoredId: string;
  readonly Engine?: string;
  /** The restore's custom resource, whose metrics the validation's figures join. */
  readonly RestoreLogicalId: string;
  /** When the restore started (epoch milliseconds), from its wait's signal; absent when unknown. */
  readonly RestoreStartedAt?: number;
  /** How long the restore took, in seconds, from its wait's signal; absent when unknown. */
  readonly RestoreSeconds?: number;
}

/** The longest a validator may run: Lambda's own limit. */
export const MAX_VALIDATION_SECONDS = 900;

/**
 * The event the poller sends the user's validator: what was restored and where to reach it. Its public
 * twin is `RestoreValidationEvent` (lib/restore-validation.ts), which users' validators type their event with.
 */
export interface ValidationEvent {
  readonly kind: string;
  readonly constructPath: string;
  readonly stackId: string;
  readonly physicalResourceId: string;
  readonly attributes: Record<string, string>;
  readonly restorePoint: string;
  readonly restoreSeconds: number;
  /** The drill whose run this is; absent for the deploy-time restore. */
  readonly drill?: string;
}

/**
 * The construct's `recoveryTime`: an attribute of the attributes resource (seconds from the restore's start to
 * its end) and of the validation resource (to the validation's end).
 */
export const RECOVERY_TIME_ATTRIBUTE = 'RecoveryTime';

/** Attribute of the attributes resource: when the restore started (epoch milliseconds), empty when unknown. */
export const RESTORE_STARTED_AT_ATTRIBUTE = 'RestoreStartedAt';

/** What the poller puts in a finished restore's signal (the wait condition's Data), for the attributes resource. */
export interface RestoreTiming {
  /** When the restore started, epoch milliseconds. */
  readonly startedAt: number;
  /** Seconds it took. */
  readonly seconds: number;
}

/**
 * CloudFormation type of the small custom resource that reads a restored resource's attributes
 * once its wait condition has been signalled.
 */
export const ATTRIBUTES_RESOURCE_TYPE = 'Custom::RestoredResourceAttributes';

/**
 * Properties of the attributes resource: what names the restored resource, and nothing of the restore's
 * inputs (its Update follows the restored id, not them).
 */
export interface AttributesProperties {
  /** The CloudFormation type of the restore whose attributes to read. */
  readonly RestoreResourceType: string;
  /** The restore's physical id. */
  readonly RestoredId: string;
  /** The engine of a restored DB cluster, which selects the API that describes it. */
  readonly Engine?: string;
  /**
   * A hash of the restore's in-place properties: a change to them (a managed secret turned on) changes
   * what describe returns, so the attributes are read again.
   */
  readonly Revision?: string;
  /** The wait condition's Data: the poller's signal, which carries the restore's timing ({@link RestoreTiming}). */
  readonly WaitData?: string;
}

/** Reads the attributes resource's properties. */
export function readAttributesProperties(props: Record<string, unknown>): AttributesProperties {
  return {
    RestoreResourceType: readString('RestoreResourceType', props.RestoreResourceType),
    RestoredId: readString('RestoredId', props.RestoredId),
    Engine: readOptionalString('Engine', props.Engine),
    Revision: readOptionalString('Revision', props.Revision),
    WaitData: readOptionalString('WaitData', props.WaitData),
  };
}

/** Seconds between two polls of a delete by the provider framework. */
export const POLL_INTERVAL_SECONDS = 30;

/** The longest a custom resource can wait on its own (CloudFormation's ServiceTimeout). */
export const MAX_CUSTOM_RESOURCE_WAIT_SECONDS = 3600;

/**
 * The longest a wait condition can wait (its Timeout's maximum), and so the longest `timeout` of a
 * restore. The constructs document these bounds and this default on their `timeout` props.
 */
export const MAX_WAIT_CONDITION_SECONDS = 43200;

/** The shortest `timeout` of a restore: the poller's first looks come 20 and 40 seconds in. */
export const MIN_TIMEOUT_SECONDS = 300;

/** The `timeout` of a restore given none. */
export const DEFAULT_TIMEOUT_SECONDS = 10800;

/** Environment variable of the onEvent handler that names the per-stack polling state machine. */
export const STATE_MACHINE_ARN_ENV = 'RESTORE_POLLER_STATE_MACHINE_ARN';

/** Tag that records which stack resource created a cluster: a hash of the stack id and logical id. */
export const OWNER_TAG_KEY = 'cdk-restore-constructs:owner';

/** Tag that records a hash of the restore inputs the cluster was created from. */
export const REQUEST_TAG_KEY = 'cdk-restore-constructs:request';

/**
 * Tag the poller puts on a cluster once its restore is available: from then on the cluster holds data
 * of its own, and a delete under SNAPSHOT takes a final snapshot whatever state it is in.
 */
export const RESTORED_TAG_KEY = 'cdk-restore-constructs:restored';

/**
 * Tag that records which settings ModifyDBCluster was asked to apply once the restored cluster was
 * available (a hash of them), so a repeated poll does not ask again.
 */
export const CONFIGURED_TAG_KEY = 'cdk-restore-constructs:configured';

/**
 * Tag that records the Update whose in-place change ModifyDBCluster was last asked for (a hash of its request
 * id), so that each of the provider framework's looks at the change does not ask again.
 */
export const CHANGED_TAG_KEY = 'cdk-restore-constructs:changed';

/**
 * Tag on everything the handler restores or copies: the id of the stack whose restore made it. The
 * handler role's rights to change and delete are conditioned on it (aws:ResourceTag), and to create on the
 * create call carrying it (aws:RequestTag), so the role's statements do not grow with the restores.
 */
export const STACK_TAG_KEY = 'cdk-restore-constructs:stack';

/**
 * The key of the template Metadata in which a restore's custom resource records its restoreGeneration (absent
 * when it has none, which is 0): a restore that is another resource (Huawei's) reads there whether the one it
 * follows in the stack was of the same generation.
 */
export const GENERATION_METADATA_KEY = 'cdk-restore-constructs:restoreGeneration';

/** CloudWatch namespace of the metrics the poller publishes, one set per restore. */
export const METRICS_NAMESPACE = 'CdkRestoreConstructs';

/** The metrics' dimensions: the restore's stack, and its custom resource's logical id in that stack. */
export const METRIC_DIMENSIONS = { stack: 'StackName', restore: 'Restore' } as const;

/**
 * The metrics: `Progress` (percent done, the service's figure where it gives one, else 0 until the
 * restore is usable and then 100), `Duration` (seconds since the restore started, at every look and at
 * its end, so a maximum over it climbs while a slow restore runs), `Failed` (1 when the restore the poller
 * watched failed, 0 when it succeeded, at its end; 1 again when its validation fails), `RecoveryTime` (seconds
 * from the start of a restore that succeeded to its end, or with a validation to the validation's passing; once).
 */
export const METRIC_NAMES = { progress: 'Progress', duration: 'Duration', failed: 'Failed', recoveryTime: 'RecoveryTime' } as const;

/** What happens to a restored resource when its stack resource is deleted. */
export type RemovalPolicyName = 'snapshot' | 'destroy' | 'retain';

/** The removal policies a kind offers, and the one it takes when given none. */
export interface RemovalRule<T extends RemovalPolicyName = RemovalPolicyName> {
  readonly allowed: readonly T[];
  readonly default: T;
}

/** Reads a kind's RemovalPolicy property by its rule. */
export function readRemovalPolicy<T extends RemovalPolicyName>(raw: unknown, rule: RemovalRule<T>): T {
  return readEnum('RemovalPolicy', raw ?? rule.default, rule.allowed);
}

/** Properties the library adds to every restore; none of them is a restore input. */
export const LIBRARY_PROPERTIES: readonly (keyof CommonRestoreProperties)[] = ['TimeoutSeconds', 'WaitHandle', 'Validated', 'NameDerived'];

/**
 * The restore inputs among a kind's properties: all but those the kind changes in place (its
 * `inPlace` list) and the library's own. A change to any input needs a new restore; the construct
 * names the wait after them, the handler replaces on them.
 */
export function restoreInputsOf(props: object, inPlace: readonly string[]): Record<string, unknown> {
  const library: readonly string[] = LIBRARY_PROPERTIES;
  return Object.fromEntries(Object.entries(props).filter(([key]) => !inPlace.includes(key) && !library.includes(key)));
}

/** Reads a boolean that CloudFormation may have turned into "true"/"false". */
export function readBoolean(name: string, raw: unknown): boolean | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new Error(`Property ${name} must be true or false, got ${JSON.stringify(raw)}`);
}

/** Reads an integer that CloudFormation may have turned into a string. */
export function readInteger(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value)) throw new Error(`Property ${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return value;
}

/** Reads a required string property. */
export function readString(name: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw new Error(`Property ${name} is required and must be a string, got ${JSON.stringify(raw)}`);
  return raw;
}

/** Reads an optional string property. */
export function readOptionalString(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  return readString(name, raw);
}

/** Reads one of a fixed set of string values. */
export function readEnum<T extends string>(name: string, raw: unknown, allowed: readonly T[]): T {
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) return raw as T;
  throw new Error(`Property ${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
}

/** Reads an optional ISO 8601 time, kept as the string it was given. */
export function readIsoTime(name: string, raw: unknown): string | undefined {
  const time = readOptionalString(name, raw);
  if (time !== undefined && Number.isNaN(Date.parse(time))) throw new Error(`Property ${name} must be an ISO 8601 time, got ${JSON.stringify(time)}`);
  return time;
}

/** A resource tag as the RDS, Neptune and most other APIs take it. */
export interface ApiTag {
  readonly Key: string;
  readonly Value: string;
}

/** Reads a list of tags as `{Key, Value}` pairs. */
export function readTags(raw: unknown): ApiTag[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new Error(`Property Tags must be a list of {Key, Value}, got ${JSON.stringify(raw)}`);
  return raw.map((tag, i) => ({ Key: readString(`Tags[${i}].Key`, tag?.Key), Value: String(tag?.Value ?? '') }));
}

/** Reads an optional list of strings. */
export function readStringList(name: string, raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new Error(`Property ${name} must be a list of strings, got ${JSON.stringify(raw)}`);
  return raw.map((item, i) => readString(`${name}[${i}]`, item));
}

/** Reads an optional map of strings (tags, restore metadata, database names). */
export function readStringMap(name: string, raw: unknown): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`Property ${name} must be a map of strings, got ${JSON.stringify(raw)}`);
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')]));
}

/** How one property is read: from its name (for messages) and the value CloudFormation delivered. */
export type PropertyReader<V> = (name: string, raw: unknown) => V;

/** Reads the properties a table names, each by its reader: a property's name is written once, as its key. */
export function readFields<T>(props: Record<string, unknown>, readers: { readonly [K in keyof T]: PropertyReader<T[K]> }): T {
  return Object.fromEntries(Object.entries<PropertyReader<unknown>>(readers).map(([name, reader]) => [name, reader(name, props[name])])) as T;
}

/** A reader of one of a fixed set of values, with the one taken when none is given. */
export function oneOf<T extends string>(allowed: readonly T[], fallback?: T): PropertyReader<T> {
  return (name, raw) => readEnum(name, fallback === undefined ? raw : raw ?? fallback, allowed);
}

/** A reader of a kind's RemovalPolicy property by its rule. */
export function removalBy<T extends RemovalPolicyName>(rule: RemovalRule<T>): PropertyReader<T> {
  return (_name, raw) => readRemovalPolicy(raw, rule);
}

/** A reader of a list of tags as `{Key, Value}` pairs. */
export const tagList: PropertyReader<ApiTag[] | undefined> = (_name, raw) => readTags(raw);

/** Reads the properties common to every restore kind. */
export function readCommonProperties(props: Record<string, unknown>): CommonRestoreProperties {
  const timeout = readInteger('TimeoutSeconds', props.TimeoutSeconds);
  if (timeout === undefined || timeout <= 0) throw new Error(`Property TimeoutSeconds must be a positive whole number, got ${JSON.stringify(props.TimeoutSeconds)}`);
  const generation = readInteger('RestoreGeneration', props.RestoreGeneration);
  return {
    TimeoutSeconds: timeout,
    WaitHandle: readOptionalString('WaitHandle', props.WaitHandle),
    Validated: readBoolean('Validated', props.Validated),
    // Only when given: the hash of the restore inputs (a request tag, an idempotency token) must stay what an
    // earlier version of the library made of the same properties.
    ...(generation === undefined ? {} : { RestoreGeneration: generation }),
    NameDerived: readBoolean('NameDerived', props.NameDerived),
  };
}

/** Reads the validation resource's properties. */
export function readValidationProperties(props: Record<string, unknown>): ValidationProperties {
  const seconds = readInteger('TimeoutSeconds', props.TimeoutSeconds);
  if (seconds === undefined || seconds <= 0 || seconds > MAX_VALIDATION_SECONDS) {
    throw new Error(`Property TimeoutSeconds must be a whole number from 1 to ${MAX_VALIDATION_SECONDS}, got ${JSON.stringify(props.TimeoutSeconds)}`);
  }
  return {
    FunctionArn: readString('FunctionArn', props.FunctionArn),
    TimeoutSeconds: seconds,
    ConstructPath: readString('ConstructPath', props.ConstructPath),
    Kind: readString('Kind', props.Kind),
    RestorePoint: readOptionalString('RestorePoint', props.RestorePoint) ?? '',
    RestoreResourceType: readString('RestoreResourceType', props.RestoreResourceType),
    RestoredId: readString('RestoredId', props.RestoredId),
    Engine: readOptionalString('Engine', props.Engine),
    RestoreLogicalId: readString('RestoreLogicalId', props.RestoreLogicalId),
    RestoreStartedAt: readInteger('RestoreStartedAt', props.RestoreStartedAt),
    RestoreSeconds: readInteger('RestoreSeconds', props.RestoreSeconds),
  };
}

/** As CloudFormation hands properties to a custom resource: every scalar a string (a drill run hands them so too). */
export function asCloudFormationDelivers(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(asCloudFormationDelivers);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asCloudFormationDelivers(v)]));
  return value;
}
