/**
 * A restore kind for tests of the shared polling and waiting code, which never looks inside a kind's
 * properties: it stands for no service, so its reader passes the properties through.
 */
import { readCommonProperties } from '../../lib/private/contracts/common';
import type { RestoreKind } from '../../lib/private/kinds/kind';

export const SCRIPTED_KIND: RestoreKind = {
  name: 'scripted',
  resourceType: 'Custom::Test',
  read: (properties) => readCommonProperties(properties),
  inPlace: [],
  attributes: [],
  restoresOnUpdate: true,
};
