"""The `unspin` command line: check, restore, and the subcommands of each concern."""
from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .inputs import InputError

#: Modules that add a subcommand with `register(subparsers)`; each sets `run=` on its parser.
COMMAND_MODULES = [
    "unspin.commands",             # check, restore
    "unspin.evaluate.commands",    # spin, eval
    "unspin.batch.command",        # scan
    "unspin.server.command",       # serve
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unspin",
        description="Find machine-spun text (tortured phrases, spinner synonyms) and restore "
                    "the original wording. Everything runs offline.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--verbose", action="store_true",
                        help="with --version: also list the bundled resources and their licences")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("unspin"):
                continue        # a concern not built into this install
            raise
        module.register(sub)
    return parser


def print_version(verbose: bool) -> None:
    print(f"unspin {__version__}")
    if verbose:
        from .resources import describe_resources
        print(describe_resources())


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.version and not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        if args.version:
            print_version(args.verbose)
            return 0
        return args.run(args) or 0
    except InputError as exc:
        print(f"unspin: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:        # the reader went away (| head): not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
