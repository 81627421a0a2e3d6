#!/bin/sh
# Shown as SKIP when configure built no Python module.
echo "the Python package is not built: configure found no Python.h for" \
	"PYTHON3 (Debian package python3-dev), or was given --disable-python"
exit 77
