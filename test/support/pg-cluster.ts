import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * A throw-away PostgreSQL cluster for tests: `initdb` and `pg_ctl` from
 * Debian's /usr/lib/postgresql/<N>/bin (PG_BINDIR overrides) on a temporary
 * directory, trust authentication, a free port on 127.0.0.1, no fsync. As
 * root (how CI runs) they run as the postgres user via `runuser`, since
 * initdb refuses root. A watchdog shell stops the cluster and removes the
 * directory if this process dies without stopping it (even by SIGKILL).
 */
export interface Cluster {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const ENV = { ...process.env, LC_ALL: "C", LANG: "C", PGTZ: "UTC" };

/** The newest PostgreSQL server binaries installed. */
export function findBinDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const root = "/usr/lib/postgresql";
  const versions = (existsSync(root) ? readdirSync(root) : [])
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(`no PostgreSQL server under ${root}/*/bin: apt-get install postgresql`);
  }
  return join(root, newest, "bin");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().unref().on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startCluster(): Promise<Cluster> {
  const bin = findBinDir();
  const isRoot = process.getuid?.() === 0;
  // Short path: the unix socket's path must stay under 108 bytes.
  const dir = await mkdtemp(join(tmpdir(), "pgtest-"));
  const data = join(dir, "data");
  const command = (tool: string, args: string[]): [string, string[]] =>
    isRoot
      ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
      : [join(bin, tool), args];
  // cwd: the postgres user may not be able to read the caller's directory.
  const pg = (tool: string, args: string[]) => run(...command(tool, args), { env: ENV, cwd: dir });
  if (isRoot) {
    const id = (flag: string) =>
      Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    await chown(dir, id("-u"), id("-g"));
  }
  let watchdogPid: number | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    try {
      await pg("pg_ctl", ["-D", data, "-m", "immediate", "stop"]);
    } catch {
      // not running
    }
    try {
      if (watchdogPid !== undefined) process.kill(watchdogPid, "SIGKILL");
    } catch {
      // gone
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await pg("initdb", [
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "--no-sync",
      "-E",
      "UTF8",
      "--locale=C",
    ]);
    let port = 0;
    let failure: unknown;
    // The free port can be taken between its release and the server's bind: try again.
    for (let attempt = 0; attempt < 3; attempt++) {
      port = await freePort();
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
      try {
        await pg("pg_ctl", [
          "-D",
          data,
          "-o",
          options,
          "-w",
          "-t",
          "60",
          "-l",
          join(dir, "log"),
          "start",
        ]);
        failure = undefined;
        break;
      } catch (e) {
        failure = e;
      }
    }
    if (failure !== undefined) {
      const stderr = (failure as { stderr?: string }).stderr ?? String(failure);
      throw new Error(`pg_ctl start failed (log: ${dir}/log): ${stderr}`);
    }
    const script =
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
      `${isRoot ? "runuser -u postgres -- " : ""}'${join(bin, "pg_ctl")}' -D '${data}' -m immediate stop; rm -rf '${dir}'`;
    const watchdog = spawn("sh", ["-c", script], {
      detached: true,
      stdio: "ignore",
      env: ENV,
      cwd: "/",
    });
    watchdog.unref();
    watchdogPid = watchdog.pid;
    await writeFile(join(dir, "owner.pid"), `${process.pid}\n${watchdogPid}\n`);
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
