#!/bin/sh
# Prints a greeting and the message file shipped beside the script, then exits.
set -eu
echo "hello from start.sh as $(id -u)"
cat ./message.txt
