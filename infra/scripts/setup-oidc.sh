#!/usr/bin/env bash
# One-time bootstrap of an AWS account for sbh: the Terraform state bucket, GitHub's
# OIDC provider and the four roles GitHub Actions assumes (build: push images; deploy: update
# the service; plan: read the infrastructure for pull requests and the drift check; apply:
# change it after merge). Their permissions come with the first `terraform apply`, which is
# done by hand with the same credentials. Idempotent: run it again to repair drift. Needs the
# AWS CLI v2 and administrator credentials for the environment's account.
set -euo pipefail

readonly REPOSITORY=system-builder-hub/sbh
readonly OIDC_HOST="token.actions.githubusercontent.com"
# GitHub's published thumbprints; IAM no longer checks them for this provider but older CLIs
# still require the argument.
readonly OIDC_THUMBPRINTS=(6938fd4d98bab03faadb97b34396831e3780aea1 1c58a3a8518e8759bf075b76b750d4f2df264fcd)

usage() {
  cat <<'USAGE'
Usage: infra/scripts/setup-oidc.sh ENVIRONMENT [--dry-run] [--owner-id ID --repository-id ID]

Creates, or repairs, in the environment's AWS account:
  - the S3 bucket holding Terraform state (versioned, encrypted, private, TLS only)
  - the GitHub OIDC provider (token.actions.githubusercontent.com), if the account has none
  - the build, deploy, plan and apply roles, trusting only this repository (exact OIDC
    subjects); their permissions come with the first terraform apply
Then prints the role ARNs and the GitHub variables to set.

Options:
  --dry-run            print the AWS commands instead of running them (no credentials needed)
  --owner-id ID        numeric id of the repository owner and
  --repository-id ID   numeric id of the repository: use GitHub's immutable-id OIDC subjects
                       (repo:OWNER@ID/NAME@ID:...), as GitHub sends for repositories created
                       after mid-2026. Find them with: gh api repos/OWNER/NAME --jq '.owner.id, .id'
  -h, --help           show this help
USAGE
  echo "Environments: dev (account 111111111111, us-east-1)"
  echo "Environments: prod (account 222222222222, us-east-1)"
}

die() {
  echo "setup-oidc: $*" >&2
  exit 1
}

DRY_RUN=false
ENVIRONMENT=""
OWNER_ID=""
REPOSITORY_ID=""
while (($# > 0)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --dry-run) DRY_RUN=true ;;
    --owner-id) OWNER_ID="${2:?--owner-id needs a value}"; shift ;;
    --repository-id) REPOSITORY_ID="${2:?--repository-id needs a value}"; shift ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [[ -z "$ENVIRONMENT" ]] || die "one environment at a time (got $ENVIRONMENT and $1)"; ENVIRONMENT="$1" ;;
  esac
  shift
done
[[ -n "$ENVIRONMENT" ]] || { usage >&2; exit 2; }
[[ -z "$OWNER_ID$REPOSITORY_ID" || ("$OWNER_ID" =~ ^[0-9]+$ && "$REPOSITORY_ID" =~ ^[0-9]+$) ]] \
  || die "--owner-id and --repository-id go together and are numbers"

case "$ENVIRONMENT" in
  dev)
    ACCOUNT_ID=111111111111
    REGION=us-east-1
    PARTITION=aws
    STATE_BUCKET=sbh-dev-tfstate-111111111111-us-east-1
    DEPLOY_ROLE=sbh-dev-github-deploy
    BUILD_ROLE=sbh-dev-github-build
    PLAN_ROLE=sbh-dev-github-plan
    APPLY_ROLE=sbh-dev-github-apply
    ;;
  prod)
    ACCOUNT_ID=222222222222
    REGION=us-east-1
    PARTITION=aws
    STATE_BUCKET=sbh-prod-tfstate-222222222222-us-east-1
    DEPLOY_ROLE=sbh-prod-github-deploy
    BUILD_ROLE=sbh-prod-github-build
    PLAN_ROLE=sbh-prod-github-plan
    APPLY_ROLE=sbh-prod-github-apply
    ;;
  *) die "unknown environment '$ENVIRONMENT' (known: dev, prod)" ;;
esac

if [[ -n "$REPOSITORY_ID" ]]; then
  SUBJECT="repo:${REPOSITORY%%/*}@${OWNER_ID}/${REPOSITORY#*/}@${REPOSITORY_ID}"
else
  SUBJECT="repo:${REPOSITORY}"
fi
OIDC_ARN="arn:${PARTITION}:iam::${ACCOUNT_ID}:oidc-provider/${OIDC_HOST}"

