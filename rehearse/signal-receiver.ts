/**
 * The one loopback endpoint a rehearsal serves itself: the signals the pollers send to wait condition handles,
 * CloudFormation's DescribeStackResource (which finds a handle's URL) and the Step Functions calls, whose
 * executions the rehearsal plays.
 */
import { answerCloudFormation, HeldResourcesLookup, isCloudFormationCall, PhysicalIdLookup, StackEventsLookup, StackStatusLookup } from './cloudformation';
import { LoopbackServer } from './local-stand-in';
import { isStepFunctionsCall, StepFunctionsStandIn } from './step-functions';

/** A wait condition signal, as CloudFormation receives it. */
export interface Signal {
  readonly Status: string;
  readonly Reason: string;
  readonly UniqueId: string;
  readonly Data: string;
}

export class SignalReceiver extends LoopbackServer {
  private readonly signals = new Map<string, Signal[]>();

  constructor(
    stepFunctions: StepFunctionsStandIn, lookup: PhysicalIdLookup,
    stackStatus?: StackStatusLookup, held?: HeldResourcesLookup, events?: StackEventsLookup,
  ) {
    super((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        if (isStepFunctionsCall(req)) return stepFunctions.answer(req, body, res);
        if (isCloudFormationCall(req)) return answerCloudFormation(body, res, lookup, stackStatus, held, events);
        const key = this.keyOf(req.url ?? '/');
        try {
          this.signals.set(key, [...(this.signals.get(key) ?? []), JSON.parse(body)]);
          res.statusCode = 200;
        } catch {
          res.statusCode = 400;
        }
        res.end();
      });
    });
  }

  /** The first signal sent to a handle's URL. */
  firstSignal(handleUrl: string): Signal | undefined {
    return this.signals.get(this.keyOf(handleUrl))?.[0];
  }

  private keyOf(url: string): string {
    return new URL(url, 'http://localhost').pathname.slice(1);
  }
}
