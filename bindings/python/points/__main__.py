"""python3 -m points --version | verify URI"""

import argparse
import os
import sys

from . import Error, Ledger, __version__, library_version


def _sqlite_path(uri):
    """The file of an "sqlite:PATH[?options]" URI, else None."""
    if not uri.startswith("sqlite:"):
        return None
    return uri[len("sqlite:"):].split("?", 1)[0]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m points",
        description="libpoints, an embeddable points ledger.")
    parser.add_argument("--version", action="store_true",
                        help="print the binding's and the C library's version")
    sub = parser.add_subparsers(dest="command")
    verify = sub.add_parser("verify", help="check a ledger's hash chain "
                            "and balances")
    verify.add_argument("uri", help='e.g. "sqlite:hr.db"')
    args = parser.parse_args(argv)
    if args.version:
        print("points %s (libpoints %s)" % (__version__, library_version()))
        return 0
    if args.command == "verify":
        # Opening would make an empty ledger and find it fine: a file
        # that is not there is an error.  (Once the URI option mode=rw,
        # open an existing ledger only, is in the library, the open
        # itself can say so.)
        path = _sqlite_path(args.uri)
        if path is not None and not os.path.exists(path):
            print("points: %s: no such ledger file: %s" % (args.uri, path),
                  file=sys.stderr)
            return 1
        try:
            with Ledger.open(args.uri) as ledger:
                report = ledger.verify()
        except Error as e:
            print("points: %s: %s" % (args.uri, e), file=sys.stderr)
            return 1
        print("ok: %d entries, %d balances" % (report.entries,
                                                report.balances))
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
