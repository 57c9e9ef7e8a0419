#!/usr/bin/env bash
# Installs the system programs the local stack and the browser tests need on Debian/Ubuntu:
# a JDK and Maven (Kafka broker from Maven jars), redis-server, Chromium (dashboard tests) and
# docker-compose (validates docker-compose.kafka.yml without a Docker engine).
# Idempotent: packages whose program is already on PATH are skipped.
set -euo pipefail

declare -A program_of=(
  [default-jdk-headless]=java
  [maven]=mvn
  [redis-server]=redis-server
  [chromium]=chromium
  [docker-compose]=docker-compose
)

missing=()
for package in default-jdk-headless maven redis-server chromium docker-compose; do
  if command -v "${program_of[$package]}" >/dev/null 2>&1; then
    echo "ok: ${program_of[$package]} already installed (${package})"
  else
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "all system dependencies are present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "installing: ${missing[*]}"
"${sudo_cmd[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
