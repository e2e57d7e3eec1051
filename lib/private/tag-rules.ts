/**
 * What each service accepts as a resource tag, in one place, and the check every construct that tags what it
 * restores makes once `Tags.of(...)` has added its tags. Tokens pass: only CloudFormation knows their value.
 */
import { TagManager, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** One service's rule: the problems of a tag, none when it is valid. */
export type TagRule = (key: string, value: string) => string[];

/** RDS and Neptune (the AddTagsToResource and restore APIs' tag rules). */
export const RDS_TAGS: TagRule = (key, value) => {
  if (key.length < 1 || key.length > 128) return [`the key has ${key.length} characters; use 1 to 128`];
  if (/^aws:/i.test(key)) return ['the key starts with "aws:", a prefix reserved for AWS'];
  if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(key)) return ['the key may contain only letters, digits, white space and _ . : / = + - @'];
  if (Token.isUnresolved(value)) return [];
  if (value.length > 256) return [`the value has ${value.length} characters; use at most 256`];
  if (/^aws:/i.test(value)) return ['the value starts with "aws:", a prefix reserved for AWS'];
  return [];
};

/** DocumentDB Elastic: the API model's key pattern (`+-=` is a character range, as in the model). */
const ELASTIC_TAG_KEY = /^(?!aws:)[a-zA-Z+-=._:/]+$/;

/** DocumentDB Elastic (the CopyClusterSnapshot and TagResource APIs' tag rules). */
export const DOCDB_ELASTIC_TAGS: TagRule = (key, value) => {
  const problems: string[] = [];
  if (key.length < 1 || key.length > 128) problems.push(`the key has ${key.length} characters; use 1 to 128`);
  else if (!ELASTIC_TAG_KEY.test(key)) problems.push('the key must match ^(?!aws:)[a-zA-Z+-=._:/]+$ (no "aws:" prefix, no spaces)');
  if (!Token.isUnresolved(value) && value.length > 256) problems.push(`the value has ${value.length} characters; use at most 256`);
  return problems;
};

/** Checks the tags of what a construct restores, by its service's rule, once aspects have added theirs. */
export function checkTags(scope: Construct, tags: TagManager, rule: TagRule, what: string): void {
  scope.node.addValidation({
    validate: () => Object.entries(tags.tagValues())
      .flatMap(([key, value]) => (Token.isUnresolved(key) ? [] : rule(key, value))
        .map((problem) => `Invalid tag ${JSON.stringify(key)}=${JSON.stringify(value)} on ${what}: ${problem}`)),
  });
}
