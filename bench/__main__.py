import argparse

from bench import run, templates

parser = argparse.ArgumentParser(prog="python -m bench", description="The benchmark suite (make bench).")
parser.add_argument(
    "--only",
    choices=["templates", "editor"],
    help="run the newer scenarios alone on a fresh benchmark database, adding their figures to the last full "
    "run's results: 'templates' (template release, 1 vs 2 workers, the spread mix, import, editor pages) or "
    "'editor' (the editor pages only)",
)
only = parser.parse_args().only
if only == "templates":
    templates.main()
elif only == "editor":
    templates.editor_main()
else:
    run.main()
