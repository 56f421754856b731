import { describe, expect, it } from "vitest";
import { readYaml, type YamlSource } from "../../engine/documents/source.js";

/**
 * docs/pack-language.md §21: "The position is that of the offending key or
 * value". An error inside a reference or an expression is mapped from its
 * column in the value back to the file, through every YAML scalar style.
 */
function source(text: string): YamlSource {
  const read = readYaml("mem.yaml", text);
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  return read.source;
}

/** Line and column in the file of the first `needle` in the value at `path`. */
function at(text: string, path: (string | number)[], needle: string): [number, number] {
  const s = source(text);
  const value = (s.doc?.getIn(path) as string) ?? "";
  const column = value.indexOf(needle) + 1;
  expect(column).toBeGreaterThan(0);
  const p = s.locateWithin(path, column);
  return [p.line, p.col];
}

describe("locating a column inside a scalar, by style", () => {
  it("plain", () => {
    expect(at("a:\n  from: PID.5.1 | FT1.20\n", ["a", "from"], "FT1")).toEqual([2, 19]);
  });

  it("double-quoted, with escapes before the column", () => {
    expect(at('from: "A\\"B\\u0041 | PID.5."\n', ["from"], "PID")).toEqual([1, 21]);
  });

  it("single-quoted, with a doubled quote before the column", () => {
    expect(at("when: '''x'' = $field(''PID.5.0'')'\n", ["when"], "PID")).toEqual([1, 25]);
  });

  it("double-quoted, with an escaped backslash right before the column", () => {
    expect(at('from: "a\\\\b | PID.5."\n', ["from"], "b")).toEqual([1, 11]);
  });

  it("double-quoted over two lines (folded into a space)", () => {
    expect(at("expr: \"$uppercase(\n    $field('PID.5.1'))\"\n", ["expr"], "$field")).toEqual([
      2, 5,
    ]);
  });

  it("block folded (>-) over two lines", () => {
    expect(at("expr: >-\n  $a\n  & $field('X')\n", ["expr"], "$field")).toEqual([3, 5]);
  });

  it("block folded with a more-indented line (its break and indentation are kept)", () => {
    expect(at("expr: >-\n  ($p := 1;\n   $eval($p))\n", ["expr"], "$eval")).toEqual([3, 4]);
  });

  it("block literal (|) over three lines", () => {
    expect(at("expr: |\n  (\n    $x := 1;\n    $y($x))\n", ["expr"], "$y")).toEqual([4, 5]);
  });

  it("a column past the end of the value lands just after it", () => {
    const s = source("from: PID.5.\n");
    expect(s.locateWithin(["from"], 7)).toMatchObject({ line: 1, col: 13 });
  });
});

describe("YAML errors are placed where the author must look", () => {
  it("an unclosed quote: at the opening quote, not at the end of the file", () => {
    const read = readYaml("mem.yaml", 'a: 1\nname: "Harbor\nb: 2\n');
    expect(read.ok ? [] : read.errors.map((e) => [e.code, e.line, e.col])).toEqual([
      ["YAML_SYNTAX", 2, 7],
    ]);
  });

  it("a duplicate key: at the second key, naming the line of the first", () => {
    const read = readYaml("mem.yaml", "a:\n  x: 1\n  y: 2\n  x: 3\n");
    expect(read.ok ? [] : read.errors.map((e) => [e.code, e.line, e.col, e.message])).toEqual([
      [
        "DUPLICATE_KEY",
        4,
        3,
        '"x" is already defined at line 2; each key may appear once in a map',
      ],
    ]);
  });
});
