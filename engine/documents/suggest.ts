/**
 * "Did you mean …?" for unknown keys and fields: the closest known name by
 * edit distance, when it is close enough to be a likely typo.
 */
export function closest(
  word: string,
  candidates: readonly string[],
  allowed = Math.max(1, Math.floor(word.length / 3)),
): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

/** Levenshtein distance, with a transposition counting as one edit. */
export function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** Other names authors use for canonical fields (the last part of the field). */
const FIELD_SYNONYMS: Readonly<Record<string, string>> = {
  birthdate: "dob",
  dateofbirth: "dob",
  birthday: "dob",
  gender: "sex",
  surname: "lastName",
  familyname: "lastName",
  givenname: "firstName",
  forename: "firstName",
  middleinitial: "middleName",
  zipcode: "zip",
  postalcode: "zip",
  socialsecuritynumber: "ssn",
  provider: "providerId",
  department: "departmentId",
};

/** A canonical field for an unknown one: a synonym of its last part, else a near spelling. */
export function closestField(field: string, fields: readonly string[]): string | undefined {
  const dot = field.lastIndexOf(".");
  const last = field.slice(dot + 1);
  const synonym = FIELD_SYNONYMS[last.toLowerCase()];
  if (synonym) {
    const candidate = `${field.slice(0, dot + 1)}${synonym}`;
    if (fields.includes(candidate)) return candidate;
  }
  return closest(field, fields, Math.max(1, Math.floor(last.length / 3)));
}
