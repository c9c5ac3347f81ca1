#!/usr/bin/env bash

retry() {  # {{EXPECT}}
  local attempts=$1; shift
  for ((i = 1; i <= attempts; i++)); do
    "$@" && return 0
    sleep "$i"
  done
  return 1
}
