// Compiles every nearley grammar under engine/ (*.ne) to a TypeScript module
// beside it (*.generated.ts, not committed), so the hot path never parses a grammar.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function* grammars(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* grammars(path);
    else if (name.endsWith(".ne")) yield path;
  }
}

const nearleyc = join("node_modules", "nearley", "bin", "nearleyc.js");
for (const source of grammars("engine")) {
  const target = source.replace(/\.ne$/, ".generated.ts");
  const stale = (() => {
    try {
      return statSync(target).mtimeMs < statSync(source).mtimeMs;
    } catch {
      return true;
    }
  })();
  if (stale) execFileSync(process.execPath, [nearleyc, source, "-o", target], { stdio: "inherit" });
}

// The schemas' standalone validators (schemas/generated/, decision 0036), written when stale.
execFileSync(process.execPath, ["--import", "tsx", join("scripts", "build-validators.ts")], {
  stdio: "inherit",
});
