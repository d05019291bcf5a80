"""python3 -m points --version | verify URI"""

import argparse
import sys

from . import Error, Ledger, __version__, library_version


def _existing_only(uri):
    """uri, opening an existing ledger only: an "sqlite:" URI gets the
    option mode=rw unless it names a mode itself.  Other schemes have
    nothing to open but what they make."""
    if not uri.startswith("sqlite:"):
        return uri
    _, sep, query = uri.partition("?")
    if any(opt.split("=", 1)[0] == "mode" for opt in query.split("&")):
        return uri
    return uri + ("&" if sep and query else "" if sep else "?") + "mode=rw"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m points",
        description="libpoints, an embeddable points ledger.")
    parser.add_argument("--version", action="store_true",
                        help="print the binding's and the C library's version")
    sub = parser.add_subparsers(dest="command")
    verify = sub.add_parser("verify", help="check a ledger's hash chain "
                            "and balances")
    verify.add_argument("uri", help='e.g. "sqlite:hr.db" (an existing '
                        'ledger only: opened with mode=rw)')
    args = parser.parse_args(argv)
    if args.version:
        print("points %s (libpoints %s)" % (__version__, library_version()))
        return 0
    if args.command == "verify":
        # Opening by default makes an empty ledger, which would verify
        # fine: mode=rw makes the library refuse a missing or empty file
        # (POINTS_ENOTFOUND) and, as always, another application's
        # database (POINTS_EINVAL), leaving either as it was.
        try:
            with Ledger.open(_existing_only(args.uri)) as ledger:
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
