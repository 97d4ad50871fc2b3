# lib.sh - shell helpers shared by the test suites (sourced, not run).
#
#   . tests/lib.sh; lib_init NAME
#
# gives $top (the repository), $gen (build/gen, or $GEN), $tmp (an empty
# folder: on /dev/shm when it is writable, since the suites create and
# delete thousands of small files, and build/tmp/NAME links to it;
# otherwise build/tmp/NAME itself), the counters and these helpers:
#
#   ok; no MESSAGE            count a pass or a failure (printed to stderr)
#   summary                   print "NAME: N passed, N failed" and return
#   samples                   path of the sample packages (made once)
#   scratch DIR               a scratch repository: manifest.yml, templates/,
#                             docs/ and a copy of the sample packages
#   snap DIR [EXCLUDE...]     every entry under DIR, one a line, sorted:
#                             "HASH  ./file", "l ./link -> target", "d ./dir"
#                             (EXCLUDE: paths relative to DIR, pruned)
#   snap_outputs DIR          snap of DIR's site/ and generated/ only (gen's
#                             bookkeeping lives in .gen/, never there)
#   leftovers DIR [SITE]      staging gen left in DIR: names starting .gen-
#                             other than packages/.gen-cache, and
#                             .gen/journal
#   timed ...                 run a command under `timeout 20` (status 124
#                             when it hangs)
#   gen_cmd GEN               the command line that runs GEN: GEN itself, or
#                             with VALGRIND=1, GEN under valgrind, exiting 99
#                             on any memory error or definite or indirect
#                             leak (the signal thread lives until exit: its
#                             stack is "possibly lost" and not shown)
#
# Every run is made with SOURCE_DATE_EPOCH set, so outputs are comparable.

export LC_ALL=C
export SOURCE_DATE_EPOCH=1736467200

lib_init() {
	lib_name=$1
	top=$(pwd)
	gen="${GEN:-$top/build/gen}"
	tmp="$top/build/tmp/$lib_name"
	pass=0
	fail=0
	rm -rf "$tmp"
	mkdir -p "$top/build/tmp"
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		# Named for the checkout too: two trees tested at once on one
		# machine must not share (or remove) each other's folders.
		_real="/dev/shm/gen-tests-$(id -u)-$(printf '%s' "$top" | cksum | cut -d' ' -f1)-$lib_name"
		rm -rf "$_real"
		mkdir -p "$_real" && ln -s "$_real" "$tmp" && tmp=$_real
	fi
	mkdir -p "$tmp"
}

ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL $lib_name: $*" >&2; }

summary() {
	echo "$lib_name: $pass passed, $fail failed"
	[ "$fail" = 0 ]
}

# The sample packages, made by scripts/mksamples once into build/tmp/samples
# and remade only when the scripts that make them change.
samples() {
	_s="$top/build/tmp/samples"
	if [ ! -f "$_s/.done" ] || [ "$top/scripts/mksamples" -nt "$_s/.done" ] ||
		[ "$top/scripts/mkpackage" -nt "$_s/.done" ]; then
		rm -rf "$_s"
		/usr/bin/python3 "$top/scripts/mksamples" "$_s" >/dev/null || return 1
		touch "$_s/.done"
	fi
	echo "$_s"
}

# scratch DIR: a fresh copy of the repository's inputs.  Packages are
# copied, not linked: a defect that writes over an input must not reach
# the shared samples.
scratch() {
	_src=$(samples) || return 1
	mkdir -p "$1" &&
		cp -R "$top/manifest.yml" "$top/templates" "$top/docs" "$1/" &&
		cp -a "$_src" "$1/packages" && rm -f "$1/packages/.done"
}

snap() {
	_d=$1
	shift
	_prune=
	for _x; do
		_prune="$_prune -path ./$_x -prune -o"
	done
	# shellcheck disable=SC2086
	(cd "$_d" && find . $_prune \( -type f -exec sha256sum {} + \) -o \
		\( -type l -printf 'l %p -> %l\n' \) -o -printf '%y %p\n') | sort
}

snap_outputs() {
	for _o in site generated; do
		[ -e "$1/$_o" ] || { echo "absent $_o"; continue; }
		snap "$1/$_o" | sed -e "s|\\./|$_o/|"
	done | sort
}

leftovers() {
	_site=${2:-site}
	(cd "$1" && find . -name '.gen-*' ! -path ./packages/.gen-cache -print | sort
	[ -e .gen/journal ] && echo ./.gen/journal)
	return 0
}

timed() {
	timeout -k 5 20 "$@"
}

gen_cmd() {
	if [ "${VALGRIND:-}" = 1 ]; then
		echo "valgrind -q --error-exitcode=99 --leak-check=full" \
		    "--show-leak-kinds=definite,indirect" \
		    "--errors-for-leak-kinds=definite,indirect $1"
	else
		echo "$1"
	fi
}
