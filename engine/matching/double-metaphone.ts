/**
 * Double Metaphone (Lawrence Philips, C/C++ Users Journal, June 2000): a
 * primary and an alternate phonetic code of a name, each at most 4
 * characters. Written for Rulepack from the published algorithm, rule for
 * rule; the input is upper case A–Z (normalizeName), so the original's Ç and
 * Ñ cases are reached as C and N.
 */

const isVowelChar = (ch: string): boolean => ch.length === 1 && "AEIOUY".includes(ch);

export function doubleMetaphone(name: string): [string, string] {
  const length = name.length;
  const last = length - 1;
  // Padding lets look-ahead rules see " " past the end, as in the original.
  const word = `${name}     `;
  let primary = "";
  let secondary = "";
  let hasAlternate = false;
  let current = 0;

  const at = (i: number): string => (i >= 0 && i < word.length ? (word[i] as string) : "");
  const isVowel = (i: number): boolean => isVowelChar(at(i));
  const stringAt = (start: number, len: number, ...options: string[]): boolean => {
    if (start < 0) return false;
    const target = word.slice(start, start + len);
    return options.includes(target);
  };
  const add = (main: string, alt?: string): void => {
    primary += main;
    if (alt === undefined) {
      secondary += main;
      return;
    }
    hasAlternate = true;
    if (alt !== " ") secondary += alt;
  };
  const slavoGermanic = /W|K|CZ|WITZ/.test(name);
  const germanic = stringAt(0, 4, "VAN ", "VON ") || stringAt(0, 3, "SCH");

  if (stringAt(0, 2, "GN", "KN", "PN", "WR", "PS")) current += 1;
  if (at(0) === "X") {
    add("S");
    current += 1;
  }

  while (current < length && (primary.length < 4 || secondary.length < 4)) {
    const ch = at(current);
    switch (ch) {
      case "A":
      case "E":
      case "I":
      case "O":
      case "U":
      case "Y":
        if (current === 0) add("A");
        current += 1;
        break;
      case "B":
        add("P");
        current += at(current + 1) === "B" ? 2 : 1;
        break;
      case "C":
        current = letterC(current);
        break;
      case "D":
        if (stringAt(current, 2, "DG")) {
          if (stringAt(current + 2, 1, "I", "E", "Y")) {
            add("J");
            current += 3;
          } else {
            add("TK");
            current += 2;
          }
        } else if (stringAt(current, 2, "DT", "DD")) {
          add("T");
          current += 2;
        } else {
          add("T");
          current += 1;
        }
        break;
      case "F":
        current += at(current + 1) === "F" ? 2 : 1;
        add("F");
        break;
      case "G":
        current = letterG(current);
        break;
      case "H":
        if ((current === 0 || isVowel(current - 1)) && isVowel(current + 1)) {
          add("H");
          current += 2;
        } else {
          current += 1;
        }
        break;
      case "J":
        current = letterJ(current);
        break;
      case "K":
        current += at(current + 1) === "K" ? 2 : 1;
        add("K");
        break;
      case "L":
        if (at(current + 1) === "L") {
          if (
            (current === length - 3 && stringAt(current - 1, 4, "ILLO", "ILLA", "ALLE")) ||
            ((stringAt(last - 1, 2, "AS", "OS") || stringAt(last, 1, "A", "O")) &&
              stringAt(current - 1, 4, "ALLE"))
          ) {
            add("L", " ");
            current += 2;
            break;
          }
          current += 2;
        } else {
          current += 1;
        }
        add("L");
        break;
      case "M":
        if (
          (stringAt(current - 1, 3, "UMB") &&
            (current + 1 === last || stringAt(current + 2, 2, "ER"))) ||
          at(current + 1) === "M"
        ) {
          current += 2;
        } else {
          current += 1;
        }
        add("M");
        break;
      case "N":
        current += at(current + 1) === "N" ? 2 : 1;
        add("N");
        break;
      case "P":
        if (at(current + 1) === "H") {
          add("F");
          current += 2;
        } else {
          current += stringAt(current + 1, 1, "P", "B") ? 2 : 1;
          add("P");
        }
        break;
      case "Q":
        current += at(current + 1) === "Q" ? 2 : 1;
        add("K");
        break;
      case "R":
        if (
          current === last &&
          !slavoGermanic &&
          stringAt(current - 2, 2, "IE") &&
          !stringAt(current - 4, 2, "ME", "MA")
        ) {
          add("", "R");
        } else {
          add("R");
        }
        current += at(current + 1) === "R" ? 2 : 1;
        break;
      case "S":
        current = letterS(current);
        break;
      case "T":
        if (stringAt(current, 4, "TION") || stringAt(current, 3, "TIA", "TCH")) {
          add("X");
          current += 3;
        } else if (stringAt(current, 2, "TH") || stringAt(current, 3, "TTH")) {
          if (stringAt(current + 2, 2, "OM", "AM") || germanic) add("T");
          else add("0", "T");
          current += 2;
        } else {
          current += stringAt(current + 1, 1, "T", "D") ? 2 : 1;
          add("T");
        }
        break;
      case "V":
        current += at(current + 1) === "V" ? 2 : 1;
        add("F");
        break;
      case "W":
        current = letterW(current);
        break;
      case "X":
        if (
          !(
            current === last &&
            (stringAt(current - 3, 3, "IAU", "EAU") || stringAt(current - 2, 2, "AU", "OU"))
          )
        ) {
          add("KS");
        }
        current += stringAt(current + 1, 1, "C", "X") ? 2 : 1;
        break;
      case "Z":
        if (at(current + 1) === "H") {
          add("J");
          current += 2;
          break;
        }
        if (
          stringAt(current + 1, 2, "ZO", "ZI", "ZA") ||
          (slavoGermanic && current > 0 && at(current - 1) !== "T")
        ) {
          add("S", "TS");
        } else {
          add("S");
        }
        current += at(current + 1) === "Z" ? 2 : 1;
        break;
      default:
        current += 1;
    }
  }

  function letterC(i: number): number {
    // Germanic "-ach-" as in "bacher", "macher".
    if (
      i > 1 &&
      !isVowel(i - 2) &&
      stringAt(i - 1, 3, "ACH") &&
      at(i + 2) !== "I" &&
      (at(i + 2) !== "E" || stringAt(i - 2, 6, "BACHER", "MACHER"))
    ) {
      add("K");
      return i + 2;
    }
    if (i === 0 && stringAt(i, 6, "CAESAR")) {
      add("S");
      return i + 2;
    }
    if (stringAt(i, 4, "CHIA")) {
      add("K");
      return i + 2;
    }
    if (stringAt(i, 2, "CH")) {
      if (i > 0 && stringAt(i, 4, "CHAE")) {
        add("K", "X");
        return i + 2;
      }
      // Greek roots: "chemistry", "chorus".
      if (
        i === 0 &&
        (stringAt(i + 1, 5, "HARAC", "HARIS") || stringAt(i + 1, 3, "HOR", "HYM", "HIA", "HEM")) &&
        !stringAt(0, 5, "CHORE")
      ) {
        add("K");
        return i + 2;
      }
      if (
        germanic ||
        stringAt(i - 2, 6, "ORCHES", "ARCHIT", "ORCHID") ||
        stringAt(i + 2, 1, "T", "S") ||
        ((stringAt(i - 1, 1, "A", "O", "U", "E") || i === 0) &&
          stringAt(i + 2, 1, "L", "R", "N", "M", "B", "H", "F", "V", "W", " "))
      ) {
        add("K");
      } else if (i > 0) {
        if (stringAt(0, 2, "MC")) add("K");
        else add("X", "K");
      } else {
        add("X");
      }
      return i + 2;
    }
    if (stringAt(i, 2, "CZ") && !stringAt(i - 2, 4, "WICZ")) {
      add("S", "X");
      return i + 2;
    }
    if (stringAt(i + 1, 3, "CIA")) {
      add("X");
      return i + 3;
    }
    if (stringAt(i, 2, "CC") && !(i === 1 && at(0) === "M")) {
      if (stringAt(i + 2, 1, "I", "E", "H") && !stringAt(i + 2, 2, "HU")) {
        if ((i === 1 && at(i - 1) === "A") || stringAt(i - 1, 5, "UCCEE", "UCCES")) add("KS");
        else add("X");
        return i + 3;
      }
      add("K");
      return i + 2;
    }
    if (stringAt(i, 2, "CK", "CG", "CQ")) {
      add("K");
      return i + 2;
    }
    if (stringAt(i, 2, "CI", "CE", "CY")) {
      if (stringAt(i, 3, "CIO", "CIE", "CIA")) add("S", "X");
      else add("S");
      return i + 2;
    }
    add("K");
    if (stringAt(i + 1, 2, " C", " Q", " G")) return i + 3;
    if (stringAt(i + 1, 1, "C", "K", "Q") && !stringAt(i + 1, 2, "CE", "CI")) return i + 2;
    return i + 1;
  }

  function letterG(i: number): number {
    if (at(i + 1) === "H") {
      if (i > 0 && !isVowel(i - 1)) {
        add("K");
        return i + 2;
      }
      if (i === 0) {
        add(at(i + 2) === "I" ? "J" : "K");
        return i + 2;
      }
      // Parker's rule: "hugh", "bough", "broughton".
      if (
        (i > 1 && stringAt(i - 2, 1, "B", "H", "D")) ||
        (i > 2 && stringAt(i - 3, 1, "B", "H", "D")) ||
        (i > 3 && stringAt(i - 4, 1, "B", "H"))
      ) {
        return i + 2;
      }
      if (i > 2 && at(i - 1) === "U" && stringAt(i - 3, 1, "C", "G", "L", "R", "T")) add("F");
      else if (i > 0 && at(i - 1) !== "I") add("K");
      return i + 2;
    }
    if (at(i + 1) === "N") {
      if (i === 1 && isVowel(0) && !slavoGermanic) add("KN", "N");
      else if (!stringAt(i + 2, 2, "EY") && at(i + 1) !== "Y" && !slavoGermanic) add("N", "KN");
      else add("KN");
      return i + 2;
    }
    if (stringAt(i + 1, 2, "LI") && !slavoGermanic) {
      add("KL", "L");
      return i + 2;
    }
    if (
      i === 0 &&
      (at(i + 1) === "Y" ||
        stringAt(i + 1, 2, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER"))
    ) {
      add("K", "J");
      return i + 2;
    }
    if (
      (stringAt(i + 1, 2, "ER") || at(i + 1) === "Y") &&
      !stringAt(0, 6, "DANGER", "RANGER", "MANGER") &&
      !stringAt(i - 1, 1, "E", "I") &&
      !stringAt(i - 1, 3, "RGY", "OGY")
    ) {
      add("K", "J");
      return i + 2;
    }
    if (stringAt(i + 1, 1, "E", "I", "Y") || stringAt(i - 1, 4, "AGGI", "OGGI")) {
      if (germanic || stringAt(i + 1, 2, "ET")) add("K");
      else if (stringAt(i + 1, 4, "IER ")) add("J");
      else add("J", "K");
      return i + 2;
    }
    add("K");
    return at(i + 1) === "G" ? i + 2 : i + 1;
  }

  function letterJ(i: number): number {
    if (stringAt(i, 4, "JOSE") || stringAt(0, 4, "SAN ")) {
      if ((i === 0 && at(i + 4) === " ") || stringAt(0, 4, "SAN ")) add("H");
      else add("J", "H");
      return i + 1;
    }
    if (i === 0) {
      add("J", "A");
    } else if (!slavoGermanic && isVowel(i - 1) && (at(i + 1) === "A" || at(i + 1) === "O")) {
      add("J", "H");
    } else if (i === last) {
      add("J", " ");
    } else if (
      !stringAt(i + 1, 1, "L", "T", "K", "S", "N", "M", "B", "Z") &&
      !stringAt(i - 1, 1, "S", "K", "L")
    ) {
      add("J");
    }
    return at(i + 1) === "J" ? i + 2 : i + 1;
  }

  function letterS(i: number): number {
    if (stringAt(i - 1, 3, "ISL", "YSL")) return i + 1;
    if (i === 0 && stringAt(i, 5, "SUGAR")) {
      add("X", "S");
      return i + 1;
    }
    if (stringAt(i, 2, "SH")) {
      if (stringAt(i + 1, 4, "HEIM", "HOEK", "HOLM", "HOLZ")) add("S");
      else add("X");
      return i + 2;
    }
    if (stringAt(i, 3, "SIO", "SIA") || stringAt(i, 4, "SIAN")) {
      if (!slavoGermanic) add("S", "X");
      else add("S");
      return i + 3;
    }
    // "smith" ~ "schmidt", "snider" ~ "schneider"; Slavic "-sz-".
    if ((i === 0 && stringAt(i + 1, 1, "M", "N", "L", "W")) || stringAt(i + 1, 1, "Z")) {
      add("S", "X");
      return stringAt(i + 1, 1, "Z") ? i + 2 : i + 1;
    }
    if (stringAt(i, 2, "SC")) {
      if (at(i + 2) === "H") {
        if (stringAt(i + 3, 2, "OO", "ER", "EN", "UY", "ED", "EM")) {
          if (stringAt(i + 3, 2, "ER", "EN")) add("X", "SK");
          else add("SK");
          return i + 3;
        }
        if (i === 0 && !isVowel(3) && at(3) !== "W") add("X", "S");
        else add("X");
        return i + 3;
      }
      if (stringAt(i + 2, 1, "I", "E", "Y")) add("S");
      else add("SK");
      return i + 3;
    }
    if (i === last && stringAt(i - 2, 2, "AI", "OI")) add("", "S");
    else add("S");
    return stringAt(i + 1, 1, "S", "Z") ? i + 2 : i + 1;
  }

  function letterW(i: number): number {
    if (stringAt(i, 2, "WR")) {
      add("R");
      return i + 2;
    }
    if (i === 0 && (isVowel(i + 1) || stringAt(i, 2, "WH"))) {
      if (isVowel(i + 1)) add("A", "F");
      else add("A");
    }
    if (
      (i === last && isVowel(i - 1)) ||
      stringAt(i - 1, 5, "EWSKI", "EWSKY", "OWSKI", "OWSKY") ||
      stringAt(0, 3, "SCH")
    ) {
      add("", "F");
      return i + 1;
    }
    if (stringAt(i, 4, "WICZ", "WITZ")) {
      add("TS", "FX");
      return i + 4;
    }
    return i + 1;
  }

  return [primary.slice(0, 4), (hasAlternate ? secondary : primary).slice(0, 4)];
}
