/**
 * The shape of a restore kind's one definition, which the construct, the handler and the rehearsal share.
 */
import { CommonRestoreProperties, RemovalRule } from '../contracts/common';

/**
 * What a restore kind is, in one object per kind (`lib/private/kinds/<kind>.ts`): its custom resource type,
 * how its properties are read, which of them change in place, how what it restores is removed, and the
 * attributes it exposes. The construct, the handler and the rehearsal all import it, so they cannot drift;
 * the handler's hooks (`lambda/<kind>/handler.ts`) and the rehearsal's seeding and stand-ins
 * (`rehearse/kinds/<kind>.ts`) are the kind's parts on those sides, each naming this object.
 */
export interface RestoreKind<P extends CommonRestoreProperties = CommonRestoreProperties, A extends string = string> {
  /** The kind's name: its construct's file name, which all its files share (`copied-elastic-snapshot`). */
  readonly name: string;
  /** CloudFormation type of its custom resource (`Custom::<construct class>`), which selects its handler. */
  readonly resourceType: string;
  /** Reads its custom resource's properties as CloudFormation delivers them (every scalar a string). */
  readonly read: (properties: Record<string, unknown>) => P;
  /**
   * The properties that change without a new restore; a change to any other is a new restore, in the
   * construct's wait and in the handler alike.
   */
  readonly inPlace: readonly string[];
  /**
   * For a kind that keeps what it restores: the removal policies it offers, and which it takes when given none.
   * Without it, deleting the resource leaves what was restored as it is.
   */
  readonly removal?: RemovalRule;
  /** The attributes its attributes resource returns, which the construct reads. */
  readonly attributes: readonly A[];
  /**
   * How the user's tags travel in its `Tags` property: as RDS's list of `{Key, Value}`, or as a map. Without
   * it the kind tags nothing of its own.
   */
  readonly tags?: 'list' | 'map';
  /** Properties kept out of every log line and out of the polling state (sensitive in the API model). */
  readonly sensitive?: readonly string[];
  /**
   * Whether an Update that asks for a new restore (a new `restoreGeneration`) restores again, into a new
   * resource, the old one deleted once the update succeeds; or never: a restore into an existing instance is
   * not repeated by an Update, whose rollback would restore the old source over it once more, so its construct
   * makes a new generation another resource. An Update that changes restore inputs without asking is refused.
   */
  readonly restoresOnUpdate: boolean;
  /**
   * The property that names what it restores, when the construct derives that name unless the user gives
   * one (`DBClusterIdentifier`). Restored under one name, a resource keeps it.
   */
  readonly derivedName?: string;
  /**
   * In-place properties that still name the wait, as they did when they were restore inputs: the logical ids of
   * deployed stacks' waits (and the validations named after them) do not move with an upgrade.
   */
  readonly namedBy?: readonly string[];
}

/** The kind's construct class name, which validators see as the event's `kind`. */
export function constructNameOf(kind: Pick<RestoreKind, 'resourceType'>): string {
  return kind.resourceType.replace(/^Custom::/, '');
}
