import { parseArgs } from "node:util";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { isTokenScope, TOKEN_SCOPES } from "../web/permissions.js";
import { newToken, tokenHash, writeUsers } from "../web/users.js";
import { usageError } from "./args.js";
import { DEFAULT_USERS_FILE, list, NAME, read } from "./user-command.js";

/**
 * `rulepack token add`: an API token for a machine client of `serve
 * --http` (the practice system posting events, a sender posting HL7),
 * scoped to one practice and to what it may post. The token is printed
 * once on stdout; the users file keeps only its SHA-256.
 */

export const TOKEN_USAGE =
  "rulepack token add NAME --practice-id PACK_ID --scope events|messages[,...] [--users FILE]";

export function tokenCommand(args: readonly string[], io: CliIo): CommandResult {
  const [verb, ...rest] = args;
  const usage = (message: string) => usageError(io, TOKEN_USAGE, message);
  if (verb !== "add") return usage(`unknown token command '${verb ?? ""}' (add)`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      users: { type: "string", default: DEFAULT_USERS_FILE },
      "practice-id": { type: "string" },
      scope: { type: "string" },
    },
  });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) return usage("give exactly one NAME");
  if (!NAME.test(name)) return usage(`'${name}' is not a token name (letters, digits, . _ @ -)`);
  if (!values["practice-id"])
    return usage("--practice-id is required: a token works for one practice (its pack id)");
  const scopes = list(values.scope);
  const unknown = scopes.find((s) => !isTokenScope(s));
  if (scopes.length === 0 || unknown !== undefined)
    return usage(`--scope takes ${TOKEN_SCOPES.join(", ")}${unknown ? `; not '${unknown}'` : ""}`);
  const file = read(io, values.users);
  if (!file) return { exitCode: EXIT.usage };
  if (file.tokens.some((t) => t.name === name)) {
    io.stderr(`rulepack: a token named ${name} exists in ${values.users}\n`);
    return { exitCode: EXIT.failed };
  }
  const token = newToken();
  writeUsers(values.users, {
    ...file,
    tokens: [
      ...file.tokens,
      {
        name,
        sha256: tokenHash(token),
        practice: values["practice-id"],
        scopes: scopes.filter(isTokenScope),
      },
    ],
  });
  io.stderr(
    `added token ${name} (${scopes.join(", ")} for ${values["practice-id"]}) to ${values.users}; it is shown once:\n`,
  );
  io.stdout(`${token}\n`);
  return { exitCode: EXIT.ok };
}
