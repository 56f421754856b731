import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";

/**
 * A pack as it was at a git revision: the whole tree of the repository
 * holding it, at that revision, extracted (`git archive`) into a
 * temporary folder that mirrors the repository's paths, so the pack's
 * `extends` chain, mapping tables and master data are all the revision's.
 * Only git's own objects are read; the working tree is not touched.
 */
export type PackAtRef =
  | {
      readonly ok: true;
      /** The pack file inside the extracted tree. */
      readonly pack: string;
      /** Removes the extracted tree. */
      readonly dispose: () => void;
    }
  | { readonly ok: false; readonly code: "GIT_REF_UNREADABLE"; readonly message: string };

export function packAtRef(packFile: string, ref: string): PackAtRef {
  const fail = (message: string): PackAtRef => ({
    ok: false,
    code: "GIT_REF_UNREADABLE",
    message: `--against-ref ${ref}: ${message}`,
  });
  const folder = dirname(resolve(packFile));
  if (!existsSync(folder)) return fail(`no folder ${folder}`);
  const top = git(folder, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) return fail(`${packFile} is not in a git repository (${top.message})`);
  const root = realpathSync(top.out.trim());
  const inRepo = relative(root, realpathSync(resolve(packFile)));
  const verified = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (!verified.ok) return fail("no such commit");
  const dir = mkdtempSync(join(tmpdir(), "rulepack-ref-"));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  const tar = join(dir, "tree.tar");
  const tree = join(dir, "tree");
  mkdirSync(tree);
  const archived = git(root, ["archive", "--format=tar", "-o", tar, verified.out.trim()]);
  const extracted = archived.ok ? run("tar", ["-xf", tar, "-C", tree]) : archived;
  if (!extracted.ok) {
    dispose();
    return fail(extracted.message);
  }
  const pack = join(tree, inRepo);
  if (!existsSync(pack)) {
    dispose();
    return fail(`${inRepo} is not in that revision`);
  }
  return { ok: true, pack, dispose };
}

type Ran = { ok: true; out: string } | { ok: false; message: string };

function git(cwd: string, args: readonly string[]): Ran {
  return run("git", ["-C", cwd, ...args]);
}

function run(command: string, args: readonly string[]): Ran {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.error) return { ok: false, message: `${command}: ${r.error.message}` };
  if (r.status !== 0) {
    const first = r.stderr.trim().split("\n")[0] ?? "";
    return {
      ok: false,
      message: `${command} ${args[args.length > 2 ? 2 : 0]} failed${first ? `: ${first}` : ""}`,
    };
  }
  return { ok: true, out: r.stdout };
}
