import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { isRole, ROLES } from "../web/permissions.js";
import { hashPassword, readUsers, type UsersFile, writeUsers } from "../web/users.js";
import { usageError } from "./args.js";

/**
 * `rulepack user add|passwd|remove`: the people of `serve --http`, in the
 * operator's users file (engine/web/users.ts), with their roles. A
 * password is read from standard input (its first line) or, on a terminal,
 * prompted for without echo; never from a flag, which would leave it in the
 * shell's history and the process list.
 */

export const USER_USAGE = [
  "rulepack user add NAME --role ROLE[,ROLE...] [--practice-id PACK_ID] [--users FILE]",
  "rulepack user passwd NAME [--users FILE]",
  "rulepack user remove NAME [--users FILE]",
].join("\n       ");

export const DEFAULT_USERS_FILE = "users.yaml";

/** Where the password comes from; the terminal or standard input by default. */
export type PasswordSource = (prompt: string) => Promise<string>;

export const MIN_PASSWORD_LENGTH = 10;

/** The first line of standard input, or a prompt without echo on a terminal. */
export const stdinPassword: PasswordSource = (prompt) =>
  new Promise((resolve, reject) => {
    const input = process.stdin;
    if (input.isTTY) {
      process.stderr.write(prompt);
      const rl = createInterface({ input, terminal: true });
      // Nothing typed is echoed.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
      rl.once("line", (line) => {
        rl.close();
        process.stderr.write("\n");
        resolve(line);
      });
      return;
    }
    let text = "";
    input.setEncoding("utf8");
    input.on("data", (chunk) => {
      text += chunk;
    });
    input.once("end", () => resolve(text.split(/\r?\n/)[0] ?? ""));
    input.once("error", reject);
  });

export const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function read(io: CliIo, path: string): UsersFile | undefined {
  const users = readUsers(path);
  if (users.ok) return users.file;
  io.stderr(`rulepack: ${users.message}\n`);
  return undefined;
}

async function newPassword(
  io: CliIo,
  source: PasswordSource,
  name: string,
): Promise<string | undefined> {
  const password = await source(`password for ${name}: `);
  if (password.length >= MIN_PASSWORD_LENGTH) return password;
  io.stderr(
    `rulepack: a password needs at least ${MIN_PASSWORD_LENGTH} characters; nothing written\n`,
  );
  return undefined;
}

export async function userCommand(
  args: readonly string[],
  io: CliIo,
  password: PasswordSource = stdinPassword,
): Promise<CommandResult> {
  const [verb, ...rest] = args;
  const usage = (message: string) => usageError(io, USER_USAGE, message);
  if (verb !== "add" && verb !== "passwd" && verb !== "remove")
    return usage(`unknown user command '${verb ?? ""}' (add, passwd or remove)`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      users: { type: "string", default: DEFAULT_USERS_FILE },
      role: { type: "string" },
      "practice-id": { type: "string", default: "*" },
    },
  });
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) return usage("give exactly one NAME");
  if (!NAME.test(name)) return usage(`'${name}' is not a user name (letters, digits, . _ @ -)`);
  const file = read(io, values.users);
  if (!file) return { exitCode: EXIT.usage };
  const existing = file.users.find((u) => u.name === name);
  if (verb === "add") {
    const roles = list(values.role);
    const unknown = roles.find((r) => !isRole(r));
    if (roles.length === 0 || unknown !== undefined)
      return usage(
        `--role takes roles from ${ROLES.join(", ")}${unknown ? `; not '${unknown}'` : ""}`,
      );
    if (existing) {
      io.stderr(
        `rulepack: user ${name} exists in ${values.users}: change the password with rulepack user passwd\n`,
      );
      return { exitCode: EXIT.failed };
    }
    const secret = await newPassword(io, password, name);
    if (secret === undefined) return { exitCode: EXIT.failed };
    writeUsers(values.users, {
      ...file,
      users: [
        ...file.users,
        {
          name,
          password: hashPassword(secret),
          roles: { [values["practice-id"]]: roles.filter(isRole) },
        },
      ],
    });
    io.stdout(
      `added ${name} (${roles.join(", ")} for ${values["practice-id"]}) to ${values.users}\n`,
    );
    return { exitCode: EXIT.ok };
  }
  if (!existing) {
    io.stderr(`rulepack: no user ${name} in ${values.users}\n`);
    return { exitCode: EXIT.failed };
  }
  if (verb === "passwd") {
    const secret = await newPassword(io, password, name);
    if (secret === undefined) return { exitCode: EXIT.failed };
    writeUsers(values.users, {
      ...file,
      users: file.users.map((u) =>
        u.name === name ? { ...u, password: hashPassword(secret) } : u,
      ),
    });
    io.stdout(`changed the password of ${name} in ${values.users}\n`);
    return { exitCode: EXIT.ok };
  }
  writeUsers(values.users, { ...file, users: file.users.filter((u) => u.name !== name) });
  io.stdout(`removed ${name} from ${values.users}\n`);
  return { exitCode: EXIT.ok };
}
