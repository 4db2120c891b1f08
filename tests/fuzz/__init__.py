"""Fuzzing the importers and `add` with generated malformed input: corpus.py builds the cases, runner.py runs them in
memory- and time-bounded worker processes; `python -m tests.fuzz --cases 2000` is the on-demand run, tests/test_fuzz.py
the CI size."""
