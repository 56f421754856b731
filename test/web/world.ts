import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { loadPractice } from "../../engine/pack/practice-load.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import type { Store } from "../../engine/store/types.js";
import { createWebApp } from "../../engine/web/app.js";
import type { Role, TokenScope } from "../../engine/web/permissions.js";
import { hashPassword, newToken, tokenHash, writeUsers } from "../../engine/web/users.js";
import { ACME_PLAN, adt, copyHarbor, RECEIVED, receive, siu } from "../queue/harbor-queue.js";

/**
 * The web tests' world: a copy of Harbor Orthopedics (so mapping rows can
 * be written), a queue holding an insurance error (an unmapped plan), an
 * error of another kind (an appointment for a patient not registered) and
 * a processed message, a users file with one person per role, and tokens.
 */

/** One person per role of Table 20 (and admin), one with none, one with every role. */
export const PEOPLE: Readonly<Record<string, readonly Role[]>> = {
  viewer: ["view"],
  insurer: ["view", "map-insurance"],
  mapper: ["view", "map-other"],
  uploader: ["file-upload"],
  admin: ["admin"],
  nobody: [],
  everything: ["view", "map-insurance", "map-other", "file-upload", "admin"],
};

export const TOKEN_SETS: Readonly<Record<string, readonly TokenScope[]>> = {
  events: ["events"],
  messages: ["messages"],
  both: ["events", "messages"],
};

export const passwordOf = (name: string): string => `pw-${name}-correct horse`;

/** Each person's scrypt hash, made once per test file (a hash costs tens of milliseconds). */
const HASHES = new Map<string, string>();
function hashedPassword(name: string): string {
  const known = HASHES.get(name);
  if (known) return known;
  const hash = hashPassword(passwordOf(name));
  HASHES.set(name, hash);
  return hash;
}

export interface World {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly dir: string;
  readonly usersFile: string;
  /** The clock the server reads; tests move it. */
  readonly clock: { now: Date };
  /** Token secret by token set name (and `otherPractice`, a token of another practice). */
  readonly tokens: Readonly<Record<string, string>>;
  /** Message IDs: `insurance` (UNMAPPED_INSURANCE), `other` (PATIENT_NOT_FOUND), `processed`. */
  readonly ids: {
    readonly insurance: string;
    readonly other: string;
    readonly processed: string;
    readonly review?: string;
  };
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly store?: Store;
  /** Also a possible duplicate of the processed patient, held with REVIEW_REQUIRED (`ids.review`). */
  readonly review?: boolean;
  /** What /healthz reads of the outbound sender (absent: the pack sends nothing). */
  readonly sender?: () => boolean | undefined;
}

export async function makeWorld(options: WorldOptions = {}): Promise<World> {
  const copy = copyHarbor();
  const load = loadPractice(copy.pack);
  if (!load.ok) throw new Error(load.errors.join("\n"));
  let pack: CompiledPack = load.pack;
  const store = options.store ?? createMemoryStore();
  if (load.masterData) await store.loadMasterData(load.masterData);
  const insurance = await receive(
    pack,
    store,
    adt({ control: "INS-1", plan: ACME_PLAN.split("+") as [string, string, string] }),
    0,
  );
  const other = await receive(
    pack,
    store,
    siu({ control: "SIU-1", visit: "V-1", mrn: "99999" }),
    1,
  );
  const processed = await receive(
    pack,
    store,
    adt({ control: "ADT-OK", mrn: "55555", name: "Okafor^Ada" }),
    2,
  );
  const review = options.review
    ? await receive(pack, store, adt({ control: "DUP-1", mrn: "55556", name: "Okafor^Ada" }), 3)
    : undefined;
  const usersFile = join(copy.dir, "users.yaml");
  const tokens: Record<string, string> = {};
  const tokenEntries = Object.entries(TOKEN_SETS).map(([name, scopes]) => {
    const secret = newToken();
    tokens[name] = secret;
    return { name, sha256: tokenHash(secret), practice: pack.id, scopes };
  });
  tokens.otherPractice = newToken();
  tokenEntries.push({
    name: "otherPractice",
    sha256: tokenHash(tokens.otherPractice),
    practice: "lakeside-family",
    scopes: ["events", "messages"],
  });
  writeUsers(usersFile, {
    users: Object.entries(PEOPLE).map(([name, roles]) => ({
      name,
      password: hashedPassword(name),
      roles: { [pack.id]: roles },
    })),
    tokens: tokenEntries,
  });
  const clock = { now: new Date(RECEIVED.getTime() + 3_600_000) };
  const app = await createWebApp({
    store,
    packFile: copy.pack,
    pack: () => pack,
    reload: async () => {
      const next = loadPractice(copy.pack);
      if (!next.ok) throw new Error(next.errors.join("\n"));
      pack = next.pack;
      if (next.masterData) await store.loadMasterData(next.masterData);
    },
    usersFile,
    clock: () => clock.now,
    version: "test",
    ...(options.sender && { sender: options.sender }),
  });
  return {
    app,
    store,
    dir: copy.dir,
    usersFile,
    clock,
    tokens,
    ids: {
      insurance: insurance.messageId,
      other: other.messageId,
      processed: processed.messageId,
      ...(review && { review: review.messageId }),
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(copy.dir, { recursive: true, force: true });
    },
  };
}

export interface Signed {
  readonly cookie: string;
  readonly csrf: string;
}

export async function signIn(
  app: FastifyInstance,
  name: string,
  password = passwordOf(name),
): Promise<Signed> {
  const response = await app.inject({
    method: "POST",
    url: "/api/session",
    payload: { name, password },
  });
  if (response.statusCode !== 200)
    throw new Error(`sign-in of ${name}: ${response.statusCode} ${response.body}`);
  const setCookie = String(response.headers["set-cookie"]);
  return {
    cookie: setCookie.split(";")[0] as string,
    csrf: (response.json() as { csrf: string }).csrf,
  };
}

/** The Harbor event fixture `name` (test/fixtures/events/NAME.json) as a request body. */
export function eventBody(name: string): unknown {
  return JSON.parse(readFileSync(`test/fixtures/events/${name}.json`, "utf8"));
}
