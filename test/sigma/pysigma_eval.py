"""Evaluates Sigma detection rules over events with pySigma and its DuckDB backend.

The reference side of the differential test (test/sigma/differential.test.ts)
and of the benchmark (bench/sigma). Usage:

    python pysigma_eval.py EVENTS.ndjson RULE_PATH...

EVENTS.ndjson holds one flat object per line, keyed by OTLP attribute names
(event.name, audit.data.row_count, ...) with the event id in log.record.uid.
Prints JSON: {"matches": {rule_id: [event ids]}, "errors": {rule_id: message},
"seconds": time spent running the queries}.
Correlation rules are left out: only detection rules (including the named
rules inside mr_ files) are converted and run.
"""

import json
import pathlib
import re
import sys
import time

import duckdb
import yaml
from sigma.processing.pipeline import ProcessingPipeline
from sigma.rule import SigmaRule
from sigma_backend_duckdb import DuckDBBackend


def rule_documents(paths):
    for path in paths:
        p = pathlib.Path(path)
        files = sorted(p.rglob("*.yml")) if p.is_dir() else [p]
        for file in files:
            for doc in yaml.safe_load_all(file.read_text()):
                if isinstance(doc, dict) and "detection" in doc:
                    yield doc


def main():
    events_file, *rule_paths = sys.argv[1:]
    db = duckdb.connect()
    db.execute(
        "CREATE TABLE logs AS SELECT * FROM read_json_auto(?, format='newline_delimited', sample_size=-1, union_by_name=true)",
        [events_file],
    )
    columns = {row[0] for row in db.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'logs'").fetchall()}
    # Identity pipeline: the events already use the rules' attribute names.
    backend = DuckDBBackend(processing_pipeline=ProcessingPipeline())
    matches, errors, seconds = {}, {}, 0.0
    for doc in rule_documents(rule_paths):
        rule_id = str(doc.get("id"))
        try:
            rule = SigmaRule.from_dict(doc)
            queries = backend.convert_rule(rule)
            ids = set()
            for query in queries:
                # A field no event has is a column of NULLs, as absent is null.
                for name in re.findall(r'"([^"]+)"', query):
                    if name not in columns:
                        compared = re.search(f'"{re.escape(name)}" ?(<|>|<=|>=) ?[0-9]', query)
                        boolean = re.search(f'"{re.escape(name)}" ?= ?(true|false)', query)
                        kind = "DOUBLE" if compared else "BOOLEAN" if boolean else "VARCHAR"
                        db.execute(f'ALTER TABLE logs ADD COLUMN "{name}" {kind}')
                        columns.add(name)
                started = time.perf_counter()
                rows = db.execute(f'SELECT "log.record.uid" FROM ({query})').fetchall()
                seconds += time.perf_counter() - started
                ids.update(row[0] for row in rows)
            matches[rule_id] = sorted(ids)
        except Exception as error:  # reported per rule, so one failure does not hide the others
            errors[rule_id] = f"{type(error).__name__}: {error}"
    json.dump({"matches": matches, "errors": errors, "seconds": seconds}, sys.stdout)


if __name__ == "__main__":
    main()
