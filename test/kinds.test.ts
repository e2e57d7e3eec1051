/**
 * Every restore kind is one definition (`lib/private/kinds/<kind>.ts`), and each place that must know it does:
 * its construct is exported, its handler and its rehearsal are registered, and it has its tests, integ app and
 * README section.
 * Read from the files as a contributor lays them out, so a kind added by the recipe and missing a part fails
 * here with the part named, and so does a part left behind by a kind that was removed.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as handlers from '../lambda/kinds';
import * as lib from '../lib';
import { constructNameOf, RestoreKind } from '../lib/private/kinds/kind';
import * as rehearsals from '../rehearse/kinds';

const root = path.join(__dirname, '..');

function isKind(value: unknown): value is RestoreKind {
  const v = value as RestoreKind;
  return typeof v === 'object' && v !== null && typeof v.resourceType === 'string' && typeof v.read === 'function' && Array.isArray(v.inPlace);
}

/** The kinds as their definition files declare them, by file name. */
const kinds: Array<[string, RestoreKind]> = fs.readdirSync(path.join(root, 'lib/private/kinds'))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && file !== 'kind.ts')
  .map((file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = Object.values(require(path.join(root, 'lib/private/kinds', file)) as Record<string, unknown>).filter(isKind);
    if (exported.length !== 1) throw new Error(`lib/private/kinds/${file} exports ${exported.length} kind definitions; a kind file exports one`);
    return [file.replace(/\.ts$/, ''), exported[0]];
  });

test('every kind is defined in the file of its name, and its resource type names its construct', () => {
  // Not a list of names: the definitions are the list, and a kind whose parts are gone fails the leftovers test below.
  expect(kinds.length).toBeGreaterThan(0);
  expect(new Set(kinds.map(([, kind]) => kind.resourceType)).size).toBe(kinds.length);
  for (const [file, kind] of kinds) {
    expect(kind.name).toBe(file);
    expect(kind.resourceType).toMatch(/^Custom::[A-Z][A-Za-z0-9]+$/);
    expect(kind.name).toBe(constructNameOf(kind).replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase());
  }
});

describe.each(kinds)('kind %s', (name, kind) => {
  test('its construct is exported by the package', () => {
    expect(typeof (lib as Record<string, unknown>)[constructNameOf(kind)]).toBe('function');
  });

  test('exactly one registered handler is of it', () => {
    expect(Object.values(handlers).filter((handler) => handler.kind === kind)).toHaveLength(1);
  });

  test('exactly one registered rehearsal is of it', () => {
    expect(Object.values(rehearsals).filter((rehearsal) => rehearsal.kind === kind)).toHaveLength(1);
  });

  test('it has its construct, handler, rehearsal, tests and integ app where the recipe puts them', () => {
    const expected = [
      `lib/${name}.ts`, `lambda/${name}/handler.ts`, `rehearse/kinds/${name}.ts`, `test/${name}.test.ts`, `test/${name}-handler.test.ts`,
      `integ/integ.${name}.ts`, `integ/integ.${name}.ts.snapshot/manifest.json`,
    ];
    expect(expected.filter((file) => !fs.existsSync(path.join(root, file)))).toEqual([]);
  });

  test('the README has its section', () => {
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toMatch(new RegExp(`^### ${constructNameOf(kind)}$`, 'm'));
  });

  test('its attributes, in-place and sensitive properties are names of its contract', () => {
    expect(new Set(kind.attributes).size).toBe(kind.attributes.length);
    for (const property of [...kind.inPlace, ...kind.sensitive ?? []]) expect(property).toMatch(/^[A-Z][A-Za-z0-9]*$/);
  });
});

test('no handler or rehearsal is registered without a kind definition', () => {
  const defined = new Set(kinds.map(([, kind]) => kind));
  const registered = [...Object.entries(handlers), ...Object.entries(rehearsals)];
  expect(registered.filter(([, part]) => !defined.has(part.kind as RestoreKind)).map(([id]) => id)).toEqual([]);
});

test('no integ app, handler directory or rehearsal file is left of a kind that has no definition', () => {
  const names = new Set(kinds.map(([name]) => name));
  const integ = fs.readdirSync(path.join(root, 'integ')).flatMap((file) => /^integ\.(.+)\.ts$/.exec(file)?.[1] ?? []);
  const handlerDirs = fs.readdirSync(path.join(root, 'lambda'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, 'lambda', entry.name, 'handler.ts'))).map((entry) => entry.name);
  const rehearsalFiles = fs.readdirSync(path.join(root, 'rehearse/kinds'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')).map((file) => file.replace(/\.ts$/, ''));
  expect([...integ, ...handlerDirs, ...rehearsalFiles].filter((name) => !names.has(name))).toEqual([]);
});
