/**
 * docs/errors.md documents every code of the TsnicErrorCode union in lib/errors.ts (read as source text,
 * so a code added there without a row in the table fails here), and nothing that is not a code.
 */
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';

const ROOT = path.join(__dirname, '..', '..');

/** The string literals of `export type TsnicErrorCode = | 'A' | 'B' ...;` in lib/errors.ts. */
function unionCodes(): string[] {
  const source = fs.readFileSync(path.join(ROOT, 'lib', 'errors.ts'), 'utf8');
  const union = /export type TsnicErrorCode\s*=([^;]*);/.exec(source);
  if (union === null) throw new Error('lib/errors.ts has no `export type TsnicErrorCode = ...;`');
  return [...union[1].matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]);
}

/** The codes in the first column of the Codes table: rows starting with | `ERR_...` |. */
function documentedCodes(): string[] {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'errors.md'), 'utf8');
  return [...doc.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
}

t.test('every TsnicErrorCode has exactly one row in docs/errors.md, and every row is a code', (t) => {
  const codes = unionCodes();
  t.ok(codes.length >= 20, `found the code union in lib/errors.ts (${codes.length} codes)`);
  const rows = documentedCodes();
  t.same(codes.filter((c) => !rows.includes(c)), [], 'no code is missing from the table');
  t.same(rows.filter((r) => !codes.includes(r)), [], 'no row documents a code that does not exist');
  t.same(rows.filter((r, i) => rows.indexOf(r) !== i), [], 'no code has two rows');
  t.end();
});
