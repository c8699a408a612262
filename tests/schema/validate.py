#!/usr/bin/env python3
"""Validate YAML files against the JSON Schemas of `nastavdoc schema`.

Usage: validate.py NASTAVDOC FILE.yaml...        (from the repository root)
       validate.py --bad NASTAVDOC DIR...        (tests/bad/* cases)

Each file is read as the YAML language server reads one file (no includes);
its `document:` names the kind; a file without one is shared data, checked
against the schema its first top-level key names (school, people, pairs or
forms, partners, surveys: `schema school|people|pairs|partners|survey`).
Prints one line per file, "ok FILE" or "bad FILE: reason", and exits 1 if
any is bad.

--bad runs `nastavdoc check doc.yaml` in each DIR and takes every error the
checker gives for a schema reason (an unknown key, a value of the wrong type,
a missing required key, an empty value); the schema of the file it names
must then find an error at a node that spans the message's line:column. Errors the schema cannot see are counted apart: in a
CSV file, in a template, and a missing top-level key (it usually comes from an
included file, and the editor sees one file at a time). Prints the counts;
exits 1 if the schema accepts a file the checker rejects for a schema reason, or finds no error at (around) the place the
checker names.
Needs python3-yaml and python3-jsonschema (scripts/deps.sh schema)."""
import json
import os
import re
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

# the top-level key of a shared data file -> its schema's name
DATA_FILES = {"school": "school", "people": "people", "pairs": "pairs", "forms": "pairs",
              "partners": "partners", "surveys": "survey"}

schemas = {}


def schema(binary, name):
    """The schema `nastavdoc schema NAME` prints, or None for an unknown name."""
    if name not in schemas:
        out = subprocess.run([binary, "schema", name], capture_output=True, check=False)
        schemas[name] = json.loads(out.stdout) if out.returncode == 0 else None
    return schemas[name]


def validate(binary, path):
    """("ok"|"bad"|"skip", reason) for one file."""
    with open(path, encoding="utf-8") as f:
        data = yaml.load(f, Loader=Loader)
    if not isinstance(data, dict):
        return "skip", "not a map"
    name = data.get("document") or next((DATA_FILES[k] for k in data if k in DATA_FILES), None)
    if name is None:
        return "skip", "shared data without a schema"
    sch = schema(binary, str(name))
    if sch is None:  # every kind's schema has its own name as the only `document`
        return "bad", f"document: no schema for «{name}»"
    try:
        jsonschema.validate(data, sch)
        return "ok", ""
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path)
        return "bad", f"{where}: {e.message[:200]}"


def node_at(root, path):
    """The composed YAML node at a JSON path (keys and indexes)."""
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(step)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            node = node.value[step] if step < len(node.value) else None
        else:
            node = None
        if node is None:
            return None
    return node


def schema_errors_at(binary, path, line, col):
    """Whether the schema of path finds an error whose node spans line:col
    (1-based, as the checker's messages count)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    data = yaml.load(text, Loader=Loader)
    root = yaml.compose(text, Loader=Loader)
    name = data.get("document") or next((DATA_FILES[k] for k in data if k in DATA_FILES), None)
    sch = schema(binary, str(name))
    if sch is None:
        return True
    at = (line - 1, col - 1)
    for e in jsonschema.Draft7Validator(sch).iter_errors(data):
        node = node_at(root, e.absolute_path)
        if node is None:
            continue
        start = (node.start_mark.line, node.start_mark.column)
        end = (node.end_mark.line, node.end_mark.column)
        if start <= at <= end:
            return True
    return False


def check_files(binary, files):
    bad = 0
    for path in files:
        verdict, why = validate(binary, path)
        if verdict == "ok":
            print(f"ok {path}")
        else:
            bad += verdict == "bad"
            print(f"{verdict} {path}: {why}")
    return 1 if bad else 0


# Messages of the checks (kinds.c, kinds/people.c, kinds/agreement.c) that a
# schema can express: unknown key, wrong type, missing key, empty value.
SCHEMA_REASON = re.compile(
    r"неизвестный ключ «|неизвестное поле «|нет такого поля или столбца|"
    r"неизвестный вид (текста|документа) «|нет обязательного поля «|» пусто: впишите|"
    r"^«[^»]+»( \([^)]*(\([^)]*\))?[^)]*\))?: ожидал\w* .*, а здесь (строка|список|словарь)$|"
    r"^(people|pairs): ожидался словарь полей")
ERROR = re.compile(r"^(.+?):(\d+):(\d+): ошибка: (.*)$")
TOP_MISSING = re.compile(r"нет обязательного поля «[^.»]+»")


def check_bad(binary, dirs):
    binary = os.path.abspath(binary)
    counts = {"rejected": 0, "accepted": 0, "csv": 0, "template": 0, "top-level": 0}
    cases = set()  # the cases with an error the schema finds
    for d in dirs:
        args_file = os.path.join(d, "expect")
        extra = []
        with open(args_file, encoding="utf-8") as f:
            for line in f:
                if line.startswith("args:"):
                    extra = [a for a in line[5:].split() if a == "--strict"]
        run = subprocess.run([binary, "check", *extra, "doc.yaml"], cwd=d, capture_output=True,
                             text=True, check=False)
        for line in run.stderr.splitlines():
            m = ERROR.match(line)
            if not m or not SCHEMA_REASON.search(m.group(4)):
                continue
            path, msg = m.group(1), m.group(4)
            if path.endswith(".csv"):
                counts["csv"] += 1
                continue
            if TOP_MISSING.search(msg):
                counts["top-level"] += 1
                continue
            verdict, why = validate(binary, os.path.join(d, path))
            if verdict == "skip":
                counts["template"] += 1
            elif verdict == "bad" and schema_errors_at(binary, os.path.join(d, path),
                                                       int(m.group(2)), int(m.group(3))):
                counts["rejected"] += 1
                cases.add(d)
            else:
                counts["accepted"] += 1
                print(f"the schema of {d}/{path} finds nothing at the place of: {line}")
    counts["cases"] = len(cases)
    print("schema-reason errors: rejected by the schema %(rejected)d (in %(cases)d cases), "
          "accepted %(accepted)d; "
          "not for a schema: in CSV %(csv)d, in templates %(template)d, "
          "top-level keys from includes %(top-level)d" % counts)
    return 1 if counts["accepted"] else 0


def main():
    if sys.argv[1] == "--bad":
        return check_bad(sys.argv[2], sys.argv[3:])
    return check_files(sys.argv[1], sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
