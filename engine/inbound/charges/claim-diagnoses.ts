/**
 * "MAXIMUM ALLOWABLE DIAGNOSIS CODES FOR INTERFACE CLAIM CREATION: The
 * inbound charge message can store up to four pointers to the diagnosis
 * codes per procedure code in the claim header. The message stores up to 12
 * additional diagnosis codes included in the FT1.19 segment in the claim
 * header without pointers." (docs/pack-language.md §18)
 *
 * Counted per claim, after grouping. A claim's header (`claim.diagnoses`)
 * holds every code of its lines, distinct, in first-seen order; the header
 * of a stored claim only grows (charge.add and charge.replace append). Each
 * line points (1-based) at its first `pointersPerLine` distinct codes; the
 * codes no line points at may number at most `additionalHeaderCodes`.
 * Beyond that, `truncate` drops the excess — the last codes this message
 * would add without a pointer — and `error` places nothing.
 */
export interface DiagnosisLimits {
  readonly pointersPerLine: number;
  readonly additionalHeaderCodes: number;
  readonly truncate: boolean;
}

export interface StoredDiagnoses {
  readonly header: readonly string[];
  /** The pointers of the stored lines that stay on the claim (a replaced line's are gone). */
  readonly keptPointers: readonly (readonly number[])[];
}

export type Placement =
  | {
      readonly ok: true;
      readonly header: readonly string[];
      /** Per incoming line, in order: its pointers into `header`, and the codes it appends. */
      readonly lines: readonly {
        readonly pointers: readonly number[];
        readonly appended: readonly string[];
      }[];
      /** Codes left out by `truncate`. */
      readonly dropped: readonly string[];
      /** Before `truncate`: how many codes the claim's lines point at, and those none does. */
      readonly pointed: number;
      readonly unpointed: readonly string[];
    }
  | {
      readonly ok: false;
      /** Codes the claim would hold without a pointer. */
      readonly unpointed: readonly string[];
      readonly header: readonly string[];
      readonly pointed: number;
    };

export function placeDiagnoses(
  stored: StoredDiagnoses,
  incoming: readonly (readonly string[])[],
  limits: DiagnosisLimits,
): Placement {
  const lines = incoming.map((codes) => [...new Set(codes)]);
  const pointed = new Set<string>();
  for (const pointers of stored.keptPointers) {
    for (const p of pointers) {
      const code = stored.header[p - 1];
      if (code !== undefined) pointed.add(code);
    }
  }
  for (const codes of lines)
    for (const code of codes.slice(0, limits.pointersPerLine)) pointed.add(code);

  const appended: string[] = [];
  const known = new Set(stored.header);
  for (const codes of lines) {
    for (const code of codes) {
      if (known.has(code)) continue;
      known.add(code);
      appended.push(code);
    }
  }
  const header = [...stored.header, ...appended];
  const unpointed = header.filter((code) => !pointed.has(code));
  const pointedCount = header.length - unpointed.length;
  const excess = unpointed.length - limits.additionalHeaderCodes;
  let dropped: string[] = [];
  if (excess > 0) {
    if (!limits.truncate) return { ok: false, unpointed, header, pointed: pointedCount };
    const droppable = appended.filter((code) => !pointed.has(code));
    dropped = droppable.slice(Math.max(0, droppable.length - excess));
  }
  const gone = new Set(dropped);
  const finalHeader = header.filter((code) => !gone.has(code));
  const index = new Map(finalHeader.map((code, i) => [code, i + 1]));
  const first = new Set(stored.header);
  return {
    ok: true,
    header: finalHeader,
    dropped,
    pointed: pointedCount,
    unpointed,
    lines: lines.map((codes) => {
      const adds: string[] = [];
      for (const code of codes) {
        if (first.has(code) || gone.has(code)) continue;
        first.add(code);
        adds.push(code);
      }
      return {
        pointers: codes.slice(0, limits.pointersPerLine).map((code) => index.get(code) as number),
        appended: adds,
      };
    }),
  };
}