# Mutating calls go through `run`: printed in a dry run, executed otherwise.
run() {
  if [[ "$DRY_RUN" == true ]]; then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

# Read-only probes answer "absent" in a dry run, so the plan shows every step.
exists() {
  [[ "$DRY_RUN" == false ]] && "$@" >/dev/null 2>&1
}

export AWS_REGION="$REGION"

if [[ "$DRY_RUN" == false ]]; then
  command -v aws >/dev/null || die "the AWS CLI v2 is required (https://aws.amazon.com/cli/)"
  CURRENT_ACCOUNT="$(aws sts get-caller-identity --query Account --output text)" \
    || die "no AWS credentials: sign in to account $ACCOUNT_ID first"
  [[ "$CURRENT_ACCOUNT" == "$ACCOUNT_ID" ]] \
    || die "these credentials are for account $CURRENT_ACCOUNT, but $ENVIRONMENT lives in $ACCOUNT_ID"
fi

echo "== $ENVIRONMENT: account $ACCOUNT_ID, region $REGION"

echo "-- Terraform state bucket $STATE_BUCKET"
if exists aws s3api head-bucket --bucket "$STATE_BUCKET"; then
  echo "   exists"
elif [[ "$REGION" == "us-east-1" ]]; then
  run aws s3api create-bucket --bucket "$STATE_BUCKET"
else
  run aws s3api create-bucket --bucket "$STATE_BUCKET" \
    --create-bucket-configuration "LocationConstraint=$REGION"
fi
run aws s3api put-public-access-block --bucket "$STATE_BUCKET" --public-access-block-configuration \
  "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
run aws s3api put-bucket-versioning --bucket "$STATE_BUCKET" --versioning-configuration Status=Enabled
run aws s3api put-bucket-encryption --bucket "$STATE_BUCKET" --server-side-encryption-configuration \
  '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'
run aws s3api put-bucket-policy --bucket "$STATE_BUCKET" --policy "$(printf '{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:%s:s3:::%s","arn:%s:s3:::%s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}' "$PARTITION" "$STATE_BUCKET" "$PARTITION" "$STATE_BUCKET")"

echo "-- GitHub OIDC provider"
if exists aws iam get-open-id-connect-provider --open-id-connect-provider-arn "$OIDC_ARN"; then
  echo "   exists: $OIDC_ARN"
else
  run aws iam create-open-id-connect-provider --url "https://${OIDC_HOST}" \
    --client-id-list sts.amazonaws.com --thumbprint-list "${OIDC_THUMBPRINTS[@]}"
fi

trust_policy() {
  # Exact audience and subjects: no other repository, branch or environment can assume it.
  local subjects
  subjects="$(printf '"%s",' "$@")"
  printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"%s"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"%s:aud":"sts.amazonaws.com","%s:sub":[%s]}}}]}' \
    "$OIDC_ARN" "$OIDC_HOST" "$OIDC_HOST" "${subjects%,}"
}

ensure_role() {
  local name="$1"
  shift
  echo "-- role $name (trusts $*)"
  if exists aws iam get-role --role-name "$name"; then
    run aws iam update-assume-role-policy --role-name "$name" --policy-document "$(trust_policy "$@")"
  else
    run aws iam create-role --role-name "$name" --max-session-duration 3600 \
      --assume-role-policy-document "$(trust_policy "$@")" \
      --description "GitHub Actions for $REPOSITORY; permissions are managed by Terraform"
  fi
}

ensure_role "$DEPLOY_ROLE" "${SUBJECT}:environment:${ENVIRONMENT}"
ensure_role "$BUILD_ROLE" "${SUBJECT}:ref:refs/heads/main"
# Pull requests, and the drift check on the default branch (it runs without an environment).
ensure_role "$PLAN_ROLE" "${SUBJECT}:pull_request" "${SUBJECT}:ref:refs/heads/main"
ensure_role "$APPLY_ROLE" "${SUBJECT}:environment:${ENVIRONMENT}"

DEPLOY_ROLE_ARN="arn:${PARTITION}:iam::${ACCOUNT_ID}:role/${DEPLOY_ROLE}"
BUILD_ROLE_ARN="arn:${PARTITION}:iam::${ACCOUNT_ID}:role/${BUILD_ROLE}"
PLAN_ROLE_ARN="arn:${PARTITION}:iam::${ACCOUNT_ID}:role/${PLAN_ROLE}"
APPLY_ROLE_ARN="arn:${PARTITION}:iam::${ACCOUNT_ID}:role/${APPLY_ROLE}"
ENVIRONMENT_UPPER="$(printf '%s' "$ENVIRONMENT" | tr '[:lower:]-' '[:upper:]_')"

cat <<DONE

Done. Roles:
  deploy: $DEPLOY_ROLE_ARN
  build:  $BUILD_ROLE_ARN
  plan:   $PLAN_ROLE_ARN
  apply:  $APPLY_ROLE_ARN

The workflows already name these roles. Set these GitHub variables only if you rename them:
  gh variable set OIDC_ROLE_ARN --repo $REPOSITORY --env $ENVIRONMENT --body $DEPLOY_ROLE_ARN
  gh variable set AWS_BUILD_ROLE_ARN_${ENVIRONMENT_UPPER} --repo $REPOSITORY --body $BUILD_ROLE_ARN
  gh variable set AWS_PLAN_ROLE_ARN_${ENVIRONMENT_UPPER} --repo $REPOSITORY --body $PLAN_ROLE_ARN
  gh variable set AWS_APPLY_ROLE_ARN_${ENVIRONMENT_UPPER} --repo $REPOSITORY --body $APPLY_ROLE_ARN

Next, the first apply, by hand with these credentials (it gives the roles their permissions;
every later change goes through a pull request):
  cd infra/envs/$ENVIRONMENT && terraform init && terraform apply
DONE
if [[ -z "$REPOSITORY_ID" ]]; then
  echo "(If GitHub sends immutable-id subjects for this repository, rerun with --owner-id and --repository-id"
  echo " and pass the same ids to Terraform: -var github_owner_id=... -var github_repository_id=...)"
fi
