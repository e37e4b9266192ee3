#!/usr/bin/env bash
# Prints the Secrets the crew's Kubernetes manifests expect (deploy/k8s), one per pod that needs
# one, each holding only what that pod's config references:
#   deploy/k8s/secrets.sh [--demo] > secrets.yaml      # keep this file safe; never commit it
#   kubectl apply -n opscrew -f secrets.yaml           # before `helm install nats` and the crew
# A variable set in the environment is used as is (the .env.example names); any other password or
# token is generated: NATS passwords as p + 48 hex digits (nats-server reads them as config values:
# a letter first, then letters and digits), the API token as 48 hex digits. Run it once and keep
# the output: the NATS server reads the passwords when it starts, so new ones mean applying all
# the Secrets and restarting the servers and the agents together.
# Integration credentials (JIRA_*, DISCORD_*, SIGNOZ_*, ANTHROPIC_API_KEY) are added to the Secrets
# of the agents that use them only when set in the environment.
# --demo: also the demo shop's fault API token (Secret opscrew-shop, and demo-controller's).
set -euo pipefail

demo=false
for arg in "$@"; do
  case "$arg" in
    --demo) demo=true ;;
    -h | --help)
      sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "secrets.sh: unknown argument $arg (--demo, --help)" >&2
      exit 2
      ;;
  esac
done

hex48() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

# The environment's value, else a generated one: `value NAME password|token`.
value() {
  local current="${!1:-}"
  if [ -n "$current" ]; then
    printf '%s' "$current"
  elif [ "$2" = password ]; then
    printf 'p%s' "$(hex48)"
  else
    hex48
  fi
}

NATS_USERS=(ATLAS OPS_MONITOR JIRA_RESOLVER DEMO_CONTROLLER CLI REPORTER ADMIN)
for user in "${NATS_USERS[@]}"; do
  declare "NATS_PASSWORD_${user}=$(value "NATS_PASSWORD_${user}" password)"
  name="NATS_PASSWORD_${user}"
  if ! [[ "${!name}" =~ ^[A-Za-z][A-Za-z0-9]*$ ]]; then
    echo "secrets.sh: $name must be letters and digits, starting with a letter (nats-server reads it as config)" >&2
    exit 2
  fi
done
OPSCREW_API_TOKEN="$(value OPSCREW_API_TOKEN token)"
OPSCREW_SHOP_TOKEN="$(value OPSCREW_SHOP_TOKEN token)"

# One Secret: `secret NAME VAR…`; a variable left empty is left out.
secret() {
  local name="$1" variable
  shift
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  labels:\n    app.kubernetes.io/part-of: opscrew\ntype: Opaque\nstringData:\n' "$name"
  for variable in "$@"; do
    [ -n "${!variable:-}" ] || continue
    # A double-quoted YAML string: backslashes and quotes escaped.
    local escaped="${!variable//\\/\\\\}"
    printf '  %s: "%s"\n' "$variable" "${escaped//\"/\\\"}"
  done
}

INTEGRATIONS=(JIRA_BASE_URL JIRA_EMAIL JIRA_API_TOKEN DISCORD_WEBHOOK_URL DISCORD_ONCALL_ROLE_ID
  DISCORD_LEAD_ROLE_ID SIGNOZ_URL SIGNOZ_API_KEY ANTHROPIC_API_KEY)

# The NATS servers check every user's password (deploy/k8s/nats/values.yaml reads them from here).
secret nats-users "${NATS_USERS[@]/#/NATS_PASSWORD_}"
secret opscrew-provision NATS_PASSWORD_ADMIN
secret opscrew-atlas NATS_PASSWORD_ATLAS OPSCREW_API_TOKEN DISCORD_APPLICATION_ID DISCORD_PUBLIC_KEY ANTHROPIC_API_KEY
secret opscrew-ops-monitor NATS_PASSWORD_OPS_MONITOR OPSCREW_API_TOKEN "${INTEGRATIONS[@]}"
secret opscrew-jira-resolver NATS_PASSWORD_JIRA_RESOLVER "${INTEGRATIONS[@]}"
if [ "$demo" = true ]; then
  secret opscrew-demo-controller NATS_PASSWORD_DEMO_CONTROLLER OPSCREW_API_TOKEN OPSCREW_SHOP_TOKEN
  secret opscrew-shop OPSCREW_SHOP_TOKEN
else
  secret opscrew-demo-controller NATS_PASSWORD_DEMO_CONTROLLER OPSCREW_API_TOKEN
fi
