/**
 * American Soundex: a coarse phonetic key, used only to block candidates for
 * demographic matching (the scorer's own phonetic comparator is finer).
 */
const CODES: Readonly<Record<string, string>> = {
  B: "1",
  F: "1",
  P: "1",
  V: "1",
  C: "2",
  G: "2",
  J: "2",
  K: "2",
  Q: "2",
  S: "2",
  X: "2",
  Z: "2",
  D: "3",
  T: "3",
  L: "4",
  M: "5",
  N: "5",
  R: "6",
};

export function soundex(name: string): string {
  const letters = name.toUpperCase().replace(/[^A-Z]/g, "");
  const first = letters[0];
  if (!first) return "";
  let out = first;
  let last = CODES[first] ?? "";
  for (let i = 1; i < letters.length && out.length < 4; i++) {
    const ch = letters[i] as string;
    const code = CODES[ch] ?? "";
    if (code !== "" && code !== last) out += code;
    // H and W do not separate letters with the same code; vowels do.
    if (ch !== "H" && ch !== "W") last = code;
  }
  return out.padEnd(4, "0");
}
