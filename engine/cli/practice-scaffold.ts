/**
 * The files `rulepack init PRACTICE` writes: a pack extending the base, an
 * empty master data file, and one rule test that passes against them. The
 * pack declares the sender's MR identifier (PID-3) as the matching external
 * ID, as docs/pack-language.md §12 recommends for every practice.
 */

export interface ScaffoldPaths {
  /** From the practice folder to base.yaml, e.g. `../../base.yaml`. */
  readonly base: string;
  /** From the practice folder to the schemas folder, e.g. `../../../schemas`. */
  readonly schemas: string;
}

/**
 * The practice's insurance plan table (the base requires one:
 * `insurancePlan` is mappingRequired), written in its mappings folder
 * `mappingsDir/PRACTICE/`; `schemas` is relative to that folder.
 */
export function insurancePlanTable(practice: string, schemas: string): string {
  return `# yaml-language-server: $schema=${schemas}/mapping-table.schema.json
#
# ${practice}: the sender's insurance plans -> the practice's insurance
# packages (master-data.yaml). A plan not listed is UNMAPPED_INSURANCE;
# add rows with \`rulepack mapping add insurancePlan FOREIGN PRACTICE\`.
table: insurancePlan
description: ${practice} insurance plans -> practice insurance packages
rows: []
`;
}

export interface ScaffoldFile {
  /** Relative to the practice folder. */
  readonly path: string;
  readonly text: string;
}

export function practiceScaffold(practice: string, paths: ScaffoldPaths): ScaffoldFile[] {
  return [
    { path: "pack.yaml", text: packYaml(practice, paths) },
    { path: "master-data.yaml", text: masterDataYaml(practice, paths) },
    { path: "tests/patients.test.yaml", text: patientsTest(practice, paths) },
    { path: "tests/messages/adt-a04.hl7", text: `${SAMPLE_A04.join("\r")}\r` },
  ];
}

function packYaml(practice: string, paths: ScaffoldPaths): string {
  return `# yaml-language-server: $schema=${paths.schemas}/rulepack.schema.json
#
# ${practice}: made by \`rulepack init\`. Every key the base sets applies;
# write here only what this practice does differently (docs/pack-language.md).
pack:
  id: ${practice}
  description: ${practice}
  extends: ${paths.base}

# Table 1 - General information: fill in from the scoping document.
practice:
  contextId: "0"
  name: ${practice}
  timeZone: America/New_York

# Table 5 - the sender's medical record number (PID-3 with type MR) finds the
# patient first (docs/pack-language.md §12, "Recommended").
externalIds:
  patient:
    - name: mrn
      customFieldId: "1"
      from: PID.3[5=MR].1
      useForMatching: true

matching:
  order:
    patient: [externalId, patientId, demographics]
`;
}

function masterDataYaml(practice: string, paths: ScaffoldPaths): string {
  return `# yaml-language-server: $schema=${paths.schemas}/master-data.schema.json
#
# ${practice}: the practice system's master data (providers, departments,
# appointment types, packages...), loaded into the store by \`rulepack run\`
# and \`rulepack store load\`. Empty until the practice sends its lists.
{}
`;
}

const SAMPLE_A04 = [
  "MSH|^~\\&|EHR|CLINIC|PS|PS|20260115120000||ADT^A04|INIT1|P|2.5.1",
  "EVN|A04|20260115120000",
  "PID|1||000123^^^EHR^MR||Sample^Alex||19800101|F|||1 Main St^^Springfield^IL^62701",
  "PV1|1|O",
];

function patientsTest(practice: string, paths: ScaffoldPaths): string {
  return `# yaml-language-server: $schema=../${paths.schemas}/rule-test.schema.json
#
# ${practice}: the first case. Add one for every choice the pack makes.
description: ${practice}, inbound patients
pack: ../pack.yaml
now: 2026-01-15T18:00:00Z

cases:
  - name: an A04 registers a new patient with the sender's MRN as its external ID
    messages:
      - file: messages/adt-a04.hl7
    expect:
      state: PROCESSED
      errors: []
      actions:
        - type: patient.create
          patient:
            lastName: Sample
            firstName: Alex
            dob: "1980-01-01"
            externalIds: { mrn: "000123" }
`;
}
