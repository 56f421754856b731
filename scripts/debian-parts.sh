#!/usr/bin/env bash
# The Debian packages the tests use, checked before they run (one policy for
# all, docs/decisions/0002): run as root, what is missing is installed
# (apt-get update once, then install); otherwise the test command stops at
# once with the exact apt-get line to run. Nothing is skipped.
#   python3-hl7    /usr/bin/python3 + hl7, mllp_send: an independent HL7 implementation
#   libxml2-utils  xmllint: JUnit and Cobertura output are checked with it
#   chromium       prints the scope sheet to PDF (driven by playwright-core)
#   poppler-utils  pdfinfo, pdftoppm: read that PDF back
#   postgresql     initdb, pg_ctl: a throw-away cluster for the PostgreSQL store (test/support/pg-cluster.ts)
#   openssl        a throw-away CA and certificates for the TLS listener, and s_client as a TLS sender
#   curl           deploy/healthz-check.sh, run against a host's /healthz
#   systemd        systemd-analyze verify: deploy/'s units are checked as systemd reads them
set -euo pipefail

missing=()
/usr/bin/python3 -c 'import hl7' 2>/dev/null || missing+=(python3-hl7)
command -v xmllint >/dev/null || missing+=(libxml2-utils)
command -v chromium >/dev/null || missing+=(chromium)
command -v pdfinfo >/dev/null || missing+=(poppler-utils)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
command -v systemd-analyze >/dev/null || missing+=(systemd)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "rulepack tests need Debian packages that are not installed: ${missing[*]}" >&2
  echo "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing the Debian packages the tests use: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
