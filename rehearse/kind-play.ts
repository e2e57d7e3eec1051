/**
 * A restore kind's part in a rehearsal (`rehearse/kinds/<kind>.ts`): the stand-in for a service moto lacks,
 * what its restores need made before their Create, and what its stand-in held for the result.
 */
import { LocalStandIn } from './local-stand-in';
import { StandInState } from './outcome';
import { RestoreKind } from '../lib/private/kinds/kind';

/** What a kind's rehearsal is given. */
export interface PlayContext {
  /** The AWS API emulator's endpoint (moto_server). */
  readonly emulator: string;
  /** Whether the sources a restore names are made where they are missing (`--create-sources`). */
  readonly createSources: boolean;
  /** Where the progress lines go. */
  print(line: string): void;
}

/** How one rehearsal plays a kind's restores. Every part is optional: a kind moto covers needs none. */
export interface KindPlay {
  /** Starts the kind's stand-in, and gives the endpoint variables (`AWS_ENDPOINT_URL_<SERVICE>`) that lead the handlers to it. */
  start?(): Promise<Record<string, string>>;
  close?(): void;
  /** A line that says who plays the service a restore of this kind calls, before its Create. */
  announce?(properties: Record<string, any>): string;
  /** What a restore needs before its Create (with `createSources`, the sources it names where missing). */
  prepare?(properties: Record<string, any>): Promise<void>;
  /** The properties as its handler gets them in a rehearsal, where they differ from the template's. */
  deliver?(properties: Record<string, any>): Record<string, any>;
  /** What its stand-in holds, for the rehearsal's result. */
  state?(): Partial<StandInState>;
}

/** A kind's rehearsal: its kind's one definition, and how to play its restores. */
export interface KindRehearsal {
  readonly kind: Pick<RestoreKind, 'name' | 'resourceType'>;
  play(context: PlayContext): KindPlay;
}

/** A stand-in served for the rehearsal, found by the handlers through `AWS_ENDPOINT_URL_<service>`. */
export function served(standIn: LocalStandIn, service?: string): Required<Pick<KindPlay, 'start' | 'close'>> {
  return {
    start: async () => {
      await standIn.start();
      return service ? { [`AWS_ENDPOINT_URL_${service}`]: standIn.endpoint } : {};
    },
    close: () => standIn.close(),
  };
}
