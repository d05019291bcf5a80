"""Write the points wheel: the package's modules, its extension (which
carries libpoints and, linked statically, SQLite, libuuid and
libsodium) and a dist-info (METADATA, WHEEL, RECORD), as pip installs
it.  A wheel is a zip (PEP 427); writing it here needs no network and no
build backend.  The tags are those of the interpreter running this
script, which must be the one the extension was built for.

    python3 make_wheel.py VERSION OUTDIR EXTENSION LICENSE MODULE.py...

Prints the wheel's path.  The archive is reproducible: its members are
sorted and dated 1980-01-01."""

import base64
import hashlib
import os
import sys
import sysconfig
import zipfile

NAME = "points"
SUMMARY = "libpoints, an embeddable points ledger (SQLite store)"
DATE = (1980, 1, 1, 0, 0, 0)


def tags():
    """(python, abi, platform) of this interpreter, e.g. cp311, cp311,
    linux_x86_64."""
    py = "cp%d%d" % sys.version_info[:2]
    abi = py + getattr(sys, "abiflags", "")
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return py, abi, plat


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
    return "%s,sha256=%s,%d" % (path, digest.rstrip(b"=").decode(), len(data))


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    version, outdir, extension, license_file = argv[:4]
    modules = argv[4:]
    py, abi, plat = tags()
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not extension.endswith(suffix):
        sys.stderr.write("make_wheel.py: %s was not built for this "
                         "interpreter (its suffix is %s)\n"
                         % (extension, suffix))
        return 1
    info = "%s-%s.dist-info" % (NAME, version)
    members = {}  # path in the wheel -> (bytes, mode)
    for m in modules:
        with open(m, "rb") as f:
            members["%s/%s" % (NAME, os.path.basename(m))] = (f.read(), 0o644)
    with open(extension, "rb") as f:
        members["%s/%s" % (NAME, os.path.basename(extension))] = \
            (f.read(), 0o755)
    with open(license_file, "rb") as f:
        members[info + "/LICENSE"] = (f.read(), 0o644)
    members[info + "/METADATA"] = ((
        "Metadata-Version: 2.1\n"
        "Name: %s\n"
        "Version: %s\n"
        "Summary: %s\n"
        "License: MIT\n"
        "License-File: LICENSE\n"
        "Requires-Python: >=%d.%d\n"
        "\n"
        "The Python binding of libpoints, with the library inside its\n"
        "extension: `python3 -m points --version` prints both versions.\n"
        % (NAME, version, SUMMARY, sys.version_info[0], sys.version_info[1])
    ).encode(), 0o644)
    members[info + "/WHEEL"] = ((
        "Wheel-Version: 1.0\n"
        "Generator: libpoints make_wheel.py\n"
        "Root-Is-Purelib: false\n"
        "Tag: %s-%s-%s\n" % (py, abi, plat)).encode(), 0o644)
    members[info + "/top_level.txt"] = ((NAME + "\n").encode(), 0o644)
    record = [record_line(p, members[p][0]) for p in sorted(members)]
    record.append(info + "/RECORD,,")
    members[info + "/RECORD"] = (("\n".join(record) + "\n").encode(), 0o644)

    wheel = os.path.join(outdir, "%s-%s-%s-%s-%s.whl"
                         % (NAME, version, py, abi, plat))
    os.makedirs(outdir, exist_ok=True)
    tmp = wheel + ".tmp"
    # The package first, the dist-info last, RECORD at the very end
    # (PEP 427 recommends it).
    order = sorted(p for p in members if not p.startswith(info)) + \
        sorted(p for p in members if p.startswith(info) and
               p != info + "/RECORD") + [info + "/RECORD"]
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for p in order:
            data, mode = members[p]
            zi = zipfile.ZipInfo(p, DATE)
            zi.external_attr = (0o100000 | mode) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    os.replace(tmp, wheel)
    print(wheel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
