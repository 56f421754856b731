import type { FieldType, MappingElement, RecordKind } from "../model/canonical-fields.js";
import type { CompiledReference } from "../paths/types.js";
import type { Enablement } from "./enablement.js";
import type { CompiledExpression, ExpressionBudget } from "./expressions.js";
import type { MappingTable } from "./mapping-tables.js";

/**
 * A pack after loading: every reference and expression compiled, every
 * mapping table read. The per-message path reads only this.
 */

export interface PracticeDetails {
  readonly contextId: string;
  readonly name: string;
  readonly eventNumber?: string;
  readonly vendorName?: string;
  readonly vendorType?: string;
  readonly timeZone: string;
}

export interface CompiledFieldRule {
  readonly name: string;
  readonly field: string;
  readonly record: RecordKind;
  readonly type: FieldType;
  readonly from?: CompiledReference;
  readonly expr?: CompiledExpression;
  readonly when?: CompiledExpression;
  readonly map?: MappingElement;
  readonly default?: string | number | boolean;
  /** `FILE:LINE` where the rule was written, for traces and coverage. */
  readonly at: string;
}

export interface CompiledRequiredRule {
  readonly name: string;
  readonly record: RecordKind;
  readonly field?: string;
  readonly ref?: CompiledReference;
  readonly on: readonly ("create" | "update")[];
  readonly when?: CompiledExpression;
  readonly severity: "error" | "warning";
  readonly label: string;
  readonly at: string;
}

export interface CompiledMapping {
  readonly element: MappingElement;
  readonly table: string;
  readonly mappingRequired: boolean;
  readonly accept?: readonly ("practiceId" | "npi")[];
  /** Read when mapping is required (or an expression names the table). */
  readonly rows?: MappingTable;
  readonly at: string;
}

export interface CompiledPack {
  readonly id: string;
  /** The pack file that was loaded, as given. */
  readonly file: string;
  readonly abstract: boolean;
  readonly practice?: PracticeDetails;
  readonly enabled: Enablement;
  /** Field rules in merged order. */
  readonly fields: readonly CompiledFieldRule[];
  readonly required: readonly CompiledRequiredRule[];
  readonly mappings: Readonly<Partial<Record<MappingElement, CompiledMapping>>>;
  /** Every table read, by table name (also those only `$mapCode` names). */
  readonly tables: ReadonlyMap<string, MappingTable>;
  readonly budget: ExpressionBudget;
  /** The merged pack as data (`rulepack validate --effective`). */
  readonly effective: unknown;
}
