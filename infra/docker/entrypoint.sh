#!/bin/sh
# Starts the service jar. With SIM_HOST_ID set (simulated host agents) it first renders the libvirt test driver's
# host description to /tmp/$SIM_HOST_ID.xml (the GPU only with SIM_GPU=true), the same way ./dev does.
set -eu
if [ -n "${SIM_HOST_ID:-}" ]; then
  if [ "${SIM_GPU:-false}" = "true" ]; then
    sed -e "s/@HOST_ID@/$SIM_HOST_ID/g" /app/fixtures/simulated-host.xml >"/tmp/$SIM_HOST_ID.xml"
  else
    sed -e "s/@HOST_ID@/$SIM_HOST_ID/g" -e '/@GPU_BEGIN@/,/@GPU_END@/d' /app/fixtures/simulated-host.xml >"/tmp/$SIM_HOST_ID.xml"
  fi
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec java $JAVA_OPTS -jar /app/app.jar "$@"
