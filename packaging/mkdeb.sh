#!/bin/sh
# mkdeb.sh DIR VERSION SOMAJOR PG_SOMAJOR LIBDIR - the Debian packages
# (make deb).
#
# DIR/stage holds what `make install PREFIX=/usr LIBDIR=LIBDIR
# DESTDIR=DIR/stage` installed (LIBDIR: Debian's multiarch directory), the points tool there linked without an rpath.  Each file
# of it goes to one package, built with dpkg-deb into DIR:
#
#   libpoints<SOMAJOR>     the shared library (named for its soname)
#   libpoints-dev          headers, libpoints.so, libpoints.a, points.pc,
#                          the man pages of sections 3 and 7
#   points-tools           the points tool and its page
#   libpoints-pg<PG_SOMAJOR>, libpoints-pg-dev
#                          the PostgreSQL store and its points-pg.pc, when
#                          libpoints_pg.so was built
#
# A file of the stage that no package takes stops the build, so a file
# make install gains is not left out unnoticed.  Depends come from
# dpkg-shlibdeps; the library packages carry shlibs files and an
# ldconfig trigger.  DEB_MAINTAINER names the maintainer.  Run from the
# top of the tree (the man pages' links are read from man/).
set -eu

dir=$1 version=$2 somajor=$3 pgmajor=$4 libdir=${5#/}
stage=$dir/stage
maint=${DEB_MAINTAINER:-The libpoints authors <libpoints@example.org>}
lib=libpoints$somajor
pglib=libpoints-pg$pgmajor

die() {
	echo "mkdeb.sh: $*" >&2
	exit 1
}

command -v dpkg-deb >/dev/null && command -v dpkg-shlibdeps >/dev/null ||
	die "make deb needs dpkg-deb and dpkg-shlibdeps (apt-get install dpkg-dev)"
arch=$(dpkg --print-architecture)
so=$stage/$libdir/libpoints.so.$version
[ -f "$so" ] || die "no $so: run make install DESTDIR=$stage PREFIX=/usr first"
# A package is built from a plain build only.
if readelf -d "$so" | grep -q 'NEEDED.*lib[at]*[ub]*san' ||
    nm -D "$so" | grep -q __gcov_; then
	die "lib/libpoints.so was built with SANITIZE=1 or COVERAGE=1: make clean, then make deb"
fi
[ "$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" = \
    "libpoints.so.$somajor" ] || die "the soname of $so is not libpoints.so.$somajor"

# Debian's shape for what make install wrote: man pages compressed, a
# page that is a link in man/ a link to the compressed page; binaries
for f in "$stage"/usr/share/man/man*/*; do
	page=man/$(basename "$(dirname "$f")")/$(basename "$f")
	if [ -L "$page" ]; then
		rm "$f"
		ln -s "$(readlink "$page").gz" "$f.gz"
	else
		gzip -9n "$f"
	fi
done
# stripped as dh_strip strips them; shared libraries not executable.
for f in "$stage"/usr/bin/points "$stage"/$libdir/lib*.so.$version; do
	strip --strip-unneeded --remove-section=.comment --remove-section=.note "$f"
done
chmod 644 "$stage"/$libdir/lib*.so.$version
strip --strip-debug --remove-section=.comment --remove-section=.note \
	--enable-deterministic-archives "$stage/$libdir/libpoints.a"

# take PACKAGE PATH...: the stage's files (under usr/) move to the package.
rm -rf "$dir/debian"
take() {
	pkg=$1
	shift
	for p in "$@"; do
		for f in "$stage"/$p; do
			[ -e "$f" ] || [ -L "$f" ] || die "make install made no $p"
			rel=${f#"$stage"/}
			mkdir -p "$dir/debian/$pkg/$(dirname "$rel")"
			mv "$f" "$dir/debian/$pkg/$rel"
		done
	done
}

pkgs="$lib libpoints-dev points-tools"
take "$lib" "$libdir/libpoints.so.$somajor" "$libdir/libpoints.so.$version"
take libpoints-dev usr/include/points.h usr/include/points \
	$libdir/libpoints.so $libdir/libpoints.a $libdir/pkgconfig/points.pc \
	usr/share/man/man3 usr/share/man/man7
take points-tools usr/bin/points usr/share/man/man1/points.1.gz
if [ -f "$stage/$libdir/libpoints_pg.so.$version" ]; then
	pkgs="$pkgs $pglib libpoints-pg-dev"
	take "$pglib" "$libdir/libpoints_pg.so.$pgmajor" \
		"$libdir/libpoints_pg.so.$version"
	take libpoints-pg-dev $libdir/libpoints_pg.so \
		$libdir/pkgconfig/points-pg.pc
fi
left=$(find "$stage" ! -type d)
[ -z "$left" ] || die "files of make install in no package: $left"

# What dpkg-shlibdeps reads: the packages' names, and the shlibs of the
# libraries built here (debian/*/DEBIAN/shlibs), for the tool's Depends.
printf 'Source: libpoints\n\n' > "$dir/debian/control"
for p in $pkgs; do
	printf 'Package: %s\nArchitecture: any\n\n' "$p" >> "$dir/debian/control"
	mkdir -p "$dir/debian/$p/DEBIAN"
