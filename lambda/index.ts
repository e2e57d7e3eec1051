/**
 * The handler bundle of the stack's shared provider: every kind's handler, from the registry (`kinds.ts`),
 * selected by the custom resource's type, so adding a construct adds no Lambda function.
 */
import * as kinds from './kinds';
import { restoreHandlers } from './shared/handlers';

export const { onEvent, isComplete, poll } = restoreHandlers(Object.values(kinds));
