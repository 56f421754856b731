import { byPosition, type PackError } from "../documents/errors.js";
import { layerOf } from "../documents/merge.js";
import { schemaValidator } from "../documents/schema.js";
import { convertSchemaErrors } from "../documents/schema-errors.js";
import type { YamlSource } from "../documents/source.js";
import type { MasterData } from "../model/master-data.js";
import { readYamlCached, readYamlFileCached } from "./yaml-cache.js";

/**
 * `rules/practices/<name>/master-data.yaml` read, checked against
 * schemas/master-data.schema.json and then for what a schema cannot say:
 * IDs unique within each list, a supervising provider that exists, an NPI
 * whose check digit holds. Every problem is located (`FILE:LINE:COL`).
 * Defaults are written out (`casePolicy: false`, `billingSlipRequired:
 * true`, absent lists empty), so readers never guess.
 */
export type MasterDataLoad =
  | { readonly ok: true; readonly data: MasterData }
  | { readonly ok: false; readonly errors: readonly PackError[] };

type ListName = keyof MasterData;

const KEY_OF: Readonly<Record<ListName, string>> = {
  providers: "id",
  departments: "id",
  insurancePackages: "id",
  appointmentTypes: "id",
  procedures: "code",
};

/** `text` stands for the file's content (tests, editors); else the file is read. */
export function loadMasterData(file: string, text?: string): MasterDataLoad {
  const read = text === undefined ? readYamlFileCached(file) : readYamlCached(file, text);
  if (!read.ok) return { ok: false, errors: read.errors };
  const source = read.source;
  const validate = schemaValidator("master-data");
  if (!validate(source.data)) {
    const errors = convertSchemaErrors(validate.errors ?? [], layerOf(source));
    return { ok: false, errors: errors.sort(byPosition) };
  }
  const raw = source.data as Partial<MasterData>;
  const data: MasterData = {
    providers: raw.providers ?? [],
    departments: raw.departments ?? [],
    insurancePackages: (raw.insurancePackages ?? []).map((p) => ({
      ...p,
      casePolicy: p.casePolicy ?? false,
    })),
    appointmentTypes: (raw.appointmentTypes ?? []).map((t) => ({
      ...t,
      billingSlipRequired: t.billingSlipRequired ?? true,
    })),
    procedures: raw.procedures ?? [],
  };
  const errors = [...duplicates(source, data), ...providerChecks(source, data)];
  if (errors.length > 0) return { ok: false, errors: errors.sort(byPosition) };
  return { ok: true, data };
}

function duplicates(source: YamlSource, data: MasterData): PackError[] {
  const errors: PackError[] = [];
  for (const list of Object.keys(KEY_OF) as ListName[]) {
    const key = KEY_OF[list];
    const first = new Map<string, number>();
    data[list].forEach((item, i) => {
      const id = (item as unknown as Record<string, string>)[key] as string;
      const earlier = first.get(id);
      if (earlier === undefined) {
        first.set(id, i);
        return;
      }
      errors.push({
        ...source.locate([list, i, key]),
        code: "DUPLICATE_ROW",
        message: `${list}[${i}].${key} '${id}' is already listed (line ${source.locate([list, earlier]).line}); each ${key} may appear once`,
        path: `${list}.${i}.${key}`,
      });
    });
  }
  return errors;
}

function providerChecks(source: YamlSource, data: MasterData): PackError[] {
  const errors: PackError[] = [];
  const ids = new Set(data.providers.map((p) => p.id));
  data.providers.forEach((provider, i) => {
    const supervisor = provider.supervisingProviderId;
    if (supervisor !== undefined && !ids.has(supervisor)) {
      errors.push({
        ...source.locate(["providers", i, "supervisingProviderId"]),
        code: "INVALID_VALUE",
        message: `providers[${i}].supervisingProviderId '${supervisor}' names no provider in this file`,
        path: `providers.${i}.supervisingProviderId`,
      });
    }
    if (provider.npi !== undefined && !npiCheckDigitHolds(provider.npi)) {
      errors.push({
        ...source.locate(["providers", i, "npi"]),
        code: "INVALID_VALUE",
        message: `providers[${i}].npi '${provider.npi}' fails the NPI check digit (Luhn over 80840 and the first nine digits)`,
        path: `providers.${i}.npi`,
      });
    }
  });
  return errors;
}

/** The NPI check digit: Luhn over `80840` + the ten digits. */
export function npiCheckDigitHolds(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  const digits = `80840${npi}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
