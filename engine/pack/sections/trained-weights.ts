import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { DemographicsConfig } from "../../matching/config.js";
import {
  TrainedFileError,
  trainedFileFrom,
  withTrainedWeights,
} from "../../matching/trained-file.js";
import type { CompileContext } from "../context.js";

/**
 * `matching.demographics.trained`: the file `rulepack match train` wrote,
 * relative to the pack file loaded. Its weights replace the configured m
 * and u of the fields it lists; the others keep theirs. A file that is
 * missing or malformed is a pack error at the key (never a silent return
 * to the hand-set weights).
 */
export function withTrainedFile(
  ctx: CompileContext,
  config: DemographicsConfig,
  file: string | undefined,
): DemographicsConfig {
  if (file === undefined) return config;
  const path = ["matching", "demographics", "trained"];
  const location = resolve(dirname(ctx.file), file);
  let text: string;
  try {
    text = readFileSync(location, "utf8");
  } catch {
    ctx.fail(
      path,
      "FILE_NOT_FOUND",
      `no trained-weights file at ${location} (rulepack match train writes it)`,
    );
    return config;
  }
  try {
    return withTrainedWeights(config, trainedFileFrom(text));
  } catch (e) {
    if (!(e instanceof TrainedFileError)) throw e;
    ctx.fail(path, "INVALID_VALUE", `${location}: ${e.message}`);
    return config;
  }
}
