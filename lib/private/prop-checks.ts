/**
 * Synth-time checks of props shared by every construct. Each one skips unresolved tokens, because only
 * CloudFormation knows their value, and throws an error that names the prop, shows the value and
 * says what would be valid.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { invalidPropError } from './validation-error';

/** Fails with a message in the library's one format; the public construct raises it as a ValidationError of its own. */
export function invalidProp(prop: string, value: unknown, rule: string): never {
  throw invalidPropError(`Invalid ${prop} ${JSON.stringify(value)}: ${rule}`);
}

const IDENTIFIER_RULE = '1 to 63 letters, digits or hyphens, starting with a letter, not ending with a hyphen and without two consecutive hyphens';

/**
 * Problems with an RDS/Neptune DB cluster identifier, or undefined when it is valid.
 * The rules are the RestoreDBClusterToPointInTime API's.
 */
export function identifierProblem(value: string, maxLength = 63): string | undefined {
  if (value.length < 1 || value.length > maxLength) return `it has ${value.length} characters`;
  if (!/^[A-Za-z]/.test(value)) return 'it does not start with a letter';
  if (!/^[A-Za-z0-9-]+$/.test(value)) return 'it contains a character other than a letter, digit or hyphen';
  if (value.endsWith('-')) return 'it ends with a hyphen';
  if (value.includes('--')) return 'it contains two consecutive hyphens';
  return undefined;
}

/** Validates a DB cluster identifier prop (tokens pass). */
export function validateIdentifier(prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const problem = identifierProblem(value);
  if (problem) invalidProp(prop, value, `${problem}; use ${IDENTIFIER_RULE}`);
}

/** Validates the name of a parameter group or option group: same shape as an identifier, up to 255 characters. */
export function validateGroupName(prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const problem = identifierProblem(value, 255);
  if (problem) {
    invalidProp(prop, value, `${problem}; use 1 to 255 letters, digits or hyphens, starting with a letter, not ending with a hyphen and without two consecutive hyphens`);
  }
}

/**
 * The name of a group given as aws-rds's object (`objectProp`) or by the deprecated name prop; both at once are
 * refused, naming both.
 */
export function groupNameOf(objectProp: string, fromObject: string | undefined, nameProp: string, name: string | undefined): string | undefined {
  if (fromObject !== undefined && name !== undefined) {
    invalidProp(nameProp, name, `${objectProp} is given too; give ${objectProp} alone (${nameProp} is its deprecated form)`);
  }
  validateGroupName(nameProp, name);
  return fromObject ?? name;
}

/** Validates an integer prop against an inclusive range (tokens pass). */
export function validateIntegerRange(prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    invalidProp(prop, value, `use a whole number from ${min} to ${max}`);
  }
}

/** Validates a duration prop against an inclusive range (tokens pass). */
export function validateDuration(prop: string, value: Duration | undefined, min: Duration, max: Duration): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toSeconds();
  if (seconds < min.toSeconds() || seconds > max.toSeconds()) {
    invalidProp(prop, value.toHumanString(), `use a duration from ${min.toHumanString()} to ${max.toHumanString()}`);
  }
}

/**
 * The `restoreGeneration` a construct puts in its restore's properties: a whole number given at synth, since
 * the restore's wait is named after it then.
 */
export function restoreGeneration(value: number | undefined): { RestoreGeneration?: number } {
  // 0 is the first restore's generation, which no property stands for (a stack deployed before it existed).
  if (value === undefined || value === 0) return {};
  if (Token.isUnresolved(value)) {
    invalidProp('restoreGeneration', value, 'give a literal whole number: CloudFormation\'s wait for the new restore is named after it at synth, which a value resolved at deploy cannot rename');
  }
  validateIntegerRange('restoreGeneration', value, 0, Number.MAX_SAFE_INTEGER);
  return { RestoreGeneration: value };
}
