#!/bin/sh
# One check of Rulepack's GET /healthz (rulepack-healthz.service runs it).
#   200         healthy: exit 0
#   no answer   the process hangs or is gone: run $RULEPACK_RESTART, exit 1
#   other code  it answers but a practice's store or listener is down
#               (the body names it): print it, exit 1, leave it running
set -u
url="${RULEPACK_HEALTHZ_URL:-http://127.0.0.1:8080/healthz}"
restart="${RULEPACK_RESTART:-systemctl restart rulepack.service}"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
code="$(curl --silent --output "$body" --write-out '%{http_code}' --max-time 10 "$url")"
case "$code" in
  200)
    exit 0
    ;;
  000)
    echo "rulepack healthz: $url did not answer: $restart"
    $restart
    exit 1
    ;;
  *)
    echo "rulepack healthz: $url answered $code: $(cat "$body")"
    exit 1
    ;;
esac
