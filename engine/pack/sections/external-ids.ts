import type { CompiledExternalId } from "../compiled.js";
import type { CompileContext } from "../context.js";

/**
 * `externalIds`: Table 5 – Patient-level custom fields and Table 6 –
 * Appointment-level custom fields compile the same way: each entry's
 * reference, its defaults, and the spec's rule that "you can match only one
 * external ID per record number category".
 */
export interface CompiledExternalIds {
  readonly patient: readonly CompiledExternalId[];
  readonly appointment: readonly CompiledExternalId[];
}

export function compileExternalIds(ctx: CompileContext): CompiledExternalIds {
  return { patient: compileList(ctx, "patient"), appointment: compileList(ctx, "appointment") };
}

function compileList(ctx: CompileContext, record: "patient" | "appointment"): CompiledExternalId[] {
  const ids = (ctx.raw.externalIds?.[record] ?? []).flatMap((id, i): CompiledExternalId[] => {
    const path = ["externalIds", record, i];
    const from = ctx.reference([...path, "from"], id.from, record);
    if (!from) return [];
    return [
      {
        name: id.name,
        customFieldId: id.customFieldId,
        from,
        useForMatching: id.useForMatching ?? false,
        leadingZeros: id.leadingZeros ?? "keep",
        direction: id.direction ?? "both",
        at: ctx.at(path),
      },
    ];
  });
  // Appointments: refused with appointments.matching.by (sections/appointments.ts).
  ids.forEach((id, i) => {
    if (record === "patient" && id.useForMatching && id.direction === "outbound") {
      ctx.fail(
        ["externalIds", record, i, "direction"],
        "OPTION_DEPENDENCY",
        `externalIds.${record} '${id.name}' is used for matching but direction: outbound (never read from a received message): it could never match; use direction both or inbound, or useForMatching: false`,
      );
    }
  });
  const flagged = ids.filter((id) => id.useForMatching);
  if (flagged.length > 1) {
    ctx.fail(
      ["externalIds", record],
      "OPTION_DEPENDENCY",
      `you can match only one external ID per record number category: useForMatching is set on ${flagged.map((id) => id.name).join(" and ")}`,
    );
  }
  return ids;
}

/**
 * True when `externalIds.appointment` holds the entry an option depends on
 * (the one named, or one with `useForMatching` when none is named) but its
 * `from` did not compile: that error is reported at the entry, so the
 * option adds no second, false one ("is not an entry").
 */
export function appointmentIdUncompiled(
  ctx: CompileContext,
  compiled: readonly CompiledExternalId[],
  name: string | undefined,
): boolean {
  const names = new Set(compiled.map((id) => id.name));
  return (ctx.raw.externalIds?.appointment ?? []).some(
    (id) =>
      !names.has(id.name) && (name === undefined ? id.useForMatching === true : id.name === name),
  );
}
