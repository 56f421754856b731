import type { PackError } from "../documents/errors.js";
import type { PathKey } from "../documents/merge.js";
import type { PackChain } from "./chain.js";
import type { CompiledPack } from "./compiled.js";
import { type CompileContext, compileContext } from "./context.js";
import { compileAcks } from "./sections/acks.js";
import { compileAppointments } from "./sections/appointments.js";
import { compileCharges } from "./sections/charges.js";
import { compileDelivery } from "./sections/delivery.js";
import { compileEnabled } from "./sections/enabled.js";
import { compileExternalIds } from "./sections/external-ids.js";
import { compileFields } from "./sections/fields.js";
import { compileGuarantor, relationshipInverse } from "./sections/guarantor.js";
import { compileInsurance } from "./sections/insurance.js";
import { compileMappings } from "./sections/mappings.js";
import { compileMatching } from "./sections/matching.js";
import { compileOutbound } from "./sections/outbound.js";
import { compilePractice } from "./sections/practice.js";
import { compilePrivacy } from "./sections/privacy.js";
import { compileQueue } from "./sections/queue.js";
import { compileRequired } from "./sections/required.js";

/**
 * Semantic checks and compilation of a schema-valid merged pack, one
 * section compiler per top-level section (sections/<section>.ts), all
 * sharing one CompileContext: every reference parses and names a segment
 * its record's messages can carry, every expression compiles under the
 * pack's `limits`, every table a rule needs exists. `limits` is compiled
 * with the context, first; the rules before `mappings`, which reads the
 * tables their `$mapCode`s name; `externalIds` before the appointments and
 * charges that match on them.
 */

export type CompileOutcome =
  | { readonly ok: true; readonly pack: CompiledPack }
  | { readonly ok: false; readonly errors: readonly PackError[] };

export function compilePack(chain: PackChain, file: string): CompileOutcome {
  const ctx = compileContext(chain, file);
  const { raw } = ctx;
  const section = <T>(key: string, compile: () => T): T | undefined =>
    contained(ctx, [key], compile);

  const practice = section("practice", () => compilePractice(ctx));
  const enabled = section("enabled", () => compileEnabled(ctx));
  const fields = section("fields", () => compileFields(ctx));
  const required = section("required", () => compileRequired(ctx));
  const mappings = section("mappings", () => compileMappings(ctx));
  const externalIds = section("externalIds", () => compileExternalIds(ctx));
  const matching = section("matching", () => compileMatching(ctx));
  const insurance = section("insurance", () => compileInsurance(ctx));
  const privacy = section("privacy", () => compilePrivacy(ctx));
  const acks = section("acks", () => compileAcks(ctx));
  const queue = section("queue", () => compileQueue(ctx));
  const guarantor = section("guarantor", () => compileGuarantor(ctx));
  const inverse =
    insurance &&
    guarantor &&
    section("guarantor", () => relationshipInverse(ctx, insurance, guarantor));
  const appointments =
    externalIds && section("appointments", () => compileAppointments(ctx, externalIds.appointment));
  const charges =
    externalIds && section("charges", () => compileCharges(ctx, externalIds.appointment));
  const outbound = section("outbound", () => compileOutbound(ctx));
  const delivery = section("outbound", () => compileDelivery(ctx, practice?.timeZone ?? "UTC"));

  if (
    ctx.errors.length > 0 ||
    !enabled ||
    !fields ||
    !required ||
    !mappings ||
    !externalIds ||
    !matching ||
    !insurance ||
    !privacy ||
    !acks ||
    !queue ||
    !guarantor ||
    !appointments ||
    !charges ||
    !outbound ||
    !delivery
  )
    return { ok: false, errors: ctx.errors };
  return {
    ok: true,
    pack: {
      id: raw.pack.id,
      file,
      abstract: ctx.abstract,
      ...(practice && { practice }),
      enabled,
      fields,
      required,
      mappings,
      tables: ctx.tables,
      budget: ctx.budget,
      externalIds,
      matching,
      insurance,
      privacy,
      acks,
      queue,
      guarantor,
      appointments,
      charges,
      outbound,
      delivery,
      ...(inverse && { relationshipInverse: inverse }),
      effective: raw,
    },
  };
}

/**
 * A section compiler that throws (a fault of the engine, or an input no
 * check foresaw) is reported at the section as LOAD_FAILED, never thrown
 * out of the loader: `validate` and a reload say where, and go on.
 */
function contained<T>(ctx: CompileContext, path: PathKey, compile: () => T): T | undefined {
  try {
    return compile();
  } catch (e) {
    ctx.fail(
      path,
      "LOAD_FAILED",
      `the loader failed on ${path.join(".")} (${describe(e)}); this is a fault of the engine, not necessarily of the pack: report it with the pack`,
    );
    return undefined;
  }
}

export function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message.split("\n")[0]}`;
  return String(e);
}