done
echo "libpoints $somajor $lib (>= $version)" > "$dir/debian/$lib/DEBIAN/shlibs"
echo "activate-noawait ldconfig" > "$dir/debian/$lib/DEBIAN/triggers"
if [ -d "$dir/debian/$pglib" ]; then
	# libpoints loads it through an interface of its own: the same version
	echo "libpoints_pg $pgmajor $pglib (= $version)" > "$dir/debian/$pglib/DEBIAN/shlibs"
	echo "activate-noawait ldconfig" > "$dir/debian/$pglib/DEBIAN/triggers"
fi

# shlibdeps PACKAGE FILE: the Depends FILE's libraries give.
shlibdeps() {
	(cd "$dir" && dpkg-shlibdeps -O -p"$1" -l"debian/$lib/$libdir" \
	    "debian/$1/$2") |
		sed -n "s/^$1:Depends=//p"
}

date=$(date -R -u ${SOURCE_DATE_EPOCH:+-d "@$SOURCE_DATE_EPOCH"})
about="libpoints is an embeddable points ledger in C: accounts, assets with
 expiry policies, a double-entry ledger of lots with holds, reversals,
 idempotency keys and a hash chain over every entry, earning rules, a
 points mall, lotteries and auctions, stored in SQLite."

for p in $pkgs; do
	d=$dir/debian/$p
	case $p in
	"$lib")
		section=libs
		depends=$(shlibdeps "$p" "$libdir/libpoints.so.$version")
		extra=
		[ -d "$dir/debian/$pglib" ] && extra="Suggests: $pglib"
		summary="embeddable points ledger - shared library"
		what="This package holds the shared library." ;;
	libpoints-dev)
		section=libdevel
		depends="$lib (= $version), libsqlite3-dev, uuid-dev, libsodium-dev"
		extra=
		summary="embeddable points ledger - development files"
		what="This package holds the headers, the static library, the
 pkg-config file (points) and the man pages (man 3 libpoints)." ;;
	points-tools)
		section=utils
		depends=$(shlibdeps "$p" usr/bin/points)
		extra=
		summary="embeddable points ledger - command-line tool"
		what="This package holds the points tool, which administers a
 ledger from the command line and cron jobs (man 1 points)." ;;
	"$pglib")
		section=libs
		depends="$(shlibdeps "$p" "$libdir/libpoints_pg.so.$version"), $lib (= $version)"
		extra=
		summary="embeddable points ledger - PostgreSQL store"
		what="This package holds the PostgreSQL store, which libpoints
 loads for postgresql:// ledgers." ;;
	libpoints-pg-dev)
		section=libdevel
		depends="$pglib (= $version), libpoints-dev (= $version), libpq-dev"
		extra=
		summary="embeddable points ledger - PostgreSQL store, development files"
		what="This package holds the pkg-config file (points-pg) and the
 link for programs that open the PostgreSQL store themselves." ;;
	esac

	mkdir -p "$d/usr/share/doc/$p"
	{
		echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
		echo "Upstream-Name: libpoints"
		echo
		echo "Files: *"
		sed -n 's/^Copyright (c) /Copyright: /p' LICENSE
		echo "License: Expat"
		sed -n '/^Permission/,$p' LICENSE | sed 's/^$/./; s/^/ /'
	} > "$d/usr/share/doc/$p/copyright"
	printf '%s\n\n%s\n\n%s\n' \
		"libpoints ($version) unstable; urgency=medium" \
		"  * Built from the libpoints tree by make deb." \
		" -- $maint  $date" | gzip -9n > "$d/usr/share/doc/$p/changelog.gz"

	{
		echo "Package: $p"
		echo "Source: libpoints"
		echo "Version: $version"
		echo "Architecture: $arch"
		echo "Maintainer: $maint"
		echo "Installed-Size: $(du -sk --exclude=DEBIAN "$d" | cut -f1)"
		echo "Depends: $depends"
		[ -z "$extra" ] || echo "$extra"
		echo "Section: $section"
		echo "Priority: optional"
		echo "Description: $summary"
		echo " $about"
		echo " ."
		echo " $what"
	} > "$d/DEBIAN/control"
	(cd "$d" && find usr -type f | LC_ALL=C sort | xargs md5sum) > "$d/DEBIAN/md5sums"
	chmod 644 "$d"/DEBIAN/*
	dpkg-deb --root-owner-group -Zxz --build "$d" \
		"$dir/${p}_${version}_$arch.deb" >/dev/null
	echo "$dir/${p}_${version}_$arch.deb"
done
