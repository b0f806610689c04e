/**
 * The plugin API is documented: every export of the public entry points
 * (`@rawcarve/core`, `@rawcarve/core/testing`), and every public member of
 * the interfaces and classes they export, carries a TSDoc comment.
 */
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';

const SRC = resolve(import.meta.dirname);
/** Modules still being written elsewhere; their TSDoc is tracked separately. Shrink this list, never grow it. */
const PENDING = ['fuzz/'];

function undocumented(entry: string): string[] {
  const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true });
  const checker = program.getTypeChecker();
  const mod = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const hasDoc = (d: ts.Node): boolean =>
    ts.getJSDocCommentsAndTags(d).length > 0 || (ts.isVariableDeclaration(d) && ts.getJSDocCommentsAndTags(d.parent.parent).length > 0);
  const out: string[] = [];
  for (const exp of checker.getExportsOfModule(mod)) {
    const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    // `export * as name from` re-exports a whole module: its documentation sits on that export statement.
    const namespaceDoc = (exp.declarations ?? []).some((x) => ts.isNamespaceExport(x) && hasDoc(x.parent));
    for (const d of sym.declarations ?? []) {
      const file = relative(SRC, d.getSourceFile().fileName);
      if (PENDING.some((p) => file.startsWith(p)) || file.startsWith('..')) continue;
      if (!hasDoc(d) && !(ts.isSourceFile(d) && namespaceDoc)) out.push(`${file}: ${exp.name}`);
      if (!ts.isInterfaceDeclaration(d) && !ts.isClassDeclaration(d)) continue;
      for (const m of d.members) {
        if (ts.isConstructorDeclaration(m) || !m.name) continue;
        const mods = ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : [];
        if (mods.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword) || ts.isPrivateIdentifier(m.name)) continue;
        if (!hasDoc(m)) out.push(`${file}: ${exp.name}.${m.name.getText()}`);
      }
    }
  }
  return out;
}

describe('public API documentation', () => {
  it.each(['index.ts', 'testing/index.ts'])('every export of %s and its public members have TSDoc', (entry) => {
    expect(undocumented(resolve(SRC, entry))).toEqual([]);
  });
});
