import argparse

from bench import run, templates

parser = argparse.ArgumentParser(prog="python -m bench", description="The benchmark suite (make bench).")
parser.add_argument(
    "--only",
    choices=["templates"],
    help="run one scenario alone on a fresh benchmark database, adding its figures to the last full run's results",
)
if parser.parse_args().only == "templates":
    templates.main()
else:
    run.main()
