/**
 * The shape the library's sources keep, so that no module grows back into one that carries five concerns:
 * every file opens with a comment on what it is for, no class is longer than 250 lines and no function
 * (declaration, method, arrow or expression) longer than 60, in `lib/`, `lambda/` and `rehearse/`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const root = path.join(__dirname, '..');
const MAX_CLASS_LINES = 250;
const MAX_FUNCTION_LINES = 60;

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

const files = ['lib', 'lambda', 'rehearse'].flatMap(sources);

/** The classes and functions of a file longer than their limit, as `file:line name (n lines)`. */
function oversized(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line;
  const lines = (node: ts.Node) => lineOf(node.getEnd()) - lineOf(node.getStart()) + 1;
  const where = (node: ts.Node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const nameOf = (node: ts.Node) => ((node as ts.NamedDeclaration).name?.getText(source) ?? '(anonymous)');
  const visit = (node: ts.Node) => {
    if (ts.isClassLike(node) && lines(node) > MAX_CLASS_LINES) found.push(`${where(node)} class ${nameOf(node)} (${lines(node)} lines)`);
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body && lines(node) > MAX_FUNCTION_LINES) {
      found.push(`${where(node)} function ${nameOf(node)} (${lines(node)} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('every source file opens with a comment on what it is for', () => {
  expect(files.filter((file) => !/^\/\*\*[^]*?\*\//.test(fs.readFileSync(path.join(root, file), 'utf8')))).toEqual([]);
});

test(`no class is over ${MAX_CLASS_LINES} lines, no function over ${MAX_FUNCTION_LINES}`, () => {
  expect(files.flatMap(oversized)).toEqual([]);
});
