#!/usr/bin/env bash
# The step of the lwf GitHub Action (action.yml): validate LWF_PATHS with the
# lwf binary at LWF and report in LWF_FORMAT, to LWF_OUTPUT when set. The
# default path is the repository: below a directory lwf checks only its
# workflow files and counts the other YAML it skips (docs/ci.md). The exit
# code is lwf's: 0 clean, 1 problems found, 2 unreadable input.
set -uo pipefail
lwf=${LWF:-lwf}
format=${LWF_FORMAT:-github}
read -r -a paths <<< "${LWF_PATHS:-.}"
if [ -n "${LWF_OUTPUT:-}" ]; then
  "$lwf" validate --format "$format" "${paths[@]}" > "$LWF_OUTPUT"
  code=$?
  echo "lwf validate: exit $code, report in $LWF_OUTPUT"
else
  "$lwf" validate --format "$format" "${paths[@]}"
  code=$?
fi
if [ "$code" = 0 ]; then
  echo "lwf validate: ${paths[*]}: no problems"
fi
exit "$code"
