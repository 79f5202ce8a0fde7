#!/usr/bin/env bash
# graphiql-vendor.sh copies GraphiQL and React, at the pinned versions below, from the npm
# registry into internal/graphiql/static/vendor/, whose content is committed: the binary
# serves GraphiQL without asking any other host (a bank's intranet has no CDN). Run it only
# to change a version; node_modules is never made.
#
# Each tarball is checked against the integrity pinned here (the registry's sha512), so a run
# with the same pins gives the same files. The stylesheet's data: URLs (fonts, images) are
# written out as files of their own and referenced by path, since the page's
# Content-Security-Policy (the console's) allows fonts and images from the server only.
set -euo pipefail
cd "$(dirname "$0")/.."
out=internal/graphiql/static/vendor
pins=(
	"graphiql@3.8.3 sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw=="
	"react@18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=="
	"react-dom@18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pin in "${pins[@]}"; do
	set -- $pin
	name=${1%@*}
	file=$(cd "$tmp" && npm pack --silent "$1")
	got="sha512-$(openssl dgst -sha512 -binary "$tmp/$file" | base64 -w0)"
	if [ "$got" != "$2" ]; then
		echo "$1: integrity $got, pinned $2" >&2
		exit 1
	fi
	mkdir -p "$tmp/$name"
	tar -xzf "$tmp/$file" -C "$tmp/$name"
done
rm -rf "$out"
mkdir -p "$out/assets"
cp "$tmp/react/package/umd/react.production.min.js" "$out/"
cp "$tmp/react-dom/package/umd/react-dom.production.min.js" "$out/"
cp "$tmp/graphiql/package/graphiql.min.js" "$out/"
for name in graphiql react react-dom; do
	cp "$tmp/$name/package/LICENSE" "$out/LICENSE.$name"
done
node - "$tmp/graphiql/package/graphiql.min.css" "$out" <<'JS'
const fs = require('fs'), crypto = require('crypto'), path = require('path');
const [css, out] = process.argv.slice(2);
const ext = { 'font/woff2': 'woff2', 'font/woff': 'woff', 'image/png': 'png' };
let n = 0;
const text = fs.readFileSync(css, 'utf8').replace(/url\(data:([a-z0-9/+.-]+);base64,([A-Za-z0-9+/=]+)\)/g, (_, mime, b64) => {
  if (!ext[mime]) throw new Error('unexpected data: URL of type ' + mime);
  const body = Buffer.from(b64, 'base64');
  const name = crypto.createHash('sha256').update(body).digest('hex').slice(0, 16) + '.' + ext[mime];
  fs.writeFileSync(path.join(out, 'assets', name), body);
  n++;
  return 'url(assets/' + name + ')';
});
if (/url\(data:/.test(text)) throw new Error('a data: URL is left');
fs.writeFileSync(path.join(out, 'graphiql.min.css'), text);
console.error(`graphiql.min.css: ${n} data: URLs written to assets/`);
JS
printf '%s\n' "${pins[@]}" >"$out/VERSIONS"
echo "vendored into $out:" >&2
ls -la "$out" >&2
