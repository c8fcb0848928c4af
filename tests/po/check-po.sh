#!/bin/sh
# Every source file with translatable strings is in po/POTFILES, and
# po/vi.po translates every string of the current sources (no fuzzy, no
# untranslated), with valid format strings (msgfmt -c).
set -eu
top=${1:?source root}
cd "$top"
fail=0

missing=$(find src -name '*.c' | sort | while read -r f; do
	if grep -qE '(^|[^A-Za-z0-9_])(N?_|ngettext)\("' "$f" && ! grep -qx "$f" po/POTFILES; then
		echo "$f"
	fi
done)
if [ -n "$missing" ]; then
	echo "not in po/POTFILES:"; echo "$missing"; fail=1
fi
stale=$(grep -v '^#' po/POTFILES | while read -r f; do [ -z "$f" ] || [ -f "$f" ] || echo "$f"; done)
if [ -n "$stale" ]; then
	echo "listed in po/POTFILES but missing:"; echo "$stale"; fail=1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
xgettext --from-code=UTF-8 -k_ -kN_ -kngettext:1,2 --add-comments=TRANSLATORS: \
	-f po/POTFILES -o "$tmp/mailtui.pot"
for lang in $(cat po/LINGUAS); do
	msgmerge -q "po/$lang.po" "$tmp/mailtui.pot" -o "$tmp/$lang.po"
	stats=$(LC_ALL=C msgfmt -c --statistics -o /dev/null "$tmp/$lang.po" 2>&1) || { echo "$stats"; fail=1; }
	case "$stats" in
	*untranslated*|*fuzzy*) echo "po/$lang.po is behind the sources: $stats"; fail=1 ;;
	*) echo "po/$lang.po: $stats" ;;
	esac
done
exit $fail
