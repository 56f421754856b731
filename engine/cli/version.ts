import { readFileSync } from "node:fs";

/**
 * `rulepack --version`: the version in the package's own package.json, two
 * folders up from this module both in engine/cli/ (tsx) and dist/engine/cli/.
 */
export function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      const json = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (json.name === "rulepack" && json.version) return json.version;
    } catch {
      // not this folder; try the next
    }
  }
  return "unknown";
}
