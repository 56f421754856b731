/**
 * A single HL7 location an outbound message is written at: `PID.13[3=CP].1`
 * (the repetition whose component 3 is CP, created when there is none),
 * `PID.3[2].1` (the second repetition), `PV1.3.4`. The field-reference
 * language of §5.1 minus what cannot be written: no `|`, `+` or `[*]`.
 */
export interface Location {
  readonly source: string;
  readonly segment: string;
  readonly field: number;
  readonly component: number;
  /** Which repetition: by number, by a component's value, or the first. */
  readonly repetition?:
    | { readonly index: number }
    | { readonly component: number; readonly value: string };
}

export type LocationParse =
  | { readonly ok: true; readonly location: Location }
  | { readonly ok: false; readonly message: string; readonly column: number };

const LOCATION =
  /^([A-Z][A-Z0-9]{2})\.([1-9]\d*)(?:\[(?:([1-9]\d*)|([1-9]\d*)=([^\]]+))\])?(?:\.([1-9]\d*))?$/;

const NOT_WRITABLE: readonly { readonly text: string; readonly why: string }[] = [
  { text: "|", why: "a location is one place: '|' chooses among sources" },
  { text: "+", why: "a location is one place: '+' joins several sources" },
  { text: "[*]", why: "a location is one repetition: '[*]' reads them all" },
];

export function parseLocation(text: string): LocationParse {
  const source = text.trim();
  for (const { text: bad, why } of NOT_WRITABLE) {
    const i = source.indexOf(bad);
    if (i >= 0) return { ok: false, message: `'${source}': ${why}`, column: i + 1 };
  }
  const m = LOCATION.exec(source);
  if (!m)
    return {
      ok: false,
      message: `'${source}' is not a location (SEG.FIELD, SEG.FIELD.COMPONENT, SEG.FIELD[n].COMPONENT or SEG.FIELD[c=value].COMPONENT)`,
      column: 1,
    };
  const [, segment, field, index, byComponent, byValue, component] = m;
  const repetition =
    index !== undefined
      ? { index: Number(index) }
      : byComponent !== undefined
        ? { component: Number(byComponent), value: byValue as string }
        : undefined;
  return {
    ok: true,
    location: {
      source,
      segment: segment as string,
      field: Number(field),
      component: Number(component ?? "1"),
      ...(repetition && { repetition }),
    },
  };
}
