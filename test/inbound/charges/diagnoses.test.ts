import { describe, expect, it } from "vitest";
import { apply, chargePack, claim, decide, dft, errorsOf, newStore, withClaim } from "./helpers.js";

/**
 * Maximum allowable diagnosis codes (docs/pack-language.md §18): "up to four
 * pointers to the diagnosis codes per procedure code in the claim header …
 * up to 12 additional diagnosis codes … without pointers", counted per claim
 * after grouping. Free-standing claims throughout.
 */

/** n ICD-10 codes, A00 … (distinct, sortable). */
const codes = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, "0")}`);
const ft1_19 = (list: readonly string[]) => list.join("~");
const line = (procedure: string, pointers: number[]) => ({
  procedure,
  modifiers: [],
  units: 1,
  diagnosisPointers: pointers,
});

describe("Maximum allowable diagnosis codes: defaults (4 pointers per line, 12 more in the header), onTooMany error", () => {
  const pack = () => chargePack("charges-free-standing");

  it("a line points at its first four codes; the rest go in the header without pointers", async () => {
    const six = codes("A", 6);
    const outcome = await decide(pack(), await newStore(), dft({ lines: [{ 19: ft1_19(six) }] }));
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1001", diagnoses: six, lines: [line("99213", [1, 2, 3, 4])] }),
      },
    ]);
  });

  it("the header holds each code once, first seen first; pointers index into it", async () => {
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({
        lines: [{ 19: "A01~B01~C01" }, { 25: "20610", 19: "C01~D01~A01~A01" }],
      }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          diagnoses: ["A01", "B01", "C01", "D01"],
          lines: [line("99213", [1, 2, 3]), line("20610", [3, 4, 1])],
        }),
      },
    ]);
  });

  it("16 codes on one line (4 pointed, 12 without a pointer) are allowed", async () => {
    const sixteen = codes("A", 16);
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 19: ft1_19(sixteen) }] }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1001", diagnoses: sixteen, lines: [line("99213", [1, 2, 3, 4])] }),
      },
    ]);
  });

  it("17 codes: TOO_MANY_DIAGNOSES, CBOERROR, value the 13 codes without a pointer", async () => {
    const seventeen = codes("A", 17);
    const store = await newStore();
    const outcome = await apply(pack(), store, dft({ lines: [{ 19: ft1_19(seventeen) }] }));
    expect(outcome.state).toBe("CBOERROR");
    expect(outcome.actions).toEqual([]);
    expect(errorsOf(outcome)).toEqual([
      {
        code: "TOO_MANY_DIAGNOSES",
        severity: "error",
        field: "FT1.19",
        value: seventeen.slice(4).join(", "),
      },
    ]);
    expect(await store.claimById("1001")).toBeUndefined();
  });

  it("counted per claim after grouping: two lines of 10 codes on one claim exceed it, on two claims they do not", async () => {
    const a = codes("A", 10);
    const b = codes("B", 11);
    const same = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 19: ft1_19(a) }, { 25: "20610", 19: ft1_19(b) }] }),
    );
    expect(same.state).toBe("CBOERROR");
    expect(errorsOf(same)).toEqual([
      {
        code: "TOO_MANY_DIAGNOSES",
        severity: "error",
        field: "FT1.19",
        value: [...a.slice(4), ...b.slice(4)].join(", "),
      },
    ]);
    const apart = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 19: ft1_19(a) }, { 25: "20610", 16: "3", 19: ft1_19(b) }] }),
    );
    expect(apart.state).toBe("PROCESSED");
    expect(apart.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1001", diagnoses: a, lines: [line("99213", [1, 2, 3, 4])] }),
      },
      {
        type: "claim.create",
        claim: claim({
          id: "1002",
          departmentId: "3",
          diagnoses: b,
          lines: [line("20610", [1, 2, 3, 4])],
        }),
      },
    ]);
  });

  it("a code one line leaves without a pointer and another points at no longer counts as additional", async () => {
    const a = codes("A", 17); // A05 … A17: 13 without a pointer
    const outcome = await decide(
      pack(),
      await newStore(),
      dft({ lines: [{ 19: ft1_19(a) }, { 25: "20610", 19: "A05" }] }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          diagnoses: a,
          lines: [line("99213", [1, 2, 3, 4]), line("20610", [5])],
        }),
      },
    ]);
  });

  it("a stored claim's codes count: a charge.add appends to its header, and may exceed the limit", async () => {
    const stored = claim({
      id: "1001",
      diagnoses: codes("A", 16),
      lines: [line("99213", [1, 2, 3, 4])],
    });
    const store = await newStore();
    await withClaim(store, stored);
    const fits = await decide(pack(), store, dft({ lines: [{ 25: "20610", 19: "A02~Z01" }] }));
    expect(fits.actions).toEqual([
      { type: "charge.add", claimId: "1001", charge: line("20610", [2, 17]), diagnoses: ["Z01"] },
    ]);
    const over = await decide(
      pack(),
      store,
      dft({ lines: [{ 25: "20610", 19: "A01~A02~A03~A04~Z01" }] }),
    );
    expect(over.state).toBe("CBOERROR");
    expect(errorsOf(over)).toEqual([
      {
        code: "TOO_MANY_DIAGNOSES",
        severity: "error",
        field: "FT1.19",
        value: [...codes("A", 16).slice(4), "Z01"].join(", "),
      },
    ]);
  });
});

describe("Maximum allowable diagnosis codes: onTooMany truncate", () => {
  it("17 codes: the header keeps 16, the last is dropped, DIAGNOSES_TRUNCATED (warning), PROCESSED", async () => {
    const seventeen = codes("A", 17);
    const outcome = await decide(
      chargePack("charges-truncate"),
      await newStore(),
      dft({ lines: [{ 19: ft1_19(seventeen) }] }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({
          id: "1001",
          diagnoses: seventeen.slice(0, 16),
          lines: [line("99213", [1, 2, 3, 4])],
        }),
      },
    ]);
    expect(errorsOf(outcome)).toEqual([
      { code: "DIAGNOSES_TRUNCATED", severity: "warning", field: "FT1.19", value: "A17" },
    ]);
  });

  it("only codes this message adds are dropped; the pointed-to codes stay, the pointers follow", async () => {
    const stored = claim({
      id: "1001",
      diagnoses: codes("A", 16),
      lines: [line("99213", [1, 2, 3, 4])],
    });
    const store = await newStore();
    await withClaim(store, stored);
    const outcome = await apply(
      chargePack("charges-truncate"),
      store,
      dft({ lines: [{ 25: "20610", 19: "Z01~A06~Z02~Z03~Z04~Z05" }] }),
    );
    expect(outcome.state).toBe("PROCESSED");
    // Z01, A06, Z02, Z03 are pointed at (A06 leaves the additional codes); Z04 and Z05 would be 12th and 13th additional.
    expect(outcome.actions).toEqual([
      {
        type: "charge.add",
        claimId: "1001",
        charge: line("20610", [17, 6, 18, 19]),
        diagnoses: ["Z01", "Z02", "Z03", "Z04"],
      },
    ]);
    expect(errorsOf(outcome)).toEqual([
      { code: "DIAGNOSES_TRUNCATED", severity: "warning", field: "FT1.19", value: "Z05" },
    ]);
    expect((await store.claimById("1001"))?.diagnoses).toEqual([
      ...codes("A", 16),
      "Z01",
      "Z02",
      "Z03",
      "Z04",
    ]);
  });
});

describe("Maximum allowable diagnosis codes: pointersPerLine and additionalHeaderCodes set lower", () => {
  it("one pointer per line, one more code in the header: a third code is too many", async () => {
    const pack = chargePack("charges-small-diagnoses");
    const two = await decide(pack, await newStore(), dft({ lines: [{ 19: "A01~A02" }] }));
    expect(two.actions).toEqual([
      {
        type: "claim.create",
        claim: claim({ id: "1001", diagnoses: ["A01", "A02"], lines: [line("99213", [1])] }),
      },
    ]);
    const three = await decide(pack, await newStore(), dft({ lines: [{ 19: "A01~A02~A03" }] }));
    expect(three.state).toBe("CBOERROR");
    expect(errorsOf(three)).toEqual([
      { code: "TOO_MANY_DIAGNOSES", severity: "error", field: "FT1.19", value: "A02, A03" },
    ]);
  });
});
