import argparse

from bench import run, templates

parser = argparse.ArgumentParser(prog="python -m bench", description="The benchmark suite (make bench).")
parser.add_argument(
    "--only",
    choices=["templates"],
    help="run the newer scenarios alone (template release, 1 vs 2 workers, the spread mix, import) on a fresh "
    "benchmark database, adding their figures to the last full run's results",
)
if parser.parse_args().only == "templates":
    templates.main()
else:
    run.main()
