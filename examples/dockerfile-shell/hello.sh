#!/bin/sh
echo "hello from a Dockerfile project"
