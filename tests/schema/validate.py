#!/usr/bin/env python3
"""Validate YAML files against the JSON Schemas of `nastavdoc schema`.

Usage: validate.py NASTAVDOC FILE.yaml...   (from the repository root)
Each file is read as the YAML language server reads one file (no includes);
its `document:` names the kind (a file without one is school data and is
checked against `schema school` when it has a `school` key). Prints one line
per file, "ok FILE" or "bad FILE: reason", and exits 1 if any is bad.
Needs python3-yaml and python3-jsonschema (scripts/deps.sh schema)."""
import json
import subprocess
import sys

import jsonschema
import yaml


class Loader(yaml.SafeLoader):
    """YAML 1.2 as the language server reads it: a date is a string."""


Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

schemas = {}


def schema(binary, name):
    if name not in schemas:
        out = subprocess.run([binary, "schema", name], capture_output=True, check=True)
        schemas[name] = json.loads(out.stdout)
    return schemas[name]


def main():
    binary, files = sys.argv[1], sys.argv[2:]
    bad = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            data = yaml.load(f, Loader=Loader)
        if not isinstance(data, dict):
            print(f"skip {path}: not a map")
            continue
        name = data.get("document") or ("school" if "school" in data else None)
        if name is None:
            print(f"skip {path}: shared data without a schema")
            continue
        try:
            jsonschema.validate(data, schema(binary, str(name)))
            print(f"ok {path}")
        except jsonschema.ValidationError as e:
            bad += 1
            where = "/".join(str(p) for p in e.absolute_path)
            print(f"bad {path}: {where}: {e.message[:200]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
