/**
 * Problems found while loading a rule pack: values with a code and the place
 * in the pack (`FILE:LINE:COL`), never strings thrown across layers.
 */
export type PackErrorCode =
  | "FILE_NOT_FOUND"
  | "YAML_SYNTAX"
  | "YAML_ALIAS_LIMIT"
  | "DUPLICATE_KEY"
  | "UNKNOWN_KEY"
  | "MISSING_KEY"
  | "INVALID_VALUE"
  | "INVALID_ENUM"
  | "CODE_NOT_STRING"
  | "UNKNOWN_FIELD"
  | "OPTION_DEPENDENCY"
  | "INVALID_FIELD_REFERENCE"
  | "SEGMENT_NOT_IN_MESSAGE"
  | "JSONATA_SYNTAX"
  | "JSONATA_REGEX_FORBIDDEN"
  | "JSONATA_FORBIDDEN_FUNCTION"
  | "EXTENDS_CYCLE"
  | "EXTENDS_NOT_FOUND"
  | "EXTENDS_NOT_A_PACK"
  | "MAPPING_TABLE_NOT_FOUND"
  | "DUPLICATE_RULE"
  | "DUPLICATE_ROW"
  | "PACK_ID_MISMATCH"
  | "MODELINE_MISSING"
  | "LOAD_FAILED"
  // What a pack names that the master data beside it lacks (engine/pack/master-references.ts).
  | "UNKNOWN_MASTER_CODE"
  // An abstract pack (rules/base.yaml) where a practice is opened (loadPractice).
  | "PACK_ABSTRACT"
  // Warnings of `validate --strict` (engine/pack/lint.ts).
  | "OVERRIDE_EQUALS_INHERITED"
  | "SEGMENT_NOT_IN_STRUCTURE"
  | "TABLE_NOT_READ"
  | "DUPLICATE_FOREIGN_KEY"
  | "OPTION_WITHOUT_EVENT"
  | "RULE_SHADOWED";

export interface SourcePosition {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
}

export interface PackError extends SourcePosition {
  readonly code: PackErrorCode;
  /** Absent means error; a warning never makes a pack invalid. */
  readonly severity?: "error" | "warning";
  readonly message: string;
  /** The JSON path of the offending value in the pack (`enabled.inbound.patientAdd`). */
  readonly path?: string;
}

/** `FILE:LINE:COL: CODE message`, the line format of `rulepack validate`. */
export function formatPackError(e: PackError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.code} ${e.message}`;
}

export function byPosition(a: PackError, b: PackError): number {
  return (
    a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.code.localeCompare(b.code)
  );
}
