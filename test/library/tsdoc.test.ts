import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Every export of the library (engine/index.ts) carries TSDoc, where it is
 * defined or, when the definition has none, where index.ts declares it:
 * what an editor shows an embedder on hover.
 */
describe("engine/index.ts", () => {
  it("documents every export", () => {
    const program = ts.createProgram(["engine/index.ts"], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    });
    const checker = program.getTypeChecker();
    const index = program.getSourceFile("engine/index.ts");
    const module = index && checker.getSymbolAtLocation(index);
    if (!module) throw new Error("engine/index.ts not found");
    const exports = checker.getExportsOfModule(module);
    const undocumented = exports
      .filter((symbol) => {
        const target =
          symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        return ts.displayPartsToString(target.getDocumentationComment(checker)).trim() === "";
      })
      .map((s) => s.name);
    expect(exports.length).toBeGreaterThan(80);
    expect(undocumented).toEqual([]);
  }, 60_000);
});
