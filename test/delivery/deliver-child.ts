/**
 * `rulepack deliver ARGS` as its own process, loading only that command
 * (engine/cli.ts loads every command: many seconds through tsx on a busy
 * machine). The kill test runs it when the built CLI is not up to date.
 */
import { deliverCommandArgs } from "../../engine/cli/deliver-command.js";
import { processIo } from "../../engine/io/cli-io.js";

const result = await deliverCommandArgs(process.argv.slice(2), processIo);
process.exitCode = result.exitCode;
